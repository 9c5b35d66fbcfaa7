package server

import (
	"bytes"
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
	"github.com/nanoscout/nanoscout/campaign/track"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/store"
)

// Campaigns on the API and the dashboard: a campaign is created from a
// shortlist (package campaign/track), sales come in as an uploaded file or
// through the signed POST /api/conversions webhook, and the campaign page
// shows the measured results next to the planner's forecast.

// maxUpload bounds an uploaded sales file (a year of a busy shop's orders
// export is a few MB).
const maxUpload = 32 << 20

// maxHeatmap is the most creators the overlap heat map draws (the largest
// audiences); the pairs table and the API cover all of them.
const maxHeatmap = 60

func (s *Server) campaignRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/campaigns", s.h(s.apiCampaigns))
	m.HandleFunc("POST /api/campaigns", s.h(s.apiCreateCampaign))
	m.HandleFunc("GET /api/campaigns/{id}", s.h(s.apiCampaign))
	m.HandleFunc("GET /api/campaigns/{id}/results", s.h(s.apiCampaignResults))
	m.HandleFunc("GET /api/campaigns/{id}/overlap", s.h(s.apiCampaignOverlap))
	m.HandleFunc("POST /api/conversions/import", s.h(s.apiImportConversions))
	m.HandleFunc("POST /api/conversions", s.h(s.apiConversion))

	m.HandleFunc("GET /campaigns", s.h(s.pageCampaigns))
	m.HandleFunc("POST /campaigns", s.postForm(s.formCreateCampaign))
	m.HandleFunc("GET /campaigns/{id}", s.h(s.pageCampaign))
	m.HandleFunc("POST /campaigns/{id}/import", s.postForm(s.formImport))
	m.HandleFunc("POST /campaigns/{id}/push", s.postForm(s.formPushCampaign))
	m.HandleFunc("GET /api/shortlists/{id}/overlap", s.h(s.apiShortlistOverlap))
	m.HandleFunc("GET /shortlists/{id}/overlap", s.h(s.pageShortlistOverlap))
}

// campaignSummary is a campaign without its members, as lists show it.
type campaignSummary struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Source      string    `json:"source,omitempty"`
	Creators    int       `json:"creators"`
	Budget      float64   `json:"budget"`
	Spend       float64   `json:"spend"`
	Currency    string    `json:"currency"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	ForecastCPA float64   `json:"forecastCpa,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

func summarize(c campaign.Campaign) campaignSummary {
	return campaignSummary{ID: c.ID, Name: c.Name, Source: c.Source, Creators: len(c.Members), Budget: c.Budget,
		Spend: c.Spend(), Currency: c.Currency, Start: c.Start, End: c.End, ForecastCPA: c.ForecastCPA, CreatedAt: c.CreatedAt}
}

