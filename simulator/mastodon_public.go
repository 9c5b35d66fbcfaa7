package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
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
// token".

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
	if mode == MastodonPublicOpen || bearer(r) || (streaming && r.URL.Query().Get("access_token") != "") {
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

// streamPublic serves /api/v1/streaming/public as Mastodon's streaming
// server does: an SSE stream of `event: update` with the status as data,
// from the moment of connecting, with ":thump" heartbeats.
func (m *masto) streamPublic(w http.ResponseWriter, r *http.Request) {
	m.st.request("streaming/public")
	if !m.publicAllowed(w, r, true) {
		m.st.status(http.StatusUnauthorized, false)
		return
	}
	if st := r.URL.Query().Get("stream"); r.URL.Path == "/mastodon/api/v1/streaming" && st != "public" && st != "public:local" {
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
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(":)\n"))
	fl.Flush()
	poll := m.srv.opts.Jetstream.Poll
	last := snowflake(m.now().UnixMilli(), 0xffff)
	beat := time.Now()
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
		}
		if len(refs) == 0 {
			last = max(last, snowflake(q.now, 0))
		}
		if time.Since(beat) > 15*time.Second {
			beat = time.Now()
			if _, err := w.Write([]byte(":thump\n")); err != nil {
				return
			}
		}
		fl.Flush()
	}
}
