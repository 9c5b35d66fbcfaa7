// Package exporttest seeds a real store with plausible scored creators —
// names, bios with and without contacts, posts, 14 days of snapshots and a
// score breakdown in words — for the tests and screenshots of the export and
// server packages. Everything goes through store.SaveCreator and
// store.PutSnapshot: no mocks.
package exporttest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Now is the seeded data's "today".
var Now = time.Date(2025, 6, 14, 9, 0, 0, 0, time.UTC)

var (
	firsts = []string{"Maya", "Joris", "Lena", "Tomás", "Aiko", "Femke", "Noah", "Inès", "Sanne", "Mateo", "Ruth", "Oskar",
		"Priya", "Bram", "Elif", "Hugo", "Nora", "Kai", "Lotte", "Sven"}
	lasts = []string{"de Vries", "Okafor", "Schmidt", "García", "Tanaka", "Bakker", "Martin", "Dubois", "Jansen", "López",
		"Cohen", "Lindqvist", "Shah", "Visser", "Yılmaz", "Moreau", "Berg", "Nakamura", "Smit", "Olsen"}
	topics = []struct{ topic, post string }{
		{"vegan cooking", "My sourdough recipe, step by step"},
		{"urban cycling", "Commute by bike: 30 days in"},
		{"pottery", "Glaze test results, the good and the bad"},
		{"trail running", "Sunrise 12k on the dunes"},
		{"houseplants", "Repotting the monstera, finally"},
		{"budget travel", "Lisbon in three days for under €200"},
		{"board games", "Our top five co-op games this year"},
		{"zero waste", "What a plastic-free week really costs"},
	}
	cities = []string{"Utrecht", "Ghent", "Leipzig", "Valencia", "Lyon", "Malmö", "Porto", "Graz"}
	langs  = []string{"en", "en", "en", "nl", "de", "es", "fr"}
)

var benchmarks = map[string]float64{model.TierNano: 4, model.TierMicro: 2.4, model.TierMid: 1.8, model.TierMacro: 1.4, model.TierMega: 1.1, model.TierBelow: 4}

