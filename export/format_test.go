package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(utf8BOM)) {
		t.Fatal("CSV export does not start with a UTF-8 BOM")
	}
	r := csv.NewReader(bytes.NewReader(b[len(utf8BOM):]))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v", err)
	}
	return rows
}

func column(t *testing.T, head []string, name string) int {
	t.Helper()
	i := slices.Index(head, name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, head)
	}
	return i
}

func TestWriteCSVOfAFilter(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 40)
	ctx := t.Context()
	q := store.TopQuery{Tier: model.TierNano, Platform: "bluesky"}
	want, err := st.Top(ctx, store.TopQuery{Tier: model.TierNano, Platform: "bluesky", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := Write(ctx, &buf, CSV, Filtered(st, q))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) || n == 0 {
		t.Fatalf("wrote %d creators, want %d", n, len(want))
	}
	if !bytes.Contains(buf.Bytes(), []byte("\r\n")) {
		t.Error("rows do not end with CRLF")
	}
	rows := readCSV(t, buf.Bytes())
	head := rows[0]
	for i, c := range Columns {
		if head[i] != c.Name {
			t.Fatalf("header %v, want the Columns in order", head)
		}
	}
	key, er, growth, email := column(t, head, "key"), column(t, head, "er_pct"), column(t, head, "growth_pct"), column(t, head, "email")
	for i, r := range rows[1:] {
		if r[key] != want[i].Key {
			t.Errorf("row %d is %s, want %s (the store's order)", i, r[key], want[i].Key)
		}
		if r[er] != fmt.Sprintf("%.3f", want[i].Score.ER) {
			t.Errorf("row %d er_pct %s, want %.3f", i, r[er], want[i].Score.ER)
		}
		if r[growth] == "" {
			t.Errorf("row %d has no growth though 14 days of snapshots are stored", i)
		}
		if e, _ := store.PublicContact(want[i].Creator); r[email] != e {
			t.Errorf("row %d email %q, want %q", i, r[email], e)
		}
	}
	// A limit caps the export.
	buf.Reset()
	if n, err := Write(ctx, &buf, CSV, Filtered(st, store.TopQuery{Limit: 3})); err != nil || n != 3 {
		t.Errorf("limit 3: wrote %d, %v", n, err)
	}
}