func (s *Server) campaignList(r *http.Request) ([]campaignSummary, error) {
	st := s.st
	cs, err := st.ListCampaigns(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]campaignSummary, len(cs))
	for i, c := range cs {
		out[i] = summarize(c)
	}
	return out, nil
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	cs, err := s.campaignList(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	st := s.st
	c, err := st.Campaign(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// campaignBody is what POST /api/campaigns takes. Dates are days
// (2006-01-02); shortlist is the shortlist's id or name.
type campaignBody struct {
	Name            string             `json:"name"`
	ID              string             `json:"id"`
	Shortlist       string             `json:"shortlist"`
	Budget          float64            `json:"budget"`
	Currency        string             `json:"currency"`
	Fee             *float64           `json:"fee"`
	FeeByTier       map[string]float64 `json:"feeByTier"`
	FeeOverrides    map[string]float64 `json:"feeOverrides"`
	Start           string             `json:"start"`
	End             string             `json:"end"`
	AttributionDays *int               `json:"attributionDays"`
	ProductURL      string             `json:"productUrl"`
	AffiliateParam  string             `json:"affiliateParam"`
}

// defaultCampaignFee is the fee per creator when none is given (the CLI's
// default too).
const defaultCampaignFee = 100

// spec checks a campaign body and turns it into a track.Spec.
func (s *Server) spec(r *http.Request, b campaignBody) (track.Spec, error) {
	sp := track.Spec{Name: strings.TrimSpace(b.Name), ID: b.ID, Budget: b.Budget, Currency: b.Currency,
		DefaultFee: defaultCampaignFee, FeeByTier: b.FeeByTier, FeeOverrides: b.FeeOverrides,
		AttributionDays: campaign.DefaultAttributionDays, ProductURL: strings.TrimSpace(b.ProductURL),
		AffiliateParam: strings.TrimSpace(b.AffiliateParam)}
	if sp.Name == "" && sp.ID == "" {
		return sp, badRequest("name: give the campaign a name")
	}
	if len([]rune(sp.Name)) > maxNameLen {
		return sp, badRequest("name longer than %d characters", maxNameLen)
	}
	if b.Fee != nil {
		sp.DefaultFee = *b.Fee
	}
	if b.AttributionDays != nil {
		sp.AttributionDays = *b.AttributionDays
	}
	for t := range b.FeeByTier {
		if !validTier(t) {
			return sp, badRequest("feeByTier: %q is not a tier", t)
		}
	}
	if sp.AffiliateParam != "" && !paramRe(sp.AffiliateParam) {
		return sp, badRequest("affiliateParam %q: use letters, digits, '_' or '-'", sp.AffiliateParam)
	}
	var err error
	if sp.Start, err = parseDay("start", b.Start); err != nil {
		return sp, err
	}
	if sp.End, err = parseDay("end", b.End); err != nil {
		return sp, err
	}
	if b.Shortlist == "" {
		return sp, badRequest("shortlist: name the shortlist the campaign goes to")
	}
	l, err := s.findShortlist(r, b.Shortlist)
	if err != nil {
		return sp, err
	}
	sp.ShortlistID = l.ID
	return sp, nil
}

func validTier(t string) bool {
	for _, v := range filter.Tiers {
		if v == t {
			return true
		}
	}
	return false
}

func paramRe(p string) bool {
	if len(p) > 40 {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func parseDay(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return t, badRequest("%s %q: want a day such as 2026-03-01", field, v)
	}
	return t, nil
}

// findShortlist finds a shortlist by id, else by its name.
func (s *Server) findShortlist(r *http.Request, idOrName string) (store.Shortlist, error) {
	l, err := s.sc.Shortlist(r.Context(), idOrName)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return l, err
	}
	ls, err := s.sc.ListShortlists(r.Context())
	if err != nil {
		return store.Shortlist{}, err
	}
	for _, l := range ls {
		if strings.EqualFold(l.Name, idOrName) {
			return l, nil
		}
	}
	return store.Shortlist{}, badRequest("no shortlist %q", idOrName)
}

func (s *Server) createCampaign(r *http.Request, b campaignBody) (campaign.Campaign, error) {
	st := s.st
	sp, err := s.spec(r, b)
	if err != nil {
		return campaign.Campaign{}, err
	}
	return track.Create(r.Context(), st, sp, time.Now())
}

func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	var b campaignBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	c, err := s.createCampaign(r, b)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/campaigns/"+url.PathEscape(c.ID))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiCampaignResults(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	st := s.st
	rep, err := track.Results(r.Context(), st, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// overlapView is a campaign's audience overlap, with handles, and the
// selection with the most unique reach within a budget when one is asked.
type overlapView struct {
	campaign.OverlapResult
	Handles   map[string]string   `json:"handles"`
	Selection *campaign.Selection `json:"selection,omitempty"`
	// Greedy states how far from the best selection the pick can be.
	Greedy string `json:"greedy,omitempty"`
}

func (s *Server) overlap(r *http.Request, id string, budget float64) (overlapView, error) {
	st := s.st
	ov, cands, err := track.CampaignOverlap(r.Context(), st, id)
	if err != nil {
		return overlapView{}, err
	}
	v := overlapView{OverlapResult: ov, Handles: map[string]string{}}
	for _, c := range cands {
		v.Handles[c.CreatorKey] = c.Handle
	}
	if budget > 0 {
		sel := campaign.MaxReach(cands, budget)
		v.Selection = &sel
		v.Greedy = greedyNote(sel)
	}
	return v, nil
}

// greedyNote states the guarantee of the greedy max-reach pick.
func greedyNote(sel campaign.Selection) string {
	if sel.Bound == campaign.BoundEqualFees {
		return "greedy maximum coverage: with equal fees it reaches at least 1−1/e ≈ 63% of the best possible selection's unique reach"
	}
	return "greedy maximum coverage by new accounts per unit of fee, compared with the best single creator: at least (1−1/e)/2 ≈ 32% of the best possible selection's unique reach (1−1/e ≈ 63% when fees are equal)"
}

func (s *Server) apiCampaignOverlap(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	if err := onlyParams(v, "budget"); err != nil {
		return err
	}
	budget, err := floatParam(v, "budget")
	if err != nil {
		return err
	}
	ov, err := s.overlap(r, r.PathValue("id"), budget)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ov)
	return nil
}

func floatParam(v url.Values, name string) (float64, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != f || f > 1e12 {
		return 0, badRequest("%s %q: want a number ≥ 0", name, s)
	}
	return f, nil
}

// --- sales in ---

// importFormat reads the format a scout chose: shopify, pap, generic, or
// auto / "" to detect it from the header.
func importFormat(f string) (string, error) {
	switch f {
	case "", "auto":
		return "", nil
	case campaign.FormatShopify, campaign.FormatPAP, campaign.FormatGeneric:
		return f, nil
	}
	return "", badRequest("format %q: want shopify, pap, generic or auto", f)
}

// uploaded is the sales file of a parsed multipart form (field "file").
func uploaded(r *http.Request) (io.ReadCloser, error) {
	f, _, err := r.FormFile("file")
	if err != nil {
		return nil, badRequest("no file: upload the sales file in the field \"file\"")
	}
	return f, nil
}

// apiImportConversions imports a sales file: multipart/form-data with the
// file in "file" (and the CSRF token unless the bearer token is sent), or
// the CSV itself as the body with Content-Type text/csv. ?format= or the
// form's format picks the format; auto detects it.
func (s *Server) apiImportConversions(w http.ResponseWriter, r *http.Request) error {
	st := s.st
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var body io.Reader
	format := r.URL.Query().Get("format")
	if err := onlyParams(r.URL.Query(), "format"); err != nil {
		return err
	}
	switch mt {
	case "text/csv":
		body = http.MaxBytesReader(w, r.Body, maxUpload)
	case "multipart/form-data":
		// A cross-site form can post multipart: the form's CSRF token (or
		// the bearer header) is required.
		if err := s.form(w, r); err != nil {
			return err
		}
		f, err := uploaded(r)
		if err != nil {
			return err
		}
		defer f.Close()
		body = f
		if v := r.PostFormValue("format"); v != "" {
			format = v
		}
	default:
		return &httpError{http.StatusUnsupportedMediaType, "send the file as multipart/form-data (field \"file\") or as the body with Content-Type: text/csv"}
	}
	format, err := importFormat(format)
	if err != nil {
		return err
	}
	sum, err := track.Import(r.Context(), st, body, format)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("file larger than %d MiB", maxUpload>>20)}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// conversionAnswer is what POST /api/conversions answers.
type conversionAnswer struct {
	OrderID string `json:"orderId"`
	// Stored is false when the order was already stored as it is (a retry).
	Stored     bool   `json:"stored"`
	Duplicate  bool   `json:"duplicate"`
	Campaign   string `json:"campaign,omitempty"`
	CreatorKey string `json:"creatorKey,omitempty"`
	// Unattributed says why no campaign claims it (kept all the same).
	Unattributed string `json:"unattributed,omitempty"`
}

// apiConversion takes one sale from a shop: signed with the shared secret
// like nanoscout's outgoing webhooks (X-Nanoscout-Signature: sha256=…),
// sent_at within campaign.ReplayWindow of now, idempotent by order id.
// The signature is its authentication: it needs no bearer token.
func (s *Server) apiConversion(w http.ResponseWriter, r *http.Request) error {
	st := s.st
	secret := s.getenv(s.cfg.ConversionsSecretEnv)
	if secret == "" {
		return &httpError{http.StatusServiceUnavailable, fmt.Sprintf("no conversions secret: set %s (server.conversions_secret_env)", s.cfg.ConversionsSecretEnv)}
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 64<<10)); err != nil {
		return &httpError{http.StatusRequestEntityTooLarge, "conversion body over 64 KiB"}
	}
	cv, err := campaign.ParseWebhook([]byte(secret), buf.Bytes(), r.Header.Get("X-Nanoscout-Signature"), time.Now())
	switch {
	case errors.Is(err, campaign.ErrSignature):
		w.Header().Set("WWW-Authenticate", `HMAC realm="nanoscout conversions"`)
		return &httpError{http.StatusUnauthorized, err.Error()}
	case err != nil:
		return badRequest("%v", err)
	}
	changed, dups, err := st.PutConversions(r.Context(), []campaign.Conversion{cv})
	if err != nil {
		return err
	}
	ans := conversionAnswer{OrderID: cv.OrderID, Stored: changed > 0, Duplicate: dups > 0}
	if ans.Stored {
		if _, err := track.RefreshConverters(r.Context(), st); err != nil {
			return err
		}
	}
	// Say where it went: attribute this one order against every campaign.
	all, err := st.ListCampaigns(r.Context())
	if err != nil {
		return err
	}
	a := campaign.Attribute(all, []campaign.Conversion{cv})
	if len(a.Unattributed) > 0 {
		ans.Unattributed = a.Unattributed[0].Reason
	}
	for _, res := range a.Campaigns {
		for _, c := range res.Creators {
			if c.Sales+c.Pending+c.Refunded+c.OtherSales > 0 {
				ans.Campaign, ans.CreatorKey = res.CampaignID, c.CreatorKey
			}
		}
	}
	code := http.StatusCreated
	if !ans.Stored {
		code = http.StatusOK
	}
	writeJSON(w, code, ans)
	return nil
}

// --- pages ---

type campaignsData struct {
	Campaigns []campaignSummary
	Lists     []store.Shortlist
	Tiers     []string
	Today     string
	Shortlist string // preselected
}

func (campaignsData) title() string { return "Campaigns" }

func (s *Server) pageCampaigns(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	if err := onlyParams(v, "shortlist", "done"); err != nil {
		return err
	}
	cs, err := s.campaignList(r)
	if err != nil {
		return err
	}
	lists, err := s.sc.ListShortlists(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "campaigns", campaignsData{Campaigns: cs, Lists: lists, Tiers: filter.Tiers,
		Today: time.Now().UTC().Format(time.DateOnly), Shortlist: v.Get("shortlist")})
	return nil
}

// formFloat reads an optional number field of a form.
func formFloat(r *http.Request, name string) (*float64, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != f {
		return nil, badRequest("%s %q: want a number ≥ 0", name, s)
	}
	return &f, nil
}

func (s *Server) formCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	b := campaignBody{Name: r.PostFormValue("name"), Shortlist: r.PostFormValue("shortlist"),
		Currency: strings.TrimSpace(r.PostFormValue("currency")), Start: r.PostFormValue("start"), End: r.PostFormValue("end"),
		ProductURL: r.PostFormValue("product_url"), AffiliateParam: r.PostFormValue("affiliate_param")}
	var err error
	if b.Fee, err = formFloat(r, "fee"); err != nil {
		return err
	}
	budget, err := formFloat(r, "budget")
	if err != nil {
		return err
	}
	if budget != nil {
		b.Budget = *budget
	}
	for _, t := range filter.Tiers {
		f, err := formFloat(r, "fee_"+t)
		if err != nil {
			return err
		}
		if f != nil {
			if b.FeeByTier == nil {
				b.FeeByTier = map[string]float64{}
			}
			b.FeeByTier[t] = *f
		}
	}
	if d := strings.TrimSpace(r.PostFormValue("attribution_days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return badRequest("attribution days %q: want a whole number", d)
		}
		b.AttributionDays = &n
	}
	c, err := s.createCampaign(r, b)
	if err != nil {
		return err
	}
	http.Redirect(w, r, done("/campaigns/"+url.PathEscape(c.ID), "campaign"), http.StatusSeeOther)
	return nil
}

