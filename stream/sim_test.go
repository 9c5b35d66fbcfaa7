package stream

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// simEnv is a simulator with a frozen clock, served over real HTTP.
type simEnv struct {
	sim  *simulator.Server
	srv  *httptest.Server
	now  time.Time
	from int64 // now − simWindow, in µs
}

// simWindow is how much of the simulator's stream the tests read (its
// retention is 72 h; a few hours keep the tests short).
const simWindow = 4 * time.Hour

func newSim(t testing.TB, creators int, faults simulator.Faults) *simEnv {
	t.Helper()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	sim := simulator.New(simulator.Options{Seed: 7, Creators: creators, Faults: faults, Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &simEnv{sim: sim, srv: srv, now: now, from: now.Add(-simWindow).UnixMicro()}
}

func (e *simEnv) count(t testing.TB) simulator.JetstreamCount {
	t.Helper()
	c, err := e.sim.JetstreamCount(e.from, e.now.UnixMicro()+1, simulator.JetstreamFilter{WantedCollections: jetstream.DefaultCollections})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *simEnv) consumerConfig() ConsumerConfig {
	return ConsumerConfig{
		Jetstream:    jetstream.Options{Hosts: []string{simulator.JetstreamURL(e.srv.URL)}, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond},
		Since:        simWindow,
		CursorMargin: 5 * time.Second,
		Now:          func() time.Time { return e.now },
	}
}

func events(p Progress) int64 {
	var n int64
	for _, v := range p.Events {
		n += v
	}
	return n
}

// The consumer reads hours of the simulator's stream: every event the
// simulator's log holds arrives, and the tracked creators' counts agree
// with what getPosts says for the same posts.
func TestSimulatorStreamComplete(t *testing.T) {
	e := newSim(t, 120, simulator.Faults{})
	want := e.count(t)
	if want.Events < 1000 {
		t.Fatalf("the simulator's stream has only %d events", want.Events)
	}
	st := openStore(t, t.TempDir())
	c, err := NewConsumer(t.Context(), st, e.consumerConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, c, want.LastUS)
	p := c.Progress()
	if got := events(p); got != want.Events {
		t.Errorf("received %d events, the simulator's log has %d (%v vs %v)", got, want.Events, p.Events, want.ByCollection)
	}
	cs, err := st.StreamCreators(t.Context(), store.StreamCreatorQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 60 {
		t.Errorf("only %d of 120 creators tracked", len(cs))
	}
	t.Logf("%d events, %d tracked creators, %v", want.Events, len(cs), want.ByCollection)
}

// Killed mid-stream (no final flush) and restarted on the same store with
// stream faults on (drops, duplicates, disorder, bad frames): the counts of
// every tracked post equal those of a clean single pass.
func TestSimulatorKillAndRestartExact(t *testing.T) {
	faults := simulator.Faults{StreamDropRate: 0.002, StreamDupRate: 0.01, StreamDisorderRate: 0.01,
		StreamMalformedRate: 0.002, StreamOversizeRate: 0.001}
	e := newSim(t, 80, faults)
	want := e.count(t)

	// Reference: a clean pass on a fault-free simulator of the same population.
	clean := newSim(t, 80, simulator.Faults{})
	ref := openStore(t, t.TempDir())
	rc, err := NewConsumer(t.Context(), ref, clean.consumerConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, rc, want.LastUS)

	dir := t.TempDir()
	st1 := openStore(t, dir)
	c1, err := NewConsumer(t.Context(), st1, e.consumerConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c1.cfg.FlushInterval = time.Hour // flush by size only
	c1.agg.cfg.FlushEvents = 500
	// Kill: stop the first life half-way without its final flush.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c1.client.Run(ctx, c1.resume, c1) }()
	half := e.from + (want.LastUS-e.from)/2
	for {
		s := c1.Aggregator().Snapshot()
		if s.Cursor >= half && s.Flushed < s.Cursor {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	stored, _ := st1.StreamCursor(t.Context(), "bluesky")
	if stored == 0 || stored > c1.Aggregator().Cursor() {
		t.Fatalf("stored cursor %d, in memory %d: the kill should lose a partial batch", stored, c1.Aggregator().Cursor())
	}
	st1.Close()

	st2 := openStore(t, dir)
	c2, err := NewConsumer(t.Context(), st2, e.consumerConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, c2, want.LastUS)
	if p := c2.Progress(); p.Skipped["malformed"]+p.Skipped["oversized"] == 0 {
		t.Errorf("no bad frame skipped: %+v", p.Skipped)
	}

	refCreators, _ := ref.StreamCreators(t.Context(), store.StreamCreatorQuery{})
	if len(refCreators) == 0 {
		t.Fatal("nothing tracked")
	}
	for _, rc := range refCreators {
		want, _ := ref.StreamPosts(t.Context(), rc.DID, time.Time{})
		got, _ := st2.StreamPosts(t.Context(), rc.DID, time.Time{})
		gm := map[string]store.StreamPost{}
		for _, p := range got {
			gm[p.URI] = p
		}
		for _, w := range want {
			g := gm[w.URI]
			if g.Likes != w.Likes || g.Reposts != w.Reposts || g.Replies != w.Replies || g.Quotes != w.Quotes {
				t.Errorf("%s: after kill and restart %d/%d/%d/%d, clean pass %d/%d/%d/%d", w.URI,
					g.Likes, g.Reposts, g.Replies, g.Quotes, w.Likes, w.Reposts, w.Replies, w.Quotes)
				return
			}
		}
	}
}
