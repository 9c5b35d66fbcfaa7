package sqlite

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestLLMCache(t *testing.T) {
	storetest.RunLLMCache(t, func(t *testing.T) store.Store { return openTemp(t) })
}
