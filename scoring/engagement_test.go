package scoring

import (
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

func TestTier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		followers int64
		want      string
	}{
		{-5, model.TierBelow},
		{0, model.TierBelow},
		{999, model.TierBelow},
		{1_000, model.TierNano},
		{9_999, model.TierNano},
		{10_000, model.TierMicro},
		{99_999, model.TierMicro},
		{100_000, model.TierMid},
		{499_999, model.TierMid},
		{500_000, model.TierMacro},
		{999_999, model.TierMacro},
		{1_000_000, model.TierMega},
		{250_000_000, model.TierMega},
	}
	for _, tt := range tests {
		if got := Tier(tt.followers); got != tt.want {
			t.Errorf("Tier(%d) = %q, want %q", tt.followers, got, tt.want)
		}
	}
}

func TestEngagement(t *testing.T) {
	t.Parallel()
	// With 1,000 followers, ER in % is interactions ÷ 10.
	p := func(id string, ageH float64, likes, comments *int64) model.Post {
		return model.Post{ID: id, CreatedAt: ago(ageH), Likes: likes, Comments: comments}
	}
	views := func(pp model.Post, v int64) model.Post { pp.Views = n(v); return pp }
	tests := []struct {
		name        string
		posts       []model.Post
		followers   int64
		n           int
		mean, med   float64
		byViews     *float64
		used        int
		viewPosts   int
		hiddenLikes int
	}{
		{name: "no posts", followers: 1000, n: 12},
		{
			name:      "zero followers: no ER by followers, post still counted",
			posts:     []model.Post{p("a", 48, n(50), n(5))},
			followers: 0, n: 12, used: 1,
		},
		{
			name: "one post: likes + comments + shares + quotes",
			posts: []model.Post{{ID: "a", CreatedAt: ago(48),
				Likes: n(30), Comments: n(10), Shares: n(5), Quotes: n(5)}},
			// 50 ÷ 1000 = 5 %
			followers: 1000, n: 12, mean: 5, med: 5, used: 1,
		},
		{
			name:      "saves count where shown",
			posts:     []model.Post{{ID: "a", CreatedAt: ago(48), Likes: n(10), Saves: n(5)}},
			followers: 1000, n: 12, mean: 1.5, med: 1.5, used: 1,
		},
		{
			name: "hidden likes are skipped, not read as 0",
			posts: []model.Post{
				p("a", 48, nil, n(20)),  // 2 %
				p("b", 72, n(40), n(0)), // 4 %
			},
			followers: 1000, n: 12, mean: 3, med: 3, used: 2, hiddenLikes: 1,
		},
		{
			name: "a post with every count hidden is not measured",
			posts: []model.Post{
				p("a", 48, nil, nil),
				p("b", 72, n(10), nil), // 1 %
			},
			followers: 1000, n: 12, mean: 1, med: 1, used: 1,
		},
		{
			name: "unsettled posts excluded; exactly 24 h old is settled",
			posts: []model.Post{
				p("young", 23, n(500), nil),
				p("edge", 24, n(40), nil), // 4 %
				p("old", 25, n(20), nil),  // 2 %
			},
			followers: 1000, n: 12, mean: 3, med: 3, used: 2,
		},
		{
			name: "replies and reposts excluded",
			posts: []model.Post{
				{ID: "reply", CreatedAt: ago(48), Likes: n(900), IsReply: true},
				{ID: "repost", CreatedAt: ago(48), Likes: n(900), Kind: "repost"},
				{ID: "reblog", CreatedAt: ago(48), Likes: n(900), Kind: "Reblog"},
				p("own", 48, n(10), nil), // 1 %
			},
			followers: 1000, n: 12, mean: 1, med: 1, used: 1,
		},
		{
			name: "N cut keeps the most recent settled posts, whatever the input order",
			posts: []model.Post{
				p("e", 70, n(50), nil),  // 5 %, dropped
				p("b", 40, n(20), nil),  // 2 %
				p("d", 60, n(40), nil),  // 4 %, dropped
				p("a", 30, n(10), nil),  // 1 %
				p("c", 50, n(30), nil),  // 3 %
				p("new", 2, n(99), nil), // unsettled
			},
			followers: 1000, n: 3, mean: 2, med: 2, used: 3,
		},
		{
			name: "n ≤ 0 takes every settled post",
			posts: []model.Post{
				p("a", 30, n(10), nil), p("b", 40, n(20), nil), p("c", 50, n(30), nil),
			},
			followers: 1000, n: 0, mean: 2, med: 2, used: 3,
		},
		{
			name: "median of an even count is the mean of the middle two",
			posts: []model.Post{
				p("a", 30, n(100), nil), // 10 %
				p("b", 40, n(10), nil),  // 1 %
				p("c", 50, n(40), nil),  // 4 %
				p("d", 60, n(20), nil),  // 2 %
			},
			// mean (10+1+4+2)/4 = 4.25, median (2+4)/2 = 3
			followers: 1000, n: 12, mean: 4.25, med: 3, used: 4,
		},
		{
			name: "ER by views pools likes + comments + shares over posts showing views",
			posts: []model.Post{
				// 150 interactions (quotes too) by followers = 15 %; by views only 80+10+10
				views(model.Post{ID: "a", CreatedAt: ago(30), Likes: n(80), Comments: n(10), Shares: n(10), Quotes: n(50)}, 1000),
				p("b", 40, n(10), nil),               // 1 %, no views
				views(p("c", 50, n(20), n(0)), 1000), // 2 %
				views(p("d", 60, n(0), n(0)), 0),     // 0 %, zero views: not a view post
			},
			// by views: (100 + 20) ÷ 2000 = 6 %; by followers: 15, 1, 2, 0 → mean 4.5, median 1.5
			followers: 1000, n: 12, mean: 4.5, med: 1.5, byViews: ptr(6.0), used: 4, viewPosts: 2,
		},
		{
			name:      "ER by views without followers",
			posts:     []model.Post{views(p("a", 30, n(50), n(0)), 500)},
			followers: 0, n: 12, byViews: ptr(10.0), used: 1, viewPosts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Engagement(tt.posts, tt.followers, now, 24*time.Hour, tt.n)
			if !near(got.Mean, tt.mean) || !near(got.Median, tt.med) {
				t.Errorf("mean, median = %v, %v; want %v, %v", got.Mean, got.Median, tt.mean, tt.med)
			}
			switch {
			case (got.ByViews == nil) != (tt.byViews == nil):
				t.Errorf("ByViews = %v, want %v", fmtPtr(got.ByViews), fmtPtr(tt.byViews))
			case got.ByViews != nil && !near(*got.ByViews, *tt.byViews):
				t.Errorf("ByViews = %v, want %v", *got.ByViews, *tt.byViews)
			}
			if got.PostsUsed != tt.used || got.ViewPosts != tt.viewPosts || got.HiddenLikes != tt.hiddenLikes {
				t.Errorf("used, viewPosts, hiddenLikes = %d, %d, %d; want %d, %d, %d",
					got.PostsUsed, got.ViewPosts, got.HiddenLikes, tt.used, tt.viewPosts, tt.hiddenLikes)
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }

func fmtPtr(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

// TestEngagementReason: the engagement row's reason for each case it tells
// apart (no views, no followers, no post, measured) and each kind of
// benchmark.
func TestEngagementReason(t *testing.T) {
	t.Parallel()
	published := TierBenchmark{Low: 2, High: 6, Mid: 4, Kind: KindPublished}
	const scale = "; 0.71× the benchmark or less scores 0, the benchmark 0.5, 1.4× or more 1"
	tests := []struct {
		name string
		f    engagementFacts
		want string
	}{
		{"measured", engagementFacts{platform: "Bluesky", tier: model.TierNano, benchTier: model.TierNano, bench: published,
			basis: BasisFollowers, er: 6, n: 12, shrunk: 5, postsUsed: 12},
			"ER 6%, shrunk to 5%, is 1.25× the Bluesky nano benchmark of 4% (published range 2%–6%)" + scale},
		{"by views, none shown", engagementFacts{platform: "TikTok", tier: model.TierMicro, benchTier: model.TierMicro,
			bench: TierBenchmark{Mid: 5, Kind: KindAssumed}, basis: BasisViews, postsUsed: 3},
			"no post shows its views, so the TikTok micro benchmark of 5% stands in (a placeholder figure, not from a report)" + scale},
		{"no follower count", engagementFacts{platform: "Mastodon", tier: model.TierBelow, benchTier: model.TierNano,
			bench: TierBenchmark{Mid: 4, Kind: KindInterpolated}, basis: BasisFollowers, postsUsed: 3, noFollowers: true},
			"no follower count, so the Mastodon nano benchmark of 4% stands in (interpolated between published figures); the creator is under 1k followers" + scale},
		{"no settled post", engagementFacts{platform: "Bluesky", tier: model.TierNano, benchTier: model.TierNano,
			bench: TierBenchmark{Low: 4, High: 4, Mid: 4, Kind: KindPublished}, basis: BasisFollowers},
			"no settled post to measure, so the Bluesky nano benchmark of 4% stands in (published figure)" + scale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := engagementReason(tt.f); got != tt.want {
				t.Errorf("engagementReason =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}
