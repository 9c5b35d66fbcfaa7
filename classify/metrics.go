package classify

import (
	"fmt"
	"math"
)

// Metrics are the confusion counts of a binary classifier (positive = spam
// or fake) and the figures derived from them. A ratio whose denominator is
// zero is reported as 0.
type Metrics struct {
	TP, TN, FP, FN int
	Accuracy       float64
	Precision      float64
	Recall         float64
	F1             float64
	MCC            float64 // Matthews correlation coefficient, in [-1, 1]
	Specificity    float64 // TN ÷ (TN + FP): the share of negatives (real accounts, ham) kept
	// BalancedAccuracy is the mean of recall and specificity.
	BalancedAccuracy float64
}

// NewMetrics derives the figures from confusion counts.
func NewMetrics(tp, tn, fp, fn int) Metrics {
	m := Metrics{TP: tp, TN: tn, FP: fp, FN: fn}
	n := tp + tn + fp + fn
	m.Accuracy = ratio(float64(tp+tn), float64(n))
	m.Precision = ratio(float64(tp), float64(tp+fp))
	m.Recall = ratio(float64(tp), float64(tp+fn))
	m.F1 = ratio(float64(2*tp), float64(2*tp+fp+fn))
	m.Specificity = ratio(float64(tn), float64(tn+fp))
	m.BalancedAccuracy = (m.Recall + m.Specificity) / 2
	d := math.Sqrt(float64(tp+fp) * float64(tp+fn) * float64(tn+fp) * float64(tn+fn))
	m.MCC = ratio(float64(float64(tp)*float64(tn))-float64(float64(fp)*float64(fn)), d)
	return m
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Confusion accumulates predictions into confusion counts.
type Confusion struct{ TP, TN, FP, FN int }

// Add records one prediction against its label.
func (c *Confusion) Add(predicted, actual bool) {
	switch {
	case predicted && actual:
		c.TP++
	case !predicted && !actual:
		c.TN++
	case predicted:
		c.FP++
	default:
		c.FN++
	}
}

// Metrics derives the figures.
func (c Confusion) Metrics() Metrics { return NewMetrics(c.TP, c.TN, c.FP, c.FN) }

// N is the number of predictions behind m.
func (m Metrics) N() int { return m.TP + m.TN + m.FP + m.FN }

// Plus pools two sets of counts (micro-average) and recomputes the figures.
func (m Metrics) Plus(o Metrics) Metrics {
	return NewMetrics(m.TP+o.TP, m.TN+o.TN, m.FP+o.FP, m.FN+o.FN)
}

func (m Metrics) String() string {
	return fmt.Sprintf("n=%d acc=%.4f P=%.4f R=%.4f F1=%.4f MCC=%.4f (TP=%d TN=%d FP=%d FN=%d)",
		m.N(), m.Accuracy, m.Precision, m.Recall, m.F1, m.MCC, m.TP, m.TN, m.FP, m.FN)
}
