package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/campaign/track"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/export/webhook/webhooktest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/sign"
	"github.com/nanoscout/nanoscout/store"
)

const convSecret = "conv-secret-42"

func withSecret(o *Options) {
	o.Getenv = func(k string) string {
		if k == "NANOSCOUT_CONVERSIONS_SECRET" {
			return convSecret
		}
		return ""
	}
}

// campaignEnv serves 6 seeded creators with a shortlist of 4 and returns
// the shortlist's id.
func campaignEnv(t *testing.T, opts ...envOption) (*env, string) {
	t.Helper()
	e := newEnv(t, 6, opts...)
	l, err := e.st.CreateShortlist(t.Context(), "Spring launch")
	if err != nil {
		t.Fatal(err)
	}
	recs := e.top(store.TopQuery{Limit: 4, SortBy: "composite"})
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.Key
	}
	if err := e.st.AddToShortlist(t.Context(), l.ID, keys...); err != nil {
		t.Fatal(err)
	}
	return e, l.ID
}

func campaignBodyFor(shortlist string) map[string]any {
	return map[string]any{"name": "Spring glow", "shortlist": shortlist, "productUrl": "https://shop.example/serum",
		"start": "2026-03-01", "end": "2026-03-31", "budget": 1000, "fee": 100, "feeByTier": map[string]float64{"micro": 300}}
}

func (e *env) createCampaign(shortlist string) campaign.Campaign {
	e.t.Helper()
	var c campaign.Campaign
	e.json(http.MethodPost, "/api/campaigns", campaignBodyFor(shortlist), http.StatusCreated, &c)
	return c
}

// postCSV posts a sales file as the body (text/csv).
func (e *env) postCSV(path, csv string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.ts.URL+path, strings.NewReader(csv))
	req.Header.Set("Content-Type", "text/csv")
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// upload posts a multipart form with the file in "file".
func (e *env) upload(path string, fields map[string]string, file string) *http.Response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "orders.csv")
	_, _ = io.WriteString(fw, file)
	_ = mw.Close()
	req, _ := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) results(id string) track.Report {
	e.t.Helper()
	var rep track.Report
	e.json(http.MethodGet, "/api/campaigns/"+id+"/results", nil, http.StatusOK, &rep)
	return rep
}

func creatorResult(t *testing.T, rep track.Report, key string) campaign.CreatorResult {
	t.Helper()
	for _, c := range rep.Creators {
		if c.CreatorKey == key {
			return c
		}
	}
	t.Fatalf("no result for %s", key)
	return campaign.CreatorResult{}
}

