package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/frontier"
	"github.com/nanoscout/nanoscout/store"
)

// RunClaims checks what distributed runs build on leases and markers
// (package frontier): work claims taken by racing workers, a lapsed claim
// going back to the pool, a stopped platform draining, and quota
// reservations by racing workers never passing the day's limit.
func RunClaims(t *testing.T, open func(t *testing.T) store.Store) {
	runSuite(t, open, []testCase[frontier.Store]{
		{"ClaimsRaceEveryCreatorOnce", testClaimsRace},
		{"LapsedClaimGoesBack", testClaimLapses},
		{"StoppedPlatformDrains", testStoppedPlatform},
		{"QuotaReservationsRace", testQuotaRace},
	})
}

func claimKeys(platform string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s:c%03d", platform, i)
	}
	return out
}

// testClaimsRace: four workers drain 24 creators in batches of 3 at once;
// every creator is taken exactly once and the status adds up.
func testClaimsRace(ctx context.Context, t *testing.T, st frontier.Store) {
	if _, err := frontier.Seed(ctx, st, "r1", "bluesky", claimKeys("bluesky", 24), 3, "coord"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	took := map[string]int{}
	var wg sync.WaitGroup
	for i := range 4 {
		w := frontier.NewWorker(st, "r1", fmt.Sprintf("w%d", i), time.Minute)
		wg.Go(func() {
			for {
				b, ok, err := w.Claim(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				s := frontier.Stats{}
				for _, k := range b.Keys {
					won, err := w.Take(ctx, k)
					if err != nil {
						t.Error(err)
						return
					}
					if won {
						s.Creators++
						mu.Lock()
						took[k]++
						mu.Unlock()
					}
				}
				if err := w.Done(ctx, b, s); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, k := range claimKeys("bluesky", 24) {
		if took[k] != 1 {
			t.Errorf("%s taken %d times, want 1", k, took[k])
		}
	}
	s, err := frontier.RunStatus(ctx, st, "r1")
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, w := range s.Workers {
		sum += w.Creators
	}
	if !s.Drained() || s.Done != 8 || s.Collected != 24 || sum != 24 || s.Platforms["bluesky"].Creators != 24 {
		t.Errorf("status %+v", s)
	}
}

// testClaimLapses: a claim not renewed lapses; another worker takes the
// batch, skips what the first recorded, and the first is listed with the
// batch it lost.
func testClaimLapses(ctx context.Context, t *testing.T, st frontier.Store) {
	if _, err := frontier.Seed(ctx, st, "r2", "mastodon", claimKeys("mastodon", 4), 4, "coord"); err != nil {
		t.Fatal(err)
	}
	dead := frontier.NewWorker(st, "r2", "dead", 300*time.Millisecond)
	b, ok, err := dead.Claim(ctx)
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if _, err := dead.Take(ctx, b.Keys[0]); err != nil {
		t.Fatal(err)
	}
	live := frontier.NewWorker(st, "r2", "live", time.Minute)
	if _, ok, _ := live.Claim(ctx); ok {
		t.Fatal("a held claim was given twice")
	}
	held, err := frontier.Held(ctx, st, "r2")
	if err != nil || len(held[b.ID]) != 1 || held[b.ID][0] != "dead" {
		t.Errorf("Held = %v, %v", held, err)
	}
	var got frontier.Batch
	for deadline := time.Now().Add(10 * time.Second); ; {
		if got, ok, err = live.Claim(ctx); err != nil {
			t.Fatal(err)
		} else if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lapsed claim never came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	s := frontier.Stats{}
	for _, k := range got.Keys {
		if c, err := live.Collected(ctx, k); err != nil {
			t.Fatal(err)
		} else if c {
			s.Skipped++
			continue
		}
		if won, err := live.Take(ctx, k); err != nil || !won {
			t.Fatalf("take %s: %v %v", k, won, err)
		}
	}
	if err := live.Done(ctx, got, s); err != nil {
		t.Fatal(err)
	}
	st2, err := frontier.RunStatus(ctx, st, "r2")
	if err != nil {
		t.Fatal(err)
	}
	if !st2.Drained() || s.Skipped != 1 || st2.Workers["dead"].Lost != 1 || st2.Workers["dead"].Creators != 1 || st2.Workers["live"].Creators != 3 {
		t.Errorf("skipped %d; status %+v", s.Skipped, st2)
	}
}

// testStoppedPlatform: a stopped platform's batches are not claimed and the
// run drains without them; the first reason is kept.
func testStoppedPlatform(ctx context.Context, t *testing.T, st frontier.Store) {
	for _, p := range []string{"youtube", "bluesky"} {
		if _, err := frontier.Seed(ctx, st, "r3", p, claimKeys(p, 4), 2, "coord"); err != nil {
			t.Fatal(err)
		}
	}
	if err := frontier.Open(ctx, st, "r3", "coord"); err != nil {
		t.Fatal(err)
	}
	if runs, err := frontier.OpenRuns(ctx, st); err != nil || len(runs) != 1 || runs[0] != "r3" {
		t.Errorf("OpenRuns = %v, %v", runs, err)
	}
	for _, why := range []string{"quota exhausted", "later"} {
		if err := frontier.StopPlatform(ctx, st, "r3", "youtube", why, "w"); err != nil {
			t.Fatal(err)
		}
	}
	w := frontier.NewWorker(st, "r3", "w", time.Minute)
	for {
		b, ok, err := w.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if b.Platform != "bluesky" {
			t.Fatalf("claimed %s of a stopped platform", b.ID)
		}
		if err := w.Done(ctx, b, frontier.Stats{}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := frontier.RunStatus(ctx, st, "r3")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Drained() || s.Done != 2 || s.Stopped["youtube"] != "quota exhausted" {
		t.Errorf("status %+v", s)
	}
	if err := frontier.Close(ctx, st, "r3", "coord"); err != nil {
		t.Fatal(err)
	}
	if runs, err := frontier.OpenRuns(ctx, st); err != nil || len(runs) != 0 {
		t.Errorf("OpenRuns after Close = %v, %v", runs, err)
	}
}

// testQuotaRace: eight workers on one key reserve chunks at once until the
// day is spent: exactly limit/chunk chunks are granted in all.
func testQuotaRace(ctx context.Context, t *testing.T, st frontier.Store) {
	const limit, chunk = 100, 10
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	granted := 0
	var wg sync.WaitGroup
	for i := range 8 {
		q, err := frontier.NewQuota(st, fmt.Sprintf("w%d", i), "youtube", "the-key", limit, chunk)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for {
				units, ok, err := q.Reserve(ctx, now)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				granted += units
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	q, _ := frontier.NewQuota(st, "reader", "youtube", "the-key", limit, chunk)
	if n, err := q.Reserved(ctx, now); granted != limit || err != nil || n != limit {
		t.Errorf("granted %d units, Reserved = %d (%v); want exactly %d", granted, n, err, limit)
	}
	// Another key and the next day have their own budgets.
	other, _ := frontier.NewQuota(st, "w", "youtube", "another-key", limit, chunk)
	if _, ok, err := other.Reserve(ctx, now); !ok || err != nil {
		t.Errorf("another key: %v %v", ok, err)
	}
	if _, ok, err := q.Reserve(ctx, now.Add(24*time.Hour)); !ok || err != nil {
		t.Errorf("the next day: %v %v", ok, err)
	}
}
