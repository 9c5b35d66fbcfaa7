package classify_test

import (
	"testing"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/training"
)

// BenchmarkCommentSpam scores the 1,138 shipped comments in turn on one
// goroutine; comments/s is per core (target ≥ 50,000).
func BenchmarkCommentSpam(b *testing.B) {
	rows, err := training.Comments()
	if err != nil {
		b.Fatal(err)
	}
	m := classify.DefaultComments()
	m.Spam("", "") // decode the model before timing
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r := rows[n%len(rows)]
		m.Spam(r.Author, r.Text)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "comments/s")
}

// BenchmarkAccountPredict scores the 576 shipped accounts in turn.
func BenchmarkAccountPredict(b *testing.B) {
	rows, err := training.Accounts()
	if err != nil {
		b.Fatal(err)
	}
	m := classify.DefaultAccounts()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		m.PredictProfile(rows[n%len(rows)].Profile)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "accounts/s")
}
