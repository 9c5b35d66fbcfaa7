package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/alerts"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/export/webhook/webhooktest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func keysOfDocs(ds []creatorSummary) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Key)
	}
	return out
}

func keysOfRecs(rs []store.CreatorRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out
}

func TestAPICreatorsFilterSortAndPage(t *testing.T) {
	e := newEnv(t, 40)
	var page creatorsPage
	e.json(http.MethodGet, "/api/creators?platform=bluesky&tier=nano&sort=er&limit=5", nil, http.StatusOK, &page)
	want := e.top(store.TopQuery{Platform: "bluesky", Tier: model.TierNano, SortBy: "er", Limit: 10})
	if !slices.Equal(keysOfDocs(page.Items), keysOfRecs(want[:5])) {
		t.Errorf("page 1 = %v, want %v", keysOfDocs(page.Items), keysOfRecs(want[:5]))
	}
	if page.NextOffset == nil || *page.NextOffset != 5 {
		t.Fatalf("nextOffset = %v", page.NextOffset)
	}
	for i, d := range page.Items {
		if d.Creator.Platform != "bluesky" || d.Score.Tier != model.TierNano || (i > 0 && d.Score.ER > page.Items[i-1].Score.ER) {
			t.Errorf("item %d: %s %s ER %v", i, d.Creator.Platform, d.Score.Tier, d.Score.ER)
		}
		if d.Growth == nil || d.ProfileURL == "" {
			t.Errorf("item %d lacks growth or profile URL: %+v", i, d)
		}
	}
	var page2 creatorsPage
	e.json(http.MethodGet, "/api/creators?platform=bluesky&tier=nano&sort=er&limit=5&offset=5", nil, http.StatusOK, &page2)
	if !slices.Equal(keysOfDocs(page2.Items), keysOfRecs(want[5:10])) {
		t.Errorf("page 2 = %v, want %v", keysOfDocs(page2.Items), keysOfRecs(want[5:10]))
	}
	// Every filter of the dashboard, together.
	q := "/api/creators?tier=nano&min_followers=1000&max_followers=9999&min_er=3&min_index=1&min_auth=0.5&min_reply=0.3&lang=en&q=sharing&contact=1&sort=growth&limit=200"
	e.json(http.MethodGet, q, nil, http.StatusOK, &page)
	want = e.top(store.TopQuery{Tier: model.TierNano, MinFollowers: 1000, MaxFollowers: 9999, MinER: 3, MinBenchmarkIndex: 1,
		MinAuthenticity: 0.5, MinReply: 0.3, Language: "en", Keyword: "sharing", HasContact: true, SortBy: "growth", Limit: 200})
	if len(want) == 0 || !slices.Equal(keysOfDocs(page.Items), keysOfRecs(want)) {
		t.Errorf("all filters: %v, want %v (non-empty)", keysOfDocs(page.Items), keysOfRecs(want))
	}
	if page.NextOffset != nil {
		t.Errorf("last page has nextOffset %d", *page.NextOffset)
	}
	for i := 1; i < len(page.Items); i++ {
		if *page.Items[i].Growth > *page.Items[i-1].Growth {
			t.Errorf("not sorted by growth at %d", i)
		}
	}
}

func TestAPICreator(t *testing.T) {
	e := newEnv(t, 5)
	key := e.top(store.TopQuery{Limit: 1})[0].Key
	var d creatorData
	e.json(http.MethodGet, "/api/creators/"+key, nil, http.StatusOK, &d)
	if d.Creator.Key != key || len(d.Posts) != recentPosts || len(d.Snapshots) != 14 || d.Creator.Growth == nil {
		t.Errorf("creator %s: %d posts, %d snapshots, growth %v", d.Creator.Key, len(d.Posts), len(d.Snapshots), d.Creator.Growth)
	}
	if code, _ := e.status(http.MethodGet, "/api/creators/bluesky:nobody", nil); code != http.StatusNotFound {
		t.Errorf("unknown creator: %d", code)
	}
	if code, _ := e.status(http.MethodGet, "/creators/"+key, nil); code != http.StatusOK {
		t.Errorf("creator page: %d", code)
	}
	if code, _ := e.status(http.MethodGet, "/api/nothing", nil); code != http.StatusNotFound {
		t.Errorf("unknown API route: %d", code)
	}
}

