package classify

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// AccountTrainOptions are the hyper-parameters of TrainAccounts, fixed a
// priori (the usual random-forest defaults), not tuned on any result.
type AccountTrainOptions struct {
	Trees       int     // trees in the forest
	MaxFeatures int     // features tried per split (≈ √12)
	MinLeaf     int     // minimum training rows per leaf
	MaxDepth    int     // 0 = unlimited
	Seed        uint64  // bootstrap and feature sampling seed
	Threshold   float64 // probability from which IsFake answers true
}

// DefaultAccountTrainOptions are the options the shipped model is trained
// with.
func DefaultAccountTrainOptions() AccountTrainOptions {
	return AccountTrainOptions{Trees: 100, MaxFeatures: 3, MinLeaf: 1, Seed: 20200527, Threshold: 0.5}
}

// TrainAccounts trains an AccountModel on rows: a random forest of Gini
// trees grown on bootstrap samples, each split choosing among MaxFeatures
// randomly drawn features. Split quality is compared in exact integer
// arithmetic and thresholds are midpoints of data values, so the same input
// gives the same model byte for byte on every platform.
func TrainAccounts(rows []LabeledAccount, opts AccountTrainOptions) (*AccountModel, error) {
	if opts.Trees <= 0 || opts.MaxFeatures <= 0 || opts.MaxFeatures > numAccountFeatures || opts.MinLeaf <= 0 || opts.MaxDepth < 0 || !(opts.Threshold > 0 && opts.Threshold < 1) {
		return nil, fmt.Errorf("training account model: bad options %+v", opts)
	}
	var fake int
	for _, r := range rows {
		if r.Fake {
			fake++
		}
	}
	if fake == 0 || fake == len(rows) {
		return nil, fmt.Errorf("training account model: need both classes, got %d fake of %d", fake, len(rows))
	}
	b := &forestBuilder{opts: opts, r: newRNG(opts.Seed)}
	b.x = make([][numAccountFeatures]float64, len(rows))
	b.y = make([]bool, len(rows))
	for i, r := range rows {
		b.x[i] = r.Features.vector()
		b.y[i] = r.Fake
	}
	maxDepth := opts.MaxDepth
	if maxDepth == 0 {
		maxDepth = 64
	}
	b.maxDepth = maxDepth
	m := &AccountModel{threshold: opts.Threshold, info: AccountModelInfo{
		Trees: opts.Trees, MaxFeatures: opts.MaxFeatures, MinLeaf: opts.MinLeaf, MaxDepth: opts.MaxDepth, Seed: opts.Seed, Rows: len(rows),
	}}
	for range opts.Trees {
		sample := make([]int, len(rows))
		for i := range sample {
			sample[i] = b.r.intn(len(rows))
		}
		t := &tree{}
		b.grow(t, sample, 0)
		m.trees = append(m.trees, *t)
	}
	return m, nil
}

type forestBuilder struct {
	opts     AccountTrainOptions
	maxDepth int
	r        *rng
	x        [][numAccountFeatures]float64
	y        []bool
}

// grow appends the node for sample (and its subtree) to t and returns its
// index.
func (b *forestBuilder) grow(t *tree, sample []int, depth int) int32 {
	id := int32(len(t.Feature))
	pos := 0
	for _, i := range sample {
		if b.y[i] {
			pos++
		}
	}
	t.Feature = append(t.Feature, -1)
	t.Threshold = append(t.Threshold, 0)
	t.Left = append(t.Left, -1)
	t.Right = append(t.Right, -1)
	t.Value = append(t.Value, float64(pos)/float64(len(sample)))
	if pos == 0 || pos == len(sample) || len(sample) < 2*b.opts.MinLeaf || depth >= b.maxDepth {
		return id
	}
	f, thr, ok := b.bestSplit(sample)
	if !ok {
		return id
	}
	var left, right []int
	for _, i := range sample {
		if b.x[i][f] <= thr {
			left = append(left, i)
		} else {
			right = append(right, i)
		}
	}
	t.Feature[id] = int8(f)
	t.Threshold[id] = thr
	l := b.grow(t, left, depth+1)
	r := b.grow(t, right, depth+1)
	t.Left[id], t.Right[id] = l, r
	return id
}

// score is Σ over children of (fake² + genuine²)/n, as the fraction
// num/den; maximising it minimises the weighted Gini impurity.
type score struct{ num, den uint64 }

// better reports a > b exactly (128-bit cross products).
func (a score) better(b score) bool {
	ah, al := bits.Mul64(a.num, b.den)
	bh, bl := bits.Mul64(b.num, a.den)
	return ah > bh || ah == bh && al > bl
}

// bestSplit tries features in a random order until MaxFeatures of them
// could split the sample (constant ones do not count, as in scikit-learn)
// and returns the best split found.
func (b *forestBuilder) bestSplit(sample []int) (feature int, threshold float64, ok bool) {
	order := make([]int, numAccountFeatures)
	for i := range order {
		order[i] = i
	}
	b.r.shuffle(order)
	sorted := make([]int, len(sample))
	var best score
	tried := 0
	n := uint64(len(sample))
	var totalPos uint64
	for _, i := range sample {
		if b.y[i] {
			totalPos++
		}
	}
	for _, f := range order {
		if tried >= b.opts.MaxFeatures {
			break
		}
		copy(sorted, sample)
		sort.Slice(sorted, func(p, q int) bool {
			vp, vq := b.x[sorted[p]][f], b.x[sorted[q]][f]
			return vp < vq || vp == vq && sorted[p] < sorted[q]
		})
		if b.x[sorted[0]][f] == b.x[sorted[len(sorted)-1]][f] {
			continue // constant here
		}
		tried++
		var nl, pl uint64
		for k := 1; k < len(sorted); k++ {
			nl++
			if b.y[sorted[k-1]] {
				pl++
			}
			lo, hi := b.x[sorted[k-1]][f], b.x[sorted[k]][f]
			if lo == hi || nl < uint64(b.opts.MinLeaf) || n-nl < uint64(b.opts.MinLeaf) {
				continue
			}
			nr, pr := n-nl, totalPos-pl
			ql, qr := nl-pl, nr-pr
			sl, sr := pl*pl+ql*ql, pr*pr+qr*qr
			s := score{num: sl*nr + sr*nl, den: nl * nr}
			if !ok || s.better(best) {
				best, feature, threshold, ok = s, f, midpoint(lo, hi, logScale[f]), true
			}
		}
	}
	return feature, threshold, ok
}

// midpoint is a threshold t with lo <= t < hi: the arithmetic midpoint, or
// for log-scale inputs (non-negative counts and ratios) √((lo+1)(hi+1))−1,
// the midpoint of log1p. Only exactly rounded operations are used.
func midpoint(lo, hi float64, logScale bool) float64 {
	if logScale && lo >= 0 {
		if t := math.Sqrt(float64((lo+1)*(hi+1))) - 1; t >= lo && t < hi {
			return t
		}
	}
	if t := lo + float64((hi-lo)/2); t >= lo && t < hi {
		return t
	}
	return lo
}
