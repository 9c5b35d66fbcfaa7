package stream

import (
	"context"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	_ "github.com/nanoscout/nanoscout/collectors/bluesky"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

func serviceConfig(e *simEnv, window time.Duration) config.Config {
	cfg := config.Default()
	pc := cfg.Platforms["bluesky"]
	pc.Enabled = true
	pc.BaseURL = e.srv.URL + "/bluesky"
	pc.RatePerSecond, pc.Burst = 1000, 100
	pc.Timeout = 10 * time.Second
	cfg.Platforms = map[string]collectors.PlatformConfig{"bluesky": pc}
	cfg.Scoring.SettledAfter = 2 * time.Hour
	cfg.Stream.Hosts = []string{simulator.JetstreamURL(e.srv.URL)}
	cfg.Stream.Since = window
	cfg.Stream.Funnel.Window = window
	cfg.Stream.Funnel.Every = time.Hour
	return cfg
}

// The stream path end to end on the simulator: candidates found on the
// stream are hydrated with batched reads, filtered by tier and scored like
// any other creator, at about one request per scored creator or less.
func TestServiceScoresStreamCandidates(t *testing.T) {
	e := newSim(t, 150, simulator.Faults{})
	cfg := serviceConfig(e, 10*time.Hour)
	st := openStore(t, t.TempDir())
	svc, err := NewService(t.Context(), cfg, st, WithServiceClock(func() time.Time { return e.now }))
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.sim.JetstreamCount(e.now.Add(-10*time.Hour).UnixMicro(), e.now.UnixMicro()+1, simulator.JetstreamFilter{WantedCollections: cfg.Stream.Collections})
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, svc.Consumer(), want.LastUS)

	run, err := svc.Round(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ps := run.Platforms["bluesky"]
	if run.Job != "stream" || run.Status != model.RunSucceeded || ps.Scored == 0 {
		t.Fatalf("round: %+v %+v", run, ps)
	}
	if ps.RequestsPerScored <= 0 || ps.RequestsPerScored > 1.2 {
		t.Errorf("%d requests for %d scored: %.2f per scored creator, want ≤ 1.2", ps.Requests, ps.Scored, ps.RequestsPerScored)
	}
	stored, err := st.Run(t.Context(), run.ID)
	if err != nil || stored.Platforms["bluesky"].Scored != ps.Scored {
		t.Errorf("run document: %+v %v", stored, err)
	}
	top, err := st.Top(t.Context(), store.TopQuery{Platform: "bluesky", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != ps.Scored {
		t.Errorf("%d ranked creators, %d scored", len(top), ps.Scored)
	}
	withComments := 0
	for _, r := range top {
		if r.Score == nil || r.Score.Tier != model.TierNano && r.Score.Tier != model.TierMicro {
			t.Errorf("%s: tier %v outside the funnel's tiers", r.Key, r.Score)
		}
		if r.Score.Rank == 0 {
			t.Errorf("%s not ranked", r.Key)
		}
		if r.Score.ReplyDepth.CommentsSeen > 0 {
			withComments++
		}
	}
	if withComments == 0 {
		t.Error("no scored creator has reply edges from the stream")
	}
	filtered, _ := st.StreamCreators(t.Context(), store.StreamCreatorQuery{Stage: store.StageFiltered})
	t.Logf("candidates %d, scored %d, filtered %d (e.g. %v), %d requests, %.2f per scored creator", ps.Discovered, ps.Scored, len(filtered), firstReason(filtered), ps.Requests, ps.RequestsPerScored)

	// A second round right after has nothing due: no request is spent.
	run2, err := svc.Round(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if p2 := run2.Platforms["bluesky"]; p2.Requests != 0 || p2.Scored != 0 {
		t.Errorf("second round: %+v", p2)
	}
	_ = context.Background
}

func firstReason(cs []store.StreamCreator) string {
	if len(cs) == 0 {
		return ""
	}
	return cs[0].Reason
}
