package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// rescoreWatch is the real store with counters on the calls the
// end-of-run re-scoring makes. Once the re-scoring has read after creators,
// it calls stop, and from then on counts the store calls made anyway.
type rescoreWatch struct {
	store.Store
	after     int64
	stop      func()
	rescoring atomic.Bool
	reads     atomic.Int64 // Posts calls during the re-scoring
	saves     atomic.Int64 // SaveCreator calls during the re-scoring
	stopped   atomic.Bool
	late      atomic.Int64 // Posts and SaveCreator calls after stop
}

func (w *rescoreWatch) Top(ctx context.Context, q store.TopQuery) ([]store.CreatorRecord, error) {
	if q.Platform != "" && q.Limit >= 1000 { // the re-scoring's page (pipeline.rescorePage)
		w.rescoring.Store(true)
	}
	return w.Store.Top(ctx, q)
}

func (w *rescoreWatch) Posts(ctx context.Context, key string, limit int) ([]model.Post, error) {
	if w.rescoring.Load() {
		if w.stopped.Load() {
			w.late.Add(1)
		}
		if w.reads.Add(1) == w.after && w.stop != nil {
			w.stopped.Store(true)
			w.stop()
		}
	}
	return w.Store.Posts(ctx, key, limit)
}

func (w *rescoreWatch) SaveCreator(ctx context.Context, u store.CreatorUpdate) error {
	if w.rescoring.Load() {
		w.saves.Add(1)
		if w.stopped.Load() {
			w.late.Add(1)
		}
	}
	return w.Store.SaveCreator(ctx, u)
}

// TestStopDuringRescoring: SIGTERM while the end-of-run re-scoring goes
// through a store of many creators stops it between creators (it used to
// run under context.WithoutCancel to the end: 15.8 s on 50k creators, past
// the daemon's shutdown timeout, leaving the run "running" and its lease
// held). The run is recorded partial with the reason, and the next run
// re-scores every creator.
func TestStopDuringRescoring(t *testing.T) {
	const stored = 200
	ctx := context.Background()
	st := openStore(t)
	at := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < stored; i += 4 {
				storeCreator(t, st, fmt.Sprintf("9%05d", i), 2000+int64(i), []string{"fan1", "fan2", fmt.Sprintf("f%d", i)}, at)
			}
		})
	}
	wg.Wait()
	in := &instance{}
	srv := httptest.NewServer(in)
	defer srv.Close()

	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	w := &rescoreWatch{Store: st, after: 20, stop: func() { stop(errors.New("SIGTERM")) }}
	p, err := pipeline.New(testConfig(srv.URL, t.TempDir()), w)
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Run(runCtx)
	if err != nil {
		t.Fatalf("stopped run: %v", err)
	}
	if !w.stopped.Load() {
		t.Fatalf("the re-scoring read %d creators and was never stopped", w.reads.Load())
	}
	// A creator in flight may finish; the rest are not touched.
	if n := w.late.Load(); n > 3 {
		t.Errorf("%d store calls of the re-scoring after the stop, want at most 3 (it stops between creators)", n)
	}
	if run.Status != model.RunPartial {
		t.Errorf("stopped run: status %s, want partial", run.Status)
	}
	var reason string
	for _, e := range run.Errors {
		if e.Stage == "score" {
			reason = e.Reason
		}
	}
	if !strings.Contains(reason, "re-scoring mastodon stopped") || !strings.Contains(reason, "SIGTERM") {
		t.Errorf("run errors %+v, want the re-scoring stop with its cause", run.Errors)
	}
	stored1, err := st.Run(ctx, run.ID)
	if err != nil || stored1.Status != model.RunPartial || stored1.FinishedAt.IsZero() {
		t.Fatalf("stored run: %s finished %v, %v; want partial and finished", stored1.Status, stored1.FinishedAt, err)
	}

	// The next run re-scores every stored creator in good standing.
	w2 := &rescoreWatch{Store: st}
	p2, err := pipeline.New(testConfig(srv.URL, t.TempDir()), w2)
	if err != nil {
		t.Fatal(err)
	}
	run2, err := p2.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if run2.Status != model.RunSucceeded {
		t.Errorf("next run: %s %+v", run2.Status, run2.Errors)
	}
	if got := w2.saves.Load(); got < stored {
		t.Errorf("the next run re-scored %d creators, want all %d stored (and the 3 collected)", got, stored)
	}
}
