package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestPruneFerretDB(t *testing.T) {
	storetest.RunPrune(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
