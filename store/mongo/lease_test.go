package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestLeasesFerretDB(t *testing.T) {
	storetest.RunLeases(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}

// TestClaimFireTwoClients races claimers on three clients of one database
// (three daemons on three machines) for the same fires: exactly one wins each.
func TestClaimFireThreeClients(t *testing.T) {
	first := openDB(t, ferretURI)
	stores := []store.FireClaimer{first}
	for range 2 {
		s, err := Open(t.Context(), ferretURI, first.name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	storetest.RaceFires(t.Context(), t, stores, 9, 5)
}
