package stream

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// TestGapFallsBackToPolling: a consumer whose stored cursor is older than
// the service's retention window notices the gap when it resumes, and the
// next round records it on its run document and polls the creators the
// stream was following (profile, posts, threads: a "stream-gap" run of the
// polling pipeline) instead of scoring them from the incomplete stream.
func TestGapFallsBackToPolling(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	const retention = 3 * time.Hour
	sim := simulator.New(simulator.Options{Seed: 7, Creators: 150, Now: func() time.Time { return now },
		Jetstream: simulator.JetstreamOptions{Retention: retention}})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	e := &simEnv{sim: sim, srv: srv, now: now, from: now.Add(-retention).UnixMicro()}
	cfg := serviceConfig(e, retention)
	dir := t.TempDir()
	clock := WithServiceClock(func() time.Time { return now })

	// The stream followed for the retention window; its candidates scored.
	st := openStore(t, dir)
	svc, err := NewService(t.Context(), cfg, st, clock)
	if err != nil {
		t.Fatal(err)
	}
	want := e.count(t)
	runUntil(t, svc.Consumer(), want.LastUS)
	first, err := svc.Round(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Gaps) != 0 || first.Platforms["bluesky"].Scored == 0 {
		t.Fatalf("first round: gaps %+v, %+v", first.Gaps, first.Platforms["bluesky"])
	}
	scored, err := st.StreamCreators(t.Context(), store.StreamCreatorQuery{Stage: store.StageScored})
	if err != nil {
		t.Fatal(err)
	}

	// The daemon was down for longer than the retention: its stored cursor
	// is 10 h old, so the service replays from its oldest event instead.
	stale := now.Add(-10 * time.Hour)
	if err := st.ApplyStream(t.Context(), store.StreamBatch{Name: "bluesky", Cursor: stale.UnixMicro()}); err != nil {
		t.Fatal(err)
	}
	threadsBefore := sim.Stats().Platforms["bluesky"].ByEndpoint["app.bsky.feed.getPostThread"]
	later := now.Add(time.Minute) // the restarted service's clock
	svc2, err := NewService(t.Context(), cfg, st, WithServiceClock(func() time.Time { return later }))
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, svc2.Consumer(), want.LastUS)
	if g := svc2.Consumer().Progress().Gaps; len(g) != 1 || !g[0].From.Before(stale) || g[0].To.Before(now.Add(-retention)) {
		t.Fatalf("gaps noticed: %+v (cursor %s, retention from %s)", g, stale, now.Add(-retention))
	}
	run, err := svc2.Round(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Gaps) != 1 {
		t.Fatalf("round after the gap: gaps %+v", run.Gaps)
	}
	g := run.Gaps[0]
	if g.Affected < len(scored) || g.Polled == 0 || g.Polled > g.Affected || g.PollRun == "" || g.Error != "" {
		t.Errorf("gap %+v; %d creators were scored from the stream", g, len(scored))
	}
	stored, err := st.Run(t.Context(), run.ID)
	if err != nil || len(stored.Gaps) != 1 || stored.Gaps[0].PollRun != g.PollRun {
		t.Errorf("stored round: gaps %+v, %v", stored.Gaps, err)
	}
	poll, err := st.Run(t.Context(), g.PollRun)
	if err != nil {
		t.Fatal(err)
	}
	if ps := poll.Platforms["bluesky"]; poll.Job != GapJob || ps == nil || ps.Scored != g.Polled {
		t.Errorf("polling run %s: job %q, %+v", poll.ID, poll.Job, ps)
	}
	if threads := sim.Stats().Platforms["bluesky"].ByEndpoint["app.bsky.feed.getPostThread"] - threadsBefore; threads == 0 {
		t.Error("the fallback read no thread")
	}
	t.Logf("gap %s → %s: %d creators affected, %d polled and scored by run %s (%d requests)", g.From.Format(time.RFC3339), g.To.Format(time.RFC3339),
		g.Affected, g.Polled, g.PollRun, poll.Platforms["bluesky"].Requests)
	// The polled creators are not scored again from the stream this round.
	if ps := run.Platforms["bluesky"]; ps.Scored != 0 {
		t.Errorf("the funnel re-scored %d creators the gap's polling had just scored", ps.Scored)
	}
	for _, c := range scored {
		rec, err := st.Creator(t.Context(), model.Key("bluesky", c.DID))
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status == model.StatusOK && rec.LastCollected.Before(later) {
			t.Errorf("%s not collected again by the fallback", c.DID)
		}
	}
	// Handled once: the next round has no gap.
	if again, err := svc2.Round(t.Context()); err != nil || len(again.Gaps) != 0 {
		t.Errorf("next round: gaps %+v, %v", again.Gaps, err)
	}
}
