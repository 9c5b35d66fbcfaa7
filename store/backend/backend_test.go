package backend

import (
	"github.com/nanoscout/nanoscout/config"
	"path/filepath"
	"testing"
)

// TestDefaultDataDirIsModels: the backend opens the data directory the
// config fills in (one function, model.DefaultDataDir).
func TestDefaultDataDirIsModels(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	if got, want := DefaultDataDir(), config.Default().DataDir; got != want || got != "/data/nanoscout" {
		t.Errorf("backend %q, config %q", got, want)
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
