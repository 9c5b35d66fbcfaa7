package scoring

import (
	"math"
	"testing"
)

func TestRobustHelpers(t *testing.T) {
	t.Parallel()
	// 1, 2, 3, 4, 100: median 3; deviations 2, 1, 0, 1, 97 → MAD 1.
	xs := []float64{100, 1, 3, 2, 4}
	med, mad := medianMAD(xs)
	if med != 3 || mad != 1 {
		t.Errorf("medianMAD = %v, %v; want 3, 1", med, mad)
	}
	if xs[0] != 100 {
		t.Errorf("medianMAD reordered its input: %v", xs)
	}
	// z of 100: 97 ÷ 1.4826
	if z := robustZ(100, med, mad, 0); !near(z, 97/1.4826) {
		t.Errorf("robustZ = %v, want %v", z, 97/1.4826)
	}
	// a series without spread: the floor decides
	if z := robustZ(5, 3, 0, 0.5); !near(z, 4) {
		t.Errorf("robustZ with floor = %v, want 4", z)
	}
	for _, tt := range []struct{ x, want float64 }{{1, 0}, {2, 0}, {3, 0.5}, {4, 1}, {9, 1}, {math.NaN(), 0}} {
		if got := ramp(tt.x, 2, 4); !near(got, tt.want) {
			t.Errorf("ramp(%v, 2, 4) = %v, want %v", tt.x, got, tt.want)
		}
	}
	m, v := meanVar([]float64{5, 3})
	if m != 4 || v != 2 {
		t.Errorf("meanVar = %v, %v; want 4, 2", m, v)
	}
	if m, v := meanVar(nil); m != 0 || v != 0 {
		t.Errorf("meanVar(nil) = %v, %v", m, v)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median = %v, want 2.5", got)
	}
}
