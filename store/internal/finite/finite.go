// Package finite replaces NaN and infinite floats before a backend stores
// them: encoding/json refuses them and FerretDB breaks on them, so both
// backends store 0 in their place and stay alike.
package finite

import (
	"math"

	"github.com/nanoscout/nanoscout/model"
)

// Float returns f, or 0 when f is NaN or infinite.
func Float(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// Score returns a copy of s with every non-finite float set to 0. The caller's
// value, its slices and pointers are left untouched. A nil s gives nil.
func Score(s *model.Score) *model.Score {
	if s == nil {
		return nil
	}
	c := *s
	c.ER = Float(c.ER)
	c.ERMedian = Float(c.ERMedian)
	if c.ERByViews != nil {
		v := Float(*c.ERByViews)
		c.ERByViews = &v
	}
	c.Benchmark = Float(c.Benchmark)
	c.BenchmarkIndex = Float(c.BenchmarkIndex)
	c.ReplyDepth.AnsweredShare = Float(c.ReplyDepth.AnsweredShare)
	c.ReplyDepth.MedianHoursToReply = Float(c.ReplyDepth.MedianHoursToReply)
	c.ReplyDepth.MeanDepth = Float(c.ReplyDepth.MeanDepth)
	c.ReplyDepth.Score = Float(c.ReplyDepth.Score)
	c.Authenticity = Float(c.Authenticity)
	c.Composite = Float(c.Composite)
	if s.Breakdown != nil {
		c.Breakdown = make([]model.Component, len(s.Breakdown))
		for i, b := range s.Breakdown {
			b.Value = Float(b.Value)
			b.Raw = Float(b.Raw)
			b.Weight = Float(b.Weight)
			c.Breakdown[i] = b
		}
	}
	return &c
}

// Snapshot returns s with its ER made finite.
func Snapshot(s model.Snapshot) model.Snapshot {
	s.ER = Float(s.ER)
	return s
}
