package simulator

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMastodonPublicTimeline(t *testing.T) {
	s := newSim(t, Options{Seed: 7, Creators: 150})
	h, p := s.Handler(), s.Population()
	first := getAuth(h, "/mastodon/api/v1/timelines/public?limit=40") // the recording was made with a token
	if first.status != 200 {
		t.Fatalf("%d %s", first.status, first.body)
	}
	assertShape(t, "timelines/public", loadFixture(t, "mastodon/timelines_tag.json"), first.json(t), keyRules{})
	page := first.arr(t)
	if len(page) != 40 {
		t.Fatalf("page of %d, want 40", len(page))
	}
	// Newest first, top-level own posts only, each as statuses/:id shows it.
	for i, st := range page {
		if i > 0 && str(page[i-1], "id") <= str(st, "id") && len(str(page[i-1], "id")) == len(str(st, "id")) {
			t.Errorf("not newest first at %d", i)
		}
		if dig(st, "in_reply_to_id") != nil || dig(st, "reblog") != nil {
			t.Errorf("reply or reblog in the public timeline: %s", str(st, "id"))
		}
		if i%8 == 0 {
			one := getAuth(h, "/mastodon/api/v1/statuses/"+str(st, "id"))
			if mustJSON(t, one.json(t)) != mustJSON(t, st) {
				t.Errorf("status %s differs from statuses/:id", str(st, "id"))
			}
		}
		if ts, _ := time.Parse(time.RFC3339, str(st, "created_at")); ts.After(testNow) {
			t.Errorf("status from the future: %s", str(st, "created_at"))
		}
	}
	if over := get(h, "/mastodon/api/v1/timelines/public?limit=80").arr(t); len(over) != 40 {
		t.Errorf("limit=80 gave %d, want the cap 40", len(over))
	}
	link := first.header.Get("Link")
	if !strings.Contains(link, `max_id=`+str(page[39], "id")+`>; rel="next"`) || !strings.Contains(link, `min_id=`+str(page[0], "id")+`>; rel="prev"`) {
		t.Errorf("Link %q", link)
	}
	// max_id pages go back without overlap; min_id pages come forward.
	next := get(h, "/mastodon/api/v1/timelines/public?limit=40&max_id="+str(page[39], "id")).arr(t)
	if len(next) != 40 || str(next[0], "id") == str(page[39], "id") {
		t.Fatalf("next page: %d statuses", len(next))
	}
	fwd := get(h, "/mastodon/api/v1/timelines/public?limit=40&min_id="+str(next[39], "id")).arr(t)
	if len(fwd) != 40 || str(fwd[39], "id") != str(next[38], "id") || str(fwd[0], "id") != str(page[39], "id") {
		t.Errorf("min_id page: %d statuses, oldest %s newest %s", len(fwd), str(fwd[39], "id"), str(fwd[0], "id"))
	}
	if r := get(h, "/mastodon/api/v1/timelines/public?remote=true").arr(t); len(r) != 0 {
		t.Errorf("remote=true gave %d statuses on a single-instance population", len(r))
	}
	if l := get(h, "/mastodon/api/v1/timelines/public?local=true&limit=5").arr(t); len(l) != 5 || str(l[0], "id") != str(page[0], "id") {
		t.Errorf("local=true differs")
	}

	// Every creator's own posts of the last three hours are on it.
	since := snowflake(testNow.Add(-3*time.Hour).UnixMilli(), 0)
	onTimeline := map[string]bool{}
	for max := ""; ; {
		u := "/mastodon/api/v1/timelines/public?limit=40&since_id=" + strconv.FormatUint(since, 10)
		if max != "" {
			u += "&max_id=" + max
		}
		pg := get(h, u).arr(t)
		if len(pg) == 0 {
			break
		}
		for _, st := range pg {
			onTimeline[str(st, "id")] = true
		}
		max = str(pg[len(pg)-1], "id")
	}
	own := 0
	for i := range p.Size() {
		tr := p.Creator("mastodon", i)
		if tr.Vanished {
			continue
		}
		sts := get(h, "/mastodon/api/v1/accounts/"+tr.ID+"/statuses?exclude_replies=true&exclude_reblogs=true&limit=40&since_id="+strconv.FormatUint(since, 10)).arr(t)
		for _, st := range sts {
			own++
			if !onTimeline[str(st, "id")] {
				t.Errorf("%s's status %s is not on the public timeline", tr.Handle, str(st, "id"))
			}
		}
	}
	if own < 10 {
		t.Fatalf("only %d creator posts in three hours", own)
	}
}

func TestMastodonPublicNeedsTokenWhenConfigured(t *testing.T) {
	for _, c := range []struct {
		mode   string
		status int
		body   string
	}{
		{MastodonPublicPreviewOff, 422, `{"error":"This method requires an authenticated user"}`},
		{MastodonPublicAuthorized, 401, `{"error":"This API requires an authenticated user"}`},
	} {
		s := newSim(t, Options{Seed: 1, Creators: 50, MastodonPublic: c.mode})
		h := s.Handler()
		r := get(h, "/mastodon/api/v1/timelines/public")
		if r.status != c.status || string(r.body) != c.body {
			t.Errorf("%s: %d %s", c.mode, r.status, r.body)
		}
		if r := getAuth(h, "/mastodon/api/v1/timelines/public?limit=3"); r.status != 200 || len(r.arr(t)) != 3 {
			t.Errorf("%s with a token: %d", c.mode, r.status)
		}
		sr := get(h, "/mastodon/api/v1/streaming/public")
		if sr.status != 401 || string(sr.body) != `{"error":"Missing access token"}` {
			t.Errorf("%s streaming: %d %s", c.mode, sr.status, sr.body)
		}
	}
	if r := get(newSim(t, Options{Seed: 1, Creators: 50}).Handler(), "/mastodon/api/v1/timelines/public?limit=2"); r.status != 200 {
		t.Errorf("open instance: %d", r.status)
	}
}

