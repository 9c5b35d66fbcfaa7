package classify

import (
	"math"
	"testing"
)

func TestIntentSignals(t *testing.T) {
	for _, c := range []struct {
		text string
		want []int
	}{
		{"great song, love it", nil},
		{"visit http://example.com now", []int{intentURL}},
		{"www.a.com and bit.ly/x", []int{intentURL, intentURLs2}},
		{"like this comment if you are watching in 2015", []int{intentBait, intentCTA}},
		{"check out my channel please", []int{intentCTA}},
		{"take a look at this video on youtube:", []int{intentCTA}},
		{"check out my new video www.mysite.com", []int{intentURL, intentCTA}},
		// A link to a YouTube video (the share button) is not a URL.
		{"PSY - GANGNAM STYLE: http://youtu.be/9bZkp7q19f0", nil},
		// Full-width and spaced-out hosts are URLs after normalisation.
		{"ｈｔｔｐ://ｗｗｗ.ｅｂａｙ.ｃｏｍ", []int{intentURL}},
		{"go to mysite dot com", []int{intentURL}},
		// A list number is not a host.
		{"1.it is about love", nil},
	} {
		sc := &scratch{}
		extract(sc, "someone", c.text)
		var want intentSet
		for _, k := range c.want {
			want |= 1 << k
		}
		if sc.intents != want {
			t.Errorf("%q: intents %04b, want %04b", c.text, sc.intents, want)
		}
		// The n-gram view reads the same signals.
		has := func(bs []uint32, b uint32) bool {
			for _, x := range bs {
				if x == b {
					return true
				}
			}
			return false
		}
		if has(sc.meta, metaURL) != want.has(intentURL) || has(sc.meta, metaBait) != want.has(intentBait) || has(sc.text, ctaToken) != want.has(intentCTA) {
			t.Errorf("%q: intent bits %04b disagree with the n-gram features", c.text, sc.intents)
		}
	}
}

func TestIntentDoc(t *testing.T) {
	d := intentDoc(doc{intents: 1<<intentURL | 1<<intentCTA, y: 1, spam: true, source: "s", bucket: []uint32{7, 9}, val: []float64{1, 1}})
	if len(d.bucket) != 2 || d.bucket[0] != intentURL || d.bucket[1] != intentCTA || d.val[0] != 1 || d.val[1] != 1 || !d.spam || d.source != "s" {
		t.Errorf("intentDoc = %+v", d)
	}
}

func TestSolve3(t *testing.T) {
	a := [3][3]float64{{0, 2, 1}, {1, 1, 1}, {2, 1, 3}} // a zero first pivot needs pivoting
	x := [3]float64{1, -2, 0.5}
	var b [3]float64
	for i := range 3 {
		for j := range 3 {
			b[i] += a[i][j] * x[j]
		}
	}
	got := solve3(a, b)
	for i := range 3 {
		if math.Abs(got[i]-x[i]) > 1e-12 {
			t.Fatalf("solve3 = %v, want %v", got, x)
		}
	}
	if got := solve3([3][3]float64{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}, [3]float64{1, 1, 1}); got != [3]float64{} {
		t.Errorf("singular system: %v, want the zero step", got)
	}
}

// TestFitStackRecoversWeights draws labels from a known logistic stack and
// checks fitStack finds it again.
func TestFitStackRecoversWeights(t *testing.T) {
	r := newRNG(7)
	unif := func() float64 { return float64(r.next()>>11) / (1 << 53) }
	const n = 40000
	want := CommentStack{NGram: 2, Intent: 0.5, Bias: -1}
	xn, xi := make([]float64, n), make([]float64, n)
	y := make([]bool, n)
	for k := range n {
		xn[k], xi[k] = 6*unif()-3, 6*unif()-3
		y[k] = unif() < sigmoid(want.combine(xn[k], xi[k]))
	}
	got := fitStack(xn, xi, y, 0)
	if math.Abs(got.NGram-want.NGram) > 0.1 || math.Abs(got.Intent-want.Intent) > 0.1 || math.Abs(got.Bias-want.Bias) > 0.1 {
		t.Errorf("fitStack = %+v, want about %+v", got, want)
	}
	// A strong L2 pulls both view weights toward 0; the bias is free.
	shrunk := fitStack(xn, xi, y, 1e6)
	if math.Abs(shrunk.NGram) > 0.05 || math.Abs(shrunk.Intent) > 0.05 {
		t.Errorf("fitStack with L2 1e6 = %+v, want view weights near 0", shrunk)
	}
	if s := fitStack(nil, nil, nil, 1); s != (CommentStack{NGram: 1, Intent: 1}) {
		t.Errorf("no rows: %+v, want the plain sum", s)
	}
}

func TestChooseThreshold(t *testing.T) {
	// Two folds; the stack passes the n-gram logit through. Spam logits
	// sit at logit(0.62) and logit(0.9), ham at logit(0.2) and logit(0.4):
	// every threshold in (0.4, 0.62] separates them.
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	ps := []float64{0.62, 0.9, 0.2, 0.4, 0.62, 0.9, 0.2, 0.4}
	docs := make([]doc, len(ps))
	o := oof{z: make([]float64, len(ps)), ok: make([]bool, len(ps))}
	zero := oof{z: make([]float64, len(ps)), ok: make([]bool, len(ps))}
	for i, p := range ps {
		docs[i].spam = p > 0.5
		o.z[i], o.ok[i], zero.ok[i] = logit(p), true, true
	}
	folds := [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}}
	s := CommentStack{NGram: 1}
	for _, c := range []struct {
		cands []float64
		want  float64
	}{
		{[]float64{0.3, 0.45, 0.5, 0.6, 0.7}, 0.5}, // 0.45, 0.5, 0.6 tie: nearest 0.5
		{[]float64{0.3, 0.45, 0.55, 0.7}, 0.55},    // 0.45 and 0.55 tie and are as near: the larger
		{[]float64{0.3, 0.35, 0.7}, 0.35},          // 0.35 lets one ham through, 0.3 more, 0.7 misses spam
		{[]float64{0.05, 0.3}, 0.3},                // both admit ham; 0.3 fewer
		{[]float64{0.3, 0.35, 0.4, 0.45, 0.65}, 0.45},
	} {
		if got := chooseThreshold(docs, folds, o, zero, s, c.cands); got != c.want {
			t.Errorf("candidates %v: %v, want %v", c.cands, got, c.want)
		}
	}
}
