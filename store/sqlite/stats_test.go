package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// TestMigrationRefreshesPlannerStats: on a store whose planner statistics
// exist, an index a migration adds gets statistics too, so ranked queries
// keep walking their own index instead of the new one (which, without a
// sqlite_stat1 row, looks more selective than it is).
func TestMigrationRefreshesPlannerStats(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		tier := model.TierNano
		if i%3 == 0 {
			tier = model.TierMicro
		}
		c := model.Creator{Platform: "bluesky", ID: fmt.Sprintf("c%03d", i), Handle: fmt.Sprintf("h%03d", i), Followers: int64(1000 + i)}
		sc := &model.Score{Tier: tier, ER: float64(i % 7), Composite: float64(i % 97), Authenticity: 0.5}
		if err := s.SaveCreator(t.Context(), store.CreatorUpdate{Creator: c, Score: sc, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil { // PRAGMA optimize gathers the first statistics
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	// Make the store as it was before the audience migration: statistics for
	// the old indexes only, the migration not applied.
	for _, stmt := range []string{
		`ANALYZE`,
		`DROP INDEX creators_platform_tier_audience`, `DROP INDEX creators_tier_audience`,
		`ALTER TABLE creators DROP COLUMN audience`, `DROP TABLE audience_samples`, `DROP TABLE outreach_changes`,
		`DELETE FROM schema_meta WHERE version IN (9, 10)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	s, err = Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_stat1 WHERE idx = 'creators_tier_audience'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("the index the migration added has no planner statistics")
	}
	rows, err := s.db.QueryContext(t.Context(), `EXPLAIN QUERY PLAN SELECT json FROM creators WHERE composite IS NOT NULL AND tier = 'nano' ORDER BY growth DESC, key LIMIT 51`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "audience") {
		t.Errorf("a tier page sorted by growth: %s", p)
	}
}
