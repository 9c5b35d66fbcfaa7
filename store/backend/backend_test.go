package backend

import (
	"path/filepath"
	"testing"
)

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	t.Setenv("XDG_DATA_HOME", "")
	if got, want := DefaultDataDir(), "/home/u/.local/share/nanoscout"; got != want {
		t.Errorf("without XDG_DATA_HOME: %q, want %q", got, want)
	}
	t.Setenv("XDG_DATA_HOME", "/data")
	if got, want := DefaultDataDir(), "/data/nanoscout"; got != want {
		t.Errorf("with XDG_DATA_HOME: %q, want %q", got, want)
	}
	t.Setenv("XDG_DATA_HOME", "relative/path")
	if got, want := DefaultDataDir(), "/home/u/.local/share/nanoscout"; got != want {
		t.Errorf("with a relative XDG_DATA_HOME: %q, want %q", got, want)
	}
}

func TestOpenSQLite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, name, err := Open(t.Context(), dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if name != SQLite {
		t.Errorf("backend = %q, want %q", name, SQLite)
	}
	if _, err := s.Stats(t.Context()); err != nil {
		t.Error(err)
	}
}

func TestOpenMongoBadURI(t *testing.T) {
	_, name, err := Open(t.Context(), t.TempDir(), "not-a-uri://x", "")
	if err == nil || name != MongoDB {
		t.Errorf("Open with a bad MongoDB URI: name %q err %v, want mongodb and an error", name, err)
	}
}
