package jetstream

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func fixtureLines(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open("testdata/jetstream_events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) > 0 {
			out = append(out, append([]byte(nil), sc.Bytes()...))
		}
	}
	return out
}

func TestParseFixture(t *testing.T) {
	lines := fixtureLines(t)
	if len(lines) != 9 {
		t.Fatalf("fixture has %d events, want 9", len(lines))
	}
	var evs []Event
	for i, l := range lines {
		ev, err := Parse(l, 0)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		evs = append(evs, ev)
	}
	const author = "did:plc:wpe35pganb6d4pg4ekmfy6u5"
	root := "at://" + author + "/app.bsky.feed.post/3loagm2phgk2t"

	post := evs[0]
	if post.Kind != KindCommit || post.DID != author || post.TimeUS != 1746244112922731 {
		t.Errorf("post event: %+v", post)
	}
	c := post.Commit
	if c.Operation != OpCreate || c.Collection != CollectionPost || c.RKey != "3loagm2phgk2t" || post.Key() != root {
		t.Errorf("post commit: %+v", c)
	}
	if !strings.HasPrefix(c.Text, "#rstats `bskyr` 0.3.0") || c.ReplyParent != "" || len(c.Langs) != 1 || c.Langs[0] != "en" {
		t.Errorf("post record: %+v", c)
	}
	if c.QuoteURI != "at://did:plc:qnzaaisqa3lafzmtjxt5nt52/app.bsky.feed.post/3loacnvvpgn22" {
		t.Errorf("quote uri %q (recordWithMedia)", c.QuoteURI)
	}
	if len(c.Tags) != 1 || c.Tags[0] != "rstats" {
		t.Errorf("tags %v", c.Tags)
	}
	if want := time.Date(2025, 5, 3, 3, 48, 32, 922e6, time.UTC); !c.CreatedAt.Equal(want) {
		t.Errorf("createdAt %v, want %v", c.CreatedAt, want)
	}

	reply := evs[1].Commit
	if reply.ReplyParent != root || reply.ReplyRoot != root {
		t.Errorf("reply edge: %+v", reply)
	}
	like := evs[2].Commit
	if like.Collection != CollectionLike || like.SubjectURI != root || like.SubjectDID != author {
		t.Errorf("like: %+v", like)
	}
	repost := evs[3].Commit
	if repost.Collection != CollectionRepost || repost.SubjectDID != author {
		t.Errorf("repost: %+v", repost)
	}
	follow := evs[4].Commit
	if follow.Collection != CollectionFollow || follow.SubjectDID != author || follow.SubjectURI != "" {
		t.Errorf("follow: %+v", follow)
	}
	answer := evs[5]
	if answer.DID != author || answer.Commit.ReplyParent != "at://did:plc:examplereplier000000000aa/app.bsky.feed.post/3ll2lbx2ips2b" || answer.Commit.ReplyRoot != root {
		t.Errorf("answer: %+v", answer.Commit)
	}
	del := evs[6]
	if del.Commit.Operation != OpDelete || del.Commit.Collection != CollectionLike || del.Key() != "at://did:plc:examplefan0000000000000bb/app.bsky.feed.like/3ll2lc7dp2k2d" {
		t.Errorf("delete: %+v", del.Commit)
	}
	if del.Key() != RecordURI(evs[2].DID, CollectionLike, like.RKey) {
		t.Error("the like delete does not name the like it deletes")
	}
	id := evs[7]
	if id.Kind != KindIdentity || id.Identity.Handle != "chriskenny.bsky.social" {
		t.Errorf("identity: %+v", id)
	}
	acc := evs[8]
	if acc.Kind != KindAccount || acc.Account.Active || acc.Account.Status != "deactivated" {
		t.Errorf("account: %+v", acc.Account)
	}
}

