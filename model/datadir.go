package model

import (
	"os"
	"path/filepath"
)

// DefaultDataDir is where the embedded store lives when neither the config,
// --data-dir nor NANOSCOUT_DATA_DIR says: $XDG_DATA_HOME/nanoscout, else
// ~/.local/share/nanoscout. A relative XDG_DATA_HOME is ignored, as the XDG
// spec says; without a home directory it is .nanoscout in the working
// directory. The one definition: the config and the store backends use it.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "nanoscout")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ".nanoscout"
	}
	return filepath.Join(home, ".local", "share", "nanoscout")
}
