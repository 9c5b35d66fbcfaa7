package model

import "testing"

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
