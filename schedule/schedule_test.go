package schedule_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/schedule"
	"github.com/nanoscout/nanoscout/store"
)

func TestParseSpec(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		spec string
		loc  *time.Location
		want time.Time
	}{
		{"0 2 * * *", time.UTC, time.Date(2026, 1, 11, 2, 0, 0, 0, time.UTC)},
		{"0 2 * * *", berlin, time.Date(2026, 1, 11, 1, 0, 0, 0, time.UTC)},
		{"30 0 2 * * *", time.UTC, time.Date(2026, 1, 11, 2, 0, 30, 0, time.UTC)},
		{"@every 6h", time.UTC, from.Add(6 * time.Hour)},
		{"@daily", time.UTC, time.Date(2026, 1, 11, 0, 0, 0, 0, time.UTC)},
		{"CRON_TZ=Asia/Tokyo 0 9 * * *", time.UTC, time.Date(2026, 1, 11, 0, 0, 0, 0, time.UTC)},
		{"0 */6 * * *", time.UTC, time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		s, err := schedule.ParseSpec(tc.spec, tc.loc)
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tc.want) {
			t.Errorf("%q in %v: next %v, want %v", tc.spec, tc.loc, got.UTC(), tc.want)
		}
	}
	for _, bad := range []string{"", "61 * * * *", "* * *", "@fortnightly", "0 2 * * * * *"} {
		if _, err := schedule.ParseSpec(bad, time.UTC); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestFromConfig(t *testing.T) {
	st, _ := sqlitePair(t)
	cfg := config.Default()
	jobs, err := schedule.FromConfig(cfg, st)
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	if len(jobs) == 0 {
		t.Fatal("the default config schedules no jobs")
	}

	cfg.Schedule = config.Schedule{Jobs: map[string]config.Job{
		"bluesky-6h": {Kind: config.JobRun, Spec: "0 */6 * * *", Platforms: []string{"bluesky"}, Jitter: time.Minute},
		"nightly":    {Kind: config.JobRun, Spec: "0 2 * * *", Timezone: "Europe/Berlin"},
		"prune":      {Kind: config.JobPrune, Spec: "@weekly"},
		"off":        {Kind: config.JobRun, Spec: "@daily", Disabled: true},
	}}
	jobs, err = schedule.FromConfig(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	if strings.Join(names, ",") != "bluesky-6h,nightly,prune" {
		t.Errorf("jobs %v", names)
	}
	if jobs[1].Location.String() != "Europe/Berlin" {
		t.Errorf("nightly in %v", jobs[1].Location)
	}
	r := schedule.Restrict(cfg, []string{"bluesky"})
	if got := r.Enabled(); len(got) != 1 || got[0] != "bluesky" {
		t.Errorf("restricted enabled = %v", got)
	}
	if got := cfg.Enabled(); len(got) < 2 {
		t.Errorf("Restrict changed the original config: enabled %v", got)
	}

	for name, tc := range map[string]struct {
		job  config.Job
		want string
	}{
		"bad-kind":     {config.Job{Kind: "collect", Spec: "@daily"}, "kind"},
		"bad-spec":     {config.Job{Kind: config.JobRun, Spec: "0 25 * * *"}, "spec"},
		"no-spec":      {config.Job{Kind: config.JobRun}, "spec"},
		"bad-tz":       {config.Job{Kind: config.JobRun, Spec: "@daily", Timezone: "Mars/Olympus"}, "timezone"},
		"bad-platform": {config.Job{Kind: config.JobRun, Spec: "@daily", Platforms: []string{"myspace"}}, "platforms"},
		"run":          {config.Job{Kind: config.JobRun, Spec: "@daily"}, "reserved"},
	} {
		cfg.Schedule = config.Schedule{Jobs: map[string]config.Job{name: tc.job}}
		if _, err := schedule.FromConfig(cfg, st); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one about %s", name, err, tc.want)
		}
	}
	cfg.Schedule = config.Schedule{}
	if _, err := schedule.FromConfig(cfg, st); err == nil {
		t.Error("no jobs: no error")
	}
}

// blockingJob is a job that runs until released or cancelled, and counts
// its executions.
type blockingJob struct {
	mu      sync.Mutex
	started chan string // receives the daemon's name at each start
	release chan struct{}
	runs    int
	ctxErr  error
}

func newBlockingJob() *blockingJob {
	return &blockingJob{started: make(chan string, 10), release: make(chan struct{})}
}

func (b *blockingJob) fn(daemon string) schedule.Func {
	return func(ctx context.Context, env schedule.Env) (schedule.Result, error) {
		b.mu.Lock()
		b.runs++
		b.mu.Unlock()
		b.started <- daemon
		select {
		case <-b.release:
			return schedule.Result{Status: model.RunSucceeded}, nil
		case <-ctx.Done():
			b.mu.Lock()
			b.ctxErr = context.Cause(ctx)
			b.mu.Unlock()
			return schedule.Result{Status: model.RunPartial}, ctx.Err()
		}
	}
}

func (b *blockingJob) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.runs
}

