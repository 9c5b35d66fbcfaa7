package classify

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// CommentTrainOptions are the hyper-parameters of TrainComments. The
// epochs, the rate, the seed, the stack's L2 strength and the candidate
// grids were fixed by hand; the L2 strengths of both views and the
// threshold are chosen from their grids by cross-validation inside the
// training rows only.
type CommentTrainOptions struct {
	// Lambdas is the grid of L2 strengths of the n-gram view. TrainComments
	// picks the one with the best mean F1 over leave-one-source-out folds of
	// its own training rows (5 stratified folds when they come from a single
	// source); ties go to the larger λ.
	Lambdas []float64
	// IntentLambdas is the same for the intent view.
	IntentLambdas []float64
	Epochs        int     // passes of stochastic gradient descent
	Rate          float64 // initial learning rate η0; η_t = η0/(1+λη0t)
	Seed          uint64  // shuffling seed
	// StackL2 is the L2 strength on the two view weights of the stack
	// (summed log-loss); it keeps the combination close to an average when
	// the out-of-source scores say little.
	StackL2 float64
	// Thresholds are the candidate spam thresholds: the one with the best
	// mean F1 of the stacked out-of-source scores over the inner folds wins;
	// ties go to the one nearest 0.5, then to the larger.
	Thresholds []float64
}

// DefaultCommentTrainOptions are the options the shipped model is trained
// with.
func DefaultCommentTrainOptions() CommentTrainOptions {
	return CommentTrainOptions{
		Lambdas:       []float64{1e-5, 3e-5, 1e-4, 3e-4, 1e-3},
		IntentLambdas: []float64{1e-4, 1e-3, 1e-2},
		Epochs:        30,
		Rate:          0.2,
		Seed:          20150725,
		StackL2:       1,
		Thresholds:    []float64{0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7},
	}
}

// doc is one training comment as sparse features.
type doc struct {
	val     []float64 // feature values
	bucket  []uint32  // hash buckets, before compaction
	intents intentSet
	y       float64 // 1 = spam
	spam    bool
	source  string
}

// docOf extracts a comment's features with the values scoring gives them.
func docOf(sc *scratch, c LabeledComment) doc {
	extract(sc, c.Author, c.Text)
	d := doc{source: c.Source, spam: c.Spam, intents: sc.intents}
	if c.Spam {
		d.y = 1
	}
	add := func(bs []uint32, v float64) {
		for _, b := range bs {
			d.bucket = append(d.bucket, b)
			d.val = append(d.val, v)
		}
	}
	if n := len(sc.text); n > 0 {
		add(sc.text, 1/math.Sqrt(float64(n)))
	}
	if n := len(sc.chars); n > 0 {
		add(sc.chars, 1/math.Sqrt(float64(n)))
	}
	if n := len(sc.author); n > 0 {
		add(sc.author, authorScale/math.Sqrt(float64(n)))
	}
	add(sc.meta, 1)
	return d
}

// intentDoc is d seen by the intent view: one feature per intent signal
// present (its index as the bucket), value 1.
func intentDoc(d doc) doc {
	out := doc{intents: d.intents, y: d.y, spam: d.spam, source: d.source}
	for k := range numIntents {
		if d.intents.has(k) {
			out.bucket = append(out.bucket, uint32(k))
			out.val = append(out.val, 1)
		}
	}
	return out
}

func docsOf(rows []LabeledComment) []doc {
	sc := &scratch{}
	docs := make([]doc, len(rows))
	for i, r := range rows {
		docs[i] = docOf(sc, r)
	}
	return docs
}

