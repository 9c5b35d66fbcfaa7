package sqlite

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// statsLikeABigStore writes the planner statistics a big store gathers for
// itself (a bounded ANALYZE after a migration, PRAGMA optimize at close):
// those sample the start of each index, so a platform or tier prefix looks
// like it selects 1,001 rows, as in the 1,000,000-creator bench store's
// sqlite_stat1 (e.g. creators_platform_tier_composite: "1000000 1001 1001 20 1").
func statsLikeABigStore(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'creators'`)
	if err != nil {
		t.Fatal(err)
	}
	var indexes []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, name)
	}
	rows.Close()
	stmts := []string{`DELETE FROM sqlite_stat1 WHERE tbl = 'creators'`}
	if _, err := db.Exec(`SELECT 1 FROM sqlite_stat4 LIMIT 1`); err == nil {
		stmts = append(stmts, `DELETE FROM sqlite_stat4 WHERE tbl = 'creators'`)
	}
	for _, idx := range indexes {
		cols, err := db.Query(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, idx)
		if err != nil {
			t.Fatal(err)
		}
		stat := "1000000"
		for cols.Next() {
			var c string
			if err := cols.Scan(&c); err != nil {
				t.Fatal(err)
			}
			switch c {
			case "platform", "tier":
				stat += " 1001"
			case "key":
				stat += " 1"
			default:
				stat += " 20"
			}
		}
		cols.Close()
		if !strings.HasPrefix(idx, "sqlite_autoindex") {
			stat += " 1" // the rowid
		}
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES('creators', '%s', '%s')`, idx, stat))
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestRankedPlansWalkAnIndex: with the statistics a big store has, every
// ranked page — each sort, with no filter, a platform, a tier or both, and
// with the range filters on indexed columns — walks an index in its sort
// order and stops after the page, never reading a whole tier to sort it.
// The nano tier by score (the dashboard's default view) used to read the
// tier through creators_tier_audience and sort it: 61 s over 1 M
// creators, 6 ms walking creators_composite.
func TestRankedPlansWalkAnIndex(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	err = s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, putCreatorSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range 2000 {
			if err := putCreator(ctx, stmt, benchCreator(i, r)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	statsLikeABigStore(t, dir)
	if s, err = Open(ctx, dir, ReadOnly()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	growth := 1.0
	for _, sort := range []string{"", "er", "followers", "reply", "authenticity", "growth", "audience"} {
		for _, f := range []struct{ platform, tier string }{{"", ""}, {"bluesky", ""}, {"", model.TierNano}, {"bluesky", model.TierNano}} {
			if sort == "audience" && f.tier == "" {
				continue // no index sorts every tier by audience: a sort is the plan
			}
			for _, more := range []store.TopQuery{
				{},
				{MinER: 2, MaxFollowers: 9999, MinAuthenticity: 0.5, MinReply: 0.2, MinGrowth: &growth, MinAudience: 0.1},
			} {
				q := more
				q.Platform, q.Tier, q.SortBy, q.Limit, q.Offset = f.platform, f.tier, sort, 50, 500
				plan, err := s.ExplainTop(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(plan, "USING INDEX creators_") || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("platform %q, tier %q, sort %q, filters %v: not an index walk in sort order: %s",
						f.platform, f.tier, sort, more.MinER > 0, plan)
				}
			}
		}
	}
	// The default dashboard view walks the composite index.
	if plan, _ := s.ExplainTop(ctx, store.TopQuery{Tier: model.TierNano}); !strings.Contains(plan, "creators_composite") {
		t.Errorf("the nano tier by score: %s, want a walk of creators_composite", plan)
	}
}
