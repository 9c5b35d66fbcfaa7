package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestScoutConformanceFerretDB(t *testing.T) {
	storetest.RunScout(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
