package classify

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// CommentTrainOptions are the hyper-parameters of TrainComments. They were
// fixed before looking at any held-out result, except the L2 strength,
// which is chosen from Lambdas by cross-validation inside the training rows.
type CommentTrainOptions struct {
	// Lambdas is the grid of L2 strengths. With more than one, TrainComments
	// picks the one with the best mean F1 over leave-one-source-out folds of
	// its own training rows (5 stratified folds when they come from a single
	// source); ties go to the larger λ.
	Lambdas []float64
	Epochs  int     // passes of stochastic gradient descent
	Rate    float64 // initial learning rate η0; η_t = η0/(1+λη0t)
	Seed    uint64  // shuffling seed
	// Threshold is the probability from which IsSpam answers true.
	Threshold float64
}

// DefaultCommentTrainOptions are the options the shipped model is trained
// with.
func DefaultCommentTrainOptions() CommentTrainOptions {
	return CommentTrainOptions{
		Lambdas:   []float64{1e-5, 3e-5, 1e-4, 3e-4, 1e-3},
		Epochs:    30,
		Rate:      0.2,
		Seed:      20150725,
		Threshold: 0.5,
	}
}

// doc is one training comment as sparse features.
type doc struct {
	val    []float64 // feature values
	bucket []uint32  // hash buckets, before compaction
	y      float64   // 1 = spam
	spam   bool
	source string
}

// docOf extracts a comment's features with the values scoring gives them.
func docOf(sc *scratch, c LabeledComment) doc {
	extract(sc, c.Author, c.Text)
	d := doc{source: c.Source, spam: c.Spam}
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
func TrainComments(rows []LabeledComment, opts CommentTrainOptions) (*CommentModel, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := checkBothClasses(rows); err != nil {
		return nil, err
	}
	docs := docsOf(rows)
	lambda := opts.Lambdas[0]
	if len(opts.Lambdas) > 1 {
		var err error
		if lambda, err = tuneLambda(docs, opts); err != nil {
			return nil, err
		}
	}
	return fitComments(docs, lambda, opts), nil
}

func (o CommentTrainOptions) check() error {
	if len(o.Lambdas) == 0 || o.Epochs <= 0 || !(o.Rate > 0) || !(o.Threshold > 0 && o.Threshold < 1) {
		return fmt.Errorf("training comment model: bad options %+v", o)
	}
	for _, l := range o.Lambdas {
		if !(l > 0) {
			return fmt.Errorf("training comment model: λ must be positive, got %v", l)
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

// tuneLambda picks λ by cross-validation on docs only.
func tuneLambda(docs []doc, opts CommentTrainOptions) (float64, error) {
	folds := innerFolds(docs, opts.Seed)
	best, bestF1 := 0.0, -1.0
	for _, lambda := range opts.Lambdas {
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
			m := fitComments(train, lambda, opts)
			var c Confusion
			for _, i := range test {
				c.Add(sigmoid(m.logitDoc(docs[i])) >= opts.Threshold, docs[i].spam)
			}
			sum += c.Metrics().F1
			used++
		}
		if used == 0 {
			return 0, errors.New("training comment model: no tuning fold has both classes")
		}
		mean := sum / float64(used)
		if mean > bestF1 || mean == bestF1 && lambda > best {
			best, bestF1 = lambda, mean
		}
	}
	return best, nil
}

func bothClassesDocs(docs []doc) bool {
	var s, h bool
	for _, d := range docs {
		s = s || d.spam
		h = h || !d.spam
	}
	return s && h
}

func (m *CommentModel) logitDoc(d doc) float64 {
	z := m.bias
	for i, b := range d.bucket {
		z += float64(float64(m.w[b]) * d.val[i])
	}
	return z
}

// fitComments minimises the L2-regularised logistic loss
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
func fitComments(docs []doc, lambda float64, opts CommentTrainOptions) *CommentModel {
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
	m := &CommentModel{
		w:         make([]float32, numBuckets),
		bias:      avgBias / float64(averaged),
		threshold: opts.Threshold,
		info: CommentModelInfo{
			FeatureVersion: featureVersion,
			Lambda:         lambda,
			Epochs:         opts.Epochs,
			Rows:           len(docs),
		},
	}
	for j, b := range uniq {
		w := float32(avg[j] / float64(averaged))
		m.w[b] = w
		if w != 0 {
			m.info.NonZero++
		}
	}
	return m
}
