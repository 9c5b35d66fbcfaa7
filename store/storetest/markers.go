package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// RunMarkers runs the conformance suite of store.Markers. open must return a
// new, empty store for each call that implements it.
func RunMarkers(t *testing.T, open func(t *testing.T) store.Store) {
	runSuite(t, open, []testCase[store.Markers]{
		{"FirstWins", testMarkFirstWins},
		{"Prefixes", testMarkerPrefixes},
		{"Race", testMarkerRace},
	})
}

func testMarkFirstWins(ctx context.Context, t *testing.T, ms store.Markers) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	won, held, err := ms.Mark(ctx, store.Marker{NS: "collected", ID: "run1/bluesky:a", Owner: "w1", Data: `{"n":1}`, At: at})
	must(t, "Mark", err)
	if !won || held.Owner != "w1" {
		t.Errorf("first Mark: won %v, held %+v", won, held)
	}
	won, held, err = ms.Mark(ctx, store.Marker{NS: "collected", ID: "run1/bluesky:a", Owner: "w2", Data: "other", At: at.Add(time.Minute)})
	must(t, "Mark again", err)
	if won || held.Owner != "w1" || held.Data != `{"n":1}` || !held.At.Equal(at) {
		t.Errorf("second Mark: won %v, held %+v (want w1's)", won, held)
	}
	// The same id in another namespace is another marker.
	won, _, err = ms.Mark(ctx, store.Marker{NS: "batch-done", ID: "run1/bluesky:a", Owner: "w2", At: at})
	must(t, "Mark other namespace", err)
	if !won {
		t.Error("a marker of another namespace blocked this one")
	}
	_, _, err = ms.Mark(ctx, store.Marker{NS: "", ID: "x"})
	wantErr(t, "Mark with an empty namespace", err, store.ErrInvalid)
}

func testMarkerPrefixes(ctx context.Context, t *testing.T, ms store.Markers) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"run1/b", "run1/a", "run10/a", "run2/a", "run1.x/a"} {
		_, _, err := ms.Mark(ctx, store.Marker{NS: "q", ID: id, Owner: "w", At: at})
		must(t, "Mark", err)
	}
	list, err := ms.ListMarkers(ctx, "q", "run1/")
	must(t, "ListMarkers", err)
	if len(list) != 2 || list[0].ID != "run1/a" || list[1].ID != "run1/b" || list[0].NS != "q" {
		t.Errorf("ListMarkers(run1/) = %+v", list)
	}
	// Regex metacharacters in a prefix are literal.
	n, err := ms.CountMarkers(ctx, "q", "run1.")
	must(t, "CountMarkers", err)
	if n != 1 {
		t.Errorf("CountMarkers(run1.) = %d, want 1", n)
	}
	n, err = ms.CountMarkers(ctx, "q", "")
	must(t, "CountMarkers all", err)
	if n != 5 {
		t.Errorf("CountMarkers() = %d", n)
	}
	d, err := ms.DeleteMarkers(ctx, "q", "run1")
	must(t, "DeleteMarkers", err)
	if d != 4 {
		t.Errorf("DeleteMarkers(run1) = %d, want 4", d)
	}
	list, err = ms.ListMarkers(ctx, "q", "")
	must(t, "ListMarkers after delete", err)
	if len(list) != 1 || list[0].ID != "run2/a" {
		t.Errorf("left = %+v", list)
	}
}

// testMarkerRace: many writers race for the same markers; each has exactly
// one winner, and every loser is told that winner.
func testMarkerRace(ctx context.Context, t *testing.T, ms store.Markers) {
	const writers, markers = 6, 8
	var mu sync.Mutex
	winners := map[string][]string{}
	heldBy := map[string]map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, writers*markers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			for i := range markers {
				id := fmt.Sprintf("run/%d", i)
				won, held, err := ms.Mark(ctx, store.Marker{NS: "race", ID: id, Owner: owner, At: time.Now()})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if won {
					winners[id] = append(winners[id], owner)
				}
				if heldBy[id] == nil {
					heldBy[id] = map[string]bool{}
				}
				heldBy[id][held.Owner] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range markers {
		id := fmt.Sprintf("run/%d", i)
		if len(winners[id]) != 1 {
			t.Errorf("%s: %d winners %v, want exactly 1", id, len(winners[id]), winners[id])
			continue
		}
		if len(heldBy[id]) != 1 || !heldBy[id][winners[id][0]] {
			t.Errorf("%s: writers were told of holders %v, winner %s", id, heldBy[id], winners[id][0])
		}
	}
}
