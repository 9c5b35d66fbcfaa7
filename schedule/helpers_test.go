package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/all"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/internal/ferrettest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/schedule"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/mongo"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// ferretURI is the embedded FerretDB TestMain starts for the MongoDB tests.
var ferretURI string

func TestMain(m *testing.M) { os.Exit(ferrettest.Main(m, &ferretURI)) }

// testLogger writes to the test's log (shown on failure or with -v).
func testLogger(t *testing.T, name string) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})).With("daemon", name)
}

// sqlitePair opens two stores on one data directory: two daemons on one
// machine.
func sqlitePair(t *testing.T) (store.Store, store.Store) {
	dir := t.TempDir()
	var out [2]store.Store
	for i := range out {
		s, err := sqlite.Open(t.Context(), dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}

var dbSeq atomic.Int64

// mongoPair opens two clients on one FerretDB database: two daemons on two
// machines sharing one MongoDB.
func mongoPair(t *testing.T) (store.Store, store.Store) {
	name := fmt.Sprintf("schedtest_%d_%d", os.Getpid(), dbSeq.Add(1))
	var out [2]*mongo.Store
	for i := range out {
		s, err := mongo.Open(t.Context(), ferretURI, name)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = out[0].Database().Drop(ctx)
		out[0].Close()
		out[1].Close()
	})
	return out[0], out[1]
}

// gate holds the simulator's requests while closed, so a test decides when
// a run may make progress.
type gate struct {
	h  http.Handler
	mu sync.Mutex
	ch chan struct{}
}

func newGate(h http.Handler) *gate { return &gate{h: h, ch: make(chan struct{})} }

func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.ch:
	default:
		close(g.ch)
	}
}

func (g *gate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.ch:
		g.ch = make(chan struct{})
	default:
	}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	ch := g.ch
	g.mu.Unlock()
	select {
	case <-ch:
	case <-r.Context().Done():
		return
	}
	g.h.ServeHTTP(w, r)
}

// simConfig points the named simulated platforms at baseURL, as the demo does.
func simConfig(pop *simulator.Population, baseURL string, maxCreators int, platforms ...string) config.Config {
	cfg := config.Default()
	cfg.Platforms = map[string]collectors.PlatformConfig{}
	for _, name := range platforms {
		pc := config.Default().Platforms[name]
		pc.Enabled = true
		pc.BaseURL = baseURL + "/" + name
		pc.RatePerSecond = 500
		pc.Burst = 50
		pc.Timeout = 10 * time.Second
		pc.MaxRetries = 2
		pc.MaxRetryWait = 5 * time.Second
		pc.Seeds = pop.SeedHandles(name, 3)
		pc.Queries = nil
		pc.MaxCreators = maxCreators
		pc.Posts = 5 // few posts and threads: FerretDB scans on every query
		pc.ThreadPosts = 2
		pc.Credentials = nil
		cfg.Platforms[name] = pc
	}
	cfg.Concurrency = 3
	return cfg
}

// errDead is what a killed daemon's store answers.
var errDead = errors.New("process killed")

// mortal is a store whose process can be killed: after kill every call
// fails, so the daemon renews no lease, releases nothing and writes nothing
// more, as after SIGKILL.
type mortal struct {
	store.Store
	l            store.Leaser
	dead         atomic.Bool
	mu           sync.Mutex
	onCheckpoint chan struct{} // see nextCheckpoint
}

func newMortal(s store.Store) *mortal { return &mortal{Store: s, l: s} }

// nextCheckpoint returns a channel closed once the next running run with an
// owner and a checkpoint (what a takeover resumes from) is saved.
func (m *mortal) nextCheckpoint() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.onCheckpoint = make(chan struct{})
	return m.onCheckpoint
}

func (m *mortal) kill() { m.dead.Store(true) }

func (m *mortal) err() error {
	if m.dead.Load() {
		return errDead
	}
	return nil
}

func (m *mortal) SaveCreator(ctx context.Context, u store.CreatorUpdate) error {
	if err := m.err(); err != nil {
		return err
	}
	return m.Store.SaveCreator(ctx, u)
}

func (m *mortal) MarkStatus(ctx context.Context, key, status, reason string) error {
	if err := m.err(); err != nil {
		return err
	}
	return m.Store.MarkStatus(ctx, key, status, reason)
}

func (m *mortal) Creator(ctx context.Context, key string) (store.CreatorRecord, error) {
	if err := m.err(); err != nil {
		return store.CreatorRecord{}, err
	}
	return m.Store.Creator(ctx, key)
}