func (s *Server) formImport(w http.ResponseWriter, r *http.Request) error {
	st := s.st
	id := r.PathValue("id")
	if _, err := st.Campaign(r.Context(), id); err != nil {
		return err
	}
	format, err := importFormat(r.PostFormValue("format"))
	if err != nil {
		return err
	}
	f, err := uploaded(r)
	if err != nil {
		return err
	}
	defer f.Close()
	sum, err := track.Import(r.Context(), st, f, format)
	if err != nil {
		return err
	}
	v := url.Values{"done": {"imported"}, "format": {sum.Format}, "rows": {strconv.Itoa(sum.Rows)},
		"changed": {strconv.Itoa(sum.Changed)}, "duplicates": {strconv.Itoa(sum.Duplicates)}}
	http.Redirect(w, r, "/campaigns/"+url.PathEscape(id)+"?"+v.Encode(), http.StatusSeeOther)
	return nil
}

// importNote is the summary of the import a redirect came back from.
type importNote struct {
	Format                    string
	Rows, Changed, Duplicates int
}

type campaignData struct {
	Report   track.Report
	Overlap  overlapView
	Heat     heatmapData
	Members  []campaign.Member
	Spend    float64
	Imported *importNote
	// Unattributed shows the first few stored conversions no campaign claims.
	Unattributed []campaign.Unattributed
	Budget       float64
	// Proven are the campaign's proven converters, with their handles.
	Proven []provenView
	// Exports are the download links; Webhooks the configured tools.
	Exports  []exportLink
	Webhooks []string
}