func TestAPIShortlistLifecycle(t *testing.T) {
	e := newEnv(t, 10)
	recs := e.top(store.TopQuery{Limit: 3})
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "Spring launch"}, http.StatusCreated, &l)
	e.json(http.MethodPatch, "/api/shortlists/"+l.ID, map[string]string{"name": "Spring launch NL"}, http.StatusOK, &l)
	if l.Name != "Spring launch NL" {
		t.Errorf("renamed: %+v", l)
	}
	e.json(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": keysOfRecs(recs)}, http.StatusOK, &l)
	if l.Count != 3 {
		t.Errorf("count after add: %d", l.Count)
	}
	if code, _ := e.status(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": {"bluesky:ghost"}}); code != http.StatusBadRequest {
		t.Errorf("adding an unknown creator: %d", code)
	}
	key := recs[0].Key
	e.json(http.MethodPatch, "/api/shortlists/"+l.ID+"/items/"+key, map[string]string{"status": "contacted", "notes": "DM sent 3 June"}, http.StatusNoContent, nil)
	if code, _ := e.status(http.MethodPatch, "/api/shortlists/"+l.ID+"/items/"+key, map[string]string{"status": "ghosted"}); code != http.StatusBadRequest {
		t.Errorf("unknown outreach status: %d", code)
	}
	var p shortlistPage
	e.json(http.MethodGet, "/api/shortlists/"+l.ID+"?limit=2", nil, http.StatusOK, &p)
	if len(p.Items) != 2 || p.NextAfter == "" {
		t.Fatalf("first page: %+v", p)
	}
	var all shortlistPage
	e.json(http.MethodGet, "/api/shortlists/"+l.ID, nil, http.StatusOK, &all)
	i := slices.IndexFunc(all.Items, func(it shortlistItem) bool { return it.CreatorKey == key })
	if i < 0 || all.Items[i].Status != store.OutreachContacted || all.Items[i].Notes != "DM sent 3 June" || all.Items[i].Creator.Score == nil {
		t.Errorf("items: %+v", all.Items)
	}
	var lists []store.Shortlist
	e.json(http.MethodGet, "/api/shortlists", nil, http.StatusOK, &lists)
	if len(lists) != 1 || lists[0].Count != 3 {
		t.Errorf("lists: %+v", lists)
	}
	// The shortlist exports with its notes.
	resp := e.do(http.MethodGet, "/api/export?shortlist="+l.ID+"&format=csv", nil)
	b, _ := io.ReadAll(resp.Body)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(rows) != 4 || !strings.Contains(string(b), "DM sent 3 June") {
		t.Errorf("shortlist CSV: %v\n%s", err, b)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "spring-launch-nl") {
		t.Errorf("Content-Disposition %q", cd)
	}
	e.json(http.MethodDelete, "/api/shortlists/"+l.ID+"/items/"+key, nil, http.StatusNoContent, nil)
	e.json(http.MethodDelete, "/api/shortlists/"+l.ID, nil, http.StatusNoContent, nil)
	if code, _ := e.status(http.MethodGet, "/api/shortlists/"+l.ID, nil); code != http.StatusNotFound {
		t.Errorf("deleted list: %d", code)
	}
}

