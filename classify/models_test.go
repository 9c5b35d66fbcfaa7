package classify

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

func TestDefaultCommentsRoundTrip(t *testing.T) {
	m := DefaultComments()
	if m.Info().FeatureVersion != featureVersion || m.Info().NonZero == 0 || m.Threshold() != 0.5 {
		t.Fatalf("info %+v threshold %v", m.Info(), m.Threshold())
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
	}
	for name, b := range bad {
		if _, err := LoadCommentModel(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTrainCommentsErrors(t *testing.T) {
	rows := []LabeledComment{{Text: "a", Spam: true}, {Text: "b", Spam: true}}
	if _, err := TrainComments(rows, DefaultCommentTrainOptions()); err == nil {
		t.Error("one class: no error")
	}
	o := DefaultCommentTrainOptions()
	o.Lambdas = nil
	if _, err := TrainComments(append(rows, LabeledComment{Text: "c"}), o); err == nil {
		t.Error("no λ: no error")
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
