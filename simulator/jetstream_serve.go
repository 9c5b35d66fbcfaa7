package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

// The simulated Jetstream serves
//
//	GET /jetstream/subscribe?wantedCollections=…&wantedDids=…&cursor=<time_us>&maxMessageSizeBytes=&requireHello=
//
// as a WebSocket, one JSON event per text message, like
// wss://jetstream2.us-east.bsky.network/subscribe: wantedCollections (at most
// 100; exact NSIDs or prefixes such as app.bsky.graph.*) filters commits,
// identity and account events always pass it; wantedDids (at most 10,000)
// filters every kind by repo; cursor replays from that time_us (inclusive),
// from the oldest retained event when it is older than the retention
// window, and live-tails when absent or in the future. Subscriber messages
// options_update and heartbeat are understood. compress=true is refused
// (400): the simulator does not speak zstd.

const (
	jsMaxCollections = 100
	jsMaxDIDs        = 10_000
	jsOversizeBytes  = 1_200_000
)

// jetstream is the /jetstream/ endpoint of a Server.
type jetstream struct {
	srv  *Server
	gen  *jsGen
	b    *bsky
	conn atomic.Uint64

	windows *windowCache[[]jsEv] // the few most recent hours asked for

	st jsCounters
}

func newJetstream(s *Server) *jetstream {
	return &jetstream{srv: s, gen: newJSGen(s.pop), b: &bsky{s.sites["bluesky"]}, windows: newWindowCache[[]jsEv](3),
		st: jsCounters{byColl: map[string]int64{}, deletes: map[string]int64{}}}
}

// window returns the events of the hour starting at w0, generating it at
// most once while it stays among the few most recent hours asked for.
func (j *jetstream) window(w0 int64) []jsEv { return j.windows.get(w0, j.gen.window) }

// events calls fn for the events with from <= time_us < to that f selects,
// in stream order, until fn returns false.
func (j *jetstream) events(from, to int64, f *jsFilter, fn func(*jsEv) bool) {
	for w0 := floorDiv(floorDiv(from, 1000), jsWindowMs) * jsWindowMs; w0*1000 < to; w0 += jsWindowMs {
		evs := j.window(w0)
		i := sort.Search(len(evs), func(i int) bool { return evs[i].us >= from })
		for ; i < len(evs) && evs[i].us < to; i++ {
			if f.match(&evs[i]) && !fn(&evs[i]) {
				return
			}
		}
	}
}

// jsFilter is a subscriber's wantedCollections and wantedDids.
type jsFilter struct {
	exact    map[string]bool
	prefixes []string
	dids     map[pref]bool
	anyDID   bool
	maxSize  int
}

