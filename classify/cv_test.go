package classify_test

import (
	"testing"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/training"
)

// The targets, checked on the shipped data with the shipped
// training options. These tests fail when a change to the features, the
// optimiser or the options drops a figure below its target.

func TestCommentLeaveOneVideoOutTarget(t *testing.T) {
	rows, err := training.Comments()
	if err != nil {
		t.Fatal(err)
	}
	folds, pooled, err := classify.CrossValidateComments(rows, classify.DefaultCommentTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(folds) != 3 {
		t.Fatalf("%d folds, want one per video (3)", len(folds))
	}
	// The goal: F1 ≥ 0.95 on every held-out video (the shipped
	// options reach 0.974, 0.965, 0.965; pooled 0.968). Everything the
	// model chooses — both views' λ, the stack, the threshold — is chosen
	// inside the two training videos of each fold.
	const floor = 0.95
	for _, f := range folds {
		t.Logf("held out %-20s train %4d  λ=%-6g λi=%-6g stack %+v threshold %.2f %v", f.Held, f.Train, f.Lambda, f.IntentLambda, f.Stack, f.Threshold, f.Metrics)
		if f.Metrics.F1 < floor {
			t.Errorf("%s: leave-one-video-out F1 %.4f < %.2f", f.Held, f.Metrics.F1, floor)
		}
	}
	t.Logf("pooled %v", pooled)
	if pooled.F1 < 0.96 {
		t.Errorf("pooled F1 %.4f < 0.96", pooled.F1)
	}
}

// TestAccountCrossValidation: stratified 10-fold accuracy with every field
// known, and with bio and display name unknown (the held-out source that
// shows neither), where the old model flagged a third of real accounts.
func TestAccountCrossValidation(t *testing.T) {
	rows, err := training.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		hide         classify.Field
		acc, minSpec float64
	}{
		{0, 0.93, 0.93},
		{classify.FieldBio | classify.FieldDisplayName, 0.92, 0.93},
	} {
		cv, err := classify.CrossValidateAccounts(rows, 10, 20200527, classify.DefaultAccountTrainOptions(), c.hide)
		if err != nil {
			t.Fatal(err)
		}
		m := cv.Pooled.Metrics
		t.Logf("hide %v: %v; Brier %.4f ECE %.4f", c.hide, m, cv.Pooled.Brier, cv.Pooled.ECE)
		if m.Accuracy < c.acc || m.Specificity < c.minSpec || cv.Pooled.Brier > 0.07 {
			t.Errorf("hide %v: accuracy %.4f (want ≥ %.2f), specificity %.4f (want ≥ %.2f), Brier %.4f", c.hide, m.Accuracy, c.acc, m.Specificity, c.minSpec, cv.Pooled.Brier)
		}
	}
}

// TestCrossValidationIsHonest checks the protocol rather than the figures:
// a model trained without a video cannot have seen it, so its score on that
// video must differ from the shipped model's (which was trained on it and
// scores its own training data perfectly or nearly so).
func TestCrossValidationIsHonest(t *testing.T) {
	rows, err := training.Comments()
	if err != nil {
		t.Fatal(err)
	}
	var train, held []classify.LabeledComment
	for _, r := range rows {
		if r.Source == "Youtube03-LMFAO" {
			held = append(held, r)
		} else {
			train = append(train, r)
		}
	}
	m, err := classify.TrainComments(train, classify.DefaultCommentTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	if m.Info().Rows != len(train) {
		t.Fatalf("trained on %d rows, gave %d", m.Info().Rows, len(train))
	}
	cvF1 := classify.EvalComments(m, held).F1
	resub := classify.EvalComments(classify.DefaultComments(), held).F1
	t.Logf("LMFAO: held-out F1 %.4f, resubstitution F1 of the shipped model %.4f", cvF1, resub)
	if cvF1 >= resub {
		t.Errorf("held-out F1 %.4f is not below the resubstitution F1 %.4f: is the held-out video leaking into training?", cvF1, resub)
	}
}

func TestShippedDataCounts(t *testing.T) {
	rows, err := training.Comments()
	if err != nil {
		t.Fatal(err)
	}
	type count struct{ spam, ham int }
	got := map[string]count{}
	for _, r := range rows {
		c := got[r.Source]
		if r.Spam {
			c.spam++
		} else {
			c.ham++
		}
		got[r.Source] = c
	}
	want := map[string]count{"Youtube01-Psy": {175, 175}, "Youtube02-KatyPerry": {175, 175}, "Youtube03-LMFAO": {236, 202}}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %+v, want %+v (datasets README)", k, got[k], w)
		}
	}
	acc, err := training.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	fake := 0
	for _, a := range acc {
		if a.Fake {
			fake++
		}
	}
	if len(acc) != 576 || fake != 288 {
		t.Errorf("accounts: %d rows, %d fake; want 576, 288", len(acc), fake)
	}
}

// TestTargetChecksCanFail shows the target tests discriminate: the same
// protocol with a deliberately crippled model (so much L2 on both views
// that it learns almost nothing) misses the F1 target on at least one
// video, and so does the n-gram view alone (the intent view crippled),
// which is the previous model with a stacked calibration.
func TestTargetChecksCanFail(t *testing.T) {
	rows, err := training.Comments()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name            string
		lambda, intentλ float64
		below           float64
	}{
		{"λ=1 on both views", 1, 1, 0.92},
		{"intent view crippled (λ=10)", 0, 10, 0.95},
	} {
		o := classify.DefaultCommentTrainOptions()
		if c.lambda > 0 {
			o.Lambdas = []float64{c.lambda}
		}
		o.IntentLambdas = []float64{c.intentλ}
		folds, _, err := classify.CrossValidateComments(rows, o)
		if err != nil {
			t.Fatal(err)
		}
		worst := 1.0
		for _, f := range folds {
			worst = min(worst, f.Metrics.F1)
		}
		t.Logf("%s: worst held-out F1 %.4f", c.name, worst)
		if worst >= c.below {
			t.Errorf("%s still reaches F1 %.4f on every video: the target check cannot fail", c.name, worst)
		}
	}
}
