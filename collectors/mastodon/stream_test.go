package mastodon

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/simulator"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSSEFixture reads the reconstructed stream: the greeting and the
// heartbeats are comments, the three kinds of event come out in order, and
// the statuses parse with the timeline's status parser.
func TestSSEFixture(t *testing.T) {
	r := newSSEReader(bytes.NewReader(readFixture(t, "streaming_public.sse")), maxEventData)
	var names []string
	var evs []sseEvent
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, ev.Name)
		evs = append(evs, ev)
	}
	if want := []string{"update", "status.update", "delete", "delete"}; !slices.Equal(names, want) {
		t.Fatalf("events %v, want %v", names, want)
	}
	if r.Comments != 3 {
		t.Errorf("%d comments, want 3 (:) and two :thump)", r.Comments)
	}
	up, err := parseStatus("reading", "/api/v1/streaming/public", evs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if up.ID != "108914354907984653" || up.Account.ID != "272619" || up.Account.Acct != "aiueohisama@mstdn.jp" || up.isReblog() {
		t.Errorf("update: %+v", up)
	}
	ed, err := parseStatus("reading", "/api/v1/streaming/public", evs[1].Data)
	if err != nil || ed.Account.ID != "795442" || len(ed.Tags) != 4 {
		t.Errorf("status.update: %+v %v", ed, err)
	}
	if string(evs[2].Data) != "107214471804101576" || string(evs[3].Data) != "108914354907984653" {
		t.Errorf("deletes %q %q", evs[2].Data, evs[3].Data)
	}
}

