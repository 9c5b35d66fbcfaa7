package scoring

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// handInput is a nano creator on testgram (benchmark 4 %, N 2, likes per
// comment 5–20) whose score is computed by hand in TestScore.
func handInput() Input {
	t0 := ago(100)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	return Input{
		Creator: model.Creator{Platform: "testgram", ID: "me", Handle: "baker", Followers: 2000},
		Posts: []model.Post{
			{ID: "p1", CreatorID: "me", CreatedAt: ago(48), Likes: n(90), Comments: n(10)}, // 5 %
			{ID: "p2", CreatorID: "me", CreatedAt: ago(72), Likes: n(54), Comments: n(6)},  // 3 %
			{ID: "p3", CreatorID: "me", CreatedAt: ago(96), Likes: n(900), Comments: n(1)}, // beyond N = 2
			{ID: "p4", CreatorID: "me", CreatedAt: ago(2), Likes: n(900)},                  // not settled
		},
		Comments: []model.Comment{
			{ID: "c1", PostID: "p1", ParentID: "p1", AuthorID: "a", Depth: 1, CreatedAt: at(0), Text: "How long do you proof the dough?"},
			{ID: "r1", PostID: "p1", ParentID: "c1", AuthorID: "me", Depth: 2, CreatedAt: at(1), Text: "About two hours", ByCreator: true},
			{ID: "c2", PostID: "p1", ParentID: "p1", AuthorID: "b", Depth: 1, CreatedAt: at(0), Text: "Which flour is that?"},
			{ID: "r2", PostID: "p1", ParentID: "c2", AuthorID: "me", Depth: 2, CreatedAt: at(3), Text: "Type 550"},
			{ID: "c3", PostID: "p1", ParentID: "p1", AuthorID: "c", Depth: 1, CreatedAt: at(0), Text: "My crumb never looks like this"},
			{ID: "c4", PostID: "p1", ParentID: "p1", AuthorID: "d", Depth: 1, CreatedAt: at(0), Text: "Trying this weekend"},
		},
	}
}

