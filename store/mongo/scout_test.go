package mongo

import (
	"os"
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestScoutConformanceFerretDB(t *testing.T) {
	storetest.RunScout(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

// TestScoutConformanceMongoDB runs the scout suite against a real MongoDB
// when NANOSCOUT_TEST_MONGO_URI is set.
func TestScoutConformanceMongoDB(t *testing.T) {
	uri := os.Getenv("NANOSCOUT_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("NANOSCOUT_TEST_MONGO_URI not set")
	}
	storetest.RunScout(t, func(t *testing.T) store.Store { return openDB(t, uri) })
}
