package scoring

import (
	"math"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// history returns daily snapshots ending the day before now, oldest first.
func history(followers []int64, ers []float64) []model.Snapshot {
	var out []model.Snapshot
	for i, f := range followers {
		day := now.AddDate(0, 0, i-len(followers)).Format(time.DateOnly)
		s := model.Snapshot{Day: day, Followers: f}
		if i < len(ers) {
			s.ER = ers[i]
		}
		out = append(out, s)
	}
	return out
}

func TestFollowerGrowth(t *testing.T) {
	t.Parallel()
	steady := []int64{10000, 10010, 10020, 10030, 10040, 10050, 10060, 10070, 10080}
	spiked := []int64{10000, 10010, 10020, 10030, 10040, 10050, 10060, 11066, 11077}
	purged := []int64{10000, 10010, 10020, 10030, 10040, 10050, 10060, 9055, 9064}
	c := func(f int64) model.Creator { return model.Creator{Followers: f} }

	g := FollowerGrowth(history(steady, nil), c(10090), now)
	if g.Days != 9 || g.spikeRisk() != 0 || g.dropRisk() != 0 {
		t.Errorf("steady: %+v, risks %v %v; want 9 days and no risk", g, g.spikeRisk(), g.dropRisk())
	}

	// The spike day: 11066 ÷ 10060 − 1 = 10 %, against a median of ~0.1 %
	// a day and the 0.5 % noise floor: z ≈ 19.8 → certain.
	g = FollowerGrowth(history(spiked, nil), c(11088), now)
	wantDay := now.AddDate(0, 0, -2).Format(time.DateOnly)
	if g.SpikeDay != wantDay || !near(g.SpikeGrowth, 11066.0/10060-1) || g.SpikeZ < 19 || g.spikeRisk() != 1 {
		t.Errorf("spike: %+v, risk %v; want the jump on %s at 10%%, z > 19, risk 1", g, g.spikeRisk(), wantDay)
	}
	s := followerSignal(g)
	if !s.Measured || !near(s.Multiplier(), 0.4) || s.Flag != FlagFollowerSpike {
		t.Errorf("spike signal = %+v", s)
	}

	// A purge counts at half weight.
	g = FollowerGrowth(history(purged, nil), c(9070), now)
	if g.dropRisk() != 0.5 || g.spikeRisk() != 0 {
		t.Errorf("purge: %+v, risks %v %v; want drop 0.5", g, g.spikeRisk(), g.dropRisk())
	}
	if s := followerSignal(g); s.Flag != FlagFollowerDrop || !near(s.Multiplier(), 1-0.6*0.5) {
		t.Errorf("purge signal = %+v", s)
	}

	// Too short a history is not judged; gaps are spread per day.
	g = FollowerGrowth(history(spiked[:5], nil), c(10050), now)
	if g.Days != 5 || g.spikeRisk() != 0 || followerSignal(g).Measured {
		t.Errorf("short history: %+v", g)
	}
	gap := []model.Snapshot{{Day: "2026-03-01", Followers: 1000}, {Day: "2026-03-03", Followers: 1210}}
	g = FollowerGrowth(gap, model.Creator{}, time.Time{})
	if g.Days != 1 {
		t.Fatalf("gap: %d days, want 1", g.Days)
	}
}

func TestERJump(t *testing.T) {
	t.Parallel()
	h := history([]int64{1, 1, 1, 1, 1}, []float64{3, 3.2, 2.9, 3.1, 3.0})
	// median 3, MAD 0.1 → spread max(0.148, 0.3) = 0.3
	j := ERJump(h, 9, now)
	if !j.Measure || j.Days != 5 || j.Median != 3 || !near(j.Ratio, 3) || !near(j.Z, 20) || j.risk() != 1 {
		t.Errorf("jump: %+v, risk %v; want ratio 3, z 20, risk 1", j, j.risk())
	}
	if j := ERJump(h, 3.3, now); j.risk() != 0 {
		t.Errorf("no jump: %+v, risk %v", j, j.risk())
	}
	// today's snapshot is the current ER, not history
	today := append(h[:4:4], model.Snapshot{Day: now.Format(time.DateOnly), ER: 9})
	if j := ERJump(today, 9, now); j.Measure {
		t.Errorf("4 earlier days measured: %+v", j)
	}
	if s := erJumpSignal(ERJump(h, 9, now), true); !near(s.Multiplier(), 0.6) || s.Flag != FlagERJump {
		t.Errorf("signal = %+v", s)
	}
}

func TestLikesPerCommentSignal(t *testing.T) {
	t.Parallel()
	bm := testBenchmarks(t) // testgram 5–20 likes per comment
	// peers: typical 10 likes per comment (log10 1), spread between creators
	// 0.1; z = (log10 ratio − 1) ÷ √(0.1² + (1/likes + 1/comments) ÷ ln(10)²)
	peers := Norm{Median: 1, MAD: 0.1, Between: 0.1, N: 40}
	peerZ := func(likes, comments float64) float64 {
		return (math.Log10(likes/comments) - 1) / math.Sqrt(0.01+(1/likes+1/comments)/(math.Ln10*math.Ln10))
	}
	post := func(likes, comments *int64) model.Post { return model.Post{ID: "p", Likes: likes, Comments: comments} }
	tests := []struct {
		name     string
		posts    []model.Post
		cohort   *Cohort
		measured bool
		ratio    float64
		mult     float64
	}{
		{name: "nothing shown", posts: []model.Post{post(nil, n(4))}, mult: 1},
		{name: "within the benchmarks' norm", posts: []model.Post{post(n(100), n(10)), post(n(60), n(6))},
			measured: true, ratio: 10, mult: 1},
		{
			// 294 ÷ 6 = 49 = 2.45× 20: ramp(2.45, 1.5, 4) = 0.38, × evidence 6/16
			name: "above the benchmarks' norm, few comments", posts: []model.Post{post(n(196), n(4)), post(n(98), n(2))},
			measured: true, ratio: 49, mult: 1 - 0.7*0.38*6/16,
		},
		{
			// 2 = 5 ÷ 2.5 below: ramp(2.5, 1.5, 4) = 0.4, × evidence 10/20
			name: "below the benchmarks' norm", posts: []model.Post{post(n(20), n(10))},
			measured: true, ratio: 2, mult: 1 - 0.7*0.4*0.5,
		},
		{
			// many likes, no comments: ratio ≥ 100 = 5× → 1, but no comments: evidence 0
			name: "no comments", posts: []model.Post{post(n(100), n(0))}, measured: true, ratio: 100, mult: 1,
		},
		{
			name:     "far above the peers",
			posts:    []model.Post{post(n(1000), n(10))},
			cohort:   &Cohort{LikesPerComment: map[string]Norm{model.TierNano: peers}},
			measured: true, ratio: 100, mult: 1 - 0.7*ramp(peerZ(1000, 10), 2, 4),
		},
		{
			// 15 per comment, 1.5× the peers: z ≈ 1 → normal
			name:     "near the peers",
			posts:    []model.Post{post(n(150), n(10))},
			cohort:   &Cohort{LikesPerComment: map[string]Norm{"": peers}},
			measured: true, ratio: 15, mult: 1,
		},
		{
			name:     "far below the peers",
			posts:    []model.Post{post(n(80), n(40))},
			cohort:   &Cohort{LikesPerComment: map[string]Norm{model.TierNano: peers}},
			measured: true, ratio: 2, mult: 1 - 0.7*ramp(-peerZ(80, 40), 2, 4),
		},
		{
			// 3× the peers, but on 3 comments: within the counting noise
			name:     "few comments: the counting noise is allowed for",
			posts:    []model.Post{post(n(90), n(3))},
			cohort:   &Cohort{LikesPerComment: map[string]Norm{model.TierNano: peers}},
			measured: true, ratio: 30, mult: 1 - 0.7*ramp(peerZ(90, 3), 2, 4),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			co := tt.cohort
			if co == nil {
				co = &Cohort{}
			}
			s := likesPerCommentSignal(likesPerComment(tt.posts), co, model.TierNano, bm, "testgram", "Testgram")
			if s.Measured != tt.measured || (tt.measured && !near(s.Raw, tt.ratio)) || !near(s.Multiplier(), tt.mult) {
				t.Errorf("measured %v, ratio %v, multiplier %v; want %v, %v, %v (%s)",
					s.Measured, s.Raw, s.Multiplier(), tt.measured, tt.ratio, tt.mult, s.Reason)
			}
			if s.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}

func TestSmallSignals(t *testing.T) {
	t.Parallel()
	// ER for the tier: 4.5× after shrinking → ramp(4.5, 3, 6) = 0.5
	s := erForTierSignal(erEstimate{mean: 18}, 4, true, "nano", "Testgram")
	if !near(s.Multiplier(), 1-0.5*0.5) {
		t.Errorf("er for tier = %+v", s)
	}
	// follow-back: 1,150 followings for 1,000 followers → ramp(1.15, 0.8, 1.5) = 0.5
	f := followBackSignal(model.Creator{Followers: 1000, Following: 1150})
	if !near(f.Multiplier(), 1-0.15*0.5) || f.Flag != FlagFollowBack {
		t.Errorf("follow back = %+v", f)
	}
	// under 1,000 followings it is not judged
	if f := followBackSignal(model.Creator{Followers: 500, Following: 900}); f.Risk != 0 {
		t.Errorf("small follow back = %+v", f)
	}
	for _, s := range []Signal{s, f} {
		c := s.component()
		if c.Name != WeightAuthenticity+"."+s.Name || c.Weight != s.Weight || c.Reason == "" {
			t.Errorf("component = %+v", c)
		}
	}
	if c := (Signal{Name: "x", Reason: "not measured: y"}).component(); c.Weight != 0 || c.Value != 1 {
		t.Errorf("unmeasured component = %+v", c)
	}
}

func TestLikesPerShareSignal(t *testing.T) {
	t.Parallel()
	post := func(likes, shares, quotes int64) model.Post {
		return model.Post{ID: "p", Likes: n(likes), Shares: n(shares), Quotes: n(quotes)}
	}
	peers := &Cohort{LikesPerShare: map[string]Norm{"": {Median: math.Log10(3), MAD: 0.02, Between: 0.05, N: 50}}}
	// 3 likes per share, as the peers: normal
	l := likesPerShare([]model.Post{post(300, 90, 10), {ID: "r", Likes: n(900), Shares: n(1), IsReply: true}})
	if s := likesPerShareSignal(l, peers, model.TierNano, "Testgram"); !s.Measured || !near(s.Raw, 3) || s.Risk != 0 {
		t.Errorf("as the peers: %+v", s)
	}
	// 12 likes per share on 100 shares: z = log10 4 ÷ √(0.05² + (1/1200 + 1/100) ÷ ln 10²) → certain
	l = likesPerShare([]model.Post{post(1200, 100, 0)})
	z := math.Log10(4) / math.Sqrt(0.0025+(1.0/1200+1.0/100)/(math.Ln10*math.Ln10))
	s := likesPerShareSignal(l, peers, model.TierNano, "Testgram")
	if !near(s.Risk, ramp(z, 2, 4)) || s.Risk != 1 || s.Flag != FlagLikesPerShareOff {
		t.Errorf("far above: risk %v, want %v (%s)", s.Risk, ramp(z, 2, 4), s.Reason)
	}
	// no shares shown, or no peers yet: not measured
	if s := likesPerShareSignal(likesPerShare([]model.Post{{ID: "x", Likes: n(10)}}), peers, model.TierNano, "T"); s.Measured {
		t.Errorf("no shares shown: %+v", s)
	}
	if s := likesPerShareSignal(l, &Cohort{}, model.TierNano, "T"); s.Measured {
		t.Errorf("no peers: %+v", s)
	}
}

func TestReachSignal(t *testing.T) {
	t.Parallel()
	views := func(v int64) model.Post { return model.Post{ID: "v", Likes: n(1), Views: n(v)} }
	posts := []model.Post{views(300), views(500), views(400)} // 400 a post
	peers := &Cohort{Reach: map[string]Norm{model.TierNano: {Median: math.Log10(0.4), MAD: 0.1, Between: 0.15, N: 80}}}
	tests := []struct {
		followers int64
		risk      float64
	}{
		{1000, 0},   // 0.4 per follower: typical
		{2000, 0},   // half the typical reach: starts to cost
		{2828, 0.5}, // 1/(2√2) of it: halfway
		{4000, 1},   // a quarter: certain
		{10000, 1},  // a tenth
		{400, 0},    // far above: no red flag
	}
	for _, tt := range tests {
		s := reachSignal(reach(posts, tt.followers), peers, model.TierNano, "Testgram")
		if !s.Measured || math.Abs(s.Risk-tt.risk) > 0.001 {
			t.Errorf("%d followers: measured %v, risk %v; want %v (%s)", tt.followers, s.Measured, s.Risk, tt.risk, s.Reason)
		}
	}
	if s := reachSignal(reach(posts[:2], 1000), peers, model.TierNano, "T"); s.Measured {
		t.Errorf("two posts with views measured: %+v", s)
	}
	if s := reachSignal(reach(posts, 1000), &Cohort{}, model.TierNano, "T"); s.Measured {
		t.Errorf("measured without peers: %+v", s)
	}
}
