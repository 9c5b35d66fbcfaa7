package classify

import "math"

// rng is SplitMix64: tiny, seedable and the same on every platform and Go
// version (math/rand makes no such promise for Shuffle and friends), so
// training is reproducible byte for byte.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{s: seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a uniform integer in [0, n) (n > 0), by rejection so that it
// has no modulo bias.
func (r *rng) intn(n int) int {
	un := uint64(n)
	limit := math.MaxUint64 - math.MaxUint64%un
	for {
		v := r.next()
		if v < limit {
			return int(v % un)
		}
	}
}

// shuffle permutes p in place (Fisher–Yates).
func (r *rng) shuffle(p []int) {
	for i := len(p) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// expPortable is exp(x) computed with the same operations, in the same
// order, on every platform: math.Exp has assembly versions whose last bit
// may differ between architectures, and the compiler may fuse x*y+z into an
// FMA on arm64, ppc64 and s390x unless a conversion forces the rounding. Only
// training uses it (the shipped model must not depend on the machine that
// built it); scoring uses math.Exp.
func expPortable(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 709:
		return math.Inf(1)
	case x < -745:
		return 0
	}
	// x = k·ln2 + r, |r| ≤ ln2/2; exp(r) by its Taylor series to degree 13
	// (error < 1e-16 relative on that interval), then scaled by 2^k.
	const ln2Hi = 6.93147180369123816490e-01
	const ln2Lo = 1.90821492927058770002e-10
	k := math.Floor(float64(x*math.Log2E) + 0.5)
	r := float64(x-float64(k*ln2Hi)) - float64(k*ln2Lo)
	term, sum := 1.0, 1.0
	for i := 1; i <= 13; i++ {
		term = float64(term*r) / float64(i)
		sum += term
	}
	return math.Ldexp(sum, int(k))
}

// sigmoidPortable is 1/(1+exp(-z)) with expPortable.
func sigmoidPortable(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + expPortable(-z))
	}
	e := expPortable(z)
	return e / (1 + e)
}

// sigmoid is the scoring-time logistic function.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}
