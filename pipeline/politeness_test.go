package pipeline_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// politeLimit sets a collector's limiter from the simulator's fixed window
// so that no window can see more than the limit: rate × window + burst ≤
// share × requests. A share below 1 leaves headroom for requests granted
// by the limiter in order but reaching the server a few milliseconds apart
// (a loaded machine or a real network reorders them across a window's edge).
func politeLimit(lim simulator.Limit, share float64) (rate float64, burst int) {
	burst = 2
	return (share*float64(lim.Requests) - float64(burst)) / lim.Window.Seconds(), burst
}

type politeness struct {
	elapsed time.Duration // from the first request the simulator saw to the last
	sim     simulator.PlatformStats
	run     *model.PlatformStats
}

// collectBacklog collects maxCreators Bluesky creators against a simulator
// limited to lim, with the collector's limits set from the simulator's.
func collectBacklog(tb testing.TB, lim simulator.Limit, share float64, maxCreators int) politeness {
	sim := simulator.New(simulator.Options{Seed: 3, Creators: 2000, Limits: map[string]simulator.Limit{"bluesky": lim}})
	var mu sync.Mutex
	var first, last time.Time
	h := sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		mu.Lock()
		if first.IsZero() {
			first = now
		}
		last = now
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := simConfig(srv.URL, sim.Population().SeedHandles("bluesky", 40))
	pc := cfg.Platforms["bluesky"]
	pc.RatePerSecond, pc.Burst = politeLimit(lim, share)
	pc.MaxCreators = maxCreators
	cfg.Platforms["bluesky"] = pc
	cfg.Concurrency = 8
	st, err := sqlite.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	p, err := pipeline.New(cfg, st)
	if err != nil {
		tb.Fatal(err)
	}
	run, err := p.Run(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return politeness{elapsed: last.Sub(first), sim: sim.Stats().Platforms["bluesky"], run: run.Platforms["bluesky"]}
}

// TestPoliteCollectionIsNeverRejected: with the collector's limits derived
// from the platform's, the simulator rejects no request, and the run record
// carries the request, 429 and limiter-wait figures.
func TestPoliteCollectionIsNeverRejected(t *testing.T) {
	r := collectBacklog(t, simulator.Limit{Requests: 40, Window: 500 * time.Millisecond}, 0.9, 12)
	if r.sim.Rejected != 0 || r.run.Throttled != 0 {
		t.Errorf("simulator rejected %d requests, run saw %d 429s", r.sim.Rejected, r.run.Throttled)
	}
	if r.run.Collected != 12 || r.run.Requests != r.sim.Requests {
		t.Errorf("collected %d; run counted %d requests, simulator %d", r.run.Collected, r.run.Requests, r.sim.Requests)
	}
	if r.run.LimiterWaitMS == 0 {
		t.Error("a backlog above the limit waited 0 ms on the limiter")
	}
}

// BenchmarkPoliteness reports throughput while collecting (requests between
// the first and the last one the simulator saw) as a share of the allowed rate,
// requests the simulator rejected, and requests per creator next to the
// minimum the API allows (one getProfiles call per 25 creators + one feed
// page + one call per thread read).
func BenchmarkPoliteness(b *testing.B) {
	lim := simulator.Limit{Requests: 150, Window: time.Second}
	for range b.N {
		r := collectBacklog(b, lim, 1, 150)
		allowed := float64(lim.Requests) / lim.Window.Seconds() * r.elapsed.Seconds()
		b.ReportMetric(100*float64(r.sim.Requests)/allowed, "%allowed_rate")
		b.ReportMetric(float64(r.sim.Rejected), "rejected")
		if r.run.Collected > 0 {
			// The minimum for collection: profiles 25 per getProfiles call,
			// one feed page each, one call per thread read. Audience
			// sampling (weekly; followers and their profiles) is reported
			// apart.
			minimum := (r.run.Collected+24)/25 + r.run.Collected + int(r.sim.ByEndpoint["app.bsky.feed.getPostThread"])
			n := float64(r.run.Collected)
			b.ReportMetric(float64(r.run.Requests-r.run.AudienceRequests)/n, "req/creator")
			b.ReportMetric(float64(minimum)/n, "min_req/creator")
			b.ReportMetric(float64(r.run.AudienceRequests)/n, "audience_req/creator")
		}
	}
}
