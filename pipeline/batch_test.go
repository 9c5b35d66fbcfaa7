package pipeline_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/nanoscout/nanoscout/pipeline"
)

// TestBlueskyProfilesReadInBatches: the polling pipeline reads Bluesky
// profiles with getProfiles, 25 per call, instead of one getProfile per
// creator; the run document's requests per scored creator counts it (one
// profile request per creator before batching).
func TestBlueskyProfilesReadInBatches(t *testing.T) {
	clk := newClock(t1)
	sim := newTestSim(7, clk)
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	const n = 60
	seeds := sim.Population().SeedHandles("bluesky", n)
	cfg := simConfig(srv.URL, seeds)
	cfg.Concurrency = 4
	cfg.Audience.Sample = 0 // its follower profiles come from getProfiles too
	p, err := pipeline.New(cfg, openStore(t), pipeline.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps := run.Platforms["bluesky"]
	bs := sim.Stats().Platforms["bluesky"]
	if ps.Scored != n {
		t.Fatalf("scored %d of %d (errors %v)", ps.Scored, n, run.Errors)
	}
	single, batched := bs.ByEndpoint["app.bsky.actor.getProfile"], bs.ByEndpoint["app.bsky.actor.getProfiles"]
	// ceil(60/25) = 3 batches; a worker whose creator was queued after the
	// batches started may open one more each.
	if single != 0 || batched < 3 || batched > 3+int64(cfg.Concurrency) {
		t.Errorf("profile requests for %d creators: %d getProfile, %d getProfiles (want 0 and 3–%d)", n, single, batched, 3+cfg.Concurrency)
	}
	others := bs.Requests - batched
	if want := float64(bs.Requests) / float64(n); ps.Requests != bs.Requests || ps.RequestsPerScored != want {
		t.Errorf("run: %d requests, %.3f per scored; simulator %d (%.3f)", ps.Requests, ps.RequestsPerScored, bs.Requests, want)
	}
	// One request per creator saved, nearly: the rest is feed pages,
	// threads and follows.
	if before := float64(others+n) / n; before-ps.RequestsPerScored < 0.85 {
		t.Errorf("requests per scored creator %.2f, one profile call each would be %.2f", ps.RequestsPerScored, before)
	}
	t.Logf("requests per scored creator: %.2f (with one getProfile each: %.2f); %d getProfiles calls", ps.RequestsPerScored, float64(others+n)/n, batched)
}
