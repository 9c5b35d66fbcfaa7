package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func creatorUpdate(i int, bio string) store.CreatorUpdate {
	c := model.Creator{Platform: "mastodon", ID: fmt.Sprint(i), Handle: fmt.Sprintf("u%d", i), Followers: 3000, Bio: bio}
	return store.CreatorUpdate{Creator: c, At: time.Now()}
}

// TestZeroByteFileIsAnError: a 0-byte nanoscout.db (a full disk, a failed
// copy) is refused, not taken for a new store and migrated into an empty one.
func TestZeroByteFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), dir)
	if err == nil {
		s.Close()
		t.Fatal("Open on a 0-byte database file: no error")
	}
	if !strings.Contains(err.Error(), "empty (0 bytes)") {
		t.Errorf("err = %v, want it to say the file is empty", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Errorf("the 0-byte file was touched: %v, %v", fi.Size(), err)
	}
	// A missing file is a new store, created whole: no temporary file stays.
	fresh := t.TempDir()
	s, err = Open(t.Context(), fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(t.Context()); err != nil || v != latestVersion() {
		t.Errorf("new store: schema version %d, %v", v, err)
	}
	entries, _ := os.ReadDir(fresh)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".new-") {
			t.Errorf("temporary file %s left in the data directory", e.Name())
		}
	}
}

// TestReadOnlyWritesAreFatal: every write to a read-only store fails with a
// FatalError that says "read-only"; reads work.
func TestReadOnlyWritesAreFatal(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCreator(t.Context(), creatorUpdate(1, "")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(t.Context(), dir, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Creator(t.Context(), "mastodon:1"); err != nil {
		t.Errorf("reading a read-only store: %v", err)
	}
	for what, err := range map[string]error{
		"SaveCreator": ro.SaveCreator(t.Context(), creatorUpdate(2, "")),
		"SaveRun":     ro.SaveRun(t.Context(), model.Run{ID: "r", Status: model.RunRunning}),
		"MarkStatus":  ro.MarkStatus(t.Context(), "mastodon:1", model.StatusStale, "x"),
	} {
		f, ok := store.AsFatal(err)
		if !ok || f.Kind != store.FatalReadOnly || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("%s on a read-only store: err = %v, want a fatal read-only error", what, err)
		}
	}
	if _, err := Open(t.Context(), t.TempDir(), ReadOnly()); err == nil {
		t.Error("opening a missing store read-only: no error")
	}
}

// TestFullDiskWritesAreFatal: once the database cannot grow, writes fail
// with a FatalError that says "disk full"; an error about one creator does
// not.
func TestFullDiskWritesAreFatal(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := s.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(t.Context(), dir, WithMaxPages(pages+20))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bio := strings.Repeat("sourdough ", 400)
	var last error
	for i := range 500 {
		if last = s.SaveCreator(t.Context(), creatorUpdate(i, bio)); last != nil {
			break
		}
	}
	f, ok := store.AsFatal(last)
	if !ok || f.Kind != store.FatalDiskFull || !strings.Contains(last.Error(), "disk full") {
		t.Fatalf("writing past the size limit: err = %v, want a fatal disk-full error", last)
	}
	// An error about one document is not fatal.
	if err := s.MarkStatus(t.Context(), "mastodon:nobody", model.StatusStale, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("MarkStatus of an unknown creator: %v", err)
	} else if _, ok := store.AsFatal(err); ok {
		t.Errorf("not found is fatal: %v", err)
	}
}
