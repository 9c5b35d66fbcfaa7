package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves the simulated platforms, each under /<platform>/, plus
// /__stats and /__truth.
type Server struct {
	opts      Options
	now       func() time.Time
	cursorTTL time.Duration
	faults    Faults
	pop       *Population
	sites     map[string]*site
	js        *jetstream
	mastoPub  *mastoPublic
	handler   http.Handler
}

// New builds a simulator. It does no I/O.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Creators <= 0 {
		opts.Creators = 1000
	}
	opts.Creators = min(opts.Creators, MaxCreators)
	if opts.CursorTTL == 0 {
		opts.CursorTTL = DefaultCursorTTL
	}
	if opts.YouTubeQuota == 0 {
		opts.YouTubeQuota = DefaultYouTubeQuota
	}
	s := &Server{opts: opts, now: opts.Now, cursorTTL: opts.CursorTTL, faults: opts.Faults, sites: map[string]*site{}}
	if opts.Jetstream.Retention <= 0 {
		opts.Jetstream.Retention = DefaultJetstreamRetention
	}
	if opts.Jetstream.Poll <= 0 {
		opts.Jetstream.Poll = 20 * time.Millisecond
	}
	s.opts = opts
	s.pop = newPopulation(opts.Seed, opts.Creators, opts.Faults.VanishRate, opts.Now)
	s.pop.postDeleteRate, s.pop.unlikeRate = opts.Faults.PostDeleteRate, opts.Faults.UnlikeRate
	defaults := DefaultLimits()
	mux := http.NewServeMux()
	for _, name := range s.pop.names {
		lim, ok := opts.Limits[name]
		if !ok {
			lim = defaults[name]
		}
		st := &site{srv: s, pop: s.pop, pl: s.pop.plats[name], key: s.pop.keys[name], prefix: "/" + name, st: newCounters()}
		st.fkey = st.key
		if opts.FaultSeed != 0 {
			st.fkey = hashv(st.key, tagFault, uint64(opts.FaultSeed))
		}
		st.lim.limit = lim
		if opts.PerClientLimits {
			st.perCl = &clientWindows{limit: lim, m: map[string]*fixedWindow{}}
		}
		s.sites[name] = st
		mux.Handle(st.prefix+"/", http.StripPrefix(st.prefix, st.handler()))
	}
	s.js = newJetstream(s)
	mp := &masto{s.sites["mastodon"]}
	s.mastoPub = &mastoPublic{m: mp, windows: newWindowCache[[]publicRef](12)}
	for _, prefix := range []string{"/mastodon", mastoStreamingPrefix} {
		mux.HandleFunc("GET "+prefix+"/api/v1/streaming/public", mp.streamPublic)
		mux.HandleFunc("GET "+prefix+"/api/v1/streaming/public/local", mp.streamPublic)
		mux.HandleFunc("GET "+prefix+"/api/v1/streaming", mp.streamPublic)
		mux.HandleFunc("GET "+prefix+"/api/v1/streaming/health", mp.streamHealth)
	}
	mux.HandleFunc("GET /jetstream/subscribe", s.js.serveSubscribe)
	mux.HandleFunc("GET /__jetstream", s.serveJetstreamCount)
	mux.HandleFunc("GET /__jetstream/events", s.serveJetstreamCount)
	mux.HandleFunc("GET /__stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Stats()) })
	mux.HandleFunc("GET /__truth", s.serveTruth)
	mux.HandleFunc("GET /robots.txt", s.serveRobots)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		ps := map[string]any{}
		for _, n := range s.pop.names {
			l := s.sites[n].lim.limit
			ps[n] = map[string]any{"prefix": "/" + n, "limit": map[string]any{"requests": l.Requests, "windowSeconds": l.Window.Seconds()}, "realLimit": s.pop.plats[n].realLimit}
		}
		writeJSON(w, http.StatusOK, map[string]any{"platforms": ps, "stats": "/__stats", "truth": "/__truth?platform=&format=json|csv", "creators": s.pop.size})
	})
	s.handler = mux
	return s
}

