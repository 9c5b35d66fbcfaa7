package sqlite

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestStream(t *testing.T) {
	storetest.RunStream(t, func(t *testing.T) store.Store { return openTemp(t) })
}
