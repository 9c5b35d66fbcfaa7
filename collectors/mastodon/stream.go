package mastodon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/opts"
	"github.com/nanoscout/nanoscout/internal/backoff"
)

// Streaming modes (options.streaming).
const (
	// StreamAuto listens to /api/v1/streaming/public and polls the REST
	// timeline when the instance refuses the stream (the default).
	StreamAuto = "auto"
	// StreamOn listens to the stream only: a refusal is the discovery's
	// error.
	StreamOn = "on"
	// StreamOff polls the REST timeline only.
	StreamOff = "off"
)

// Defaults of the streaming options.
const (
	DefaultStreamFor      = time.Minute
	DefaultStreamStatuses = 1000
)

// maxEventData bounds one event's data; Mastodon statuses are a few KB.
const maxEventData = 1 << 20

// streamConfig is the collector's streaming setup (options).
type streamConfig struct {
	mode string
	// listen is how long one discovery listens; statuses how many
	// statuses it reads at most before handing the accounts over.
	listen   time.Duration
	statuses int
	// url is options.streaming_url; "" means what /api/v2/instance says
	// (configuration.urls.streaming), else the API host.
	url string
	// reconnect waits: exponential with jitter from base up to max.
	reconnectBase, reconnectMax time.Duration

	mu       sync.Mutex
	resolved string // the streaming base once looked up
	note     string // how it was found
	// refused is the refusal of the first connection, kept for the
	// collector's life (one run): later discoveries poll at once.
	refused map[string]*StreamRefusedError // by stream URL
}

// parseStreamOptions reads the streaming options (see the package doc).
func parseStreamOptions(o map[string]string) (*streamConfig, error) {
	sc := &streamConfig{mode: StreamAuto, listen: DefaultStreamFor, statuses: DefaultStreamStatuses,
		reconnectBase: time.Second, reconnectMax: 30 * time.Second}
	if v := strings.ToLower(strings.TrimSpace(o["streaming"])); v != "" {
		switch v {
		case StreamAuto, StreamOn, StreamOff:
			sc.mode = v
		default:
			return nil, fmt.Errorf("mastodon option streaming %q: want auto, on or off", o["streaming"])
		}
	}
	if v := strings.TrimSpace(o["stream_for"]); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Hour {
			return nil, fmt.Errorf("mastodon option stream_for %q: want a duration from 100ms to 1h, such as 60s", v)
		}
		sc.listen = d
	}
	n, err := opts.Int(Platform, o, "stream_statuses", DefaultStreamStatuses, 1, 1_000_000)
	if err != nil {
		return nil, err
	}
	sc.statuses = n
	if v := strings.TrimRight(strings.TrimSpace(o["streaming_url"]), "/"); v != "" {
		u, ok := streamingHTTP(v)
		if !ok {
			return nil, fmt.Errorf("mastodon option streaming_url %q: want an http(s) or ws(s) URL such as wss://streaming.example", o["streaming_url"])
		}
		sc.url = u
	}
	return sc, nil
}

// streamingHTTP turns the streaming base an instance advertises
// (wss://host, as /api/v2/instance gives it) into the http(s) URL that
// server-sent events are read from; ok is false for anything else.
func streamingHTTP(raw string) (string, bool) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	switch {
	case strings.HasPrefix(raw, "wss://"):
		raw = "https://" + strings.TrimPrefix(raw, "wss://")
	case strings.HasPrefix(raw, "ws://"):
		raw = "http://" + strings.TrimPrefix(raw, "ws://")
	}
	if _, ok := opts.HTTPURL(raw); !ok {
		return "", false
	}
	return raw, true
}

// StreamRefusedError is a public stream the instance would not serve: an
// HTTP status (401 "Missing access token" when it wants a token, 403, 404
// where no streaming server answers) or no connection at all. In "auto"
// mode the collector polls the REST timeline instead.
type StreamRefusedError struct {
	URL     string // without secrets
	Status  int    // 0 when no connection was made
	Message string // the server's {"error": ...}, if any
	Err     error
}

func (e *StreamRefusedError) Error() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return fmt.Sprintf("the instance's public stream needs an access token (HTTP 401 %q from %s; set credentials.access_token)", e.Message, e.URL)
	case e.Status != 0 && e.Message != "":
		return fmt.Sprintf("the instance refused the public stream (HTTP %d %q from %s)", e.Status, e.Message, e.URL)
	case e.Status != 0:
		return fmt.Sprintf("the instance refused the public stream (HTTP %d from %s)", e.Status, e.URL)
	}
	return fmt.Sprintf("could not connect to the public stream %s: %v", e.URL, e.Err)
}