// Handler serves every platform under /<platform>/ (see the package doc),
// /__stats (JSON), /__truth?platform=&format=json|csv and /robots.txt.
func (s *Server) Handler() http.Handler { return s.handler }

// Population is the simulated population with its ground truth.
func (s *Server) Population() *Population { return s.pop }

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	out := Stats{Platforms: map[string]PlatformStats{}}
	for name, st := range s.sites {
		out.Platforms[name] = st.st.snapshot()
	}
	js := s.js.st.snapshot()
	out.Jetstream = &js
	return out
}

// serveRobots answers /robots.txt at the host root with every platform's
// robots.txt rules moved under its prefix: crawlers such as colly fetch
// robots.txt from the root of the host, not from a collector's base URL.
func (s *Server) serveRobots(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	b.WriteString("# nanoscout simulator: each platform's robots.txt rules under its prefix\nUser-agent: *\n")
	for _, n := range s.pop.names {
		for line := range strings.SplitSeq(s.pop.plats[n].robots, "\n") {
			k, v, ok := strings.Cut(line, ":")
			v = strings.TrimSpace(v)
			if ok && (strings.EqualFold(k, "Allow") || strings.EqualFold(k, "Disallow")) && strings.HasPrefix(v, "/") {
				b.WriteString(k + ": /" + n + v + "\n")
			}
		}
	}
	b.WriteString("Allow: /\n")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}

func (s *Server) serveTruth(w http.ResponseWriter, r *http.Request) {
	ps := s.pop.Platforms()
	if q := r.URL.Query().Get("platform"); q != "" {
		ps = strings.Split(q, ",")
		for _, p := range ps {
			if s.pop.plats[p] == nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown platform " + strconv.Quote(p)})
				return
			}
		}
	}
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_ = WriteTruthCSV(w, s.pop, ps)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = WriteTruthJSON(w, s.pop, ps)
}

// site is one platform being served: its routes, limiter, fault stream and
// counters.
type site struct {
	srv    *Server
	pop    *Population
	pl     *platform
	key    uint64
	fkey   uint64 // key of the injected faults (Options.FaultSeed)
	prefix string
	lim    fixedWindow
	perCl  *clientWindows // per-client limiters (Options.PerClientLimits), else nil
	st     *counters
	seq    atomic.Uint64
}

func (s *site) now() time.Time { return s.srv.now() }

// account returns the header of ref.
func (s *site) account(ref acctRef) *account { return s.pop.account(s.pl, ref) }

// lookup resolves a handle or native id to an account.
func (s *site) lookup(id string) (*account, bool) {
	ref, ok := s.pl.resolve(s.pop, id)
	if !ok || !s.pop.valid(ref) {
		return nil, false
	}
	return s.account(ref), true
}

// accounts is a per-request cache of generated headers.
type accounts struct {
	s *site
	m map[acctRef]*account
}

func (s *site) cache() *accounts { return &accounts{s: s, m: map[acctRef]*account{}} }

func (c *accounts) get(ref acctRef) *account {
	if a, ok := c.m[ref]; ok {
		return a
	}
	a := c.s.account(ref)
	c.m[ref] = a
	return a
}

func (c *accounts) put(a *account) { c.m[a.ref] = a }