func TestCSVInjectionIsNeutralised(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 3)
	ctx := t.Context()
	u, _ := exporttest.Creator(0)
	u.Creator.DisplayName = "=HYPERLINK(\"http://evil.example\",\"click\")"
	u.Creator.Handle = "@SUM(1+1)*cmd|' /C calc'!A0"
	u.Snapshot = nil
	if err := st.SaveCreator(ctx, u); err != nil {
		t.Fatal(err)
	}
	sl, err := st.CreateShortlist(ctx, "injection")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddToShortlist(ctx, sl.ID, u.Creator.Key()); err != nil {
		t.Fatal(err)
	}
	notes := "+1-555-0100 call after 5"
	if err := st.UpdateShortlistItem(ctx, sl.ID, u.Creator.Key(), store.ItemUpdate{Notes: &notes}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{CSV, CRM} {
		var buf bytes.Buffer
		if _, err := Write(ctx, &buf, f, Shortlisted(st, sl.ID)); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, buf.Bytes())
		if len(rows) != 2 {
			t.Fatalf("%s: %d rows", f, len(rows))
		}
		for i, cell := range rows[1] {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				if _, err := fmt.Sscan(cell, new(float64)); err != nil {
					t.Errorf("%s: column %s starts a formula: %q", f, rows[0][i], cell)
				}
			}
		}
		if !slices.Contains(rows[1], "'"+notes) || !slices.Contains(rows[1], "'"+u.Creator.DisplayName) {
			t.Errorf("%s: notes and display name not kept as neutralised text: %q", f, rows[1])
		}
	}
	for in, want := range map[string]string{"=1+2": "'=1+2", "+31 6 1234": "'+31 6 1234", "-3.5": "-3.5", "@x": "'@x", "\tx": "'\tx", "a=b": "a=b", "": ""} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCRMAndShortlistExport(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 12)
	ctx := t.Context()
	sl, err := st.CreateShortlist(ctx, "Spring")
	if err != nil {
		t.Fatal(err)
	}
	u0, _ := exporttest.Creator(0) // bio with an email
	u1, _ := exporttest.Creator(1) // a profile link
	if err := st.AddToShortlist(ctx, sl.ID, u0.Creator.Key(), u1.Creator.Key(), "bluesky:gone-since"); err != nil {
		t.Fatal(err)
	}
	status, notes := store.OutreachReplied, "Loves the brief"
	if err := st.UpdateShortlistItem(ctx, sl.ID, u0.Creator.Key(), store.ItemUpdate{Status: &status, Notes: &notes}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := Write(ctx, &buf, CRM, Shortlisted(st, sl.ID))
	if err != nil || n != 3 {
		t.Fatalf("wrote %d, %v", n, err)
	}
	rows := readCSV(t, buf.Bytes())
	head := rows[0]
	want := []string{"first_name", "last_name", "display_name", "handle", "platform", "profile_url", "email", "website", "score", "tier", "outreach_status", "notes",
		"campaign", "promo_code", "affiliate_id", "tracked_link"}
	if !slices.Equal(head, want) {
		t.Fatalf("CRM header %v", head)
	}
	byHandle := map[string][]string{}
	for _, r := range rows[1:] {
		byHandle[r[3]] = r
	}
	r0 := byHandle[u0.Creator.Handle]
	first, last, _ := SplitName(u0.Creator.DisplayName)
	email, _ := store.PublicContact(u0.Creator)
	if r0 == nil || r0[0] != first || r0[1] != last || r0[6] != email || email == "" || r0[10] != status || r0[11] != notes || r0[5] != u0.Creator.URL {
		t.Errorf("CRM row of %s = %q", u0.Creator.Handle, r0)
	}
	if r1 := byHandle[u1.Creator.Handle]; r1 == nil || r1[7] != u1.Creator.Links[0] || r1[10] != store.OutreachNew {
		t.Errorf("CRM row of %s = %q", u1.Creator.Handle, r1)
	}

	// JSON and NDJSON carry the same creators with their shortlist items.
	buf.Reset()
	if _, err := Write(ctx, &buf, JSON, Shortlisted(st, sl.ID)); err != nil {
		t.Fatal(err)
	}
	var docs []Doc
	if err := json.Unmarshal(buf.Bytes(), &docs); err != nil {
		t.Fatalf("JSON export: %v\n%s", err, buf.String())
	}
	if len(docs) != 3 || docs[0].Shortlist == nil || docs[0].ProfileURL == "" {
		t.Fatalf("JSON docs: %+v", docs)
	}
	var missing *Doc
	for i := range docs {
		if docs[i].Key == "bluesky:gone-since" {
			missing = &docs[i]
		}
	}
	if missing == nil || missing.Status != "missing" {
		t.Errorf("a shortlisted creator not in the store: %+v", missing)
	}
	buf.Reset()
	if _, err := Write(ctx, &buf, NDJSON, Shortlisted(st, sl.ID)); err != nil {
		t.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var d Doc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("NDJSON line %d: %v", lines+1, err)
		}
		lines++
	}
	if lines != 3 {
		t.Errorf("NDJSON has %d lines, want 3", lines)
	}

	// An empty export is still valid.
	buf.Reset()
	if n, err := Write(ctx, &buf, JSON, Filtered(st, store.TopQuery{Platform: "nowhere"})); err != nil || n != 0 || buf.String() != "[]\n" {
		t.Errorf("empty JSON export: %q, %d, %v", buf.String(), n, err)
	}
}