type provenView struct {
	campaign.Converter
	Handle string
}

func (d campaignData) title() string { return d.Report.Campaign.Name }

// maxUnattributedShown bounds the unattributed orders the page lists.
const maxUnattributedShown = 20

func (s *Server) pageCampaign(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	if err := onlyParams(v, "done", "format", "rows", "changed", "duplicates", "budget"); err != nil {
		return err
	}
	st := s.st
	id := r.PathValue("id")
	rep, err := track.Results(r.Context(), st, id)
	if err != nil {
		return err
	}
	budget, err := floatParam(v, "budget")
	if err != nil {
		return err
	}
	if budget == 0 {
		budget = rep.Campaign.Budget
	}
	ov, err := s.overlap(r, id, budget)
	if err != nil {
		return err
	}
	d := campaignData{Report: rep, Overlap: ov, Heat: heatmap(ov, maxHeatmap), Members: rep.Campaign.Members,
		Spend: rep.Campaign.Spend(), Budget: budget, Exports: exportLinks(url.Values{"campaign": {id}}), Webhooks: s.webhookNames()}
	d.Unattributed = rep.Unattributed[:min(len(rep.Unattributed), maxUnattributedShown)]
	handles := map[string]string{}
	for _, c := range rep.Creators {
		handles[c.CreatorKey] = c.Handle
	}
	for _, c := range rep.Converters {
		if c.Proven {
			d.Proven = append(d.Proven, provenView{Converter: c, Handle: handles[c.CreatorKey]})
		}
	}
	if v.Get("done") == "imported" {
		n := importNote{Format: v.Get("format")}
		n.Rows, _ = strconv.Atoi(v.Get("rows"))
		n.Changed, _ = strconv.Atoi(v.Get("changed"))
		n.Duplicates, _ = strconv.Atoi(v.Get("duplicates"))
		d.Imported = &n
	}
	s.render(w, r, http.StatusOK, "campaign", d)
	return nil
}

