package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mastodon public timelines: /api/v1/timelines/public (paged) and
// /api/v1/streaming/public (server-sent events) over every account of the
// instance. Like Mastodon's PublicFeed they show public top-level posts:
// no reblogs, no replies to others. Every account here is local, so
// remote=true gives an empty page and local=true the same page as neither.
// This instance stores no media, so only_media=true is empty too.
//
// Options.MastodonPublic decides whether they need a token, as the
// instance settings do: MastodonPublicOpen (default), MastodonPublicPreviewOff
// (timeline preview off: the REST timeline answers 422 "This method requires
// an authenticated user" without a token), MastodonPublicAuthorized (secure /
// limited-federation mode: 401 "This API requires an authenticated user").
// Without a token, when either is set, streaming answers 401 "Missing access
// token"; MastodonStream.NeedsToken makes it answer so on an otherwise open
// instance (the REST timeline stays open), as many 4.x instances do.

// Public timeline access modes (Options.MastodonPublic).
const (
	MastodonPublicOpen       = ""
	MastodonPublicPreviewOff = "preview-off"
	MastodonPublicAuthorized = "authorized"
)

// mastoPublic caches the instance's public posts per hour of time.
type mastoPublic struct {
	m       *masto
	windows *windowCache[[]publicRef] // per hour, ascending by id
}

type publicRef struct {
	id  uint64
	ref acctRef
	m   int64
}

func (p *mastoPublic) window(w0 int64) []publicRef { return p.windows.get(w0, p.scan) }

// scan finds every account's public top-level posts created in the hour.
func (p *mastoPublic) scan(w0 int64) []publicRef {
	pop, pl := p.m.pop, p.m.pl
	w1 := w0 + jsWindowMs
	var out []publicRef
	for _, kind := range []uint8{kindCreator, kindAudience} {
		n := pop.size
		if kind == kindAudience {
			n = pop.audience
		}
		for i := 0; i < n; i++ {
			a := pop.account(pl, acctRef{kind: kind, idx: i})
			if a.vanished {
				continue
			}
			for m := a.slotIndex(w0) - 1; a.slotStart(m) < w1; m++ {
				s := a.slot(m)
				if s.kind == slotPost && s.ms >= w0 && s.ms < w1 && s.ms >= a.createdMs {
					out = append(out, publicRef{id: s.id(), ref: a.ref, m: m})
				}
			}
		}
	}
	slices.SortFunc(out, func(x, y publicRef) int {
		switch {
		case x.id < y.id:
			return -1
		case x.id > y.id:
			return 1
		}
		return 0
	})
	return out
}

// between returns the public posts with after < id < before and time <=
// nowMs: the newest limit of them (descending) or, with oldest, the oldest
// limit (ascending). It looks at most maxHours hours of time.
func (p *mastoPublic) between(after, before uint64, nowMs int64, limit int, oldest bool, maxHours int) []publicRef {
	var out []publicRef
	if oldest {
		from := max(int64(after>>16), nowMs-int64(maxHours)*jsWindowMs)
		for w0 := floorDiv(from, jsWindowMs) * jsWindowMs; w0 <= nowMs && len(out) < limit; w0 += jsWindowMs {
			for _, x := range p.window(w0) {
				if x.id > after && x.id < before && int64(x.id>>16) <= nowMs {
					out = append(out, x)
					if len(out) == limit {
						break
					}
				}
			}
		}
		return out
	}
	top := nowMs
	if before != ^uint64(0) {
		top = min(top, int64(before>>16))
	}
	for h, w0 := 0, floorDiv(top, jsWindowMs)*jsWindowMs; h < maxHours && len(out) < limit; h, w0 = h+1, w0-jsWindowMs {
		ws := p.window(w0)
		for i := len(ws) - 1; i >= 0; i-- {
			x := ws[i]
			if x.id < before && x.id > after && int64(x.id>>16) <= nowMs {
				out = append(out, x)
				if len(out) == limit {
					break
				}
			}
		}
		if int64(after>>16) >= w0 {
			break
		}
	}
	return out
}

// publicAllowed answers for a request the instance refuses; it reports
// whether the request may go on.
func (m *masto) publicAllowed(w http.ResponseWriter, r *http.Request, streaming bool) bool {
	mode := m.srv.opts.MastodonPublic
	if bearer(r) || (streaming && r.URL.Query().Get("access_token") != "") {
		return true
	}
	if mode == MastodonPublicOpen && !(streaming && m.srv.opts.MastodonStream.NeedsToken) {
		return true
	}
	switch {
	case streaming:
		mErr(w, http.StatusUnauthorized, "Missing access token")
	case mode == MastodonPublicAuthorized:
		mErr(w, http.StatusUnauthorized, "This API requires an authenticated user")
	default:
		mErr(w, http.StatusUnprocessableEntity, "This method requires an authenticated user")
	}
	return false
}

const mastoPublicMaxHours = 7 * 24

func (m *masto) publicTimeline(w http.ResponseWriter, r *http.Request) {
	if !m.publicAllowed(w, r, false) {
		return
	}
	q := m.req(r)
	limit := limitParam(r, 20, 40)
	out := []*mStatus{}
	if boolParam(r, "remote") && !boolParam(r, "local") || boolParam(r, "only_media") {
		writeJSON(w, http.StatusOK, out)
		return
	}
	before := ^uint64(0)
	if x, ok := idParam(r, "max_id"); ok {
		before = x
	}
	after, _ := idParam(r, "since_id")
	var refs []publicRef
	if x, ok := idParam(r, "min_id"); ok {
		refs = m.srv.mastoPub.between(max(after, x), before, q.now, limit, true, mastoPublicMaxHours)
		slices.Reverse(refs)
	} else {
		refs = m.srv.mastoPub.between(after, before, q.now, limit, false, mastoPublicMaxHours)
	}
	for _, x := range refs {
		a := q.c.get(x.ref)
		s := a.slot(x.m)
		out = append(out, q.status(a, &s))
	}
	if len(refs) > 0 {
		next := strconv.FormatUint(refs[len(refs)-1].id, 10)
		w.Header().Set("Link", q.link(r, []string{"limit", "local", "remote", "only_media"}, next, strconv.FormatUint(refs[0].id, 10), "max_id", "min_id"))
	}
	writeJSON(w, http.StatusOK, out)
}

