package mongo

import (
	"os"
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestAudienceFerretDB(t *testing.T) {
	storetest.RunAudience(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

func TestAudienceMongoDB(t *testing.T) {
	uri := os.Getenv("NANOSCOUT_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("NANOSCOUT_TEST_MONGO_URI not set")
	}
	storetest.RunAudience(t, func(t *testing.T) store.Store { return openDB(t, uri) })
}

func TestAudienceFilterFerretDB(t *testing.T) {
	storetest.RunAudienceFilter(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