// handler wraps the platform's routes with counting, rate limiting and fault
// injection, in that order.
func (s *site) handler() http.Handler {
	mux := http.NewServeMux()
	names := map[string]string{}
	for _, rt := range s.pl.routes(s) {
		mux.HandleFunc(rt.pattern, rt.handler)
		names[rt.pattern] = rt.endpoint
	}
	if s.pl.notFound != nil {
		mux.HandleFunc("/", s.pl.notFound)
	} else {
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		})
	}
	limited := s.lim.limit.Requests > 0 && s.lim.limit.Window > 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		endpoint, ok := names[pattern]
		if !ok {
			endpoint = "other"
		}
		s.st.request(endpoint)
		client := ""
		if s.perCl != nil {
			client = ClientOf(r)
		}
		if limited {
			lim := &s.lim
			if s.perCl != nil {
				lim = s.perCl.get(client)
			}
			ok, remaining, reset := lim.take(s.now())
			if s.pl.rateHeaders != nil {
				s.pl.rateHeaders(w.Header(), r, s.lim.limit, remaining, reset)
			}
			if s.perCl != nil {
				s.st.client(client, !ok)
			}
			if !ok {
				status := http.StatusTooManyRequests
				if s.pl.tooMany != nil {
					status = s.pl.tooMany(w, r)
				} else {
					w.WriteHeader(status)
				}
				s.st.status(status, true)
				return
			}
		}
		if s.perCl != nil && !limited {
			s.st.client(client, false)
		}
		n := s.seq.Add(1)
		if d := s.srv.faults.Latency; d > 0 {
			d = time.Duration(float64(d) * (0.5 + unit(hashv(s.fkey, tagFault, n, 1))))
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		}
		f := s.srv.faults
		if r.URL.Path == "/robots.txt" {
			// Never faulted: a crawler that meets a 5xx on robots.txt
			// stays off the whole site.
			f = Faults{}
		}
		if f.LoginWallRate > 0 && s.pl.loginWall != nil && unit(hashv(s.fkey, tagLogin, n)) < f.LoginWallRate {
			rec := &recorder{h: w.Header()}
			if s.pl.loginWall(rec, r) {
				if rec.status == 0 {
					rec.status = http.StatusOK
				}
				w.Header().Set("Content-Length", strconv.Itoa(rec.buf.Len()))
				w.WriteHeader(rec.status)
				_, _ = w.Write(rec.buf.Bytes())
				s.st.loginWall()
				s.st.status(rec.status, false)
				return
			}
		}
		u := unit(hashv(s.fkey, tagFault, n))
		if u < f.ErrorRate {
			status := []int{500, 502, 503}[hashv(s.fkey, tagFault, n, 2)%3]
			ct, body := "application/json; charset=utf-8", []byte(`{"error":"internal server error"}`)
			if s.pl.serverError != nil {
				ct, body = s.pl.serverError(r, status)
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			_, _ = w.Write(body)
			s.st.fault("5xx")
			s.st.status(status, false)
			return
		}
		u -= f.ErrorRate
		rec := &recorder{h: w.Header()}
		mux.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		body := rec.buf.Bytes()
		switch {
		case u < f.TruncateRate:
			// Announce the whole body, send half: the server then closes the
			// connection and the client reads an unexpected EOF.
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.status)
			_, _ = w.Write(body[:len(body)/2])
			s.st.fault("truncate")
			s.st.status(rec.status, false)
			return
		case u < f.TruncateRate+f.MalformedRate:
			body = malform(body, hashv(s.fkey, tagFault, n, 3))
			s.st.fault("malformed")
		case u < f.TruncateRate+f.MalformedRate+f.DriftRate:
			if b, ok := drift(body, s.pl.drift, hashv(s.fkey, tagFault, n, 4)); ok {
				body = b
				s.st.fault("drift")
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
		s.st.status(rec.status, false)
	})
}

// ClientHeader names the client a request comes from when
// Options.PerClientLimits is on: it stands in for the egress IP (or session)
// the real platforms count requests by, so several workers can each have
// their own budget against one simulator.
const ClientHeader = "X-Nanoscout-Client"

