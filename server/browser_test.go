package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/nanoscout/nanoscout/export"
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

// TestBrowserScoutFlow drives headless Chromium through what a scout does:
// discover → filter → open a creator → add to a shortlist → export CSV, with
// a screenshot of each step. NANOSCOUT_DOCS_SCREENSHOT=1 also writes the
// Discover screenshot to docs/img/dashboard.png.
func TestBrowserScoutFlow(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("Chromium is not installed (apt-get install -y chromium): the browser test needs /usr/bin/chromium")
	}
	e := newEnv(t, 40)
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
	ctx, cancel = context.WithTimeout(ctx, 25*time.Second)
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

	// 1. Discover: the ranked nano creators.
	do("open discover", chromedp.EmulateViewport(1440, 900), chromedp.Navigate(e.ts.URL+"/discover"), chromedp.WaitVisible(chromedp.CSS("#creators tbody tr")))
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-tier"))); err != nil || got != "nano" {
		t.Errorf("the default view's tier is %q, want nano", got)
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
	if len(want) == 0 || strings.Contains(rows, "MASTODON") || !strings.Contains(rows, want[0].Creator.DisplayName) {
		t.Fatalf("filtered table does not show the Bluesky creators with ER ≥ 4 %% (first: %s):\n%s", want[0].Creator.DisplayName, rows)
	}
	shot("02-filtered.png")

	// 3. Open the first creator.
	name := text("#creators tbody tr:first-child a.name")
	do("open creator", chromedp.Click(chromedp.CSS("#creators tbody tr:first-child a.name")), chromedp.WaitVisible(chromedp.ID("breakdown")))
	if h1 := text("h1"); h1 != name {
		t.Errorf("creator page title %q, want %q", h1, name)
	}
	if bd := text("#breakdown"); !strings.Contains(bd, "Engagement") || !strings.Contains(bd, "benchmark") {
		t.Errorf("the breakdown is not in words:\n%s", bd)
	}
	do("wait for the charts", chromedp.WaitVisible(chromedp.CSS("#history svg.chart polyline")))
	shot("03-creator.png")

	// 4. Add to a new shortlist.
	do("add to shortlist",
		chromedp.SetValue(chromedp.ID("shortlist-select"), "new"),
		chromedp.SendKeys(chromedp.ID("new-list-name"), "Spring launch"),
		chromedp.Click(chromedp.ID("add-button")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if n := text(".notice"); n != "Added to the shortlist." {
		t.Errorf("notice %q", n)
	}
	if box := text("#shortlists"); !strings.Contains(box, "Spring launch") {
		t.Errorf("the creator page does not show the new list:\n%s", box)
	}
	shot("04-added.png")
	lists, err := e.st.ListShortlists(t.Context())
	if err != nil || len(lists) != 1 || lists[0].Count != 1 {
		t.Fatalf("store after adding: %+v, %v", lists, err)
	}
	items, _ := e.st.ShortlistItems(t.Context(), lists[0].ID, "", 10)

	// 5. The shortlist, and its CSV export.
	do("open shortlist", chromedp.Click(chromedp.CSS(`#shortlists a[href^="/shortlists/"]`)), chromedp.WaitVisible(chromedp.ID("items")))
	shot("05-shortlist.png")
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
	_ = os.Rename(file, filepath.Join(dir, "06-shortlist.csv"))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][0] != export.Columns[0].Name || recs[1][0] != items[0].CreatorKey {
		t.Fatalf("downloaded CSV (%v):\n%s", err, b)
	}
	if i := slices.Index(recs[0], "outreach_status"); i < 0 || recs[1][i] != store.OutreachNew {
		t.Errorf("CSV outreach status: %v", recs[1])
	}

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
