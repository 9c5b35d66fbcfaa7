package scoring

import (
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/configs"
	"github.com/nanoscout/nanoscout/model"
)

func TestParseBenchmarksRejects(t *testing.T) {
	t.Parallel()
	tier := func(extra string) string {
		return "{low: 1, high: 2, mid: 1.5, kind: published, source: s" + extra + "}"
	}
	platform := func(nano, extra string) string {
		return `
platforms:
  p:
    name: P
    basis: followers
    posts_n: 10
    posts_n_source: s
    likes_per_comment: {low: 1, high: 2, kind: assumed, source: s}` + extra + `
    tiers:
      nano: ` + nano + `
      micro: ` + tier("") + `
      mid: ` + tier("") + `
      macro: ` + tier("") + `
      mega: ` + tier("") + `
`
	}
	if _, err := ParseBenchmarks([]byte(platform(tier(""), ""))); err != nil {
		t.Fatalf("the valid base document fails: %v", err)
	}
	tests := []struct {
		name, doc, wantInErr string
	}{
		{"unknown key in a tier", platform(tier(", midd: 3"), ""), "midd"},
		{"unknown key in a platform", platform(tier(""), "\n    post_n: 3"), "post_n"},
		{"unknown top-level key", "platfroms: {}\n", "platfroms"},
		{"unknown tier", strings.Replace(platform(tier(""), ""), "mega:", "giga:", 1), "giga"},
		{"missing tier", strings.Replace(platform(tier(""), ""), "      mega: "+tier("")+"\n", "", 1), `"mega" missing`},
		{"no source", platform("{low: 1, high: 2, mid: 1.5, kind: published}", ""), "no source"},
		{"mid outside the range", platform("{low: 1, high: 2, mid: 3, kind: published, source: s}", ""), "low ≤ mid ≤ high"},
		{"zero figure", platform("{low: 0, high: 2, mid: 1, kind: published, source: s}", ""), "positive"},
		{"unknown kind", platform("{low: 1, high: 2, mid: 1.5, kind: guessed, source: s}", ""), "guessed"},
		{"unknown basis", strings.Replace(platform(tier(""), ""), "basis: followers", "basis: reach", 1), "reach"},
		{"posts_n without source", strings.Replace(platform(tier(""), ""), "    posts_n_source: s\n", "", 1), "posts_n_source"},
		{"empty document", "", "empty"},
		{"no platforms", "platforms: {}\n", "no platforms"},
		{"not yaml", "platforms: [", "parsing benchmarks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBenchmarks([]byte(tt.doc))
			if err == nil {
				t.Fatalf("no error, want one mentioning %q", tt.wantInErr)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantInErr)
			}
		})
	}
}

func TestBenchmarkLookups(t *testing.T) {
	t.Parallel()
	bm := testBenchmarks(t)
	if got, ok := bm.Benchmark("testgram", model.TierNano); !ok || got != 4 {
		t.Errorf("Benchmark(testgram, nano) = %v, %v; want 4, true", got, ok)
	}
	if got, ok := bm.Benchmark("testgram", model.TierBelow); ok || got != 0 {
		t.Errorf("Benchmark(testgram, below) = %v, %v; want 0, false", got, ok)
	}
	if got, ok := bm.Benchmark("myspace", model.TierNano); ok || got != 0 {
		t.Errorf("Benchmark(myspace, nano) = %v, %v; want 0, false", got, ok)
	}
	if got := bm.PostsN("testgram"); got != 2 {
		t.Errorf("PostsN(testgram) = %d, want 2", got)
	}
	if got := bm.PostsN("myspace"); got != DefaultPostsN {
		t.Errorf("PostsN(myspace) = %d, want DefaultPostsN %d", got, DefaultPostsN)
	}
	if lo, hi := bm.LikesPerComment("testgram"); lo != 5 || hi != 20 {
		t.Errorf("LikesPerComment(testgram) = %v, %v; want 5, 20", lo, hi)
	}
	if lo, hi := bm.LikesPerComment("myspace"); lo != 0 || hi != 0 {
		t.Errorf("LikesPerComment(myspace) = %v, %v; want 0, 0", lo, hi)
	}
	if got := bm.Basis("vidtok"); got != BasisViews {
		t.Errorf("Basis(vidtok) = %q, want %q", got, BasisViews)
	}
	if got := bm.Basis("myspace"); got != BasisFollowers {
		t.Errorf("Basis(myspace) = %q, want %q", got, BasisFollowers)
	}
	var zero Benchmarks
	if _, ok := zero.Benchmark("testgram", model.TierNano); ok || zero.PostsN("x") != DefaultPostsN {
		t.Error("the zero Benchmarks should know nothing and default N")
	}
}

