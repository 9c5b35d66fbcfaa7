package frontier

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/internal/ferrettest"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/mongo"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

func openSQLite(t *testing.T) Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var ferretURI string

func TestMain(m *testing.M) { os.Exit(ferrettest.Main(m, &ferretURI)) }

var dbs atomic.Int64

// openFerret opens a fresh database on the shared embedded FerretDB.
func openFerret(t *testing.T) Store {
	t.Helper()
	s, err := mongo.Open(t.Context(), ferretURI, fmt.Sprintf("frontier_%d", dbs.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("bluesky:c%03d", i)
	}
	return out
}

func TestFrontier(t *testing.T) {
	for name, open := range map[string]func(*testing.T) Store{"SQLite": openSQLite, "FerretDB": openFerret} {
		t.Run(name, func(t *testing.T) {
			t.Run("WorkersShareARun", func(t *testing.T) { testShare(t, open(t)) })
			t.Run("DeadWorkersBatchesGoBack", func(t *testing.T) { testDeadWorker(t, open(t)) })
		})
	}
}

// testShare: three workers drain a frontier; every creator is collected
// exactly once and the status adds up.
func testShare(t *testing.T, st Store) {
	ctx := t.Context()
	ks := keys(40)
	n, err := Seed(ctx, st, "run1", "bluesky", ks, 5, "coordinator")
	if err != nil || n != 8 {
		t.Fatalf("Seed = %d, %v", n, err)
	}
	if n, err := Seed(ctx, st, "run1", "bluesky", ks, 5, "coordinator"); err != nil || n != 8 {
		t.Fatalf("Seed again = %d, %v", n, err)
	}
	if bs, _ := Batches(ctx, st, "run1"); len(bs) != 8 {
		t.Fatalf("seeding twice gave %d batches", len(bs))
	}
	var mu sync.Mutex
	collected := map[string]int{}
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := NewWorker(st, "run1", fmt.Sprintf("w%d", i), 5*time.Second)
			for {
				b, ok, err := w.Claim(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				s := Stats{Requests: int64(len(b.Keys))}
				for _, k := range b.Keys {
					won, err := w.Take(ctx, k)
					if err != nil {
						t.Error(err)
						return
					}
					if won {
						mu.Lock()
						collected[k]++
						mu.Unlock()
						s.Creators++
					}
				}
				if err := w.Done(ctx, b, s); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, k := range ks {
		if collected[k] != 1 {
			t.Errorf("%s collected %d times", k, collected[k])
		}
	}
	st2, err := RunStatus(ctx, st, "run1")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, w := range st2.Workers {
		total += w.Creators
	}
	if !st2.Drained() || st2.Batches != 8 || st2.Collected != 40 || total != 40 {
		t.Errorf("status = %+v", st2)
	}
	if err := Prune(ctx, st, "run1"); err != nil {
		t.Fatal(err)
	}
	if st3, _ := RunStatus(ctx, st, "run1"); st3.Batches != 0 || st3.Collected != 0 {
		t.Errorf("after prune: %+v", st3)
	}
}

// testDeadWorker: a worker takes a batch, collects two creators and dies
// (no heartbeat, no Done). Until its claim lapses nobody else gets the batch;
// afterwards another worker finishes it, skipping the two collected.
func testDeadWorker(t *testing.T, st Store) {
	ctx := t.Context()
	if _, err := Seed(ctx, st, "run2", "bluesky", keys(6), 6, "c"); err != nil {
		t.Fatal(err)
	}
	const ttl = 400 * time.Millisecond
	dead := NewWorker(st, "run2", "dead", ttl)
	b, ok, err := dead.Claim(ctx)
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	for _, k := range b.Keys[:2] {
		if won, err := dead.Take(ctx, k); err != nil || !won {
			t.Fatalf("take %s: %v %v", k, won, err)
		}
	}
	live := NewWorker(st, "run2", "live", ttl)
	if _, ok, err := live.Claim(ctx); err != nil || ok {
		t.Fatalf("a held batch was claimed again: %v %v", ok, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var got Batch
	for {
		b, ok, err := live.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			got = b
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dead worker's batch never came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	s := Stats{}
	for _, k := range got.Keys {
		c, err := live.Collected(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if c {
			s.Skipped++
			continue
		}
		if won, err := live.Take(ctx, k); err != nil || !won {
			t.Fatalf("take %s: %v %v", k, won, err)
		}
		s.Creators++
	}
	if s.Skipped != 2 || s.Creators != 4 {
		t.Errorf("live worker: %+v", s)
	}
	// The dead worker wakes up: its claim is gone.
	if err := dead.Heartbeat(ctx, b); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("heartbeat of a lapsed claim: %v", err)
	}
	if err := live.Done(ctx, got, s); err != nil {
		t.Fatal(err)
	}
	if err := dead.Done(ctx, b, Stats{}); !errors.Is(err, ErrNotHeld) {
		t.Errorf("Done of a lapsed claim: %v", err)
	}
	status, err := RunStatus(ctx, st, "run2")
	if err != nil {
		t.Fatal(err)
	}
	// The dead worker is listed with the batch it lost.
	if !status.Drained() || status.Collected != 6 || status.Workers["live"].Skipped != 2 || status.Workers["live"].Batches != 1 ||
		len(status.Workers) != 2 || status.Workers["dead"].Lost != 1 || status.Workers["live"].Lost != 0 {
		t.Errorf("status = %+v", status)
	}
}
