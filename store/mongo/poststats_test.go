package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestPostSnapshotsFerretDB(t *testing.T) {
	storetest.RunPostSnapshots(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
