package stream

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream/jetstreamtest"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
	"github.com/nanoscout/nanoscout/stream/streamtest"
)

func openStore(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func fixture(t *testing.T) [][]byte {
	t.Helper()
	f, err := os.Open("../collectors/bluesky/jetstream/testdata/jetstream_events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

// runUntil runs a consumer until its aggregator has applied the event at
// last, then cancels it and waits for its final flush.
func runUntil(t *testing.T, c *Consumer, last int64) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	deadline := time.After(3 * time.Minute)
	for c.Aggregator().Cursor() < last {
		select {
		case err := <-done:
			t.Fatalf("consumer stopped early: %v", err)
		case <-deadline:
			t.Fatalf("consumer stuck at %d, want %d: %+v", c.Aggregator().Cursor(), last, c.Progress())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestFixtureEventsThroughWebSocket(t *testing.T) {
	lines := fixture(t)
	first, _ := jetstream.Parse(lines[0], 0)
	unknown := fmt.Sprintf(`{"did":"did:plc:x","time_us":%d,"kind":"sync"}`, first.TimeUS)
	srv := jetstreamtest.New(append([][]byte{[]byte(unknown), []byte(`not json`)}, lines...))
	defer srv.Close()
	st := openStore(t, t.TempDir())
	last, _ := jetstream.Parse(lines[len(lines)-1], 0)
	c, err := NewConsumer(t.Context(), st, ConsumerConfig{
		Jetstream:   jetstream.Options{Hosts: []string{srv.URL()}},
		StartCursor: first.TimeUS,
		Now:         func() time.Time { return last.Time().Add(time.Second) },
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, c, last.TimeUS)

	const author = "did:plc:wpe35pganb6d4pg4ekmfy6u5"
	root := "at://" + author + "/app.bsky.feed.post/3loagm2phgk2t"
	cr, err := st.StreamCreator(t.Context(), author, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Handle != "chriskenny.bsky.social" || cr.Stage != store.StageCandidate || cr.Posts != 2 {
		t.Errorf("creator: %+v", cr)
	}
	posts, _ := st.StreamPosts(t.Context(), author, time.Time{})
	var top store.StreamPost
	for _, p := range posts {
		if p.URI == root {
			top = p
		}
	}
	// The like was deleted; one repost, one direct reply.
	if top.Likes != 0 || top.Reposts != 1 || top.Replies != 1 || top.Quotes != 0 {
		t.Errorf("counts of the root post: %+v", top)
	}
	replies, _ := st.StreamRecords(t.Context(), author, store.RecordReply, time.Time{})
	if len(replies) != 2 || replies[0].AuthorDID != "did:plc:examplereplier000000000aa" || replies[1].AuthorDID != author {
		t.Fatalf("reply edges (the fan's reply, the author's answer): %+v", replies)
	}
	if d := replies[1].At.Sub(replies[0].At); d != 305*time.Second {
		t.Errorf("answered after %v, want 5m5s", d)
	}
	follows, _ := st.StreamRecords(t.Context(), author, store.RecordFollow, time.Time{})
	if len(follows) != 1 {
		t.Errorf("follows: %+v", follows)
	}
	if _, err := st.StreamCreator(t.Context(), "did:plc:examplereplier000000000aa", time.Time{}); err == nil {
		t.Error("the replier, who drew no engagement, is tracked")
	}
	cur, _ := st.StreamCursor(t.Context(), "bluesky")
	if cur != last.TimeUS {
		t.Errorf("stored cursor %d, want %d", cur, last.TimeUS)
	}
	p := c.Progress()
	if p.Skipped["unknown"] != 1 || p.Skipped["malformed"] != 1 {
		t.Errorf("skipped %v", p.Skipped)
	}
	if p.Events[jetstream.CollectionLike] != 2 || p.Events["identity"] != 1 || p.Events["account"] != 1 {
		t.Errorf("events %v", p.Events)
	}
}

func checkTruth(t *testing.T, st store.StreamStore, tr streamtest.Traffic) {
	t.Helper()
	n := 0
	for _, did := range tr.Creators {
		posts, err := st.StreamPosts(t.Context(), did, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			if p.IsReply {
				continue
			}
			n++
			if p.Likes != tr.Truth.Likes[p.URI] || p.Reposts != tr.Truth.Reposts[p.URI] || p.Replies != tr.Truth.Replies[p.URI] {
				t.Errorf("%s: likes %d reposts %d replies %d, want %d %d %d", p.URI, p.Likes, p.Reposts, p.Replies,
					tr.Truth.Likes[p.URI], tr.Truth.Reposts[p.URI], tr.Truth.Replies[p.URI])
				return
			}
		}
	}
	// Posts that drew engagement are all there (a post nobody touched may
	// belong to a creator still pending).
	for uri := range tr.Truth.Posts {
		if tr.Truth.Likes[uri]+tr.Truth.Reposts[uri]+tr.Truth.Replies[uri] == 0 {
			continue
		}
		n--
	}
	if n < 0 {
		t.Errorf("%d engaged posts missing from the store", -n)
	}
}

// A consumer killed mid-stream (its unflushed batch lost) and restarted
// from the stored cursor ends with exact counts: nothing lost, nothing
// counted twice, across duplicates, deletes and dropped connections.
func TestCrashAndResumeCountsExact(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tr := streamtest.Generate(streamtest.Config{Seed: 1, Creators: 40, Fans: 500, Events: 12_000, Start: start, Duplicates: 0.02})
	srv := jetstreamtest.New(tr.Lines)
	defer srv.Close()
	dir := t.TempDir()
	now := func() time.Time { return time.UnixMicro(tr.Times[len(tr.Times)-1]).Add(time.Minute) }
	cfg := ConsumerConfig{
		Jetstream:     jetstream.Options{Hosts: []string{srv.URL()}, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		Aggregator:    AggregatorConfig{FlushEvents: 1000, MaxPendingPosts: 1000},
		StartCursor:   tr.Times[0],
		CursorMargin:  200 * time.Millisecond, // 200 events of this traffic, fewer than one connection carries
		FlushInterval: time.Hour,              // flushes by size only: the crash below loses a partial batch
		Now:           now,
	}

	// First life: apply 60 % of the events, flushing every 1,000, then die
	// without a final flush (kill -9).
	st1 := openStore(t, dir)
	agg, err := NewAggregator(t.Context(), st1, cfg.Aggregator, now())
	if err != nil {
		t.Fatal(err)
	}
	cut := len(tr.Lines) * 6 / 10
	for _, l := range tr.Lines[:cut] {
		ev, err := jetstream.Parse(l, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := agg.Apply(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
	stored, _ := st1.StreamCursor(t.Context(), "bluesky")
	if stored == 0 || stored >= tr.Times[cut-1] {
		t.Fatalf("stored cursor %d: want a flushed point before the crash at %d", stored, tr.Times[cut-1])
	}
	st1.Close()

	// Second life: resumes from the stored cursor minus the margin, over a
	// connection that drops every 2,500 events.
	srv.DropAfter.Store(2500)
	st2 := openStore(t, dir)
	cfg.StartCursor = 0
	c, err := NewConsumer(t.Context(), st2, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.resume(); got != stored-cfg.CursorMargin.Microseconds() {
		t.Errorf("resumed at %d, want stored %d minus the margin", got, stored)
	}
	c.started = false
	runUntil(t, c, tr.Times[len(tr.Times)-1])
	if p := c.Progress(); p.Reconnects < 2 {
		t.Errorf("reconnects %d: the drops were not exercised", p.Reconnects)
	}
	checkTruth(t, st2, tr)
	cs, _ := st2.StreamCreators(t.Context(), store.StreamCreatorQuery{})
	if len(cs) != len(tr.Creators) {
		t.Errorf("%d creators tracked, want all %d", len(cs), len(tr.Creators))
	}
	answers, nAns := 0, 0
	for _, did := range tr.Creators {
		rs, _ := st2.StreamRecords(t.Context(), did, store.RecordReply, time.Time{})
		for _, r := range rs {
			if r.AuthorDID == did {
				answers++
			}
		}
	}
	nAns = tr.Truth.Answers
	if answers == 0 || answers > nAns {
		t.Errorf("%d answers stored, generated %d", answers, nAns)
	}
}
