package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// testClaimFire: the first claim of a fire wins, every later one (the
// winner's included) loses; fires differ by job and by nominal time, to the
// microsecond; the stored claim names the winner.
func testClaimFire(ctx context.Context, t *testing.T, s store.Store) {
	at := t0.Add(123456 * time.Microsecond)
	if _, err := s.ClaimFire(ctx, "", at, "a"); err == nil {
		t.Error("ClaimFire without a job: no error")
	}
	if _, err := s.ClaimFire(ctx, "j", time.Time{}, "a"); err == nil {
		t.Error("ClaimFire without a time: no error")
	}
	if _, err := s.Fire(ctx, "j", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Fire before any claim: err = %v, want ErrNotFound", err)
	}
	claim := func(job string, at time.Time, owner string) bool {
		t.Helper()
		ok, err := s.ClaimFire(ctx, job, at, owner)
		must(t, fmt.Sprintf("ClaimFire(%s, %v, %s)", job, at, owner), err)
		return ok
	}
	if !claim("j", at, "a") {
		t.Fatal("the first claim of a fire lost")
	}
	if claim("j", at, "b") {
		t.Error("a second owner claimed a claimed fire")
	}
	if claim("j", at, "a") {
		t.Error("the winner claimed its fire twice")
	}
	// The same instant in another zone is the same fire.
	if claim("j", at.In(time.FixedZone("x", 3600)), "b") {
		t.Error("the same fire in another time zone was claimed again")
	}
	if !claim("j", at.Add(time.Microsecond), "b") {
		t.Error("the fire a microsecond later could not be claimed")
	}
	if !claim("k", at, "b") {
		t.Error("another job's fire at the same time could not be claimed")
	}
	f, err := s.Fire(ctx, "j", at)
	must(t, "Fire", err)
	if f.Job != "j" || !f.At.Equal(at) || f.Owner != "a" || f.ClaimedAt.IsZero() {
		t.Errorf("Fire = %+v, want j at %v claimed by a", f, at)
	}
}

// testClaimFireRace has several claimers race for each of a few fires, the
// way daemons sharing a store all wake at the same nominal time: exactly one
// wins each fire.
func testClaimFireRace(ctx context.Context, t *testing.T, s store.Store) {
	RaceFires(ctx, t, []store.FireClaimer{s}, 8, 5)
}

// RaceFires races claimers (spread over the given stores, which share one
// database) for rounds fires and checks that each has exactly one winner
// and that the stored claim names it. Backends call it with several stores
// on one database too (two processes, two machines).
func RaceFires(ctx context.Context, t *testing.T, stores []store.FireClaimer, claimers, rounds int) {
	t.Helper()
	for round := range rounds {
		at := t0.Add(time.Duration(round) * time.Minute)
		winners := race(t, fmt.Sprintf("round %d: ClaimFire", round), claimers,
			func(i int) string { return fmt.Sprintf("d%d", i) },
			func(i int, owner string) (bool, error) {
				return stores[i%len(stores)].ClaimFire(ctx, "race", at, owner)
			})
		if len(winners) != 1 {
			t.Fatalf("round %d: %d claimers of one fire won (%v), want exactly one", round, len(winners), winners)
		}
		f, err := stores[0].Fire(ctx, "race", at)
		must(t, "Fire", err)
		if f.Owner != winners[0] {
			t.Errorf("round %d: stored claim by %q, winner %q", round, f.Owner, winners[0])
		}
	}
}
