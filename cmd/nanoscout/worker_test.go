package main

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
)

// TestWorkerCommand: `nanoscout run` with distributed.enabled and work:
// false collects nothing itself; two `nanoscout worker --once` (with their
// client ids) collect the run, and the run summary lists them.
func TestWorkerCommand(t *testing.T) {
	sim := simulator.New(simulator.Options{Seed: 9, Creators: 120, PerClientLimits: true})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	dir := t.TempDir()
	path := writeConfig(t, fmt.Sprintf(`refresh_after: 0s
audience: {sample: 0}
distributed:
  enabled: true
  work: false
  batch_size: 2
  claim_ttl: 5s
  poll: 50ms
platforms:
  bluesky: {enabled: false}
  mastodon:
    enabled: true
    base_url: %s/mastodon
    rate_per_second: 200
    burst: 10
    max_creators: 8
    posts: 5
    thread_posts: 0
    seeds: [%s]
`, srv.URL, strings.Join(sim.Population().SeedHandles("mastodon", 8), ", ")))
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			_, errOut, code := execCLI(t, "worker", "--once", "--config", path, "--data-dir", dir, "--client-id", fmt.Sprintf("cli-%d", i), "--log-level", "error")
			if code != 0 {
				t.Errorf("worker %d: exit %d, %s", i, code, errOut)
			}
		})
	}
	out, errOut, code := execCLI(t, "run", "--json", "--config", path, "--data-dir", dir, "--log-level", "error")
	wg.Wait()
	if code != 0 {
		t.Fatalf("run: exit %d, %s", code, errOut)
	}
	var run model.Run
	if err := jsonUnmarshal(out, &run); err != nil {
		t.Fatal(err)
	}
	if s := run.Platforms["mastodon"]; s == nil || s.Collected != 8 {
		t.Errorf("mastodon: %+v, want 8 collected", s)
	}
	total := 0
	for _, w := range run.Workers {
		total += w.Creators
		if !strings.HasPrefix(w.Client, "cli-") {
			t.Errorf("worker %+v has no client id", w)
		}
	}
	if total != 8 {
		t.Errorf("workers %+v collected %d, want 8", run.Workers, total)
	}
	var sum strings.Builder
	printRunSummary(&sum, run, 0)
	if !strings.Contains(sum.String(), "WORKER") || !strings.Contains(sum.String(), "cli-1") {
		t.Errorf("the run summary lacks the workers:\n%s", sum.String())
	}
}
