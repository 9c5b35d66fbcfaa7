package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// chromium finds the browser the test drives.
func chromium() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifacts is where the browser test leaves its screenshots and download:
// $NANOSCOUT_ARTIFACTS, else a temp dir of the test.
func artifacts(t *testing.T) string {
	dir := os.Getenv("NANOSCOUT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserScoutFlow drives headless Chromium through what a scout does,
// on creators scored by scoring.Score (one of them a fraud case):
// discover → filter → bulk add from a 50-row page (the add bar in view) →
// the shortlist → an outreach status → CSV export → the creator pages, whose
// points and shares are checked against the stored breakdown. A screenshot
// of each step. NANOSCOUT_DOCS_SCREENSHOT=1 also writes the Discover
// screenshot to docs/img/dashboard.png.
func TestBrowserScoutFlow(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("Chromium is not installed (apt-get install -y chromium): the browser test needs /usr/bin/chromium")
	}
	e := newEnv(t, 0)
	const fraudAt = 4
	ups := seedReal(t, e.st, 60, fraudAt)
	dir := artifacts(t)
	t.Logf("screenshots and the download go to %s", dir)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 900))
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	shot := func(name string) string {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// 1. Discover: the ranked nano creators, 50 to the page.
	do("open discover", chromedp.EmulateViewport(1440, 900), chromedp.Navigate(e.ts.URL+"/discover"), chromedp.WaitVisible(chromedp.CSS("#creators tbody tr")))
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-tier"))); err != nil || got != "nano" {
		t.Errorf("the default view's tier is %q, want nano", got)
	}
	nRows := evalJS[int](ctx, t, `document.querySelectorAll("#creators tbody tr").length`)
	if nRows != 50 {
		t.Fatalf("%d rows on the first page, want 50", nRows)
	}
	// The add bar is in view at the top of a 50-row page (#11.2: sticky).
	barInView := evalJS[bool](ctx, t, `(() => { const r = document.querySelector("#bulk .table-foot").getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`)
	if !barInView {
		t.Errorf("the \"Add selected to\" bar is out of view on a 50-row page")
	}
	discover := shot("01-discover.png")

	// 2. Filter: Bluesky, ER at least 4 %, sorted by reply depth.
	do("filter",
		chromedp.SetValue(chromedp.ID("f-platform"), "bluesky"),
		chromedp.SetValue(chromedp.ID("f-min-er"), "4"),
		chromedp.SetValue(chromedp.ID("f-sort"), "reply"),
		chromedp.Click(chromedp.ID("apply")),
		chromedp.WaitVisible(chromedp.CSS(`th.active a[href*="sort=reply"]`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "platform=bluesky") || !strings.Contains(loc, "min_er=4") {
		t.Fatalf("filtered URL %q, %v", loc, err)
	}
	rows := text("#creators tbody")
	want := e.top(store.TopQuery{Platform: "bluesky", Tier: "nano", MinER: 4, SortBy: "reply", Limit: 50})
	if len(want) < 3 || strings.Contains(rows, "MASTODON") || !strings.Contains(rows, want[0].Creator.DisplayName) {
		t.Fatalf("filtered table does not show the Bluesky creators with ER ≥ 4 %%:\n%s", rows)
	}
	shot("02-filtered.png")

	// 3. Bulk add the first three to a new shortlist: back on Discover with
	// the notice (#11.2: it ended on a 400 page).
	do("select three",
		chromedp.Click(chromedp.CSS(`#creators tbody tr:nth-child(1) input[name="key"]`)),
		chromedp.Click(chromedp.CSS(`#creators tbody tr:nth-child(2) input[name="key"]`)),
		chromedp.Click(chromedp.CSS(`#creators tbody tr:nth-child(3) input[name="key"]`)),
		chromedp.SetValue(chromedp.ID("bulk-shortlist"), "new"),
		chromedp.SendKeys(chromedp.ID("bulk-new-name"), "Spring launch"),
		chromedp.Click(chromedp.ID("bulk-add")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if n := text(".notice"); n != "Added to the shortlist." {
		t.Errorf("notice %q", n)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/discover?") || !strings.Contains(loc, "platform=bluesky") {
		t.Errorf("after bulk add the browser is at %s, want the filtered Discover", loc)
	}
	shot("03-bulk-added.png")
	lists, err := e.st.ListShortlists(t.Context())
	if err != nil || len(lists) != 1 || lists[0].Count != 3 || lists[0].Name != "Spring launch" {
		t.Fatalf("store after the bulk add: %+v, %v", lists, err)
	}
	id := lists[0].ID
	items, _ := e.st.ShortlistItems(t.Context(), id, "", 10)
	for i, it := range items {
		if !slices.ContainsFunc(want[:3], func(r store.CreatorRecord) bool { return r.Key == it.CreatorKey }) {
			t.Errorf("item %d %s was not among the selected", i, it.CreatorKey)
		}
	}

	// 4. The shortlist: set an outreach status.
	contacted := items[0].CreatorKey
	form := `#items form.item-form:has(input[name="key"][value="` + contacted + `"])`
	do("open shortlist", chromedp.Navigate(e.ts.URL+"/shortlists/"+id), chromedp.WaitVisible(chromedp.ID("items")))
	do("set status",
		chromedp.SetValue(chromedp.CSS(form+` select[name="status"]`), store.OutreachContacted),
		chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if n := text(".notice"); n != "Saved." {
		t.Errorf("notice %q", n)
	}
	if h := text(form + ` ~ details.history summary`); !strings.Contains(h, "1 status change") {
		t.Errorf("the shortlist page does not show the status change: %q", h)
	}
	shot("04-shortlist.png")
	got, err := e.st.ShortlistsOf(t.Context(), contacted)
	if err != nil || len(got) != 1 || got[0].Status != store.OutreachContacted {
		t.Fatalf("status in the store: %+v, %v", got, err)
	}

	// 5. Its CSV export carries the status.
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		t.Fatalf("allowing downloads: %v", err)
	}
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	do("export CSV", chromedp.Click(chromedp.ID("export-csv")))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Rename(file, filepath.Join(dir, "05-shortlist.csv"))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != export.Columns[0].Name {
		t.Fatalf("downloaded CSV (%v):\n%s", err, b)
	}
	col := slices.Index(recs[0], "outreach_status")
	for _, r := range recs[1:] {
		wantStatus := store.OutreachNew
		if r[0] == contacted {
			wantStatus = store.OutreachContacted
		}
		if col < 0 || r[col] != wantStatus {
			t.Errorf("CSV row %s: outreach status %v, want %s", r[0], r, wantStatus)
		}
	}

	// 6. Creator pages: each part's points and share as the stored
	// breakdown has them (#11.1), red flags first on the fraud case.
	for _, key := range []string{contacted, ups[fraudAt].Creator.Key()} {
		rec, err := e.st.Creator(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		stated := statedPoints(t, *rec.Score)
		do("open creator "+key, chromedp.Navigate(e.ts.URL+"/creators/"+key), chromedp.WaitVisible(chromedp.ID("breakdown")))
		parts := evalJS[[]struct{ Name, Points, Share, Text string }](ctx, t, `[...document.querySelectorAll("#breakdown [data-part]")].map(p => ({Name: p.dataset.part, Points: p.dataset.points, Share: p.dataset.share, Text: p.querySelector(".part-points").innerText}))`)
		if len(parts) != len(stated) {
			t.Errorf("%s: %d parts shown, the breakdown has %d weighted", key, len(parts), len(stated))
		}
		var sum float64
		for _, p := range parts {
			pts := stated[p.Name]
			sum += pts
			wantShare := share(pts / rec.Score.Composite)
			if math.Abs(parse(p.Points)-pts) > 0.051 || !near(p.Share, wantShare) || !strings.Contains(p.Text, p.Share+" of the score") {
				t.Errorf("%s %s: page %q (%s points, %s); the breakdown says %.2f points = %s of %.2f",
					key, p.Name, p.Text, p.Points, p.Share, pts, wantShare, rec.Score.Composite)
			}
		}
		if math.Abs(sum-rec.Score.Composite) > 0.02 {
			t.Errorf("%s: stated points add to %.2f, composite %.2f", key, sum, rec.Score.Composite)
		}
		if key == ups[fraudAt].Creator.Key() {
			order := evalJS[bool](ctx, t, `(() => { const f = document.getElementById("red-flags"), s = document.querySelector(".stats"); return !!f && !!s && f.getBoundingClientRect().top < s.getBoundingClientRect().top; })()`)
			if !order {
				t.Errorf("the fraud case's red flags are not shown first")
			}
			if rf := text("#red-flags"); !strings.Contains(rf, "follower") {
				t.Errorf("red flags box: %s", rf)
			}
			shot("07-fraud.png")
		} else {
			do("wait for the charts", chromedp.WaitVisible(chromedp.CSS("#history svg.chart polyline")))
			shot("06-creator.png")
		}
	}

	// 7–9. Campaign → import → results.
	browserCampaign(ctx, t, e, dir, "Spring launch", do, text, shot)

	if os.Getenv("NANOSCOUT_DOCS_SCREENSHOT") != "" {
		img, err := os.ReadFile(discover)
		if err == nil {
			err = os.WriteFile(filepath.Join("..", "docs", "img", "dashboard.png"), img, 0o644)
		}
		if err != nil {
			t.Errorf("writing docs/img/dashboard.png: %v", err)
		}
	}
}

// evalJS evaluates a script in the page and decodes its value.
func evalJS[T any](ctx context.Context, t *testing.T, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// browserCampaign continues the scout flow: a campaign from the shortlist
// (the form on /campaigns), a Shopify orders export written by the
// simulator for the campaign's codes imported through the campaign page's
// upload form, and the results: each creator's sales, pending and refunded
// orders add up to the orders the file holds for its code, CPA is fee ÷
// sales, the charts and the overlap heat map are drawn.
func browserCampaign(ctx context.Context, t *testing.T, e *env, dir, list string,
	do func(string, ...chromedp.Action[chromedp.Void]), text func(string) string, shot func(string) string) {
	t.Helper()
	do("open campaigns", chromedp.Navigate(e.ts.URL+"/campaigns"), chromedp.WaitVisible(chromedp.ID("create-campaign")))
	lists, err := e.st.ListShortlists(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var listID string
	for _, l := range lists {
		if l.Name == list {
			listID = l.ID
		}
	}
	do("create campaign",
		chromedp.SendKeys(chromedp.ID("c-name"), "Spring glow"),
		chromedp.SetValue(chromedp.ID("c-shortlist"), listID),
		chromedp.SendKeys(chromedp.ID("c-url"), "https://shop.example/serum"),
		chromedp.SetValue(chromedp.ID("c-start"), "2026-03-01"),
		chromedp.SetValue(chromedp.ID("c-end"), "2026-03-31"),
		chromedp.SetValue(chromedp.ID("c-budget"), "1000"),
		chromedp.SetValue(chromedp.ID("c-fee"), "150"),
		chromedp.Click(chromedp.ID("c-create")),
		chromedp.WaitVisible(chromedp.ID("import-form")),
	)
	if n := text(".notice"); !strings.Contains(n, "Campaign created") {
		t.Errorf("notice %q", n)
	}
	c, err := e.st.Campaign(t.Context(), "spring-glow")
	if err != nil || len(c.Members) != 3 {
		t.Fatalf("stored campaign %+v, %v", c, err)
	}
	shot("08-campaign.png")

	// The shop's orders export for these codes, following the simulator's
	// ground truth (every creator here organic, 5,000 followers, 8 % ER:
	// about 5 orders each), plus orders with no or unknown codes.
	var creators []simulator.SaleCreator
	for _, m := range c.Members {
		creators = append(creators, simulator.SaleCreator{Code: m.Code, Truth: simulator.Truth{Tier: m.Tier,
			Archetype: simulator.ArchOrganic, Followers: 5000, ERByFollowers: 8}})
	}
	var buf bytes.Buffer
	counts, err := simulator.WriteShopifyOrders(&buf, creators, simulator.SalesOptions{Seed: 7,
		Start: c.Start, End: c.End.Add(24 * time.Hour), Untracked: 4})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "09-orders.csv")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	do("import orders",
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
		chromedp.SetValue(chromedp.ID("import-format"), "shopify"),
		chromedp.Click(chromedp.ID("import-submit")),
		chromedp.WaitVisible(chromedp.ID("import-summary")),
	)
	total := 4
	for _, n := range counts {
		total += n
	}
	if s := text("#import-summary"); !strings.Contains(s, fmt.Sprintf("Imported %d orders (shopify)", total)) {
		t.Errorf("import summary %q, want %d orders", s, total)
	}
	type row struct{ Key, Sales, Pending, Refunded, CPA string }
	rows := evalJS[[]row](ctx, t, `[...document.querySelectorAll("#results tbody tr")].map(r => ({Key: r.dataset.creator, Sales: r.cells[3].innerText, Pending: r.cells[4].innerText, Refunded: r.cells[5].innerText, CPA: r.cells[8].innerText}))`)
	if len(rows) != 3 {
		t.Fatalf("%d result rows, want 3", len(rows))
	}
	sales := 0
	for _, r := range rows {
		i := slices.IndexFunc(c.Members, func(m campaign.Member) bool { return m.CreatorKey == r.Key })
		if i < 0 {
			t.Fatalf("row for %s, not a member", r.Key)
		}
		m := c.Members[i]
		n, p, f := atoi(r.Sales), atoi(r.Pending), atoi(r.Refunded)
		if n+p+f != counts[m.Code] {
			t.Errorf("%s: page shows %d sales + %d pending + %d refunded, the file has %d orders for %s", r.Key, n, p, f, counts[m.Code], m.Code)
		}
		wantCPA := "—"
		if n > 0 {
			wantCPA = strconv.FormatFloat(m.Fee/float64(n), 'f', 2, 64)
		}
		if r.CPA != wantCPA {
			t.Errorf("%s: CPA %q, want %s (fee %.2f, %d sales)", r.Key, r.CPA, wantCPA, m.Fee, n)
		}
		sales += n
	}
	if got := text("#t-sales"); got != strconv.Itoa(sales) {
		t.Errorf("total sales %s, rows add to %d", got, sales)
	}
	if sales == 0 {
		t.Fatal("no sale measured: the orders file should carry about 15")
	}
	for _, sel := range []string{"#spend-chart rect.bar-revenue", "#cpa-chart rect.bar-cpa", "#overlap-heatmap rect.cell", "#tiers tbody tr"} {
		if n := evalJS[int](ctx, t, `document.querySelectorAll(`+strconv.Quote(sel)+`).length`); n == 0 {
			t.Errorf("nothing drawn at %s", sel)
		}
	}
	if u := text("#unattributed"); !strings.Contains(u, campaign.ReasonNoTracking) && !strings.Contains(u, campaign.ReasonUnknownCode) {
		t.Errorf("untracked orders are not listed: %s", u)
	}
	shot("09-campaign-results.png")
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return n
}
