package mongo

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/internal/ferrettest"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

// ferretURI is the embedded FerretDB that TestMain starts for the whole binary.
var ferretURI string

func TestMain(m *testing.M) { os.Exit(ferrettest.Main(m, &ferretURI)) }

var dbSeq atomic.Int64

// openDB opens a store on a database of its own, dropped when t ends.
func openDB(t *testing.T, uri string) *Store {
	t.Helper()
	name := fmt.Sprintf("nstest_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s, err := Open(ctx, uri, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Database().Drop(ctx); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestConformanceFerretDB(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

// TestConformanceMongoDB runs every conformance suite against a real MongoDB
// when NANOSCOUT_TEST_MONGO_URI is set, e.g. mongodb://localhost:27017.
func TestConformanceMongoDB(t *testing.T) {
	uri := os.Getenv("NANOSCOUT_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("NANOSCOUT_TEST_MONGO_URI not set")
	}
	storetest.RunAll(t, func(t *testing.T) store.Store { return openDB(t, uri) })
}

func TestSchemaVersion(t *testing.T) {
	s := openDB(t, ferretURI)
	ctx := t.Context()
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != store.SchemaVersion {
		t.Errorf("schema version = %d, want %d", v, store.SchemaVersion)
	}
	// Reopening the same database keeps the version and the data.
	again, err := Open(ctx, ferretURI, s.name)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer again.Close()
	if v, err := again.SchemaVersion(ctx); err != nil || v != store.SchemaVersion {
		t.Errorf("schema version after reopen = %d, %v", v, err)
	}
	// A database written by a newer build is refused.
	if _, err := s.db.Collection(colMeta).UpdateOne(ctx, byID(schemaID),
		map[string]any{"$set": map[string]any{"version": store.SchemaVersion + 1}}); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(ctx, ferretURI, s.name); err == nil {
		s2.Close()
		t.Error("Open accepted a database with a newer schema")
	}
}