// --- a shortlist's audience overlap ---

// maxOverlapCreators bounds the creators one overlap reads (each costs a
// read of its newest posts' comments).
const maxOverlapCreators = 1000

// shortlistOverlap is the overlap of a shortlist's creators' engaged
// audiences; with a budget, the pick with the most unique reach at fee per
// creator.
func (s *Server) shortlistOverlap(r *http.Request, id string, budget, fee float64) (overlapView, store.Shortlist, error) {
	ctx := r.Context()
	l, err := s.sc.Shortlist(ctx, id)
	if err != nil {
		return overlapView{}, l, err
	}
	var keys []string
	after := ""
	for len(keys) < maxOverlapCreators {
		items, err := s.sc.ShortlistItems(ctx, id, after, 500)
		if err != nil {
			return overlapView{}, l, err
		}
		for _, it := range items {
			switch _, err := s.st.Creator(ctx, it.CreatorKey); {
			case errors.Is(err, store.ErrNotFound): // on the list, gone from the store
			case err != nil:
				return overlapView{}, l, err
			default:
				keys = append(keys, it.CreatorKey)
			}
		}
		if len(items) < 500 {
			break
		}
		after = items[len(items)-1].CreatorKey
	}
	if len(keys) > maxOverlapCreators {
		return overlapView{}, l, badRequest("shortlist %q has more than %d creators: too many to compare pairwise here", l.Name, maxOverlapCreators)
	}
	aud, err := track.Audiences(ctx, s.st, keys)
	if err != nil {
		return overlapView{}, l, err
	}
	v := overlapView{OverlapResult: campaign.Overlap(aud), Handles: map[string]string{}}
	cands := make([]campaign.Candidate, len(aud))
	for i, a := range aud {
		v.Handles[a.CreatorKey] = a.Handle
		cands[i] = campaign.Candidate{Audience: a, Fee: fee}
	}
	if budget > 0 {
		sel := campaign.MaxReach(cands, budget)
		v.Selection, v.Greedy = &sel, greedyNote(sel)
	}
	return v, l, nil
}

