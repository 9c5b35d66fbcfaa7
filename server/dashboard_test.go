package server

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func TestTimesLabelled(t *testing.T) {
	at := time.Date(2025, 6, 14, 9, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	for _, got := range []string{string(ago(at)), string(date(at)), string(ago(time.Now().Add(-3 * time.Hour)))} {
		if !strings.Contains(got, `<time datetime="`) || !regexp.MustCompile(`title="[^"]+ UTC"`).MatchString(got) {
			t.Errorf("%s: want a <time> with the absolute UTC time on hover", got)
		}
	}
	if got := string(date(at)); !strings.Contains(got, ">14 Jun 2025 UTC<") || !strings.Contains(got, "07:30 UTC") {
		t.Errorf("date: %s", got)
	}
	if got := agoText(at, at.Add(3*time.Hour)); got != "3 h ago" {
		t.Errorf("agoText: %q", got)
	}
	if got := agoText(at, at.AddDate(0, 3, 0)); got != "14 Jun 2025 UTC" {
		t.Errorf("agoText of an old time: %q (an absolute time says its zone)", got)
	}
	if ago(time.Time{}) != "never" {
		t.Error("zero time")
	}
}

// TestDiscoverMarks: sparklines of follower growth, ER under the tier
// benchmark marked, avatars where the platform gave an https URL (and
// only then), and every time on the pages labelled.
func TestDiscoverMarks(t *testing.T) {
	e := newEnv(t, 20)
	ctx := t.Context()
	u, _ := exporttest.Creator(0)
	u.Creator.AvatarURL = "https://cdn.bsky.example/avatar/abc.jpg"
	if err := e.st.SaveCreator(ctx, u); err != nil {
		t.Fatal(err)
	}
	u1, _ := exporttest.Creator(1)
	u1.Creator.AvatarURL = "javascript:alert(1)"
	if err := e.st.SaveCreator(ctx, u1); err != nil {
		t.Fatal(err)
	}
	recs := e.top(store.TopQuery{Tier: model.TierNano, Limit: 50})
	resp := e.do(http.MethodGet, "/discover?tier=nano&limit=50", nil)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https:;") {
		t.Errorf("CSP does not let the browser fetch https avatars: %s", csp)
	}
	_, body := e.status(http.MethodGet, "/discover?tier=nano&limit=50", nil)
	rowRe := regexp.MustCompile(`(?s)<tr>\s*<td class="sel"><input type="checkbox" name="key" value="([^"]+)".*?</tr>`)
	rows := map[string]string{}
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		rows[m[1]] = m[0]
	}
	if len(rows) != len(recs) {
		t.Fatalf("%d rows on the page, %d in the store", len(rows), len(recs))
	}
	growth, _ := e.srv.sc.Growth(ctx, keysOfRecs(recs))
	var below, sparks int
	for _, rec := range recs {
		row := rows[rec.Key]
		_, hasGrowth := growth[rec.Key]
		if strings.Contains(row, `<svg class="spark`) != hasGrowth {
			t.Errorf("%s: sparkline %v, growth known %v", rec.Key, !hasGrowth, hasGrowth)
		}
		if hasGrowth {
			sparks++
		}
		isBelow := rec.Score.BenchmarkIndex < 1
		if strings.Contains(row, "below-bench") != isBelow {
			t.Errorf("%s: index %.2f, marked below %v", rec.Key, rec.Score.BenchmarkIndex, !isBelow)
		}
		if isBelow {
			below++
		}
	}
	if below == 0 || below == len(recs) || sparks == 0 {
		t.Errorf("the data does not exercise the marks: %d below, %d sparklines of %d", below, sparks, len(recs))
	}
	if !strings.Contains(rows[u.Creator.Key()], `src="https://cdn.bsky.example/avatar/abc.jpg"`) {
		t.Errorf("the https avatar is not shown")
	}
	if strings.Contains(body, "javascript:alert") {
		t.Errorf("a javascript: avatar URL reached the page")
	}
	if strings.Contains(body, "/proxy") {
		t.Errorf("avatars must not be proxied")
	}
	// Times on the pages say their zone.
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "Times"}, http.StatusCreated, &l)
	timeRe := regexp.MustCompile(`<time datetime="[^"]+" title="([^"]+)">([^<]+)</time>`)
	for _, page := range []string{"/shortlists", "/shortlists/" + l.ID, "/creators/" + u.Creator.Key()} {
		_, body := e.status(http.MethodGet, page, nil)
		ms := timeRe.FindAllStringSubmatch(body, -1)
		if len(ms) == 0 {
			t.Errorf("%s: no labelled time", page)
		}
		for _, m := range ms {
			if !strings.HasSuffix(m[1], " UTC") {
				t.Errorf("%s: %q on hover lacks its zone", page, m[1])
			}
		}
	}
}