func (e *StreamRefusedError) Unwrap() error { return e.Err }

// streamTally counts what one listen saw, for DiscoverPage.Via and logs.
type streamTally struct {
	statuses, deletes, edits, other, malformed, oversized int
	reconnects, gapRequests, gapStatuses                  int
	comments                                              int
	bytes                                                 int64
	gapErr                                                error
}

// streamPublic listens to GET <streaming>/api/v1/streaming/public[/local]
// for options.stream_for or until options.stream_statuses statuses came,
// and returns the accounts that posted (DiscoverPage.Next is empty: one
// listen per discovery; the stream cannot be resumed). A connection that
// drops is opened again after a backoff with jitter, and what was posted
// while it was down is read from the REST timeline with min_id, so a drop
// loses nothing when the timeline is readable. The first connection
// failing is a *StreamRefusedError, remembered for the collector's life (a
// run), so that later calls (the pipeline paging the polled timeline on)
// do not ask again.
func (c *Collector) streamPublic(ctx context.Context, query string) (collectors.DiscoverPage, error) {
	base := c.streamingBase(ctx)
	path := "/api/v1/streaming/public"
	if isLocal(query) {
		path += "/local"
	}
	u := base + path
	var h http.Header
	if c.token != "" {
		h = http.Header{"Authorization": {"Bearer " + c.token}}
	}
	if r := c.stream.refusal(u); r != nil {
		return collectors.DiscoverPage{}, r
	}
	lctx, cancel := context.WithTimeout(ctx, c.stream.listen)
	defer cancel()
	start := time.Now()
	var (
		t      streamTally
		found  candidates
		newest string // the newest status id seen, for filling a gap
		since  string // min_id of the first connection (snowflake of its time)
	)
	seen := map[string]bool{} // status ids: the stream and a gap's pages overlap
	take := func(s status) {
		if s.ID != "" {
			if seen[s.ID] {
				return
			}
			seen[s.ID] = true
		}
		t.statuses++
		if isNewer(s.ID, newest) {
			newest = s.ID
		}
		found.add(s)
	}
	connected := false
	for attempt := 0; ; attempt++ {
		s, resp, err := c.http.Stream(lctx, u, h)
		if err != nil {
			if lctx.Err() != nil && (connected || ctx.Err() != nil) {
				break
			}
			if !connected { // refused, unreachable, or no answer within stream_for
				r := refusal(u, resp, err)
				if ctx.Err() == nil {
					c.stream.refuse(u, r)
					c.log.Info("public stream refused", "query", query, "reason", r.Error(), "mode", c.stream.mode)
				}
				return collectors.DiscoverPage{}, r
			}
			c.log.Debug("public stream: reconnect failed", "err", err, "attempt", attempt)
			if backoff.Sleep(lctx, backoff.Jittered(c.stream.reconnectBase, c.stream.reconnectMax, attempt)) != nil {
				break
			}
			continue
		}
		if !connected {
			connected = true
			// Mastodon ids are milliseconds << 16; a minute's margin for
			// the clocks' difference (what it adds twice is counted once).
			since = strconv.FormatUint(uint64(c.now().Add(-time.Minute).UnixMilli())<<16, 10)
		} else {
			t.reconnects++
			from := newest
			if from == "" {
				from = since
			}
			c.fillGap(lctx, query, from, &t, take)
		}
		err = c.readStream(lctx, s, &t, &found, take)
		t.bytes += s.Bytes()
		_ = s.Close()
		if t.statuses >= c.stream.statuses || lctx.Err() != nil {
			break
		}
		c.log.Debug("public stream dropped; reconnecting", "err", err, "statuses", t.statuses)
		if err == nil { // a clean end: the server closed the stream
			attempt = 0
		}
		if backoff.Sleep(lctx, backoff.Jittered(c.stream.reconnectBase, c.stream.reconnectMax, attempt)) != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return collectors.DiscoverPage{Candidates: found.ids()}, fmt.Errorf("listening to the public stream: %w", ctx.Err())
	}
	page := collectors.DiscoverPage{Candidates: found.ids()}
	page.Via = fmt.Sprintf("streaming %s%s: %d statuses from %d accounts in %s (%d deletes, %d edits, %d malformed and %d oversized events skipped, %d comments (greetings, heartbeats), %d reconnects, %d statuses from %d gap-filling requests, %s read)",
		httpx.Redact(u), c.stream.noteSuffix(), t.statuses, len(page.Candidates), time.Since(start).Round(100*time.Millisecond),
		t.deletes, t.edits, t.malformed, t.oversized, t.comments, t.reconnects, t.gapStatuses, t.gapRequests, byteSize(t.bytes))
	if t.gapErr != nil {
		page.Via += "; filling a gap after a drop failed: " + t.gapErr.Error()
	}
	c.log.Info("public stream read", "query", query, "statuses", t.statuses, "accounts", len(page.Candidates),
		"reconnects", t.reconnects, "malformed", t.malformed, "bytes", t.bytes)
	return page, nil
}

