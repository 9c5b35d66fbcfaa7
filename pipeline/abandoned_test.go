package pipeline_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// TestAbandonedRunFoundByLease: a run outside the daemon holds its job's
// lease. The run of a killed process (its document still "running", its
// lease no longer renewed) is marked abandoned once the lease lapses, and
// the next run resumes it; while a live process holds the lease, a second
// run refuses to start. No process probe: this is how the daemon finds
// abandoned runs too, and it builds everywhere.
func TestAbandonedRunFoundByLease(t *testing.T) {
	in := &instance{}
	srv := httptest.NewServer(in)
	defer srv.Close()
	st := openStore(t)
	ctx := context.Background()
	const ttl = 300 * time.Millisecond

	// A killed run: its document says running, with a checkpoint, and its
	// lease (owner "dead") is never renewed.
	dead := model.Run{ID: "20260101T000000Z-dead", Job: "run", Status: model.RunRunning, Owner: "otherhost:1",
		StartedAt: time.Now().Add(-time.Minute).UTC(), Platforms: map[string]*model.PlatformStats{},
		Checkpoint: &model.Checkpoint{Frontier: map[string][]string{"mastodon": {"alice", "bob"}}, Finished: map[string][]string{}}}
	if err := st.SaveRun(ctx, dead); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Acquire(ctx, "run", "otherhost:1:dead", ttl); err != nil || !ok {
		t.Fatalf("taking the dead run's lease: %v %v", ok, err)
	}
	p, err := pipeline.New(testConfig(srv.URL, t.TempDir()), st, pipeline.WithLeaseTTL(ttl))
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Run(ctx, dead.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.RunAbandoned || got.ResumedBy != run.ID || run.ResumedFrom != dead.ID {
		t.Errorf("dead run %s resumed by %q; new run resumed %q; want abandoned and resumed by %s", got.Status, got.ResumedBy, run.ResumedFrom, run.ID)
	}
	if !strings.Contains(got.Errors[len(got.Errors)-1].Reason, "lease lapsed") {
		t.Errorf("abandoned run's reason: %+v", got.Errors)
	}
	if l := leaseOf(t, st, "run"); l.Held(time.Now()) {
		t.Errorf("the finished run kept its lease: %+v", l)
	}

	// A live holder: it renews its lease, so a second run does not start,
	// and its run stays running.
	live := model.Run{ID: "20260101T000001Z-live", Job: "run", Status: model.RunRunning, Owner: "otherhost:2",
		StartedAt: time.Now().UTC(), Platforms: map[string]*model.PlatformStats{}}
	if err := st.SaveRun(ctx, live); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Acquire(ctx, "run", "otherhost:2:live", time.Minute); err != nil || !ok {
		t.Fatalf("taking the live run's lease: %v %v", ok, err)
	}
	if _, err := p.Run(ctx); err == nil || !strings.Contains(err.Error(), "running in another process") {
		t.Errorf("a run while another process holds the job's lease: err = %v", err)
	}
	if got, err := st.Run(ctx, live.ID); err != nil || got.Status != model.RunRunning {
		t.Errorf("the live run: %s, %v; want it left running", got.Status, err)
	}
}

func leaseOf(t *testing.T, st interface {
	Leases(context.Context) ([]store.Lease, error)
}, job string) store.Lease {
	t.Helper()
	all, err := st.Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if l.Job == job {
			return l
		}
	}
	return store.Lease{}
}
