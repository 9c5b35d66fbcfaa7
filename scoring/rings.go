package scoring

import (
	"math"
	"sort"
)

// Thresholds of the commenter-ring detection (see Rings).
const (
	// RingMinShared is how many distinct commenters two creators must have
	// in common, at least, to be linked.
	RingMinShared = 3
	// RingSurprise is how many standard deviations above chance the overlap
	// must be: two comment sections of d₁ and d₂ distinct commenters out of
	// D on the platform share about λ = d₁·d₂ ÷ D by chance (Poisson, so
	// the spread is √λ), and are linked only from λ + 4√λ + 1 shared on.
	RingSurprise = 4.0
	// RingMinLinked is under how many creators linked to a creator one of
	// its commenters must also comment to count as a ring member.
	RingMinLinked = 2
	// RingMinComments is how many top-level comments a creator needs to
	// enter the platform's ring-share norm (see RingNorm).
	RingMinComments = 5
)

// RingScore is one creator's exposure to a commenter ring.
type RingScore struct {
	// Comments is how many top-level audience comments the creator has.
	Comments int
	// Share is the share of them written by ring members.
	Share float64
	// Members is how many distinct ring members comment under the creator.
	Members int
	// Linked is how many other creators share at least RingMinShared
	// commenters with this one.
	Linked int
	// Reach is how many of those linked creators the ring members also
	// comment under.
	Reach int
}

// Rings finds reciprocal commenter clusters: groups of accounts that feed
// the comment sections of the same creators, as engagement pods do. It reads
// creator key → the commenter id of every top-level audience comment (one
// entry per comment) and returns a RingScore for every creator.
//
// Two creators are linked when they have at least RingMinShared distinct
// commenters in common and far more than chance gives comment sections of
// their sizes (see RingSurprise): two big accounts share fans by chance, a
// pod shares its members by design. A commenter of creator c is a ring member when it
// also comments under at least RingMinLinked creators linked to c: one fan
// who follows two creators of a niche is not a ring, the same handful of
// accounts turning up together under many creators is. Share is the share of
// c's comments written by ring members.
//
// It is pure and deterministic; the cost grows with the sum over commenters
// of the square of the number of creators they comment under.
func Rings(commenters map[string][]string) map[string]RingScore {
	keys := make([]string, 0, len(commenters))
	for k := range commenters {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	// Distinct commenters per creator, and creators per commenter.
	distinct := make([]map[string]int, len(keys)) // commenter → comments
	creatorsOf := map[string][]int32{}
	for i, k := range keys {
		m := map[string]int{}
		for _, c := range commenters[k] {
			if c == "" {
				continue
			}
			if m[c] == 0 {
				creatorsOf[c] = append(creatorsOf[c], int32(i))
			}
			m[c]++
		}
		distinct[i] = m
	}

	// Shared commenters per pair of creators.
	shared := map[uint64]int32{}
	for _, cs := range creatorsOf {
		for a := 0; a < len(cs); a++ {
			for b := a + 1; b < len(cs); b++ {
				shared[pairKey(cs[a], cs[b])]++
			}
		}
	}
	total := float64(len(creatorsOf))
	linked := make([]map[int32]bool, len(keys))
	for pk, n := range shared {
		if n < RingMinShared {
			continue
		}
		i, j := int32(pk>>32), int32(pk&0xffffffff)
		lambda := float64(len(distinct[i])) * float64(len(distinct[j])) / total
		if float64(n) < lambda+RingSurprise*math.Sqrt(lambda)+1 {
			continue
		}
		if linked[i] == nil {
			linked[i] = map[int32]bool{}
		}
		if linked[j] == nil {
			linked[j] = map[int32]bool{}
		}
		linked[i][j], linked[j][i] = true, true
	}

	out := make(map[string]RingScore, len(keys))
	for i, k := range keys {
		rs := RingScore{Comments: len(commenters[k]), Linked: len(linked[i])}
		if rs.Linked > 0 {
			reach := map[int32]bool{}
			ringComments := 0
			for c, n := range distinct[i] {
				var hits []int32
				for _, j := range creatorsOf[c] {
					if j != int32(i) && linked[i][j] {
						hits = append(hits, j)
					}
				}
				if len(hits) < RingMinLinked {
					continue
				}
				rs.Members++
				ringComments += n
				for _, j := range hits {
					reach[j] = true
				}
			}
			rs.Reach = len(reach)
			if rs.Comments > 0 {
				rs.Share = float64(ringComments) / float64(rs.Comments)
			}
		}
		out[k] = rs
	}
	return out
}

func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(b)
}
