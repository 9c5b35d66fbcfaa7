package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// RunLeases checks store.Leaser: one holder per job, re-entrant for its
// owner, renewal, release, expiry by time, and exactly one winner when
// several owners race for a free or an expired lease.
func RunLeases(t *testing.T, open func(t *testing.T) store.Store) {
	runSuite(t, open, []testCase[store.Leaser]{
		{"AcquireRenewRelease", testLeaseBasics},
		{"Expiry", testLeaseExpiry},
		{"ConcurrentAcquire", testLeaseRace},
	})
}

func acquire(ctx context.Context, t *testing.T, l store.Leaser, job, owner string, ttl time.Duration) bool {
	t.Helper()
	ok, err := l.Acquire(ctx, job, owner, ttl)
	must(t, fmt.Sprintf("Acquire(%s, %s)", job, owner), err)
	return ok
}

func leaseOf(ctx context.Context, t *testing.T, l store.Leaser, job string) (store.Lease, bool) {
	t.Helper()
	all, err := l.Leases(ctx)
	must(t, "Leases", err)
	for _, x := range all {
		if x.Job == job {
			return x, true
		}
	}
	return store.Lease{}, false
}

func testLeaseBasics(ctx context.Context, t *testing.T, l store.Leaser) {
	const ttl = time.Minute
	if _, err := l.Acquire(ctx, "j", "a", 0); err == nil {
		t.Error("Acquire with a zero TTL: no error")
	}
	before := time.Now()
	if !acquire(ctx, t, l, "j", "a", ttl) {
		t.Fatal("a could not take a free lease")
	}
	if acquire(ctx, t, l, "j", "b", ttl) {
		t.Fatal("b took the lease a holds")
	}
	if !acquire(ctx, t, l, "j", "a", ttl) {
		t.Error("a could not take its own lease again")
	}
	if err := l.Renew(ctx, "j", "b", ttl); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("b renewing a's lease: err = %v, want ErrLeaseLost", err)
	}
	must(t, "a renewing", l.Renew(ctx, "j", "a", ttl))
	got, ok := leaseOf(ctx, t, l, "j")
	if !ok || got.Owner != "a" || !got.Held(time.Now()) {
		t.Errorf("lease of j = %+v (found %v), want held by a", got, ok)
	}
	if got.ExpiresAt.Before(before.Add(ttl-time.Second)) || got.ExpiresAt.After(time.Now().Add(ttl+time.Second)) {
		t.Errorf("lease expires at %v, want about now + %v", got.ExpiresAt, ttl)
	}
	if got.AcquiredAt.After(got.RenewedAt) || got.AcquiredAt.Before(before.Add(-time.Second)) {
		t.Errorf("acquired %v, renewed %v", got.AcquiredAt, got.RenewedAt)
	}

	// Jobs are independent.
	if !acquire(ctx, t, l, "k", "b", ttl) {
		t.Error("b could not take another job's lease")
	}
	// Releasing someone else's lease does nothing.
	must(t, "b releasing a's lease", l.Release(ctx, "j", "b"))
	if acquire(ctx, t, l, "j", "b", ttl) {
		t.Fatal("b took j after releasing a lease it did not hold")
	}
	must(t, "a releasing", l.Release(ctx, "j", "a"))
	if got, _ := leaseOf(ctx, t, l, "j"); got.Held(time.Now()) {
		t.Errorf("released lease still held: %+v", got)
	}
	if !acquire(ctx, t, l, "j", "b", ttl) {
		t.Fatal("b could not take a released lease")
	}
	if err := l.Renew(ctx, "j", "a", ttl); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("a renewing after b took over: err = %v, want ErrLeaseLost", err)
	}
	if err := l.Renew(ctx, "nojob", "a", ttl); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("renewing a lease never taken: err = %v, want ErrLeaseLost", err)
	}
	all, err := l.Leases(ctx)
	must(t, "Leases", err)
	owners := map[string]string{}
	for _, x := range all {
		owners[x.Job] = x.Owner
	}
	if len(all) != 2 || owners["j"] != "b" || owners["k"] != "b" {
		t.Errorf("Leases = %+v, want j and k held by b", all)
	}
}

func testLeaseExpiry(ctx context.Context, t *testing.T, l store.Leaser) {
	const ttl = 600 * time.Millisecond
	start := time.Now()
	if !acquire(ctx, t, l, "j", "a", ttl) {
		t.Fatal("a could not take a free lease")
	}
	got := acquire(ctx, t, l, "j", "b", ttl)
	if got && time.Since(start) < ttl/2 {
		t.Fatal("b took a's lease before it expired")
	}
	lease, _ := leaseOf(ctx, t, l, "j")
	time.Sleep(time.Until(lease.ExpiresAt) + 50*time.Millisecond)
	if err := l.Renew(ctx, "j", "a", ttl); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("a renewing an expired lease: err = %v, want ErrLeaseLost", err)
	}
	if !acquire(ctx, t, l, "j", "b", time.Minute) {
		t.Fatal("b could not take an expired lease")
	}
	if acquire(ctx, t, l, "j", "a", time.Minute) {
		t.Error("a took the lease back from b")
	}
	if err := l.Renew(ctx, "j", "a", ttl); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("a renewing after b took over: err = %v, want ErrLeaseLost", err)
	}
}

// testLeaseRace has several owners race for one lease: first free, then
// released, then expired. Exactly one wins each round.
func testLeaseRace(ctx context.Context, t *testing.T, l store.Leaser) {
	const owners = 6
	round := func(name string, ttl time.Duration) string {
		t.Helper()
		winners := race(t, name+": Acquire", owners,
			func(i int) string { return fmt.Sprintf("o%d", i) },
			func(_ int, owner string) (bool, error) { return l.Acquire(ctx, "race", owner, ttl) })
		if len(winners) != 1 {
			t.Fatalf("%s: winners %v, want exactly one", name, winners)
		}
		if got, _ := leaseOf(ctx, t, l, "race"); got.Owner != winners[0] {
			t.Errorf("%s: stored owner %q, winner %q", name, got.Owner, winners[0])
		}
		return winners[0]
	}
	w := round("free lease", time.Minute)
	for i := range 3 {
		must(t, "Release", l.Release(ctx, "race", w))
		w = round(fmt.Sprintf("released lease, round %d", i+1), time.Minute)
	}
	// An expired lease (the holder died): take it with a short TTL, wait.
	must(t, "Release", l.Release(ctx, "race", w))
	if !acquire(ctx, t, l, "race", "o0", 300*time.Millisecond) {
		t.Fatal("o0 could not take a released lease")
	}
	lease, _ := leaseOf(ctx, t, l, "race")
	time.Sleep(time.Until(lease.ExpiresAt) + 50*time.Millisecond)
	round("expired lease", time.Minute)
}
