package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/alerts"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/resolve"
	"github.com/nanoscout/nanoscout/store"
)

// maxBody bounds a JSON request body.
const maxBody = 1 << 20

// maxAddKeys bounds the creators one request adds to a shortlist.
const maxAddKeys = 1000

func (s *Server) routes() {
	m := http.NewServeMux()
	// API.
	m.HandleFunc("GET /api/creators", s.h(s.apiCreators))
	m.HandleFunc("GET /api/creators/{key...}", s.h(s.apiCreator))
	m.HandleFunc("GET /api/shortlists", s.h(s.apiShortlists))
	m.HandleFunc("POST /api/shortlists", s.h(s.apiCreateShortlist))
	m.HandleFunc("GET /api/shortlists/{id}", s.h(s.apiShortlist))
	m.HandleFunc("PATCH /api/shortlists/{id}", s.h(s.apiRenameShortlist))
	m.HandleFunc("GET /api/shortlists/{id}/history", s.h(s.apiOutreachHistory))
	m.HandleFunc("DELETE /api/shortlists/{id}", s.h(s.apiDeleteShortlist))
	m.HandleFunc("POST /api/shortlists/{id}/items", s.h(s.apiAddItems))
	m.HandleFunc("PATCH /api/shortlists/{id}/items/{key...}", s.h(s.apiUpdateItem))
	m.HandleFunc("DELETE /api/shortlists/{id}/items/{key...}", s.h(s.apiRemoveItem))
	m.HandleFunc("GET /api/export", s.h(s.export))
	m.HandleFunc("POST /api/push", s.h(s.apiPush))
	m.HandleFunc("GET /api/runs", s.h(s.apiRuns))
	m.HandleFunc("POST /api/runs", s.h(s.apiStartRun))
	m.HandleFunc("GET /api/deliveries", s.h(s.apiDeliveries))
	m.HandleFunc("POST /api/alerts/check", s.h(s.apiCheckAlerts))
	m.HandleFunc("GET /api/plan", s.h(s.apiPlan))
	s.campaignRoutes(m)
	m.HandleFunc("/api/", s.h(func(http.ResponseWriter, *http.Request) error {
		return &httpError{http.StatusNotFound, "no such API route"}
	}))
	// Pages.
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/discover", http.StatusFound) })
	m.HandleFunc("GET /discover", s.h(s.pageDiscover))
	m.HandleFunc("GET /creators/{key...}", s.h(s.pageCreator))
	m.HandleFunc("GET /shortlists", s.h(s.pageShortlists))
	m.HandleFunc("POST /shortlists", s.postForm(s.formCreateShortlist))
	m.HandleFunc("GET /shortlists/{id}", s.h(s.pageShortlist))
	m.HandleFunc("POST /shortlists/{id}/rename", s.postForm(s.formRenameShortlist))
	m.HandleFunc("POST /shortlists/{id}/delete", s.postForm(s.formDeleteShortlist))
	m.HandleFunc("POST /shortlists/{id}/add", s.postForm(s.formAddItems))
	m.HandleFunc("POST /shortlists/{id}/items", s.postForm(s.formUpdateItem))
	m.HandleFunc("POST /shortlists/{id}/remove", s.postForm(s.formRemoveItem))
	m.HandleFunc("POST /shortlists/{id}/push", s.postForm(s.formPush))
	m.HandleFunc("POST /shortlist-add", s.postForm(s.formAddToNewOrExisting))
	m.HandleFunc("GET /export", s.h(s.export))
	m.HandleFunc("GET /plan", s.h(s.pagePlan))
	m.HandleFunc("GET /runs", s.h(s.pageRuns))
	m.HandleFunc("POST /runs", s.postForm(s.formStartRun))
	m.HandleFunc("POST /alerts/check", s.postForm(s.formCheckAlerts))
	m.HandleFunc("GET /login", s.h(s.pageLogin))
	m.HandleFunc("POST /login", s.h(s.formLogin))
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	m.Handle("GET /static/", staticHandler())
	s.mux = m
}

// --- helpers ---

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	// Compact: indentation was a fifth of a page's bytes (pipe through jq
	// to read it).
	_ = json.NewEncoder(w).Encode(v)
}

