package simulator

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// jsEvent is a decoded frame, loosely typed.
type jsEvent = map[string]any

func decodeFrame(t testing.TB, b []byte) jsEvent {
	t.Helper()
	var e jsEvent
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("frame %.200s: %v", b, err)
	}
	return e
}

// eventsBetween renders the events of [from, to) µs through the Go API.
func eventsBetween(t testing.TB, s *Server, from, to int64, f JetstreamFilter) []jsEvent {
	t.Helper()
	var out []jsEvent
	if err := s.JetstreamEvents(from, to, f, func(_ int64, b []byte) bool {
		out = append(out, decodeFrame(t, b))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func eventKey(e jsEvent) string {
	if str(e, "kind") != "commit" {
		return str(e, "kind") + "|" + str(e, "did") + "|" + strconv.FormatInt(int64(num(e, "time_us")), 10)
	}
	return str(e, "did") + "|" + str(e, "commit", "collection") + "|" + str(e, "commit", "rkey") + "|" + str(e, "commit", "operation")
}

func groupOf(e jsEvent) string {
	if k := str(e, "kind"); k != "commit" {
		return k
	}
	return str(e, "commit", "collection") + "#" + str(e, "commit", "operation")
}

func TestJetstreamFramesMatchFixture(t *testing.T) {
	s := newSim(t, Options{Seed: 5, Creators: 200, Faults: Faults{VanishRate: 0.05, UnlikeRate: 0.2, PostDeleteRate: 0.2}})
	// The fixture: one event per line.
	raw, err := os.ReadFile(filepath.Join("testdata", "bluesky", "jetstream_events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	fixture := map[string][]any{}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		e := decodeFrame(t, sc.Bytes())
		fixture[groupOf(e)] = append(fixture[groupOf(e)], any(e))
	}
	// Deletes of posts and follows have the shape of the recorded like delete.
	for _, g := range []string{nsidPost + "#delete", nsidFollow + "#delete"} {
		fixture[g] = fixture[nsidLike+"#delete"]
	}
	to := testNow.UnixMicro()
	evs := eventsBetween(t, s, to-3*3600_000_000, to, JetstreamFilter{})
	seen := map[string]int{}
	unions := []string{"record.embed", "record.facets", "record.reply", "features[].uri", "features[].tag"}
	for _, e := range evs {
		g := groupOf(e)
		seen[g]++
		fx, ok := fixture[g]
		if !ok {
			t.Fatalf("event group %s not in the fixture: %v", g, e)
		}
		if seen[g] > 200 {
			continue
		}
		rec, _ := dig(e, "commit", "record").(map[string]any)
		if emb, ok := rec["embed"].(map[string]any); ok {
			// Embeds are unions; check the members the simulator writes.
			switch str(emb, "$type") {
			case "app.bsky.embed.images", "app.bsky.embed.external":
			case "app.bsky.embed.record":
				if !strings.HasPrefix(str(emb, "record", "uri"), "at://did:plc:") || !strings.HasPrefix(str(emb, "record", "cid"), "bafyrei") {
					t.Errorf("quote embed %v", emb)
				}
			default:
				t.Errorf("embed type %q", str(emb, "$type"))
			}
			delete(rec, "embed")
		}
		for _, p := range compareShape(fx, []any{e}, "$", keyRules{optional: unions, extra: nil}) {
			t.Errorf("%s: %s", g, p)
		}
		if us := num(e, "time_us"); us < float64(to-3*3600_000_000) || us >= float64(to) {
			t.Errorf("time_us %v outside the range asked", us)
		}
	}
	for _, g := range []string{nsidPost + "#create", nsidLike + "#create", nsidRepost + "#create", nsidFollow + "#create", nsidFollow + "#delete", nsidLike + "#delete", nsidPost + "#delete", "account"} {
		if seen[g] == 0 {
			t.Errorf("no %s event in three hours: %v", g, seen)
		}
	}
	// time_us strictly increasing (unique, like the service's monotonic clock).
	for i := 1; i < len(evs); i++ {
		if num(evs[i], "time_us") <= num(evs[i-1], "time_us") {
			t.Fatalf("time_us not increasing at %d: %v then %v", i, num(evs[i-1], "time_us"), num(evs[i], "time_us"))
		}
	}
}

func TestUniqueTimes(t *testing.T) {
	for _, c := range []struct{ in, want []int64 }{
		{[]int64{1, 1, 1, 5}, []int64{1, 2, 3, 5}},
		{[]int64{7, 8, 9, 9, 9}, []int64{5, 6, 7, 8, 9}}, // end 10: the overflow is pulled back
		{[]int64{2, 9, 9, 9}, []int64{2, 7, 8, 9}},
		{[]int64{8, 9, 9}, []int64{7, 8, 9}},
	} {
		evs := make([]jsEv, len(c.in))
		for i, us := range c.in {
			evs[i].us = us
		}
		uniqueTimes(evs, 10)
		for i := range evs {
			if evs[i].us != c.want[i] {
				t.Errorf("%v: got %d at %d, want %v", c.in, evs[i].us, i, c.want)
			}
		}
	}
}

// TestJetstreamAgreesWithXRPC: the stream's likes (minus like deletes),
// reposts, quotes and direct replies of a post up to T are exactly the counts
// getPosts shows at T, and deleted posts are gone from getPosts once their
// delete event is out. (Replies and reposts that other accounts make as
// their own feed items are the documented exception: the XRPC counts leave
// them out, so they are left out here too.)
func TestJetstreamAgreesWithXRPC(t *testing.T) {
	for _, f := range []Faults{{}, {UnlikeRate: 0.25, PostDeleteRate: 0.3}} {
		t.Run(f.String(), func(t *testing.T) {
			clk := &clock{t: testNow}
			s := newSim(t, Options{Seed: 9, Creators: 120, Now: clk.Now, Faults: f})
			h := s.Handler()
			from := testNow.Add(-5 * time.Hour).UnixMicro()
			to := testNow.Add(3 * time.Hour).UnixMicro()
			type hit struct {
				us   int64
				what string
			}
			bySubject := map[string][]hit{}
			likeOf := map[string]string{} // did/rkey of a like -> subject
			type post struct {
				uri     string
				created int64
			}
			var posts []post
			deleted := map[string]int64{}
			r := newJSRenderer(s.js.b)
			s.js.events(from, to, &jsFilter{anyDID: true}, func(ev *jsEv) bool {
				e := decodeFrame(t, r.frame(ev))
				us := ev.us
				uri := "at://" + str(e, "did") + "/" + nsidPost + "/" + str(e, "commit", "rkey")
				switch ev.kind {
				case jsPost:
					if ev.owner == ev.actor && dig(e, "commit", "record", "reply") == nil {
						posts = append(posts, post{uri, us})
					}
				case jsPostDelete:
					deleted[uri] = us
				case jsLike:
					subj := str(e, "commit", "record", "subject", "uri")
					likeOf[str(e, "did")+"/"+str(e, "commit", "rkey")] = subj
					bySubject[subj] = append(bySubject[subj], hit{us, "likeCount"})
				case jsUnlike:
					if subj, ok := likeOf[str(e, "did")+"/"+str(e, "commit", "rkey")]; ok {
						bySubject[subj] = append(bySubject[subj], hit{us, "unlike"})
					}
				case jsRepost:
					subj := str(e, "commit", "record", "subject", "uri")
					bySubject[subj] = append(bySubject[subj], hit{us, "repostCount"})
				case jsQuote:
					subj := str(e, "commit", "record", "embed", "record", "uri")
					bySubject[subj] = append(bySubject[subj], hit{us, "quoteCount"})
				case jsNode:
					if p := str(e, "commit", "record", "reply", "parent", "uri"); p == str(e, "commit", "record", "reply", "root", "uri") {
						bySubject[p] = append(bySubject[p], hit{us, "replyCount"})
					}
				}
				return true
			})
			if len(posts) < 20 {
				t.Fatalf("only %d posts in 8 hours", len(posts))
			}
			checked, withLikes, unliked, gone := 0, 0, 0, 0
			for _, at := range []time.Duration{0, 90 * time.Minute, 3 * time.Hour} {
				clk.t = testNow.Add(at)
				T := clk.t.UnixMilli()
				var uris []string
				for _, p := range posts {
					if p.created <= T*1000 {
						uris = append(uris, p.uri)
					}
				}
				for i := 0; i < len(uris); i += 25 {
					batch := uris[i:min(i+25, len(uris))]
					res := get(h, "/bluesky/xrpc/app.bsky.feed.getPosts?"+url.Values{"uris": batch}.Encode())
					if res.status != 200 {
						t.Fatalf("getPosts: %d %s", res.status, res.body)
					}
					got := map[string]map[string]any{}
					for _, pv := range res.obj(t)["posts"].([]any) {
						got[str(pv, "uri")] = pv.(map[string]any)
					}
					for _, uri := range batch {
						pv, ok := got[uri]
						if d, del := deleted[uri]; del && d < (T+1)*1000 {
							if ok {
								t.Errorf("%s deleted at %d still served at %d", uri, d, T)
							}
							gone++
							continue
						}
						if !ok {
							t.Errorf("getPosts lacks %s", uri)
							continue
						}
						want := map[string]int64{"likeCount": 0, "repostCount": 0, "quoteCount": 0, "replyCount": 0}
						for _, x := range bySubject[uri] {
							if x.us >= (T+1)*1000 {
								continue
							}
							if x.what == "unlike" {
								want["likeCount"]--
								unliked++
								continue
							}
							want[x.what]++
						}
						for k, n := range want {
							if int64(num(pv, k)) != n {
								t.Errorf("T+%v %s: %s %v, stream says %d", at, uri, k, num(pv, k), n)
							}
						}
						checked++
						if want["likeCount"] > 0 {
							withLikes++
						}
					}
				}
			}
			if checked < 40 || withLikes < 10 {
				t.Fatalf("checked %d posts, %d with likes: too few to mean anything", checked, withLikes)
			}
			if f.UnlikeRate > 0 && (unliked == 0 || gone == 0) {
				t.Fatalf("with deletions on: %d like deletes, %d deleted posts seen", unliked, gone)
			}
		})
	}
}

// TestJetstreamThreadsAreInTheStream: the replies of a thread, and the
// creator's answers under them, are post events with the right parent and
// root.
func TestJetstreamThreadsAreInTheStream(t *testing.T) {
	s := newSim(t, Options{Seed: 4, Creators: 150})
	h := s.Handler()
	to := testNow.UnixMicro() + 1
	evs := eventsBetween(t, s, to-30*3600_000_000, to, JetstreamFilter{WantedCollections: []string{nsidPost}})
	byURI := map[string]jsEvent{}
	for _, e := range evs {
		if groupOf(e) == nsidPost+"#create" {
			byURI["at://"+str(e, "did")+"/"+nsidPost+"/"+str(e, "commit", "rkey")] = e
		}
	}
	threads, nodes, answers := 0, 0, 0
	for uri, e := range byURI {
		if dig(e, "commit", "record", "reply") != nil || num(e, "time_us") > float64(to-24*3600_000_000) {
			continue // own posts of 24–30 h ago: their direct replies are all in the range
		}
		res := get(h, "/bluesky/xrpc/app.bsky.feed.getPostThread?depth=10&uri="+q(uri))
		if res.status != 200 {
			continue
		}
		threads++
		var walk func(n any, parent string)
		walk = func(n any, parent string) {
			reps, _ := dig(n, "replies").([]any)
			for _, r := range reps {
				u := str(r, "post", "uri")
				if u == "" {
					continue // notFound / blocked placeholders
				}
				se, ok := byURI[u]
				if !ok {
					t.Errorf("reply %s of %s not in the stream", u, uri)
					continue
				}
				if p := str(se, "commit", "record", "reply", "parent", "uri"); p != parent {
					t.Errorf("reply %s: stream parent %s, thread parent %s", u, p, parent)
				}
				if r := str(se, "commit", "record", "reply", "root", "uri"); r != uri {
					t.Errorf("reply %s: stream root %s, want %s", u, r, uri)
				}
				if str(se, "commit", "record", "text") != str(r, "post", "record", "text") {
					t.Errorf("reply %s: texts differ", u)
				}
				nodes++
				if str(r, "post", "author", "did") == str(e, "did") {
					answers++
				}
				walk(r, u)
			}
		}
		walk(dig(res.obj(t), "thread"), uri)
	}
	if threads < 10 || nodes < 30 || answers < 3 {
		t.Fatalf("checked %d threads, %d replies, %d answers by the author: too few", threads, nodes, answers)
	}
}

// dialJS subscribes to the simulator's Jetstream.
func dialJS(t testing.TB, ctx context.Context, base string, params url.Values) (*websocket.Conn, error) {
	t.Helper()
	u := JetstreamURL(base)
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	c, _, err := websocket.Dial(ctx, u, nil)
	if err == nil {
		c.SetReadLimit(4 << 20)
	}
	return c, err
}

func readEvents(t testing.TB, ctx context.Context, c *websocket.Conn, n int) []jsEvent {
	t.Helper()
	var out []jsEvent
	for len(out) < n {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		out = append(out, decodeFrame(t, b))
	}
	return out
}

func TestJetstreamSubscribeFiltersAndCursor(t *testing.T) {
	s := newSim(t, Options{Seed: 6, Creators: 150, Faults: Faults{VanishRate: 0.1}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	now := testNow.UnixMicro()

	// Cursor replay, everything: the frames are exactly the Go API's events.
	from := now - 2*3600_000_000
	want := eventsBetween(t, s, from, now+1, JetstreamFilter{})
	c, err := dialJS(t, ctx, ts.URL, url.Values{"cursor": {strconv.FormatInt(from, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	got := readEvents(t, ctx, c, len(want))
	c.CloseNow()
	for i := range want {
		if eventKey(got[i]) != eventKey(want[i]) || num(got[i], "time_us") != num(want[i], "time_us") {
			t.Fatalf("event %d: got %s at %v, want %s at %v", i, eventKey(got[i]), num(got[i], "time_us"), eventKey(want[i]), num(want[i], "time_us"))
		}
	}

	// wantedCollections and wantedDids: a creator's likes and posts only;
	// identity and account events pass the collection filter.
	var target string
	for _, e := range want {
		if groupOf(e) == nsidLike+"#create" {
			target = str(e, "did")
			break
		}
	}
	var vanished string
	for _, e := range want {
		if str(e, "kind") == "account" {
			vanished = str(e, "did")
			break
		}
	}
	if vanished == "" {
		t.Fatal("no account event in two hours with 10 % vanished")
	}
	flt := JetstreamFilter{WantedCollections: []string{nsidLike, "app.bsky.feed.*"}, WantedDids: []string{target, vanished, "did:plc:notinthepopulation00000"}}
	wantF := eventsBetween(t, s, from, now+1, flt)
	params := url.Values{"cursor": {strconv.FormatInt(from, 10)}, "wantedCollections": flt.WantedCollections, "wantedDids": flt.WantedDids}
	c, err = dialJS(t, ctx, ts.URL, params)
	if err != nil {
		t.Fatal(err)
	}
	gotF := readEvents(t, ctx, c, len(wantF))
	c.CloseNow()
	kinds := map[string]bool{}
	for i, e := range gotF {
		if d := str(e, "did"); d != target && d != vanished {
			t.Errorf("event of %s despite wantedDids", d)
		}
		if coll := str(e, "commit", "collection"); coll != "" && !strings.HasPrefix(coll, "app.bsky.feed.") {
			t.Errorf("collection %s despite wantedCollections", coll)
		}
		if eventKey(e) != eventKey(wantF[i]) {
			t.Fatalf("filtered event %d differs", i)
		}
		kinds[str(e, "kind")] = true
	}
	if !kinds["commit"] || !kinds["account"] || len(gotF) < 3 {
		t.Errorf("filtered stream of %d events has kinds %v; want commits and the account event", len(gotF), kinds)
	}

	// A cursor older than the retention window starts at the oldest
	// retained event.
	c, err = dialJS(t, ctx, ts.URL, url.Values{"cursor": {strconv.FormatInt(now-100*3600_000_000, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	first := readEvents(t, ctx, c, 1)[0]
	c.CloseNow()
	oldest := testNow.Add(-DefaultJetstreamRetention).UnixMicro()
	cnt, _ := s.JetstreamCount(oldest, oldest+3600_000_000, JetstreamFilter{})
	if int64(num(first, "time_us")) != cnt.FirstUS {
		t.Errorf("old cursor: first event at %v, want the oldest retained %d", num(first, "time_us"), cnt.FirstUS)
	}
	if s.Stats().Jetstream.OldCursor != 1 {
		t.Errorf("stats oldCursor %d, want 1", s.Stats().Jetstream.OldCursor)
	}

	// Bad parameters are refused before the upgrade.
	for _, p := range []string{"wantedCollections=not-an-nsid", "wantedDids=nodid", "cursor=abc", "compress=true"} {
		res, err := http.Get(ts.URL + "/jetstream/subscribe?" + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400", p, res.StatusCode)
		}
	}
}

func TestJetstreamLiveTailFollowsTheClock(t *testing.T) {
	clk := &clock{t: testNow}
	s := newSim(t, Options{Seed: 8, Creators: 150, Now: clk.Now, Jetstream: JetstreamOptions{Poll: time.Millisecond}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// No cursor: live tail from now; nothing older comes.
	c, err := dialJS(t, ctx, ts.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	start := clk.Now().UnixMicro()
	want := eventsBetween(t, s, start, start+10*60_000_000+1, JetstreamFilter{})
	if len(want) < 20 {
		t.Fatalf("only %d events in 10 minutes", len(want))
	}
	// Nothing may arrive before the clock moves.
	rctx, rcancel := context.WithTimeout(ctx, 100*time.Millisecond)
	if _, b, err := c.Read(rctx); err == nil {
		t.Fatalf("event before its time: %s", b)
	}
	rcancel()
	// The read above timed out, which closes a coder/websocket connection;
	// dial again with the cursor of the live edge.
	c.CloseNow()
	c, err = dialJS(t, ctx, ts.URL, url.Values{"cursor": {strconv.FormatInt(start, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		clk.Add(time.Minute)
		edge := clk.Now().UnixMicro()
		for _, w := range want {
			us := int64(num(w, "time_us"))
			if us > edge || us <= edge-60_000_000 {
				continue
			}
			_, b, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			e := decodeFrame(t, b)
			if eventKey(e) != eventKey(w) {
				t.Fatalf("minute %d: got %s, want %s", i, eventKey(e), eventKey(w))
			}
			if num(e, "time_us") > float64(edge) {
				t.Fatalf("event from the future: %v > %d", num(e, "time_us"), edge)
			}
		}
	}
}

// TestJetstreamFaultsLoseNothing: with every stream fault on, a consumer
// that skips bad frames, dedupes by (did, collection, rkey, operation) and
// reconnects from its newest time_us minus 10 s collects exactly the
// simulator's log.
func TestJetstreamFaultsLoseNothing(t *testing.T) {
	f := Faults{StreamDropRate: 0.004, StreamDupRate: 0.02, StreamDisorderRate: 0.02, StreamMalformedRate: 0.01, StreamOversizeRate: 0.003}
	s := newSim(t, Options{Seed: 12, Creators: 120, Faults: f})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	now := testNow.UnixMicro()
	from, until := now-90*60_000_000, now-10_000_000
	want := map[string]bool{}
	for _, e := range eventsBetween(t, s, from, until, JetstreamFilter{}) {
		want[eventKey(e)] = true
	}
	seen := map[string]bool{}
	cursor, newest := from, int64(0)
	reconnects, bad, dups := 0, 0, 0
	for newest < until {
		c, err := dialJS(t, ctx, ts.URL, url.Values{"cursor": {strconv.FormatInt(cursor, 10)}})
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadLimit(1 << 20) // oversized frames end the connection, as a real client's limit would
		for newest < until {
			_, b, err := c.Read(ctx)
			if err != nil {
				if ctx.Err() != nil {
					t.Fatal(err)
				}
				break
			}
			var e jsEvent
			if json.Unmarshal(b, &e) != nil || str(e, "did") == "" || (str(e, "kind") == "commit" && str(e, "commit", "rkey") == "") ||
				(str(e, "kind") != "commit" && str(e, "kind") != "identity" && str(e, "kind") != "account") {
				bad++
				continue
			}
			us := int64(num(e, "time_us"))
			newest = max(newest, us)
			if us < until {
				if seen[eventKey(e)] {
					dups++
				}
				seen[eventKey(e)] = true
			}
		}
		c.CloseNow()
		reconnects++
		cursor = max(from, newest-10_000_000)
		if reconnects > 500 {
			t.Fatal("too many reconnects")
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("lost %s", k)
		}
	}
	for k := range seen {
		if !want[k] {
			t.Errorf("event %s not in the simulator's log", k)
		}
	}
	st := s.Stats().Jetstream
	if st.Dropped == 0 || st.Duplicates == 0 || st.Disordered == 0 || st.Malformed == 0 || st.Oversize == 0 {
		t.Errorf("faults not all injected: %+v", st)
	}
	if bad == 0 || dups == 0 || reconnects < 2 {
		t.Errorf("consumer saw %d bad frames, %d duplicates, %d connections", bad, dups, reconnects)
	}
	t.Logf("%d events, %d connections, %d bad frames, %d duplicates; stats %+v", len(want), reconnects, bad, dups, st)
}

func TestJetstreamMaxMessageSizeAndHeartbeat(t *testing.T) {
	s := newSim(t, Options{Seed: 2, Creators: 100, Faults: Faults{StreamOversizeRate: 0.05}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	from := testNow.UnixMicro() - 3600_000_000
	c, err := dialJS(t, ctx, ts.URL, url.Values{"cursor": {strconv.FormatInt(from, 10)}, "maxMessageSizeBytes": {"100000"}, "requireHello": {"true"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	// requireHello: nothing until an options_update.
	rctx, rcancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, _, err = c.Read(rctx)
	rcancel()
	if err == nil {
		t.Fatal("event before the hello")
	}
	c, err = dialJS(t, ctx, ts.URL, url.Values{"cursor": {strconv.FormatInt(from, 10)}, "maxMessageSizeBytes": {"100000"}, "requireHello": {"true"}})
	if err != nil {
		t.Fatal(err)
	}
	hello := `{"type":"options_update","payload":{"wantedCollections":["app.bsky.feed.post"],"wantedDids":[],"maxMessageSizeBytes":100000}}`
	if err := c.Write(ctx, websocket.MessageText, []byte(hello)); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"heartbeat","payload":"ping-1"}`)); err != nil {
		t.Fatal(err)
	}
	heartbeat := false
	for i := 0; i < 300; i++ {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 100000 {
			t.Fatalf("frame of %d bytes despite maxMessageSizeBytes", len(b))
		}
		e := decodeFrame(t, b)
		if str(e, "kind") == "heartbeat" {
			heartbeat = str(e, "payload") == "ping-1"
			continue
		}
		if coll := str(e, "commit", "collection"); coll != "" && coll != nsidPost {
			t.Fatalf("collection %s after options_update", coll)
		}
	}
	if !heartbeat {
		t.Error("no heartbeat answer")
	}
	if s.Stats().Jetstream.TooLarge == 0 {
		t.Error("no oversized frame was held back")
	}
}

func TestJetstreamCountEndpoint(t *testing.T) {
	s := newSim(t, Options{Seed: 6, Creators: 100})
	h := s.Handler()
	to := testNow.UnixMicro()
	from := to - 3600_000_000
	r := get(h, "/__jetstream?from="+strconv.FormatInt(from, 10)+"&to="+strconv.FormatInt(to, 10)+"&wantedCollections="+nsidLike)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var c JetstreamCount
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatal(err)
	}
	n := int64(len(eventsBetween(t, s, from, to, JetstreamFilter{WantedCollections: []string{nsidLike}})))
	if c.Events != n || c.ByCollection[nsidLike] != c.Events-c.ByCollection["identity"]-c.ByCollection["account"] || n == 0 {
		t.Errorf("count %+v, events %d", c, n)
	}
	if r := get(h, "/__jetstream?from=abc"); r.status != 400 {
		t.Errorf("bad from: %d", r.status)
	}
	// The same range's frames as NDJSON.
	ev := get(h, "/__jetstream/events?from="+strconv.FormatInt(from, 10)+"&to="+strconv.FormatInt(to, 10)+"&wantedCollections="+nsidLike)
	lines := strings.Split(strings.TrimSuffix(string(ev.body), "\n"), "\n")
	if ev.status != 200 || int64(len(lines)) != n || ev.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("events: %d, %d lines for %d events", ev.status, len(lines), n)
	}
	if e := decodeFrame(t, []byte(lines[0])); int64(num(e, "time_us")) != c.FirstUS {
		t.Errorf("first line at %v, first event at %d", num(e, "time_us"), c.FirstUS)
	}
}

// BenchmarkJetstreamReplay generates and renders one hour of the stream of
// 1,000 creators per op (a different hour each time).
func BenchmarkJetstreamReplay(b *testing.B) {
	s := newSim(b, Options{Seed: 1, Creators: 1000})
	to := testNow.UnixMicro()
	n, events := 0, 0
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		from := to - int64(n+1)*3600_000_000
		_ = s.JetstreamEvents(from, from+3600_000_000, JetstreamFilter{}, func(int64, []byte) bool { events++; return true })
		n++
	}
	b.ReportMetric(float64(events)/float64(n), "events/op")
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
	// Per second of this process's CPU time: the figure that does not
	// depend on how busy the machine is.
	b.ReportMetric(float64(events)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkJetstreamMemoryFlat replays 24 hours of the stream of 1,000
// creators over a real WebSocket, flat out, and reports the live heap after
// the first and the last six hours: it must not grow with the events sent.
func BenchmarkJetstreamMemoryFlat(b *testing.B) {
	for range b.N {
		s := newSim(b, Options{Seed: 1, Creators: 1000})
		ts := httptest.NewServer(s.Handler())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		from := testNow.Add(-24 * time.Hour).UnixMicro()
		c, err := dialJS(b, ctx, ts.URL, url.Values{"cursor": {strconv.FormatInt(from, 10)}})
		if err != nil {
			b.Fatal(err)
		}
		heap := func() float64 {
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			return float64(m.HeapInuse) / (1 << 20)
		}
		var marks []float64
		next := from + 6*3600_000_000
		events, bytes := 0, 0
		start, cpu0 := time.Now(), cpuTime()
		end := testNow.UnixMicro() - 1_000_000
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			events++
			bytes += len(msg)
			var head struct {
				TimeUS int64 `json:"time_us"`
			}
			if json.Unmarshal(msg, &head) != nil {
				b.Fatalf("frame %.100s", msg)
			}
			if head.TimeUS >= next {
				marks = append(marks, heap())
				next += 6 * 3600_000_000
			}
			if head.TimeUS >= end {
				break
			}
		}
		el, cpu := time.Since(start), cpuTime()-cpu0
		c.CloseNow()
		ts.Close()
		cancel()
		b.ReportMetric(float64(events), "events")
		b.ReportMetric(float64(events)/el.Seconds(), "events/s")
		b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s") // server and client together
		b.ReportMetric(float64(bytes)/float64(events), "bytes/event")
		b.ReportMetric(marks[0], "heapMB@6h")
		b.ReportMetric(marks[len(marks)-1], "heapMB@24h")
	}
}
