package schedule_test

import (
	"context"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/schedule"
	"github.com/nanoscout/nanoscout/store"
)

func TestTwoDaemonsSQLite(t *testing.T) { testTwoDaemons(t, sqlitePair, 8, time.Second) }

// FerretDB scans on every query and can take a second to answer under load
// (the race detector): a longer lease, so heartbeats keep up.
func TestTwoDaemonsFerretDB(t *testing.T) { testTwoDaemons(t, mongoPair, 3, 3*time.Second) }

// testTwoDaemons runs two daemons against one store (two processes sharing a
// data directory, or two machines sharing a MongoDB):
//
//  1. the same pipeline job fires in both at once: exactly one runs, the
//     other is skipped for the lease, and there is one run document;
//  2. the daemon holding the job dies mid-run (its store calls fail from
//     then on, as after SIGKILL): the other is skipped while the dead one's
//     lease lasts, then takes the lease, marks the dead run abandoned and
//     runs the job, which resumes the dead run from its checkpoint.
func testTwoDaemons(t *testing.T, open func(*testing.T) (store.Store, store.Store), maxCreators int, ttl time.Duration) {
	sim, g, url := newSim(t, 200)
	// Phase 2 starts from new seeds, so its run needs requests (creators
	// collected in phase 1 are skipped without any).
	var cfg atomic.Pointer[config.Config]
	c := simConfig(sim.Population(), url, maxCreators, "mastodon")
	cfg.Store(&c)
	stA, stB := open(t)
	mA := newMortal(stA)
	daemon := func(name string, st store.Store) *schedule.Daemon {
		j := never(t)
		j.Name, j.Kind = "crawl", "run"
		j.Do = func(ctx context.Context, env schedule.Env) (schedule.Result, error) {
			return schedule.RunJob(*cfg.Load(), st, "crawl")(ctx, env)
		}
		d, err := schedule.New(st, []schedule.Job{j}, schedule.WithOwner(name), schedule.WithLeaseTTL(ttl),
			schedule.WithLogger(testLogger(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := daemon("A", mA), daemon("B", stB)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	// 1. Both fire at once; the simulator holds the winner's requests, so it
	// still holds the lease when the loser tries.
	type result struct {
		who string
		out schedule.Outcome
	}
	results := make(chan result, 2)
	start := make(chan struct{})
	for who, d := range map[string]*schedule.Daemon{"A": a, "B": b} {
		go func() {
			<-start
			out, err := d.Trigger(ctx, "crawl")
			if err != nil {
				t.Error(err)
			}
			results <- result{who, out}
		}()
	}
	close(start)
	first := <-results
	g.open()
	second := <-results
	if first.out.Ran || first.out.Skipped != schedule.SkipLease {
		t.Fatalf("daemon %s: %+v, want skipped for the lease", first.who, first.out)
	}
	if !second.out.Ran || second.out.Err != nil {
		t.Fatalf("daemon %s: %+v, want it to run", second.who, second.out)
	}
	if first.out.Holder != second.who {
		t.Errorf("skipped for %q's lease, but %s ran", first.out.Holder, second.who)
	}
	runs := runsOf(t, stB, "crawl")
	if len(runs) != 1 || runs[0].ID != second.out.Result.RunID {
		t.Fatalf("%d run documents after both fired, want exactly one (%s)", len(runs), second.out.Result.RunID)
	}
	if s := runs[0].Status; s != model.RunSucceeded && s != model.RunPartial {
		t.Errorf("first run %s", s)
	}
	collected := 0
	for _, s := range runs[0].Platforms {
		collected += s.Collected
	}
	if collected == 0 {
		t.Fatalf("the first run collected nobody: %+v", runs[0].Platforms["mastodon"])
	}

	// 2. A takes the job and dies mid-run.
	c2 := *cfg.Load()
	c2.Platforms = maps.Clone(c2.Platforms)
	pc := c2.Platforms["mastodon"]
	pc.Seeds = sim.Population().SeedHandles("mastodon", 6)[3:]
	c2.Platforms["mastodon"] = pc
	cfg.Store(&c2)
	g.close()
	aDone := make(chan schedule.Outcome, 1)
	checkpointed := mA.nextCheckpoint()
	go func() {
		out, _ := a.Trigger(ctx, "crawl")
		aDone <- out
	}()
	wait(t, ctx, "A's run document with a checkpoint", checkpointed)
	rs := runsOf(t, stB, "crawl")
	if len(rs) != 2 || rs[0].Status != model.RunRunning || rs[0].Owner == "" {
		t.Fatalf("runs once A saved its run: %+v", rs)
	}
	dead := rs[0]
	mA.kill()
	killed := time.Now()
	out, _ := b.Trigger(ctx, "crawl")
	if out.Ran && time.Since(killed) < ttl/2 {
		t.Fatalf("B ran the job %v after A died, while A's lease (TTL %v) still held", time.Since(killed), ttl)
	}
	if !out.Ran && (out.Skipped != schedule.SkipLease || out.Holder != "A") {
		t.Fatalf("B while A's lease lasts: %+v, want skipped for A's lease", out)
	}
	g.open() // A's requests go on; its writes fail: it is dead
	if !out.Ran {
		var err error
		if out, err = takeOver(ctx, b, stB, "crawl"); err != nil || !out.Ran {
			t.Fatalf("B after A's lease lapsed: %+v, %v", out, err)
		}
	}
	if out.Err != nil {
		t.Fatalf("B's run: %v", out.Err)
	}
	runs = runsOf(t, stB, "crawl")
	if len(runs) != 3 {
		t.Fatalf("%d run documents, want 3", len(runs))
	}
	byID := map[string]model.Run{}
	for _, r := range runs {
		byID[r.ID] = r
	}
	if got := byID[dead.ID].Status; got != model.RunAbandoned {
		t.Errorf("the dead daemon's run is %q, want abandoned", got)
	}
	last := byID[out.Result.RunID]
	if last.Status != model.RunSucceeded && last.Status != model.RunPartial {
		t.Errorf("B's run after the takeover: %s %+v", last.Status, last.Errors)
	}
	// The pipeline resumes the abandoned run from its checkpoint.
	if last.ResumedFrom != dead.ID || byID[dead.ID].ResumedBy != last.ID {
		t.Errorf("B's run resumed %q, the dead run was resumed by %q; want %s resumed by %s",
			last.ResumedFrom, byID[dead.ID].ResumedBy, dead.ID, last.ID)
	}
	if last.Platforms["mastodon"] == nil || last.Platforms["mastodon"].Collected == 0 {
		t.Errorf("B's run collected nobody: %+v", last.Platforms["mastodon"])
	}
	select {
	case out := <-aDone:
		if !out.Ran {
			t.Errorf("A's execution: %+v", out)
		}
	case <-time.After(10 * time.Second):
		t.Error("the dead daemon's job never stopped")
	}
}