// pageRecorder is the real store with the largest page Top was asked for noted.
type pageRecorder struct {
	store.Store
	mu       sync.Mutex
	maxLimit int
	calls    int
}

func (p *pageRecorder) Top(ctx context.Context, q store.TopQuery) ([]store.CreatorRecord, error) {
	p.mu.Lock()
	p.maxLimit, p.calls = max(p.maxLimit, q.Limit), p.calls+1
	p.mu.Unlock()
	return p.Store.Top(ctx, q)
}

func TestExportPagesThroughTheStore(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 5)
	if err := exporttest.SeedLight(t.Context(), st, 5, 2*PageSize+15); err != nil {
		t.Fatal(err)
	}
	rec := &pageRecorder{Store: st}
	n, err := Write(t.Context(), io.Discard, NDJSON, Filtered(rec, store.TopQuery{}))
	if err != nil || n != 2*PageSize+20 {
		t.Fatalf("wrote %d, %v", n, err)
	}
	if rec.maxLimit > PageSize || rec.calls < 3 {
		t.Errorf("Top called %d times, largest page %d; want pages of at most %d", rec.calls, rec.maxLimit, PageSize)
	}
}

// TestExportMemoryIsFlat streams 100k rows through the CSV and JSON writers
// and checks the heap stays within a few pages' worth.
func TestExportMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100k rows")
	}
	base, _ := exporttest.Creator(1)
	rec := store.CreatorRecord{Key: base.Creator.Key(), Creator: base.Creator, Score: base.Score, Status: model.StatusOK}
	src := func(ctx context.Context, yield func([]Row) error) error {
		page := make([]Row, PageSize)
		for p := range 100_000 / PageSize {
			for i := range page {
				r := rec
				r.Key = fmt.Sprintf("bluesky:%d-%d", p, i)
				page[i] = Row{Record: r}
			}
			if err := yield(page); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range []Format{CSV, JSON} {
		runtime.GC()
		var before, peak runtime.MemStats
		runtime.ReadMemStats(&before)
		var maxHeap uint64
		sampled := func(ctx context.Context, yield func([]Row) error) error {
			return src(ctx, func(rows []Row) error {
				runtime.ReadMemStats(&peak)
				maxHeap = max(maxHeap, peak.HeapInuse)
				return yield(rows)
			})
		}
		n, err := Write(t.Context(), io.Discard, f, sampled)
		if err != nil || n != 100_000 {
			t.Fatalf("%s: wrote %d, %v", f, n, err)
		}
		if grow := int64(maxHeap) - int64(before.HeapInuse); grow > 32<<20 {
			t.Errorf("%s: heap grew %d MiB while streaming 100k rows", f, grow>>20)
		}
	}
}

func TestSplitNameAndProfileURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"Maya de Vries":          {"Maya", "de Vries"},
		"🌱 Lena Schmidt | vegan": {"Lena", "Schmidt"},
		"Tomás García (he/him)":  {"Tomás", "García"},
		"veganbakes":             {"", ""},
		"":                       {"", ""},
	} {
		f, l, _ := SplitName(in)
		if f != want[0] || l != want[1] {
			t.Errorf("SplitName(%q) = %q, %q; want %q", in, f, l, want)
		}
	}
	if got := ProfileURL(model.Creator{Platform: "bluesky", Handle: "maya.bsky.social"}); got != "https://bsky.app/profile/maya.bsky.social" {
		t.Errorf("ProfileURL = %q", got)
	}
	if got := ProfileURL(model.Creator{Platform: "mastodon", URL: "javascript:alert(1)"}); got != "" {
		t.Errorf("ProfileURL kept a javascript: URL: %q", got)
	}
}

func TestColumnsAreDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/dashboard.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, cols := range [][]Column{Columns, CRMColumns} {
		for _, c := range cols {
			if !bytes.Contains(doc, []byte("`"+c.Name+"`")) {
				t.Errorf("docs/dashboard.md does not document column %s", c.Name)
			}
		}
	}
}