func TestAPIExportFormats(t *testing.T) {
	e := newEnv(t, 12)
	want := e.top(store.TopQuery{Tier: model.TierNano, Limit: 100})
	for _, c := range []struct {
		format, ctype string
	}{{"csv", "text/csv"}, {"crm", "text/csv"}, {"json", "application/json"}, {"ndjson", "application/x-ndjson"}} {
		resp := e.do(http.MethodGet, "/api/export?tier=nano&format="+c.format, nil)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
			t.Fatalf("%s: %d %s", c.format, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var n int
		switch c.format {
		case "json":
			var docs []export.Doc
			if err := json.Unmarshal(b, &docs); err != nil {
				t.Fatal(err)
			}
			n = len(docs)
		case "ndjson":
			n = strings.Count(string(b), "\n")
		default:
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			n = len(rows) - 1
		}
		if n != len(want) {
			t.Errorf("%s: %d creators, want %d", c.format, n, len(want))
		}
	}
	if code, _ := e.status(http.MethodGet, "/api/export?format=xlsx", nil); code != http.StatusBadRequest {
		t.Errorf("unknown format: %d", code)
	}
	if code, _ := e.status(http.MethodGet, "/api/export?shortlist=x&tier=nano", nil); code != http.StatusBadRequest {
		t.Errorf("shortlist with a filter: %d", code)
	}
	// A limit exports that many; the page download link is the same route.
	resp := e.do(http.MethodGet, "/export?format=ndjson&limit=2", nil)
	b, _ := io.ReadAll(resp.Body)
	if strings.Count(string(b), "\n") != 2 {
		t.Errorf("limit=2 exported %q", b)
	}
}

func TestAPIRuns(t *testing.T) {
	// Runs are off by default.
	e := newEnv(t, 1)
	if code, _ := e.status(http.MethodPost, "/api/runs", nil); code != http.StatusForbidden {
		t.Errorf("POST /api/runs with runs off: %d", code)
	}
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	run := func(ctx context.Context) (model.Run, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		<-release
		return model.Run{ID: "run-1", Status: model.RunSucceeded}, nil
	}
	e = newEnv(t, 1, func(o *Options) { o.Run = run; o.Config.AllowRuns = true })
	stored := model.Run{ID: "20250601T000000Z-abc", Job: "run", Status: model.RunPartial, StartedAt: time.Now().UTC(),
		Platforms: map[string]*model.PlatformStats{"bluesky": {Collected: 10, Failed: 1, Requests: 70}}}
	if err := e.st.SaveRun(t.Context(), stored); err != nil {
		t.Fatal(err)
	}
	var st runState
	e.json(http.MethodPost, "/api/runs", nil, http.StatusAccepted, &st)
	if !st.Running || !st.Allowed {
		t.Errorf("after start: %+v", st)
	}
	if code, _ := e.status(http.MethodPost, "/api/runs", nil); code != http.StatusConflict {
		t.Errorf("second start while running: %d", code)
	}
	close(release)
	e.srv.Close() // waits for the run
	var body runsBody
	e.json(http.MethodGet, "/api/runs", nil, http.StatusOK, &body)
	if body.Dashboard.Running || body.Dashboard.Last == nil || body.Dashboard.Last.ID != "run-1" || calls != 1 {
		t.Errorf("after the run: %+v, %d calls", body.Dashboard, calls)
	}
	if len(body.Runs) != 1 || body.Runs[0].ID != stored.ID {
		t.Errorf("stored runs: %+v", body.Runs)
	}
	if code, _ := e.status(http.MethodGet, "/runs", nil); code != http.StatusOK {
		t.Errorf("runs page: %d", code)
	}
}

func withHook(url string) envOption {
	return func(o *Options) {
		o.Config.Webhooks = map[string]config.Webhook{"outreach": {URL: url, SecretEnv: "HOOK_SECRET", BatchSize: 3}}
		o.Config.Alerts = []config.Alert{{Name: "rising", Webhook: "outreach",
			Filter: config.Filter{Tier: model.TierNano, MinBenchmarkIndex: 1.5, MinAuthenticity: 0.8, MaxFollowers: 9999}}}
		o.Getenv = func(k string) string {
			if k == "HOOK_SECRET" {
				return "hook-secret"
			}
			return ""
		}
	}
}

func TestAPIPushAlertsAndDeliveries(t *testing.T) {
	rc := &webhooktest.Receiver{Secret: "hook-secret"}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	e := newEnv(t, 30, withHook(hook.URL))
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "push me"}, http.StatusCreated, &l)
	e.json(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": keysOfRecs(e.top(store.TopQuery{Limit: 7}))}, http.StatusOK, nil)
	var res webhook.PushResult
	e.json(http.MethodPost, "/api/push", map[string]string{"webhook": "outreach", "shortlist": l.ID}, http.StatusOK, &res)
	if res.Creators != 7 || len(res.Deliveries) != 3 || len(rc.Bodies) != 3 {
		t.Errorf("push: %+v, %d bodies", res, len(rc.Bodies))
	}
	e.json(http.MethodPost, "/api/push", map[string]any{"webhook": "outreach", "filter": map[string]any{"tier": "nano", "min_er": 5}}, http.StatusOK, &res)
	if res.Creators != len(e.top(store.TopQuery{Tier: model.TierNano, MinER: 5, Limit: 100})) {
		t.Errorf("filter push: %+v", res)
	}
	if code, _ := e.status(http.MethodPost, "/api/push", map[string]string{"webhook": "https://evil.example/steal", "shortlist": l.ID}); code != http.StatusBadRequest {
		t.Errorf("push to an unconfigured webhook: %d", code)
	}
	var alerts struct {
		Alerts []alerts.Result `json:"alerts"`
	}
	e.json(http.MethodPost, "/api/alerts/check", nil, http.StatusOK, &alerts)
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].Fired == 0 || alerts.Alerts[0].Fired != alerts.Alerts[0].Matched {
		t.Errorf("alerts: %+v", alerts)
	}
	e.json(http.MethodPost, "/api/alerts/check", map[string]bool{"baseline": false}, http.StatusOK, &alerts)
	if alerts.Alerts[0].Fired != 0 {
		t.Errorf("second check fired again: %+v", alerts)
	}
	var ds []store.Delivery
	e.json(http.MethodGet, "/api/deliveries?limit=500", nil, http.StatusOK, &ds)
	if len(ds) < 4 || ds[0].Status != store.DeliveryDelivered {
		t.Errorf("deliveries: %d, %+v", len(ds), ds[0])
	}
}