func TestParseBad(t *testing.T) {
	big := `{"did":"did:plc:x","time_us":5,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"a","record":{"text":"` + strings.Repeat("x", 200) + `"}}}`
	for _, tc := range []struct {
		name, msg string
		max       int
		want      error
		cursor    int64
	}{
		{"not json", `{"did":`, 0, ErrMalformed, 0},
		{"no time", `{"did":"did:plc:x","kind":"commit"}`, 0, ErrMalformed, 0},
		{"bad did", `{"did":"bob","time_us":7,"kind":"identity","identity":{}}`, 0, ErrMalformed, 7},
		{"unknown kind", `{"did":"did:plc:x","time_us":7,"kind":"sync"}`, 0, ErrUnknown, 7},
		{"unknown collection", `{"did":"did:plc:x","time_us":7,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.graph.block","rkey":"a","record":{"subject":"did:plc:y"}}}`, 0, ErrUnknown, 7},
		{"unknown operation", `{"did":"did:plc:x","time_us":7,"kind":"commit","commit":{"operation":"merge","collection":"app.bsky.feed.post","rkey":"a","record":{}}}`, 0, ErrUnknown, 7},
		{"create without record", `{"did":"did:plc:x","time_us":7,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"a"}}`, 0, ErrMalformed, 7},
		{"like with a bad subject", `{"did":"did:plc:x","time_us":7,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"a","record":{"subject":{"uri":"https://x"}}}}`, 0, ErrMalformed, 7},
		{"follow of a non-did", `{"did":"did:plc:x","time_us":7,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.graph.follow","rkey":"a","record":{"subject":"bob"}}}`, 0, ErrMalformed, 7},
		{"commit without rkey", `{"did":"did:plc:x","time_us":7,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.like"}}`, 0, ErrMalformed, 7},
		{"oversized", big, 100, ErrOversized, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Parse([]byte(tc.msg), tc.max)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if ev.TimeUS != tc.cursor {
				t.Errorf("cursor %d, want %d", ev.TimeUS, tc.cursor)
			}
		})
	}
	if _, err := Parse([]byte(big), 0); err != nil {
		t.Errorf("a 300-byte post within the default limit: %v", err)
	}
}

// fakeJetstream serves lines (events with time_us) honouring cursor and
// wantedCollections, closing each connection after dropAfter events (0 =
// never), then waiting for the client to go away.
type fakeJetstream struct {
	t         *testing.T
	lines     [][]byte
	dropAfter int
	extra     [][]byte // sent first on every connection (bad frames)
	mu        sync.Mutex
	urls      []string
}

func (f *fakeJetstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.urls = append(f.urls, r.URL.String())
	f.mu.Unlock()
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	cursor, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
	want := map[string]bool{}
	for _, col := range r.URL.Query()["wantedCollections"] {
		want[col] = true
	}
	for _, x := range f.extra {
		if err := c.Write(r.Context(), websocket.MessageText, x); err != nil {
			return
		}
	}
	sent := 0
	for _, l := range f.lines {
		ev, err := Parse(l, 1<<20)
		if err != nil {
			f.t.Errorf("fake: %v", err)
			return
		}
		if ev.TimeUS < cursor || (ev.Commit != nil && len(want) > 0 && !want[ev.Commit.Collection]) {
			continue
		}
		if f.dropAfter > 0 && sent == f.dropAfter {
			return // drop mid-stream
		}
		if err := c.Write(r.Context(), websocket.MessageText, l); err != nil {
			return
		}
		sent++
	}
	<-r.Context().Done()
}

type recSink struct {
	events  []Event
	skipped []error
	conns   []int64
	gaps    [][2]int64
	stopAt  int
	cancel  context.CancelFunc
}

func (s *recSink) Event(ctx context.Context, ev Event) error {
	s.events = append(s.events, ev)
	if len(s.events) == s.stopAt {
		s.cancel()
	}
	return nil
}
func (s *recSink) Skipped(err error)                   { s.skipped = append(s.skipped, err) }
func (s *recSink) Connected(host string, cursor int64) { s.conns = append(s.conns, cursor) }
func (s *recSink) Disconnected(host string, err error) {}
func (s *recSink) Gap(requested, first int64)          { s.gaps = append(s.gaps, [2]int64{requested, first}) }

