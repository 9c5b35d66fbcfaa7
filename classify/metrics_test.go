package classify

import (
	"math"
	"testing"
)

func TestNewMetrics(t *testing.T) {
	// The first row of the TubeSpam Psy table (SVM RBF): Acc 96.23 %,
	// F1 0.962, MCC 0.925 from TP=50 TN=52 FP=1 FN=3.
	m := NewMetrics(50, 52, 1, 3)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"accuracy", m.Accuracy, 0.9623},
		{"F1", m.F1, 0.962},
		{"MCC", m.MCC, 0.925},
		{"precision", m.Precision, 50.0 / 51},
		{"recall", m.Recall, 50.0 / 53},
	} {
		if math.Abs(c.got-c.want) > 0.0005 {
			t.Errorf("%s = %.5f, want %.4f", c.name, c.got, c.want)
		}
	}
	// Degenerate counts give 0, not NaN.
	for _, z := range []Metrics{NewMetrics(0, 0, 0, 0), NewMetrics(0, 10, 0, 0), NewMetrics(10, 0, 0, 0), NewMetrics(0, 0, 5, 5)} {
		for _, v := range []float64{z.Accuracy, z.Precision, z.Recall, z.F1, z.MCC} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%+v has a non-finite figure", z)
			}
		}
	}
	if p := NewMetrics(0, 0, 5, 5); p.MCC != -1 || p.F1 != 0 || p.Accuracy != 0 {
		t.Errorf("all wrong: %+v", p)
	}
	if p := NewMetrics(5, 5, 0, 0); p.MCC != 1 || p.F1 != 1 {
		t.Errorf("all right: %+v", p)
	}
	if p := NewMetrics(0, 0, 5, 5); NewMetrics(5, 5, 5, 5).MCC != 0 || p.N() != 10 {
		t.Error("chance level should have MCC 0")
	}
	var c Confusion
	c.Add(true, true)
	c.Add(false, false)
	c.Add(true, false)
	c.Add(false, true)
	c.Add(true, true)
	if got := c.Metrics(); got.TP != 2 || got.TN != 1 || got.FP != 1 || got.FN != 1 {
		t.Errorf("confusion %+v", got)
	}
	if got := NewMetrics(1, 2, 3, 4).Plus(NewMetrics(4, 3, 2, 1)); got != NewMetrics(5, 5, 5, 5) {
		t.Errorf("Plus = %+v", got)
	}
}

func TestStratifiedFolds(t *testing.T) {
	labels := make([]bool, 103)
	for i := range labels {
		labels[i] = i%3 == 0 // 35 positives
	}
	folds := stratifiedFolds(labels, 10, 7)
	seen := make([]int, len(labels))
	for _, f := range folds {
		pos := 0
		for _, i := range f {
			seen[i]++
			if labels[i] {
				pos++
			}
		}
		if len(f) < 10 || len(f) > 11 || pos < 3 || pos > 4 {
			t.Errorf("fold of %d with %d positives", len(f), pos)
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("index %d in %d folds", i, n)
		}
	}
	again := stratifiedFolds(labels, 10, 7)
	for k := range folds {
		for j := range folds[k] {
			if folds[k][j] != again[k][j] {
				t.Fatal("stratifiedFolds is not deterministic")
			}
		}
	}
}

func TestExpPortable(t *testing.T) {
	for x := -40.0; x <= 40; x += 0.0137 {
		got, want := expPortable(x), math.Exp(x)
		if math.Abs(got-want) > 1e-15*want {
			t.Fatalf("expPortable(%v) = %v, math.Exp = %v", x, got, want)
		}
	}
	if expPortable(1000) != math.Inf(1) || expPortable(-1000) != 0 || !math.IsNaN(expPortable(math.NaN())) {
		t.Error("expPortable limits")
	}
	if s := sigmoidPortable(0); s != 0.5 {
		t.Errorf("sigmoid(0) = %v", s)
	}
}

func TestRNG(t *testing.T) {
	// SplitMix64's reference sequence for seed 0 (Vigna).
	r := newRNG(0)
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := r.next(); got != w {
			t.Fatalf("next #%d = %#x, want %#x", i, got, w)
		}
	}
	counts := make([]int, 3)
	for range 3000 {
		counts[r.intn(3)]++
	}
	for _, c := range counts {
		if c < 900 || c > 1100 {
			t.Errorf("intn(3) counts %v", counts)
		}
	}
}