// statusOf maps an error to an HTTP status.
func statusOf(err error) int {
	var pe *filter.ParamError
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he.code
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrInvalid), errors.As(err, &pe):
		return http.StatusBadRequest
	case errors.Is(err, store.ErrExists), errors.Is(err, store.ErrCodeTaken):
		return http.StatusConflict
	case errors.Is(err, errRunning):
		return http.StatusConflict
	case errors.Is(err, errRunsDisabled):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// fail answers an error: JSON on the API, a page elsewhere. Internal errors
// are logged and answered without their detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, err error) {
	msg := err.Error()
	// 503 answers say what is not set up (a missing secret), nothing internal.
	if code >= 500 && code != http.StatusServiceUnavailable {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error (see the server log)"
	}
	if isAPI(r) || !strings.Contains(r.Header.Get("Accept"), "text/html") && r.Method != http.MethodGet {
		writeJSON(w, code, map[string]any{"error": msg, "status": code})
		return
	}
	s.render(w, r, code, "error", map[string]any{"Title": http.StatusText(code), "Status": code, "Message": msg})
}

func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, statusOf(err), err)
}

// handler is a handler that returns its error instead of answering it (as
// Caddy's admin handlers and Prometheus' API do); h turns the error into the
// response.
type handler func(w http.ResponseWriter, r *http.Request) error

// h adapts a handler: a returned error is answered with its status (statusOf)
// as JSON on the API and as a page elsewhere.
func (s *Server) h(fn handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.failErr(w, r, err)
		}
	}
}

// postForm adapts a form handler: the body is parsed (bounded) and its CSRF
// token checked before fn runs.
func (s *Server) postForm(fn handler) http.HandlerFunc {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		if err := s.form(w, r); err != nil {
			return err
		}
		return fn(w, r)
	})
}

// decodeJSON reads a JSON object strictly: JSON content type, unknown fields
// refused (so {"$where": …} is an error, not a filter), one value, at most
// maxBody bytes.
func decodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &httpError{http.StatusUnsupportedMediaType, "send Content-Type: application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", maxBody)}
		}
		return badRequest("request body: %v", err)
	}
	if dec.More() {
		return badRequest("request body: one JSON object expected")
	}
	return nil
}

// requireJSON refuses an API write whose body is not JSON (a cross-site form
// cannot send application/json without a CORS preflight, which this server
// never grants). A write without a body passes.
func requireJSON(r *http.Request) error {
	if r.ContentLength == 0 && r.Body == http.NoBody {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &httpError{http.StatusUnsupportedMediaType, "send Content-Type: application/json"}
	}
	return nil
}

// query parses the filter of a request; extra are other parameters the
// route takes.
func (s *Server) query(r *http.Request, extra ...string) (store.TopQuery, error) {
	return parseFilter(r.URL.Query(), s.cfg.PageSize, s.cfg.MaxPageSize, extra...)
}

// paramHide hides creators already on a shortlist (hide=shortlisted) or
// already contacted (hide=contacted) from Discover, the API and exports.
const paramHide = "hide"

// parseFilter is filter.Parse plus the scout-side hide parameter.
func parseFilter(v url.Values, def, max int, extra ...string) (store.TopQuery, error) {
	q, err := filter.Parse(v, def, max, append(extra, paramHide)...)
	if err != nil {
		return q, err
	}
	if len(v[paramHide]) > 1 {
		return q, &filter.ParamError{Param: paramHide, Reason: "given twice"}
	}
	switch h := v.Get(paramHide); h {
	case "", store.HideShortlisted, store.HideContacted:
		q.Hide = h
	default:
		return q, &filter.ParamError{Param: paramHide, Reason: "want " + store.HideShortlisted + " or " + store.HideContacted}
	}
	return q, nil
}

// filterValues is filter.Values plus hide: a query as parameters.
func filterValues(q store.TopQuery) url.Values {
	v := filter.Values(q)
	if q.Hide != "" {
		v.Set(paramHide, q.Hide)
	}
	return v
}

