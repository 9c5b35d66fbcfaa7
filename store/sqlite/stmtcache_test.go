package sqlite

import (
	"fmt"
	"testing"
)

// TestStmtCache: a query is prepared once and shared; past the bound, and
// after close, statements are prepared for one use and closed by release.
func TestStmtCache(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	var c stmtCache
	a, release, err := c.get(ctx, s.db, `SELECT 1`)
	if err != nil {
		t.Fatal(err)
	}
	release()
	b, release, err := c.get(ctx, s.db, `SELECT 1`)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if a != b {
		t.Error("the same query was prepared twice")
	}
	for i := range maxCachedStmts + 3 {
		_, release, err := c.get(ctx, s.db, fmt.Sprintf(`SELECT %d`, i+2))
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	if len(c.stmts) != maxCachedStmts {
		t.Errorf("%d statements cached, want the bound %d", len(c.stmts), maxCachedStmts)
	}
	extra, release, err := c.get(ctx, s.db, `SELECT 'extra'`)
	if err != nil {
		t.Fatal(err)
	}
	var v string
	if err := extra.QueryRowContext(ctx).Scan(&v); err != nil || v != "extra" {
		t.Fatalf("uncached statement: %q, %v", v, err)
	}
	release()
	if err := extra.QueryRowContext(ctx).Scan(&v); err == nil {
		t.Error("an uncached statement is still open after release")
	}
	c.close()
	if err := a.QueryRowContext(ctx).Scan(&v); err == nil {
		t.Error("a cached statement is still open after close")
	}
	after, release, err := c.get(ctx, s.db, `SELECT 1`)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if err := after.QueryRowContext(ctx).Scan(&v); err == nil || len(c.stmts) != 0 {
		t.Errorf("after close: statement kept open (%v) or cached (%d)", err, len(c.stmts))
	}
}
