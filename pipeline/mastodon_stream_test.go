package pipeline_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// TestMastodonPublicDiscovery: a run with queries [public] and no seeds
// listens to the instance's public stream where it is allowed, and the
// accounts it found are collected and scored; an instance whose stream
// wants a token is polled instead, and the run says so; one that wants a
// token for the timeline too records that reason as the discovery's error.
func TestMastodonPublicDiscovery(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream simulator.MastodonStreamOptions
		public string
		via    string // the start of the run's discovery line
		reason string // the discover error's, when discovery fails
	}{
		{name: "streaming", via: "public: streaming http://"},
		{name: "stream needs a token", stream: simulator.MastodonStreamOptions{NeedsToken: true},
			via: `public: polling /api/v1/timelines/public (min_id, 40 per page): the instance's public stream needs an access token (HTTP 401 "Missing access token"`},
		{name: "timeline needs a token too", public: simulator.MastodonPublicPreviewOff,
			reason: "public stream needs an access token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An hour of the instance's posts per second of the test.
			clock := simulator.ScaledClock(t1, 3600)
			sim := simulator.New(simulator.Options{Seed: 9, Creators: 300, Now: clock,
				MastodonPublic: tc.public, MastodonStream: tc.stream,
				Limits:    map[string]simulator.Limit{"mastodon": {}},
				Jetstream: simulator.JetstreamOptions{Poll: 5 * time.Millisecond}})
			srv := httptest.NewServer(sim.Handler())
			defer srv.Close()
			cfg := config.Default()
			cfg.RefreshAfter = 0
			cfg.Concurrency = 2
			cfg.Platforms = map[string]collectors.PlatformConfig{
				"mastodon": {
					Enabled: true, BaseURL: srv.URL + "/mastodon", RatePerSecond: 2000, Burst: 100,
					Timeout: 5 * time.Second, MaxRetries: 2, MaxRetryWait: 5 * time.Second,
					Queries: []string{"public"}, MaxCreators: 12, Posts: 20, ThreadPosts: 2,
					Options: map[string]string{"stream_for": "20s", "stream_statuses": "30"},
				},
			}
			st := openStore(t)
			p, err := pipeline.New(cfg, st, pipeline.WithClock(clock))
			if err != nil {
				t.Fatal(err)
			}
			run, err := p.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			ps := run.Platforms["mastodon"]
			if tc.reason != "" {
				found := false
				for _, e := range run.Errors {
					if e.Stage == "discover" && strings.Contains(e.Reason, tc.reason) && strings.Contains(e.Reason, "signed-in users only") {
						found = true
					}
				}
				if !found || ps.Discovered != 0 {
					t.Fatalf("want a discover error naming %q and nothing discovered: %+v %+v", tc.reason, run.Errors, ps)
				}
				return
			}
			if len(ps.Discovery) != 1 || !strings.HasPrefix(ps.Discovery[0], tc.via) {
				t.Fatalf("discovery %q, want it to start with %q", ps.Discovery, tc.via)
			}
			if ps.Discovered == 0 || ps.Scored == 0 {
				t.Fatalf("discovered %d, scored %d; errors %+v", ps.Discovered, ps.Scored, run.Errors)
			}
			top, err := st.Top(context.Background(), store.TopQuery{Platform: "mastodon", Limit: 50})
			if err != nil || len(top) == 0 {
				t.Fatalf("top: %d %v", len(top), err)
			}
			// The run document keeps the line (both backends store runs whole).
			saved, err := st.Run(context.Background(), run.ID)
			if err != nil || len(saved.Platforms["mastodon"].Discovery) != 1 {
				t.Errorf("saved run: %+v %v", saved.Platforms["mastodon"], err)
			}
			t.Logf("%s; %d discovered, %d scored, %d requests", ps.Discovery[0], ps.Discovered, ps.Scored, ps.Requests)
		})
	}
}
