package mongo

import (
	"os"
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestMarkerConformanceFerretDB(t *testing.T) {
	storetest.RunMarkers(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

// TestMarkerConformanceMongoDB runs the marker suite against a real MongoDB
// when NANOSCOUT_TEST_MONGO_URI is set.
func TestMarkerConformanceMongoDB(t *testing.T) {
	uri := os.Getenv("NANOSCOUT_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("NANOSCOUT_TEST_MONGO_URI not set")
	}
	storetest.RunMarkers(t, func(t *testing.T) store.Store { return openDB(t, uri) })
}