// Creator builds the i-th seeded creator's update (creator, posts, score,
// today's snapshot) and its earlier daily snapshots.
func Creator(i int) (store.CreatorUpdate, []model.Snapshot) {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	platform := "bluesky"
	if i%3 == 2 {
		platform = "mastodon"
	}
	first, last := firsts[i%len(firsts)], lasts[(i*7+3)%len(lasts)]
	tp := topics[i%len(topics)]
	city := cities[(i/2)%len(cities)]
	slug := asciiSlug(first + last)
	handle := fmt.Sprintf("%s%d.bsky.social", slug, i)
	id := fmt.Sprintf("did:plc:seed%05d", i)
	url := "https://bsky.app/profile/" + handle
	if platform == "mastodon" {
		handle = fmt.Sprintf("%s%d@mastodon.example", slug, i)
		id = fmt.Sprintf("1099%06d", i)
		url = fmt.Sprintf("https://mastodon.example/@%s%d", slug, i)
	}
	var followers int64
	switch {
	case i%17 == 16:
		followers = 20_000 + r.Int64N(60_000)
	case i%41 == 40:
		followers = 1_200_000 + r.Int64N(400_000)
	default:
		followers = 1_100 + r.Int64N(8_800)
	}
	tier := model.TierOf(followers)
	bio := fmt.Sprintf("%s from %s. Sharing what I learn, mistakes included.", strings.ToUpper(tp.topic[:1])+tp.topic[1:], city)
	var links []string
	switch i % 4 {
	case 0:
		bio += fmt.Sprintf(" Collabs: %s@%s.example", strings.ToLower(first), slug)
	case 1:
		links = []string{fmt.Sprintf("https://%s.example", slug)}
	case 2:
		bio += " | =HYPERLINK(\"http://evil.example\") +tips @home"
	}
	c := model.Creator{
		Platform: platform, ID: id, Handle: handle, DisplayName: first + " " + last, Bio: bio, URL: url,
		Followers: followers, Following: 200 + r.Int64N(600), PostsCount: 150 + r.Int64N(900), Links: links,
		Language: langs[i%len(langs)], CreatedAt: Now.AddDate(-3, 0, 0), FetchedAt: Now,
	}
	bench := benchmarks[tier]
	er := bench * (0.5 + 1.8*r.Float64())
	answered := 0.15 + 0.7*r.Float64()
	hours := 0.5 + 10*r.Float64()
	depth := 1.2 + 1.6*r.Float64()
	replyScore := math.Min(1, 0.5*answered+0.25*math.Min(1, 4/(4+hours))*2+0.25*math.Min(1, (depth-1)/2))
	auth := 0.55 + 0.44*r.Float64()
	if i%9 == 5 {
		auth = 0.3 + 0.2*r.Float64()
	}
	index := er / bench
	engagement := math.Min(1, index/2)
	composite := 100 * (0.4*engagement + 0.3*replyScore + 0.3*auth)
	commenters := 20 + r.IntN(60)
	var flags []string
	if auth < 0.5 {
		flags = append(flags, "low_effort_comments")
	}
	sc := &model.Score{
		Tier: tier, PostsUsed: 12, ER: er, ERMedian: er * (0.8 + 0.15*r.Float64()), Benchmark: bench, BenchmarkIndex: index,
		ReplyDepth: model.ReplyDepth{CommentsSeen: commenters * 2, Commenters: commenters, AnsweredCommenters: int(answered * float64(commenters)),
			AnsweredShare: answered, MedianHoursToReply: hours, MeanDepth: depth, Score: replyScore},
		Authenticity: auth, Composite: composite, Flags: flags, ComputedAt: Now,
		Breakdown: []model.Component{
			{Name: "tier", Raw: float64(followers), Reason: fmt.Sprintf("%d followers: %s tier", followers, tier)},
			{Name: "er", Raw: er, Reason: fmt.Sprintf("mean ER by followers %.2f%% over the last 12 settled posts: (likes + comments + shares + quotes) ÷ followers", er)},
			{Name: "engagement", Raw: index, Value: engagement, Weight: 0.4,
				Reason: fmt.Sprintf("ER %.2f%% is %.2f× the %s %s benchmark of %.2g%%; twice the benchmark or more earns full marks", er, index, platform, tier, bench)},
			{Name: "reply", Raw: replyScore, Value: replyScore, Weight: 0.3,
				Reason: fmt.Sprintf("answered %d of %d commenters (%.0f%%), first answer after %.1f h (median), threads %.2f levels deep on average",
					int(answered*float64(commenters)), commenters, 100*answered, hours, depth)},
			{Name: "reply.answered", Raw: answered, Value: answered, Reason: fmt.Sprintf("the creator answered %.0f%% of the commenters", 100*answered)},
			{Name: "reply.speed", Raw: hours, Value: math.Min(1, 4/(4+hours)), Reason: fmt.Sprintf("median %.1f h from a comment to the creator's first answer", hours)},
			{Name: "reply.depth", Raw: depth, Value: math.Min(1, (depth-1)/2), Reason: fmt.Sprintf("threads are %.2f levels deep on average; 3 or more earns full marks", depth)},
			{Name: "authenticity", Raw: auth, Value: auth, Weight: 0.3,
				Reason: fmt.Sprintf("2 signals measured: of %d comments, %.0f%% generic, %.0f%% emoji-only, %.0f%% copy-pasted; %.1f likes per comment",
					commenters*2, 100*(1-auth)*0.6, 100*(1-auth)*0.3, 100*(1-auth)*0.1, 8+20*(1-auth))},
			{Name: "authenticity.generic", Raw: (1 - auth) * 0.6, Value: 1 - (1-auth)*0.6, Reason: "share of generic comments (\"nice!\", \"love this\")"},
			{Name: "authenticity.likes_per_comment", Raw: 8 + 20*(1-auth), Value: auth, Reason: "likes per comment against the platform's norm"},
		},
	}
	u := store.CreatorUpdate{Creator: c, Score: sc, At: Now}
	texts := []string{tp.post, "Q&A: you asked, I answered", "Behind the scenes in " + city, "Small win today", "Thread: what I'd do differently",
		"Weekly roundup #" + fmt.Sprint(20+i%30), "Trying something new", "Collab announcement soon 👀", "Rainy day project", "Thank you for 1k comments!",
		"Five tips for beginners", "Honest review, not sponsored"}
	for p := range texts {
		likes := int64(float64(followers) * er / 100 * (0.6 + 0.5*r.Float64()) * 0.8)
		comments := likes / int64(4+r.IntN(6))
		u.Posts = append(u.Posts, model.Post{
			Platform: platform, ID: fmt.Sprintf("%s-post%02d", id, p), CreatorID: id, CreatedAt: Now.Add(-time.Duration(30+p*41) * time.Hour),
			Kind: "post", Text: texts[p], URL: fmt.Sprintf("%s/post/%d", url, p),
			Likes: model.N(likes), Comments: model.N(comments), Shares: model.N(likes / 12), Quotes: model.N(likes / 40), FetchedAt: Now,
		})
	}
	growthPerDay := (r.Float64()*2 - 0.3) / 100
	if i%11 == 3 {
		growthPerDay = 0.012 // a rising star
	}
	var history []model.Snapshot
	for d := 13; d >= 0; d-- {
		f := int64(float64(followers) / math.Pow(1+growthPerDay, float64(d)))
		history = append(history, model.Snapshot{
			CreatorKey: c.Key(), Day: Now.AddDate(0, 0, -d).Format(time.DateOnly), Followers: f, Following: c.Following,
			PostsCount: c.PostsCount - int64(d), ER: er * (0.85 + 0.3*r.Float64()), TakenAt: Now.AddDate(0, 0, -d),
		})
	}
	today := history[len(history)-1]
	today.Followers = followers
	u.Snapshot = &today
	return u, history[:len(history)-1]
}

// asciiSlug keeps the ASCII letters and digits of s, lower-cased, with
// accented letters folded (é → e).
func asciiSlug(s string) string {
	s = strings.NewReplacer("á", "a", "à", "a", "é", "e", "è", "e", "ë", "e", "í", "i", "ı", "i", "ó", "o", "ö", "o", "ú", "u", "ü", "u", "ñ", "n").
		Replace(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, s)
}

// Seed stores creators 0..n-1 and reranks each platform.
func Seed(ctx context.Context, st store.Store, n int) ([]store.CreatorUpdate, error) {
	var out []store.CreatorUpdate
	platforms := map[string]bool{}
	for i := range n {
		u, history := Creator(i)
		for _, s := range history {
			if err := st.PutSnapshot(ctx, s); err != nil {
				return nil, err
			}
		}
		if err := st.SaveCreator(ctx, u); err != nil {
			return nil, err
		}
		platforms[u.Creator.Platform] = true
		out = append(out, u)
	}
	for p := range platforms {
		if err := st.Rerank(ctx, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SeedLight stores creators from..from+n-1 with their score alone (no posts,
// no history): quick, for tests that need many rows.
func SeedLight(ctx context.Context, st store.Store, from, n int) error {
	for i := from; i < from+n; i++ {
		u, _ := Creator(i)
		u.Posts, u.Snapshot = nil, nil
		if err := st.SaveCreator(ctx, u); err != nil {
			return err
		}
	}
	return nil
}
