package pipeline_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// counted counts the requests a handler serves.
type counted struct {
	h http.Handler
	n atomic.Int64
}

func (c *counted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	c.h.ServeHTTP(w, r)
}

// firstFatal is the real store, noting how many requests the platform had
// served when the store first failed as a whole.
type firstFatal struct {
	store.Store
	requests *atomic.Int64
	at       atomic.Int64 // requests served at the first fatal error; -1 before
}

func (f *firstFatal) note(err error) error {
	if _, ok := store.AsFatal(err); ok {
		f.at.CompareAndSwap(-1, f.requests.Load())
	}
	return err
}

func (f *firstFatal) SaveCreator(ctx context.Context, u store.CreatorUpdate) error {
	return f.note(f.Store.SaveCreator(ctx, u))
}

func (f *firstFatal) SaveRun(ctx context.Context, r model.Run) error {
	return f.note(f.Store.SaveRun(ctx, r))
}

// TestFullDiskStopsTheRun: when the disk fills up mid-crawl, the run stops
// at once instead of collecting every creator it cannot store (it used to go
// on requesting for 68 s with every write failing, then leave its run
// "running"); Run returns an error wrapping the store's FatalError, which
// says "disk full", and the run is failed with that reason. The disk is
// full for real: SQLite's max_page_count caps the database.
func TestFullDiskStopsTheRun(t *testing.T) {
	sim := simulator.New(simulator.Options{Seed: 7, Creators: 300})
	c := &counted{h: sim.Handler()}
	srv := httptest.NewServer(c)
	defer srv.Close()
	dir := t.TempDir()
	// Room for the schema and a few creators.
	probe, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	probe.Close()
	fi, err := os.Stat(probe.Path())
	if err != nil {
		t.Fatal(err)
	}
	pages := int(fi.Size() / 4096) // SQLite's default page size
	st, err := sqlite.Open(t.Context(), dir, sqlite.WithMaxPages(pages+150))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ff := &firstFatal{Store: st, requests: &c.n}
	ff.at.Store(-1)

	seeds := sim.Population().SeedHandles("bluesky", 4)
	cfg := simConfig(srv.URL, seeds)
	pc := cfg.Platforms["bluesky"]
	pc.MaxCreators = 200 // snowballs far beyond what fits
	cfg.Platforms["bluesky"] = pc
	p, err := pipeline.New(cfg, ff)
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Run(t.Context())
	f, ok := store.AsFatal(err)
	if !ok || f.Kind != store.FatalDiskFull || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Run on a full disk: err = %v, want one wrapping a fatal disk-full store error", err)
	}
	at := ff.at.Load()
	if at < 0 {
		t.Fatal("the store never failed")
	}
	// Requests already on the wire finish; no new creator is started.
	if after := c.n.Load() - at; after > 2*int64(cfg.Concurrency) {
		t.Errorf("%d requests after the disk filled up (at request %d), want at most %d", after, at, 2*cfg.Concurrency)
	}
	if run.Status != model.RunFailed {
		t.Errorf("run status %s, want failed", run.Status)
	}
	var reason string
	for _, e := range run.Errors {
		if e.Stage == "store" {
			reason = e.Reason
		}
	}
	if !strings.Contains(reason, "run stopped: disk full") {
		t.Errorf("%d run errors, none with the reason the run stopped", len(run.Errors))
	}
	t.Logf("stopped at request %d of %d; collected %d", at, c.n.Load(), run.Platforms["bluesky"].Collected)

	// With room again: the run document says why it failed (the failed
	// write rolled back, so the run's own document still fit).
	st.Close()
	again, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	stored, err := again.Run(t.Context(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != model.RunFailed || !slices.ContainsFunc(stored.Errors, func(e model.RunError) bool {
		return strings.Contains(e.Reason, "run stopped: disk full")
	}) {
		t.Errorf("stored run: %s with %d errors, want failed with the reason", stored.Status, len(stored.Errors))
	}
}

// TestReadOnlyStoreStopsTheRun: a read-only store fails the run before its
// first request, with an error that says "read-only".
func TestReadOnlyStoreStopsTheRun(t *testing.T) {
	sim := simulator.New(simulator.Options{Seed: 7, Creators: 50})
	c := &counted{h: sim.Handler()}
	srv := httptest.NewServer(c)
	defer srv.Close()
	dir := t.TempDir()
	rw, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	rw.Close()
	st, err := sqlite.Open(t.Context(), dir, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := pipeline.New(simConfig(srv.URL, sim.Population().SeedHandles("bluesky", 3)), st)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(t.Context())
	if f, ok := store.AsFatal(err); !ok || f.Kind != store.FatalReadOnly || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Run on a read-only store: err = %v, want a fatal read-only store error", err)
	}
	if n := c.n.Load(); n != 0 {
		t.Errorf("%d requests to the platform, want none", n)
	}
}
