package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestAudienceFerretDB(t *testing.T) {
	storetest.RunAudience(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

func TestAudienceFilterFerretDB(t *testing.T) {
	storetest.RunAudienceFilter(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
