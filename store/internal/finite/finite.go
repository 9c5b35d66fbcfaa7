// Package finite replaces NaN and infinite floats before a backend stores
// them: encoding/json refuses them and FerretDB breaks on them, so both
// backends store 0 in their place and stay alike.
package finite

import "github.com/nanoscout/nanoscout/model"

// Float returns f, or 0 when f is NaN or infinite (model.Finite).
func Float(f float64) float64 { return model.Finite(f) }

// Score returns a copy of s with every non-finite float set to 0
// (model.Score.Finite). A nil s gives nil.
func Score(s *model.Score) *model.Score {
	if s == nil {
		return nil
	}
	c := s.Finite()
	return &c
}

// Snapshot returns s with its ER made finite.
func Snapshot(s model.Snapshot) model.Snapshot {
	s.ER = Float(s.ER)
	return s
}
