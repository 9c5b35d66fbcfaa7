// Package backend opens the configured store.Store: MongoDB when a URI is
// given, otherwise the embedded SQLite database in the data directory. It
// lives apart from package store because it imports both backends, which
// import store.
package backend

import (
	"context"
	"fmt"

	"github.com/nanoscout/nanoscout/model"
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

// DefaultDataDir is model.DefaultDataDir.
func DefaultDataDir() string { return model.DefaultDataDir() }