func TestAPIPlan(t *testing.T) {
	e := newEnv(t, 20)
	var v planView
	e.json(http.MethodGet, "/api/plan", nil, http.StatusOK, &v)
	if math.Abs(v.Creators.Conversions-450) > 1 || math.Abs(v.Mega.CPA-1000) > 1 || math.Abs(v.Creators.Reach-1e6) > 1 {
		t.Errorf("default plan: %+v / %+v", v.Creators, v.Mega)
	}
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "plan"}, http.StatusCreated, &l)
	e.json(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": keysOfRecs(e.top(store.TopQuery{Limit: 6}))}, http.StatusOK, nil)
	e.json(http.MethodGet, "/api/plan?shortlist="+l.ID+"&budget=400&fee=100", nil, http.StatusOK, &v)
	if len(v.Lines) != 4 || v.Skipped != 2 || v.Creators.Spend != 400 || !v.Lines[0].Measured {
		t.Errorf("shortlist plan: %d lines, %d skipped, %+v", len(v.Lines), v.Skipped, v.Creators)
	}
	for i := 1; i < len(v.Lines); i++ {
		if v.Lines[i].ER < 0 || v.Lines[i].Followers <= 0 {
			t.Errorf("line %d: %+v", i, v.Lines[i])
		}
	}
	e.json(http.MethodGet, "/api/plan?source=filter&tier=nano&budget=1000&fee_nano=250", nil, http.StatusOK, &v)
	if len(v.Lines) != 4 || v.Lines[0].Fee != 250 {
		t.Errorf("filter plan: %d lines", len(v.Lines))
	}
	for _, bad := range []string{"budget=-1", "conv_low=9&conv_high=2", "basis=vibes", "n=0", "er=NaN", "shortlist=nope", "source=moon", "fee=abc", "bogus=1"} {
		code, body := e.status(http.MethodGet, "/api/plan?"+bad, nil)
		if code != http.StatusBadRequest && code != http.StatusNotFound {
			t.Errorf("plan?%s: %d %s", bad, code, body)
		}
	}
	if code, body := e.status(http.MethodGet, "/plan?budget=-5", nil); code != http.StatusBadRequest || !strings.Contains(body, "budget must be positive") {
		t.Errorf("plan page with a bad budget: %d", code)
	}
	if code, _ := e.status(http.MethodGet, "/plan?"+url.Values{"shortlist": {l.ID}}.Encode(), nil); code != http.StatusOK {
		t.Errorf("plan page for a shortlist: %d", code)
	}
}

