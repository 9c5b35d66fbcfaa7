package pipeline_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/bluesky"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// clock is a settable time source shared by the simulator and the
// pipeline, so what is "recent" does not depend on when the test runs.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// t1 is the tests' fixed "now".
var t1 = time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)

// newTestSim is a simulator on clk without rate limits (a fixed clock keeps
// every request in one rate window).
func newTestSim(seed int64, clk *clock) *simulator.Server {
	return simulator.New(simulator.Options{Seed: seed, Creators: 300, Now: clk.Now,
		Limits: map[string]simulator.Limit{"bluesky": {}}})
}

// mustStats is st.Stats, every error fatal.
func mustStats(t *testing.T, st store.Store) store.Stats {
	t.Helper()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustTop is st.Top, every error fatal.
func mustTop(t *testing.T, st store.Store, q store.TopQuery) []store.CreatorRecord {
	t.Helper()
	recs, err := st.Top(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func simConfig(baseURL string, seeds []string) config.Config {
	cfg := config.Default()
	cfg.RefreshAfter = 0
	cfg.PostRefresh = time.Hour
	cfg.Concurrency = 2
	cfg.Platforms = map[string]collectors.PlatformConfig{
		"bluesky": {
			Enabled: true, BaseURL: baseURL + "/bluesky", RatePerSecond: 2000, Burst: 100,
			Timeout: 5 * time.Second, MaxRetries: 2, MaxRetryWait: 5 * time.Second,
			Seeds: seeds, MaxCreators: len(seeds), Posts: 20, ThreadPosts: 5,
		},
	}
	return cfg
}

// TestIncrementalCollection: a second collection of the same creators reads
// only the newest page of each feed, fetches no thread of a post older than
// post_refresh (their comments come from the store), stores no duplicate,
// and still scores every creator on its settled posts.
func TestIncrementalCollection(t *testing.T) {
	clk := newClock(t1)
	sim := newTestSim(7, clk)
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	seeds := sim.Population().SeedHandles("bluesky", 6)
	st := openStore(t)
	p, err := pipeline.New(simConfig(srv.URL, seeds), st, pipeline.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run1, err := p.Run(ctx)
	if err != nil || run1.Platforms["bluesky"].Collected == 0 {
		t.Fatalf("first run: %v %+v %+v", err, run1.Platforms["bluesky"], run1.Errors)
	}
	s1 := sim.Stats().Platforms["bluesky"]
	stats1 := mustStats(t, st)
	scores1 := map[string]float64{}
	top1 := mustTop(t, st, store.TopQuery{Limit: 100})
	for _, r := range top1 {
		scores1[r.Key] = r.Score.ER
	}
	if len(top1) == 0 {
		t.Fatal("the first run stored no scored creator")
	}

	clk.Advance(2 * time.Hour)
	run2, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s2 := sim.Stats().Platforms["bluesky"]
	collected := int64(run2.Platforms["bluesky"].Collected)
	if collected != int64(run1.Platforms["bluesky"].Collected) {
		t.Fatalf("second run collected %d, first %d", collected, run1.Platforms["bluesky"].Collected)
	}
	feed1 := s1.ByEndpoint["app.bsky.feed.getAuthorFeed"]
	feed2 := s2.ByEndpoint["app.bsky.feed.getAuthorFeed"] - feed1
	if feed2 != collected {
		t.Errorf("second run read %d feed pages for %d creators, want one each (first run: %d)", feed2, collected, feed1)
	}
	threads1 := s1.ByEndpoint["app.bsky.feed.getPostThread"]
	threads2 := s2.ByEndpoint["app.bsky.feed.getPostThread"] - threads1
	if threads1 == 0 || threads2 >= threads1 {
		t.Errorf("threads fetched: first run %d, second run %d; old threads should come from the store", threads1, threads2)
	}
	t.Logf("feed pages: %d then %d; threads: %d then %d; creators %d", feed1, feed2, threads1, threads2, collected)
	stats2 := mustStats(t, st)
	if stats2["posts"] < stats1["posts"] || stats2["comments"] < stats1["comments"] {
		t.Errorf("documents went down: %v → %v", stats1, stats2)
	}
	top2 := mustTop(t, st, store.TopQuery{Limit: 100})
	if len(top2) != len(top1) {
		t.Errorf("%d scored creators after the second run, %d after the first", len(top2), len(top1))
	}
	for _, r := range top2 {
		if old, ok := scores1[r.Key]; ok && old > 0 && r.Score.ER == 0 {
			t.Errorf("%s: ER %v became 0 on the incremental run", r.Key, old)
		}
		if r.Score.PostsUsed == 0 {
			t.Errorf("%s scored on no posts", r.Key)
		}
	}
}

func TestVelocitySnapshotsStored(t *testing.T) {
	clk := newClock(t1)
	sim := newTestSim(11, clk)
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	seeds := sim.Population().SeedHandles("bluesky", 8)
	cfg := simConfig(srv.URL, seeds)
	cfg.PostRefresh = 10 * 24 * time.Hour
	st := openStore(t)
	p, err := pipeline.New(cfg, st, pipeline.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := clk.Now()
	if _, err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	ps := st
	top := mustTop(t, st, store.TopQuery{Limit: 100})
	if len(top) == 0 {
		t.Fatal("the run stored no scored creator")
	}
	want, got := 0, 0
	for _, r := range top {
		posts, err := st.Posts(ctx, r.Key, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, post := range posts {
			age := start.Sub(post.CreatedAt)
			if (age >= 30*time.Minute && age < 3*time.Hour) || (age >= 18*time.Hour && age < 36*time.Hour) || (age >= 5*24*time.Hour && age < 9*24*time.Hour) {
				want++
			}
			snaps, err := ps.PostSnapshots(ctx, post.Key())
			if err != nil {
				t.Fatal(err)
			}
			for _, sn := range snaps {
				got++
				if sn.Likes == nil || model.Val(sn.Likes) > model.Val(post.Likes) {
					t.Errorf("%s %s: likes %v (post now %v)", post.Key(), sn.Bucket, sn.Likes, post.Likes)
				}
			}
		}
	}
	if want == 0 {
		t.Fatal("no post of these creators in a velocity window: the seed and the fixed clock should give some")
	}
	t.Logf("%d post snapshots for %d posts in a velocity window", got, want)
	if got < want*9/10 || got > want {
		t.Errorf("%d post snapshots stored, %d posts in a velocity window", got, want)
	}
}