func (b *blockingJob) stoppedBy() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ctxErr
}

func never(t *testing.T) schedule.Job {
	s, err := schedule.ParseSpec("0 0 1 1 *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return schedule.Job{Name: "j", Kind: "test", Spec: "0 0 1 1 *", Schedule: s}
}

// TestSkipWhileRunningAndLeaseHeld: a second fire in the same daemon is
// skipped as still running; a fire in another daemon is skipped for the
// lease; after the job ends the lease is free again.
func TestSkipWhileRunningAndLeaseHeld(t *testing.T) {
	stA, stB := sqlitePair(t)
	b := newBlockingJob()
	jA, jB := never(t), never(t)
	jA.Do, jB.Do = b.fn("A"), b.fn("B")
	a, err := schedule.New(stA, []schedule.Job{jA}, schedule.WithOwner("A"), schedule.WithLogger(testLogger(t, "A")))
	if err != nil {
		t.Fatal(err)
	}
	bd, err := schedule.New(stB, []schedule.Job{jB}, schedule.WithOwner("B"), schedule.WithLogger(testLogger(t, "B")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	done := make(chan schedule.Outcome)
	go func() {
		out, _ := a.Trigger(ctx, "j")
		done <- out
	}()
	<-b.started
	if out, _ := a.Trigger(ctx, "j"); out.Ran || out.Skipped != schedule.SkipRunning {
		t.Errorf("second fire in A: %+v, want skipped as running", out)
	}
	if out, _ := bd.Trigger(ctx, "j"); out.Ran || out.Skipped != schedule.SkipLease || out.Holder != "A" {
		t.Errorf("fire in B: %+v, want skipped for A's lease", out)
	}
	close(b.release)
	if out := <-done; !out.Ran || out.Result.Status != model.RunSucceeded {
		t.Errorf("A's run: %+v", out)
	}
	if out, _ := bd.Trigger(ctx, "j"); !out.Ran {
		t.Errorf("fire in B after A finished: %+v, want it to run", out)
	}
	if n := b.count(); n != 2 {
		t.Errorf("%d executions, want 2", n)
	}
	leases, err := stA.Leases(ctx)
	if err != nil || len(leases) != 1 || leases[0].Held(time.Now()) {
		t.Errorf("leases after both runs: %+v, %v; want one, released", leases, err)
	}
}

// failingRenew makes Renew fail after fail is set, as when the store is
// unreachable from this daemon.
type failingRenew struct {
	store.Store
	l    store.Leaser
	fail chan struct{}
}

func (f *failingRenew) Acquire(ctx context.Context, job, owner string, ttl time.Duration) (bool, error) {
	return f.l.Acquire(ctx, job, owner, ttl)
}

func (f *failingRenew) Renew(ctx context.Context, job, owner string, ttl time.Duration) error {
	select {
	case <-f.fail:
		return errors.New("store unreachable")
	default:
		return f.l.Renew(ctx, job, owner, ttl)
	}
}

func (f *failingRenew) Release(ctx context.Context, job, owner string) error {
	return f.l.Release(ctx, job, owner)
}

func (f *failingRenew) Leases(ctx context.Context) ([]store.Lease, error) { return f.l.Leases(ctx) }

// TestLostLeaseStopsJob: a job whose lease is taken over, or cannot be
// renewed before it expires, is stopped.
func TestLostLeaseStopsJob(t *testing.T) {
	st, other := sqlitePair(t)
	ctx := t.Context()
	const ttl = 300 * time.Millisecond

	t.Run("taken over", func(t *testing.T) {
		b := newBlockingJob()
		j := never(t)
		j.Name, j.Do = "taken", b.fn("A")
		d, err := schedule.New(st, []schedule.Job{j}, schedule.WithOwner("A"), schedule.WithLeaseTTL(ttl), schedule.WithLogger(testLogger(t, "A")))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan schedule.Outcome)
		go func() {
			out, _ := d.Trigger(ctx, "taken")
			done <- out
		}()
		<-b.started
		// Another daemon takes the lease by force, as if A had paused longer
		// than the TTL: release A's lease under its name, take it as B.
		l := other
		if err := l.Release(ctx, "taken", "A"); err != nil {
			t.Fatal(err)
		}
		if ok, err := l.Acquire(ctx, "taken", "B", time.Minute); !ok || err != nil {
			t.Fatalf("B taking the lease: %v %v", ok, err)
		}
		out := <-done
		if !out.Ran || out.Result.Status != model.RunPartial || b.stoppedBy() == nil || !strings.Contains(b.stoppedBy().Error(), "lost") {
			t.Errorf("outcome %+v, job stopped by %v; want stopped for the lost lease", out, b.stoppedBy())
		}
		if l, _ := l.Leases(ctx); len(l) != 1 || l[0].Owner != "B" || !l[0].Held(time.Now()) {
			t.Errorf("A's release touched B's lease: %+v", l)
		}
	})

	t.Run("cannot renew", func(t *testing.T) {
		b := newBlockingJob()
		j := never(t)
		j.Name, j.Do = "unrenewable", b.fn("A")
		fr := &failingRenew{Store: st, l: st, fail: make(chan struct{})}
		close(fr.fail)
		d, err := schedule.New(fr, []schedule.Job{j}, schedule.WithOwner("A"), schedule.WithLeaseTTL(ttl), schedule.WithLogger(testLogger(t, "A")))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := d.Trigger(ctx, "unrenewable")
		if !out.Ran || b.stoppedBy() == nil || !strings.Contains(b.stoppedBy().Error(), "renewed") {
			t.Errorf("outcome %+v, job stopped by %v; want stopped for the unrenewed lease", out, b.stoppedBy())
		}
	})
}

// TestShutdown: ending Run's context stops a running job, waits for it and
// releases its lease; Run returns well within its timeout.
func TestShutdown(t *testing.T) {
	st, _ := sqlitePair(t)
	b := newBlockingJob()
	j := never(t)
	j.Do = b.fn("A")
	d, err := schedule.New(st, []schedule.Job{j}, schedule.WithOwner("A"), schedule.WithRunAtStart("j"),
		schedule.WithShutdownTimeout(5*time.Second), schedule.WithLogger(testLogger(t, "A")))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Ready(t.Context()); err == nil {
		t.Error("ready before Run")
	}
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error)
	go func() { ran <- d.Run(ctx) }()
	<-b.started
	if err := d.Ready(t.Context()); err != nil {
		t.Errorf("not ready while running: %v", err)
	}
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if b.stoppedBy() == nil {
		t.Error("the running job was not cancelled")
	}
	if err := d.Ready(t.Context()); err == nil {
		t.Error("ready after shutdown")
	}
	if out, _ := d.Trigger(t.Context(), "j"); out.Ran || out.Skipped != schedule.SkipShutdown {
		t.Errorf("trigger after shutdown: %+v", out)
	}
	leases, _ := st.Leases(t.Context())
	if len(leases) != 1 || leases[0].Held(time.Now()) {
		t.Errorf("lease after shutdown: %+v, want released", leases)
	}
}

// TestPanicIsRecovered: a panicking job fails, releases its lease, and the
// daemon goes on.
func TestPanicIsRecovered(t *testing.T) {
	st, _ := sqlitePair(t)
	j := never(t)
	j.Do = func(context.Context, schedule.Env) (schedule.Result, error) { panic("boom") }
	d, err := schedule.New(st, []schedule.Job{j}, schedule.WithLogger(testLogger(t, "A")))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := d.Trigger(t.Context(), "j")
	if !out.Ran || out.Result.Status != model.RunFailed || out.Err == nil {
		t.Errorf("outcome %+v", out)
	}
	if out, _ := d.Trigger(t.Context(), "j"); !out.Ran {
		t.Errorf("second trigger after a panic: %+v", out)
	}
}

func TestNextFires(t *testing.T) {
	st, _ := sqlitePair(t)
	s, _ := schedule.ParseSpec("0 2 * * *", time.UTC)
	d, err := schedule.New(st, []schedule.Job{{Name: "nightly", Spec: "0 2 * * *", Schedule: s, Location: time.UTC,
		Do: func(context.Context, schedule.Env) (schedule.Result, error) { return schedule.Result{}, nil }}})
	if err != nil {
		t.Fatal(err)
	}
	f := d.Next(time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), 3)
	if len(f) != 1 || len(f[0].Times) != 3 || !f[0].Times[0].Equal(time.Date(2026, 1, 2, 2, 0, 0, 0, time.UTC)) ||
		!f[0].Times[2].Equal(time.Date(2026, 1, 4, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("next fires %+v", f)
	}
}