// TrainComments trains a CommentModel on rows. The result depends only on
// rows (their order included) and opts: the same input gives the same model
// byte for byte on every platform.
//
// Inside rows, by leave-one-source-out folds (see innerFolds): each view's
// λ is chosen, each view's out-of-fold logits are kept for its λ, the stack
// is fitted on those and the threshold chosen on the stacked out-of-fold
// probabilities. Both views are then refitted on all rows.
func TrainComments(rows []LabeledComment, opts CommentTrainOptions) (*CommentModel, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := checkBothClasses(rows); err != nil {
		return nil, err
	}
	docs := docsOf(rows)
	idocs := make([]doc, len(docs))
	for i, d := range docs {
		idocs[i] = intentDoc(d)
	}
	folds := innerFolds(docs, opts.Seed)
	lambda, oofN, err := tuneView(docs, folds, opts.Lambdas, opts)
	if err != nil {
		return nil, err
	}
	ilambda, oofI, err := tuneView(idocs, folds, opts.IntentLambdas, opts)
	if err != nil {
		return nil, err
	}
	var xn, xi []float64
	var y []bool
	for i := range docs {
		if oofN.ok[i] && oofI.ok[i] {
			xn = append(xn, oofN.z[i])
			xi = append(xi, oofI.z[i])
			y = append(y, docs[i].spam)
		}
	}
	stack := fitStack(xn, xi, y, opts.StackL2)
	threshold := chooseThreshold(docs, folds, oofN, oofI, stack, opts.Thresholds)

	m := fitNGram(docs, lambda, opts)
	iw, ib := fitLinear(idocs, ilambda, opts)
	for j, b := range iw.buckets {
		m.intent[b] = iw.w[j]
	}
	m.intentBias = ib
	m.stack = stack
	m.threshold = threshold
	m.info.IntentLambda = ilambda
	m.info.IntentWeights, m.info.IntentBias = m.intent, m.intentBias
	m.info.Stack, m.info.Threshold = stack, threshold
	return m, nil
}

func (o CommentTrainOptions) check() error {
	if len(o.Lambdas) == 0 || len(o.IntentLambdas) == 0 || len(o.Thresholds) == 0 || o.Epochs <= 0 || !(o.Rate > 0) || !(o.StackL2 >= 0) {
		return fmt.Errorf("training comment model: bad options %+v", o)
	}
	for _, l := range append(append([]float64(nil), o.Lambdas...), o.IntentLambdas...) {
		if !(l > 0) {
			return fmt.Errorf("training comment model: λ must be positive, got %v", l)
		}
	}
	for _, t := range o.Thresholds {
		if !(t > 0 && t < 1) {
			return fmt.Errorf("training comment model: threshold must be in (0, 1), got %v", t)
		}
	}
	return nil
}

func checkBothClasses(rows []LabeledComment) error {
	var spam, ham int
	for _, r := range rows {
		if r.Spam {
			spam++
		} else {
			ham++
		}
	}
	if spam == 0 || ham == 0 {
		return fmt.Errorf("training comment model: need both classes, got %d spam and %d ham", spam, ham)
	}
	return nil
}

// innerFolds splits docs for tuning: one fold per source when there are
// several sources, else 5 stratified folds.
func innerFolds(docs []doc, seed uint64) [][]int {
	var sources []string
	seen := map[string]int{}
	for _, d := range docs {
		if _, ok := seen[d.source]; !ok {
			seen[d.source] = len(sources)
			sources = append(sources, d.source)
		}
	}
	if len(sources) >= 2 {
		folds := make([][]int, len(sources))
		for i, d := range docs {
			k := seen[d.source]
			folds[k] = append(folds[k], i)
		}
		return folds
	}
	labels := make([]bool, len(docs))
	for i, d := range docs {
		labels[i] = d.spam
	}
	return stratifiedFolds(labels, 5, seed)
}

// oof holds out-of-fold logits: z[i] is doc i's logit from a model that
// did not see its fold; ok[i] is false when that fold could not be scored
// (its training part lacked a class).
type oof struct {
	z  []float64
	ok []bool
}

// tuneView picks λ from lambdas by cross-validation over folds of docs only
// (mean F1 at probability 0.5; ties to the larger λ) and returns it with
// the out-of-fold logits of that λ.
func tuneView(docs []doc, folds [][]int, lambdas []float64, opts CommentTrainOptions) (float64, oof, error) {
	best, bestF1 := 0.0, -1.0
	var bestOOF oof
	for _, lambda := range lambdas {
		o := oof{z: make([]float64, len(docs)), ok: make([]bool, len(docs))}
		sum, used := 0.0, 0
		for k, test := range folds {
			train := make([]doc, 0, len(docs))
			for j, f := range folds {
				if j != k {
					for _, i := range f {
						train = append(train, docs[i])
					}
				}
			}
			if !bothClassesDocs(train) {
				continue
			}
			lw, b := fitLinear(train, lambda, opts)
			w := lw.byBucket()
			var c Confusion
			for _, i := range test {
				z := w.logit(b, docs[i])
				o.z[i], o.ok[i] = z, true
				c.Add(z >= 0, docs[i].spam)
			}
			sum += c.Metrics().F1
			used++
		}
		if used == 0 {
			return 0, oof{}, errors.New("training comment model: no tuning fold has both classes")
		}
		mean := sum / float64(used)
		if mean > bestF1 || mean == bestF1 && lambda > best {
			best, bestF1, bestOOF = lambda, mean, o
		}
	}
	return best, bestOOF, nil
}