func TestAPICampaignLifecycle(t *testing.T) {
	e, list := campaignEnv(t)

	// Bad input: a clear 400 naming the field; nothing stored.
	bad := campaignBodyFor(list)
	bad["end"] = "2026-02-01"
	if code, body := e.status(http.MethodPost, "/api/campaigns", bad); code != http.StatusBadRequest || !strings.Contains(body, "dates") {
		t.Errorf("end before start: %d %s", code, body)
	}
	bad = campaignBodyFor("no such list")
	if code, body := e.status(http.MethodPost, "/api/campaigns", bad); code != http.StatusBadRequest || !strings.Contains(body, "no shortlist") {
		t.Errorf("unknown shortlist: %d %s", code, body)
	}
	bad = campaignBodyFor(list)
	bad["start"] = "1 March"
	if code, body := e.status(http.MethodPost, "/api/campaigns", bad); code != http.StatusBadRequest || !strings.Contains(body, "start") {
		t.Errorf("bad start: %d %s", code, body)
	}
	if cs, _ := e.st.ListCampaigns(t.Context()); len(cs) != 0 {
		t.Fatalf("bad requests stored %d campaigns", len(cs))
	}

	// Created from the shortlist by its name: codes, links, forecast.
	c := e.createCampaign("Spring launch")
	if c.ID != "spring-glow" || len(c.Members) != 4 || c.ForecastCPA <= 0 {
		t.Fatalf("created %+v", c)
	}
	codes := map[string]bool{}
	for _, m := range c.Members {
		if m.Code == "" || codes[m.Code] || !strings.Contains(m.Link, "utm_content="+strings.ToLower(m.Code)) {
			t.Errorf("member %+v: code missing, repeated or not in the link", m)
		}
		codes[m.Code] = true
	}
	if code, body := e.status(http.MethodPost, "/api/campaigns", campaignBodyFor(list)); code != http.StatusConflict {
		t.Errorf("same id twice: %d %s", code, body)
	}
	var list2 []campaignSummary
	e.json(http.MethodGet, "/api/campaigns", nil, http.StatusOK, &list2)
	if len(list2) != 1 || list2[0].Creators != 4 || list2[0].Spend != c.Spend() {
		t.Errorf("list %+v", list2)
	}
	var shown campaign.Campaign
	e.json(http.MethodGet, "/api/campaigns/spring-glow", nil, http.StatusOK, &shown)
	if len(shown.Members) != 4 || shown.Members[0].Code != c.Members[0].Code {
		t.Errorf("show %+v", shown)
	}
	if code, _ := e.status(http.MethodGet, "/api/campaigns/nope", nil); code != http.StatusNotFound {
		t.Errorf("unknown campaign: %d", code)
	}

	// Import a generic CSV: two sales by code, one by affiliate id, one
	// refunded, one pending, an unknown code, one outside the window.
	m0, m1 := c.Members[0], c.Members[1]
	file := "order_id,time,amount,currency,code,affiliate_id,utm_campaign,utm_content,status,refunded\n" +
		"A-1,2026-03-02T10:00:00Z,40.00,USD," + m0.Code + ",,,,paid,\n" +
		"A-2,2026-03-03T10:00:00Z,60.00,USD," + strings.ToLower(m0.Code) + ",,,,paid,\n" +
		"A-3,2026-03-04T10:00:00Z,25.00,USD,," + m1.AffiliateID + ",,,paid,\n" +
		"A-4,2026-03-05T10:00:00Z,30.00,USD," + m1.Code + ",,,,refunded,30.00\n" +
		"A-5,2026-03-06T10:00:00Z,30.00,USD," + m1.Code + ",,,,pending,\n" +
		"A-6,2026-03-06T10:00:00Z,99.00,USD,TYPO-CODE,,,,paid,\n" +
		"A-7,2026-06-30T10:00:00Z,10.00,USD," + m0.Code + ",,,,paid,\n"
	code, body := e.postCSV("/api/conversions/import", file)
	var sum track.ImportSummary
	if code != http.StatusOK || json.Unmarshal([]byte(body), &sum) != nil || sum.Format != campaign.FormatGeneric || sum.Rows != 7 || sum.Changed != 7 {
		t.Fatalf("import: %d %s", code, body)
	}
	// The same file again changes nothing.
	code, body = e.postCSV("/api/conversions/import?format=generic", file)
	if code != http.StatusOK || !strings.Contains(body, `"duplicates":7`) {
		t.Errorf("re-import: %d %s", code, body)
	}
	// A bad file: 400 naming row and column, nothing of it stored.
	badFile := "order_id,time,amount,currency,code\nB-1,2026-03-02,10.00,USD," + m0.Code + "\nB-2,2026-03-02,ten,USD," + m0.Code + "\n"
	code, body = e.postCSV("/api/conversions/import", badFile)
	if code != http.StatusBadRequest || !strings.Contains(body, "row 3") || !strings.Contains(body, "amount") {
		t.Errorf("bad file: %d %s", code, body)
	}
	if convs, _ := e.st.Conversions(t.Context()); len(convs) != 7 {
		t.Errorf("%d conversions stored after the bad file, want 7", len(convs))
	}
	if code, body := e.postCSV("/api/conversions/import?format=excel", file); code != http.StatusBadRequest || !strings.Contains(body, "format") {
		t.Errorf("unknown format: %d %s", code, body)
	}
	if code, _ := e.status(http.MethodPost, "/api/conversions/import", `{"a":1}`); code != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body to import: %d", code)
	}

	rep := e.results("spring-glow")
	r0, r1 := creatorResult(t, rep, m0.CreatorKey), creatorResult(t, rep, m1.CreatorKey)
	if r0.Sales != 2 || r0.Revenue != 10000 || r0.CPA == nil || math.Abs(*r0.CPA-m0.Fee/2) > 1e-9 {
		t.Errorf("member 0: %+v (fee %v)", r0, m0.Fee)
	}
	if r1.Sales != 1 || r1.Refunded != 1 || r1.Pending != 1 || r1.Revenue != 2500 {
		t.Errorf("member 1: %+v", r1)
	}
	if rep.Total.Sales != 3 || len(rep.Tiers) == 0 {
		t.Errorf("total %+v tiers %+v", rep.Total, rep.Tiers)
	}
	for _, tr := range rep.Tiers {
		if tr.ForecastCPA <= 0 || tr.ForecastCPA != c.ForecastByTier[tr.Tier] {
			t.Errorf("tier %s: forecast CPA %v, campaign's %v", tr.Tier, tr.ForecastCPA, c.ForecastByTier)
		}
	}
	reasons := map[string]string{}
	for _, u := range rep.Unattributed {
		reasons[u.OrderID] = u.Reason
	}
	if reasons["A-6"] != campaign.ReasonUnknownCode || reasons["A-7"] != campaign.ReasonOutsideDates {
		t.Errorf("unattributed %v", reasons)
	}

	// Overlap, and the most unique reach within a budget with its bound.
	var ov overlapView
	e.json(http.MethodGet, "/api/campaigns/spring-glow/overlap?budget=250", nil, http.StatusOK, &ov)
	if len(ov.Creators) != 4 || len(ov.Matrix) != 4 || ov.Selection == nil || ov.Selection.Spend > 250 || !strings.Contains(ov.Greedy, "1−1/e") {
		t.Errorf("overlap %+v", ov)
	}
	if code, _ := e.status(http.MethodGet, "/api/campaigns/spring-glow/overlap?budget=-1", nil); code != http.StatusBadRequest {
		t.Errorf("negative budget: %d", code)
	}
}

