package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// TestBreakdownColumnMigration: a store written before migration 13 (the
// breakdown inside the creator's JSON) keeps every breakdown after the
// migration moves it to its own column, and the json column no longer
// carries its text.
func TestBreakdownColumnMigration(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	c := model.Creator{Platform: "bluesky", ID: "did:plc:a", Handle: "a.test", Followers: 2000}
	sc := &model.Score{Tier: model.TierNano, ER: 0.05, Composite: 70, Authenticity: 0.9, Breakdown: []model.Component{
		{Name: "er", Value: 0.05, Weight: 0.4, Reason: `ER 5.0 % "quoted", with a comma`},
		{Name: "reply", Value: 0.6, Weight: 0.3, Reason: "answers 60 %"},
	}}
	unscored := model.Creator{Platform: "bluesky", ID: "did:plc:b", Handle: "b.test", Followers: 3000}
	for _, u := range []store.CreatorUpdate{{Creator: c, Score: sc, At: time.Now()}, {Creator: unscored, At: time.Now()}} {
		if err := s.SaveCreator(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	// The layout before migration 13: the breakdown inside the JSON.
	for _, stmt := range []string{
		`UPDATE creators SET json = json_set(json, '$.score.breakdown', json(breakdown)) WHERE breakdown IS NOT NULL`,
		`ALTER TABLE creators DROP COLUMN breakdown`,
		`DELETE FROM schema_meta WHERE version = 13`,
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
	got, err := s.Creator(t.Context(), c.Key())
	if err != nil {
		t.Fatal(err)
	}
	if got.Score == nil || len(got.Score.Breakdown) != 2 || got.Score.Breakdown[0].Reason != sc.Breakdown[0].Reason {
		t.Fatalf("breakdown after the migration: %+v", got.Score)
	}
	full, err := s.Top(t.Context(), store.TopQuery{Platform: "bluesky"})
	if err != nil || len(full) != 1 || len(full[0].Score.Breakdown) != 2 {
		t.Fatalf("Top after the migration: %v, %+v", err, full)
	}
	var inJSON, column sql.NullString
	if err := s.db.QueryRowContext(t.Context(), `SELECT json_extract(json, '$.score.breakdown'), breakdown FROM creators WHERE key = ?`, c.Key()).Scan(&inJSON, &column); err != nil {
		t.Fatal(err)
	}
	if inJSON.Valid || !column.Valid {
		t.Errorf("json column's breakdown %v, breakdown column %v: want none in the JSON, all in the column", inJSON, column)
	}
	if other, err := s.Creator(t.Context(), unscored.Key()); err != nil || other.Score != nil {
		t.Errorf("unscored creator after the migration: %v, %+v", err, other.Score)
	}
}
