package scoring

import (
	"math"
	"slices"
)

// madScale turns a median absolute deviation into a standard deviation for
// normally distributed data, so robust z-scores read like ordinary ones.
const madScale = 1.4826

// medianInPlace is the median of xs, reordering xs; 0 for none.
func medianInPlace(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

// medianMAD returns the median of xs and the median absolute deviation from
// it, without changing xs.
func medianMAD(xs []float64) (med, mad float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Clone(xs)
	med = medianInPlace(s)
	for i, x := range xs {
		s[i] = math.Abs(x - med)
	}
	return med, medianInPlace(s)
}

// robustZ is (x − median) ÷ (1.4826 × MAD), with the spread floored at
// minSpread so that a series with no spread at all does not turn every small
// change into an outlier.
func robustZ(x, med, mad, minSpread float64) float64 {
	return (x - med) / max(madScale*mad, minSpread)
}

// ramp is 0 at or below lo, 1 at or above hi, linear in between: how far a
// measured figure has gone from "normal" (lo) to "certainly a red flag" (hi).
func ramp(x, lo, hi float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return clamp01((x - lo) / (hi - lo))
}

// meanVar returns the mean and the sample variance (n − 1) of xs.
func meanVar(xs []float64) (mean, variance float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		d := x - mean
		variance += d * d
	}
	return mean, variance / float64(len(xs)-1)
}