func TestSSEReader(t *testing.T) {
	big := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name, in string
		want     []sseEvent
		comments int
	}{
		{"crlf and no space after the colon", "event:update\r\ndata:{}\r\n\r\n", []sseEvent{{Name: "update", Data: []byte("{}")}}, 0},
		{"several data lines join with LF", "data: a\ndata: b\n\n", []sseEvent{{Name: "message", Data: []byte("a\nb")}}, 0},
		{"an event without data is not dispatched", "event: update\n\ndata: 1\n\n", []sseEvent{{Name: "message", Data: []byte("1")}}, 0},
		{"id and retry and unknown fields ignored", ": hi\nid: 7\nretry: 10\nfoo: bar\nevent: delete\ndata: 9\n\n", []sseEvent{{Name: "delete", Data: []byte("9")}}, 1},
		{"an unfinished event at the end is dropped", "event: update\ndata: {}\n\nevent: update\ndata: {\"id\"", []sseEvent{{Name: "update", Data: []byte("{}")}}, 0},
		{"oversized data is cut and flagged", "event: update\ndata: " + big + "\n\nevent: delete\ndata: 1\n\n", []sseEvent{{Name: "update", Oversized: true}, {Name: "delete", Data: []byte("1")}}, 0},
		{"heartbeats with a blank line after", ":thump\n\n:thump\n\nevent: delete\ndata: 2\n\n", []sseEvent{{Name: "delete", Data: []byte("2")}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newSSEReader(strings.NewReader(tc.in), 200)
			var got []sseEvent
			for {
				ev, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if ev.Oversized {
					ev.Data = nil
				}
				got = append(got, ev)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i].Name != tc.want[i].Name || !bytes.Equal(got[i].Data, tc.want[i].Data) || got[i].Oversized != tc.want[i].Oversized {
					t.Errorf("event %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
			if r.Comments != tc.comments {
				t.Errorf("%d comments, want %d", r.Comments, tc.comments)
			}
		})
	}
}

// fixtureStream serves the fixture stream (plus extra) once, then holds
// later connections open without events; the REST timeline is empty and
// /api/v2/instance is missing (an older instance).
func fixtureStream(t *testing.T, extra string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	body := append(readFixture(t, "streaming_public.sse"), extra...)
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/streaming/public":
			w.Header().Set("Content-Type", "text/event-stream")
			if conns.Add(1) == 1 {
				_, _ = w.Write(body)
				return
			}
			_, _ = w.Write([]byte(":)\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/api/v1/timelines/public":
			_, _ = w.Write([]byte("[]"))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"Record not found"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &conns
}

// TestStreamFixtureCandidates: the account whose only status was deleted
// is not a candidate, the edited status's author is; a malformed update is
// counted and skipped; the server closing the stream is a reconnect.
func TestStreamFixtureCandidates(t *testing.T) {
	srv, conns := fixtureStream(t, "event: update\ndata: {\"id\":\"1\",\n\nevent: update\ndata: {\"id\":\"2\"}\n\n")
	c := newTestCollector(t, withOptions(testEnv(srv.URL), map[string]string{"streaming": "on", "stream_for": "600ms"}))
	c.stream.reconnectBase = 5 * time.Millisecond
	page, err := c.Discover(context.Background(), "public", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(page.Candidates, []string{"795442"}) || page.Next != "" {
		t.Errorf("candidates %v next %q, want [795442] and no cursor", page.Candidates, page.Next)
	}
	for _, want := range []string{"streaming " + srv.URL + "/api/v1/streaming/public", "2 statuses from 1 accounts", "2 deletes", "1 edits", "2 malformed", "4 comments", "1 reconnects", "the API host: /api/v2/instance failed"} {
		if !strings.Contains(page.Via, want) {
			t.Errorf("Via %q lacks %q", page.Via, want)
		}
	}
	if conns.Load() != 2 {
		t.Errorf("%d connections, want 2", conns.Load())
	}
}

// simClock is a settable clock for the simulator.
type simClock struct{ ns atomic.Int64 }

func (c *simClock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *simClock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func newSimClock(t time.Time) *simClock { c := &simClock{}; c.ns.Store(t.UnixNano()); return c }

// tap records the paths asked for and the bytes answered per path, and
// signals when a stream sent its greeting (the simulator computes where the
// stream starts before it).
type tap struct {
	h        http.Handler
	mu       sync.Mutex
	paths    []string
	bytes    map[string]int64
	greeted  chan struct{}
	greetOne sync.Once
}

func newTap(h http.Handler) *tap {
	return &tap{h: h, bytes: map[string]int64{}, greeted: make(chan struct{})}
}

func (tp *tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tp.mu.Lock()
	tp.paths = append(tp.paths, r.URL.Path)
	tp.mu.Unlock()
	tw := &tapWriter{ResponseWriter: w, tp: tp, path: r.URL.Path, stream: strings.Contains(r.URL.Path, "/streaming/public")}
	tp.h.ServeHTTP(tw, r)
}

func (tp *tap) count(prefix string) (n int, b int64) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	for _, p := range tp.paths {
		if strings.Contains(p, prefix) {
			n++
		}
	}
	for p, v := range tp.bytes {
		if strings.Contains(p, prefix) {
			b += v
		}
	}
	return n, b
}

type tapWriter struct {
	http.ResponseWriter
	tp     *tap
	path   string
	stream bool
}

func (w *tapWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.tp.mu.Lock()
	w.tp.bytes[w.path] += int64(n)
	w.tp.mu.Unlock()
	if w.stream && bytes.HasPrefix(b, []byte(":)")) {
		w.tp.greetOne.Do(func() { close(w.tp.greeted) })
	}
	return n, err
}

func (w *tapWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

var streamT0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// pollWindow discovers by polling the public timeline forward from the
// snowflake of from, page by page until an empty page, as a caller keeping
// the min_id cursor would: the candidates, the statuses seen and the
// requests made.
func pollWindow(t testing.TB, c *Collector, from time.Time) (cands []string, statuses int, reqs int) {
	t.Helper()
	cursor := minCursor + strconv.FormatUint(uint64(from.UnixMilli())<<16|0xffff, 10)
	for {
		sts, _, err := c.publicPage(context.Background(), map[string][]string{"limit": {"40"}, "min_id": {strings.TrimPrefix(cursor, minCursor)}})
		reqs++
		if err != nil {
			t.Fatal(err)
		}
		if len(sts) == 0 {
			return cands, statuses, reqs
		}
		statuses += len(sts)
		slices.Reverse(sts) // oldest first, as the stream brings them
		var f candidates
		for _, s := range sts {
			f.add(s)
			if isNewer(s.ID, strings.TrimPrefix(cursor, minCursor)) {
				cursor = minCursor + s.ID
			}
		}
		for _, id := range f.ids() {
			if !slices.Contains(cands, id) {
				cands = append(cands, id)
			}
		}
	}
}

// streamRun starts a streaming discovery on a simulator whose clock jumps
// by window once the stream is open, and returns its page with the tap and
// what polling the same window finds.
func streamRun(t *testing.T, so simulator.MastodonStreamOptions, window time.Duration, o map[string]string) streamResult {
	t.Helper()
	clk := newSimClock(streamT0)
	sim := simulator.New(simulator.Options{Seed: 5, Creators: 150, Now: clk.Now, MastodonStream: so,
		Jetstream: simulator.JetstreamOptions{Poll: time.Millisecond}})
	tp := newTap(sim.Handler())
	srv := httptest.NewServer(tp)
	t.Cleanup(srv.Close)

	// What polling the window finds (on a twin simulator at its end).
	twin := simulator.New(simulator.Options{Seed: 5, Creators: 150, Now: func() time.Time { return streamT0.Add(window) }})
	tsrv := httptest.NewServer(twin.Handler())
	t.Cleanup(tsrv.Close)
	poller := newTestCollector(t, withOptions(testEnv(tsrv.URL+"/mastodon"), map[string]string{"streaming": "off"}))
	want, statuses, _ := pollWindow(t, poller, streamT0)
	if len(want) < 5 {
		t.Fatalf("only %d accounts posted in %s", len(want), window)
	}
	opt := map[string]string{"streaming": "auto", "stream_for": "20s", "stream_statuses": strconv.Itoa(statuses)}
	for k, v := range o {
		opt[k] = v
	}
	c := newTestCollector(t, withOptions(testEnv(srv.URL+"/mastodon"), opt))
	c.stream.reconnectBase, c.stream.reconnectMax = 5*time.Millisecond, 20*time.Millisecond
	type result struct {
		page collectors.DiscoverPage
		err  error
	}
	done := make(chan result, 1)
	go func() {
		p, err := c.Discover(context.Background(), "public", "")
		done <- result{p, err}
	}()
	select {
	case <-tp.greeted:
		// The window passes in steps, so statuses arrive while the
		// collector listens (and while it reconnects).
		const steps = 12
		for range steps {
			clk.Add(window / steps)
			time.Sleep(15 * time.Millisecond)
		}
	case r := <-done:
		return streamResult{r.page, r.err, tp, want, statuses, c}
	}
	r := <-done
	return streamResult{r.page, r.err, tp, want, statuses, c}
}

// streamResult is what streamRun saw: the discovery's page and error, the
// requests, what polling the window finds (accounts and statuses), and
// the collector.
type streamResult struct {
	page     collectors.DiscoverPage
	err      error
	tp       *tap
	want     []string
	statuses int
	c        *Collector
}

// TestStreamFindsWhatPollingFinds: over the same two hours, the stream
// (found through /api/v2/instance's configuration.urls.streaming) brings
// the same posting accounts as paging the REST timeline with min_id, in
// one streaming request.
func TestStreamFindsWhatPollingFinds(t *testing.T) {
	res := streamRun(t, simulator.MastodonStreamOptions{}, 2*time.Hour, nil)
	page, err, tp, want, statuses := res.page, res.err, res.tp, res.want, res.statuses
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(page.Candidates, want) {
		t.Fatalf("stream found %d accounts %v,\npolling %d %v", len(page.Candidates), page.Candidates, len(want), want)
	}
	if !strings.Contains(page.Via, "/mastodon-streaming/api/v1/streaming/public") || !strings.Contains(page.Via, strconv.Itoa(statuses)+" statuses") || !strings.Contains(page.Via, "0 reconnects") {
		t.Errorf("Via %q", page.Via)
	}
	if n, _ := tp.count("/timelines/public"); n != 0 {
		t.Errorf("%d timeline requests while streaming", n)
	}
	if n, _ := tp.count("/streaming/public"); n != 1 {
		t.Errorf("%d stream connections, want 1", n)
	}
	t.Logf("%s", page.Via)
}

// TestStreamDropsReconnectAndFillTheGap: connections dropped every 4
// statuses and malformed events every third: the collector reconnects
// with backoff, reads what was posted while it was away from the REST
// timeline, skips the malformed events, and still finds exactly what
// polling finds.
func TestStreamDropsReconnectAndFillTheGap(t *testing.T) {
	res := streamRun(t, simulator.MastodonStreamOptions{DropAfter: 4, MalformedEvery: 3}, 2*time.Hour, nil)
	page, err, tp, want := res.page, res.err, res.tp, res.want
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(slices.Sorted(slices.Values(page.Candidates)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("stream found %v, polling %v", page.Candidates, want)
	}
	conns, _ := tp.count("/streaming/public")
	if conns < 2 || viaCount(t, page.Via, "reconnects") != conns-1 {
		t.Errorf("%d connections; Via %q", conns, page.Via)
	}
	if viaCount(t, page.Via, "malformed") == 0 || viaCount(t, page.Via, "gap-filling requests") < conns-1 || strings.Contains(page.Via, "filling a gap") {
		t.Errorf("Via %q: want malformed events skipped, the timeline read after every reconnect, no failed gap", page.Via)
	}
	t.Logf("%s", page.Via)
}

// TestStreamRefused: a stream that wants a token (401), or no streaming
// server (404), makes "auto" poll the timeline and say why; "on" fails
// with the refusal instead.
func TestStreamRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		so   simulator.MastodonStreamOptions
		why  string
	}{
		{"401", simulator.MastodonStreamOptions{NeedsToken: true}, `needs an access token (HTTP 401 "Missing access token"`},
		{"404", simulator.MastodonStreamOptions{Off: true}, `refused the public stream (HTTP 404 "Not found"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := streamRun(t, tc.so, 30*time.Minute, nil)
			page, err, tp := res.page, res.err, res.tp
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Candidates) == 0 || !strings.HasPrefix(page.Next, minCursor) {
				t.Errorf("polled page: %d candidates, next %q", len(page.Candidates), page.Next)
			}
			if !strings.HasPrefix(page.Via, "polling /api/v1/timelines/public") || !strings.Contains(page.Via, tc.why) {
				t.Errorf("Via %q, want polling because %s", page.Via, tc.why)
			}
			if n, _ := tp.count("/timelines/public"); n != 1 {
				t.Errorf("%d timeline requests, want 1", n)
			}
			// Polling on with the cursor does not ask for the stream again.
			again, err := res.c.Discover(context.Background(), "public", page.Next)
			if err != nil || again.Via != page.Via {
				t.Errorf("next poll: %v, Via %q", err, again.Via)
			}
			if n, _ := tp.count("/streaming/public"); n != 1 {
				t.Errorf("%d stream requests, want 1 (the refusal is kept)", n)
			}
			if n, _ := tp.count("/timelines/public"); n != 2 {
				t.Errorf("%d timeline requests, want 2", n)
			}

			err = streamRun(t, tc.so, 30*time.Minute, map[string]string{"streaming": "on"}).err
			var refused *StreamRefusedError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("streaming on: %v, want the refusal", err)
			}
		})
	}
}

// TestStreamTokenSentAsHeader: with a token the stream that wants one is
// read, the token goes in the Authorization header and appears nowhere in
// what is recorded.
func TestStreamTokenSentAsHeader(t *testing.T) {
	clk := newSimClock(streamT0)
	sim := simulator.New(simulator.Options{Seed: 5, Creators: 50, Now: clk.Now, MastodonStream: simulator.MastodonStreamOptions{NeedsToken: true},
		Jetstream: simulator.JetstreamOptions{Poll: time.Millisecond}})
	var sawHeader atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/streaming/") && r.Header.Get("Authorization") == "Bearer s3cret-token" && r.URL.RawQuery == "" {
			sawHeader.Store(true)
		}
		sim.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	env := withOptions(testEnv(srv.URL+"/mastodon"), map[string]string{"stream_for": "300ms"})
	env.Config.Credentials = map[string]string{"access_token": "MASTO_TOKEN"}
	env.Getenv = func(k string) string {
		if k == "MASTO_TOKEN" {
			return "s3cret-token"
		}
		return ""
	}
	c := newTestCollector(t, env)
	page, err := c.Discover(context.Background(), "public", "")
	if err != nil {
		t.Fatal(err)
	}
	if !sawHeader.Load() || !strings.HasPrefix(page.Via, "streaming ") || strings.Contains(page.Via, "s3cret") {
		t.Errorf("header sent %v; Via %q", sawHeader.Load(), page.Via)
	}
}

func TestStreamOptions(t *testing.T) {
	for _, tc := range []struct {
		o    map[string]string
		want string
	}{
		{map[string]string{"streaming": "sometimes"}, "want auto, on or off"},
		{map[string]string{"stream_for": "forever"}, "stream_for"},
		{map[string]string{"stream_for": "2h"}, "stream_for"},
		{map[string]string{"stream_statuses": "0"}, "stream_statuses"},
		{map[string]string{"streaming_url": "ftp://x"}, "streaming_url"},
		{map[string]string{"stream": "on"}, `unknown mastodon option "stream"`},
	} {
		_, err := New(withOptions(testEnv("http://127.0.0.1:1"), tc.o))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %s", tc.o, err, tc.want)
		}
	}
	c, err := New(withOptions(testEnv("http://127.0.0.1:1"), map[string]string{"streaming": "OFF", "stream_for": "90s", "stream_statuses": "50", "streaming_url": "wss://streaming.example/"}))
	if err != nil {
		t.Fatal(err)
	}
	sc := c.(*Collector).stream
	if sc.mode != StreamOff || sc.listen != 90*time.Second || sc.statuses != 50 || sc.url != "https://streaming.example" {
		t.Errorf("parsed %+v", sc)
	}
}

// viaCount is the number written before word in a Via line.
func viaCount(t *testing.T, via, word string) int {
	t.Helper()
	m := regexp.MustCompile(`(\d+) `+regexp.QuoteMeta(word)).FindAllStringSubmatch(via, -1)
	if len(m) == 0 {
		t.Fatalf("Via %q has no %q", via, word)
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}

// TestStreamGapFilledFromTheTimeline: after a drop, what was posted while
// the stream was down comes from the REST timeline with min_id = the
// newest status seen, oldest first; a status both bring counts once.
func TestStreamGapFilledFromTheTimeline(t *testing.T) {
	fx := readFixture(t, "streaming_public.sse")
	_, rest, _ := bytes.Cut(fx, []byte("event: update\ndata: "))
	upd, _, _ := bytes.Cut(rest, []byte("\n"))
	status := func(id, acct string) string {
		s := strings.Replace(string(upd), `"id":"108914354907984653"`, `"id":"`+id+`"`, 1)
		return strings.Replace(s, `"id":"272619"`, `"id":"`+acct+`"`, 1)
	}
	var conns atomic.Int32
	var minIDs []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/streaming/public":
			w.Header().Set("Content-Type", "text/event-stream")
			switch conns.Add(1) {
			case 1: // one status, then the connection drops
				_, _ = io.WriteString(w, ":)\nevent: update\ndata: "+status("200", "1")+"\n\n")
			default: // the status the gap also brings, then one more
				_, _ = io.WriteString(w, ":)\nevent: update\ndata: "+status("202", "3")+"\n\nevent: update\ndata: "+status("203", "4")+"\n\n")
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			}
		case "/api/v1/timelines/public":
			mu.Lock()
			minIDs = append(minIDs, r.URL.Query().Get("min_id"))
			mu.Unlock()
			_, _ = io.WriteString(w, "["+status("202", "3")+","+status("201", "2")+"]") // newest first
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c := newTestCollector(t, withOptions(testEnv(srv.URL), map[string]string{"stream_statuses": "4", "stream_for": "10s"}))
	c.stream.reconnectBase = time.Millisecond
	page, err := c.Discover(context.Background(), "public", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(page.Candidates, []string{"1", "2", "3", "4"}) {
		t.Errorf("candidates %v, want 1 2 3 4 (the gap's oldest first)", page.Candidates)
	}
	if !slices.Equal(minIDs, []string{"200"}) || !strings.Contains(page.Via, "4 statuses from 4 accounts") || !strings.Contains(page.Via, "2 statuses from 1 gap-filling requests") {
		t.Errorf("min_id asked %v; Via %q", minIDs, page.Via)
	}
}

// TestStreamNoAnswerPolls: a streaming server that never answers within
// stream_for is a refusal like any other: the timeline is polled.
func TestStreamNoAnswerPolls(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/streaming/public":
			<-r.Context().Done() // no headers, ever
		case "/api/v1/timelines/public":
			_, _ = io.WriteString(w, "[]")
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c := newTestCollector(t, withOptions(testEnv(srv.URL), map[string]string{"stream_for": "200ms"}))
	page, err := c.Discover(context.Background(), "public", "")
	if err != nil || !strings.HasPrefix(page.Via, "polling ") || !strings.Contains(page.Via, "could not connect to the public stream") {
		t.Errorf("%v; Via %q", err, page.Via)
	}
}