// overlapParams reads ?budget= and ?fee= (default the campaign fee).
func overlapParams(v url.Values) (budget, fee float64, err error) {
	if err := onlyParams(v, "budget", "fee"); err != nil {
		return 0, 0, err
	}
	if budget, err = floatParam(v, "budget"); err != nil {
		return 0, 0, err
	}
	if fee, err = floatParam(v, "fee"); err != nil {
		return 0, 0, err
	}
	if !v.Has("fee") {
		fee = defaultCampaignFee
	}
	return budget, fee, nil
}

func (s *Server) apiShortlistOverlap(w http.ResponseWriter, r *http.Request) error {
	budget, fee, err := overlapParams(r.URL.Query())
	if err != nil {
		return err
	}
	ov, _, err := s.shortlistOverlap(r, r.PathValue("id"), budget, fee)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ov)
	return nil
}

type overlapPageData struct {
	Shortlist   store.Shortlist
	Overlap     overlapView
	Heat        heatmapData
	Budget, Fee float64
}

func (d overlapPageData) title() string { return "Audience overlap · " + d.Shortlist.Name }

func (s *Server) pageShortlistOverlap(w http.ResponseWriter, r *http.Request) error {
	budget, fee, err := overlapParams(r.URL.Query())
	if err != nil {
		return err
	}
	ov, l, err := s.shortlistOverlap(r, r.PathValue("id"), budget, fee)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "overlap", overlapPageData{Shortlist: l, Overlap: ov, Heat: heatmap(ov, maxHeatmap), Budget: budget, Fee: fee})
	return nil
}

// --- exports ---

// campaignSource is a campaign's export: its creators with their codes and
// tracked links (export.Campaigned).
func (s *Server) campaignSource(r *http.Request, id string) (export.Source, string, error) {
	st := s.st
	c, err := st.Campaign(r.Context(), id)
	if err != nil {
		return nil, "", err
	}
	return export.Campaigned(s.st, id), "campaign " + c.Name, nil
}

// firstOther names a parameter of v not among names.
func firstOther(v url.Values, names ...string) string {
	for k := range v {
		if !slices.Contains(names, k) {
			return k
		}
	}
	return ""
}

func (s *Server) formPushCampaign(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.pushFrom(r, r.PostFormValue("webhook"), func() (export.Source, string, error) { return s.campaignSource(r, id) }); err != nil {
		return err
	}
	http.Redirect(w, r, done("/campaigns/"+url.PathEscape(id), "pushed"), http.StatusSeeOther)
	return nil
}
