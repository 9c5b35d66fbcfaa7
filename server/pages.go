package server

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/plan"
	"github.com/nanoscout/nanoscout/resolve"
	"github.com/nanoscout/nanoscout/store"
)

// languages are suggested in the language filter.
var languages = []string{"en", "nl", "de", "fr", "es", "pt", "it", "sv", "ja"}

type sortOption struct{ Value, Label string }

var sortOptions = []sortOption{
	{"composite", "Score"}, {"er", "Engagement rate"}, {"reply", "Reply depth"}, {"growth", "Follower growth"},
	{"followers", "Followers"}, {"authenticity", "Authenticity"}, {"audience", "Audience quality"},
	{"cpa", "Measured CPA"},
}

type discoverData struct {
	Q          store.TopQuery
	Filter     url.Values // the filter alone, for export and plan links
	Rows       []export.Row
	First      int
	Prev, Next string // page links, "" when none
	Sorts      []sortOption
	SortLinks  map[string]string
	Platforms  []string
	Tiers      []string
	Languages  []string
	Shortlists []store.Shortlist
	Describe   string
	Back       string
	Exports    []exportLink
	PlanURL    string
	// Sparks are each row's daily follower counts over sparkDays.
	Sparks map[string][]model.Snapshot
}

// exportLink is one download button.
type exportLink struct {
	Label, URL string
}

// exportLinks are the download links of a filter or a shortlist.
func exportLinks(base url.Values) []exportLink {
	var out []exportLink
	for _, f := range export.Formats {
		v := url.Values{}
		for k, vals := range base {
			v[k] = vals
		}
		v.Set("format", string(f))
		out = append(out, exportLink{formatLabel(f), "/export?" + v.Encode()})
	}
	return out
}

func (d discoverData) title() string { return "Discover" }

func withParams(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// defaultView is what /discover shows without parameters: the nano tier,
// nanoscout's subject. "All tiers" in the filter shows every tier.
var defaultView = url.Values{"tier": {model.TierNano}}

func (s *Server) pageDiscover(w http.ResponseWriter, r *http.Request) error {
	if r.URL.RawQuery == "" {
		http.Redirect(w, r, withParams("/discover", defaultView), http.StatusFound)
		return nil
	}
	// all marks the unfiltered view; done is the notice after a form
	// (bulk add comes back here with done=added).
	q, err := s.query(r, "all", "done")
	if err != nil {
		return err
	}
	d, err := s.discover(r, q)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "discover", d)
	return nil
}

func (s *Server) discover(r *http.Request, q store.TopQuery) (discoverData, error) {
	rows, more, err := s.rows(r, q)
	if err != nil {
		return discoverData{}, err
	}
	lists, err := s.sc.ListShortlists(r.Context())
	if err != nil {
		return discoverData{}, err
	}
	fv := filterValues(q)
	link := func(offset int) string {
		v := filterValues(q)
		if offset > 0 {
			v.Set(filter.ParamOffset, strconv.Itoa(offset))
		}
		if q.Limit != s.cfg.PageSize {
			v.Set(filter.ParamLimit, strconv.Itoa(q.Limit))
		}
		return withParams("/discover", nonEmpty(v))
	}
	d := discoverData{Q: q, Filter: fv, Rows: rows, First: q.Offset + 1, Sorts: sortOptions, SortLinks: map[string]string{},
		Platforms: s.opts.Platforms, Tiers: filter.Tiers, Languages: languages, Shortlists: lists, Describe: filter.Describe(q),
		Back: r.URL.RequestURI(), Exports: exportLinks(fv), PlanURL: withParams("/plan", planFilter(fv))}
	if d.Sparks, err = s.sparks(r, rows); err != nil {
		return discoverData{}, err
	}
	if q.Offset > 0 {
		d.Prev = link(max(q.Offset-q.Limit, 0))
	}
	if more {
		d.Next = link(q.Offset + q.Limit)
	}
	for _, so := range sortOptions {
		sq := q
		sq.SortBy = so.Value
		d.SortLinks[so.Value] = withParams("/discover", nonEmpty(filterValues(sq)))
	}
	return d, nil
}