// ClientOf is the identity a request is rate limited as with
// Options.PerClientLimits: the X-Nanoscout-Client header, else the bearer
// token ("token:" and its first 8 characters … last 4), else "anonymous"
// (one budget for every request that names nobody, like one IP).
func ClientOf(r *http.Request) string {
	if c := strings.TrimSpace(r.Header.Get(ClientHeader)); c != "" {
		return c
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.TrimSpace(tok) != "" {
		return "token:" + maskKey(strings.TrimSpace(tok))
	}
	return "anonymous"
}

// clientWindows are the fixed-window limiters of a platform's clients.
type clientWindows struct {
	mu    sync.Mutex
	limit Limit
	m     map[string]*fixedWindow
}

// maxClients bounds the limiters kept; beyond it the oldest-unused ones
// are dropped (their windows restart), so memory stays bounded.
const maxClients = 10_000

func (c *clientWindows) get(client string) *fixedWindow {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.m[client]
	if f == nil {
		if len(c.m) >= maxClients {
			for k := range c.m { // any one: map order is random
				delete(c.m, k)
				break
			}
		}
		f = &fixedWindow{limit: c.limit}
		c.m[client] = f
	}
	return f
}

// recorder buffers a response so faults can rewrite it.
type recorder struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.buf.Write(b)
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// malform turns a body into invalid JSON: an HTML error page from a proxy,
// or a corrupted separator.
func malform(body []byte, h uint64) []byte {
	if h%2 == 0 || !bytes.Contains(body, []byte(`":`)) {
		return []byte("<!DOCTYPE html>\n<html><head><title>Error</title></head><body><h1>Something went wrong</h1><p>upstream sent an invalid response</p></body></html>\n")
	}
	return bytes.Replace(body, []byte(`":`), []byte(`";`), 1)
}

// drift renames one field that occurs in the body, everywhere it occurs.
func drift(body []byte, renames [][2]string, h uint64) ([]byte, bool) {
	if len(renames) == 0 {
		return body, false
	}
	start := int(h % uint64(len(renames)))
	for i := range renames {
		rn := renames[(start+i)%len(renames)]
		from := []byte(`"` + rn[0] + `":`)
		if bytes.Contains(body, from) {
			return bytes.ReplaceAll(body, from, []byte(`"`+rn[1]+`":`)), true
		}
	}
	return body, false
}

// writeJSON writes v without HTML escaping and without a trailing newline,
// as the real servers do.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// Opaque cursors carry a position and the time they were issued, with a
// check word so made-up cursors are refused.
var (
	errCursorInvalid = errors.New("malformed cursor")
	errCursorExpired = errors.New("cursor expired")
)

func (s *site) encodeCursor(pos uint64) string {
	issued := uint64(s.now().Unix())
	check := hashv(s.key, tagCursor, pos, issued) & 0xffffff
	return b32u64(pos) + b32u64(issued<<24|check)
}

func (s *site) decodeCursor(c string) (uint64, error) {
	if len(c) != 26 {
		return 0, errCursorInvalid
	}
	pos, ok1 := parseB32u64(c[:13])
	v, ok2 := parseB32u64(c[13:])
	if !ok1 || !ok2 {
		return 0, errCursorInvalid
	}
	issued, check := v>>24, v&0xffffff
	if check != hashv(s.key, tagCursor, pos, issued)&0xffffff {
		return 0, errCursorInvalid
	}
	if ttl := s.srv.cursorTTL; ttl > 0 && s.now().Sub(time.Unix(int64(issued), 0)) > ttl {
		return 0, errCursorExpired
	}
	return pos, nil
}

func b32u64(v uint64) string {
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = b32sortable[v&31]
		v >>= 5
	}
	return string(b[:])
}

func parseB32u64(s string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(s); i++ {
		c := strings.IndexByte(b32sortable, s[i])
		if c < 0 {
			return 0, false
		}
		if i == 0 && c > 15 {
			return 0, false
		}
		v = v<<5 | uint64(c)
	}
	return v, true
}

// bearer reports whether the request carries an Authorization: Bearer token.
func bearer(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && strings.TrimSpace(tok) != ""
}

// intParam reads an integer query parameter, or def when absent.
func intParam(r *http.Request, name string, def int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

func boolParam(r *http.Request, name string) bool {
	v := strings.ToLower(r.URL.Query().Get(name))
	return v == "true" || v == "1"
}

// isoMs formats t as the platforms do: UTC with milliseconds.
func isoMs(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}
