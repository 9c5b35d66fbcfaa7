package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestMarkerConformanceFerretDB(t *testing.T) {
	storetest.RunMarkers(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

func TestClaimConformanceFerretDB(t *testing.T) {
	storetest.RunClaims(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
