package exporttest

import (
	"testing"

	"github.com/nanoscout/nanoscout/store/sqlite"
)

// Open opens a SQLite store in a temp dir with n seeded creators (Seed).
func Open(t testing.TB, n int) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := Seed(t.Context(), st, n); err != nil {
		t.Fatal(err)
	}
	return st
}
