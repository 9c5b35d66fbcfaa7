package pipeline_test

import (
	"context"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/bluesky"
	_ "github.com/nanoscout/nanoscout/collectors/mastodon"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// TestAudienceSampling: the first run samples every creator's newest
// followers on Bluesky (getFollowers + getProfiles) and Mastodon (followers),
// records it on the run, stores the sample with its judgement, and puts the
// audience quality in the score; a run within audience.refresh_after takes
// no new sample, a run after it does. The estimate is checked against the
// simulator's per-follower ground truth of the same accounts.
func TestAudienceSampling(t *testing.T) {
	clk := newClock(time.Now().UTC())
	sim := simulator.New(simulator.Options{Seed: 11, Creators: 300, Now: clk.Now})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	pop := sim.Population()
	cfg := simConfig(srv.URL, pop.SeedHandles("bluesky", 4))
	cfg.Audience.Sample = 60
	mseeds := pop.SeedHandles("mastodon", 4)
	cfg.Platforms["mastodon"] = collectors.PlatformConfig{
		Enabled: true, BaseURL: srv.URL + "/mastodon", RatePerSecond: 2000, Burst: 100,
		Timeout: 5 * time.Second, MaxRetries: 2, MaxRetryWait: 5 * time.Second,
		Seeds: mseeds, MaxCreators: len(mseeds), Posts: 20, ThreadPosts: 2,
	}
	st := openStore(t)
	p, err := pipeline.New(cfg, st, pipeline.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before := sim.Stats().Platforms
	run1, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := sim.Stats().Platforms
	for _, name := range []string{"bluesky", "mastodon"} {
		ps := run1.Platforms[name]
		if ps.Collected == 0 || ps.AudienceSampled != ps.Collected || ps.AudienceAccounts < 30*ps.Collected {
			t.Fatalf("%s run 1: %+v errors %+v", name, ps, run1.Errors)
		}
		if ps.AudienceRequests <= 0 || ps.AudienceRequests > ps.Requests {
			t.Errorf("%s: audience requests %d of %d", name, ps.AudienceRequests, ps.Requests)
		}
	}
	// Bluesky: one getFollowers page (60 ≤ 100) and three getProfiles calls (25 each) per creator,
	// plus the creators' own profiles read in batches of 25 (one batch for 4; with 2 workers
	// the second may start its own).
	bs := run1.Platforms["bluesky"]
	if got := after["bluesky"].ByEndpoint["app.bsky.graph.getFollowers"] - before["bluesky"].ByEndpoint["app.bsky.graph.getFollowers"]; got != int64(bs.Collected) {
		t.Errorf("getFollowers calls %d for %d creators", got, bs.Collected)
	}
	if got := after["bluesky"].ByEndpoint["app.bsky.actor.getProfiles"] - before["bluesky"].ByEndpoint["app.bsky.actor.getProfiles"]; got < 3*int64(bs.Collected)+1 || got > 3*int64(bs.Collected)+int64(cfg.Concurrency) {
		t.Errorf("getProfiles calls %d for %d creators, want 3 each and 1–%d profile batches", got, bs.Collected, cfg.Concurrency)
	}
	if bs.AudienceRequests != 4*int64(bs.Collected) {
		t.Errorf("bluesky audience requests %d, want 4 per creator", bs.AudienceRequests)
	}
	// Mastodon: 40 a page, so two pages for 60 (one for an account that
	// hides its followers: an empty list).
	if ms := run1.Platforms["mastodon"]; ms.AudienceRequests > 2*int64(ms.AudienceSampled) || ms.AudienceRequests < int64(ms.AudienceSampled) {
		t.Errorf("mastodon audience requests %d for %d samples, want 1–2 each", ms.AudienceRequests, ms.AudienceSampled)
	}

	top, err := st.Top(ctx, store.TopQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range top {
		q := r.Score.Audience
		if q != nil && q.Sampled == 0 && r.Creator.Platform == "mastodon" {
			continue // hides its followers
		}
		if q == nil || q.Source != model.AudienceFollowers || q.Judged == 0 || q.Low > q.Share || q.Share > q.High {
			t.Errorf("%s: audience on the score %+v", r.Key, q)
			continue
		}
		samples, err := st.AudienceSamples(ctx, r.Key, 0)
		if err != nil || len(samples) != 1 || samples[0].Quality == nil || samples[0].Quality.Share != q.Share {
			t.Fatalf("%s: stored samples %v %v", r.Key, len(samples), err)
		}
		// The estimate against the true classes of exactly the sampled accounts.
		realN := 0
		for _, a := range samples[0].Accounts {
			class, ok := pop.AccountClass(r.Creator.Platform, a.ID)
			if !ok {
				t.Fatalf("%s: sampled account %s unknown to the simulator", r.Key, a.ID)
			}
			if class == simulator.ClassReal {
				realN++
			}
		}
		truth := float64(realN) / float64(len(samples[0].Accounts))
		if math.Abs(truth-q.Share) > 0.1 {
			t.Errorf("%s: estimated real share %.2f, true share of the sample %.2f", r.Key, q.Share, truth)
		}
		checked++
	}
	if checked < 6 {
		t.Fatalf("checked %d creators", checked)
	}

	// Within the cadence: no new sample, the stored one still scores.
	clk.Advance(2 * 24 * time.Hour)
	run2, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bluesky", "mastodon"} {
		if ps := run2.Platforms[name]; ps.Collected == 0 || ps.AudienceSampled != 0 || ps.AudienceRequests != 0 {
			t.Errorf("%s run 2 (2 days later): %+v", name, ps)
		}
	}
	top2, _ := st.Top(ctx, store.TopQuery{Limit: 100})
	for _, r := range top2 {
		if r.Score.Audience == nil {
			t.Errorf("%s lost its audience quality on a run without sampling", r.Key)
		}
	}
	// After a week: sampled again, a second sample stored.
	clk.Advance(6 * 24 * time.Hour)
	run3, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ps := run3.Platforms["bluesky"]; ps.AudienceSampled != ps.Collected || ps.Collected == 0 {
		t.Errorf("bluesky run 3 (8 days later): %+v", ps)
	}
	if samples, _ := st.AudienceSamples(ctx, top[0].Key, 0); len(samples) != 2 {
		t.Errorf("%s has %d samples after the weekly refresh, want 2", top[0].Key, len(samples))
	}
}

// The model judge reads unknown fields as unknown: an account that shows
// only a handle is not judged; one that shows what a comment carries
// (handle, avatar, display name) is, by the submodel of those fields; a
// declared bot is fake; a judged account's probabilities sum to 1; more
// posts never make it more fake.
func TestModelJudge(t *testing.T) {
	j := pipeline.ModelJudge()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if v := j.Judge(model.AudienceAccount{Handle: "someone"}, now); v.Known {
		t.Errorf("handle only: judged %+v", v)
	}
	real := j.Judge(model.AudienceAccount{Handle: "someone", HasAvatar: model.B(true), DisplayName: model.S("Some One")}, now)
	bare := j.Judge(model.AudienceAccount{Handle: "someone", HasAvatar: model.B(false), DisplayName: model.S("Some One")}, now)
	if !real.Known || !bare.Known || !(bare.Fake > real.Fake) || math.Abs(real.Real+real.Fake+real.Inactive-1) > 1e-9 {
		t.Errorf("comment profile: with avatar %+v, without %+v (want both judged, more fake without)", real, bare)
	}
	// The same profile with unknown fields filled with values is another
	// verdict: unknown is not read as empty.
	if v := j.Judge(model.AudienceAccount{Handle: "someone", HasAvatar: model.B(true), DisplayName: model.S("Some One"), Bio: model.S("")}, now); v.Fake == real.Fake {
		t.Errorf("an empty bio gives the same verdict as an unknown one: %+v", v)
	}
	if v := j.Judge(model.AudienceAccount{Handle: "b@bots.example", Bot: model.B(true)}, now); !v.Known || v.Fake != 1 {
		t.Errorf("declared bot: %+v", v)
	}
	prev := 2.0
	for _, posts := range []int64{0, 1, 3, 10, 50, 300} {
		a := model.AudienceAccount{Handle: "x.bsky.social", Followers: model.N(40), Following: model.N(900), Posts: model.N(posts),
			HasAvatar: model.B(false), Bio: model.S(""), DisplayName: model.S("")}
		v := j.Judge(a, now)
		if !v.Known || math.Abs(v.Real+v.Fake+v.Inactive-1) > 1e-9 {
			t.Fatalf("posts %d: %+v", posts, v)
		}
		if v.Fake > prev+1e-12 {
			t.Errorf("posts %d: fake %.3f after %.3f with fewer posts", posts, v.Fake, prev)
		}
		prev = v.Fake
	}
	if v := j.Judge(model.AudienceAccount{Posts: model.N(0), Following: model.N(3000), Followers: model.N(3), HasAvatar: model.B(false)}, now); !v.MassFollow || v.Fake < 0.5 {
		t.Errorf("mass-follow account: %+v", v)
	}
}

// audience.max_per_run caps the samples of one run; the creators left over
// are sampled by the next run.
func TestAudienceMaxPerRun(t *testing.T) {
	sim := simulator.New(simulator.Options{Seed: 11, Creators: 300})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	cfg := simConfig(srv.URL, sim.Population().SeedHandles("bluesky", 5))
	cfg.Audience.Sample, cfg.Audience.MaxPerRun = 30, 2
	p, err := pipeline.New(cfg, openStore(t))
	if err != nil {
		t.Fatal(err)
	}
	run1, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ps := run1.Platforms["bluesky"]; ps.Collected < 5 || ps.AudienceSampled != 2 {
		t.Fatalf("run 1: %+v", ps)
	}
	run2, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ps := run2.Platforms["bluesky"]; ps.AudienceSampled != 2 {
		t.Errorf("run 2 sampled %d, want the next 2", ps.AudienceSampled)
	}
}
