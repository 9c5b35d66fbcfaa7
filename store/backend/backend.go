// Package backend opens the configured store.Store: MongoDB when a URI is
// given, otherwise the embedded SQLite database in the data directory. It
// lives apart from package store because it imports both backends, which
// import store.
package backend

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/mongo"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// Backend names returned by Open.
const (
	SQLite  = "sqlite"
	MongoDB = "mongodb"
)

// DefaultMongoDB is the database used when none is configured.
const DefaultMongoDB = "nanoscout"

// Open opens MongoDB at mongoURI (database mongoDB, DefaultMongoDB when
// empty) when mongoURI is set, else SQLite in dataDir (DefaultDataDir when
// empty). It returns the store and the backend's name.
func Open(ctx context.Context, dataDir, mongoURI, mongoDB string) (store.Store, string, error) {
	if mongoURI != "" {
		if mongoDB == "" {
			mongoDB = DefaultMongoDB
		}
		s, err := mongo.Open(ctx, mongoURI, mongoDB)
		if err != nil {
			return nil, MongoDB, fmt.Errorf("opening MongoDB store: %w", err)
		}
		return s, MongoDB, nil
	}
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	s, err := sqlite.Open(ctx, dataDir)
	if err != nil {
		return nil, SQLite, fmt.Errorf("opening SQLite store in %q: %w", dataDir, err)
	}
	return s, SQLite, nil
}

// DefaultDataDir is where the embedded store lives by default:
// $XDG_DATA_HOME/nanoscout, else ~/.local/share/nanoscout. A relative
// XDG_DATA_HOME is ignored, as the XDG spec says. When no home directory is
// known it falls back to .nanoscout in the working directory.
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
