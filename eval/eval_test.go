package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
)

func TestSpearman(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"same order", []float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		// ranks x 1 2 3 4 5, y 2 1 4 3 5: 1 − 6·4 ÷ (5·24) = 0.8
		{"hand computed", []float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, 0.8},
		{"too few pairs", []float64{1, 2}, []float64{1, 2}, 0},
		{"no spread", []float64{1, 1, 1}, []float64{1, 2, 3}, 0},
	}
	for _, tt := range tests {
		if got := spearman(tt.x, tt.y); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: spearman = %v, want %v", tt.name, got, tt.want)
		}
	}
	// ties share their mean rank
	if got := ranks([]float64{10, 20, 20, 5}); !equal(got, []float64{2, 3.5, 3.5, 1}) {
		t.Errorf("ranks = %v", got)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPositive(t *testing.T) {
	base := simulator.Truth{Tier: model.TierNano, Archetype: simulator.ArchOrganic, TrueER: 3.5}
	if !positive(base, 3.285) {
		t.Error("an organic nano above the benchmark is not positive")
	}
	for name, edit := range map[string]func(*simulator.Truth){
		"below the benchmark": func(tr *simulator.Truth) { tr.TrueER = 3.2 },
		"micro":               func(tr *simulator.Truth) { tr.Tier = model.TierMicro },
		"bought likes":        func(tr *simulator.Truth) { tr.Archetype = simulator.ArchBoughtLikes },
		"vanished":            func(tr *simulator.Truth) { tr.Vanished = true },
	} {
		tr := base
		edit(&tr)
		if positive(tr, 3.285) {
			t.Errorf("%s counted as positive", name)
		}
	}
}

func TestChoosePlatforms(t *testing.T) {
	got, err := choosePlatforms([]string{"bluesky", "mastodon", "nowhere"}, nil)
	if err != nil || strings.Join(got, ",") != "bluesky,mastodon" {
		t.Errorf("choosePlatforms = %v, %v; want bluesky, mastodon", got, err)
	}
	if _, err := choosePlatforms([]string{"bluesky"}, []string{"mastodon"}); err == nil {
		t.Error("a platform the simulator lacks was accepted")
	}
}

// TestSmoke runs the whole harness on a small population of two platforms
// with faults on, then re-scores the kept run.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline against the simulator for ~20 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	opts := Options{Seed: 7, Creators: 60, Platforms: []string{"bluesky", "mastodon"}, TopK: 10, Dir: dir,
		Faults: "5xx=0.02,truncate=0.005,malformed=0.005,vanish=0.02"}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Platforms) != 2 || res.TopK != 10 || res.Creators != 60 || len(res.Definitions) == 0 {
		t.Fatalf("result = %+v", res)
	}
	for _, p := range res.Platforms {
		if p.Scored < 30 || p.Top == 0 || p.Top > 10 || p.Hits > p.Top || p.Precision < 0 || p.Precision > 1 {
			t.Errorf("%s: scored %d, top %d, hits %d, precision %v", p.Platform, p.Scored, p.Top, p.Hits, p.Precision)
		}
		if p.Requests < p.MinRequests || p.MinRequests == 0 || p.Faults == 0 {
			t.Errorf("%s: requests %d, minimum %d, faults %d", p.Platform, p.Requests, p.MinRequests, p.Faults)
		}
		if p.SpearmanN < 30 || p.Spearman < 0.8 {
			t.Errorf("%s: spearman %v over %d", p.Platform, p.Spearman, p.SpearmanN)
		}
		if len(p.Misses) != p.Top-p.Hits {
			t.Errorf("%s: %d misses for %d of %d hits", p.Platform, len(p.Misses), p.Hits, p.Top)
		}
		a := p.Audience
		if a == nil || a.Source != model.AudienceFollowers || a.Creators < 20 || a.Accounts < 20*a.Creators || a.MAE > 8 || a.MAEList > 12 {
			t.Errorf("%s: audience %+v", p.Platform, a)
		} else if o, bf := a.ByArchetype[simulator.ArchOrganic], a.ByArchetype[simulator.ArchBoughtFollowers]; bf.N > 0 && !(bf.Estimate < o.Estimate-0.2) {
			t.Errorf("%s: bought followers' audience %.2f not well below organic %.2f", p.Platform, bf.Estimate, o.Estimate)
		}
	}
	var out bytes.Buffer
	if err := res.WriteTable(&out, 5); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PLATFORM", "P@10", "bluesky", "mastodon", "authentic high-engagement nano", "Audience quality", "MAE SAMPLE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("result does not encode: %v", err)
	}

	again, err := Rescore(ctx, dir, Options{TopK: 10})
	if err != nil {
		t.Fatalf("Rescore: %v", err)
	}
	for i, p := range again.Platforms {
		was := res.Platforms[i]
		if p.Platform != was.Platform || p.Scored != was.Scored || p.Requests != was.Requests || p.Top != was.Top {
			t.Errorf("re-scored %s differs: %+v, was %+v", p.Platform, p, was)
		}
	}
	if _, err := Run(ctx, opts); err == nil {
		t.Error("Run reused a directory that holds an evaluation")
	}
}