// TestDiscoverHidesShortlisted: Discover, the API and exports can leave out
// creators already on a shortlist, or only those already contacted, and
// the page's links keep the choice.
func TestDiscoverHidesShortlisted(t *testing.T) {
	e := newEnv(t, 20)
	recs := e.top(store.TopQuery{Tier: model.TierNano, Limit: 100})
	a, b := recs[0].Key, recs[1].Key
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "x"}, http.StatusCreated, &l)
	e.json(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": {a, b}}, http.StatusOK, nil)
	e.json(http.MethodPatch, "/api/shortlists/"+l.ID+"/items/"+b, map[string]string{"status": "contacted"}, http.StatusNoContent, nil)
	for hide, gone := range map[string][]string{"": nil, "shortlisted": {a, b}, "contacted": {b}} {
		var page creatorsPage
		e.json(http.MethodGet, "/api/creators?tier=nano&limit=100&hide="+hide, nil, http.StatusOK, &page)
		keys := keysOfDocs(page.Items)
		if len(keys) != len(recs)-len(gone) {
			t.Errorf("hide=%s: %d creators, want %d", hide, len(keys), len(recs)-len(gone))
		}
		for _, k := range gone {
			if slices.Contains(keys, k) {
				t.Errorf("hide=%s still lists %s", hide, k)
			}
		}
		code, body := e.status(http.MethodGet, "/api/export?format=csv&tier=nano&hide="+hide, nil)
		if code != http.StatusOK || strings.Count(body, "\n") != len(keys)+1 {
			t.Errorf("export hide=%s: %d, %d lines for %d creators", hide, code, strings.Count(body, "\n"), len(keys))
		}
	}
	if code, _ := e.status(http.MethodGet, "/api/creators?hide=everyone", nil); code != http.StatusBadRequest {
		t.Errorf("hide=everyone: %d", code)
	}
	_, body := e.status(http.MethodGet, "/discover?tier=nano&hide=contacted&limit=5", nil)
	if !strings.Contains(body, `<option value="contacted" selected>`) {
		t.Errorf("the filter does not show the hide choice")
	}
	for _, m := range regexp.MustCompile(`href="(/(?:discover|export|plan)\?[^"]+)"`).FindAllStringSubmatch(body, -1) {
		link := strings.ReplaceAll(m[1], "&amp;", "&")
		if !strings.Contains(link, "hide=contacted") {
			t.Errorf("link %s drops hide", link)
			continue
		}
		if code, b := e.status(http.MethodGet, link, nil); code != http.StatusOK {
			t.Errorf("%s: %d %.200s", link, code, b)
		}
	}
}

// TestOutreachHistoryShown: status changes from the shortlist page are
// recorded with their time and shown there, and the API lists them.
func TestOutreachHistoryShown(t *testing.T) {
	e := newEnv(t, 5)
	key := e.top(store.TopQuery{Limit: 1})[0].Key
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "x"}, http.StatusCreated, &l)
	e.json(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": {key}}, http.StatusOK, nil)
	page := "/shortlists/" + l.ID
	tok := e.csrf(page)
	for _, st := range []string{"contacted", "contacted", "replied"} {
		resp := e.form(page+"/items", url.Values{"csrf": {tok}, "key": {key}, "status": {st}, "notes": {"n"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %s: %d", st, resp.StatusCode)
		}
	}
	var h []store.OutreachChange
	e.json(http.MethodGet, "/api/shortlists/"+l.ID+"/history", nil, http.StatusOK, &h)
	if len(h) != 2 || h[0].From != "contacted" || h[0].To != "replied" || h[1].From != "new" || h[1].To != "contacted" || h[0].At.IsZero() {
		t.Fatalf("history: %+v", h)
	}
	_, body := e.status(http.MethodGet, page, nil)
	if !strings.Contains(body, `data-history="2"`) || !regexp.MustCompile(`<li data-to="replied"><time datetime="[^"]+" title="[^"]+ UTC">`).MatchString(body) {
		t.Errorf("the shortlist page does not show the dated history")
	}
	if code, _ := e.status(http.MethodGet, "/api/shortlists/nope/history", nil); code != http.StatusNotFound {
		t.Errorf("history of a missing list: %d", code)
	}
}
