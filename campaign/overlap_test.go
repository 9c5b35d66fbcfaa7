package campaign

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestOverlap(t *testing.T) {
	r := Overlap([]Audience{
		{CreatorKey: "a", Accounts: []string{"1", "2", "3", "4", "4"}},
		{CreatorKey: "b", Accounts: []string{"3", "4", "5", "6", "7", "8"}},
		{CreatorKey: "c", Accounts: []string{"9"}},
	})
	if r.TotalReach != 11 || r.UniqueReach != 9 || !slices.Equal(r.Sizes, []int{4, 6, 1}) {
		t.Errorf("reach total %d unique %d sizes %v", r.TotalReach, r.UniqueReach, r.Sizes)
	}
	if len(r.Pairs) != 1 {
		t.Fatalf("pairs = %+v", r.Pairs)
	}
	p := r.Pairs[0]
	if p.A != "a" || p.B != "b" || p.Shared != 2 || p.Jaccard != 0.25 || p.OfSmaller != 0.5 {
		t.Errorf("pair = %+v", p)
	}
	if r.Matrix[0][1] != 0.5 || r.Matrix[1][0] != 0.5 || r.Matrix[2][2] != 1 || r.Matrix[0][2] != 0 {
		t.Errorf("matrix = %v", r.Matrix)
	}
}

func acc(from, to int) []string {
	var s []string
	for i := from; i < to; i++ {
		s = append(s, fmt.Sprint(i))
	}
	return s
}

func TestMaxReach(t *testing.T) {
	cands := []Candidate{
		{Audience{CreatorKey: "big", Accounts: acc(0, 100)}, 100},
		{Audience{CreatorKey: "twin", Accounts: acc(0, 95)}, 100}, // nearly the same people as big
		{Audience{CreatorKey: "fresh", Accounts: acc(100, 180)}, 100},
		{Audience{CreatorKey: "none", Accounts: nil}, 0},
	}
	s := MaxReach(cands, 200)
	if !slices.Equal(s.Keys, []string{"big", "fresh"}) || s.UniqueReach != 180 || s.Spend != 200 || s.Bound != BoundBudgeted {
		t.Errorf("selection = %+v", s)
	}
	// Many cheap small audiences vs one expensive large one: the single best wins.
	cands = []Candidate{{Audience{CreatorKey: "tiny", Accounts: acc(0, 2)}, 1}, {Audience{CreatorKey: "huge", Accounts: acc(10, 1000)}, 100}}
	if s := MaxReach(cands, 100); !slices.Equal(s.Keys, []string{"huge"}) {
		t.Errorf("selection = %+v, want huge alone", s)
	}
	if s := MaxReach(nil, 100); len(s.Keys) != 0 || s.UniqueReach != 0 {
		t.Errorf("empty = %+v", s)
	}
}

// TestMaxReachWithinBoundOfOptimal checks the stated guarantee against brute
// force on random small instances.
func TestMaxReachWithinBoundOfOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 300; round++ {
		n := 2 + rng.IntN(7)
		cands := make([]Candidate, n)
		for i := range cands {
			var a []string
			for j := 0; j < rng.IntN(30); j++ {
				a = append(a, fmt.Sprint(rng.IntN(60)))
			}
			cands[i] = Candidate{Audience{CreatorKey: fmt.Sprint("c", i), Accounts: a}, float64(1 + rng.IntN(5))}
		}
		budget := float64(1 + rng.IntN(12))
		s := MaxReach(cands, budget)
		if s.Spend > budget {
			t.Fatalf("round %d: spend %v over budget %v", round, s.Spend, budget)
		}
		best := 0
		for mask := 0; mask < 1<<n; mask++ {
			cost, seen := 0.0, map[string]bool{}
			for i := range cands {
				if mask&(1<<i) != 0 {
					cost += cands[i].Fee
					for _, a := range cands[i].Accounts {
						seen[a] = true
					}
				}
			}
			if cost <= budget && len(seen) > best {
				best = len(seen)
			}
		}
		if float64(s.UniqueReach) < s.Bound*float64(best) {
			t.Fatalf("round %d: reach %d below %.2f × optimal %d", round, s.UniqueReach, s.Bound, best)
		}
	}
}
