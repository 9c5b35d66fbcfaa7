package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestStreamFerretDB(t *testing.T) {
	storetest.RunStream(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
