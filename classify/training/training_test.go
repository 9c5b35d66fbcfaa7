package training

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestShippedModelsAreReproducible rebuilds the models from classify/data
// and compares them byte for byte with classify/models: the shipped files
// must be exactly what make train writes.
func TestShippedModelsAreReproducible(t *testing.T) {
	files, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("Build returned %d files", len(files))
	}
	for i, f := range files {
		if !bytes.Equal(f.Data, again[i].Data) {
			t.Errorf("%s: two builds differ", f.Name)
		}
		shipped, err := os.ReadFile(filepath.Join("..", "models", f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Data, shipped) {
			t.Errorf("classify/models/%s differs from a fresh build: run make train (go run ./classify/cmd/train)", f.Name)
		}
	}
}

func TestTopCommentBaselines(t *testing.T) {
	for video, rows := range CommentBaselines {
		if len(rows) != 12 {
			t.Errorf("%s: %d rows", video, len(rows))
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].MCC > rows[i-1].MCC {
				t.Errorf("%s: not ordered by MCC at %s", video, rows[i].Classifier)
			}
		}
		for _, r := range rows {
			if n := r.TP + r.TN + r.FP + r.FN; n != 106 && n != 132 {
				t.Errorf("%s %s: test size %d", video, r.Classifier, n)
			}
		}
		top := TopCommentBaselines(video, 3)
		hasLogistic := false
		for _, r := range top {
			hasLogistic = hasLogistic || r.Classifier == "Logistic"
		}
		if len(top) < 3 || len(top) > 4 || !hasLogistic {
			t.Errorf("%s: top %v", video, top)
		}
	}
	if TopCommentBaselines("unknown", 3) != nil {
		t.Error("unknown video has baselines")
	}
}

func TestBaselineFiguresMatchTheirCounts(t *testing.T) {
	// Catches transcription slips: each row's figures follow from its counts.
	for video, rows := range CommentBaselines {
		for _, r := range rows {
			n := float64(r.TP + r.TN + r.FP + r.FN)
			acc := float64(r.TP+r.TN) / n
			f1 := 2 * float64(r.TP) / float64(2*r.TP+r.FP+r.FN)
			sc := float64(r.TP) / float64(r.TP+r.FN)
			bh := float64(r.FP) / float64(r.FP+r.TN)
			for _, c := range []struct {
				name      string
				got, want float64
				tol       float64
			}{
				{"accuracy", r.Accuracy, acc, 0.00006},
				{"F1", r.F1, f1, 0.0006},
				{"spam caught", r.SpamCaught, sc, 0.00006},
				{"blocked ham", r.BlockedHam, bh, 0.00006},
			} {
				if d := c.got - c.want; d > c.tol || d < -c.tol {
					t.Errorf("%s %s: %s %.4f, counts give %.4f", video, r.Classifier, c.name, c.got, c.want)
				}
			}
		}
	}
}
