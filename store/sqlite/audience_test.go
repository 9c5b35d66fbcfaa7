package sqlite

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestAudience(t *testing.T) {
	storetest.RunAudience(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestAudienceFilter(t *testing.T) {
	storetest.RunAudienceFilter(t, func(t *testing.T) store.Store { return openTemp(t) })
}
