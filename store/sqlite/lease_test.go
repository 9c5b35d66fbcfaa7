package sqlite

import (
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestLeases(t *testing.T) {
	storetest.RunLeases(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestLeaseSharedDirectory races owners in two stores opened on one data
// directory, as two daemons on one machine: BEGIN IMMEDIATE makes exactly one
// win each time.
func TestLeaseSharedDirectory(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	for round := range 5 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []string
		for i, s := range stores {
			for g := range 3 {
				owner := string(rune('a'+i)) + string(rune('0'+g))
				wg.Go(func() {
					ok, err := s.Acquire(ctx, "nightly", owner, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						winners = append(winners, owner)
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: winners %v, want one", round, winners)
		}
		if err := stores[round%2].Release(ctx, "nightly", winners[0]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClaimFireSharedDirectory races claimers in three stores opened on one
// data directory (three daemons on one machine) for the same fires: exactly
// one wins each.
func TestClaimFireSharedDirectory(t *testing.T) {
	dir := t.TempDir()
	var stores []store.FireClaimer
	for range 3 {
		s, err := Open(t.Context(), dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	storetest.RaceFires(t.Context(), t, stores, 9, 5)
}