// Worst takes, per platform, the run with the most fraud, then the lowest
// precision, and says which run it was.
func TestWorst(t *testing.T) {
	mk := func(seed int64, prec map[string]float64, fraud map[string]int) Result {
		r := Result{Seed: 42, FaultSeed: seed, TopK: 50, Duration: time.Duration(seed) * time.Minute}
		for _, p := range []string{"bluesky", "instagram"} {
			r.Platforms = append(r.Platforms, PlatformResult{Platform: p, Precision: prec[p], Fraud: fraud[p]})
		}
		return r
	}
	runs := []Result{
		mk(1, map[string]float64{"bluesky": 1, "instagram": 0.98}, map[string]int{}),
		mk(2, map[string]float64{"bluesky": 0.96, "instagram": 1}, map[string]int{"instagram": 1}),
		mk(3, map[string]float64{"bluesky": 0.98, "instagram": 0.96}, map[string]int{}),
	}
	w := Worst(runs)
	if len(w.Runs) != 3 || w.Duration != 3*time.Minute || len(w.Platforms) != 2 {
		t.Fatalf("worst %+v", w)
	}
	if b := w.Platforms[0]; b.Platform != "bluesky" || b.Precision != 0.96 || b.FaultSeed != 2 {
		t.Errorf("bluesky worst %+v, want run 2 (P 0.96)", b)
	}
	if i := w.Platforms[1]; i.Platform != "instagram" || i.Fraud != 1 || i.FaultSeed != 2 {
		t.Errorf("instagram worst %+v, want run 2 (fraud 1 outweighs P 0.96 of run 3)", i)
	}
	var out bytes.Buffer
	if err := w.WriteTable(&out, 0); err != nil || !strings.Contains(out.String(), "worst of 3 runs (fault seeds 1, 2, 3)") {
		t.Errorf("table: %v\n%s", err, out.String())
	}
}

// A platform whose samples could not be judged is in the audience table as
// sampled but not judged, not left out and not shown with a 0-point error.
func TestAudienceTableUnjudged(t *testing.T) {
	var b strings.Builder
	writeAudience(&b, Result{Platforms: []PlatformResult{
		{Platform: "tiktok", Audience: &AudienceEval{Source: model.AudienceCommenters, Unjudged: 87, ByArchetype: map[string]ArchetypeAudience{}}},
		{Platform: "youtube"},
	}})
	out := b.String()
	for _, want := range []string{"tiktok", "commenters", "87 sampled, too few judged", "youtube"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "0.0 pts") {
		t.Errorf("an unjudged platform shows an error figure:\n%s", out)
	}
}