// readStream reads events until the stream ends, ctx ends or enough
// statuses came. update and status.update carry a Status (parsed like a
// timeline's), delete a status id; anything else is ignored. Malformed
// and oversized events are counted and skipped.
func (c *Collector) readStream(ctx context.Context, s io.Reader, t *streamTally, found *candidates, take func(status)) error {
	r := newSSEReader(s, maxEventData)
	defer func() { t.comments += r.Comments }()
	const what = "reading a public stream event"
	for t.statuses < c.stream.statuses {
		ev, err := r.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if ev.Oversized {
			t.oversized++
			continue
		}
		switch ev.Name {
		case "update", "status.update":
			st, err := parseStatus(what, "/api/v1/streaming/public", ev.Data)
			if err != nil {
				t.malformed++
				c.log.Debug("public stream: malformed event skipped", "event", ev.Name, "err", err)
				continue
			}
			if ev.Name == "status.update" {
				t.edits++
			}
			take(st)
		case "delete":
			id := strings.Trim(strings.TrimSpace(string(ev.Data)), `"`)
			if !isDigits(id) {
				t.malformed++
				continue
			}
			t.deletes++
			found.remove(id)
		default:
			t.other++
		}
	}
	return nil
}

// fillGap reads what the public timeline got after status id from while
// the stream was down: GET /api/v1/timelines/public?min_id=…&limit=40,
// forward page by page (at most 25 pages) until a short page.
func (c *Collector) fillGap(ctx context.Context, query, from string, t *streamTally, take func(status)) {
	for range 25 {
		q := url.Values{"limit": {strconv.Itoa(pageLimit)}, "min_id": {from}}
		if isLocal(query) {
			q.Set("local", "true")
		}
		t.gapRequests++
		sts, _, err := c.publicPage(ctx, q)
		if err != nil {
			if ctx.Err() == nil {
				t.gapErr = err
			}
			return
		}
		slices.Reverse(sts) // oldest first, as the stream brings them
		for _, s := range sts {
			if isNewer(s.ID, from) {
				from = s.ID
			}
			before := t.statuses
			take(s)
			t.gapStatuses += t.statuses - before
		}
		if len(sts) < pageLimit {
			return
		}
	}
}

// streamingBase is where the public stream is read: options.streaming_url,
// else configuration.urls.streaming of GET /api/v2/instance (looked up once
// per collector; wss:// read as https://), else the API host.
func (c *Collector) streamingBase(ctx context.Context) string {
	sc := c.stream
	if sc.url != "" {
		return sc.url
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.resolved != "" {
		return sc.resolved
	}
	var inst struct {
		Configuration struct {
			URLs struct {
				Streaming string `json:"streaming"`
			} `json:"urls"`
		} `json:"configuration"`
	}
	_, err := c.get(ctx, "reading the instance's streaming URL", "/api/v2/instance", nil, &inst)
	switch u, ok := streamingHTTP(inst.Configuration.URLs.Streaming); {
	case err != nil:
		sc.resolved, sc.note = c.base, "the API host: /api/v2/instance failed: "+err.Error()
		if ctx.Err() != nil {
			return c.base // do not remember a cancelled look-up
		}
	case !ok:
		sc.resolved, sc.note = c.base, "the API host: /api/v2/instance names no streaming URL"
	default:
		sc.resolved, sc.note = u, ""
	}
	return sc.resolved
}

// noteSuffix says how the streaming base was found when it is not what the
// instance advertised.
func (sc *streamConfig) noteSuffix() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.note == "" {
		return ""
	}
	return " (" + sc.note + ")"
}

// refusal is the stream's earlier refusal, or nil.
func (sc *streamConfig) refusal(u string) *StreamRefusedError {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.refused[u]
}

func (sc *streamConfig) refuse(u string, r *StreamRefusedError) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.refused == nil {
		sc.refused = map[string]*StreamRefusedError{}
	}
	sc.refused[u] = r
}

// refusal turns a failed first connection into a *StreamRefusedError.
func refusal(u string, resp *httpx.Response, err error) *StreamRefusedError {
	e := &StreamRefusedError{URL: httpx.Redact(u), Err: err}
	if resp != nil {
		e.Status = resp.Status
		e.Message = serverMessage(resp.Body)
	}
	return e
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