func TestPagesRender(t *testing.T) {
	e := newEnv(t, 15)
	for _, p := range []string{"/discover?tier=nano", "/discover?all=1&sort=growth", "/discover?q=pottery&contact=1", "/shortlists", "/plan", "/runs"} {
		code, body := e.status(http.MethodGet, p, nil, "Accept", "text/html")
		if code != http.StatusOK || !strings.Contains(body, "</html>") {
			t.Errorf("%s: %d", p, code)
		}
	}
	resp := e.do(http.MethodGet, "/discover", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/discover?tier=nano" {
		t.Errorf("/discover without parameters: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	code, body := e.status(http.MethodGet, "/discover?tier=nano&limit=5", nil)
	if code != http.StatusOK || strings.Count(body, `name="key" value=`) != 5 || !strings.Contains(body, `rel="next"`) {
		t.Errorf("a page of 5: %d, %d rows", code, strings.Count(body, `name="key" value=`))
	}
	// A creator collected but not scored yet has a page too.
	if err := e.st.UpsertCreators(t.Context(), []model.Creator{{Platform: "bluesky", ID: "did:plc:new", Handle: "new.example", Followers: 1200}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, body := e.status(http.MethodGet, "/creators/bluesky:did:plc:new", nil); code != http.StatusOK || !strings.Contains(body, "new.example") {
		t.Errorf("unscored creator page: %d", code)
	}
	code, body = e.status(http.MethodGet, "/discover?tier=giga", nil, "Accept", "text/html")
	if code != http.StatusBadRequest || !strings.Contains(body, "tier") {
		t.Errorf("bad filter on the page: %d", code)
	}
}

// TestListsSendSummaries is #10.8: list rows leave out the score
// breakdown (kilobytes of reasons a creator), which the creator endpoint
// and fields=breakdown still give.
func TestListsSendSummaries(t *testing.T) {
	e := newEnv(t, 12)
	rec := e.top(store.TopQuery{Limit: 1})[0]
	if len(rec.Score.Breakdown) == 0 {
		t.Fatal("the seeded creator has no breakdown to leave out")
	}
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "x"}, http.StatusCreated, &l)
	e.json(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": {rec.Key}}, http.StatusOK, nil)
	raw := func(path string) []map[string]any {
		t.Helper()
		code, body := e.status(http.MethodGet, path, nil)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		var v struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Items) == 0 {
			t.Fatalf("%s: %v, %d items", path, err, len(v.Items))
		}
		return v.Items
	}
	scoreOf := func(item map[string]any) map[string]any {
		if c, ok := item["creator"].(map[string]any); ok && item["key"] == nil {
			item = c // a shortlist item
		}
		s, _ := item["score"].(map[string]any)
		if s == nil || s["composite"] == nil {
			t.Fatalf("row without its score summary: %v", item)
		}
		return s
	}
	for _, path := range []string{"/api/creators?limit=50", "/api/shortlists/" + l.ID} {
		for _, item := range raw(path) {
			if s := scoreOf(item); s["breakdown"] != nil {
				t.Errorf("%s: a row carries its breakdown", path)
				break
			}
		}
		for _, item := range raw(path + sep(path) + "fields=breakdown") {
			if s := scoreOf(item); s["breakdown"] == nil {
				t.Errorf("%s with fields=breakdown: a row lacks its breakdown", path)
				break
			}
		}
	}
	if code, _ := e.status(http.MethodGet, "/api/creators?fields=posts", nil); code != http.StatusBadRequest {
		t.Errorf("unknown field selection: %d", code)
	}
	var d creatorData
	e.json(http.MethodGet, "/api/creators/"+rec.Key, nil, http.StatusOK, &d)
	if d.Creator.Score == nil || len(d.Creator.Score.Breakdown) != len(rec.Score.Breakdown) {
		t.Errorf("the creator endpoint lost the breakdown")
	}
	// A row of the summary is small: the page of 12 stays under 2 KB a row.
	_, body := e.status(http.MethodGet, "/api/creators?limit=50", nil)
	if per := len(body) / 12; per > 2048 {
		t.Errorf("%d bytes a row", per)
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestBulkAddReturnsToDiscover is #11.2: "Add selected to" on Discover
// saved the creators and then ended on a 400 page, because Discover refused
// the done=added notice its redirect carries.
func TestBulkAddReturnsToDiscover(t *testing.T) {
	e := newEnv(t, 12)
	recs := e.top(store.TopQuery{Tier: model.TierNano, Limit: 3})
	back := "/discover?tier=nano&sort=er"
	tok := e.csrf(back)
	resp := e.form("/shortlist-add", url.Values{"csrf": {tok}, "back": {back}, "shortlist": {"new"}, "new_name": {"Bulk"},
		"key": keysOfRecs(recs)})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/discover?") {
		t.Fatalf("bulk add: %d → %q", resp.StatusCode, loc)
	}
	code, body := e.status(http.MethodGet, loc, nil)
	if code != http.StatusOK || !strings.Contains(body, notices["added"]) {
		t.Errorf("after bulk add, %s: %d (want 200 with the notice)\n%.300s", loc, code, body)
	}
	lists, _ := e.st.ListShortlists(t.Context())
	if len(lists) != 1 || lists[0].Count != 3 {
		t.Errorf("lists: %+v", lists)
	}
	// The notice is the only extra Discover takes.
	if code, _ := e.status(http.MethodGet, "/discover?tier=nano&bogus=1", nil); code != http.StatusBadRequest {
		t.Errorf("unknown parameter on Discover: %d", code)
	}
}
