package classify

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestDefaultCommentsRoundTrip(t *testing.T) {
	m := DefaultComments()
	info := m.Info()
	if info.FeatureVersion != featureVersion || info.NonZero == 0 || info.Threshold != m.Threshold() ||
		!slices.Contains(DefaultCommentTrainOptions().Thresholds, m.Threshold()) {
		t.Fatalf("info %+v threshold %v", info, m.Threshold())
	}
	// Both views and the stack are stored: a link and a call to action
	// count for spam in the intent view, and the stack uses both views.
	if info.IntentWeights[intentURL] <= 0 || info.IntentWeights[intentCTA] <= 0 || info.Stack.NGram <= 0 || info.Stack.Intent <= 0 {
		t.Errorf("intent view %v, stack %+v", info.IntentWeights, info.Stack)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	embedded, _ := models.ReadFile("models/comments.bin")
	if !bytes.Equal(b, embedded) {
		t.Error("MarshalBinary(LoadCommentModel(f)) != f")
	}
	if len(embedded) > 2<<20 {
		t.Errorf("comments.bin is %d bytes, keep it under 2 MB", len(embedded))
	}
}

func TestCommentModelSanity(t *testing.T) {
	m := DefaultComments()
	for _, c := range []struct {
		author, text string
		spam         bool
	}{
		{"Promo Kid", "CHECK OUT MY CHANNEL!!! please subscribe http://www.youtube.com/user/promokid", true},
		{"", "Hey guys, subscribe to my channel for free iphone giveaway http://bit.ly/xyz", true},
		{"Maria", "I love this song so much, it reminds me of summer 2012 ♥", false},
		{"tom", "who is still listening in 2015?", false},
	} {
		p := m.Spam(c.author, c.text)
		if p <= 0 || p >= 1 {
			t.Errorf("Spam(%q) = %v, not a probability", c.text, p)
		}
		if m.IsSpam(c.author, c.text) != c.spam {
			t.Errorf("IsSpam(%q, %q) = %v (p=%.3f), want %v", c.author, c.text, !c.spam, p, c.spam)
		}
	}
	// Empty input scores without panicking.
	_ = m.Spam("", "")
	_ = m.Spam(strings.Repeat("x", 1e5), strings.Repeat("<br />&amp;\ufeff", 1e4))
}

func TestCommentModelConcurrent(t *testing.T) {
	m := DefaultComments()
	texts := []string{"check out my channel", "nice song", "http://x.com free money", strings.Repeat("la ", 500)}
	want := make([]float64, len(texts))
	for i, s := range texts {
		want[i] = m.Spam("a", s)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := (i + g) % len(texts)
				if got := m.Spam("a", texts[k]); got != want[k] {
					t.Errorf("concurrent Spam(%q) = %v, want %v", texts[k], got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestLoadCommentModelErrors(t *testing.T) {
	good, _ := models.ReadFile("models/comments.bin")
	bad := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("NSCOMM99"), good[8:]...),
		"truncated": good[:len(good)/2],
		"trailing":  append(append([]byte(nil), good...), 0),
		"version":   append(append([]byte(commentMagic), 99), good[9:]...),
		"format 1":  append([]byte("NSCOMM01"), good[8:]...),
	}
	for name, b := range bad {
		if _, err := LoadCommentModel(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := LoadCommentModel(bad["format 1"]); err == nil || !strings.Contains(err.Error(), "make train") {
		t.Errorf("an old-format file: %v, want an error that says to run make train", err)
	}
	// A non-finite stack weight is refused.
	m, err := LoadCommentModel(good)
	if err != nil {
		t.Fatal(err)
	}
	m2 := *m
	m2.stack.Intent = math.Inf(1)
	b, _ := m2.MarshalBinary()
	if _, err := LoadCommentModel(b); err == nil {
		t.Error("infinite stack weight: no error")
	}
}

func TestTrainCommentsErrors(t *testing.T) {
	rows := []LabeledComment{{Text: "a", Spam: true}, {Text: "b", Spam: true}}
	if _, err := TrainComments(rows, DefaultCommentTrainOptions()); err == nil {
		t.Error("one class: no error")
	}
	for name, f := range map[string]func(*CommentTrainOptions){
		"no λ":               func(o *CommentTrainOptions) { o.Lambdas = nil },
		"no intent λ":        func(o *CommentTrainOptions) { o.IntentLambdas = nil },
		"negative intent λ":  func(o *CommentTrainOptions) { o.IntentLambdas = []float64{-1} },
		"no threshold":       func(o *CommentTrainOptions) { o.Thresholds = nil },
		"threshold 1":        func(o *CommentTrainOptions) { o.Thresholds = []float64{0.5, 1} },
		"negative stack L2":  func(o *CommentTrainOptions) { o.StackL2 = -1 },
		"stack L2 not a num": func(o *CommentTrainOptions) { o.StackL2 = math.NaN() },
	} {
		o := DefaultCommentTrainOptions()
		f(&o)
		if _, err := TrainComments(append(rows, LabeledComment{Text: "c"}), o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTrainCommentsSingleSourceTuning(t *testing.T) {
	// With one source, λ is tuned on 5 stratified folds: still deterministic.
	var rows []LabeledComment
	for i := range 60 {
		rows = append(rows,
			LabeledComment{Source: "s", Text: "subscribe to my channel please " + strings.Repeat("!", i%4), Spam: true},
			LabeledComment{Source: "s", Text: "great song, love it " + strings.Repeat("x", i%5)})
	}
	a, err := TrainComments(rows, DefaultCommentTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := TrainComments(rows, DefaultCommentTrainOptions())
	ab, _ := a.MarshalBinary()
	bb, _ := b.MarshalBinary()
	if !bytes.Equal(ab, bb) {
		t.Error("training is not deterministic")
	}
	if !a.IsSpam("", "subscribe to my channel please") || a.IsSpam("", "great song, love it") {
		t.Error("toy model does not separate its own training data")
	}
}