// signedConversion is a webhook body sent sentAt, signed with secret.
func signedConversion(t *testing.T, secret string, sentAt time.Time, order, code string) (string, string) {
	t.Helper()
	b, err := json.Marshal(campaign.WebhookBody{SentAt: sentAt, OrderID: order, Time: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC),
		Amount: "49.90", Currency: "USD", Code: code})
	if err != nil {
		t.Fatal(err)
	}
	return string(b), sign.Sign([]byte(secret), b)
}

func (e *env) conversion(body, signature string, header ...string) (int, string) {
	e.t.Helper()
	return e.status(http.MethodPost, "/api/conversions", body, append([]string{"X-Nanoscout-Signature", signature}, header...)...)
}

func TestAPIConversionWebhook(t *testing.T) {
	e, list := campaignEnv(t, withSecret, func(o *Options) { o.Token = "scout-token" })
	auth := []string{"Authorization", "Bearer scout-token"}
	e.do(http.MethodGet, "/discover", nil) // nothing: the client sends the bearer below
	var c campaign.Campaign
	resp := e.do(http.MethodPost, "/api/campaigns", campaignBodyFor(list), auth...)
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	_ = json.NewDecoder(resp.Body).Decode(&c)
	m := c.Members[2]
	now := time.Now()

	// Signed and fresh: stored (no bearer token: the signature is the
	// authentication), attributed to the member.
	body, sig := signedConversion(t, convSecret, now, "W-1", m.Code)
	code, out := e.conversion(body, sig)
	var ans conversionAnswer
	if code != http.StatusCreated || json.Unmarshal([]byte(out), &ans) != nil || !ans.Stored || ans.Campaign != c.ID || ans.CreatorKey != m.CreatorKey {
		t.Fatalf("fresh conversion: %d %s", code, out)
	}
	// Replayed (a retry, or a captured request inside the window): the
	// order is counted once.
	code, out = e.conversion(body, sig)
	if code != http.StatusOK || !strings.Contains(out, `"duplicate":true`) || strings.Contains(out, `"stored":true`) {
		t.Errorf("replay: %d %s", code, out)
	}
	// Bad signatures: 401, nothing stored.
	for name, s := range map[string]string{"none": "", "other secret": sign.Sign([]byte("guess"), []byte(body)),
		"truncated": sig[:len(sig)-2]} {
		if code, out := e.conversion(body, s); code != http.StatusUnauthorized || !strings.Contains(out, "signature") {
			t.Errorf("%s signature: %d %s", name, code, out)
		}
	}
	tampered := strings.Replace(body, "49.90", "4990.00", 1)
	if code, _ := e.conversion(tampered, sig); code != http.StatusUnauthorized {
		t.Errorf("tampered body with the old signature: %d", code)
	}
	// Old (and future) sent_at, properly signed: refused as a replay.
	for _, at := range []time.Time{now.Add(-10 * time.Minute), now.Add(10 * time.Minute)} {
		b, s := signedConversion(t, convSecret, at, "W-OLD", m.Code)
		if code, out := e.conversion(b, s); code != http.StatusBadRequest || !strings.Contains(out, "replay") {
			t.Errorf("sent_at %v: %d %s", at.Sub(now), code, out)
		}
	}
	// An unknown code is kept, unattributed.
	b, s := signedConversion(t, convSecret, now, "W-2", "NOBODY-1234")
	code, out = e.conversion(b, s)
	if code != http.StatusCreated || !strings.Contains(out, campaign.ReasonUnknownCode) {
		t.Errorf("unknown code: %d %s", code, out)
	}
	// Not JSON: 415.
	if code, _ := e.status(http.MethodPost, "/api/conversions", nil, "Content-Type", "text/plain", "X-Nanoscout-Signature", sig); code != http.StatusUnsupportedMediaType && code != http.StatusUnauthorized {
		t.Errorf("text/plain: %d", code)
	}

	convs, err := e.st.Conversions(t.Context())
	if err != nil || len(convs) != 2 {
		t.Fatalf("stored conversions %+v, %v", convs, err)
	}
	resp = e.do(http.MethodGet, "/api/campaigns/"+c.ID+"/results", nil, auth...)
	var rep track.Report
	_ = json.NewDecoder(resp.Body).Decode(&rep)
	if r := creatorResult(t, rep, m.CreatorKey); r.Sales != 1 || r.Revenue != 4990 {
		t.Errorf("after the webhook and its replay: %+v", r)
	}
	if len(rep.Unattributed) != 1 || rep.Unattributed[0].OrderID != "W-2" {
		t.Errorf("unattributed %+v", rep.Unattributed)
	}
	// A multipart upload to the API: refused without the bearer token (a
	// cross-site form could send it), taken with it.
	file := "order_id,time,amount,currency,code\nU-1,2026-03-03,20.00,USD," + c.Members[0].Code + "\n"
	if resp := e.upload("/api/conversions/import", map[string]string{"format": "generic"}, file); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("multipart import without the token: %d", resp.StatusCode)
	}
	e.c.Transport = bearer{"scout-token"}
	resp = e.upload("/api/conversions/import", map[string]string{"format": "generic"}, file)
	e.c.Transport = nil
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"changed":1`) {
		t.Errorf("multipart import with the token: %d %s", resp.StatusCode, b)
	}
	// The other campaign routes still need the token.
	if code, _ := e.status(http.MethodGet, "/api/campaigns", nil); code != http.StatusUnauthorized {
		t.Errorf("campaign list without the token: %d", code)
	}
}

func TestAPIConversionWebhookWithoutSecret(t *testing.T) {
	e, _ := campaignEnv(t)
	body, sig := signedConversion(t, convSecret, time.Now(), "W-1", "X-1")
	if code, out := e.conversion(body, sig); code != http.StatusServiceUnavailable || !strings.Contains(out, "NANOSCOUT_CONVERSIONS_SECRET") {
		t.Errorf("no secret: %d %s", code, out)
	}
	if convs, _ := e.st.Conversions(t.Context()); len(convs) != 0 {
		t.Errorf("stored %d conversions without a secret", len(convs))
	}
}

func TestCampaignPages(t *testing.T) {
	e, list := campaignEnv(t)
	tok := e.csrf("/campaigns")
	v := url.Values{"csrf": {tok}, "name": {`Spring <script>alert(1)</script>`}, "shortlist": {list},
		"product_url": {"https://shop.example/serum"}, "start": {"2026-03-01"}, "end": {"2026-03-31"},
		"budget": {"1000"}, "fee": {"120"}, "fee_micro": {"300"}, "currency": {"USD"}, "attribution_days": {"30"}}
	resp := e.form("/campaigns", v)
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create form: %d %s", resp.StatusCode, b)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/campaigns/spring-script-alert-1-script") {
		t.Fatalf("redirected to %s", loc)
	}
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/campaigns/")
	c, err := e.st.Campaign(t.Context(), id)
	if err != nil || len(c.Members) != 4 || c.DefaultFee != 120 || c.FeeByTier["micro"] != 300 {
		t.Fatalf("stored %+v, %v", c, err)
	}
	// Without the CSRF token: refused.
	delete(v, "csrf")
	v.Set("name", "Other")
	if resp := e.form("/campaigns", v); resp.StatusCode != http.StatusForbidden {
		t.Errorf("create without CSRF: %d", resp.StatusCode)
	}

	// Import a Shopify orders export through the page's form.
	m := c.Members[0]
	shop := "Name,Email,Financial Status,Paid at,Currency,Total,Discount Code,Created at,Lineitem name\n" +
		"#1001,a@example.com,paid,2026-03-02 10:15:00 -0500,USD,49.90," + m.Code + ",2026-03-02 10:14:31 -0500,Serum\n" +
		"#1001,,,,,,,2026-03-02 10:14:31 -0500,Gift bag\n" +
		"#1002,b@example.com,paid,2026-03-03 10:15:00 -0500,USD,20.00,\"=HYPERLINK(\"\"x\"\")\",2026-03-03 10:14:31 -0500,Serum\n"
	if resp := e.upload("/campaigns/"+id+"/import", map[string]string{"format": "shopify"}, shop); resp.StatusCode != http.StatusForbidden {
		t.Errorf("import without CSRF: %d", resp.StatusCode)
	}
	tok = e.csrf("/campaigns/" + id)
	resp = e.upload("/campaigns/"+id+"/import", map[string]string{"csrf": tok, "format": "auto"}, shop)
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("import form: %d %s", resp.StatusCode, b)
	}
	code, page := e.status(http.MethodGet, resp.Header.Get("Location"), nil, "Accept", "text/html")
	if code != http.StatusOK {
		t.Fatalf("campaign page: %d %s", code, page)
	}
	for _, want := range []string{`id="import-summary"`, "Imported 2 orders (shopify)", `id="spend-chart"`, `id="cpa-chart"`,
		`id="overlap-heatmap"`, "Spring &lt;script&gt;alert(1)&lt;/script&gt;", m.Code, `id="results"`} {
		if !strings.Contains(page, want) {
			t.Errorf("campaign page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Error("the campaign name is not escaped")
	}
	row := page[strings.Index(page, `data-creator="`+m.CreatorKey+`"><td>`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `<td class="num sales">1</td>`) || !strings.Contains(row, `<td class="num revenue">49.90</td>`) ||
		!strings.Contains(row, fmt.Sprintf(`<td class="num cpa">%.2f</td>`, m.Fee)) {
		t.Errorf("results row of %s: %s", m.CreatorKey, row)
	}
	// The unknown code (a formula) is listed unattributed, as text.
	if !strings.Contains(page, `id="unattributed"`) || !strings.Contains(page, "=HYPERLINK(&#34;x&#34;)") {
		t.Errorf("unattributed order not listed escaped")
	}
	// A bad file through the form: a page naming the row, nothing stored.
	tok = e.csrf("/campaigns/" + id)
	before, _ := e.st.Conversions(t.Context())
	resp = e.upload("/campaigns/"+id+"/import", map[string]string{"csrf": tok, "format": "shopify"},
		"Name,Financial Status,Paid at,Currency,Total,Discount Code\n#9,paid,2026-03-02 10:15:00 -0500,USD,lots,"+m.Code+"\n")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "row 2") {
		t.Errorf("bad upload: %d %s", resp.StatusCode, b)
	}
	if after, _ := e.st.Conversions(t.Context()); len(after) != len(before) {
		t.Errorf("a bad file stored %d conversions", len(after)-len(before))
	}

	code, page = e.status(http.MethodGet, "/campaigns", nil)
	if code != http.StatusOK || !strings.Contains(page, `href="/campaigns/`+id+`"`) || !strings.Contains(page, `id="create-campaign"`) {
		t.Errorf("campaigns list: %d", code)
	}
}

// TestProvenConverterSignal: imported sales make the proven_converter
// signal (measured CPA vs the campaign median, with the sample size), which
// the creator page shows apart from the score and the API and Discover
// filter and sort by.
func TestProvenConverterSignal(t *testing.T) {
	e, list := campaignEnv(t)
	body := campaignBodyFor(list)
	delete(body, "feeByTier") // every creator at 100: CPA = 100 ÷ sales
	var c campaign.Campaign
	e.json(http.MethodPost, "/api/campaigns", body, http.StatusCreated, &c)
	sales := []int{4, 1, 3, 0} // CPAs 25, 100, 33.33: median 33.33
	file := "order_id,time,amount,currency,code\n"
	n := 0
	for i, k := range sales {
		for range k {
			n++
			file += fmt.Sprintf("P-%d,2026-03-%02d,10.00,USD,%s\n", n, 2+n, c.Members[i].Code)
		}
	}
	if code, out := e.postCSV("/api/conversions/import", file); code != http.StatusOK {
		t.Fatalf("import: %d %s", code, out)
	}
	key := func(i int) string { return c.Members[i].CreatorKey }

	var page creatorsPage
	e.json(http.MethodGet, "/api/creators?proven_converter=1&sort=cpa", nil, http.StatusOK, &page)
	var got []string
	for _, it := range page.Items {
		got = append(got, it.Key)
	}
	if want := []string{key(0), key(2)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("proven converters by CPA: %v, want %v (members 0 and 2: ≥ 3 sales at or under the median)", got, want)
	}
	e.json(http.MethodGet, "/api/creators?sort=cpa&limit=3", nil, http.StatusOK, &page)
	got = got[:0]
	for _, it := range page.Items {
		got = append(got, it.Key)
	}
	if want := []string{key(0), key(2), key(1)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sort=cpa: %v, want %v", got, want)
	}

	var cd creatorData
	e.json(http.MethodGet, "/api/creators/"+key(1), nil, http.StatusOK, &cd)
	if cd.Converter == nil || cd.Converter.Proven || cd.Converter.Sales != 1 || math.Abs(cd.Converter.CPA-100) > 1e-9 ||
		math.Abs(cd.Converter.MedianCPA-100.0/3) > 1e-9 {
		t.Errorf("member 1's signal: %+v", cd.Converter)
	}
	_, html := e.status(http.MethodGet, "/creators/"+key(0), nil)
	if !strings.Contains(html, "Proven converter") || !strings.Contains(html, "over 4 sales") || !strings.Contains(html, "33.33") {
		t.Errorf("creator page of a proven converter lacks the signal")
	}
	_, html = e.status(http.MethodGet, "/creators/"+key(3), nil)
	if !strings.Contains(html, "no campaign sale measured yet") {
		t.Errorf("creator page without sales claims a signal")
	}
	_, html = e.status(http.MethodGet, "/campaigns/"+c.ID, nil)
	proven := html[strings.Index(html, `id="proven"`):]
	proven = proven[:strings.Index(proven, "</p>")]
	if !strings.Contains(proven, "@"+c.Members[0].Handle+"</a> CPA 25.00 vs median 33.33 over 4 sales") ||
		!strings.Contains(proven, "@"+c.Members[2].Handle) || strings.Contains(proven, "@"+c.Members[1].Handle+"<") {
		t.Errorf("campaign page's proven converters: %s", proven)
	}
	code, html := e.status(http.MethodGet, "/discover?proven_converter=1&sort=cpa", nil)
	if code != http.StatusOK || !strings.Contains(html, "proven converters") || strings.Contains(html, `href="/creators/`+key(1)+`"`) {
		t.Errorf("discover with proven_converter: %d", code)
	}
}

// TestShortlistOverlap: a shortlist's overlap over real HTTP: every
// creator in the matrix, handles named, the greedy pick within a budget with
// its guarantee, and the page with its heat map.
func TestShortlistOverlap(t *testing.T) {
	e, list := campaignEnv(t)
	// Creator i's engaged audience: fans 3i … 3i+5, so neighbours share 3.
	fans := map[string]map[string]bool{}
	for i := range e.n {
		u, _ := exporttest.Creator(i)
		p := u.Posts[0]
		fans[u.Creator.Key()] = map[string]bool{}
		for f := 3 * i; f < 3*i+6; f++ {
			u.Comments = append(u.Comments, model.Comment{Platform: p.Platform, ID: fmt.Sprintf("%s-f%d", p.ID, f), PostID: p.ID,
				ParentID: p.ID, AuthorID: fmt.Sprintf("fan-%d", f), Text: "so good", CreatedAt: p.CreatedAt, Depth: 1})
			fans[u.Creator.Key()][u.Creator.Platform+":"+fmt.Sprintf("fan-%d", f)] = true
		}
		if err := e.st.SaveCreator(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	var ov overlapView
	e.json(http.MethodGet, "/api/shortlists/"+list+"/overlap?budget=200&fee=100", nil, http.StatusOK, &ov)
	union, total := map[string]bool{}, 0
	for _, k := range ov.Creators {
		total += len(fans[k])
		for f := range fans[k] {
			union[f] = true
		}
	}
	if len(ov.Creators) != 4 || len(ov.Handles) != 4 || ov.TotalReach != total || ov.UniqueReach != len(union) {
		t.Errorf("overlap: %d creators, reach %d (%d unique); want 4, %d (%d)", len(ov.Creators), ov.TotalReach, ov.UniqueReach, total, len(union))
	}
	for _, p := range ov.Pairs {
		shared := 0
		for f := range fans[p.A] {
			if fans[p.B][f] {
				shared++
			}
		}
		if p.Shared != shared || shared == 0 {
			t.Errorf("pair %s × %s: %d shared, want %d", p.A, p.B, p.Shared, shared)
		}
	}
	if ov.Selection == nil || len(ov.Selection.Keys) != 2 || ov.Selection.Spend != 200 || !strings.Contains(ov.Greedy, "63%") {
		t.Errorf("selection %+v %q", ov.Selection, ov.Greedy)
	}
	for i := range ov.Creators {
		if ov.Matrix[i][i] != 1 || ov.Sizes[i] < 0 {
			t.Errorf("row %d: %v", i, ov.Matrix[i])
		}
	}
	if code, _ := e.status(http.MethodGet, "/api/shortlists/"+list+"/overlap?fee=-3", nil); code != http.StatusBadRequest {
		t.Errorf("negative fee: %d", code)
	}
	if code, _ := e.status(http.MethodGet, "/api/shortlists/nope/overlap", nil); code != http.StatusNotFound {
		t.Errorf("unknown shortlist: %d", code)
	}
	code, page := e.status(http.MethodGet, "/shortlists/"+list+"/overlap?budget=200", nil)
	if code != http.StatusOK || !strings.Contains(page, `id="overlap-heatmap"`) || !strings.Contains(page, `id="max-reach"`) {
		t.Errorf("overlap page: %d", code)
	}
	if _, page := e.status(http.MethodGet, "/shortlists/"+list, nil); !strings.Contains(page, `href="/shortlists/`+list+`/overlap"`) {
		t.Error("the shortlist page does not link its overlap")
	}
}

// TestCampaignExportAndPush: a campaign's CSV, CRM and JSON exports and its
// webhook push carry each creator's code and tracked link; a formula in a
// stored code is neutralised in the CSVs.
func TestCampaignExportAndPush(t *testing.T) {
	rc := &webhooktest.Receiver{Secret: "hook-secret"}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	e, list := campaignEnv(t, withHook(hook.URL))
	c := e.createCampaign(list)
	c.Members[0].Code = "=1+2" // a stored campaign is data
	if err := e.st.SaveCampaign(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"csv", "crm"} {
		code, body := e.status(http.MethodGet, "/export?campaign="+c.ID+"&format="+f, nil)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if code != http.StatusOK || err != nil || len(rows) != 1+len(c.Members) {
			t.Fatalf("%s export: %d %v\n%s", f, code, err, body)
		}
		pc, lc := slices.Index(rows[0], "promo_code"), slices.Index(rows[0], "tracked_link")
		for i, m := range c.Members {
			want := m.Code
			if i == 0 {
				want = "'=1+2"
			}
			if rows[i+1][pc] != want || rows[i+1][lc] != m.Link {
				t.Errorf("%s row %d: code %q link %q, want %q %q", f, i, rows[i+1][pc], rows[i+1][lc], want, m.Link)
			}
		}
	}
	var docs []struct {
		Key      string `json:"key"`
		Campaign struct {
			Code string `json:"promoCode"`
			Link string `json:"trackedLink"`
		} `json:"campaign"`
	}
	e.json(http.MethodGet, "/api/export?campaign="+c.ID+"&format=json", nil, http.StatusOK, &docs)
	if len(docs) != len(c.Members) || docs[1].Campaign.Code != c.Members[1].Code || docs[1].Campaign.Link != c.Members[1].Link {
		t.Errorf("JSON export %+v", docs)
	}
	if code, _ := e.status(http.MethodGet, "/api/export?campaign="+c.ID+"&tier=nano", nil); code != http.StatusBadRequest {
		t.Errorf("campaign export with a filter: %d", code)
	}
	if code, _ := e.status(http.MethodGet, "/api/export?campaign=nope", nil); code != http.StatusNotFound {
		t.Errorf("unknown campaign export: %d", code)
	}

	var res webhook.PushResult
	e.json(http.MethodPost, "/api/push", map[string]string{"webhook": "outreach", "campaign": c.ID}, http.StatusOK, &res)
	if res.Creators != len(c.Members) {
		t.Fatalf("push %+v", res)
	}
	var got []string
	for _, b := range rc.Bodies {
		var body struct {
			Subject  string `json:"subject"`
			Creators []struct {
				Campaign struct {
					Code string `json:"promoCode"`
				} `json:"campaign"`
			} `json:"creators"`
		}
		if err := json.Unmarshal(b, &body); err != nil || !strings.HasPrefix(body.Subject, "campaign ") {
			t.Fatalf("delivery %s: %v", b, err)
		}
		for _, cr := range body.Creators {
			got = append(got, cr.Campaign.Code)
		}
	}
	for i, m := range c.Members {
		if i >= len(got) || got[i] != m.Code {
			t.Errorf("delivered codes %v, want the members' in order", got)
			break
		}
	}
	if code, _ := e.status(http.MethodPost, "/api/push", map[string]string{"webhook": "outreach", "campaign": c.ID, "shortlist": list}); code != http.StatusBadRequest {
		t.Errorf("campaign and shortlist at once: %d", code)
	}
	// The page's form.
	tok := e.csrf("/campaigns/" + c.ID)
	before := len(rc.Bodies)
	if resp := e.form("/campaigns/"+c.ID+"/push", url.Values{"csrf": {tok}, "webhook": {"outreach"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("push form: %d", resp.StatusCode)
	}
	if len(rc.Bodies) == before {
		t.Errorf("the form pushed nothing")
	}
}

// bearer adds the bearer token to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}
