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
	cv.Pooled = PoolAccountEvals(cv.Folds)
	return cv, nil
}

// PoolAccountEvals pools results: counts add up, Brier and ECE are weighted by
// fold size (ECE pooled this way is an upper bound of the pooled-bin ECE).
func PoolAccountEvals(folds []AccountEval) AccountEval {
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

// RobustnessCheck is one robustness check of the account model on the
// training data: a protocol, what it changes, and the pooled held-out
// result.
type RobustnessCheck struct {
	Group string      `json:"group"` // "fields", "leave-one-field-out", "split", "leave-one-class-group-out"
	Name  string      `json:"name"`
	Eval  AccountEval `json:"eval"`
	// Note says what the figure means when that is not the plain metrics
	// (e.g. recall on the left-out group only).
	Note string `json:"note,omitempty"`
}

// AccountRobustness runs the robustness checks reported by `nanoscout eval
// accounts --cv`:
//
//   - fields: k-fold cross-validation with sets of fields unknown at test
//     time, as other sources show them (the model answers with the
//     submodel for the fields shown), and once with bio and display name
//     read as EMPTY instead of unknown — the failure of the previous model;
//   - leave-one-field-out: k-fold with one field unknown;
//   - split: one stratified 80/20 train/test split;
//   - leave-one-class-group-out: a kind of fake account (no posts, no
//     avatar, private, …) is left out of training and tested against
//     genuine accounts also unseen; the recall is on that kind only.
func AccountRobustness(rows []LabeledAccount, k int, seed uint64, opts AccountTrainOptions) ([]RobustnessCheck, error) {
	var out []RobustnessCheck
	cv := func(group, name string, hide Field) error {
		c, err := CrossValidateAccounts(rows, k, seed, opts, hide)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, RobustnessCheck{Group: group, Name: name, Eval: c.Pooled})
		return nil
	}
	trained := FieldsTrained
	for _, s := range []struct {
		name string
		hide Field
	}{
		{"all fields", 0},
		{"bio, display name unknown", FieldBio | FieldDisplayName},
		{"bio, display name, avatar unknown", FieldBio | FieldDisplayName | FieldAvatar},
		{"posts, followers, following, avatar, private only (SRF-like)", trained &^ (FieldPosts | FieldFollowers | FieldFollowing | FieldAvatar | FieldPrivate)},
		{"no display name, no link (InstaFake-like)", FieldDisplayName | FieldLink},
		{"posts, followers, following only", trained &^ (FieldPosts | FieldFollowers | FieldFollowing)},
		{"handle and avatar only (commenter-like)", trained &^ (FieldUsername | FieldAvatar)},
	} {
		if err := cv("fields", s.name, s.hide); err != nil {
			return nil, err
		}
	}
	// The old failure: unknown bio and display name read as empty.
	empty, err := crossValidateMutated(rows, k, seed, opts, func(p *Profile) {
		p.BioLength, p.NameWords, p.NameDigitsRatio, p.NameIsHandle = 0, 0, 0, false
	})
	if err != nil {
		return nil, err
	}
	out = append(out, RobustnessCheck{Group: "fields", Name: "bio, display name read as EMPTY (wrong)", Eval: empty,
		Note: "what reading unknown as empty does"})
	for i, n := range fieldNames[:9] {
		if err := cv("leave-one-field-out", n+" unknown", Field(1)<<i); err != nil {
			return nil, err
		}
	}
	// One stratified 80/20 split: the first of five folds is the test set.
	labels := make([]bool, len(rows))
	for i, r := range rows {
		labels[i] = r.Fake
	}
	test, train := splitRows(rows, stratifiedFolds(labels, 5, seed)[0])
	m, err := TrainAccountsFor(train, opts, FieldsTrained)
	if err != nil {
		return nil, err
	}
	out = append(out, RobustnessCheck{Group: "split", Name: fmt.Sprintf("stratified 80/20 split (%d train, %d test)", len(train), len(test)),
		Eval: EvalAccounts(m, test, 0)})
	for _, g := range []struct {
		name string
		in   func(p *Profile) bool
	}{
		{"fakes with no posts", func(p *Profile) bool { return p.Posts == 0 }},
		{"fakes with posts", func(p *Profile) bool { return p.Posts > 0 }},
		{"fakes without avatar", func(p *Profile) bool { return !p.HasAvatar }},
		{"fakes with avatar", func(p *Profile) bool { return p.HasAvatar }},
		{"private fakes", func(p *Profile) bool { return p.Private }},
		{"public fakes", func(p *Profile) bool { return !p.Private }},
	} {
		e, n, err := leaveClassGroupOut(rows, seed, opts, g.in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.name, err)
		}
		out = append(out, RobustnessCheck{Group: "leave-one-class-group-out", Name: fmt.Sprintf("%s (%d) left out of training", g.name, n), Eval: e,
			Note: "recall = share of the left-out kind caught; specificity on unseen genuine accounts"})
	}
	return out, nil
}

// crossValidateMutated is k-fold cross-validation with mutate applied to
// the held-out rows' profiles.
func crossValidateMutated(rows []LabeledAccount, k int, seed uint64, opts AccountTrainOptions, mutate func(*Profile)) (AccountEval, error) {
	labels := make([]bool, len(rows))
	for i, r := range rows {
		labels[i] = r.Fake
	}
	var folds []AccountEval
	for _, test := range stratifiedFolds(labels, k, seed) {
		held, train := splitRows(rows, test)
		m, err := TrainAccountsFor(train, opts, FieldsTrained)
		if err != nil {
			return AccountEval{}, err
		}
		for i := range held {
			mutate(&held[i].Profile)
		}
		folds = append(folds, EvalAccounts(m, held, 0))
	}
	return PoolAccountEvals(folds), nil
}

// leaveClassGroupOut trains on half of the genuine accounts and on the
// fakes outside the group, and tests on the other half of the genuine
// accounts and the fakes of the group.
func leaveClassGroupOut(rows []LabeledAccount, seed uint64, opts AccountTrainOptions, in func(*Profile) bool) (AccountEval, int, error) {
	var genuine []int
	for i, r := range rows {
		if !r.Fake {
			genuine = append(genuine, i)
		}
	}
	newRNG(seed).shuffle(genuine)
	testGenuine := map[int]bool{}
	for _, i := range genuine[:len(genuine)/2] {
		testGenuine[i] = true
	}
	var train, test []LabeledAccount
	n := 0
	for i, r := range rows {
		switch {
		case r.Fake && in(&rows[i].Profile):
			test = append(test, r)
			n++
		case !r.Fake && testGenuine[i]:
			test = append(test, r)
		default:
			train = append(train, r)
		}
	}
	m, err := TrainAccountsFor(train, opts, FieldsTrained)
	if err != nil {
		return AccountEval{}, 0, err
	}
	return EvalAccounts(m, test, 0), n, nil
}
