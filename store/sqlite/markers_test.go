package sqlite

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestMarkerConformance(t *testing.T) {
	storetest.RunMarkers(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestClaimConformance(t *testing.T) {
	storetest.RunClaims(t, func(t *testing.T) store.Store { return openTemp(t) })
}