// sparks reads the follower history of a page's rows for the sparklines
// (one indexed read per row).
func (s *Server) sparks(r *http.Request, rows []export.Row) (map[string][]model.Snapshot, error) {
	out := make(map[string][]model.Snapshot, len(rows))
	for _, row := range rows {
		rec := row.Record
		if rec.LastCollected.IsZero() || row.Growth == nil {
			continue // one day of history at most
		}
		since := rec.LastCollected.UTC().AddDate(0, 0, -sparkDays).Format(time.DateOnly)
		snaps, err := s.st.Snapshots(r.Context(), rec.Key, since)
		if err != nil {
			return nil, err
		}
		out[rec.Key] = snaps
	}
	return out, nil
}

// nonEmpty marks an unfiltered view with all=1, so that it is not taken for
// the default (nano) view.
func nonEmpty(v url.Values) url.Values {
	if len(v) == 0 {
		v = url.Values{"all": {"1"}}
	}
	return v
}

type creatorPageData struct {
	creatorData
	Lists    []store.Shortlist
	ListName map[string]string
	Back     string
}

func (d creatorPageData) title() string {
	c := d.Creator.Creator
	if c.DisplayName != "" {
		return c.DisplayName
	}
	return "@" + c.Handle
}

func (s *Server) pageCreator(w http.ResponseWriter, r *http.Request) error {
	if len(r.URL.Query()) > 0 && !r.URL.Query().Has("done") {
		return &filter.ParamError{Param: firstParam(r.URL.Query()), Reason: "unknown parameter"}
	}
	cd, err := s.creatorData(r, r.PathValue("key"))
	if err != nil {
		return err
	}
	lists, err := s.sc.ListShortlists(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, l := range lists {
		names[l.ID] = l.Name
	}
	s.render(w, r, http.StatusOK, "creator", creatorPageData{creatorData: cd, Lists: lists, ListName: names, Back: r.URL.Path})
	return nil
}

// planFilter is a filter as the planner takes it (no sort: the plan takes
// the best by score).
func planFilter(filter url.Values) url.Values {
	v := url.Values{"source": {"filter"}}
	for k, vals := range filter {
		if k != "sort" {
			v[k] = vals
		}
	}
	return v
}

func firstParam(v url.Values) string {
	for k := range v {
		return k
	}
	return ""
}

type shortlistsData struct {
	Lists []store.Shortlist
}

func (shortlistsData) title() string { return "Shortlists" }

func (s *Server) pageShortlists(w http.ResponseWriter, r *http.Request) error {
	lists, err := s.sc.ListShortlists(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "shortlists", shortlistsData{Lists: lists})
	return nil
}

type shortlistData struct {
	shortlistPage
	Next     string
	Webhooks []string
	Back     string
	// History holds each item's outreach status changes, newest first.
	History map[string][]store.OutreachChange
}

func (d shortlistData) title() string { return d.Shortlist.Name }

func (s *Server) pageShortlist(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	if err := onlyParams(v, "after", "done"); err != nil {
		return err
	}
	id := r.PathValue("id")
	p, err := s.shortlistPage(r, id, v.Get("after"), 100, false)
	if err != nil {
		return err
	}
	d := shortlistData{shortlistPage: p, Webhooks: s.webhookNames(), Back: r.URL.Path, History: map[string][]store.OutreachChange{}}
	h, err := s.sc.OutreachHistory(r.Context(), id, "", maxHistory)
	if err != nil {
		return err
	}
	for _, c := range h {
		d.History[c.CreatorKey] = append(d.History[c.CreatorKey], c)
	}
	if p.NextAfter != "" {
		d.Next = "/shortlists/" + url.PathEscape(id) + "?after=" + url.QueryEscape(p.NextAfter)
	}
	s.render(w, r, http.StatusOK, "shortlist", d)
	return nil
}

type runsData struct {
	Runs       []model.Run
	State      runState
	Deliveries []store.Delivery
	Alerts     []alertView
	Webhooks   []string
}

type alertView struct {
	Name, Webhook, Filter string
}

func (runsData) title() string { return "Runs" }

func (s *Server) pageRuns(w http.ResponseWriter, r *http.Request) error {
	runs, err := s.st.Runs(r.Context(), 20)
	if err != nil {
		return err
	}
	ds, err := s.sc.Deliveries(r.Context(), 20)
	if err != nil {
		return err
	}
	// Errors name creators by handle (the first 10 of each run are shown).
	for i := range runs {
		for j := range min(len(runs[i].Errors), 10) {
			runs[i].Errors[j].Creator = resolve.RunErrorCreator(r.Context(), s.st, runs[i].Errors[j])
		}
	}
	d := runsData{Runs: runs, State: s.runs.state(), Deliveries: ds, Webhooks: s.webhookNames()}
	for _, a := range s.cfg.Alerts {
		q, _ := a.Filter.CheckedQuery()
		d.Alerts = append(d.Alerts, alertView{a.Name, a.Webhook, filter.Describe(q)})
	}
	s.render(w, r, http.StatusOK, "runs", d)
	return nil
}

// RunTotals adds a run's per-platform counters.
type RunTotals struct {
	Collected, Failed, Skipped int
	Requests, Throttled        int64
}

func init() {
	funcs["totals"] = func(r model.Run) RunTotals {
		t := r.Totals()
		return RunTotals{Collected: t.Collected, Failed: t.Failed, Skipped: t.Skipped, Requests: t.Requests, Throttled: t.Throttled}
	}
	funcs["duration"] = func(ms int64) string {
		d := time.Duration(ms) * time.Millisecond
		if d < time.Minute {
			return d.Round(100 * time.Millisecond).String()
		}
		return d.Round(time.Second).String()
	}
}

// --- forms ---

// form parses a form body (bounded: maxBody, maxUpload for a
// multipart/form-data upload) and checks its CSRF token.
func (s *Server) form(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	parse := r.ParseForm
	limit := int64(maxBody)
	if mt == "multipart/form-data" {
		limit = maxUpload
		// Files over 8 MiB are spooled to a temp file, removed when the
		// request ends.
		parse = func() error { return r.ParseMultipartForm(8 << 20) }
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := parse(); err != nil {
		code := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			code = http.StatusRequestEntityTooLarge
		}
		return &httpError{code, fmt.Sprintf("reading the form: %v", err)}
	}
	if err := s.checkCSRF(r); err != nil {
		return &httpError{http.StatusForbidden, err.Error()}
	}
	return nil
}

// localPath keeps a redirect target on this server: an absolute path of
// this origin, parsed and cleaned, or fallback. Anything a browser could
// read as another origin is refused: schemes, hosts, "//" and "/\\" (also
// when hidden behind a tab, a newline or an encoded slash or backslash), and
// control characters anywhere.
func localPath(p, fallback string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsFunc(p, isUnsafeRune) {
		return fallback
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	// The decoded path: %09, %2F, %5C are what a browser may act on.
	if !strings.HasPrefix(u.Path, "/") || strings.ContainsFunc(u.Path, isUnsafeRune) {
		return fallback
	}
	clean := path.Clean(u.Path)
	if strings.HasPrefix(clean, "//") {
		return fallback
	}
	out := (&url.URL{Path: clean, RawQuery: u.RawQuery}).RequestURI()
	if len(out) < 1 || out[0] != '/' || len(out) > 1 && (out[1] == '/' || out[1] == '\\') {
		return fallback
	}
	return out
}

// isUnsafeRune is a rune no redirect target carries: a backslash (browsers
// read it as a slash), a control or other invisible character.
func isUnsafeRune(r rune) bool {
	return r == '\\' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r)
}

func done(path, what string) string {
	u, err := url.Parse(path)
	if err != nil {
		return "/"
	}
	v := u.Query()
	v.Set("done", what)
	u.RawQuery = v.Encode()
	return u.RequestURI()
}

func (s *Server) formCreateShortlist(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	if err := checkName(name); err != nil {
		return err
	}
	l, err := s.sc.CreateShortlist(r.Context(), name)
	if err != nil {
		return err
	}
	http.Redirect(w, r, done("/shortlists/"+url.PathEscape(l.ID), "created"), http.StatusSeeOther)
	return nil
}

// formAddToNewOrExisting adds creators (keys) to a shortlist picked by id,
// or to a new one named new_name, and goes back to the page it came from.
func (s *Server) formAddToNewOrExisting(w http.ResponseWriter, r *http.Request) error {
	id := r.PostFormValue("shortlist")
	if id == "" || id == "new" {
		name := strings.TrimSpace(r.PostFormValue("new_name"))
		if name == "" {
			name = "Shortlist " + time.Now().Format("2 Jan 15:04")
		}
		if err := checkName(name); err != nil {
			return err
		}
		l, err := s.sc.CreateShortlist(r.Context(), name)
		if err != nil {
			return err
		}
		id = l.ID
	}
	if err := s.addKeys(r, id, r.PostForm["key"]); err != nil {
		return err
	}
	http.Redirect(w, r, done(localPath(r.PostFormValue("back"), "/shortlists/"+url.PathEscape(id)), "added"), http.StatusSeeOther)
	return nil
}

func (s *Server) formRenameShortlist(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	name := r.PostFormValue("name")
	if err := checkName(name); err != nil {
		return err
	}
	if err := s.sc.RenameShortlist(r.Context(), id, name); err != nil {
		return err
	}
	http.Redirect(w, r, done("/shortlists/"+url.PathEscape(id), "renamed"), http.StatusSeeOther)
	return nil
}

func (s *Server) formDeleteShortlist(w http.ResponseWriter, r *http.Request) error {
	if err := s.sc.DeleteShortlist(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, done("/shortlists", "deleted"), http.StatusSeeOther)
	return nil
}

func (s *Server) formAddItems(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.addKeys(r, id, r.PostForm["key"]); err != nil {
		return err
	}
	http.Redirect(w, r, done(localPath(r.PostFormValue("back"), "/shortlists/"+url.PathEscape(id)), "added"), http.StatusSeeOther)
	return nil
}

func (s *Server) formUpdateItem(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var u store.ItemUpdate
	if r.PostForm.Has("notes") {
		n := strings.ReplaceAll(r.PostFormValue("notes"), "\r\n", "\n")
		u.Notes = &n
	}
	if r.PostForm.Has("status") {
		st := r.PostFormValue("status")
		u.Status = &st
	}
	if err := checkItemUpdate(u); err != nil {
		return err
	}
	if err := s.sc.UpdateShortlistItem(r.Context(), id, r.PostFormValue("key"), u); err != nil {
		return err
	}
	http.Redirect(w, r, done(localPath(r.PostFormValue("back"), "/shortlists/"+url.PathEscape(id)), "saved"), http.StatusSeeOther)
	return nil
}

func (s *Server) formRemoveItem(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.sc.RemoveFromShortlist(r.Context(), id, r.PostFormValue("key")); err != nil {
		return err
	}
	http.Redirect(w, r, done(localPath(r.PostFormValue("back"), "/shortlists/"+url.PathEscape(id)), "removed"), http.StatusSeeOther)
	return nil
}

func (s *Server) formPush(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.push(r, r.PostFormValue("webhook"), id, nil); err != nil {
		return err
	}
	http.Redirect(w, r, done("/shortlists/"+url.PathEscape(id), "pushed"), http.StatusSeeOther)
	return nil
}

func (s *Server) formStartRun(w http.ResponseWriter, r *http.Request) error {
	if err := s.runs.start(); err != nil {
		return err
	}
	http.Redirect(w, r, done("/runs", "started"), http.StatusSeeOther)
	return nil
}

func (s *Server) formCheckAlerts(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.checkAlerts(r, r.PostFormValue("baseline") == "1"); err != nil {
		return &httpError{http.StatusBadGateway, err.Error()}
	}
	http.Redirect(w, r, done("/runs", "alerts"), http.StatusSeeOther)
	return nil
}

type loginData struct {
	Next  string
	Error string
}

func (loginData) title() string { return "Sign in" }

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) error {
	if s.token == "" {
		http.Redirect(w, r, "/discover", http.StatusFound)
		return nil
	}
	s.render(w, r, http.StatusOK, "login", loginData{Next: localPath(r.URL.Query().Get("next"), "/discover")})
	return nil
}