func TestMastodonStreamingPublic(t *testing.T) {
	clk := &clock{t: testNow}
	s := newSim(t, Options{Seed: 7, Creators: 150, Now: clk.Now, Jetstream: JetstreamOptions{Poll: time.Millisecond}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/mastodon/api/v1/streaming/public", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("%d %s", res.StatusCode, ct)
	}
	// What the paged timeline says the next 30 minutes bring.
	later := newSim(t, Options{Seed: 7, Creators: 150, Now: func() time.Time { return testNow.Add(30 * time.Minute) }})
	since := strconv.FormatUint(snowflake(testNow.UnixMilli(), 0xffff), 10)
	want := later.Handler()
	var wantIDs []string
	for _, st := range get(want, "/mastodon/api/v1/timelines/public?limit=40&min_id="+since).arr(t) {
		wantIDs = append([]string{str(st, "id")}, wantIDs...)
	}
	if len(wantIDs) < 3 {
		t.Fatalf("only %d statuses in 30 minutes", len(wantIDs))
	}
	clk.Add(30 * time.Minute)
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	var got []string
	event := ""
	for len(got) < len(wantIDs) && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if event != "update" {
				t.Fatalf("event %q", event)
			}
			st := decodeFrame(t, []byte(strings.TrimPrefix(line, "data: ")))
			got = append(got, str(st, "id"))
		}
	}
	for i := range wantIDs {
		if i >= len(got) || got[i] != wantIDs[i] {
			t.Fatalf("streamed %v, want %v", got, wantIDs)
		}
	}
}

// TestMastodonStreamingServer: /api/v2/instance names the streaming host,
// which serves the stream and /api/v1/streaming/health; the faults of
// MastodonStreamOptions: a stream that wants a token while the REST
// timeline is open, no streaming server, dropped connections and malformed
// events (the real ones are all sent).
func TestMastodonStreamingServer(t *testing.T) {
	s := newSim(t, Options{Seed: 7, Creators: 50})
	h := s.Handler()
	inst := get(h, "/mastodon/api/v2/instance")
	if inst.status != 200 {
		t.Fatalf("instance: %d %s", inst.status, inst.body)
	}
	if u := str(dig(inst.json(t), "configuration", "urls"), "streaming"); u != "ws://sim.test/mastodon-streaming" {
		t.Errorf("configuration.urls.streaming %q", u)
	}
	for _, p := range []string{"/mastodon-streaming", "/mastodon"} {
		if r := get(h, p+"/api/v1/streaming/health"); r.status != 200 || string(r.body) != "OK" {
			t.Errorf("%s health: %d %q", p, r.status, r.body)
		}
	}

	tok := newSim(t, Options{Seed: 7, Creators: 50, MastodonStream: MastodonStreamOptions{NeedsToken: true}}).Handler()
	if r := get(tok, "/mastodon-streaming/api/v1/streaming/public"); r.status != 401 || string(r.body) != `{"error":"Missing access token"}` {
		t.Errorf("needs token: %d %s", r.status, r.body)
	}
	if r := get(tok, "/mastodon/api/v1/timelines/public?limit=2"); r.status != 200 {
		t.Errorf("needs token: the REST timeline answered %d", r.status)
	}
	off := newSim(t, Options{Seed: 7, Creators: 50, MastodonStream: MastodonStreamOptions{Off: true}}).Handler()
	if r := get(off, "/mastodon-streaming/api/v1/streaming/public"); r.status != 404 {
		t.Errorf("off: %d", r.status)
	}
	if r := get(off, "/mastodon/api/v1/streaming/health"); r.status != 404 {
		t.Errorf("off health: %d", r.status)
	}

	// Drops after 3 updates, a malformed one after every 2nd.
	clk := &clock{t: testNow}
	fs := newSim(t, Options{Seed: 7, Creators: 150, Now: clk.Now, Jetstream: JetstreamOptions{Poll: time.Millisecond},
		MastodonStream: MastodonStreamOptions{DropAfter: 3, MalformedEvery: 2}})
	ts := httptest.NewServer(fs.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/mastodon-streaming/api/v1/streaming/public", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	clk.Add(2 * time.Hour)
	body, err := io.ReadAll(res.Body) // ends: the server dropped the connection
	if err != nil {
		t.Fatal(err)
	}
	var good, bad int
	for _, ev := range strings.Split(string(body), "\n\n") {
		_, data, ok := strings.Cut(ev, "event: update\ndata: ")
		if !ok {
			continue
		}
		if json.Valid([]byte(data)) {
			good++
		} else {
			bad++
		}
	}
	if good != 3 || bad != 1 {
		t.Errorf("%d updates and %d malformed before the drop, want 3 and 1:\n%s", good, bad, body)
	}
	if f := fs.Stats().Platforms["mastodon"].ByFault; f["mstream-drop"] != 1 || f["mstream-malformed"] != 1 {
		t.Errorf("faults %v", f)
	}
}
