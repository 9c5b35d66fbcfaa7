package sqlitebench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// storeAPI builds the same creators as Build through the store: a week-old
// snapshot of every fifth creator (SaveCreators at that time), then
// today's collection of every one, then Rerank.
func storeAPI(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, week := range []bool{true, false} {
		var us []store.CreatorUpdate
		for i := range n {
			if week && i%5 != 0 {
				continue
			}
			u, history := exporttest.Creator(i)
			u.Posts = nil
			if week {
				snap := history[len(history)-7]
				u.Snapshot, u.At = &snap, snap.TakenAt
			}
			us = append(us, u)
		}
		if err := st.SaveCreators(ctx, us); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"bluesky", "mastodon"} {
		if err := st.Rerank(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

func openDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dump is every row of query as strings (NULL as "NULL").
func dump(t *testing.T, db *sql.DB, query string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = fmt.Sprintf("%T %v", v, v)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuildEqualsStoreAPI: a store Build makes holds what the store's own
// writes (SaveCreators, the insert trigger, Rerank) make of the same
// creators — schema, every column of every creator, the records, the
// snapshots, the keyword index, and Top's pages — and is deterministic.
func TestBuildEqualsStoreAPI(t *testing.T) {
	const n = 1500
	ctx := context.Background()
	bulk, api := t.TempDir(), t.TempDir()
	if err := Build(ctx, bulk, Options{Creators: n, Snapshots: n}); err != nil {
		t.Fatal(err)
	}
	storeAPI(t, api, n)
	b, a := openDB(t, bulk), openDB(t, api)

	schema := `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name`
	if got, want := dump(t, b, schema), dump(t, a, schema); !reflect.DeepEqual(got, want) {
		t.Errorf("schema differs:\nbulk %v\napi  %v", got, want)
	}
	cols := `SELECT key, platform, handle, tier, followers, er, reply_score, authenticity, composite, rank, status, updated_at,
		breakdown, has_contact, growth, language, bench_index, audience FROM creators ORDER BY key`
	got, want := dump(t, b, cols), dump(t, a, cols)
	if len(got) != n || len(want) != n {
		t.Fatalf("%d creators built, %d through the store, want %d", len(got), len(want), n)
	}
	growths := 0
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("creator row %d differs:\nbulk %v\napi  %v", i, got[i], want[i])
		}
		if got[i][14] != "NULL" {
			growths++
		}
	}
	if growths != n/5 {
		t.Errorf("%d creators with growth, want %d", growths, n/5)
	}
	// The records: the same once decoded (Rerank's json_set puts the rank
	// last in the text; encoding/json in field order).
	recs := func(db *sql.DB) map[string]store.CreatorRecord {
		out := map[string]store.CreatorRecord{}
		for _, r := range dump(t, db, `SELECT json FROM creators`) {
			var rec store.CreatorRecord
			if err := json.Unmarshal([]byte(r[0][len("string "):]), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Score == nil || rec.Score.Rank == 0 {
				t.Fatalf("%s: not ranked: %+v", rec.Key, rec.Score)
			}
			out[rec.Key] = rec
		}
		return out
	}
	if got, want := recs(b), recs(a); !reflect.DeepEqual(got, want) {
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Fatalf("record %s differs:\nbulk %+v\napi  %+v", k, got[k], want[k])
			}
		}
		t.Fatalf("records differ: %d built, %d through the store", len(got), len(want))
	}
	snaps := `SELECT creator_key, day, json FROM snapshots ORDER BY creator_key, day`
	if got, want := dump(t, b, snaps), dump(t, a, snaps); len(got) != n+n/5 || !reflect.DeepEqual(got, want) {
		t.Errorf("snapshots differ: %d built, %d through the store, want %d", len(got), len(want), n+n/5)
	}
	for _, word := range []string{"pottery", "utrecht", "collabs", "garcia", "okafor", "hyperlink", "mayagarcia0", "bsky"} {
		q := `SELECT d.creator_key FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ? ORDER BY 1`
		got, want := dump(t, b, q, `"`+word+`"*`), dump(t, a, q, `"`+word+`"*`)
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("keyword %q: %d creators built, %d through the store", word, len(got), len(want))
		}
	}
	// Top's pages, through the store.
	sb, err := sqlite.Open(ctx, bulk, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	sa, err := sqlite.Open(ctx, api, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	min := 1.0
	for _, q := range []store.TopQuery{
		{Platform: "bluesky", Tier: "nano", Limit: 50},
		{Tier: "nano", SortBy: "growth", Limit: 50, Offset: 100},
		{Platform: "mastodon", SortBy: "er", MinAuthenticity: 0.7, HasContact: true, Limit: 50},
		{Keyword: "pottery", Language: "en", MinGrowth: &min, Limit: 50},
	} {
		got, err := sb.TopWithGrowth(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := sa.TopWithGrowth(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("Top(%+v): %d built, %d through the store, or they differ", q, len(got), len(want))
		}
	}

	// The same options, the same rows.
	again := t.TempDir()
	if err := Build(ctx, again, Options{Creators: n, Snapshots: n}); err != nil {
		t.Fatal(err)
	}
	all := `SELECT key, json, breakdown, rank, growth FROM creators ORDER BY rowid`
	if got, want := dump(t, openDB(t, again), all), dump(t, b, all); !reflect.DeepEqual(got, want) {
		t.Error("a second build differs from the first")
	}
}

// TestBuildOptions: without breakdowns and search documents, with
// snapshots for the first creators only; Cached builds once.
func TestBuildOptions(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	o := Options{Creators: 300, Snapshots: 20, NoBreakdowns: true, NoSearch: true}
	dir, built, err := Cached(ctx, root, o)
	if err != nil || !built {
		t.Fatalf("first Cached: built %v, %v", built, err)
	}
	if _, built, err := Cached(ctx, root, o); err != nil || built {
		t.Fatalf("second Cached: built %v, %v, want the store found", built, err)
	}
	db := openDB(t, dir)
	var creators, breakdowns, growth, snaps, docs int
	if err := db.QueryRow(`SELECT count(*), count(breakdown), count(growth), (SELECT count(*) FROM snapshots), (SELECT count(*) FROM search_docs) FROM creators`).
		Scan(&creators, &breakdowns, &growth, &snaps, &docs); err != nil {
		t.Fatal(err)
	}
	if creators != 300 || breakdowns != 0 || growth != 60 || snaps != 24 || docs != 0 {
		t.Errorf("creators %d, breakdowns %d, growth %d, snapshots %d, search documents %d; want 300, 0, 60, 24, 0",
			creators, breakdowns, growth, snaps, docs)
	}
	var stats int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'creators'`).Scan(&stats); err != nil || stats < 20 {
		t.Errorf("planner statistics for %d creators indexes, %v; want ANALYZE's", stats, err)
	}
	if err := Build(ctx, dir, Options{}); err == nil {
		t.Error("Build of 0 creators: no error")
	}
}
