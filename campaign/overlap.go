package campaign

import (
	"slices"
	"strings"
)

// Audience is one creator's engaged audience: the distinct accounts that
// commented on its posts (and sampled followers where available).
type Audience struct {
	CreatorKey string
	Handle     string
	Accounts   []string // distinct account ids, any order
}

// Pair is the overlap of two creators' audiences.
type Pair struct {
	A      string `json:"a"`
	B      string `json:"b"`
	Shared int    `json:"shared"`
	// Jaccard is shared ÷ union; OfSmaller is shared ÷ the smaller audience
	// (1 = one audience lies inside the other).
	Jaccard   float64 `json:"jaccard"`
	OfSmaller float64 `json:"ofSmaller"`
}

// OverlapResult is the overlap of a set of creators.
type OverlapResult struct {
	Creators []string `json:"creators"` // keys, in the order of Matrix
	Sizes    []int    `json:"sizes"`
	// Matrix[i][j] is the OfSmaller overlap of creators i and j (1 on the diagonal).
	Matrix [][]float64 `json:"matrix"`
	// Pairs with at least one shared account, most shared first.
	Pairs []Pair `json:"pairs"`
	// TotalReach sums the audiences; UniqueReach counts distinct accounts.
	TotalReach  int `json:"totalReach"`
	UniqueReach int `json:"uniqueReach"`
}

// Overlap measures pairwise overlap and unique reach of the audiences.
func Overlap(aud []Audience) OverlapResult {
	n := len(aud)
	sets := make([]map[string]struct{}, n)
	all := map[string]struct{}{}
	r := OverlapResult{Creators: make([]string, n), Sizes: make([]int, n), Matrix: make([][]float64, n)}
	for i, a := range aud {
		s := make(map[string]struct{}, len(a.Accounts))
		for _, acc := range a.Accounts {
			s[acc] = struct{}{}
			all[acc] = struct{}{}
		}
		sets[i] = s
		r.Creators[i], r.Sizes[i] = a.CreatorKey, len(s)
		r.TotalReach += len(s)
		r.Matrix[i] = make([]float64, n)
		r.Matrix[i][i] = 1
	}
	r.UniqueReach = len(all)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			small, big := sets[i], sets[j]
			if len(big) < len(small) {
				small, big = big, small
			}
			shared := 0
			for acc := range small {
				if _, ok := big[acc]; ok {
					shared++
				}
			}
			if shared == 0 {
				continue
			}
			union := len(sets[i]) + len(sets[j]) - shared
			p := Pair{A: aud[i].CreatorKey, B: aud[j].CreatorKey, Shared: shared,
				Jaccard: float64(shared) / float64(union), OfSmaller: float64(shared) / float64(len(small))}
			r.Matrix[i][j], r.Matrix[j][i] = p.OfSmaller, p.OfSmaller
			r.Pairs = append(r.Pairs, p)
		}
	}
	slices.SortFunc(r.Pairs, func(a, b Pair) int {
		if a.Shared != b.Shared {
			return b.Shared - a.Shared
		}
		return strings.Compare(a.A+a.B, b.A+b.B)
	})
	return r
}

// Candidate is a creator that may be picked for reach, at a fee.
type Candidate struct {
	Audience
	Fee float64
}

// Selection is a set of creators picked for unique engaged reach.
type Selection struct {
	Keys        []string `json:"keys"`
	Spend       float64  `json:"spend"`
	UniqueReach int      `json:"uniqueReach"`
	// Bound states the guarantee: the greedy pick reaches at least this
	// share of the best possible selection's unique reach.
	Bound float64 `json:"bound"`
}

// Guarantees of MaxReach (budgeted maximum coverage, Khuller, Moss & Naor
// 1999): greedy by new accounts per dollar, compared with the best single
// creator, is within (1−1/e)/2 ≈ 0.32 of optimal; with equal fees plain
// greedy is within 1−1/e ≈ 0.63. In practice it is usually far closer.
const (
	BoundEqualFees = 0.6321205588285577 // 1 − 1/e
	BoundBudgeted  = 0.31606027941427883
)

// MaxReach picks creators whose audiences together reach the most distinct
// accounts within budget: repeatedly the creator adding the most new accounts
// per unit of fee (ties: more new accounts, then key), then compares the pick
// with the best single affordable creator and keeps the better. A creator
// with no fee counts as costing 1 cent, so a free creator still has to add
// someone new to be picked.
func MaxReach(cands []Candidate, budget float64) Selection {
	covered := map[string]struct{}{}
	picked := make([]bool, len(cands))
	sets := make([][]string, len(cands))
	equal := true
	for i, c := range cands {
		sets[i] = dedupe(c.Accounts)
		if c.Fee != cands[0].Fee {
			equal = false
		}
	}
	var sel Selection
	for {
		best, bestGain, bestRatio := -1, 0, 0.0
		for i, c := range cands {
			if picked[i] || c.Fee > budget-sel.Spend+1e-9 {
				continue
			}
			gain := 0
			for _, a := range sets[i] {
				if _, ok := covered[a]; !ok {
					gain++
				}
			}
			if gain == 0 {
				continue
			}
			ratio := float64(gain) / max(c.Fee, 0.01)
			if best < 0 || ratio > bestRatio || (ratio == bestRatio && (gain > bestGain ||
				(gain == bestGain && c.CreatorKey < cands[best].CreatorKey))) {
				best, bestGain, bestRatio = i, gain, ratio
			}
		}
		if best < 0 {
			break
		}
		picked[best] = true
		sel.Keys = append(sel.Keys, cands[best].CreatorKey)
		sel.Spend += cands[best].Fee
		for _, a := range sets[best] {
			covered[a] = struct{}{}
		}
	}
	sel.UniqueReach = len(covered)
	// The best single creator within budget can beat a greedy pick that
	// spent on many cheap, small audiences.
	single := -1
	for i, c := range cands {
		if c.Fee <= budget && (single < 0 || len(sets[i]) > len(sets[single])) {
			single = i
		}
	}
	if single >= 0 && len(sets[single]) > sel.UniqueReach {
		sel = Selection{Keys: []string{cands[single].CreatorKey}, Spend: cands[single].Fee, UniqueReach: len(sets[single])}
	}
	sel.Bound = BoundBudgeted
	if equal {
		sel.Bound = BoundEqualFees
	}
	return sel
}

func dedupe(v []string) []string {
	s := slices.Clone(v)
	slices.Sort(s)
	return slices.Compact(s)
}
