package schedule_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/schedule"
	"github.com/nanoscout/nanoscout/store"
)

func TestEachFireOnceSQLite(t *testing.T) { testEachFireOnce(t, sqlitePair) }

func TestEachFireOnceFerretDB(t *testing.T) { testEachFireOnce(t, mongoPair) }

// testEachFireOnce runs two daemons on one store with short jobs on real
// cron specs for a few seconds: "* * * * * *" (every second) with jitter,
// and "@every 2s" with the daemons started 1.2 s apart. A lease only keeps
// runs from overlapping, so before fires were claimed each short job ran
// once per daemon for every fire, and "@every" fired 2 s after each daemon's
// start, on its own phase (B's fires fell between A's). Now every fire runs
// exactly once, on its grid (whole seconds; even seconds for "@every 2s"),
// and its claim names the daemon that ran it.
func testEachFireOnce(t *testing.T, open func(*testing.T) (store.Store, store.Store)) {
	stA, stB := open(t)
	type run struct {
		daemon string
		fire   time.Time
	}
	var mu sync.Mutex
	runs := map[string][]run{}
	job := func(name, spec string, jitter time.Duration, daemon string) schedule.Job {
		s, err := schedule.ParseSpec(spec, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return schedule.Job{Name: name, Kind: "test", Spec: spec, Schedule: s, Jitter: jitter,
			Do: func(ctx context.Context, env schedule.Env) (schedule.Result, error) {
				mu.Lock()
				runs[name] = append(runs[name], run{daemon, env.Fire})
				mu.Unlock()
				return schedule.Result{Status: model.RunSucceeded}, nil
			}}
	}
	start := func(ctx context.Context, name string, st store.Store) <-chan error {
		d, err := schedule.New(st, []schedule.Job{
			job("cron", "* * * * * *", 300*time.Millisecond, name),
			job("every", "@every 2s", 0, name),
		}, schedule.WithOwner(name), schedule.WithLogger(testLogger(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		return done
	}
	ctx, cancel := context.WithCancel(t.Context())
	first := time.Now()
	doneA := start(ctx, "A", stA)
	time.Sleep(1200 * time.Millisecond) // B's "@every" would be a second off A's
	doneB := start(ctx, "B", stB)
	time.Sleep(4300 * time.Millisecond)
	cancel()
	for _, done := range []<-chan error{doneA, doneB} {
		if err := <-done; err != nil {
			t.Fatalf("daemon: %v", err)
		}
	}
	last := time.Now()
	mu.Lock()
	defer mu.Unlock()
	for name, grid := range map[string]time.Duration{"cron": time.Second, "every": 2 * time.Second} {
		// At most one fire per grid point in [first, last].
		maxFires := int(last.Truncate(grid).Sub(first.Truncate(grid))/grid) + 1
		byFire := map[time.Time][]string{}
		for _, r := range runs[name] {
			if r.fire.IsZero() || !r.fire.Equal(r.fire.Truncate(grid)) {
				t.Errorf("%s: daemon %s ran a fire at %v, want a multiple of %v", name, r.daemon, r.fire, grid)
			}
			byFire[r.fire] = append(byFire[r.fire], r.daemon)
		}
		if len(byFire) < 2 {
			t.Errorf("%s: %d fires in %v, want at least 2", name, len(byFire), last.Sub(first))
		}
		if len(runs[name]) > maxFires {
			t.Errorf("%s: %d runs in %v (at most %d fires)", name, len(runs[name]), last.Sub(first), maxFires)
		}
		for at, daemons := range byFire {
			if len(daemons) != 1 {
				t.Errorf("%s: the fire at %v ran %d times (daemons %v), want once", name, at.Format(time.StampMilli), len(daemons), daemons)
				continue
			}
			f, err := stA.Fire(context.Background(), name, at)
			if err != nil {
				t.Errorf("%s: the claim of the fire at %v: %v", name, at, err)
			} else if f.Owner != daemons[0] {
				t.Errorf("%s: the fire at %v was claimed by %s but run by %s", name, at, f.Owner, daemons[0])
			}
		}
		t.Logf("%s: %d fires, %s", name, len(byFire), fmt.Sprint(byFire))
	}
}