// rows reads a page of creators (one more than the limit, to know whether a
// next page exists) with their growth, in one query.
func (s *Server) rows(r *http.Request, q store.TopQuery) (rows []export.Row, more bool, err error) {
	q.Limit++
	list, err := s.sc.TopWithGrowth(r.Context(), q)
	if err != nil {
		return nil, false, err
	}
	if len(list) == q.Limit {
		list, more = list[:q.Limit-1], true
	}
	rows = make([]export.Row, len(list))
	for i, l := range list {
		rows[i] = export.Row{Record: l.Record, Growth: l.Growth}
	}
	return rows, more, nil
}

// --- creators ---

type creatorsPage struct {
	Items      []creatorSummary `json:"items"`
	Offset     int              `json:"offset"`
	Limit      int              `json:"limit"`
	NextOffset *int             `json:"nextOffset"` // null on the last page
}

// paramFields selects what list rows carry beyond the summary:
// fields=breakdown adds each score's per-signal breakdown.
const paramFields = "fields"

// fieldBreakdown is the one optional field of a list row.
const fieldBreakdown = "breakdown"

// scoreSummary is a score without its breakdown (the reasons of every
// signal, ~8.5 KB a creator), unless the request selected it.
type scoreSummary struct {
	model.Score
	Breakdown []model.Component `json:"breakdown,omitempty"`
}

// creatorSummary is a row of a list: the creator, its figures and flags.
// The breakdown is on /api/creators/{key} (or with fields=breakdown).
type creatorSummary struct {
	export.Doc
	Score *scoreSummary `json:"score,omitempty"`
}

func summaryOf(d export.Doc, breakdown bool) creatorSummary {
	out := creatorSummary{Doc: d}
	if d.Score != nil {
		out.Score = &scoreSummary{Score: *d.Score}
		if breakdown {
			out.Score.Breakdown = d.Score.Breakdown
		}
	}
	return out
}

// wantBreakdown reads fields=…: "" or "breakdown".
func wantBreakdown(v url.Values) (bool, error) {
	f := v.Get(paramFields)
	if len(v[paramFields]) > 1 {
		return false, &filter.ParamError{Param: paramFields, Reason: "given twice"}
	}
	switch f {
	case "":
		return false, nil
	case fieldBreakdown:
		return true, nil
	}
	return false, &filter.ParamError{Param: paramFields, Reason: "want " + fieldBreakdown}
}

