package model

import "math"

// Finite returns f, or 0 when f is NaN or infinite: JSON refuses those,
// FerretDB breaks on them, and a person reads them as a bug.
func Finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// Finite returns a copy of s with every float made finite (Finite). The
// copy shares no slice or pointer with s, so s is left as it is. The one
// definition: scoring applies it to what it computes, and both store
// backends to what they write. (A test sets every float field, found by
// reflection, to NaN: a new float field not handled here fails it.)
func (s Score) Finite() Score {
	s.ER, s.ERMedian = Finite(s.ER), Finite(s.ERMedian)
	if s.ERByViews != nil {
		v := Finite(*s.ERByViews)
		s.ERByViews = &v
	}
	s.Benchmark, s.BenchmarkIndex = Finite(s.Benchmark), Finite(s.BenchmarkIndex)
	rd := &s.ReplyDepth
	rd.AnsweredShare, rd.MedianHoursToReply, rd.MeanDepth, rd.Score =
		Finite(rd.AnsweredShare), Finite(rd.MedianHoursToReply), Finite(rd.MeanDepth), Finite(rd.Score)
	s.Authenticity, s.Composite = Finite(s.Authenticity), Finite(s.Composite)
	if s.Audience != nil {
		a := *s.Audience
		a.Share, a.Low, a.High = Finite(a.Share), Finite(a.Low), Finite(a.High)
		a.Fake, a.Inactive = Finite(a.Fake), Finite(a.Inactive)
		s.Audience = &a
	}
	if s.Flags != nil {
		s.Flags = append([]string(nil), s.Flags...)
	}
	if s.Breakdown != nil {
		b := make([]Component, len(s.Breakdown))
		for i, c := range s.Breakdown {
			c.Value, c.Raw, c.Weight = Finite(c.Value), Finite(c.Raw), Finite(c.Weight)
			b[i] = c
		}
		s.Breakdown = b
	}
	return s
}