// chooseThreshold picks the threshold with the best mean F1 of the stacked
// out-of-fold probabilities over the folds (ties to the one nearest 0.5,
// then the larger).
func chooseThreshold(docs []doc, folds [][]int, n, in oof, s CommentStack, cands []float64) float64 {
	best, bestF1 := 0.0, -1.0
	for _, t := range cands {
		sum, used := 0.0, 0
		for _, f := range folds {
			var c Confusion
			for _, i := range f {
				if n.ok[i] && in.ok[i] {
					c.Add(sigmoidPortable(s.combine(n.z[i], in.z[i])) >= t, docs[i].spam)
				}
			}
			if c.TP+c.FN > 0 && c.TN+c.FP > 0 {
				sum += c.Metrics().F1
				used++
			}
		}
		if used == 0 {
			continue
		}
		mean := sum / float64(used)
		// Distances to 0.5 within 1e-9 are equal (0.45 and 0.55 are not
		// exactly as far in binary).
		d, bd := math.Abs(t-0.5), math.Abs(best-0.5)
		if mean > bestF1 || mean == bestF1 && (d < bd-1e-9 || d <= bd+1e-9 && t > best) {
			best, bestF1 = t, mean
		}
	}
	if bestF1 < 0 {
		return 0.5
	}
	return best
}

// fitStack fits the stack P(spam) = σ(a·n + b·i + c) to out-of-fold logits
// n (n-gram view) and i (intent view) by Newton's method on the summed
// log-loss plus (l2/2)(a² + b²): a fixed 50 iterations, each step cut to at
// most 1 in every coordinate, starting from the plain sum (a = b = 1,
// c = 0). Products are converted explicitly so that no compiler fuses them
// (see fitLinear); the result is the same bits on every platform.
func fitStack(n, in []float64, y []bool, l2 float64) CommentStack {
	w := [3]float64{1, 1, 0}
	if len(y) == 0 {
		return CommentStack{NGram: 1, Intent: 1}
	}
	for range 50 {
		var g [3]float64
		var h [3][3]float64
		for k := range y {
			x := [3]float64{n[k], in[k], 1}
			z := float64(w[0]*x[0]) + float64(w[1]*x[1]) + w[2]
			p := sigmoidPortable(z)
			r := p
			if y[k] {
				r = p - 1
			}
			v := float64(p * (1 - p))
			for a := range 3 {
				g[a] += float64(r * x[a])
				for b := range 3 {
					h[a][b] += float64(float64(v*x[a]) * x[b])
				}
			}
		}
		for a := range 2 {
			g[a] += float64(l2 * w[a])
			h[a][a] += l2
		}
		for a := range 3 {
			h[a][a] += 1e-9
		}
		d := solve3(h, g)
		for a := range 3 {
			w[a] -= max(-1, min(1, d[a]))
		}
	}
	return CommentStack{NGram: w[0], Intent: w[1], Bias: w[2]}
}

// solve3 solves a·x = b by Gaussian elimination with partial pivoting.
func solve3(a [3][3]float64, b [3]float64) [3]float64 {
	for i := range 3 {
		p := i
		for j := i + 1; j < 3; j++ {
			if math.Abs(a[j][i]) > math.Abs(a[p][i]) {
				p = j
			}
		}
		a[i], a[p] = a[p], a[i]
		b[i], b[p] = b[p], b[i]
		if a[i][i] == 0 {
			return [3]float64{}
		}
		for j := i + 1; j < 3; j++ {
			f := a[j][i] / a[i][i]
			for k := i; k < 3; k++ {
				a[j][k] -= float64(f * a[i][k])
			}
			b[j] -= float64(f * b[i])
		}
	}
	var x [3]float64
	for i := 2; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < 3; k++ {
			s -= float64(a[i][k] * x[k])
		}
		x[i] = s / a[i][i]
	}
	return x
}

func bothClassesDocs(docs []doc) bool {
	var s, h bool
	for _, d := range docs {
		s = s || d.spam
		h = h || !d.spam
	}
	return s && h
}

