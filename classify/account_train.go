package classify

import (
	"fmt"
	"slices"
)

// AccountTrainOptions are the hyper-parameters of TrainAccounts, fixed a
// priori, not tuned on any result.
type AccountTrainOptions struct {
	Lambda    float64 `json:"lambda"`     // L2 strength on the summed log-loss (the bias is not penalised)
	MaxSweeps int     `json:"max_sweeps"` // coordinate-descent sweeps at most
	Tolerance float64 `json:"tolerance"`  // stop when no weight moved more than this in a sweep
}

// DefaultAccountTrainOptions are the options the shipped model is trained
// with.
func DefaultAccountTrainOptions() AccountTrainOptions {
	return AccountTrainOptions{Lambda: 1, MaxSweeps: 1000, Tolerance: 1e-6}
}

// TrainAccounts trains an AccountModel on rows: for every set of known
// fields among FieldsTrained, a logistic regression on the indicator
// features those fields allow, with the sign constraints of
// accountFeatures (projected coordinate descent). Rows must have all
// trained fields known. The same input gives the same model byte for byte
// on every platform (fixed order, no fused operations, expPortable).
func TrainAccounts(rows []LabeledAccount, opts AccountTrainOptions) (*AccountModel, error) {
	var all []Field
	for k := Field(0); k <= FieldsTrained; k++ {
		if k&^FieldsTrained == 0 {
			all = append(all, k)
		}
	}
	return TrainAccountsFor(rows, opts, all...)
}

// TrainAccountsFor is TrainAccounts for the given sets of known fields only
// (plus the empty set); the model answers other sets with the largest
// trained set inside them. Cross-validation uses it to train only what it
// tests.
func TrainAccountsFor(rows []LabeledAccount, opts AccountTrainOptions, known ...Field) (*AccountModel, error) {
	if !(opts.Lambda > 0) || opts.MaxSweeps <= 0 || !(opts.Tolerance > 0) {
		return nil, fmt.Errorf("training account model: bad options %+v", opts)
	}
	fake := 0
	for _, r := range rows {
		if !r.Profile.Known.Has(FieldsTrained) {
			return nil, fmt.Errorf("training account model: record %d: fields %v unknown", r.Line, FieldsTrained&^r.Profile.Known)
		}
		if r.Fake {
			fake++
		}
	}
	if fake == 0 || fake == len(rows) {
		return nil, fmt.Errorf("training account model: need both classes, got %d fake of %d", fake, len(rows))
	}
	full := featureSet(FieldsTrained)
	x := make([]uint64, len(rows))
	y := make([]bool, len(rows))
	genuine, genuineNoPosts := 0, 0
	for i, r := range rows {
		x[i] = indicators(&rows[i].Profile, full)
		y[i] = r.Fake
		if !r.Fake {
			genuine++
			if r.Profile.Posts == 0 {
				genuineNoPosts++
			}
		}
	}
	m := &AccountModel{
		subs:          map[uint64]*submodel{},
		trainPrior:    float64(fake) / float64(len(rows)),
		inactivePrior: float64(genuineNoPosts) / float64(genuine),
		means:         make([]float64, numAccountInputs),
	}
	for j := range numAccountInputs {
		n := 0
		for _, xi := range x {
			if xi&(1<<j) != 0 {
				n++
			}
		}
		m.means[j] = float64(n) / float64(len(rows))
	}
	sets := []uint64{0}
	for _, k := range known {
		sets = append(sets, featureSet(k&FieldsTrained))
	}
	slices.Sort(sets)
	sets = slices.Compact(sets)
	for _, set := range sets {
		m.subs[set] = fitScorecard(x, y, set, opts)
		m.order = append(m.order, set)
	}
	m.info = AccountModelInfo{Rows: len(rows), Fake: fake, Lambda: opts.Lambda, Submodels: len(sets), InactivePrior: m.inactivePrior}
	return m, nil
}

// fitScorecard fits an L2-regularised logistic regression on the features
// of set by cyclic coordinate descent (one Newton step per coordinate,
// projected on its sign constraint). Identical rows are merged first.
func fitScorecard(x []uint64, y []bool, set uint64, opts AccountTrainOptions) *submodel {
	// Merge rows by (pattern, label), in order of first appearance.
	type key struct {
		x uint64
		y bool
	}
	idx := map[key]int{}
	var px []uint64
	var py, cnt []float64
	for i := range x {
		k := key{x[i] & set, y[i]}
		j, ok := idx[k]
		if !ok {
			j = len(px)
			idx[k] = j
			px = append(px, k.x)
			yv := 0.0
			if k.y {
				yv = 1
			}
			py = append(py, yv)
			cnt = append(cnt, 0)
		}
		cnt[j]++
	}
	var feats []int
	cols := make([][]int, numAccountInputs)
	for j := range numAccountInputs {
		if set&(1<<j) == 0 {
			continue
		}
		feats = append(feats, j)
		for i, v := range px {
			if v&(1<<j) != 0 {
				cols[j] = append(cols[j], i)
			}
		}
	}
	n := len(px)
	z := make([]float64, n)
	p := make([]float64, n)
	for i := range p {
		p[i] = 0.5
	}
	w := make([]float64, numAccountInputs)
	bias := 0.0
	lambda := opts.Lambda
	for range opts.MaxSweeps {
		moved := 0.0
		// Bias: not penalised.
		g, h := 0.0, 0.0
		for i := range n {
			g += float64(cnt[i] * (p[i] - py[i]))
			h += float64(cnt[i] * float64(p[i]*(1-p[i])))
		}
		if h > 0 {
			d := -g / h
			bias += d
			for i := range n {
				z[i] += d
				p[i] = sigmoidPortable(z[i])
			}
			moved = max(moved, abs(d))
		}
		for _, j := range feats {
			g, h := float64(lambda*w[j]), lambda
			for _, i := range cols[j] {
				g += float64(cnt[i] * (p[i] - py[i]))
				h += float64(cnt[i] * float64(p[i]*(1-p[i])))
			}
			nw := w[j] - g/h
			switch accountFeatures[j].sign {
			case 1:
				nw = max(nw, 0)
			case -1:
				nw = min(nw, 0)
			}
			d := nw - w[j]
			if d == 0 {
				continue
			}
			w[j] = nw
			for _, i := range cols[j] {
				z[i] += d
				p[i] = sigmoidPortable(z[i])
			}
			moved = max(moved, abs(d))
		}
		if moved < opts.Tolerance {
			break
		}
	}
	for j := range w {
		if w[j] == 0 {
			w[j] = 0 // no negative zero in the file
		}
	}
	return &submodel{Features: set, Bias: bias, W: w}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
