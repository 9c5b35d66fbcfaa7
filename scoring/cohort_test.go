package scoring

import (
	"fmt"
	"math"
	"testing"

	"github.com/nanoscout/nanoscout/model"
)

// cohortCreator is a nano creator on testgram whose four posts have ER a%,
// b%, a% and b% and likes per comment lpc, with the given comments read.
func cohortCreator(i int, a, b float64, lpc int64, comments []model.Comment) Input {
	const followers = 2000
	id := fmt.Sprintf("c%d", i)
	post := func(pid string, er float64, ageH float64) model.Post {
		total := int64(er / 100 * followers) // likes + comments
		c := total / (lpc + 1)
		return model.Post{ID: pid, CreatorID: id, CreatedAt: ago(ageH), Likes: n(total - c), Comments: n(c)}
	}
	return Input{
		Creator:  model.Creator{Platform: "testgram", ID: id, Followers: followers},
		Posts:    []model.Post{post(id+"a", a, 30), post(id+"b", b, 50), post(id+"c", a, 70), post(id+"d", b, 90)},
		Comments: comments,
	}
}

func TestBuildCohort(t *testing.T) {
	t.Parallel()
	bm := testBenchmarks(t)
	cfg := DefaultConfig()
	cfg.PostsN = map[string]int{"testgram": 4}
	var ins []Input
	for i := range 40 {
		// ER ± 1 per post around creators' means close together (3.8–4.2 %)
		mid := 3.8 + 0.01*float64(i)
		ins = append(ins, cohortCreator(i, mid+1, mid-1, 9, nil))
	}
	co := BuildCohort(ins, bm, cfg, now)
	if co.Creators != 40 {
		t.Errorf("Creators = %d, want 40", co.Creators)
	}
	// every creator has likes per comment 9 (up to rounding): the norm sits at
	// log10(9) with the smallest between-creator spread; the creators with
	// fewer than 10 comments are left out
	lpc, ok := co.LikesPerComment[model.TierNano]
	if !ok || math.Abs(lpc.Median-math.Log10(9)) > 0.05 || lpc.Between != minBetween || lpc.N < 30 || lpc.N > 40 {
		t.Errorf("LikesPerComment = %+v, %v; want median ≈ log10 9, between %v, 30–40 creators", lpc, ok, minBetween)
	}
	if _, ok := co.LikesPerComment[""]; !ok {
		t.Error("no all-tier norm")
	}
	if len(co.LikesPerShare) != 0 {
		t.Errorf("LikesPerShare = %v without shares shown", co.LikesPerShare)
	}
	k := co.PriorPosts[model.TierNano]
	if k < minPriorPosts || k > maxPriorPosts {
		t.Errorf("PriorPosts = %v, want within %v..%v", k, minPriorPosts, maxPriorPosts)
	}
	if co.PostCV <= 0 {
		t.Errorf("PostCV = %v", co.PostCV)
	}
	if len(co.ReplyPrior) != 0 {
		t.Errorf("ReplyPrior = %v without comments", co.ReplyPrior)
	}
	// the more the creators differ, the less the benchmark weighs
	var spread []Input
	for i := range 40 {
		mid := 1 + 0.5*float64(i)
		spread = append(spread, cohortCreator(i, mid*1.25, mid*0.75, 9, nil))
	}
	if k2 := BuildCohort(spread, bm, cfg, now).PriorPosts[model.TierNano]; k2 >= k {
		t.Errorf("prior strength %v with creators far apart, %v with creators close together: want smaller", k2, k)
	}
	// too few creators: nothing measured
	small := BuildCohort(ins[:29], bm, cfg, now)
	if small.LikesPerComment != nil || small.PriorPosts != nil || small.PostCV != 0 {
		t.Errorf("29 creators measured a cohort: %+v", small)
	}
}

func TestRingNorm(t *testing.T) {
	t.Parallel()
	rings := map[string]RingScore{}
	for i := range 40 {
		rings[fmt.Sprintf("c%d", i)] = RingScore{Comments: 10, Share: 0.01 * float64(i%5)} // 0 … 0.04
	}
	rings["tiny"] = RingScore{Comments: 2, Share: 1} // too few comments to count
	nm := RingNorm(rings)
	if nm.N != 40 || !near(nm.Median, 0.02) || !near(nm.MAD, 0.01) {
		t.Errorf("RingNorm = %+v; want median 0.02, MAD 0.01 over 40", nm)
	}
	if RingNorm(map[string]RingScore{"a": {Comments: 10}}).N != 0 {
		t.Error("a norm from one creator")
	}
	// against that norm a 27 % share is far out; on its own it is under 30 %
	if r, _ := ringRisk(0.27, nm); !near(r, ramp((0.27-0.02)/0.05, ringZFrom, ringZFull)) {
		t.Errorf("ring risk against the norm = %v", r)
	}
	if r, _ := ringRisk(0.27, Norm{}); r != 0 {
		t.Errorf("ring risk without a norm = %v, want 0", r)
	}
	if r, _ := ringRisk(0.12, nm); r != 0 {
		t.Errorf("ring risk under 15 %% = %v, want 0", r)
	}
}