func (s *Server) formLogin(w http.ResponseWriter, r *http.Request) error {
	if s.token == "" {
		http.Redirect(w, r, "/discover", http.StatusSeeOther)
		return nil
	}
	if err := s.form(w, r); err != nil {
		return err
	}
	next := localPath(r.PostFormValue("next"), "/discover")
	client := clientAddr(r)
	if wait := s.logins.wait(client); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.render(w, r, http.StatusTooManyRequests, "login", loginData{Next: next,
			Error: fmt.Sprintf("Too many wrong tokens from your address: try again in %v.", wait.Round(time.Second))})
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(s.token)) != 1 {
		s.logins.fail(client)
		s.log.Warn("failed sign-in", "client", client)
		s.render(w, r, http.StatusUnauthorized, "login", loginData{Next: next, Error: "That token is not the one the server was started with."})
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.mac("session", s.token), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int((30 * 24 * time.Hour).Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// --- the planner ---

// Planner parameters.
var planParams = []string{
	"source", "shortlist", "n", "followers", "er",
	"budget", "fee", "fee_nano", "fee_micro", "fee_mid", "fee_macro", "fee_mega", "posts", "reach",
	"conv_low", "conv_high", "basis", "comment_share", "answered_share",
	"mega_followers", "mega_er", "mega_fee", "mega_conv_low", "mega_conv_high", "mega_basis", "mega_comment_share", "mega_answered_share",
}

type planInput struct {
	Source    string // hypothetical, shortlist, filter
	Shortlist string
	Query     store.TopQuery
	N         int
	Followers int64
	ER        float64
	A         plan.Assumptions
}

func (s *Server) planInput(r *http.Request) (planInput, error) {
	v := r.URL.Query()
	filterParams := slices.DeleteFunc(slices.Clone(filter.Names()), func(p string) bool {
		return p == filter.ParamLimit || p == filter.ParamOffset
	})
	for name, vals := range v {
		if !slices.Contains(planParams, name) && !slices.Contains(filterParams, name) && name != paramHide {
			return planInput{}, &filter.ParamError{Param: name, Reason: "unknown parameter"}
		}
		if len(vals) > 1 {
			return planInput{}, &filter.ParamError{Param: name, Reason: "given twice"}
		}
	}
	in := planInput{A: plan.Defaults(), N: 500, Followers: 2000, ER: 4}
	in.Source = v.Get("source")
	in.Shortlist = v.Get("shortlist")
	if in.Source == "" {
		in.Source = "hypothetical"
		if in.Shortlist != "" {
			in.Source = "shortlist"
		}
	}
	fv := url.Values{}
	for _, p := range append(filterParams, paramHide) {
		if v.Has(p) {
			fv.Set(p, v.Get(p))
		}
	}
	if len(fv) > 0 && v.Get("source") == "" {
		in.Source = "filter"
	}
	var err error
	if in.Query, err = parseFilter(fv, export.MaxPlanCreators, export.MaxPlanCreators); err != nil {
		return in, err
	}
	switch in.Source {
	case "hypothetical", "shortlist", "filter":
	default:
		return in, &filter.ParamError{Param: "source", Reason: "want hypothetical, shortlist or filter"}
	}
	if in.Source == "shortlist" && in.Shortlist == "" {
		return in, &filter.ParamError{Param: "shortlist", Reason: "pick a shortlist"}
	}
	num := func(name string, dst *float64, scale float64) {
		if err != nil || !v.Has(name) || strings.TrimSpace(v.Get(name)) == "" {
			return
		}
		f, perr := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(v.Get(name)), ",", ""), 64)
		if perr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			err = &filter.ParamError{Param: name, Reason: "want a number"}
			return
		}
		*dst = f * scale
	}
	var n, followers, megaFollowers float64 = float64(in.N), float64(in.Followers), float64(in.A.Mega.Followers)
	num("n", &n, 1)
	num("followers", &followers, 1)
	num("er", &in.ER, 1)
	a := &in.A
	num("budget", &a.Budget, 1)
	num("fee", &a.FeePerCreator, 1)
	for _, t := range []string{model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega} {
		var fee float64
		num("fee_"+t, &fee, 1)
		if fee > 0 {
			if a.FeeByTier == nil {
				a.FeeByTier = map[string]float64{}
			}
			a.FeeByTier[t] = fee
		}
	}
	num("posts", &a.PostsPerCreator, 1)
	num("reach", &a.ReachShare, 0.01)
	num("conv_low", &a.Creators.ConversionLow, 1)
	num("conv_high", &a.Creators.ConversionHigh, 1)
	num("comment_share", &a.Creators.CommentShare, 0.01)
	num("answered_share", &a.Creators.AnsweredShare, 0.01)
	num("mega_followers", &megaFollowers, 1)
	num("mega_er", &a.Mega.ER, 1)
	num("mega_fee", &a.Mega.Fee, 1)
	num("mega_conv_low", &a.Mega.ConversionLow, 1)
	num("mega_conv_high", &a.Mega.ConversionHigh, 1)
	num("mega_comment_share", &a.Mega.CommentShare, 0.01)
	num("mega_answered_share", &a.Mega.AnsweredShare, 0.01)
	if err != nil {
		return in, err
	}
	if b := v.Get("basis"); b != "" {
		a.Creators.ConversionBasis = b
	}
	if b := v.Get("mega_basis"); b != "" {
		a.Mega.ConversionBasis = b
	}
	if n < 1 || n > 100_000 || n != math.Trunc(n) {
		return in, &filter.ParamError{Param: "n", Reason: "want a whole number from 1 to 100,000"}
	}
	if followers < 1 || followers > 1e10 || megaFollowers < 1 || megaFollowers > 1e10 {
		return in, &filter.ParamError{Param: "followers", Reason: "want a positive follower count"}
	}
	if in.ER < 0 || in.ER > 100 {
		return in, &filter.ParamError{Param: "er", Reason: "want a percentage from 0 to 100"}
	}
	in.N, in.Followers, a.Mega.Followers = int(n), int64(followers), int64(megaFollowers)
	if err := a.Validate(); err != nil {
		return in, badRequest("%v", err)
	}
	return in, nil
}

