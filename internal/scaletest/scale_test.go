package scaletest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/all"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/frontier"
	"github.com/nanoscout/nanoscout/internal/ferrettest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/mongo"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

var ferretURI string

// workerEnv, set to a config file, makes the test binary a worker process:
// what `nanoscout worker --once` does with that config.
const workerEnv = "NANOSCOUT_SCALETEST_WORKER"

func TestMain(m *testing.M) {
	if path := os.Getenv(workerEnv); path != "" {
		os.Exit(workerMain(path))
	}
	os.Exit(ferrettest.Main(m, &ferretURI))
}

func workerMain(path string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "worker:", err); return 1 }
	cfg, err := config.Load(path, os.Getenv)
	if err != nil {
		return fail(err)
	}
	cfg.Distributed.Enabled = true
	var st store.Store
	if cfg.Mongo.URI != "" {
		st, err = mongo.Open(ctx, cfg.Mongo.URI, cfg.Mongo.Database)
	} else {
		st, err = sqlite.Open(ctx, cfg.DataDir)
	}
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := pipeline.New(cfg, st, pipeline.WithLogger(log))
	if err != nil {
		return fail(err)
	}
	if err := p.Work(ctx, true); err != nil {
		return fail(err)
	}
	return 0
}

var dbs atomic.Int64

// world is one simulator (per-client limits) and the config that points at it.
type world struct {
	sim   *simulator.Server
	url   string
	seeds map[string][]string
}

// platforms of the tests: 15 creators each, all of them seeds, so that a
// single-process run (which would snowball from seeds below max_creators)
// and a distributed one (which does not) set out to collect the same ones.
var platforms = []string{"bluesky", "mastodon"}

const perPlatform = 15

func newWorld(t testing.TB, faults string, limit simulator.Limit) *world {
	t.Helper()
	f, err := simulator.ParseFaults(faults)
	if err != nil {
		t.Fatal(err)
	}
	opts := simulator.Options{Seed: 14, Creators: 200, Faults: f, PerClientLimits: true}
	if limit.Requests > 0 {
		opts.Limits = map[string]simulator.Limit{}
		for _, p := range append(slices.Clone(platforms), "youtube") {
			opts.Limits[p] = limit
		}
	}
	sim := simulator.New(opts)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	w := &world{sim: sim, url: srv.URL, seeds: map[string][]string{}}
	for _, p := range platforms {
		w.seeds[p] = sim.Population().SeedHandles(p, perPlatform)
	}
	return w
}

// cfgOpts vary the config of a test.
type cfgOpts struct {
	db          string // a database on the embedded FerretDB
	dataDir     string // or SQLite in this directory, shared by the processes
	distributed bool
	rate        float64 // per platform, per process
	claimTTL    time.Duration
	platforms   []string
	extra       string // appended under platforms:
}

func (w *world) config(t testing.TB, o cfgOpts) string {
	t.Helper()
	if o.rate == 0 {
		o.rate = 300
	}
	if o.claimTTL == 0 {
		o.claimTTL = 5 * time.Second
	}
	if o.platforms == nil {
		o.platforms = platforms
	}
	var b strings.Builder
	if o.dataDir != "" {
		fmt.Fprintf(&b, "data_dir: %q\n", o.dataDir)
	} else {
		fmt.Fprintf(&b, "mongo:\n  uri: %q\n  database: %s\n", ferretURI, o.db)
	}
	fmt.Fprintf(&b, `concurrency: 2
refresh_after: 0s
audience:
  sample: 0
distributed:
  enabled: %v
  work: false
  batch_size: 4
  claim_ttl: %s
  poll: 300ms
  quota_chunk: 50
platforms:
`, o.distributed, o.claimTTL)
	for _, p := range []string{"bluesky", "mastodon"} {
		on := slices.Contains(o.platforms, p)
		fmt.Fprintf(&b, `  %s:
    enabled: %v
    base_url: %s/%s
    rate_per_second: %g
    burst: 2
    timeout: 10s
    max_retries: 3
    max_retry_wait: 10s
    max_creators: %d
    posts: 5
    thread_posts: 0
    seeds: [%s]
`, p, on, w.url, p, o.rate, perPlatform, strings.Join(w.seeds[p], ", "))
	}
	b.WriteString(o.extra)
	path := filepath.Join(t.TempDir(), "nanoscout.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func loadConfig(t testing.TB, path string) config.Config {
	t.Helper()
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openDB(t testing.TB, name string) *mongo.Store {
	t.Helper()
	st, err := mongo.Open(context.Background(), ferretURI, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newDB() string { return fmt.Sprintf("scale_%d_%d", os.Getpid(), dbs.Add(1)) }

// workerProc is a worker process.
type workerProc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startWorker runs the test binary as a worker on the config at path, with
// its own client identity.
func startWorker(t testing.TB, path, client string, env ...string) *workerProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+path, "NANOSCOUT_CLIENT_ID="+client)
	cmd.Env = append(cmd.Env, env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &workerProc{cmd: cmd, out: out, done: make(chan error, 1)}
	go func() { w.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-w.done
		if t.Failed() {
			t.Logf("worker %s (pid %d) output:\n%s", client, cmd.Process.Pid, out.String())
		}
	})
	return w
}

// is tells whether name is this worker's name on a run (host:pid-RANDOM).
func (w *workerProc) is(name string) bool {
	host, _ := os.Hostname()
	return strings.HasPrefix(name, fmt.Sprintf("%s:%d-", host, w.cmd.Process.Pid))
}

func (w *workerProc) wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-w.done:
		w.done <- err
		return err
	case <-time.After(d):
		t.Fatalf("worker %d still running after %v:\n%s", w.cmd.Process.Pid, d, w.out.String())
		return nil
	}
}

