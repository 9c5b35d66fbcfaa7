package schedule_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/schedule"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// mortalStream is a mortal store that also keeps stream state: once
// killed, it writes no batch either.
type mortalStream struct {
	*mortal
	store.StreamStore
}

func (m *mortalStream) ApplyStream(ctx context.Context, b store.StreamBatch) error {
	if err := m.err(); err != nil {
		return err
	}
	return m.StreamStore.ApplyStream(ctx, b)
}

// cursorWatch is a stream store that closes reached once it has applied a
// batch whose cursor is at or past target.
type cursorWatch struct {
	store.StreamStore
	target  int64
	once    sync.Once
	reached chan struct{}
}

func watchCursor(ss store.StreamStore, target int64) *cursorWatch {
	return &cursorWatch{StreamStore: ss, target: target, reached: make(chan struct{})}
}

func (w *cursorWatch) ApplyStream(ctx context.Context, b store.StreamBatch) error {
	if err := w.StreamStore.ApplyStream(ctx, b); err != nil {
		return err
	}
	if b.Cursor >= w.target {
		w.once.Do(func() { close(w.reached) })
	}
	return nil
}

// TestStreamJobOneConsumerAndTakeover: two daemons share a store; the
// stream job runs in one only (the other is skipped for the lease); when
// its holder dies (no more writes, no heartbeat, no release) the other
// takes the lease after its TTL and resumes from the stored cursor, ending
// with exactly the counts of a single clean pass.
func TestStreamJobOneConsumerAndTakeover(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	sim := simulator.New(simulator.Options{Seed: 9, Creators: 60, Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	window := 3 * time.Hour
	want, err := sim.JetstreamCount(now.Add(-window).UnixMicro(), now.UnixMicro()+1, simulator.JetstreamFilter{WantedCollections: jetstream.DefaultCollections})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	pc := cfg.Platforms["bluesky"]
	pc.Enabled, pc.BaseURL = true, srv.URL+"/bluesky"
	cfg.Platforms = map[string]collectors.PlatformConfig{"bluesky": pc}
	cfg.Stream.Hosts = []string{simulator.JetstreamURL(srv.URL)}
	cfg.Stream.Since = window
	cfg.Stream.FlushEvents = 300
	cfg.Stream.FlushInterval = 50 * time.Millisecond
	cfg.Stream.Funnel.Every = time.Hour

	stA, stB := sqlitePair(t)
	wA := watchCursor(stA, 1)
	mA := &mortalStream{mortal: newMortal(stA), StreamStore: wA}
	wB := watchCursor(stB, want.LastUS)
	ttl := time.Second
	daemon := func(name string, st store.Store) *schedule.Daemon {
		j := never(t)
		j.Name, j.Kind = "firehose", config.JobStream
		j.Do = schedule.StreamJob(cfg, st)
		d, err := schedule.New(st, []schedule.Job{j}, schedule.WithOwner(name), schedule.WithLeaseTTL(ttl),
			schedule.WithLogger(testLogger(t, name)), schedule.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := daemon("A", mA), daemon("B", &mortalStream{mortal: newMortal(stB), StreamStore: wB})
	ss := stB
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	aDone := make(chan schedule.Outcome, 1)
	go func() {
		out, _ := a.Trigger(ctx, "firehose")
		aDone <- out
	}()
	wait(t, ctx, "A stores a cursor", wA.reached)
	out, err := b.Trigger(ctx, "firehose")
	if err != nil || out.Ran || out.Skipped != schedule.SkipLease || out.Holder != "A" {
		t.Fatalf("B while A streams: %+v %v, want skipped for A's lease", out, err)
	}

	// A dies mid-stream.
	mA.kill()
	killedAt, _ := ss.StreamCursor(ctx, "bluesky")
	if killedAt >= want.LastUS {
		t.Fatalf("A finished before the kill (cursor %d); the stream is too short for this test", killedAt)
	}
	<-aDone
	// B takes over once A's lease has lapsed, and resumes from the cursor.
	bCtx, bCancel := context.WithCancel(ctx)
	bDone := make(chan schedule.Outcome, 1)
	go func() {
		out, err := takeOver(bCtx, b, stB, "firehose")
		if err != nil && bCtx.Err() == nil {
			t.Errorf("B taking over: %v", err)
		}
		bDone <- out
	}()
	wait(t, ctx, "B catches up to the simulator's last event", wB.reached)
	bCancel()
	if out := <-bDone; !out.Ran {
		t.Errorf("B never ran the stream job: %+v", out)
	}
	runs := 0
	leases, _ := stB.Leases(ctx)
	for _, l := range leases {
		if l.Job == "firehose" {
			runs++
		}
	}
	if runs != 1 {
		t.Errorf("%d leases for the stream job", runs)
	}

	// Counts equal a clean single pass over the same events.
	ref := sqliteOne(t)
	refCfg := cfg
	refCfg.Stream.FlushEvents = 20_000
	wRef := watchCursor(ref, want.LastUS)
	rd := daemonFor(t, &mortalStream{mortal: newMortal(ref), StreamStore: wRef}, refCfg, now)
	rctx, rcancel := context.WithCancel(ctx)
	rdone := make(chan struct{})
	go func() { _, _ = rd.Trigger(rctx, "firehose"); close(rdone) }()
	rs := ref
	wait(t, ctx, "the reference pass catches up", wRef.reached)
	rcancel()
	<-rdone
	cs, _ := rs.StreamCreators(ctx, store.StreamCreatorQuery{})
	if len(cs) == 0 {
		t.Fatal("the reference pass tracked nobody")
	}
	for _, c := range cs {
		wp, _ := rs.StreamPosts(ctx, c.DID, time.Time{})
		gp, _ := ss.StreamPosts(ctx, c.DID, time.Time{})
		got := map[string]store.StreamPost{}
		for _, p := range gp {
			got[p.URI] = p
		}
		for _, w := range wp {
			g, ok := got[w.URI]
			if !ok || g.Likes != w.Likes || g.Reposts != w.Reposts || g.Replies != w.Replies || g.Quotes != w.Quotes {
				t.Fatalf("%s after the takeover %+v, clean pass %+v", w.URI, g, w)
			}
		}
	}
}

func sqliteOne(t *testing.T) store.Store {
	a, _ := sqlitePair(t)
	return a
}

func daemonFor(t *testing.T, st store.Store, cfg config.Config, now time.Time) *schedule.Daemon {
	j := never(t)
	j.Name, j.Kind = "firehose", config.JobStream
	j.Do = schedule.StreamJob(cfg, st)
	d, err := schedule.New(st, []schedule.Job{j}, schedule.WithOwner("ref"), schedule.WithLogger(testLogger(t, "ref")),
		schedule.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
