package classify

import (
	"errors"
	"fmt"
	"slices"
)

// EvalComments scores rows with m and compares IsSpam with the labels.
func EvalComments(m *CommentModel, rows []LabeledComment) Metrics {
	var c Confusion
	for _, r := range rows {
		c.Add(m.IsSpam(r.Author, r.Text), r.Spam)
	}
	return c.Metrics()
}

// CommentFold is the result of one leave-one-source-out fold.
type CommentFold struct {
	Held   string  // the held-out source (video)
	Train  int     // training comments (all other sources)
	Lambda float64 // n-gram view's L2 strength chosen inside the training sources
	// IntentLambda is the intent view's, chosen the same way.
	IntentLambda float64
	// Stack combines the views, fitted inside the training sources.
	Stack CommentStack
	// Threshold is the spam threshold chosen inside the training sources.
	Threshold float64
	Metrics   Metrics // on the held-out source
}

// CrossValidateComments runs leave-one-source-out cross-validation: for each
// distinct Source in rows (in order of first appearance) it trains with
// TrainComments on the rows of every other source — so λ is tuned on those
// sources only, and so are the stack and the threshold — and evaluates on
// the held-out one. It returns the folds and
// the pooled metrics.
func CrossValidateComments(rows []LabeledComment, opts CommentTrainOptions) ([]CommentFold, Metrics, error) {
	var sources []string
	bySource := map[string][]LabeledComment{}
	for _, r := range rows {
		if _, ok := bySource[r.Source]; !ok {
			sources = append(sources, r.Source)
		}
		bySource[r.Source] = append(bySource[r.Source], r)
	}
	if len(sources) < 2 {
		return nil, Metrics{}, errors.New("leave-one-source-out needs comments from at least two sources")
	}
	var folds []CommentFold
	var pooled Metrics
	for _, held := range sources {
		var train []LabeledComment
		for _, s := range sources {
			if s != held {
				train = append(train, bySource[s]...)
			}
		}
		m, err := TrainComments(train, opts)
		if err != nil {
			return nil, Metrics{}, fmt.Errorf("fold %s: %w", held, err)
		}
		met := EvalComments(m, bySource[held])
		folds = append(folds, CommentFold{Held: held, Train: len(train), Lambda: m.info.Lambda, IntentLambda: m.info.IntentLambda,
			Stack: m.stack, Threshold: m.threshold, Metrics: met})
		pooled = pooled.Plus(met)
	}
	return folds, pooled, nil
}

// stratifiedFolds deals the indices of each class, shuffled with seed, into
// k folds round-robin (positives first, continuing where they stopped), so
// every fold has the class balance of the whole within one row. Each fold
// lists its indices in ascending order.
func stratifiedFolds(labels []bool, k int, seed uint64) [][]int {
	var pos, neg []int
	for i, l := range labels {
		if l {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	r := newRNG(seed)
	r.shuffle(pos)
	r.shuffle(neg)
	folds := make([][]int, k)
	j := 0
	for _, i := range append(pos, neg...) {
		folds[j%k] = append(folds[j%k], i)
		j++
	}
	for _, f := range folds {
		slices.Sort(f)
	}
	return folds
}