func TestScore(t *testing.T) {
	t.Parallel()
	bm := testBenchmarks(t)
	cfg := DefaultConfig()

	// handInput by hand:
	//   ER 5 % and 3 % → mean 4, sd √2; shrunk with the default prior worth 4
	//     posts: (2 × 4 + 4 × 4) ÷ 6 = 4 → index 1 → engagement ½ + ln(1) ÷ ln(1.4) ÷ 2 = 0.5
	//   reply: 2 of 4 commenters answered (0.5), after 1 h and 3 h → median 2 h,
	//     speed 12 ÷ 14; one thread 2 deep → 0.5: 0.25 + 0.3 × 12/14 + 0.1;
	//     4 commenters against the prior 0.3 (worth 5): (4 × reply + 5 × 0.3) ÷ 9
	//   authenticity: 4 distinct questions, no spam, 144 likes ÷ 16 comments = 9
	//     within 5–20 → no signal costs anything; 4 top-level comments read:
	//     evidence 4 ÷ 9, × (1 − 0.3 × 5/9)
	//   composite 100 × authenticity × (0.4 × 0.5 + 0.3 × reply + 0.3 × authenticity)
	//   confidence 0.4 × 2/6 + 0.3 × 4/9 + 0.3 × 4/9 = 0.4 → low
	reply := 0.25 + 0.3*12.0/14.0 + 0.1
	replyV := (4*reply + 5*0.3) / 9
	evid := 1 - 0.3*5.0/9
	comp := func(e, r, a float64) float64 { return 100 * a * (0.4*e + 0.3*r + 0.3*a) }
	ev := func(idx float64) float64 { return 0.5 + math.Log(idx)/math.Log(1.4)/2 } // between 1/1.4 and 1.4
	type want struct {
		tier                   string
		postsUsed              int
		er, median, bench, idx float64
		byViews                *float64
		reply, auth, composite float64
		flags                  []string
	}
	tests := []struct {
		name string
		in   func() Input
		cfg  func(Config) Config
		want want
	}{
		{
			name: "hand-computed nano creator",
			in:   handInput,
			want: want{tier: model.TierNano, postsUsed: 2, er: 4, median: 4, bench: 4, idx: 1,
				reply: reply, auth: evid, composite: comp(0.5, replyV, evid), flags: []string{FlagLowConfidence}},
		},
		{
			name: "no comments: the reply prior stands in, unverified audience costs 30 %",
			in:   func() Input { in := handInput(); in.Comments = nil; return in },
			// 100 × 0.7 × (0.2 + 0.3 × 0.3 + 0.3 × 0.7)
			want: want{tier: model.TierNano, postsUsed: 2, er: 4, median: 4, bench: 4, idx: 1,
				auth: 0.7, composite: 35, flags: []string{FlagNoComments, FlagLowConfidence}},
		},
		{
			name: "one post is shrunk hard toward the benchmark",
			in:   handInput,
			cfg:  func(c Config) Config { c.PostsN = map[string]int{"testgram": 1}; return c },
			// only p1: ER 5 %; (1 × 5 + 4 × 4) ÷ 5 = 4.2 → index 1.05
			want: want{tier: model.TierNano, postsUsed: 1, er: 5, median: 5, bench: 4, idx: 1.25,
				reply: reply, auth: evid, composite: comp(ev(1.05), replyV, evid), flags: []string{FlagLowConfidence}},
		},
		{
			name: "reposts under another author's id are not the creator's posts",
			in: func() Input {
				in := handInput()
				in.Posts = append(in.Posts, model.Post{ID: "rp", CreatorID: "someone", CreatedAt: ago(30), Likes: n(5000), Comments: n(500)})
				return in
			},
			want: want{tier: model.TierNano, postsUsed: 2, er: 4, median: 4, bench: 4, idx: 1,
				reply: reply, auth: evid, composite: comp(0.5, replyV, evid), flags: []string{FlagLowConfidence}},
		},
		{
			name: "zero followers, no posts, no comments: the priors, finite",
			in:   func() Input { return Input{Creator: model.Creator{Platform: "testgram", ID: "me"}} },
			want: want{tier: model.TierBelow, bench: 4, auth: 0.7, composite: 35,
				flags: []string{FlagNoPosts, FlagNoFollowers, FlagBelowNano, FlagNoComments, FlagLowConfidence}},
		},
		{
			name: "measured cohort: stronger own weight, the tier's reply score, a commenter ring",
			in: func() Input {
				in := handInput()
				in.Cohort = &Cohort{Creators: 50, PriorPosts: map[string]float64{model.TierNano: 1},
					ReplyPrior: map[string]float64{model.TierNano: 0.6}}
				in.Ring = &RingScore{Comments: 4, Share: 0.5, Members: 2, Linked: 3, Reach: 3}
				return in
			},
			// ER (8 + 4) ÷ 3 = 4; reply (4 × reply + 5 × 0.6) ÷ 9; ring 50 % → risk
			// (0.5 − 0.3) ÷ 0.3 = 2/3 × evidence 4/9 → × (1 − 0.8 × 2/3 × 4/9);
			// confidence 0.4 × 2/3 + 0.6 × 4/9 = 0.53
			want: want{tier: model.TierNano, postsUsed: 2, er: 4, median: 4, bench: 4, idx: 1,
				reply: reply, auth: (1 - 0.8*2/3*4.0/9) * evid,
				composite: comp(0.5, (4*reply+5*0.6)/9, (1-0.8*2/3*4.0/9)*evid)},
		},
		{
			name: "bought likes: likes per comment far off, ER implausible",
			in: func() Input {
				in := handInput()
				in.Posts[0].Likes, in.Posts[0].Comments = n(495), n(5) // 25 %
				in.Posts[1].Likes, in.Posts[1].Comments = n(495), n(5) // 25 %
				return in
			},
			// ER (2 × 25 + 16) ÷ 6 = 11 → index 2.75 → engagement 1; raw index 6.25 > 5;
			// 990 ÷ 10 = 99 likes per comment = 4.95× 20 → risk 1 × evidence 10/20 → × 0.65
			want: want{tier: model.TierNano, postsUsed: 2, er: 25, median: 25, bench: 4, idx: 6.25,
				reply: reply, auth: 0.65 * evid, composite: comp(1, replyV, 0.65*evid),
				flags: []string{FlagERImplausible, FlagLikesPerCommentOff, FlagLowConfidence}},
		},
		{
			name: "unknown platform: no benchmark, engagement left out",
			in:   func() Input { in := handInput(); in.Creator.Platform = "myspace"; return in },
			// N defaults to 20: p1..p3 (few posts); likes per comment has no norm
			want: want{tier: model.TierNano, postsUsed: 3, er: (5 + 3 + 45.05) / 3, median: 5,
				reply: reply, auth: evid, composite: 100 * evid * (0.3*replyV + 0.3*evid) / 0.6,
				flags: []string{FlagFewPosts, FlagNoBenchmark, FlagLowConfidence}},
		},
		{
			name: "views benchmark, no views shown: the benchmark stands in",
			in: func() Input {
				in := handInput()
				in.Creator.Platform = "vidtok"
				in.Comments = nil
				return in
			},
			// N 3 takes p1..p3; likes per comment 1044 ÷ 17 ≈ 61 is within 10–100
			want: want{tier: model.TierNano, postsUsed: 3, er: (5 + 3 + 45.05) / 3, median: 5, bench: 10,
				auth: 0.7, composite: 35, flags: []string{FlagNoViews, FlagNoComments, FlagLowConfidence}},
		},
		{
			name: "few posts, hidden likes, ER by views",
			in: func() Input {
				in := handInput()
				in.Creator.Platform = "vidtok" // N 3
				in.Posts = []model.Post{{ID: "p1", CreatorID: "me", CreatedAt: ago(48), Comments: n(20), Views: n(100)}}
				in.Comments = nil
				return in
			},
			// by followers 20 ÷ 2000 = 1 %; by views 20 ÷ 100 = 20 %, index 2;
			// shrunk (20 + 4 × 10) ÷ 5 = 12 → 1.2
			want: want{tier: model.TierNano, postsUsed: 1, er: 1, median: 1, byViews: ptr(20), bench: 10, idx: 2,
				auth: 0.7, composite: comp(ev(1.2), 0.3, 0.7),
				flags: []string{FlagFewPosts, FlagLikesHidden, FlagNoComments, FlagLowConfidence}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			if tt.cfg != nil {
				c = tt.cfg(DefaultConfig())
			}
			got := Score(tt.in(), bm, c, now)
			w := tt.want
			if got.Tier != w.tier || got.PostsUsed != w.postsUsed {
				t.Errorf("tier, posts used = %q, %d; want %q, %d", got.Tier, got.PostsUsed, w.tier, w.postsUsed)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"ER", got.ER, w.er}, {"ERMedian", got.ERMedian, w.median}, {"Benchmark", got.Benchmark, w.bench},
				{"BenchmarkIndex", got.BenchmarkIndex, w.idx}, {"ReplyDepth.Score", got.ReplyDepth.Score, w.reply},
				{"Authenticity", got.Authenticity, w.auth}, {"Composite", got.Composite, w.composite},
			} {
				if !near(f.got, f.want) {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
			if (got.ERByViews == nil) != (w.byViews == nil) || (got.ERByViews != nil && !near(*got.ERByViews, *w.byViews)) {
				t.Errorf("ERByViews = %v, want %v", fmtPtr(got.ERByViews), fmtPtr(w.byViews))
			}
			if !slices.Equal(got.Flags, w.flags) {
				t.Errorf("flags = %q, want %q", got.Flags, w.flags)
			}
			if !got.ComputedAt.Equal(now) {
				t.Errorf("ComputedAt = %v, want %v", got.ComputedAt, now)
			}
			checkBreakdown(t, got)
		})
	}
}

func TestERInterval(t *testing.T) {
	t.Parallel()
	// handInput: 2 posts, 5 % and 3 % (sd √2), benchmark 4 worth 4 posts,
	// usual spread 0.6 × ER: σ² = (1 × 2 + 3 × 2.4²) ÷ 4 = 4.82;
	// half-width 1.645 × √4.82 ÷ √6
	s := Score(handInput(), testBenchmarks(t), DefaultConfig(), now)
	half := z90 * math.Sqrt(4.82) / math.Sqrt(6)
	rows := map[string]model.Component{}
	for _, r := range s.Breakdown {
		rows[r.Name] = r
	}
	if !near(rows["er_shrunk"].Raw, 4) || !near(rows["er_shrunk"].Value, 2.0/6) {
		t.Errorf("er_shrunk = %+v, want 4 with own weight 1/3", rows["er_shrunk"])
	}
	if !near(rows["er_low90"].Raw, 4-half) || !near(rows["er_high90"].Raw, 4+half) {
		t.Errorf("interval = %v–%v, want %v–%v", rows["er_low90"].Raw, rows["er_high90"].Raw, 4-half, 4+half)
	}
	// Sixty posts at the same ER: the interval narrows and the own weight grows.
	in := handInput()
	in.Posts = nil
	for i := range 60 {
		likes := int64(90)
		if i%2 == 1 {
			likes = 54
		}
		in.Posts = append(in.Posts, model.Post{ID: string(rune('a'+i%26)) + string(rune('a'+i/26)), CreatorID: "me",
			CreatedAt: ago(float64(30 + i)), Likes: n(likes), Comments: n(10 - 4*int64(i%2))})
	}
	big := Score(in, testBenchmarks(t), Config{Weights: DefaultConfig().Weights, SettledAfter: 24 * time.Hour,
		PostsN: map[string]int{"testgram": 60}}, now)
	for _, r := range big.Breakdown {
		switch r.Name {
		case "er_shrunk":
			if !near(r.Value, 60.0/64) {
				t.Errorf("own weight %v, want 60/64", r.Value)
			}
		case "er_high90":
			if r.Raw-4 >= half/3 {
				t.Errorf("60 posts: half-width %v, want under a third of %v", r.Raw-4, half)
			}
		}
	}
}

// checkBreakdown checks what every score must hold: JSON-encodable (so no
// NaN or ±Inf), a reason on every row, values within 0..1, and a composite
// that is 100 × authenticity × the weighted mean of the top-level weighted
// rows, each of which says what it contributes.
func checkBreakdown(t *testing.T, s model.Score) {
	t.Helper()
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("score does not encode: %v", err)
	}
	var sum, wsum, auth float64
	for _, c := range s.Breakdown {
		if c.Reason == "" {
			t.Errorf("row %q has no reason", c.Name)
		}
		if c.Name == WeightAuthenticity {
			auth = c.Value
		}
		if c.Weight > 0 && !strings.Contains(c.Name, ".") {
			sum += c.Weight * c.Value
			wsum += c.Weight
			if !strings.Contains(c.Reason, "points") {
				t.Errorf("weighted row %q does not say what it contributes: %s", c.Name, c.Reason)
			}
		}
		if c.Value < 0 || c.Value > 1 {
			t.Errorf("row %q value %v outside 0..1", c.Name, c.Value)
		}
	}
	want := 0.0
	if wsum > 0 {
		want = 100 * auth * sum / wsum
	}
	if !near(s.Composite, want) {
		t.Errorf("composite %v is not 100 × authenticity × the weighted mean, %v", s.Composite, want)
	}
	if !near(auth, s.Authenticity) {
		t.Errorf("authenticity row %v differs from Score.Authenticity %v", auth, s.Authenticity)
	}
	if s.Composite < 0 || s.Composite > 100 {
		t.Errorf("composite %v outside 0..100", s.Composite)
	}
}
