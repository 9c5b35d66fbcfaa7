package sqlite

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestPostSnapshots(t *testing.T) {
	storetest.RunPostSnapshots(t, func(t *testing.T) store.Store { return openTemp(t) })
}
