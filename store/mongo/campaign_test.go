package mongo

import (
	"os"
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestCampaignConformanceFerretDB(t *testing.T) {
	storetest.RunCampaigns(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

// TestCampaignConformanceMongoDB runs the campaign suite against a real
// MongoDB when NANOSCOUT_TEST_MONGO_URI is set.
func TestCampaignConformanceMongoDB(t *testing.T) {
	uri := os.Getenv("NANOSCOUT_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("NANOSCOUT_TEST_MONGO_URI not set")
	}
	storetest.RunCampaigns(t, func(t *testing.T) store.Store { return openDB(t, uri) })
}
