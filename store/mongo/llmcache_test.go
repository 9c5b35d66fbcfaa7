package mongo

import (
	"os"
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestLLMCacheFerretDB(t *testing.T) {
	storetest.RunLLMCache(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

func TestLLMCacheMongoDB(t *testing.T) {
	uri := os.Getenv("NANOSCOUT_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("NANOSCOUT_TEST_MONGO_URI not set")
	}
	storetest.RunLLMCache(t, func(t *testing.T) store.Store { return openDB(t, uri) })
}
