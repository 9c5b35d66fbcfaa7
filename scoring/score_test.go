package scoring

import (
	"encoding/json"
	"slices"
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
	bm := testBenchmarks(t)
	cfg := DefaultConfig()

	// handInput by hand:
	//   ER 5 % and 3 % → mean 4, median 4; index 4 ÷ 4 = 1 → engagement 0.5
	//   reply: 2 of 4 commenters answered (0.5), after 1 h and 3 h → median 2 h,
	//     speed 12 ÷ 14; one thread 2 deep → 0.5; 0.25 + 0.3 × 12/14 + 0.1
	//   authenticity: 4 distinct comments, 144 likes ÷ 16 comments = 9 → 1
	//   composite 100 × (0.4 × 0.5 + 0.3 × reply + 0.3 × 1)
	reply := 0.25 + 0.3*12.0/14.0 + 0.1
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
				reply: reply, auth: 1, composite: 100 * (0.2 + 0.3*reply + 0.3)},
		},
		{
			name: "no comments: reply left out, weights of the rest scaled up",
			in:   func() Input { in := handInput(); in.Comments = nil; return in },
			// 100 × (0.4 × 0.5 + 0.3 × 1) ÷ 0.7
			want: want{tier: model.TierNano, postsUsed: 2, er: 4, median: 4, bench: 4, idx: 1,
				auth: 1, composite: 100 * 0.5 / 0.7, flags: []string{FlagNoComments}},
		},
		{
			name: "config N overrides the benchmarks' N",
			in:   handInput,
			cfg:  func(c Config) Config { c.PostsN = map[string]int{"testgram": 1}; return c },
			// only p1: ER 5 %, index 1.25 → 0.625; likes per comment 90 ÷ 10 = 9
			want: want{tier: model.TierNano, postsUsed: 1, er: 5, median: 5, bench: 4, idx: 1.25,
				reply: reply, auth: 1, composite: 100 * (0.4*0.625 + 0.3*reply + 0.3)},
		},
		{
			name: "reposts under another author's id are not the creator's posts",
			in: func() Input {
				in := handInput()
				in.Posts = append(in.Posts, model.Post{ID: "rp", CreatorID: "someone", CreatedAt: ago(30), Likes: n(5000), Comments: n(500)})
				return in
			},
			want: want{tier: model.TierNano, postsUsed: 2, er: 4, median: 4, bench: 4, idx: 1,
				reply: reply, auth: 1, composite: 100 * (0.2 + 0.3*reply + 0.3)},
		},
		{
			name: "zero followers, no posts, no comments: finite zeros",
			in:   func() Input { return Input{Creator: model.Creator{Platform: "testgram", ID: "me"}} },
			want: want{tier: model.TierBelow, bench: 4,
				flags: []string{FlagNoPosts, FlagNoFollowers, FlagBelowNano, FlagNoComments}},
		},
		{
			name: "zero followers with posts: ER not computed, authenticity still is",
			in:   func() Input { in := handInput(); in.Creator.Followers = 0; in.Comments = nil; return in },
			want: want{tier: model.TierBelow, postsUsed: 2, bench: 4, auth: 1, composite: 100,
				flags: []string{FlagNoFollowers, FlagBelowNano, FlagNoComments}},
		},
		{
			name: "below 1k followers is compared with nano",
			in:   func() Input { in := handInput(); in.Creator.Followers = 500; in.Comments = nil; return in },
			// ER 20 % and 12 % → 16; index 4 → engagement 1; 100 × (0.4 + 0.3) ÷ 0.7
			want: want{tier: model.TierBelow, postsUsed: 2, er: 16, median: 16, bench: 4, idx: 4, auth: 1,
				composite: 100, flags: []string{FlagBelowNano, FlagNoComments}},
		},
		{
			name: "ER implausible for the tier",
			in:   func() Input { in := handInput(); in.Creator.Followers = 100_000; in.Comments = nil; return in },
			// mid tier benchmark 1 %; ER 0.1 % and 0.06 % → 0.08; index 0.08 < 0.1
			want: want{tier: model.TierMid, postsUsed: 2, er: 0.08, median: 0.08, bench: 1, idx: 0.08, auth: 1,
				composite: 100 * (0.4*0.04 + 0.3) / 0.7, flags: []string{FlagERImplausible, FlagNoComments}},
		},
		{
			name: "few posts, hidden likes",
			in: func() Input {
				in := handInput()
				in.Creator.Platform = "vidtok" // N 3
				in.Posts = []model.Post{{ID: "p1", CreatorID: "me", CreatedAt: ago(48), Comments: n(20), Views: n(100)}}
				in.Comments = nil
				return in
			},
			// by followers 20 ÷ 2000 = 1 %; by views 20 ÷ 100 = 20 %, index 20 ÷ 10 = 2 → 1;
			// authenticity not measurable (no likes shown, no comments read) → composite 100 from engagement alone
			want: want{tier: model.TierNano, postsUsed: 1, er: 1, median: 1, byViews: ptr(20), bench: 10, idx: 2,
				composite: 100, flags: []string{FlagFewPosts, FlagLikesHidden, FlagNoComments}},
		},
		{
			name: "views benchmark, no views shown",
			in: func() Input {
				in := handInput()
				in.Creator.Platform = "vidtok"
				in.Comments = nil
				return in
			},
			// N 3 takes p1..p3; engagement left out; likes per comment 1044 ÷ 17 ≈ 61 is
			// within 10–100 → authenticity 1
			want: want{tier: model.TierNano, postsUsed: 3, er: (5 + 3 + 45.05) / 3, median: 5, bench: 10,
				auth: 1, composite: 100, flags: []string{FlagNoViews, FlagNoComments}},
		},
		{
			name: "unknown platform: no benchmark",
			in:   func() Input { in := handInput(); in.Creator.Platform = "myspace"; in.Comments = nil; return in },
			// N defaults to 20: p1..p3 → 5, 3, 45.05 (3 < 20 ÷ 2: few posts); likes per
			// comment has no norm → not measured; nothing enters the composite
			want: want{tier: model.TierNano, postsUsed: 3, er: (5 + 3 + 45.05) / 3, median: 5,
				flags: []string{FlagFewPosts, FlagNoBenchmark, FlagNoComments}},
		},
		{
			name: "likes per comment off the norm",
			in: func() Input {
				in := handInput()
				in.Posts = []model.Post{
					{ID: "p1", CreatorID: "me", CreatedAt: ago(48), Likes: n(196), Comments: n(4)},
					{ID: "p2", CreatorID: "me", CreatedAt: ago(72), Likes: n(98), Comments: n(2)},
				}
				return in
			},
			// ER 10 % and 5 % → 7.5, index 1.875 → 0.9375; 294 ÷ 6 = 49 likes per comment = 2.45× 20
			// authenticity (0.25 + 0.15 + 0.35 + 0.25 × 20/49) ÷ 1
			want: want{tier: model.TierNano, postsUsed: 2, er: 7.5, median: 7.5, bench: 4, idx: 1.875,
				reply: reply, auth: 0.75 + 0.25*20.0/49.0,
				composite: 100 * (0.4*0.9375 + 0.3*reply + 0.3*(0.75+0.25*20.0/49.0)),
				flags:     []string{FlagLikesPerCommentOff}},
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

// checkBreakdown checks what every score must hold: JSON-encodable (so no
// NaN or ±Inf), a reason on every row, and a composite that is exactly the
// weighted rows' weighted mean.
func checkBreakdown(t *testing.T, s model.Score) {
	t.Helper()
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("score does not encode: %v", err)
	}
	var sum, wsum float64
	for _, c := range s.Breakdown {
		if c.Reason == "" {
			t.Errorf("row %q has no reason", c.Name)
		}
		if c.Weight > 0 {
			sum += c.Weight * c.Value
			wsum += c.Weight
		}
		if c.Value < 0 || c.Value > 1 {
			t.Errorf("row %q value %v outside 0..1", c.Name, c.Value)
		}
	}
	want := 0.0
	if wsum > 0 {
		want = 100 * sum / wsum
	}
	if !near(s.Composite, want) {
		t.Errorf("composite %v is not the breakdown's weighted mean %v", s.Composite, want)
	}
	if s.Composite < 0 || s.Composite > 100 {
		t.Errorf("composite %v outside 0..100", s.Composite)
	}
}