// mastoStreamingPrefix is where the streaming server is served besides
// /mastodon: the host /api/v2/instance names in configuration.urls.streaming.
const mastoStreamingPrefix = "/mastodon-streaming"

// instanceV2 answers GET /api/v2/instance with the parts of Mastodon's
// Instance entity a client reads first, configuration.urls.streaming among
// them (wss://, as Mastodon gives it).
func (m *masto) instanceV2(w http.ResponseWriter, r *http.Request) {
	scheme := "ws"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "wss"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"domain":      r.Host,
		"title":       "nanoscout simulator",
		"version":     "4.5.0",
		"source_url":  "https://github.com/mastodon/mastodon",
		"description": "A simulated Mastodon instance with a synthetic population.",
		"usage":       map[string]any{"users": map[string]any{"active_month": m.pop.size + m.pop.audience}},
		"languages":   []string{"en"},
		"configuration": map[string]any{
			"urls":     map[string]any{"streaming": scheme + "://" + r.Host + mastoStreamingPrefix},
			"accounts": map[string]any{"max_featured_tags": 10, "max_pinned_statuses": 5},
			"statuses": map[string]any{"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23},
			"polls":    map[string]any{"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
			"timelines_access": map[string]any{
				"live_feeds": map[string]any{"local": m.feedAccess(), "remote": m.feedAccess()},
			},
		},
		"registrations": map[string]any{"enabled": false, "approval_required": false, "message": nil},
		"rules":         []any{},
	})
}

// feedAccess is how Mastodon 4.5's timelines_access names who may read the
// live feeds.
func (m *masto) feedAccess() string {
	if m.srv.opts.MastodonPublic == MastodonPublicOpen {
		return "public"
	}
	return "authenticated"
}

// streamHealth answers GET /api/v1/streaming/health: "OK" while the
// streaming server runs.
func (m *masto) streamHealth(w http.ResponseWriter, r *http.Request) {
	m.st.request("streaming/health")
	if m.srv.opts.MastodonStream.Off {
		m.st.status(http.StatusNotFound, false)
		mErr(w, http.StatusNotFound, "Not found")
		return
	}
	m.st.status(http.StatusOK, false)
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("OK"))
}

// streamPublic serves /api/v1/streaming/public as Mastodon's streaming
// server does: an SSE stream of `event: update` with the status as data,
// from the moment of connecting, with ":thump" heartbeats. The statuses are
// those of the paged timeline (the same window cache), so the ground truth
// holds. Options.MastodonStream adds faults: no streaming server (404),
// connections dropped after some events, malformed events.
func (m *masto) streamPublic(w http.ResponseWriter, r *http.Request) {
	m.st.request("streaming/public")
	so := m.srv.opts.MastodonStream
	if so.Off {
		m.st.status(http.StatusNotFound, false)
		mErr(w, http.StatusNotFound, "Not found")
		return
	}
	if !m.publicAllowed(w, r, true) {
		m.st.status(http.StatusUnauthorized, false)
		return
	}
	if st := r.URL.Query().Get("stream"); strings.HasSuffix(r.URL.Path, "/api/v1/streaming") && st != "public" && st != "public:local" {
		m.st.status(http.StatusBadRequest, false)
		mErr(w, http.StatusBadRequest, "Unknown stream type")
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		mErr(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	m.st.status(http.StatusOK, false)
	// Subscribed from now on: what was posted before is the REST
	// timeline's. The greeting is written after, so a client that read it
	// knows the stream covers everything posted since.
	last := snowflake(m.now().UnixMilli(), 0xffff)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(":)\n"))
	fl.Flush()
	poll := m.srv.opts.Jetstream.Poll
	beat := time.Now()
	every := so.Heartbeat
	if every <= 0 {
		every = 15 * time.Second
	}
	sent := 0
	var buf bytes.Buffer
	for {
		t := time.NewTimer(poll)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
		q := m.req(r)
		refs := m.srv.mastoPub.between(last, ^uint64(0), q.now, 1000, true, 48)
		for _, x := range refs {
			a := q.c.get(x.ref)
			s := a.slot(x.m)
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(q.status(a, &s))
			payload := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			if _, err := w.Write(append(append([]byte("event: update\ndata: "), payload...), '\n', '\n')); err != nil {
				return
			}
			last = x.id
			sent++
			if so.MalformedEvery > 0 && sent%so.MalformedEvery == 0 {
				m.st.fault("mstream-malformed")
				if _, err := w.Write(append(append([]byte("event: update\ndata: "), payload[:len(payload)/2]...), '\n', '\n')); err != nil {
					return
				}
			}
			if so.DropAfter > 0 && sent >= so.DropAfter {
				m.st.fault("mstream-drop")
				fl.Flush()
				return // the handler ends: the connection's stream is closed
			}
		}
		if len(refs) == 0 {
			last = max(last, snowflake(q.now, 0))
		}
		if time.Since(beat) > every {
			beat = time.Now()
			if _, err := w.Write([]byte(":thump\n")); err != nil {
				return
			}
		}
		fl.Flush()
	}
}