func TestClientReconnectsAndResumes(t *testing.T) {
	lines := fixtureLines(t)
	bad := &fakeJetstream{t: t} // a host that refuses: the client moves on
	srvBad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad.mu.Lock()
		bad.urls = append(bad.urls, r.URL.String())
		bad.mu.Unlock()
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srvBad.Close()
	good := &fakeJetstream{t: t, lines: lines, dropAfter: 3, extra: [][]byte{
		[]byte(`{not json`),
		[]byte(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"a","record":{"text":"` + strings.Repeat("x", 3000) + `"}}}`),
	}}
	srv := httptest.NewServer(good)
	defer srv.Close()

	c, err := New(Options{
		Hosts:        []string{"ws" + strings.TrimPrefix(srvBad.URL, "http") + "/subscribe", "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe"},
		Collections:  []string{CollectionPost, CollectionLike, CollectionRepost, CollectionFollow},
		MaxEventSize: 2000,
		GapTolerance: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var slept []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	c.rand = func() float64 { return 0.5 }

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sink := &recSink{stopAt: 9, cancel: cancel}
	var last int64
	resume := func() int64 {
		if last == 0 {
			return 0
		}
		return last + 1 // the caller's choice: here, exactly after the last event
	}
	wrapped := &cursorSink{recSink: sink, last: &last}
	err = c.Run(ctx, resume, wrapped)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if len(sink.events) != 9 {
		t.Fatalf("got %d events, want the 9 of the fixture exactly once", len(sink.events))
	}
	for i, ev := range sink.events {
		want, _ := Parse(lines[i], 0)
		if ev.TimeUS != want.TimeUS || ev.Key() != want.Key() {
			t.Errorf("event %d: %d %s, want %d %s", i, ev.TimeUS, ev.Key(), want.TimeUS, want.Key())
		}
	}
	// 3 connections to the good host (3+3+3 events), each with 2 bad frames.
	if got := len(sink.skipped); got != 6 {
		t.Errorf("skipped %d, want 6: %v", got, sink.skipped)
	}
	var malformed, oversized int
	for _, e := range sink.skipped {
		switch {
		case errors.Is(e, ErrMalformed):
			malformed++
		case errors.Is(e, ErrOversized):
			oversized++
		}
	}
	if malformed != 3 || oversized != 3 {
		t.Errorf("malformed %d oversized %d, want 3 and 3", malformed, oversized)
	}
	if len(sink.conns) != 3 || sink.conns[0] != 0 || sink.conns[1] != sink.events[2].TimeUS+1 {
		t.Errorf("connections with cursors %v", sink.conns)
	}
	if len(bad.urls) < 2 {
		t.Errorf("the failing host was tried %d times; hosts must alternate", len(bad.urls))
	}
	for _, u := range good.urls {
		if !strings.Contains(u, "wantedCollections=app.bsky.feed.like") || !strings.Contains(u, "wantedCollections=app.bsky.graph.follow") {
			t.Errorf("subscribe URL %s lacks wantedCollections", u)
		}
	}
	if len(slept) == 0 {
		t.Error("no backoff between reconnects")
	}
	for _, d := range slept {
		if d <= 0 || d > time.Minute {
			t.Errorf("backoff %v out of range", d)
		}
	}
}

type cursorSink struct {
	*recSink
	last *int64
}

func (s *cursorSink) Event(ctx context.Context, ev Event) error {
	*s.last = ev.TimeUS
	return s.recSink.Event(ctx, ev)
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	c, err := New(Options{Hosts: []string{"ws://x/subscribe"}, MinBackoff: time.Second, MaxBackoff: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.rand = func() float64 { return 0 }
	lo := []time.Duration{c.backoff(0), c.backoff(1), c.backoff(2), c.backoff(10)}
	c.rand = func() float64 { return 0.999 }
	hi := c.backoff(2)
	if lo[0] != 500*time.Millisecond || lo[1] != time.Second || lo[2] != 2*time.Second || lo[3] != 15*time.Second {
		t.Errorf("backoff floor %v", lo)
	}
	if hi <= lo[2] || hi > 4*time.Second {
		t.Errorf("jittered backoff %v", hi)
	}
}

func TestGapReported(t *testing.T) {
	lines := fixtureLines(t)
	srv := httptest.NewServer(&fakeJetstream{t: t, lines: lines})
	defer srv.Close()
	c, err := New(Options{Hosts: []string{"ws" + strings.TrimPrefix(srv.URL, "http")}, GapTolerance: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sink := &recSink{stopAt: 1, cancel: cancel}
	// Ask for an hour before the first event: the service starts later.
	first, _ := Parse(lines[0], 0)
	requested := first.TimeUS - time.Hour.Microseconds()
	_ = c.Run(ctx, func() int64 { return requested }, sink)
	if len(sink.gaps) != 1 || sink.gaps[0] != [2]int64{requested, first.TimeUS} {
		t.Errorf("gaps %v", sink.gaps)
	}
}

func TestNewRejectsBadHost(t *testing.T) {
	if _, err := New(Options{Hosts: []string{"ftp://x"}}); err == nil {
		t.Error("ftp host accepted")
	}
}
