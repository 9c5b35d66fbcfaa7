package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/nanoscout/nanoscout/store"
)

// testCase is one case of a suite over the part P of a store (store.Leaser,
// store.Markers, …).
type testCase[P any] struct {
	name string
	fn   func(ctx context.Context, t *testing.T, p P)
}

// runSuite runs each case on a new store from open, as the part P, with the
// suite's timeout. A store that does not implement P fails the case.
func runSuite[P any](t *testing.T, open func(t *testing.T) store.Store, cases []testCase[P]) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			defer cancel()
			st := open(t)
			p, ok := st.(P)
			if !ok {
				t.Fatalf("%T does not implement %v", st, reflect.TypeFor[P]())
			}
			tc.fn(ctx, t, p)
		})
	}
}

// race starts n racers at once, racer i named owner(i), each calling
// try(i, owner) once, and returns the owners for whom try reported a win.
// Errors are reported as test errors under what.
func race(t *testing.T, what string, n int, owner func(i int) string, try func(i int, owner string) (bool, error)) []string {
	t.Helper()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []string
		start   = make(chan struct{})
	)
	for i := range n {
		o := owner(i)
		wg.Go(func() {
			<-start
			ok, err := try(i, o)
			if err != nil {
				t.Errorf("%s by %s: %v", what, o, err)
				return
			}
			if ok {
				mu.Lock()
				winners = append(winners, o)
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	return winners
}
