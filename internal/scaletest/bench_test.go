package scaletest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// Benchmark set-up: every client of the simulator gets its own budget of
// benchRate requests a second per platform (the simulator's per-client
// limits, standing in for each machine's egress IP), and each worker's own
// limiter is set to it. The store is SQLite shared by the processes of one
// machine, so the figure is about rate budgets, not the database.
const (
	benchRate     = 8  // requests per second per client per platform
	benchCreators = 60 // per platform
	benchYTQuota  = 120
)

// BenchmarkWorkers measures the creators collected per minute of a run by
// one and by three worker processes, each with its own rate budget (Bluesky
// and Mastodon), and with YouTube on one API key shared by all of them
// (quota units used vs the day's limit, from the simulator's count).
//
//	go test ./internal/scaletest -run '^$' -bench Workers -benchtime 1x
func BenchmarkWorkers(b *testing.B) {
	perMinute := map[int]float64{}
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			for range b.N {
				perMinute[n] = benchRun(b, n)
			}
			b.ReportMetric(perMinute[n], "creators/min")
		})
	}
	if perMinute[1] > 0 && perMinute[3] > 0 {
		b.Logf("3 workers / 1 worker = %.2f× creators per minute", perMinute[3]/perMinute[1])
	}
}

func benchRun(b *testing.B, workers int) float64 {
	b.Helper()
	limit := simulator.Limit{Requests: benchRate, Window: time.Second}
	sim := simulator.New(simulator.Options{Seed: 21, Creators: 400, PerClientLimits: true, YouTubeQuota: benchYTQuota,
		Limits: map[string]simulator.Limit{"bluesky": limit, "mastodon": limit, "youtube": limit}})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	dir := b.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `data_dir: %q
concurrency: 4
refresh_after: 0s
audience:
  sample: 0
distributed:
  enabled: true
  work: false
  batch_size: 5
  claim_ttl: 10s
  poll: 200ms
  quota_chunk: 20
platforms:
`, dir)
	for _, p := range []string{"bluesky", "mastodon", "youtube"} {
		fmt.Fprintf(&cfg, `  %s:
    enabled: true
    base_url: %s/%s
    rate_per_second: %d
    burst: 1
    timeout: 20s
    max_retries: 4
    max_retry_wait: 30s
    max_creators: %d
    posts: 5
    thread_posts: 0
    seeds: [%s]
`, p, srv.URL, p, benchRate, benchCreators, quoted(sim.Population().SeedHandles(p, benchCreators)))
		if p == "youtube" {
			fmt.Fprintf(&cfg, `    credentials:
      api_key: NANOSCOUT_BENCH_YT_KEY
    options:
      daily_quota: "%d"
      rss_base_url: %s/youtube
`, benchYTQuota, srv.URL)
		}
	}
	path := filepath.Join(b.TempDir(), "nanoscout.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	const key = "bench-shared-youtube-key"
	for i := range workers {
		startWorker(b, path, fmt.Sprintf("bench-%d", i+1), "NANOSCOUT_BENCH_YT_KEY="+key)
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	c := loadConfig(b, path)
	p, err := pipeline.New(c, st, pipeline.WithGetenv(func(k string) string {
		if k == "NANOSCOUT_BENCH_YT_KEY" {
			return key
		}
		return ""
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	run, err := p.Run(context.Background())
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	collected, elapsed := 0, time.Duration(run.DurationMS)*time.Millisecond
	for _, name := range []string{"bluesky", "mastodon"} {
		collected += run.Platforms[name].Collected
	}
	yt := run.Platforms["youtube"]
	ss := sim.Stats().Platforms["youtube"]
	var used int64
	for _, u := range ss.QuotaUnits {
		used += u
	}
	b.Logf("%d workers: %d Bluesky+Mastodon creators in %v (%.1f/min); YouTube: %d collected, paused %q, quota units used %d of %d, quotaExceeded answers %d; run %s",
		workers, collected, elapsed.Round(time.Millisecond), float64(collected)/elapsed.Minutes(), yt.Collected, yt.Paused, used, benchYTQuota, ss.QuotaExceeded, run.Status)
	for _, w := range run.Workers {
		b.Logf("  worker %s (%s): %d batches, %d creators, %d requests, %d 429s, limiter wait %v", w.Name, w.Client, w.Batches, w.Creators, w.Requests, w.Throttled, time.Duration(w.LimiterWaitMS)*time.Millisecond)
	}
	if used > benchYTQuota || ss.QuotaExceeded > 0 {
		b.Errorf("the workers passed the shared YouTube quota: %d units of %d, %d refusals", used, benchYTQuota, ss.QuotaExceeded)
	}
	if run.Status == model.RunFailed {
		b.Errorf("run failed: %+v", run.Errors)
	}
	return float64(collected) / elapsed.Minutes()
}

// quoted is a YAML flow list of strings (YouTube handles start with '@').
func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
