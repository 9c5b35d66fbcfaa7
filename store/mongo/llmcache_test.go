package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestLLMCacheFerretDB(t *testing.T) {
	storetest.RunLLMCache(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