// linearWeights are the weights of a fitted view, one per bucket that
// occurs in its training docs: w[j] belongs to buckets[j].
type linearWeights struct {
	buckets []uint32
	w       []float64
}

// bucketWeights maps a bucket to its weight, for scoring docs.
type bucketWeights map[uint32]float64

func (lw linearWeights) byBucket() bucketWeights {
	d := make(bucketWeights, len(lw.buckets))
	for j, b := range lw.buckets {
		d[b] = lw.w[j]
	}
	return d
}

// logit scores a doc with the float32-rounded weights, as the shipped n-gram
// view does, so that tuning sees what scoring will.
func (d bucketWeights) logit(bias float64, x doc) float64 {
	z := bias
	for i, b := range x.bucket {
		z += float64(float64(float32(d[b])) * x.val[i])
	}
	return z
}

// fitNGram fits the n-gram view on docs and returns it as a model whose
// stack passes the n-gram logit through.
func fitNGram(docs []doc, lambda float64, opts CommentTrainOptions) *CommentModel {
	lw, bias := fitLinear(docs, lambda, opts)
	m := &CommentModel{
		w:         make([]float32, numBuckets),
		bias:      bias,
		stack:     CommentStack{NGram: 1},
		threshold: 0.5,
		info: CommentModelInfo{
			FeatureVersion: featureVersion,
			Lambda:         lambda,
			Epochs:         opts.Epochs,
			Rows:           len(docs),
		},
	}
	for j, b := range lw.buckets {
		w := float32(lw.w[j])
		m.w[b] = w
		if w != 0 {
			m.info.NonZero++
		}
	}
	return m
}

// fitLinear minimises the L2-regularised logistic loss
//
//	(1/n) Σ log(1+exp(-y'·(w·x+b))) + (λ/2)‖w‖²
//
// by stochastic gradient descent: a fixed number of epochs, each a seeded
// shuffle, step η0/(1+λη0t), the regulariser applied through a scale factor
// so that each step only touches the comment's features, and the returned
// weights the mean of the epoch-end iterates of the second half (Polyak
// averaging). Every product that feeds a sum is converted explicitly, so no
// compiler may fuse it into an FMA, and the logistic function is
// expPortable: the weights are the same bits on every platform.
func fitLinear(docs []doc, lambda float64, opts CommentTrainOptions) (linearWeights, float64) {
	// Compact the hash buckets that occur into 0..dim-1, in bucket order.
	var all []uint32
	for _, d := range docs {
		all = append(all, d.bucket...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	uniq := all[:0]
	for i, b := range all {
		if i == 0 || b != all[i-1] {
			uniq = append(uniq, b)
		}
	}
	index := make(map[uint32]int32, len(uniq))
	for i, b := range uniq {
		index[b] = int32(i)
	}
	idx := make([][]int32, len(docs))
	for i, d := range docs {
		idx[i] = make([]int32, len(d.bucket))
		for k, b := range d.bucket {
			idx[i][k] = index[b]
		}
	}

	dim := len(uniq)
	v := make([]float64, dim) // w = scale·v
	avg := make([]float64, dim)
	scale, bias, avgBias := 1.0, 0.0, 0.0
	averaged := 0
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	r := newRNG(opts.Seed)
	eta0 := opts.Rate
	t := 0.0
	for epoch := 0; epoch < opts.Epochs; epoch++ {
		r.shuffle(order)
		for _, i := range order {
			d := &docs[i]
			di := idx[i]
			eta := eta0 / (1 + float64(float64(lambda*eta0)*t))
			s := 0.0
			for k, j := range di {
				s += float64(v[j] * d.val[k])
			}
			g := sigmoidPortable(bias+float64(scale*s)) - d.y
			scale *= 1 - float64(eta*lambda)
			step := float64(eta*g) / scale
			for k, j := range di {
				v[j] -= float64(step * d.val[k])
			}
			bias -= float64(eta * g)
			if scale < 1e-9 {
				for j := range v {
					v[j] = float64(v[j] * scale)
				}
				scale = 1
			}
			t++
		}
		if epoch >= opts.Epochs/2 {
			for j := range v {
				avg[j] += float64(v[j] * scale)
			}
			avgBias += bias
			averaged++
		}
	}
	lw := linearWeights{buckets: append([]uint32(nil), uniq...), w: make([]float64, dim)}
	for j := range avg {
		lw.w[j] = avg[j] / float64(averaged)
	}
	return lw, avgBias / float64(averaged)
}
