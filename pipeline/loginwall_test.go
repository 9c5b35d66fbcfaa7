package pipeline_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/tiktok"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// TestLoginWallPausesOnlyThatPlatform: when every TikTok request meets a
// login wall, the run names the wall, pauses TikTok after a few creators,
// keeps the walled creators' stored data (marked stale), and collects
// Bluesky as usual.
func TestLoginWallPausesOnlyThatPlatform(t *testing.T) {
	const seed = 5
	open := func(f simulator.Faults) (*simulator.Server, *httptest.Server) {
		sim := simulator.New(simulator.Options{Seed: seed, Creators: 300, Faults: f})
		return sim, httptest.NewServer(sim.Handler())
	}
	sim, srv := open(simulator.Faults{})
	defer srv.Close()
	tiktokSeeds := sim.Population().SeedHandles("tiktok", 12)
	cfg := simConfig(srv.URL, sim.Population().SeedHandles("bluesky", 4))
	cfg.Platforms["tiktok"] = collectors.PlatformConfig{
		Enabled: true, BaseURL: srv.URL + "/tiktok", RatePerSecond: 2000, Burst: 100,
		Timeout: 5 * time.Second, MaxRetries: 1, MaxRetryWait: time.Second,
		Seeds: tiktokSeeds, MaxCreators: len(tiktokSeeds), Posts: 30, ThreadPosts: 2,
	}
	st := openStore(t)
	ctx := context.Background()
	p, err := pipeline.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	first, err := p.Run(ctx)
	if err != nil || first.Platforms["tiktok"].Collected < 8 {
		t.Fatalf("first run: %v %+v", err, first.Platforms["tiktok"])
	}
	before, err := st.Top(ctx, store.TopQuery{Platform: "tiktok", Limit: 100})
	if err != nil || len(before) == 0 {
		t.Fatalf("no stored tiktok creators: %v", err)
	}

	// The same population behind a login wall on every TikTok request.
	_, walled := open(simulator.Faults{LoginWallRate: 1})
	defer walled.Close()
	cfg2 := simConfig(walled.URL, sim.Population().SeedHandles("bluesky", 4))
	pc := cfg.Platforms["tiktok"]
	pc.BaseURL = walled.URL + "/tiktok"
	cfg2.Platforms["tiktok"] = pc
	p2, err := pipeline.New(cfg2, st)
	if err != nil {
		t.Fatal(err)
	}
	run, err := p2.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tk, bs := run.Platforms["tiktok"], run.Platforms["bluesky"]
	if tk.Paused != "login wall" {
		t.Errorf("tiktok paused = %q, want \"login wall\"", tk.Paused)
	}
	if tk.Seen >= len(tiktokSeeds) {
		t.Errorf("tiktok: %d of %d creators tried after the wall; the platform was not paused", tk.Seen, len(tiktokSeeds))
	}
	if bs.Collected == 0 || bs.Failed != 0 {
		t.Errorf("bluesky was affected: %+v", bs)
	}
	walls := 0
	for _, e := range run.Errors {
		if e.Platform == "tiktok" && strings.Contains(e.Reason, "login wall") {
			walls++
		}
	}
	if walls == 0 {
		t.Errorf("no tiktok error names the login wall: %+v", run.Errors)
	}
	for _, old := range before {
		now, err := st.Creator(ctx, old.Key)
		if err != nil {
			t.Fatal(err)
		}
		if now.Creator.Followers != old.Creator.Followers || now.Score == nil || now.Score.Composite != old.Score.Composite {
			t.Errorf("%s: stored data changed behind a login wall", old.Key)
		}
		if now.Status == model.StatusGone {
			t.Errorf("%s marked gone behind a login wall", old.Key)
		}
	}
	stale := 0
	for _, old := range before {
		if now, _ := st.Creator(ctx, old.Key); now.Status == model.StatusStale {
			stale++
		}
	}
	if stale == 0 {
		t.Error("no walled creator was marked stale")
	}
}