// TestEmbeddedBenchmarks checks that configs/benchmarks.yaml parses and holds
// the published figures quoted in the scoring issue.
func TestEmbeddedBenchmarks(t *testing.T) {
	t.Parallel()
	bm, err := ParseBenchmarks(configs.Benchmarks)
	if err != nil {
		t.Fatalf("configs.Benchmarks: %v", err)
	}
	for _, p := range []string{"bluesky", "mastodon", "youtube", "tiktok", "instagram"} {
		if _, ok := bm.Platforms[p]; !ok {
			t.Errorf("platform %q missing", p)
		}
	}
	published := []struct {
		platform, tier string
		low, high      float64
	}{
		{"instagram", model.TierNano, 2.71, 3.86},
		{"instagram", model.TierMega, 0.8, 1.2},
		{"tiktok", model.TierNano, 10.3, 10.3},
		{"tiktok", model.TierMega, 7.1, 7.1},
	}
	for _, f := range published {
		tb := bm.Platforms[f.platform].Tiers[f.tier]
		if tb.Low != f.low || tb.High != f.high || tb.Kind != KindPublished {
			t.Errorf("%s %s = %v–%v (%s), want %v–%v (published)", f.platform, f.tier, tb.Low, tb.High, tb.Kind, f.low, f.high)
		}
		if want := (f.low + f.high) / 2; !near(tb.Mid, want) {
			t.Errorf("%s %s midpoint = %v, want %v", f.platform, f.tier, tb.Mid, want)
		}
	}
	for p, want := range map[string]int{"instagram": 12, "tiktok": 30, "youtube": 15, "bluesky": 20, "mastodon": 20} {
		if got := bm.PostsN(p); got != want {
			t.Errorf("PostsN(%s) = %d, want %d", p, got, want)
		}
	}
	// ER falls with tier on every platform, and no placeholder poses as published.
	for name, p := range bm.Platforms {
		for i := 1; i < len(tierOrder); i++ {
			if p.Tiers[tierOrder[i]].Mid > p.Tiers[tierOrder[i-1]].Mid {
				t.Errorf("%s: %s benchmark above %s", name, tierOrder[i], tierOrder[i-1])
			}
		}
		if name == "bluesky" || name == "mastodon" {
			for tier, tb := range p.Tiers {
				if tb.Kind != KindAssumed {
					t.Errorf("%s %s is %q; no published figure is known, so it must be assumed", name, tier, tb.Kind)
				}
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig().Validate() = %v", err)
	}
	tests := []struct {
		name      string
		edit      func(*Config)
		wantInErr string
	}{
		{"unknown weight", func(c *Config) { c.Weights["engagment"] = 0.1 }, "engagment"},
		{"negative weight", func(c *Config) { c.Weights[WeightReply] = -1 }, "reply"},
		{"no positive weight", func(c *Config) { c.Weights = map[string]float64{WeightReply: 0} }, "no positive weight"},
		{"negative settle time", func(c *Config) { c.SettledAfter = -1 }, "negative"},
		{"N below 1", func(c *Config) { c.PostsN = map[string]int{"tiktok": 0} }, "tiktok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tt.wantInErr)
			}
		})
	}
}
