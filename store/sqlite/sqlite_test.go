package sqlite

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	c := model.Creator{Platform: "bluesky", ID: "did:plc:abc", Handle: "abc", Followers: 4200}
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	sc := &model.Score{Tier: model.TierNano, Composite: 77, ER: 3}
	if err := s.SaveCreator(ctx, store.CreatorUpdate{Creator: c, Score: sc, At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != latestVersion() {
		t.Errorf("schema version = %d, want %d", v, latestVersion())
	}
	var rows int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_meta`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != latestVersion() {
		t.Errorf("schema_meta has %d rows, want one per migration (%d)", rows, latestVersion())
	}
	rec, err := s.Creator(ctx, c.Key())
	if err != nil {
		t.Fatalf("creator after reopen: %v", err)
	}
	if rec.Creator.Followers != 4200 || rec.Score == nil || rec.Score.Composite != 77 {
		t.Errorf("creator after reopen = %+v", rec)
	}
	var blobs int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM creators WHERE typeof(json) != 'text'`).Scan(&blobs); err != nil {
		t.Fatal(err)
	}
	if blobs != 0 {
		t.Errorf("%d creators stored as non-text JSON (SQLite's json functions read a BLOB as JSONB)", blobs)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_meta(version, applied_at) VALUES(?, 'later')`, latestVersion()+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, dir); err == nil {
		s.Close()
		t.Fatal("Open accepted a database with a newer schema")
	}
}

// TestTwoProcesses opens the same directory twice, as the scheduler and the web
// server do, and writes from both at once: the busy timeout and BEGIN
// IMMEDIATE must make them wait for each other instead of failing.
func TestTwoProcesses(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	var stores []*Store
	for range 2 {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	for i, s := range stores {
		for g := range 4 {
			wg.Go(func() {
				for r := range 20 {
					c := model.Creator{Platform: "bluesky", ID: fmt.Sprintf("s%d-g%d", i, g), Followers: int64(r)}
					posts := []model.Post{{Platform: "bluesky", ID: fmt.Sprintf("s%d-g%d-p%d", i, g, r), CreatorID: c.ID}}
					err := s.SaveCreator(ctx, store.CreatorUpdate{Creator: c, Posts: posts,
						Score: &model.Score{Tier: model.TierNano, Composite: float64(r)}, At: time.Now()})
					if err != nil {
						t.Errorf("store %d goroutine %d: %v", i, g, err)
						return
					}
					if _, err := s.Top(ctx, store.TopQuery{Limit: 5}); err != nil {
						t.Errorf("store %d reading: %v", i, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	st, err := stores[0].Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st["creators"] != 8 || st["posts"] != 160 {
		t.Errorf("stats = %v, want 8 creators and 160 posts", st)
	}
}

// TestTopUsesIndex guards the ranked query's plan: a platform+tier page
// sorted by composite must walk an index, not sort the table.
func TestTopUsesIndex(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	for _, q := range []string{
		`SELECT json FROM creators WHERE composite IS NOT NULL AND platform = ? AND tier = ? ORDER BY composite DESC, key LIMIT 50 OFFSET 0`,
		`SELECT json FROM creators WHERE composite IS NOT NULL AND platform = ? ORDER BY composite DESC, key LIMIT 50 OFFSET 0`,
		`SELECT json FROM creators WHERE composite IS NOT NULL ORDER BY composite DESC, key LIMIT 50 OFFSET 0`,
	} {
		plan := explain(ctx, t, s, q)
		if !strings.Contains(plan, "USING INDEX") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("plan of %s:\n%s", q, plan)
		}
	}
}

func explain(ctx context.Context, t *testing.T, s *Store, q string) string {
	t.Helper()
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
		}
	}
	args := make([]any, n)
	for i := range args {
		args[i] = "x"
	}
	rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out += detail + "\n"
	}
	return out
}

func TestOpenPathWithSpacesAndQuery(t *testing.T) {
	dir := t.TempDir() + "/with space/ü?x=1#frag"
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveRun(t.Context(), model.Run{ID: "r"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Errorf("database not where expected: %v", err)
	}
}

// TestScoredBySortColumn: Top tests "scored" on its sort column when that
// is composite, er, reply_score or authenticity (scoredBy), which holds
// because a write sets the four together from one score, NaN included, and
// leaves all four NULL while a creator is unscored. Sorted by each of them,
// a page has the scored creators only, and the same ones.
func TestScoredBySortColumn(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	nan := math.NaN()
	scores := []*model.Score{
		{Tier: model.TierNano, ER: 4, ReplyDepth: model.ReplyDepth{Score: 0.5}, Authenticity: 0.9, Composite: 70},
		{Tier: model.TierNano, ER: nan, ReplyDepth: model.ReplyDepth{Score: nan}, Authenticity: nan, Composite: nan},
		{Tier: model.TierNano}, // all zero
	}
	for i, sc := range scores {
		c := model.Creator{Platform: "bluesky", ID: fmt.Sprint("s", i), Handle: fmt.Sprint("s", i), Followers: 3000}
		if err := s.SaveCreator(ctx, store.CreatorUpdate{Creator: c, Score: sc, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	unscored := model.Creator{Platform: "bluesky", ID: "u", Handle: "u", Followers: 3000}
	if err := s.UpsertCreators(ctx, []model.Creator{unscored}, at); err != nil {
		t.Fatal(err)
	}
	var mixed int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM creators WHERE (composite IS NULL) <> (er IS NULL)
		OR (composite IS NULL) <> (reply_score IS NULL) OR (composite IS NULL) <> (authenticity IS NULL)`).Scan(&mixed); err != nil {
		t.Fatal(err)
	}
	if mixed != 0 {
		t.Errorf("%d creators with some score columns NULL and others not", mixed)
	}
	for _, sort := range []string{"composite", "er", "reply", "authenticity", "followers"} {
		recs, err := s.Top(ctx, store.TopQuery{Platform: "bluesky", SortBy: sort})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(scores) {
			t.Errorf("by %s: %d creators, want the %d scored", sort, len(recs), len(scores))
		}
		for _, r := range recs {
			if r.Score == nil {
				t.Errorf("by %s: unscored %s listed", sort, r.Key)
			}
		}
	}
}