func (f *jsFilter) match(e *jsEv) bool {
	if !f.anyDID && !f.dids[e.actor] {
		return false
	}
	if e.kind == jsIdentity || e.kind == jsAccount || (len(f.exact) == 0 && len(f.prefixes) == 0) {
		return true
	}
	c := e.kind.collection()
	if f.exact[c] {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// validNSID checks the shape of a namespaced identifier (at least min
// dot-separated segments of letters, digits and hyphens).
func validNSID(s string, min int) bool {
	parts := strings.Split(s, ".")
	if len(parts) < min || len(s) > 317 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 63 {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// newFilter builds a filter from wantedCollections and wantedDids.
func (j *jetstream) newFilter(colls, dids []string, maxSize int) (*jsFilter, error) {
	if len(colls) > jsMaxCollections {
		return nil, fmt.Errorf("too many wanted collections: %d > %d", len(colls), jsMaxCollections)
	}
	if len(dids) > jsMaxDIDs {
		return nil, fmt.Errorf("too many wanted DIDs: %d > %d", len(dids), jsMaxDIDs)
	}
	f := &jsFilter{exact: map[string]bool{}, anyDID: len(dids) == 0, dids: map[pref]bool{}, maxSize: max(0, maxSize)}
	for _, c := range colls {
		if p, ok := strings.CutSuffix(c, ".*"); ok {
			if !validNSID(p, 2) {
				return nil, fmt.Errorf("invalid collection: %s", c)
			}
			f.prefixes = append(f.prefixes, p+".")
			continue
		}
		if !validNSID(c, 3) {
			return nil, fmt.Errorf("invalid collection: %s", c)
		}
		f.exact[c] = true
	}
	for _, d := range dids {
		if !strings.HasPrefix(d, "did:") || strings.Count(d, ":") < 2 {
			return nil, fmt.Errorf("invalid did: %s", d)
		}
		if ref, ok := parseDID(j.b.key, d); ok && j.srv.pop.valid(ref) {
			f.dids[packRef(ref)] = true
		}
	}
	return f, nil
}

// subscription is one /subscribe connection.
type subscription struct {
	j      *jetstream
	c      *websocket.Conn
	id     uint64
	filter atomic.Pointer[jsFilter]
	hello  chan struct{}
	r      *jsRenderer
	lim    *rate.Limiter
	n      uint64 // events considered for fault draws

	held []heldFrame // disordered events waiting for their release time
	dups []heldFrame // duplicates waiting for their turn
}

type heldFrame struct {
	release int64 // time_us after which it goes out (held) or events left (dups)
	frame   []byte
	coll    string
}

func (j *jetstream) serveSubscribe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(msg string) { http.Error(w, msg, http.StatusBadRequest) }
	if v := q.Get("compress"); v == "true" || r.Header.Get("Socket-Encoding") == "zstd" {
		bad("compress=true (zstd) is not supported by the nanoscout simulator")
		return
	}
	maxSize := 0
	if v := q.Get("maxMessageSizeBytes"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			bad("invalid maxMessageSizeBytes: " + v)
			return
		}
		maxSize = n
	}
	f, err := j.newFilter(q["wantedCollections"], q["wantedDids"], maxSize)
	if err != nil {
		bad(err.Error())
		return
	}
	var cursor int64
	hasCursor := q.Get("cursor") != ""
	if hasCursor {
		if cursor, err = strconv.ParseInt(q.Get("cursor"), 10, 64); err != nil {
			bad("invalid cursor: " + q.Get("cursor"))
			return
		}
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(10 << 20)
	sub := &subscription{j: j, c: c, id: j.conn.Add(1), hello: make(chan struct{}), r: newJSRenderer(j.b)}
	sub.filter.Store(f)
	if rt := j.srv.opts.Jetstream.Rate; rt > 0 {
		sub.lim = rate.NewLimiter(rate.Limit(rt), max(1, int(rt/20)))
	}
	j.st.connect(1)
	defer j.st.connect(-1)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go sub.readLoop(ctx, cancel)
	if q.Get("requireHello") == "true" {
		select {
		case <-sub.hello:
		case <-ctx.Done():
			return
		}
	}
	now := j.srv.now()
	start := now.UnixMicro()
	oldest := now.Add(-j.srv.opts.Jetstream.Retention).UnixMicro()
	if hasCursor && cursor <= start {
		start = cursor
		if cursor < oldest {
			start = oldest
			j.st.add(func(c *jsCounters) { c.oldCursor++ })
		}
	}
	if err := sub.run(ctx, start); err == nil {
		c.Close(websocket.StatusNormalClosure, "")
	}
}

// readLoop handles subscriber-sourced messages.
func (s *subscription) readLoop(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	helloDone := false
	for {
		_, data, err := s.c.Read(ctx)
		if err != nil {
			return
		}
		var msg struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &msg); err != nil {
			s.c.Close(websocket.StatusPolicyViolation, "invalid subscriber message")
			return
		}
		switch msg.Type {
		case "options_update":
			var o struct {
				WantedCollections   []string `json:"wantedCollections"`
				WantedDIDs          []string `json:"wantedDids"`
				MaxMessageSizeBytes int      `json:"maxMessageSizeBytes"`
			}
			if err := json.Unmarshal(msg.Payload, &o); err != nil {
				s.c.Close(websocket.StatusPolicyViolation, "invalid options update")
				return
			}
			f, err := s.j.newFilter(o.WantedCollections, o.WantedDIDs, o.MaxMessageSizeBytes)
			if err != nil {
				s.c.Close(websocket.StatusPolicyViolation, err.Error())
				return
			}
			s.filter.Store(f)
			if !helloDone {
				helloDone = true
				close(s.hello)
			}
		case "heartbeat":
			var p string
			_ = json.Unmarshal(msg.Payload, &p)
			b, _ := json.Marshal(map[string]string{"kind": "heartbeat", "payload": p})
			if err := s.c.Write(ctx, websocket.MessageText, b); err != nil {
				return
			}
		default:
			s.c.Close(websocket.StatusPolicyViolation, "unknown message type "+strconv.Quote(msg.Type))
			return
		}
	}
}

var errDropped = errors.New("connection dropped (fault)")

func (s *subscription) draw(purpose uint64) float64 {
	return unit(hashv(s.j.b.key, tagStream, s.id, s.n, purpose))
}

func (s *subscription) write(ctx context.Context, frame []byte) error {
	if f := s.filter.Load(); f.maxSize > 0 && len(frame) > f.maxSize {
		s.j.st.add(func(c *jsCounters) { c.tooLarge++ })
		return nil
	}
	if s.lim != nil {
		if err := s.lim.Wait(ctx); err != nil {
			return err
		}
	}
	return s.c.Write(ctx, websocket.MessageText, frame)
}

// release sends the held (disordered) frames due by time us.
func (s *subscription) release(ctx context.Context, us int64) error {
	for len(s.held) > 0 && s.held[0].release <= us {
		h := s.held[0]
		s.held = s.held[1:]
		if err := s.write(ctx, h.frame); err != nil {
			return err
		}
	}
	return nil
}

// run streams from time_us start until the connection ends.
func (s *subscription) run(ctx context.Context, start int64) error {
	j := s.j
	fl := j.srv.faults
	poll := j.srv.opts.Jetstream.Poll
	cur := start
	for {
		w0 := floorDiv(floorDiv(cur, 1000), jsWindowMs) * jsWindowMs
		evs := j.window(w0)
		i := sort.Search(len(evs), func(i int) bool { return evs[i].us >= cur })
		for ; i < len(evs); i++ {
			e := &evs[i]
			for e.us > j.srv.now().UnixMicro() {
				if err := s.release(ctx, j.srv.now().UnixMicro()); err != nil {
					return err
				}
				t := time.NewTimer(poll)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
			cur = e.us + 1
			if err := s.release(ctx, e.us); err != nil {
				return err
			}
			if !s.filter.Load().match(e) {
				continue
			}
			s.n++
			if fl.StreamMalformedRate > 0 && s.draw(1) < fl.StreamMalformedRate {
				if err := s.write(ctx, malformedFrame(s.r.frame(e), hashv(s.id, s.n))); err != nil {
					return err
				}
				j.st.add(func(c *jsCounters) { c.malformed++ })
			}
			if fl.StreamOversizeRate > 0 && s.draw(2) < fl.StreamOversizeRate {
				if err := s.write(ctx, oversizeFrame(e.us, hashv(s.id, s.n))); err != nil {
					return err
				}
				j.st.add(func(c *jsCounters) { c.oversize++ })
			}
			frame := s.r.frame(e)
			coll := e.kind.collection()
			if coll == "" {
				coll = e.kind.eventKind()
			}
			j.st.served(coll, e.kind.operation() == "delete", e.us)
			if fl.StreamDisorderRate > 0 && s.draw(3) < fl.StreamDisorderRate {
				delay := 1_000_000 + int64(s.draw(4)*4_000_000)
				s.held = append(s.held, heldFrame{release: e.us + delay, frame: append([]byte(nil), frame...), coll: coll})
				sort.SliceStable(s.held, func(a, b int) bool { return s.held[a].release < s.held[b].release })
				j.st.add(func(c *jsCounters) { c.disordered++ })
			} else if err := s.write(ctx, frame); err != nil {
				return err
			}
			if fl.StreamDupRate > 0 && s.draw(5) < fl.StreamDupRate {
				s.dups = append(s.dups, heldFrame{release: int64(s.draw(6) * 4), frame: append([]byte(nil), frame...)})
				j.st.add(func(c *jsCounters) { c.duplicates++ })
			}
			for k := 0; k < len(s.dups); {
				if s.dups[k].release <= 0 {
					if err := s.write(ctx, s.dups[k].frame); err != nil {
						return err
					}
					s.dups = append(s.dups[:k], s.dups[k+1:]...)
					continue
				}
				s.dups[k].release--
				k++
			}
			if fl.StreamDropRate > 0 && s.draw(7) < fl.StreamDropRate {
				j.st.add(func(c *jsCounters) { c.dropped++ })
				s.c.CloseNow()
				return errDropped
			}
		}
		cur = max(cur, (w0+jsWindowMs)*1000)
	}
}

// malformedFrame is a frame a consumer cannot use: the event cut short, a
// proxy's HTML page, or valid JSON of an unknown kind.
func malformedFrame(frame []byte, h uint64) []byte {
	switch h % 3 {
	case 0:
		return append([]byte(nil), frame[:len(frame)/2]...)
	case 1:
		return []byte("<html><body><h1>502 Bad Gateway</h1></body></html>")
	}
	return []byte(`{"did":"did:plc:unknownkind00000000000000","time_us":` + strconv.FormatInt(int64(h>>20), 10) + `,"kind":"sync","sync":{"seq":1}}` + "\n")
}

// oversizeFrame is a valid post commit of about 1.2 MB by an account that
// is not part of the population.
func oversizeFrame(us int64, h uint64) []byte {
	text := strings.Repeat("lorem ipsum ", jsOversizeBytes/12)
	f := jsFrame{Did: "did:plc:oversize" + strconv.FormatUint(h%100000000, 10) + "xxxxxxxxxxxxxxxx"[:8], TimeUS: us, Kind: "commit",
		Commit: &jsCommit{Rev: tid(us, h), Operation: "create", Collection: nsidPost, RKey: tid(us, h>>10),
			Record: bskyRecord{Type: nsidPost, CreatedAt: isoMs(us / 1000), Langs: []string{"en"}, Text: text}, CID: cid("bafyrei", h)}}
	b, _ := json.Marshal(f)
	return append(b, '\n')
}

// Counting.

type jsCounters struct {
	mu                                     sync.Mutex
	conns, open                            int64
	events                                 int64
	byColl, deletes                        map[string]int64
	duplicates, disordered, malformed      int64
	oversize, dropped, tooLarge, oldCursor int64
	lastUS                                 int64
}

func (c *jsCounters) add(f func(*jsCounters)) {
	c.mu.Lock()
	f(c)
	c.mu.Unlock()
}

func (c *jsCounters) connect(d int64) {
	c.mu.Lock()
	if d > 0 {
		c.conns++
	}
	c.open += d
	c.mu.Unlock()
}

func (c *jsCounters) served(coll string, del bool, us int64) {
	c.mu.Lock()
	c.events++
	c.byColl[coll]++
	if del {
		c.deletes[coll]++
	}
	c.lastUS = max(c.lastUS, us)
	c.mu.Unlock()
}

// JetstreamStats count what /jetstream/subscribe sent, over all
// connections since the server started. Events counts population events
// sent (each once per connection, however often a fault repeated it);
// ByCollection splits them by collection for commits and by kind
// ("identity", "account") for the others; Deletes counts the delete
// commits among them. Duplicates, Disordered, Malformed, Oversize and
// Dropped count the injected stream faults, TooLarge the frames skipped for
// a subscriber's maxMessageSizeBytes, OldCursor the connections whose
// cursor was older than the retention window. LastTimeUS is the newest
// time_us sent.
type JetstreamStats struct {
	Connections  int64            `json:"connections"`
	Open         int64            `json:"open"`
	Events       int64            `json:"events"`
	ByCollection map[string]int64 `json:"byCollection"`
	Deletes      map[string]int64 `json:"deletes"`
	Duplicates   int64            `json:"duplicates"`
	Disordered   int64            `json:"disordered"`
	Malformed    int64            `json:"malformed"`
	Oversize     int64            `json:"oversize"`
	Dropped      int64            `json:"dropped"`
	TooLarge     int64            `json:"tooLarge"`
	OldCursor    int64            `json:"oldCursor"`
	LastTimeUS   int64            `json:"lastTimeUs"`
}

func (c *jsCounters) snapshot() JetstreamStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := JetstreamStats{Connections: c.conns, Open: c.open, Events: c.events, ByCollection: map[string]int64{}, Deletes: map[string]int64{},
		Duplicates: c.duplicates, Disordered: c.disordered, Malformed: c.malformed, Oversize: c.oversize, Dropped: c.dropped,
		TooLarge: c.tooLarge, OldCursor: c.oldCursor, LastTimeUS: c.lastUS}
	for k, v := range c.byColl {
		s.ByCollection[k] = v
	}
	for k, v := range c.deletes {
		s.Deletes[k] = v
	}
	return s
}

// JetstreamFilter selects events as the subscribe parameters of the same
// names do (nil slices select everything).
type JetstreamFilter struct {
	WantedCollections []string
	WantedDids        []string
}

// JetstreamCount is the number of stream events in a time range.
type JetstreamCount struct {
	FromUS       int64            `json:"fromUs"`
	ToUS         int64            `json:"toUs"`
	Events       int64            `json:"events"`
	ByCollection map[string]int64 `json:"byCollection"` // commits by collection; "identity", "account"
	Deletes      map[string]int64 `json:"deletes"`      // delete commits by collection
	FirstUS      int64            `json:"firstUs,omitempty"`
	LastUS       int64            `json:"lastUs,omitempty"`
}

// JetstreamCount counts the events with from <= time_us < to (µs) that f
// selects: the events a consumer that saw everything in that range should
// have applied. It is computed from the same deterministic generator the
// endpoint serves from, so it is the simulator's log.
func (s *Server) JetstreamCount(fromUS, toUS int64, f JetstreamFilter) (JetstreamCount, error) {
	flt, err := s.js.newFilter(f.WantedCollections, f.WantedDids, 0)
	if err != nil {
		return JetstreamCount{}, err
	}
	out := JetstreamCount{FromUS: fromUS, ToUS: toUS, ByCollection: map[string]int64{}, Deletes: map[string]int64{}}
	s.js.events(fromUS, toUS, flt, func(e *jsEv) bool {
		coll := e.kind.collection()
		if coll == "" {
			coll = e.kind.eventKind()
		}
		out.Events++
		out.ByCollection[coll]++
		if e.kind.operation() == "delete" {
			out.Deletes[coll]++
		}
		if out.FirstUS == 0 {
			out.FirstUS = e.us
		}
		out.LastUS = e.us
		return true
	})
	return out, nil
}

// JetstreamEvents calls fn with the frame of every event with from <=
// time_us < to that f selects, in stream order, until fn returns false. The
// frame is only valid during the call.
func (s *Server) JetstreamEvents(fromUS, toUS int64, f JetstreamFilter, fn func(timeUS int64, frame []byte) bool) error {
	flt, err := s.js.newFilter(f.WantedCollections, f.WantedDids, 0)
	if err != nil {
		return err
	}
	r := newJSRenderer(s.js.b)
	s.js.events(fromUS, toUS, flt, func(e *jsEv) bool { return fn(e.us, r.frame(e)) })
	return nil
}

// serveJetstreamCount answers /__jetstream?from=<time_us>&to=<time_us>&wantedCollections=&wantedDids=
// (from defaults to the start of the retention window, to to now) with a
// JetstreamCount, and /__jetstream/events with the same range's frames as
// newline-delimited JSON, in stream order.
func (s *Server) serveJetstreamCount(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	parse := func(name string, def int64) (int64, bool) {
		v := q.Get(name)
		if v == "" {
			return def, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	now := s.now().UnixMicro()
	from, ok1 := parse("from", now-s.opts.Jetstream.Retention.Microseconds())
	to, ok2 := parse("to", now+1)
	if !ok1 || !ok2 || to < from {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want from and to as unix microseconds, from <= to"})
		return
	}
	if to-from > 7*24*3600*1_000_000 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "range longer than 7 days"})
		return
	}
	flt := JetstreamFilter{WantedCollections: q["wantedCollections"], WantedDids: q["wantedDids"]}
	if r.URL.Path == "/__jetstream/events" {
		if _, err := s.js.newFilter(flt.WantedCollections, flt.WantedDids, 0); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		_ = s.JetstreamEvents(from, to, flt, func(_ int64, frame []byte) bool {
			_, err := w.Write(frame)
			return err == nil
		})
		return
	}
	c, err := s.JetstreamCount(from, to, flt)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// JetstreamURL is the subscribe URL of a simulator served at base (an
// http:// or https:// URL), with ws:// or wss://.
func JetstreamURL(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/jetstream/subscribe"
	return u.String()
}
