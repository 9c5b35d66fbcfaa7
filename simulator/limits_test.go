package simulator

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRateLimitBluesky(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 10, 0, time.UTC)}
	s := newSim(t, Options{Seed: 1, Creators: 20, Now: clk.Now, Limits: map[string]Limit{"bluesky": {Requests: 5, Window: time.Minute}}})
	h := s.Handler()
	path := "/bluesky/xrpc/app.bsky.actor.getProfile?actor=" + s.Population().Creator("bluesky", 1).Handle
	for i := range 5 {
		r := get(h, path)
		if r.status != 200 || r.header.Get("RateLimit-Remaining") != strconv.Itoa(4-i) {
			t.Fatalf("request %d: %d remaining %q", i, r.status, r.header.Get("RateLimit-Remaining"))
		}
	}
	r := get(h, path)
	if r.status != 429 {
		t.Fatalf("6th request: %d", r.status)
	}
	if string(r.body) != `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}` {
		t.Errorf("429 body %s", r.body)
	}
	want := map[string]string{
		"RateLimit-Limit": "5", "RateLimit-Remaining": "0", "RateLimit-Policy": "5;w=60",
		"RateLimit-Reset": strconv.FormatInt(time.Date(2026, 11, 20, 12, 1, 0, 0, time.UTC).Unix(), 10),
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// Other platforms have their own budget; the window resets.
	if r := get(h, "/mastodon/api/v1/accounts/lookup?acct="+s.Population().Creator("mastodon", 1).Handle); r.status != 200 {
		t.Errorf("mastodon throttled by bluesky's limit: %d", r.status)
	}
	clk.Add(time.Minute)
	if r := get(h, path); r.status != 200 || r.header.Get("RateLimit-Remaining") != "4" {
		t.Errorf("after the window: %d %q", r.status, r.header.Get("RateLimit-Remaining"))
	}
	st := s.Stats().Platforms["bluesky"]
	if st.Requests != 7 || st.Rejected != 1 || st.ByStatus["429"] != 1 || st.ByStatus["200"] != 6 || st.Faults != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestRateLimitMastodon(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 20, 12, 3, 10, 0, time.UTC)}
	s := newSim(t, Options{Seed: 1, Creators: 20, Now: clk.Now, Limits: map[string]Limit{"mastodon": {Requests: 3, Window: 5 * time.Minute}}})
	h := s.Handler()
	for range 3 {
		if r := get(h, "/mastodon/api/v1/accounts/lookup?acct=nobody"); r.status != 404 || r.header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("%d %v", r.status, r.header)
		}
	}
	r := get(h, "/mastodon/api/v1/accounts/lookup?acct=nobody")
	if r.status != 429 || string(r.body) != `{"error":"Too many requests"}` {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if got := r.header.Get("X-RateLimit-Reset"); got != "2026-11-20T12:05:00.000000Z" {
		t.Errorf("X-RateLimit-Reset %q", got)
	}
	if r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("Retry-After") != "" {
		t.Errorf("headers %v", r.header)
	}
	if st := s.Stats().Platforms["mastodon"]; st.Rejected != 1 || st.ByStatus["404"] != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestDefaultLimits(t *testing.T) {
	d := DefaultLimits()
	if d["bluesky"] != (Limit{3000, time.Minute}) || d["mastodon"] != (Limit{1500, time.Minute}) {
		t.Fatalf("%+v", d)
	}
	s := New(Options{Seed: 1, Creators: 10, Now: func() time.Time { return testNow }})
	if r := get(s.Handler(), "/bluesky/xrpc/app.bsky.actor.getProfile?actor=x"); r.header.Get("RateLimit-Policy") != "3000;w=60" {
		t.Errorf("default policy %q", r.header.Get("RateLimit-Policy"))
	}
}

func TestFaultsInjectedAtRate(t *testing.T) {
	f := Faults{ErrorRate: 0.10, TruncateRate: 0.05, MalformedRate: 0.05, DriftRate: 0.05}
	s := newSim(t, Options{Seed: 9, Creators: 50, Faults: f})
	h := s.Handler()
	path := "/bluesky/xrpc/app.bsky.actor.getProfile?actor=" + s.Population().Creator("bluesky", 3).Handle
	const n = 2000
	seen := map[string]int{}
	for range n {
		r := get(h, path)
		var v map[string]any
		switch {
		case r.status >= 500:
			seen["5xx"]++
		case r.header.Get("Content-Length") != strconv.Itoa(len(r.body)):
			seen["truncate"]++
		case json.Unmarshal(r.body, &v) != nil:
			seen["malformed"]++
		case drifted(r.body, s.pop.plats["bluesky"].drift):
			seen["drift"]++
		default:
			seen["ok"]++
		}
	}
	st := s.Stats().Platforms["bluesky"]
	for kind, rate := range map[string]float64{"5xx": 0.10, "truncate": 0.05, "malformed": 0.05, "drift": 0.05} {
		sd := math.Sqrt(n * rate * (1 - rate))
		if got := float64(seen[kind]); math.Abs(got-n*rate) > 4*sd {
			t.Errorf("%s: %v of %d, want about %v", kind, got, n, n*rate)
		}
		if st.ByFault[kind] != int64(seen[kind]) {
			t.Errorf("%s: stats count %d, observed %d", kind, st.ByFault[kind], seen[kind])
		}
	}
	if st.Faults != int64(n-seen["ok"]) || st.Requests != n || st.Rejected != 0 {
		t.Errorf("stats %+v, ok %d", st, seen["ok"])
	}
}

func drifted(body []byte, renames [][2]string) bool {
	for _, rn := range renames {
		if strings.Contains(string(body), `"`+rn[1]+`":`) && !strings.Contains(string(body), `"`+rn[0]+`":`) {
			return true
		}
	}
	return false
}

func TestTruncatedBodyBreaksTheConnection(t *testing.T) {
	s := newSim(t, Options{Seed: 9, Creators: 10, Faults: Faults{TruncateRate: 1}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	res, err := ts.Client().Get(ts.URL + "/bluesky/xrpc/app.bsky.actor.getProfile?actor=" + s.Population().Creator("bluesky", 1).Handle)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := io.ReadAll(res.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a truncated body: %v", err)
	}
}

func TestLatencyAndServerErrorBodies(t *testing.T) {
	s := newSim(t, Options{Seed: 2, Creators: 10, Faults: Faults{ErrorRate: 1, Latency: 20 * time.Millisecond}})
	start := time.Now()
	seen := map[int]bool{}
	for range 12 {
		r := get(s.Handler(), "/mastodon/api/v1/accounts/lookup?acct=x")
		seen[r.status] = true
		if r.status == 500 && !strings.Contains(string(r.body), `"error"`) {
			t.Errorf("500 body %s", r.body)
		}
	}
	if el := time.Since(start); el < 12*10*time.Millisecond {
		t.Errorf("12 requests with 20ms latency took %v", el)
	}
	if !seen[500] || !seen[502] || !seen[503] {
		t.Errorf("statuses %v", seen)
	}
}

func TestStatsEndpoint(t *testing.T) {
	s := newSim(t, Options{Seed: 4, Creators: 30})
	h := s.Handler()
	p := s.Population()
	get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+p.Creator("bluesky", 2).Handle)
	get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor=ghost.bsky.social")
	get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor="+p.Creator("bluesky", 2).ID)
	get(h, "/bluesky/xrpc/app.bsky.unknown.method")
	get(h, "/mastodon/api/v1/accounts/"+p.Creator("mastodon", 2).ID)
	r := get(h, "/__stats")
	var st Stats
	if err := json.Unmarshal(r.body, &st); err != nil {
		t.Fatal(err)
	}
	b := st.Platforms["bluesky"]
	if b.Requests != 4 || b.ByStatus["200"] != 2 || b.ByStatus["400"] != 1 || b.ByStatus["501"] != 1 ||
		b.ByEndpoint["app.bsky.actor.getProfile"] != 2 || b.ByEndpoint["app.bsky.feed.getAuthorFeed"] != 1 || b.ByEndpoint["other"] != 1 {
		t.Errorf("bluesky stats %+v", b)
	}
	if m := st.Platforms["mastodon"]; m.Requests != 1 || m.ByEndpoint["accounts/:id"] != 1 {
		t.Errorf("mastodon stats %+v", m)
	}
	for _, key := range []string{`"platforms"`, `"requests"`, `"byStatus"`, `"rejected"`, `"faults"`, `"byEndpoint"`} {
		if !strings.Contains(string(r.body), key) {
			t.Errorf("/__stats lacks %s", key)
		}
	}
}

func TestCursorExpiry(t *testing.T) {
	clk := &clock{t: testNow}
	s := newSim(t, Options{Seed: 4, Creators: 30, Now: clk.Now})
	h := s.Handler()
	tr := creatorWith(t, s.Population(), "bluesky", func(tr Truth) bool { return tr.SettledPosts > 40 && !tr.Vanished })
	page := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=10&actor="+tr.Handle).obj(t)
	cur := str(page, "cursor")
	if cur == "" {
		t.Fatal("no cursor")
	}
	if r := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=10&actor="+tr.Handle+"&cursor="+cur); r.status != 200 {
		t.Fatalf("fresh cursor: %d %s", r.status, r.body)
	}
	clk.Add(DefaultCursorTTL + time.Second)
	r := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=10&actor="+tr.Handle+"&cursor="+cur)
	if r.status != 400 || str(r.obj(t), "error") != "InvalidRequest" || str(r.obj(t), "message") != "Cursor expired" {
		t.Errorf("expired cursor: %d %s", r.status, r.body)
	}
	r = get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor="+tr.Handle+"&cursor=2025-01-01T00:00:00.000Z")
	if r.status != 400 || str(r.obj(t), "message") != "Malformed cursor" {
		t.Errorf("made-up cursor: %d %s", r.status, r.body)
	}
}

func TestVanishedAccounts(t *testing.T) {
	s := newSim(t, Options{Seed: 4, Creators: 200, Faults: Faults{VanishRate: 0.2}})
	h, p := s.Handler(), s.Population()
	gone := 0
	for i := range p.Size() {
		if p.Creator("bluesky", i).Vanished {
			gone++
		}
	}
	if gone < 20 || gone > 60 {
		t.Errorf("%d of 200 vanished at rate 0.2", gone)
	}
	b := creatorWith(t, p, "bluesky", func(tr Truth) bool { return tr.Vanished })
	r := get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+b.Handle)
	if e := str(r.obj(t), "error"); r.status != 400 || (e != "InvalidRequest" && e != "AccountDeactivated") {
		t.Errorf("vanished bluesky profile: %d %s", r.status, r.body)
	}
	m := creatorWith(t, p, "mastodon", func(tr Truth) bool { return tr.Vanished })
	for _, path := range []string{"/mastodon/api/v1/accounts/lookup?acct=" + m.Handle, "/mastodon/api/v1/accounts/" + m.ID + "/statuses"} {
		if r := get(h, path); r.status != http.StatusNotFound || string(r.body) != `{"error":"Record not found"}` {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	if s.Stats().Platforms["mastodon"].Vanished != 2 || s.Stats().Platforms["bluesky"].Vanished != 1 {
		t.Errorf("vanished counts %+v", s.Stats())
	}
	for _, h := range p.SeedHandles("bluesky", 20) {
		ref, _ := p.plats["bluesky"].resolve(p, h)
		if p.Creator("bluesky", ref.idx).Vanished {
			t.Errorf("seed %s has vanished", h)
		}
	}
}

// TestRateLimitPerClient: with PerClientLimits every client named by
// X-Nanoscout-Client (or by its bearer token) has its own window, so N
// workers get N budgets; requests that name nobody share one.
func TestRateLimitPerClient(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 10, 0, time.UTC)}
	lim := map[string]Limit{"bluesky": {Requests: 5, Window: time.Minute}, "mastodon": {Requests: 4, Window: time.Minute}}
	s := newSim(t, Options{Seed: 1, Creators: 20, Now: clk.Now, Limits: lim, PerClientLimits: true})
	h := s.Handler()
	path := "/bluesky/xrpc/app.bsky.actor.getProfile?actor=" + s.Population().Creator("bluesky", 1).Handle
	send := func(client, token string) resp {
		hd := http.Header{}
		if client != "" {
			hd.Set(ClientHeader, client)
		}
		if token != "" {
			hd.Set("Authorization", "Bearer "+token)
		}
		return do(h, "GET", path, hd, nil)
	}
	// Three workers in parallel, each until refused, and anonymous requests.
	type worker struct{ client, token string }
	workers := []worker{{"worker-1", ""}, {"worker-2", "tok-shared"}, {"", "token-of-worker-3"}, {"", ""}}
	got := make([]int, len(workers))
	done := make(chan int)
	for i, w := range workers {
		go func() {
			for n := 0; n < 50; n++ {
				r := send(w.client, w.token)
				if r.status == 429 {
					break
				}
				if r.status != 200 {
					t.Errorf("worker %d: %d", i, r.status)
					break
				}
				got[i]++
			}
			done <- i
		}()
	}
	for range workers {
		<-done
	}
	for i, n := range got {
		if n != 5 {
			t.Errorf("worker %d (%+v) got %d requests through, want its own budget of 5", i, workers[i], n)
		}
	}
	// The header wins over the token; Remaining is the client's own.
	if r := send("worker-1", "token-of-worker-3"); r.status != 429 {
		t.Errorf("worker-1 with another token: %d, want 429 (the header names the client)", r.status)
	}
	if r := send("worker-4", ""); r.status != 200 || r.header.Get("RateLimit-Remaining") != "4" {
		t.Errorf("a new worker: %d remaining %q", r.status, r.header.Get("RateLimit-Remaining"))
	}
	// Budgets are per platform too.
	mpath := "/mastodon/api/v1/accounts/lookup?acct=" + s.Population().Creator("mastodon", 1).Handle
	hd := http.Header{ClientHeader: {"worker-1"}}
	for i := range 4 {
		if r := do(h, "GET", mpath, hd, nil); r.status != 200 || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(3-i) {
			t.Fatalf("mastodon request %d of worker-1: %d %q", i, r.status, r.header.Get("X-RateLimit-Remaining"))
		}
	}
	st := s.Stats().Platforms["bluesky"].Clients
	if st["worker-1"].Requests != 7 || st["worker-1"].Rejected != 2 || st["anonymous"].Requests != 6 || st["token:toke…er-3"].Requests != 6 {
		t.Errorf("client stats %+v", st)
	}
	// A new window gives everyone a fresh budget.
	clk.Add(time.Minute)
	if r := send("worker-1", ""); r.status != 200 {
		t.Errorf("after the window: %d", r.status)
	}

	// Without PerClientLimits the header changes nothing: one budget.
	s2 := newSim(t, Options{Seed: 1, Creators: 20, Now: clk.Now, Limits: lim})
	ok := 0
	for i := range 10 {
		hd := http.Header{ClientHeader: {"w" + strconv.Itoa(i%3)}}
		if do(s2.Handler(), "GET", path, hd, nil).status == 200 {
			ok++
		}
	}
	if ok != 5 || s2.Stats().Platforms["bluesky"].Clients != nil {
		t.Errorf("shared budget: %d through, want 5", ok)
	}
}
