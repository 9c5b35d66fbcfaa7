package classify

import (
	"fmt"
	"math"
)

// AccountEval is the result of scoring labelled accounts: the confusion
// figures of the fake class and the calibration of PFake.
type AccountEval struct {
	Metrics Metrics `json:"metrics"`
	// Brier is the mean squared error of PFake against the 0/1 label.
	Brier float64 `json:"brier"`
	// ECE is the expected calibration error over ten equal-width bins of
	// PFake: Σ (bin size ÷ n) · |mean PFake − share fake|.
	ECE float64 `json:"ece"`
	// Classes counts the predicted classes (real, fake, inactive).
	Classes map[AccountClass]int `json:"classes"`
}

// EvalAccounts scores rows with m, with the fields of hide treated as
// unknown, and compares the fake decision (PFake ≥ 0.5) with the labels.
func EvalAccounts(m *AccountModel, rows []LabeledAccount, hide Field) AccountEval {
	var c Confusion
	var bins [10]struct{ n, pos, sum float64 }
	e := AccountEval{Classes: map[AccountClass]int{}}
	for _, r := range rows {
		p := r.Profile
		p.Known &^= hide
		v := m.PredictProfile(p)
		e.Classes[v.Class]++
		c.Add(v.PFake >= m.Threshold(), r.Fake)
		y := 0.0
		if r.Fake {
			y = 1
		}
		e.Brier += (v.PFake - y) * (v.PFake - y)
		b := min(int(v.PFake*10), 9)
		bins[b].n++
		bins[b].pos += y
		bins[b].sum += v.PFake
	}
	e.Metrics = c.Metrics()
	if n := float64(len(rows)); n > 0 {
		e.Brier /= n
		for _, b := range bins {
			if b.n > 0 {
				e.ECE += b.n / n * math.Abs(b.sum/b.n-b.pos/b.n)
			}
		}
	}
	return e
}

// AccountCV is the result of a k-fold cross-validation of the account model.
type AccountCV struct {
	Hide   Field         `json:"-"`
	Folds  []AccountEval `json:"folds"`
	Pooled AccountEval   `json:"pooled"` // all held-out predictions together
	// MeanAccuracy and MeanF1 average the per-fold figures.
	MeanAccuracy float64 `json:"mean_accuracy"`
	MeanF1       float64 `json:"mean_f1"`
}

// CrossValidateAccounts runs stratified k-fold cross-validation: the rows of
// each class are shuffled with seed and dealt round-robin into k folds;
// each fold is scored, with the fields of hide unknown, by a model trained
// on the other k−1 (trained for that field set only).
func CrossValidateAccounts(rows []LabeledAccount, k int, seed uint64, opts AccountTrainOptions, hide Field) (AccountCV, error) {
	if k < 2 || k > len(rows) {
		return AccountCV{}, fmt.Errorf("cross-validating accounts: k=%d for %d rows", k, len(rows))
	}
	labels := make([]bool, len(rows))
	for i, r := range rows {
		labels[i] = r.Fake
	}
	cv := AccountCV{Hide: hide}
	for f, test := range stratifiedFolds(labels, k, seed) {
		held, train := splitRows(rows, test)
		m, err := TrainAccountsFor(train, opts, FieldsTrained&^hide)
		if err != nil {
			return AccountCV{}, fmt.Errorf("fold %d: %w", f+1, err)
		}
		e := EvalAccounts(m, held, hide)
		cv.Folds = append(cv.Folds, e)
		cv.MeanAccuracy += e.Metrics.Accuracy / float64(k)
		cv.MeanF1 += e.Metrics.F1 / float64(k)
	}
	cv.Pooled = poolEvals(cv.Folds)
	return cv, nil
}

// poolEvals pools fold results: counts add up, Brier and ECE are weighted by
// fold size (ECE pooled this way is an upper bound of the pooled-bin ECE).
func poolEvals(folds []AccountEval) AccountEval {
	p := AccountEval{Classes: map[AccountClass]int{}}
	n := 0
	for _, f := range folds {
		p.Metrics = p.Metrics.Plus(f.Metrics)
		k := f.Metrics.N()
		n += k
		p.Brier += f.Brier * float64(k)
		p.ECE += f.ECE * float64(k)
		for c, v := range f.Classes {
			p.Classes[c] += v
		}
	}
	if n > 0 {
		p.Brier /= float64(n)
		p.ECE /= float64(n)
	}
	return p
}

// splitRows returns the rows at the (ascending) indices test, and the rest.
func splitRows(rows []LabeledAccount, test []int) (held, train []LabeledAccount) {
	in := make([]bool, len(rows))
	for _, i := range test {
		in[i] = true
	}
	for i, r := range rows {
		if in[i] {
			held = append(held, r)
		} else {
			train = append(train, r)
		}
	}
	return held, train
}