// planView is a plan with what the page shows about its source.
type planView struct {
	plan.Result
	Source  string `json:"source"`
	Loaded  int    `json:"loaded"` // creators read from the store (capped at export.MaxPlanCreators)
	Capped  bool   `json:"capped"`
	Explain []string
}

func (s *Server) runPlan(r *http.Request, in planInput) (planView, error) {
	view := planView{}
	// The same resolution of a plan's creators as `nanoscout plan`.
	pc, err := export.PlanCreatorsOf(r.Context(), s.st, export.PlanSource{Kind: in.Source, N: in.N, Followers: in.Followers, ER: in.ER,
		Shortlist: in.Shortlist, Query: in.Query})
	if err != nil {
		return view, err
	}
	creators := pc.Creators
	view.Source, view.Loaded, view.Capped = pc.Source, len(creators), pc.Capped
	res, err := plan.Plan(in.A, creators)
	if err != nil {
		return view, badRequest("%v", err)
	}
	view.Result, view.Explain = res, in.A.Explain()
	return view, nil
}

type planPageData struct {
	In     planInput
	View   *planView
	Error  string
	Lists  []store.Shortlist
	Filter url.Values
	Tiers  []string
	Lines  []plan.Line
}

func (planPageData) title() string { return "Campaign planner" }

func (s *Server) pagePlan(w http.ResponseWriter, r *http.Request) error {
	lists, err := s.sc.ListShortlists(r.Context())
	if err != nil {
		return err
	}
	d := planPageData{Lists: lists, Tiers: []string{model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega}}
	in, err := s.planInput(r)
	d.In, d.Filter = in, filterValues(in.Query)
	code := http.StatusOK
	if err == nil {
		var v planView
		v, err = s.runPlan(r, in)
		if err == nil {
			d.View = &v
			d.Lines = v.Lines[:min(len(v.Lines), 50)]
		}
	}
	if err != nil {
		code = statusOf(err)
		if code >= 500 {
			return err
		}
		d.Error = err.Error()
	}
	s.render(w, r, code, "plan", d)
	return nil
}

// TierFee is the per-tier fee the form shows ("" when unset).
func (in planInput) TierFee(tier string) string {
	if f, ok := in.A.FeeByTier[tier]; ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return ""
}

// Pct writes a 0..1 share as a percentage for the form.
func (planInput) Pct(share float64) string { return strconv.FormatFloat(100*share, 'f', -1, 64) }

// Num writes a figure for the form.
func (planInput) Num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