// ranking is a platform's ranked creators: key → (tier, rank).
type ranking map[string]string

func rankings(t testing.TB, st store.Store) map[string]ranking {
	t.Helper()
	out := map[string]ranking{}
	for _, p := range platforms {
		recs, err := st.Top(context.Background(), store.TopQuery{Platform: p, Limit: 1000, WithoutBreakdown: true})
		if err != nil {
			t.Fatal(err)
		}
		r := ranking{}
		for _, rec := range recs {
			r[rec.Key] = fmt.Sprintf("%s#%d", rec.Score.Tier, rec.Score.Rank)
		}
		out[p] = r
	}
	return out
}

func openSQLite(t testing.TB, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// singleRun is the reference: one process, no workers, on its own database
// (FerretDB, or SQLite with sqlite).
func singleRun(t testing.TB, w *world, sqlite bool) map[string]ranking {
	t.Helper()
	o := cfgOpts{db: newDB()}
	var st store.Store
	if sqlite {
		o.dataDir = t.TempDir()
		st = openSQLite(t, o.dataDir)
	} else {
		st = openDB(t, o.db)
	}
	p, err := pipeline.New(loadConfig(t, w.config(t, o)), st)
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != model.RunSucceeded {
		t.Fatalf("single-process run %s: %+v", run.Status, run.Errors)
	}
	return rankings(t, st)
}

// coordinate runs the coordinator (work: false) in this process.
func coordinate(t testing.TB, path string, st store.Store) (model.Run, error) {
	t.Helper()
	p, err := pipeline.New(loadConfig(t, path), st)
	if err != nil {
		t.Fatal(err)
	}
	// Bounded, so that a run whose workers all died fails the test (with
	// their output) instead of waiting for them forever.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return p.Run(ctx)
}

// checkRun: every creator of the run collected exactly once, and the ranks
// are those of the single-process run.
func checkRun(t *testing.T, run model.Run, st store.Store, want map[string]ranking) {
	t.Helper()
	total := 0
	for _, p := range platforms {
		s := run.Platforms[p]
		if s == nil || s.Collected != perPlatform || s.Failed != 0 || s.Scored != perPlatform {
			t.Errorf("%s: run stats %+v, want %d collected and scored", p, s, perPlatform)
		}
		total += perPlatform
	}
	creators, dups := 0, 0
	for _, wk := range run.Workers {
		creators += wk.Creators
		dups += wk.Duplicates
	}
	if creators != total || dups != 0 {
		t.Errorf("workers collected %d creators (%d twice), want %d once each: %+v", creators, dups, total, run.Workers)
	}
	got := rankings(t, st)
	for _, p := range platforms {
		if len(want[p]) != perPlatform {
			t.Fatalf("the single-process run ranked %d %s creators, want %d", len(want[p]), p, perPlatform)
		}
		for key, r := range want[p] {
			if got[p][key] != r {
				t.Errorf("%s %s: rank %q distributed, %q in one process", p, key, got[p][key], r)
			}
		}
		if len(got[p]) != len(want[p]) {
			t.Errorf("%s: %d ranked distributed, %d in one process", p, len(got[p]), len(want[p]))
		}
	}
}

// TestThreeWorkersCollectEveryCreatorOnce: a coordinator and three worker
// processes on one FerretDB and one simulator (each worker with its own
// client identity and budget): every creator of the run is collected
// exactly once and the ranks equal those of a single-process run.
func TestThreeWorkersCollectEveryCreatorOnce(t *testing.T) {
	w := newWorld(t, "", simulator.Limit{})
	want := singleRun(t, w, false)

	db := newDB()
	path := w.config(t, cfgOpts{db: db, distributed: true, rate: 100})
	st := openDB(t, db)
	var ws []*workerProc
	for i := range 3 {
		ws = append(ws, startWorker(t, path, fmt.Sprintf("worker-%d", i+1)))
	}
	run, err := coordinate(t, path, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, wp := range ws {
		if err := wp.wait(t, time.Minute); err != nil {
			t.Errorf("worker exited with %v:\n%s", err, wp.out.String())
		}
	}
	if run.Status != model.RunSucceeded {
		t.Errorf("run %s: %+v", run.Status, run.Errors)
	}
	checkRun(t, run, st, want)
	if len(run.Workers) != 3 {
		t.Fatalf("run records %d workers, want 3: %+v", len(run.Workers), run.Workers)
	}
	for i, wk := range run.Workers {
		if !strings.HasPrefix(wk.Client, "worker-") || wk.Batches == 0 {
			t.Errorf("worker %d: %+v", i, wk)
		}
	}
	// The workers' requests reached the simulator under their own names.
	if saved, err := st.Run(context.Background(), run.ID); err != nil || len(saved.Workers) != 3 {
		t.Errorf("stored run: %d workers, %v", len(saved.Workers), err)
	}
	if open, err := frontier.OpenRuns(context.Background(), st); err != nil || len(open) != 0 {
		t.Errorf("runs left open: %v %v", open, err)
	}
	// The finished run's markers are pruned; its counts are on the run.
	if s, err := frontier.RunStatus(context.Background(), st, run.ID); err != nil || s.Batches != 0 || s.Collected != 0 {
		t.Errorf("markers left after the run: %+v %v", s, err)
	}
}

// TestKilledWorkerBatchesFinishedByOthers: kill -9 of a worker holding a
// claim; after the claim lapses the other workers finish its batch; nothing
// is lost or collected twice; the run records the dead worker.
//
// The processes share SQLite (one machine, one data directory), not the
// embedded FerretDB: a client killed in the middle of a query leaves
// FerretDB v1's SQLite backend holding that query's connection, and every
// later operation on the database waits for it (seen here: the
// coordinator's next insert never returned). Real MongoDB closes a dead
// client's operations; test (a) covers the workers on FerretDB.
func TestKilledWorkerBatchesFinishedByOthers(t *testing.T) {
	w := newWorld(t, "latency=15ms", simulator.Limit{})
	want := singleRun(t, w, true)

	dir := t.TempDir()
	path := w.config(t, cfgOpts{dataDir: dir, distributed: true, rate: 40, claimTTL: 2 * time.Second})
	st := openSQLite(t, dir)
	ctx := context.Background()
	// The victim is slow (its own config: 2 requests a second), so it is
	// sure to be in the middle of a batch when it is killed.
	victim := startWorker(t, w.config(t, cfgOpts{dataDir: dir, distributed: true, rate: 2, claimTTL: 2 * time.Second}), "victim")
	var others []*workerProc
	for i := range 2 {
		others = append(others, startWorker(t, path, fmt.Sprintf("worker-%d", i+1)))
	}
	type result struct {
		run model.Run
		err error
	}
	res := make(chan result, 1)
	go func() {
		p, err := pipeline.New(loadConfig(t, path), st)
		if err != nil {
			res <- result{err: err}
			return
		}
		run, err := p.Run(ctx)
		res <- result{run, err}
	}()

	// Kill the victim once it holds a claim and has collected a creator.
	deadline := time.Now().Add(time.Minute)
	killed := ""
	for killed == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the victim never held a claim with a creator collected:\n%s", victim.out.String())
		}
		time.Sleep(20 * time.Millisecond)
		runs, err := frontier.OpenRuns(ctx, st)
		if err != nil || len(runs) == 0 {
			continue
		}
		s, err := frontier.RunStatus(ctx, st, runs[0])
		if err != nil {
			continue
		}
		finished := false
		for name, ws := range s.Workers {
			finished = finished || victim.is(name) && ws.Creators > 0
		}
		if !finished {
			continue
		}
		held, err := frontier.Held(ctx, st, runs[0])
		if err != nil {
			t.Fatal(err)
		}
		for id, owners := range held {
			if slices.ContainsFunc(owners, victim.is) {
				if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = id
				break
			}
		}
	}
	t.Logf("killed pid %d holding %s", victim.cmd.Process.Pid, killed)
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, wp := range others {
		if err := wp.wait(t, time.Minute); err != nil {
			t.Errorf("worker exited with %v", err)
		}
	}
	checkRun(t, r.run, st, want)
	var dead *model.RunWorker
	for i, wk := range r.run.Workers {
		if victim.is(wk.Name) {
			dead = &r.run.Workers[i]
		}
	}
	if dead == nil || dead.Lost < 1 || dead.Creators < 1 || dead.Client != "victim" {
		t.Errorf("the run does not record the dead worker with its lost batch: %+v", r.run.Workers)
	}
}
