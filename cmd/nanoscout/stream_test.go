package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
	"github.com/nanoscout/nanoscout/stream"
)

// TestStreamKilledAndRestarted: `nanoscout stream` is killed with SIGKILL
// mid-stream and started again on the same data directory; it resumes from
// the stored cursor and ends with exactly the counts of one pass over the
// same events.
func TestStreamKilledAndRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	sim := simulator.New(simulator.Options{Seed: 11, Creators: 60})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	cfgText := fmt.Sprintf(`platforms:
  bluesky:
    enabled: true
    base_url: %s/bluesky
    rate_per_second: 200
    burst: 20
scoring:
  settled_after: 1h
stream:
  hosts: [%s]
  flush_events: 400
  flush_interval: 1h
  funnel:
    every: 1h
    window: 3h
`, srv.URL, simulator.JetstreamURL(srv.URL))
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-3 * time.Hour).UnixMicro()
	base := []string{"-test.run=^$", "--", "stream", "--config", cfgPath, "--data-dir", dir, "--log-level", "error", "--progress-every", "200ms"}

	first := exec.Command(os.Args[0], append(base, "--cursor", strconv.FormatInt(start, 10))...)
	first.Env = append(os.Environ(), "NANOSCOUT_TEST_MAIN=1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(90 * time.Second)
	for {
		c, _ := st.StreamCursor(context.Background(), "bluesky")
		if c > start+int64(time.Hour/time.Microsecond) {
			break
		}
		if time.Now().After(deadline) {
			_ = first.Process.Kill()
			t.Fatal("the first stream stored no cursor an hour into the stream within 90 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killed, _ := st.StreamCursor(context.Background(), "bluesky")

	second := exec.Command(os.Args[0], append(base, "--until-caught-up", "20s")...)
	second.Env = append(os.Environ(), "NANOSCOUT_TEST_MAIN=1")
	out, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("second stream: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "round stream-") || !strings.Contains(string(out), "lag") {
		t.Errorf("progress and round lines missing:\n%s", out)
	}
	final, _ := st.StreamCursor(context.Background(), "bluesky")
	if final <= killed {
		t.Fatalf("cursor %d after the restart, %d at the kill", final, killed)
	}

	// One pass over exactly the same events, [start, final].
	refSt, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer refSt.Close()
	agg, err := stream.NewAggregator(context.Background(), refSt, stream.AggregatorConfig{}, time.UnixMicro(start))
	if err != nil {
		t.Fatal(err)
	}
	var perr error
	err = sim.JetstreamEvents(start, final+1, simulator.JetstreamFilter{WantedCollections: jetstream.DefaultCollections}, func(_ int64, frame []byte) bool {
		ev, err := jetstream.Parse(frame, 0)
		if err == nil {
			perr = agg.Apply(context.Background(), ev)
		}
		return perr == nil
	})
	if err != nil || perr != nil {
		t.Fatal(err, perr)
	}
	if err := agg.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	cs, _ := refSt.StreamCreators(context.Background(), store.StreamCreatorQuery{})
	if len(cs) == 0 {
		t.Fatal("the reference pass tracked nobody")
	}
	got, _ := st.StreamCreators(context.Background(), store.StreamCreatorQuery{})
	if len(got) != len(cs) {
		t.Errorf("%d creators tracked after kill and restart, %d in one pass", len(got), len(cs))
	}
	for _, c := range cs {
		want, _ := refSt.StreamPosts(context.Background(), c.DID, time.Time{})
		have, _ := st.StreamPosts(context.Background(), c.DID, time.Time{})
		m := map[string]store.StreamPost{}
		for _, p := range have {
			m[p.URI] = p
		}
		for _, w := range want {
			h, ok := m[w.URI]
			if !ok || h.Likes != w.Likes || h.Reposts != w.Reposts || h.Replies != w.Replies || h.Quotes != w.Quotes {
				t.Fatalf("%s after kill -9 and restart %+v, one pass %+v", w.URI, h, w)
			}
		}
	}
	runs, _ := st.Runs(context.Background(), 5)
	if len(runs) == 0 || runs[0].Job != "stream" {
		t.Errorf("no stream run document: %+v", runs)
	}
}