func (m *mortal) Posts(ctx context.Context, key string, limit int) ([]model.Post, error) {
	if err := m.err(); err != nil {
		return nil, err
	}
	return m.Store.Posts(ctx, key, limit)
}

func (m *mortal) Snapshots(ctx context.Context, key, since string) ([]model.Snapshot, error) {
	if err := m.err(); err != nil {
		return nil, err
	}
	return m.Store.Snapshots(ctx, key, since)
}

func (m *mortal) AddPostSnapshots(ctx context.Context, snaps []model.PostSnapshot) error {
	if err := m.err(); err != nil {
		return err
	}
	return m.Store.AddPostSnapshots(ctx, snaps)
}

func (m *mortal) Rerank(ctx context.Context, platform string) error {
	if err := m.err(); err != nil {
		return err
	}
	return m.Store.Rerank(ctx, platform)
}

func (m *mortal) SaveRun(ctx context.Context, r model.Run) error {
	if err := m.err(); err != nil {
		return err
	}
	if err := m.Store.SaveRun(ctx, r); err != nil {
		return err
	}
	if r.Status == model.RunRunning && r.Owner != "" && r.Checkpoint != nil {
		m.mu.Lock()
		if m.onCheckpoint != nil {
			close(m.onCheckpoint)
			m.onCheckpoint = nil
		}
		m.mu.Unlock()
	}
	return nil
}

func (m *mortal) Runs(ctx context.Context, limit int) ([]model.Run, error) {
	if err := m.err(); err != nil {
		return nil, err
	}
	return m.Store.Runs(ctx, limit)
}

func (m *mortal) Acquire(ctx context.Context, job, owner string, ttl time.Duration) (bool, error) {
	if err := m.err(); err != nil {
		return false, err
	}
	return m.l.Acquire(ctx, job, owner, ttl)
}

func (m *mortal) Renew(ctx context.Context, job, owner string, ttl time.Duration) error {
	if err := m.err(); err != nil {
		return err
	}
	return m.l.Renew(ctx, job, owner, ttl)
}

func (m *mortal) Release(ctx context.Context, job, owner string) error {
	if err := m.err(); err != nil {
		return err
	}
	return m.l.Release(ctx, job, owner)
}

func (m *mortal) Leases(ctx context.Context) ([]store.Lease, error) {
	if err := m.err(); err != nil {
		return nil, err
	}
	return m.l.Leases(ctx)
}

// runsOf lists the runs of job, newest first.
func runsOf(t *testing.T, st store.Store, job string) []model.Run {
	t.Helper()
	all, err := st.Runs(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Run
	for _, r := range all {
		if r.Job == job {
			out = append(out, r)
		}
	}
	return out
}

// takeOver triggers job in d once the lease another daemon holds on it has
// lapsed: it waits until the lease's expiry as the store has it (leases
// lapse by the wall clock), then triggers. A holder's last heartbeat may
// land after the expiry was read, so a trigger skipped for the lease waits
// for the new expiry, a few times at most.
func takeOver(ctx context.Context, d *schedule.Daemon, l store.Leaser, job string) (schedule.Outcome, error) {
	for range 3 {
		leases, err := l.Leases(ctx)
		if err != nil {
			return schedule.Outcome{}, err
		}
		for _, le := range leases {
			if le.Job == job && le.Held(time.Now()) {
				t := time.NewTimer(time.Until(le.ExpiresAt) + time.Millisecond)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return schedule.Outcome{}, ctx.Err()
				}
			}
		}
		out, err := d.Trigger(ctx, job)
		if err != nil || out.Ran || out.Skipped != schedule.SkipLease {
			return out, err
		}
	}
	return schedule.Outcome{}, fmt.Errorf("%s: still skipped for the lease after its holder's expiry, three times", job)
}

// wait waits for ch to close, or fails the test when ctx ends first.
func wait(t *testing.T, ctx context.Context, what string, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatalf("%s: %v", what, ctx.Err())
	}
}

// newSim starts a gated simulator; the gate starts closed.
func newSim(t *testing.T, creators int) (*simulator.Server, *gate, string) {
	sim := simulator.New(simulator.Options{Seed: 11, Creators: creators})
	g := newGate(sim.Handler())
	srv := httptest.NewServer(g)
	t.Cleanup(func() {
		g.open()
		srv.Close()
	})
	return sim, g, srv.URL
}
