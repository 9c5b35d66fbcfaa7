package scoring

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/nanoscout/nanoscout/model"
)

// Bases of a benchmark: the ER its figures measure.
const (
	BasisFollowers = "followers" // interactions per post ÷ followers
	BasisViews     = "views"     // (likes + comments + shares) ÷ views
)

// Kinds of a benchmark figure: how far to trust it.
const (
	KindPublished    = "published"    // from a published report or study
	KindInterpolated = "interpolated" // between published figures of the platform
	KindAssumed      = "assumed"      // a placeholder with no published source
)

// DefaultPostsN is N for a platform that benchmarks.yaml does not list.
const DefaultPostsN = 20

// tierOrder lists the tiers a platform's benchmarks must cover.
var tierOrder = []string{model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega}

// Benchmarks are the engagement-rate benchmarks and platform norms read from
// configs/benchmarks.yaml. The zero value has no platforms: every lookup
// reports that nothing is known.
type Benchmarks struct {
	Platforms map[string]PlatformBenchmarks `yaml:"platforms"`
}

// PlatformBenchmarks are one platform's benchmarks and norms.
type PlatformBenchmarks struct {
	Name            string                   `yaml:"name"`  // display name, e.g. "TikTok"
	Basis           string                   `yaml:"basis"` // BasisFollowers or BasisViews
	PostsN          int                      `yaml:"posts_n"`
	PostsNSource    string                   `yaml:"posts_n_source"`
	LikesPerComment Range                    `yaml:"likes_per_comment"`
	Tiers           map[string]TierBenchmark `yaml:"tiers"`
}

// Range is a platform norm as a low–high range.
type Range struct {
	Low    float64 `yaml:"low"`
	High   float64 `yaml:"high"`
	Kind   string  `yaml:"kind"`
	Source string  `yaml:"source"`
}

// TierBenchmark is one tier's benchmark ER in percent: a published (or
// interpolated, or assumed) range and the midpoint the benchmark index divides by.
type TierBenchmark struct {
	Low    float64 `yaml:"low"`
	High   float64 `yaml:"high"`
	Mid    float64 `yaml:"mid"`
	Kind   string  `yaml:"kind"`
	Source string  `yaml:"source"`
}

// ParseBenchmarks decodes benchmarks.yaml strictly: an unknown key, an unknown
// tier, a basis or kind other than the ones defined here, a missing source or
// a range that does not hold its midpoint is an error naming where it is.
func ParseBenchmarks(data []byte) (Benchmarks, error) {
	var bm Benchmarks
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&bm); err != nil {
		if errors.Is(err, io.EOF) {
			return Benchmarks{}, errors.New("parsing benchmarks: empty document")
		}
		return Benchmarks{}, fmt.Errorf("parsing benchmarks: %w", err)
	}
	if err := bm.validate(); err != nil {
		return Benchmarks{}, fmt.Errorf("parsing benchmarks: %w", err)
	}
	return bm, nil
}

func (bm Benchmarks) validate() error {
	if len(bm.Platforms) == 0 {
		return errors.New("no platforms")
	}
	names := make([]string, 0, len(bm.Platforms))
	for name := range bm.Platforms {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := bm.Platforms[name].validate(); err != nil {
			return fmt.Errorf("platform %q: %w", name, err)
		}
	}
	return nil
}

func (p PlatformBenchmarks) validate() error {
	if p.Basis != BasisFollowers && p.Basis != BasisViews {
		return fmt.Errorf("basis %q: want %q or %q", p.Basis, BasisFollowers, BasisViews)
	}
	if p.PostsN < 0 {
		return fmt.Errorf("posts_n %d is negative", p.PostsN)
	}
	if p.PostsN > 0 && p.PostsNSource == "" {
		return errors.New("posts_n has no posts_n_source")
	}
	if err := checkFigure(p.LikesPerComment.Low, p.LikesPerComment.High, p.LikesPerComment.Low,
		p.LikesPerComment.Kind, p.LikesPerComment.Source); err != nil {
		return fmt.Errorf("likes_per_comment: %w", err)
	}
	for tier := range p.Tiers {
		if !isBenchmarkTier(tier) {
			return fmt.Errorf("unknown tier %q (want one of %v)", tier, tierOrder)
		}
	}
	for _, tier := range tierOrder {
		t, ok := p.Tiers[tier]
		if !ok {
			return fmt.Errorf("tier %q missing", tier)
		}
		if err := checkFigure(t.Low, t.High, t.Mid, t.Kind, t.Source); err != nil {
			return fmt.Errorf("tier %q: %w", tier, err)
		}
	}
	return nil
}

// checkFigure checks that 0 < low ≤ mid ≤ high, all finite, with a known kind
// and a source.
func checkFigure(low, high, mid float64, kind, source string) error {
	for _, v := range []float64{low, high, mid} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return fmt.Errorf("figures must be positive numbers, got low %v, mid %v, high %v", low, mid, high)
		}
	}
	if low > mid || mid > high {
		return fmt.Errorf("want low ≤ mid ≤ high, got low %v, mid %v, high %v", low, mid, high)
	}
	switch kind {
	case KindPublished, KindInterpolated, KindAssumed:
	default:
		return fmt.Errorf("kind %q: want %q, %q or %q", kind, KindPublished, KindInterpolated, KindAssumed)
	}
	if source == "" {
		return errors.New("no source")
	}
	return nil
}

func isBenchmarkTier(tier string) bool {
	for _, t := range tierOrder {
		if t == tier {
			return true
		}
	}
	return false
}

// Benchmark returns the benchmark ER in percent (the midpoint) of a platform's
// tier, and false when the platform or tier has none (TierBelow never has).
func (bm Benchmarks) Benchmark(platform, tier string) (float64, bool) {
	t, ok := bm.Platforms[platform].Tiers[tier]
	if !ok {
		return 0, false
	}
	return t.Mid, true
}

// PostsN returns N, the number of recent settled posts ER is taken over on the
// platform: posts_n from the file, or DefaultPostsN when the platform is not
// listed or sets none.
func (bm Benchmarks) PostsN(platform string) int {
	if n := bm.Platforms[platform].PostsN; n > 0 {
		return n
	}
	return DefaultPostsN
}

// LikesPerComment returns the platform's usual range of likes ÷ comments, or
// 0, 0 when the platform is not listed.
func (bm Benchmarks) LikesPerComment(platform string) (lo, hi float64) {
	r := bm.Platforms[platform].LikesPerComment
	return r.Low, r.High
}

// Basis returns which ER the platform's tier figures measure: BasisFollowers
// (also for an unlisted platform) or BasisViews.
func (bm Benchmarks) Basis(platform string) string {
	if b := bm.Platforms[platform].Basis; b != "" {
		return b
	}
	return BasisFollowers
}

// displayName is the platform's name as a scout reads it.
func (bm Benchmarks) displayName(platform string) string {
	if n := bm.Platforms[platform].Name; n != "" {
		return n
	}
	if platform == "" {
		return "unknown platform"
	}
	return platform
}
