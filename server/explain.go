package server

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
)

// scoreView is the creator page's "why this score", computed from the
// stored breakdown with the composite's own formula (scoring.Score):
//
//	composite = 100 × authenticity × Σ wᵢ·vᵢ ÷ Σ wᵢ
//
// over the top-level parts (engagement, reply, authenticity) with a weight.
// A part's points are 100 × authenticity × wᵢ·vᵢ ÷ Σ w, so the points add up
// to the composite, and its share is points ÷ composite. Sub-signals
// (rows named part.signal) never enter that sum directly: they are shown
// under their part, those that cost nothing folded away.
type scoreView struct {
	Composite float64
	Gate      float64 // authenticity, which multiplies the weighted mean
	Parts     []partView
	RedFlags  []string // flags that cast doubt on the numbers: shown first
	DataFlags []string // flags about missing or thin data
}

// partView is one part of the composite.
type partView struct {
	model.Component
	Points float64 // of the composite's points
	Share  float64 // Points ÷ composite, 0..1
	Costs  []signalView
	Free   []signalView // sub-signals that cost nothing
}

// signalView is a sub-signal of a part and what it took off.
type signalView struct {
	model.Component
	// Cost is what the signal takes off its part, 0..1: for authenticity
	// signals the multiplier's shortfall, w·(1 − v); for the reply parts
	// their weighted shortfall within the part.
	Cost float64
}

// dataFlags are the flags about how much data there is, not about whether
// it looks genuine. Every other flag (including ones added later) is a red
// flag.
var dataFlags = map[string]bool{
	scoring.FlagNoPosts: true, scoring.FlagFewPosts: true, scoring.FlagNoFollowers: true, scoring.FlagBelowNano: true,
	scoring.FlagNoBenchmark: true, scoring.FlagNoViews: true, scoring.FlagLikesHidden: true, scoring.FlagNoComments: true,
	scoring.FlagLowConfidence: true,
}

var topParts = []string{scoring.WeightEngagement, scoring.WeightReply, scoring.WeightAuthenticity}

// explainScore builds the view of a stored score.
func explainScore(s model.Score) scoreView {
	v := scoreView{Composite: s.Composite, Gate: s.Authenticity}
	for _, f := range s.Flags {
		if dataFlags[f] {
			v.DataFlags = append(v.DataFlags, f)
		} else {
			v.RedFlags = append(v.RedFlags, f)
		}
	}
	var wsum float64
	for _, c := range s.Breakdown {
		if slices.Contains(topParts, c.Name) && c.Weight > 0 {
			wsum += c.Weight
		}
	}
	for _, name := range topParts {
		i := slices.IndexFunc(s.Breakdown, func(c model.Component) bool { return c.Name == name })
		if i < 0 {
			continue
		}
		p := partView{Component: s.Breakdown[i]}
		if p.Weight > 0 && wsum > 0 {
			p.Points = 100 * s.Authenticity * p.Weight * p.Value / wsum
			if s.Composite > 0 {
				p.Share = p.Points / s.Composite
			}
		}
		var subWeights float64
		for _, c := range s.Breakdown {
			if strings.HasPrefix(c.Name, name+".") {
				subWeights += c.Weight
			}
		}
		for _, c := range s.Breakdown {
			if !strings.HasPrefix(c.Name, name+".") {
				continue
			}
			sv := signalView{Component: c}
			switch {
			case c.Name == scoring.WeightAuthenticity+"."+scoring.SignalEvidence:
				sv.Cost = 1 - c.Value // the row's value is its multiplier
			case c.Weight > 0 && c.Value < 1:
				sv.Cost = c.Weight * (1 - math.Max(0, c.Value))
				if name != scoring.WeightAuthenticity && subWeights > 0 {
					sv.Cost /= subWeights // a share of the part's weighted mean
				}
			}
			if sv.Cost > 0.0005 {
				p.Costs = append(p.Costs, sv)
			} else {
				p.Free = append(p.Free, sv)
			}
		}
		slices.SortStableFunc(p.Costs, func(a, b signalView) int { return cmpDesc(a.Cost, b.Cost) })
		v.Parts = append(v.Parts, p)
	}
	return v
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// points writes a part's points as the page shows them.
func points(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) }

// share writes a 0..1 share as a whole percentage ("<1%" for a sliver).
func share(s float64) string {
	if s > 0 && s < 0.005 {
		return "<1%"
	}
	return strconv.FormatFloat(100*s, 'f', 0, 64) + "%"
}
