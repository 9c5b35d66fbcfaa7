package mastodon

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/simulator"
)

func TestDiscoverPublicTimeline(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	clock := now
	sim := simulator.New(simulator.Options{Seed: 3, Creators: 200, Now: func() time.Time { return clock }})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	c := newTestCollector(t, withOptions(testEnv(srv.URL+"/mastodon"), map[string]string{"streaming": "off"}))
	ctx := context.Background()

	page, err := c.Discover(ctx, "public", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Candidates) == 0 || len(page.Next) < 5 || page.Next[:4] != "min:" {
		t.Fatalf("first page: %d candidates, next %q", len(page.Candidates), page.Next)
	}
	reqs := sim.Stats().Platforms["mastodon"].Requests
	// Nothing new yet: no candidates, and the cursor is kept by the caller.
	again, err := c.Discover(ctx, "public", page.Next)
	if err != nil || len(again.Candidates) != 0 {
		t.Errorf("polling right away: %+v %v", again, err)
	}
	// Two hours later the accounts that posted since show up, with min_id.
	clock = now.Add(2 * time.Hour)
	later, err := c.Discover(ctx, "public", page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(later.Candidates) == 0 || later.Next == page.Next {
		t.Errorf("after two hours: %+v", later)
	}
	if got := sim.Stats().Platforms["mastodon"].Requests - reqs; got != 2 {
		t.Errorf("%d requests for two polls", got)
	}
}

func TestDiscoverPublicTimelineNeedsToken(t *testing.T) {
	for _, mode := range []string{simulator.MastodonPublicPreviewOff, simulator.MastodonPublicAuthorized} {
		sim := simulator.New(simulator.Options{Seed: 3, Creators: 50, MastodonPublic: mode})
		srv := httptest.NewServer(sim.Handler())
		c := newTestCollector(t, testEnv(srv.URL+"/mastodon"))
		_, err := c.Discover(context.Background(), "public:local", "")
		srv.Close()
		if !errors.Is(err, collectors.ErrAuthRequired) {
			t.Errorf("%s: %v, want ErrAuthRequired", mode, err)
			continue
		}
		// Streaming (auto) was refused first; the error names both.
		if !strings.Contains(err.Error(), "public stream needs an access token") || !strings.Contains(err.Error(), "signed-in users only") {
			t.Errorf("%s: %v, want both the stream's and the timeline's reason", mode, err)
		}
		t.Logf("%s: %v", mode, err)
	}
}
