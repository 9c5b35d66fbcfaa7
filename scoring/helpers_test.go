package scoring

import (
	"math"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// now is the fixed scoring time of every test.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// ago is now minus h hours.
func ago(h float64) time.Time { return now.Add(-time.Duration(h * float64(time.Hour))) }

// n is model.N, shorter.
var n = model.N

// testBenchmarksYAML is a small benchmarks file with round numbers, so the
// expectations below can be computed by hand.
const testBenchmarksYAML = `
platforms:
  testgram:
    name: Testgram
    basis: followers
    posts_n: 2
    posts_n_source: test
    likes_per_comment: {low: 5, high: 20, kind: assumed, source: test}
    tiers:
      nano:  {low: 3,   high: 5,   mid: 4,   kind: published,    source: test}
      micro: {low: 2,   high: 2,   mid: 2,   kind: interpolated, source: test}
      mid:   {low: 1,   high: 1,   mid: 1,   kind: interpolated, source: test}
      macro: {low: 0.5, high: 0.5, mid: 0.5, kind: assumed,      source: test}
      mega:  {low: 0.2, high: 0.3, mid: 0.25, kind: published,   source: test}
  vidtok:
    name: VidTok
    basis: views
    posts_n: 3
    posts_n_source: test
    likes_per_comment: {low: 10, high: 100, kind: assumed, source: test}
    tiers:
      nano:  {low: 10, high: 10, mid: 10, kind: published, source: test}
      micro: {low: 8,  high: 8,  mid: 8,  kind: published, source: test}
      mid:   {low: 6,  high: 6,  mid: 6,  kind: published, source: test}
      macro: {low: 5,  high: 5,  mid: 5,  kind: published, source: test}
      mega:  {low: 4,  high: 4,  mid: 4,  kind: published, source: test}
`

func testBenchmarks(t *testing.T) Benchmarks {
	t.Helper()
	bm, err := ParseBenchmarks([]byte(testBenchmarksYAML))
	if err != nil {
		t.Fatalf("parsing test benchmarks: %v", err)
	}
	return bm
}

// near reports whether got is within 1e-9 of want.
func near(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