func (s *Server) apiCreators(w http.ResponseWriter, r *http.Request) error {
	q, err := s.query(r, paramFields)
	if err != nil {
		return err
	}
	breakdown, err := wantBreakdown(r.URL.Query())
	if err != nil {
		return err
	}
	q.WithoutBreakdown = !breakdown
	rows, more, err := s.rows(r, q)
	if err != nil {
		return err
	}
	page := creatorsPage{Items: make([]creatorSummary, len(rows)), Offset: q.Offset, Limit: q.Limit}
	for i, row := range rows {
		page.Items[i] = summaryOf(export.DocOf(row), breakdown)
	}
	if more {
		next := q.Offset + len(rows)
		page.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// creatorData is everything the creator page shows.
type creatorData struct {
	Creator    export.Doc            `json:"creator"`
	Posts      []model.Post          `json:"posts"`
	Snapshots  []model.Snapshot      `json:"snapshots"`
	Shortlists []store.ShortlistItem `json:"shortlists"`
	// Audience is the audience quality of each stored sample, newest first:
	// the trend over time.
	Audience []model.AudienceQuality `json:"audience"`
	// Converter is the proven_converter signal (measured campaign CPA vs the
	// campaign's median, with the sample), apart from the score; null when
	// no sale is measured.
	Converter *campaign.Converter `json:"converter"`
}

// audienceSamples is how many audience samples the creator page shows
// (half a year at the weekly default).
const audienceSamples = 26

// recentPosts is how many posts the creator page shows.
const recentPosts = 12

// chartDays is the span of the creator page's charts.
const chartDays = 180

func (s *Server) creatorData(r *http.Request, key string) (creatorData, error) {
	ctx := r.Context()
	rec, err := resolve.Creator(ctx, s.st, key) // a key, handle, @handle, platform:handle or profile URL
	if amb := (*resolve.AmbiguousError)(nil); errors.As(err, &amb) {
		return creatorData{}, badRequest("%s", amb.Error())
	}
	if err != nil {
		return creatorData{}, err
	}
	key = rec.Key
	posts, err := s.st.Posts(ctx, key, recentPosts)
	if err != nil {
		return creatorData{}, err
	}
	// The charts cover the 180 days before the last collection.
	since := ""
	if !rec.LastCollected.IsZero() {
		since = rec.LastCollected.UTC().AddDate(0, 0, -chartDays).Format(time.DateOnly)
	}
	snaps, err := s.st.Snapshots(ctx, key, since)
	if err != nil {
		return creatorData{}, err
	}
	items, err := s.sc.ShortlistsOf(ctx, key)
	if err != nil {
		return creatorData{}, err
	}
	row := export.Row{Record: rec}
	if g, err := s.sc.Growth(ctx, []string{key}); err == nil {
		if v, ok := g[key]; ok {
			row.Growth = &v
		}
	}
	if posts == nil {
		posts = []model.Post{}
	}
	if snaps == nil {
		snaps = []model.Snapshot{}
	}
	samples, err := s.st.AudienceSamples(ctx, key, audienceSamples)
	if err != nil {
		return creatorData{}, err
	}
	trend := []model.AudienceQuality{}
	for _, a := range samples {
		if a.Quality != nil {
			trend = append(trend, *a.Quality)
		}
	}
	d := creatorData{Creator: export.DocOf(row), Posts: posts, Snapshots: snaps, Shortlists: items, Audience: trend}
	switch cv, err := s.st.Converter(ctx, key); {
	case err == nil:
		d.Converter = &cv
	case !errors.Is(err, store.ErrNotFound):
		return creatorData{}, err
	}
	return d, nil
}

func (s *Server) apiCreator(w http.ResponseWriter, r *http.Request) error {
	d, err := s.creatorData(r, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// --- shortlists ---

func (s *Server) apiShortlists(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.sc.ListShortlists(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ls)
	return nil
}

type nameBody struct {
	Name string `json:"name"`
}

// maxNameLen bounds a shortlist name.
const maxNameLen = 120

func checkName(name string) error {
	if len([]rune(name)) > maxNameLen {
		return badRequest("shortlist name longer than %d characters", maxNameLen)
	}
	return nil
}

func (s *Server) apiCreateShortlist(w http.ResponseWriter, r *http.Request) error {
	var b nameBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if err := checkName(b.Name); err != nil {
		return err
	}
	l, err := s.sc.CreateShortlist(r.Context(), b.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

// shortlistItem is an item with its creator, as the API and pages show it.
type shortlistItem struct {
	store.ShortlistItem
	Creator creatorSummary `json:"creator"`
}

type shortlistPage struct {
	Shortlist store.Shortlist `json:"shortlist"`
	Items     []shortlistItem `json:"items"`
	NextAfter string          `json:"nextAfter,omitempty"`
}

func (s *Server) shortlistPage(r *http.Request, id string, after string, limit int, breakdown bool) (shortlistPage, error) {
	ctx := r.Context()
	l, err := s.sc.Shortlist(ctx, id)
	if err != nil {
		return shortlistPage{}, err
	}
	items, err := s.sc.ShortlistItems(ctx, id, after, limit+1)
	if err != nil {
		return shortlistPage{}, err
	}
	p := shortlistPage{Shortlist: l, Items: []shortlistItem{}}
	if len(items) > limit {
		items = items[:limit]
		p.NextAfter = items[limit-1].CreatorKey
	}
	rows, err := export.ItemRows(ctx, s.st, items)
	if err != nil {
		return shortlistPage{}, err
	}
	for _, row := range rows {
		p.Items = append(p.Items, shortlistItem{ShortlistItem: *row.Item, Creator: summaryOf(export.DocOf(row), breakdown)})
	}
	return p, nil
}

func (s *Server) apiShortlist(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	for name := range v {
		if name != "after" && name != "limit" && name != paramFields {
			return &filter.ParamError{Param: name, Reason: "unknown parameter"}
		}
	}
	breakdown, err := wantBreakdown(v)
	if err != nil {
		return err
	}
	limit := s.cfg.PageSize
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return &filter.ParamError{Param: "limit", Reason: "want a whole number ≥ 1"}
		}
		limit = min(n, s.cfg.MaxPageSize)
	}
	p, err := s.shortlistPage(r, r.PathValue("id"), v.Get("after"), limit, breakdown)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// maxHistory bounds the outreach changes one request reads.
const maxHistory = 1000

// apiOutreachHistory lists a shortlist's outreach status changes, newest
// first: ?creator=KEY for one creator's, ?limit=N.
func (s *Server) apiOutreachHistory(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	if err := onlyParams(v, "creator", "limit"); err != nil {
		return err
	}
	limit, err := intParam(v, "limit", 200, maxHistory)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.sc.Shortlist(r.Context(), id); err != nil {
		return err
	}
	h, err := s.sc.OutreachHistory(r.Context(), id, v.Get("creator"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) apiRenameShortlist(w http.ResponseWriter, r *http.Request) error {
	var b nameBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if err := checkName(b.Name); err != nil {
		return err
	}
	if err := s.sc.RenameShortlist(r.Context(), r.PathValue("id"), b.Name); err != nil {
		return err
	}
	l, err := s.sc.Shortlist(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) apiDeleteShortlist(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	if err := s.sc.DeleteShortlist(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type addBody struct {
	Keys []string `json:"keys"`
}

// addKeys checks creator keys and adds them: each must name a stored
// creator, so a list never fills with typos.
func (s *Server) addKeys(r *http.Request, id string, keys []string) error {
	if len(keys) == 0 {
		return badRequest("no creators given")
	}
	if len(keys) > maxAddKeys {
		return badRequest("at most %d creators at once", maxAddKeys)
	}
	resolved := make([]string, len(keys))
	for i, k := range keys {
		rec, err := resolve.Creator(r.Context(), s.st, k) // keys, handles or profile URLs
		if amb := (*resolve.AmbiguousError)(nil); errors.As(err, &amb) {
			return badRequest("%s", amb.Error())
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return badRequest("no creator %q", k)
			}
			return err
		}
		resolved[i] = rec.Key
	}
	return s.sc.AddToShortlist(r.Context(), id, resolved...)
}

func (s *Server) apiAddItems(w http.ResponseWriter, r *http.Request) error {
	var b addBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if err := s.addKeys(r, r.PathValue("id"), b.Keys); err != nil {
		return err
	}
	l, err := s.sc.Shortlist(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// maxNotesLen bounds a shortlist item's notes.
const maxNotesLen = 4000

func checkItemUpdate(u store.ItemUpdate) error {
	if u.Notes != nil && len([]rune(*u.Notes)) > maxNotesLen {
		return badRequest("notes longer than %d characters", maxNotesLen)
	}
	if u.Status != nil && !store.ValidOutreach(*u.Status) {
		return badRequest("outreach status %q: want one of %s", *u.Status, strings.Join(store.OutreachStatuses, ", "))
	}
	return nil
}

func (s *Server) apiUpdateItem(w http.ResponseWriter, r *http.Request) error {
	var u store.ItemUpdate
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	if err := checkItemUpdate(u); err != nil {
		return err
	}
	if err := s.sc.UpdateShortlistItem(r.Context(), r.PathValue("id"), r.PathValue("key"), u); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRemoveItem(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	if _, err := s.sc.Shortlist(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	if err := s.sc.RemoveFromShortlist(r.Context(), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- exports and pushes ---

// exportSource reads ?shortlist=ID or the filter parameters. An export
// without a limit parameter is the whole view.
func (s *Server) exportSource(r *http.Request, v url.Values) (export.Source, string, error) {
	if id := v.Get("campaign"); id != "" {
		if err := onlyParams(v, "campaign", "format"); err != nil {
			return nil, "", &filter.ParamError{Param: firstOther(v, "campaign", "format"), Reason: "a campaign export takes no filter"}
		}
		return s.campaignSource(r, id)
	}
	if id := v.Get("shortlist"); id != "" {
		for name := range v {
			if name != "shortlist" && name != "format" {
				return nil, "", &filter.ParamError{Param: name, Reason: "a shortlist export takes no filter"}
			}
		}
		l, err := s.sc.Shortlist(r.Context(), id)
		if err != nil {
			return nil, "", err
		}
		return export.Shortlisted(s.st, id), "shortlist " + l.Name, nil
	}
	limitGiven := v.Has(filter.ParamLimit)
	q, err := parseFilter(v, s.cfg.PageSize, filter.MaxOffset, "format", "shortlist", "campaign")
	if err != nil {
		return nil, "", err
	}
	if !limitGiven {
		q.Limit = 0 // everything that matches
	}
	return export.Filtered(s.st, q), filter.Describe(q), nil
}

func slug(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	out = strings.Trim(out, "-")
	if len(out) > 40 {
		out = strings.Trim(out[:40], "-")
	}
	if out == "" {
		out = "creators"
	}
	return out
}

// export streams a download: GET /export and GET /api/export, with
// ?format=csv|crm|json|ndjson and ?shortlist=ID or filter parameters.
func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	f, err := export.ParseFormat(v.Get("format"))
	if v.Get("format") == "" {
		f, err = export.CSV, nil
	}
	if err != nil {
		return &filter.ParamError{Param: "format", Reason: err.Error()}
	}
	src, subject, err := s.exportSource(r, v)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("nanoscout-%s-%s.%s", slug(subject), time.Now().UTC().Format("20060102"), f.Ext())
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := export.Write(r.Context(), w, f, src); err != nil {
		// Headers are gone; the truncated download is the signal.
		s.log.Error("export failed midway", "subject", subject, "err", err)
	}
	return nil
}

func (s *Server) webhookNames() []string {
	var names []string
	for n := range s.cfg.Webhooks {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (s *Server) push(r *http.Request, hook, shortlist string, q *store.TopQuery) (webhook.PushResult, error) {
	return s.pushFrom(r, hook, func() (export.Source, string, error) {
		if shortlist != "" {
			l, err := s.sc.Shortlist(r.Context(), shortlist)
			if err != nil {
				return nil, "", err
			}
			return export.Shortlisted(s.st, shortlist), "shortlist " + l.Name, nil
		}
		return export.Filtered(s.st, *q), filter.Describe(*q), nil
	})
}

// pushFrom pushes what source gives (read after the webhook is checked) to
// a configured webhook.
func (s *Server) pushFrom(r *http.Request, hook string, source func() (export.Source, string, error)) (webhook.PushResult, error) {
	if _, ok := s.cfg.Webhooks[hook]; !ok {
		return webhook.PushResult{}, badRequest("webhook %q is not configured (server.webhooks: %v)", hook, s.webhookNames())
	}
	wh, err := webhook.New(s.cfg, hook, s.sc, s.getenv, webhook.WithLogger(s.log), webhook.WithUserAgent(s.ua))
	if err != nil {
		return webhook.PushResult{}, &httpError{http.StatusServiceUnavailable, err.Error()}
	}
	src, subject, err := source()
	if err != nil {
		return webhook.PushResult{}, err
	}
	res, err := wh.Push(r.Context(), src, subject)
	if err != nil && statusOf(err) == http.StatusInternalServerError {
		err = &httpError{http.StatusBadGateway, fmt.Sprintf("pushing to webhook %s: %v", hook, err)}
	}
	return res, err
}

// jsonFilter decodes a filter object strictly: only config.Filter's fields.
type jsonFilter struct {
	Platform          string   `json:"platform"`
	Tier              string   `json:"tier"`
	MinFollowers      int64    `json:"min_followers"`
	MaxFollowers      int64    `json:"max_followers"`
	MinER             float64  `json:"min_er"`
	MinBenchmarkIndex float64  `json:"min_index"`
	MinAuthenticity   float64  `json:"min_auth"`
	MinReply          float64  `json:"min_reply"`
	Language          string   `json:"lang"`
	Keyword           string   `json:"q"`
	HasContact        bool     `json:"contact"`
	MinGrowth         *float64 `json:"min_growth"`
	Hide              string   `json:"hide"`
	MinAudience       float64  `json:"min_audience"`
	ProvenConverter   bool     `json:"proven_converter"`
}

func (s *Server) apiPush(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Webhook   string      `json:"webhook"`
		Shortlist string      `json:"shortlist"`
		Campaign  string      `json:"campaign"`
		Filter    *jsonFilter `json:"filter"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if b.Campaign != "" {
		if b.Shortlist != "" || b.Filter != nil {
			return badRequest("give a campaign, a shortlist or a filter, one of them")
		}
		res, err := s.pushFrom(r, b.Webhook, func() (export.Source, string, error) { return s.campaignSource(r, b.Campaign) })
		return s.pushAnswer(w, res, err)
	}
	var q *store.TopQuery
	if b.Shortlist == "" {
		f := jsonFilter{}
		if b.Filter != nil {
			f = *b.Filter
		}
		tq, err := config.Filter(f).CheckedQuery()
		if err != nil {
			return err
		}
		q = &tq
	} else if b.Filter != nil {
		return badRequest("give a shortlist or a filter, not both")
	}
	res, err := s.push(r, b.Webhook, b.Shortlist, q)
	return s.pushAnswer(w, res, err)
}

// pushAnswer answers a push: 502 with the partial result when the tool
// failed.
func (s *Server) pushAnswer(w http.ResponseWriter, res webhook.PushResult, err error) error {
	if code := statusOf(err); code == http.StatusBadGateway {
		writeJSON(w, code, map[string]any{"error": err.Error(), "result": res})
		return nil
	} else if err != nil {
		return &httpError{code, err.Error()}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// --- runs, deliveries, alerts ---

type runsBody struct {
	Dashboard runState    `json:"dashboard"`
	Runs      []model.Run `json:"runs"`
}

func intParam(v url.Values, name string, def, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, &filter.ParamError{Param: name, Reason: "want a whole number ≥ 1"}
	}
	return min(n, hi), nil
}

// limitOnly reads the limit parameter (def when absent, at most hi) of a
// request that takes no other parameter.
func limitOnly(v url.Values, def, hi int) (int, error) {
	limit, err := intParam(v, "limit", def, hi)
	if err == nil {
		err = onlyParams(v, "limit")
	}
	return limit, err
}

func onlyParams(v url.Values, names ...string) error {
	for name := range v {
		if !slices.Contains(names, name) {
			return &filter.ParamError{Param: name, Reason: "unknown parameter"}
		}
	}
	return nil
}

func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitOnly(r.URL.Query(), 20, 200)
	if err != nil {
		return err
	}
	runs, err := s.st.Runs(r.Context(), limit)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []model.Run{}
	}
	writeJSON(w, http.StatusOK, runsBody{Dashboard: s.runs.state(), Runs: runs})
	return nil
}

func (s *Server) apiStartRun(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	if err := s.runs.start(); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, s.runs.state())
	return nil
}

func (s *Server) apiDeliveries(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitOnly(r.URL.Query(), 50, 500)
	if err != nil {
		return err
	}
	ds, err := s.sc.Deliveries(r.Context(), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ds)
	return nil
}

func (s *Server) checkAlerts(r *http.Request, baseline bool) ([]alerts.Result, error) {
	check := alerts.Check
	if baseline {
		check = alerts.Baseline
	}
	return check(r.Context(), s.st, s.cfg, webhook.WithGetenv(s.getenv), webhook.WithLogger(s.log), webhook.WithUserAgent(s.ua))
}

func (s *Server) apiCheckAlerts(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Baseline bool `json:"baseline"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
	}
	res, err := s.checkAlerts(r, b.Baseline)
	if res == nil {
		res = []alerts.Result{}
	}
	body := map[string]any{"alerts": res}
	if err != nil {
		body["error"] = err.Error()
		writeJSON(w, http.StatusBadGateway, body)
		return nil
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request) error {
	in, err := s.planInput(r)
	if err != nil {
		return err
	}
	res, err := s.runPlan(r, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
