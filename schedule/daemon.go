// Package schedule is nanoscout's daemon (`nanoscout schedule`): it runs jobs
// on cron specs (parsed by robfig/cron/v3) and makes sure that each fire of a
// job runs once and one job never runs twice at once, in one daemon or across
// several sharing a store.
//
// The daemon waits for each job's next fire itself (one timer per job) rather
// than through cron's runner, because a fire must know its nominal time: the
// time the spec names, before jitter, which every daemon computes alike
// (`@every` schedules are aligned to a grid for this: see ParseSpec). Each
// fire is claimed in the store (store.FireClaimer: an insert-only document
// keyed by job and nominal time) before it runs, so of several daemons
// exactly one runs it; the others log it skipped as "claimed".
//
// Each fire of a job goes through the daemon's wrapper, which owns the
// context, the timeout, skipping a job still running here, recovering from
// a panic, the fire's claim, the job's lease, logging and metrics. The lease
// (store.Leaser) is taken atomically before the job runs
// and renewed by a heartbeat while it runs; a job whose lease another daemon
// holds is skipped and the skip is logged. A daemon that dies stops renewing,
// and its leases lapse after their TTL: the next daemon to take a job's lease
// marks the dead daemon's run of that job abandoned (holding the lease proves
// nobody else runs it), and the pipeline resumes it from its checkpoint.
//
// On shutdown (the Run context ends: SIGINT/SIGTERM) the daemon takes no new
// work, cancels its running jobs — a pipeline run then stops taking
// creators, records itself as partial and ranks what it stored — waits for
// them up to the shutdown timeout and releases their leases.
package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nanoscout/nanoscout/metrics"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// What Daemon.Unfinished may be.
const (
	UnfinishedResume  = "resume"
	UnfinishedAbandon = "abandon"
)

// Reasons a fire did not run (Outcome.Skipped, and the reason label of
// nanoscout_job_skips_total).
const (
	SkipRunning  = "running"  // the job is still running in this daemon
	SkipLease    = "lease"    // another daemon holds the job's lease
	SkipError    = "error"    // the lease could not be checked
	SkipShutdown = "shutdown" // the daemon is shutting down
	SkipClaimed  = "claimed"  // another daemon claimed this fire (it runs it)
)

// leaseOpTimeout bounds one lease operation.
const leaseOpTimeout = 10 * time.Second

// Daemon runs jobs on their schedules. Create it with New, start it with Run.
type Daemon struct {
	st         store.Store
	leases     store.Leaser
	jobs       []*jobState
	byName     map[string]*jobState
	owner      string
	ttl        time.Duration
	shutdown   time.Duration
	unfinished string
	atStart    []string
	log        *slog.Logger
	m          *metrics.Metrics
	now        func() time.Time

	workCtx    context.Context // cancelled when shutdown begins
	cancelWork context.CancelFunc

	mu       sync.Mutex
	started  bool
	draining bool
	wg       sync.WaitGroup // executions, jitter waits and recoveries in flight
	loops    sync.WaitGroup // the jobs' timers
}

type jobState struct {
	Job
	running atomic.Bool
}

// Option configures a Daemon.
type Option func(*Daemon)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(d *Daemon) { d.log = l } }

// WithMetrics sets the metrics the daemon and its jobs feed (default: a
// fresh metrics.New()).
func WithMetrics(m *metrics.Metrics) Option { return func(d *Daemon) { d.m = m } }

// WithOwner names this daemon in leases (default host:pid:random).
func WithOwner(owner string) Option { return func(d *Daemon) { d.owner = owner } }

// WithLeaseTTL sets how long a lease lasts without a heartbeat (default 1m).
func WithLeaseTTL(ttl time.Duration) Option { return func(d *Daemon) { d.ttl = ttl } }

// WithShutdownTimeout bounds how long Run waits for running jobs once its
// context ends (default 8s).
func WithShutdownTimeout(t time.Duration) Option { return func(d *Daemon) { d.shutdown = t } }

// WithUnfinished sets what Run does with runs its jobs left "running":
// UnfinishedResume (default) or UnfinishedAbandon.
func WithUnfinished(mode string) Option { return func(d *Daemon) { d.unfinished = mode } }

// WithRunAtStart runs the named jobs once as soon as Run starts, besides
// their schedule.
func WithRunAtStart(names ...string) Option {
	return func(d *Daemon) { d.atStart = append(d.atStart, names...) }
}

// WithClock sets the time source of job environments and logs.
func WithClock(now func() time.Time) Option { return func(d *Daemon) { d.now = now } }

// New builds a daemon for jobs on st.
func New(st store.Store, jobs []Job, opts ...Option) (*Daemon, error) {
	d := &Daemon{
		st: st, leases: st, byName: map[string]*jobState{},
		ttl: time.Minute, shutdown: 8 * time.Second, unfinished: UnfinishedResume,
		log: slog.New(slog.DiscardHandler), now: time.Now,
	}
	for _, o := range opts {
		o(d)
	}
	if d.owner == "" {
		d.owner = DefaultOwner()
	}
	if d.m == nil {
		d.m = metrics.New()
	}
	if d.ttl < 30*time.Millisecond {
		return nil, fmt.Errorf("schedule: lease TTL %v is too short", d.ttl)
	}
	if d.unfinished != UnfinishedResume && d.unfinished != UnfinishedAbandon {
		return nil, fmt.Errorf("schedule: unfinished runs: %q, want %s or %s", d.unfinished, UnfinishedResume, UnfinishedAbandon)
	}
	for _, j := range jobs {
		switch {
		case j.Name == "":
			return nil, errors.New("schedule: a job has no name")
		case d.byName[j.Name] != nil:
			return nil, fmt.Errorf("schedule: job %q twice", j.Name)
		case j.Schedule == nil || j.Do == nil:
			return nil, fmt.Errorf("schedule: job %q lacks a schedule or a function", j.Name)
		}
		js := &jobState{Job: j}
		d.jobs = append(d.jobs, js)
		d.byName[j.Name] = js
	}
	slices.SortFunc(d.jobs, func(a, b *jobState) int { return strings.Compare(a.Name, b.Name) })
	for _, n := range d.atStart {
		if d.byName[n] == nil {
			return nil, fmt.Errorf("schedule: no job %q to run at start (jobs: %v)", n, d.JobNames())
		}
	}
	// The daemon's root: cancelled by Run's shutdown, not by any caller.
	d.workCtx, d.cancelWork = context.WithCancel(context.Background())
	return d, nil
}

// DefaultOwner is host:pid:random, unique per daemon.
func DefaultOwner() string {
	host, _ := os.Hostname()
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Owner is the name this daemon takes leases under.
func (d *Daemon) Owner() string { return d.owner }

// JobNames lists the jobs, sorted.
func (d *Daemon) JobNames() []string {
	out := make([]string, len(d.jobs))
	for i, j := range d.jobs {
		out[i] = j.Name
	}
	return out
}

// Fires are a job's next start times.
type Fires struct {
	Job   Job
	Times []time.Time
}

// Next returns the next n start times of every job after now, in the job's
// time zone (before jitter).
func (d *Daemon) Next(now time.Time, n int) []Fires {
	out := make([]Fires, 0, len(d.jobs))
	for _, j := range d.jobs {
		f := Fires{Job: j.Job}
		t := now
		for range n {
			t = j.Schedule.Next(t)
			if t.IsZero() {
				break
			}
			if j.Location != nil {
				t = t.In(j.Location)
			}
			f.Times = append(f.Times, t)
		}
		out = append(out, f)
	}
	return out
}

// Ready reports whether the daemon takes work and its store answers (for
// /readyz).
func (d *Daemon) Ready(ctx context.Context) error {
	d.mu.Lock()
	started, draining := d.started, d.draining
	d.mu.Unlock()
	switch {
	case draining:
		return errors.New("shutting down")
	case !started:
		return errors.New("starting")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := d.leases.Leases(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// enter registers one unit of work, unless the daemon is shutting down.
func (d *Daemon) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.draining {
		return false
	}
	d.wg.Add(1)
	return true
}

// Run schedules the jobs and blocks until ctx ends; then it shuts down: no
// new work, running jobs cancelled and waited for up to the shutdown
// timeout, leases released. It returns an error only when jobs were still
// running at the timeout (their leases then lapse after the TTL).
func (d *Daemon) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.started {
		d.mu.Unlock()
		return errors.New("schedule: daemon already started")
	}
	d.started = true
	d.mu.Unlock()

	for _, js := range d.jobs {
		d.loops.Go(func() { d.loop(js) })
	}
	d.log.Info("daemon started", "owner", d.owner, "jobs", d.JobNames(), "lease_ttl", d.ttl)
	for _, f := range d.Next(d.now(), 1) {
		if len(f.Times) > 0 {
			d.log.Info("next fire", "job", f.Job.Name, "spec", f.Job.Spec, "at", f.Times[0].Format(time.RFC3339), "jitter", f.Job.Jitter)
		}
	}
	d.recoverUnfinished(ctx)
	for _, name := range d.atStart {
		if d.enter() {
			go func() {
				defer d.wg.Done()
				d.execute(d.workCtx, d.byName[name], "start", time.Time{})
			}()
		}
	}

	<-ctx.Done()
	d.mu.Lock()
	d.draining = true
	d.mu.Unlock()
	d.log.Info("shutting down: no new jobs; stopping running ones", "timeout", d.shutdown)
	d.cancelWork()
	d.loops.Wait()
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		d.log.Info("daemon stopped")
		return nil
	case <-time.After(d.shutdown):
		var running []string
		for _, js := range d.jobs {
			if js.running.Load() {
				running = append(running, js.Name)
			}
		}
		d.log.Error("shutdown timeout: jobs still running; their leases lapse after the TTL", "jobs", running, "lease_ttl", d.ttl)
		return fmt.Errorf("schedule: jobs %v still running after %v", running, d.shutdown)
	}
}

// loop starts js at each of its fires until shutdown. Like cron's runner it
// reads the wall clock and skips fires missed while the machine slept.
func (d *Daemon) loop(js *jobState) {
	t := time.Now()
	for {
		next := js.Schedule.Next(t)
		if next.IsZero() {
			return // the spec names no more times
		}
		timer := time.NewTimer(time.Until(next))
		select {
		case <-d.workCtx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if d.enter() {
			go func() {
				defer d.wg.Done()
				d.fire(js, next)
			}()
		}
		// Never the same fire twice, even if the wall clock stepped back.
		t = time.Now()
		if t.Before(next) {
			t = next
		}
	}
}

// fire is one scheduled start of js at its nominal time at.
func (d *Daemon) fire(js *jobState, at time.Time) {
	if js.Jitter > 0 {
		wait := time.Duration(mrand.Int64N(int64(js.Jitter)))
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-d.workCtx.Done():
			return
		}
	}
	d.execute(d.workCtx, js, "schedule", at)
}

// Outcome is what one attempt to run a job did.
type Outcome struct {
	Ran     bool
	Fire    time.Time // the fire's nominal time; zero when triggered, at start or to resume
	Skipped string    // SkipRunning, SkipClaimed, SkipLease, SkipError or SkipShutdown when it did not run
	Holder  string    // the lease's holder when skipped for SkipLease, the fire's claimant for SkipClaimed
	Result  Result
	Err     error
}

// Trigger runs the job now, through the same wrapper as a scheduled fire
// (lease, heartbeat, metrics), and waits for it. It works before Run too.
func (d *Daemon) Trigger(ctx context.Context, name string) (Outcome, error) {
	js := d.byName[name]
	if js == nil {
		return Outcome{}, fmt.Errorf("schedule: no job %q", name)
	}
	if !d.enter() {
		return Outcome{Skipped: SkipShutdown}, nil
	}
	defer d.wg.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(d.workCtx, cancel)
	defer stop()
	return d.execute(ctx, js, "trigger", time.Time{}), nil
}

// execute runs js once if this daemon can take its lease. fire is the
// nominal time of a scheduled fire, which this daemon must claim first
// (zero for triggers, runs at start and resumes, which are no fires).
func (d *Daemon) execute(ctx context.Context, js *jobState, cause string, fire time.Time) Outcome {
	log := d.log.With("job", js.Name)
	if !fire.IsZero() {
		log = log.With("fire", fire.Format(time.RFC3339Nano))
	}
	skip := func(reason, holder string, err error) Outcome {
		d.m.JobSkipped(js.Name, reason)
		return Outcome{Fire: fire, Skipped: reason, Holder: holder, Err: err}
	}
	if !js.running.CompareAndSwap(false, true) {
		log.Info("job skipped: still running in this daemon", "cause", cause)
		return skip(SkipRunning, "", nil)
	}
	defer js.running.Store(false)

	if !fire.IsZero() {
		lctx, cancel := context.WithTimeout(ctx, leaseOpTimeout)
		ok, err := d.st.ClaimFire(lctx, js.Name, fire, d.owner)
		var claim store.Fire
		if err == nil && !ok {
			claim, _ = d.st.Fire(lctx, js.Name, fire)
		}
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			return Outcome{Fire: fire, Skipped: SkipShutdown}
		case err != nil:
			log.Error("job skipped: its fire could not be claimed", "cause", cause, "err", err)
			return skip(SkipError, "", err)
		case !ok:
			log.Info("job skipped: another daemon claimed this fire", "cause", cause, "claimant", claim.Owner)
			return skip(SkipClaimed, claim.Owner, nil)
		}
	}

	lctx, cancel := context.WithTimeout(ctx, leaseOpTimeout)
	ok, err := d.leases.Acquire(lctx, js.Name, d.owner, d.ttl)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return Outcome{Fire: fire, Skipped: SkipShutdown}
		}
		log.Error("job skipped: its lease could not be taken", "cause", cause, "err", err)
		return skip(SkipError, "", err)
	}
	if !ok {
		holder := d.holder(ctx, js.Name)
		log.Info("job skipped: another daemon holds its lease", "cause", cause, "holder", holder.Owner,
			"lease_expires", holder.ExpiresAt.Format(time.RFC3339))
		return skip(SkipLease, holder.Owner, nil)
	}

	jctx, stopJob := context.WithCancelCause(ctx)
	defer stopJob(nil)
	if js.Timeout > 0 {
		var stopTimeout context.CancelFunc
		jctx, stopTimeout = context.WithTimeoutCause(jctx, js.Timeout, fmt.Errorf("job timed out after %v", js.Timeout))
		defer stopTimeout()
	}
	hbCtx, stopHeartbeat := context.WithCancel(jctx)
	hbDone := make(chan struct{})
	go d.heartbeat(hbCtx, js.Name, stopJob, log, hbDone)
	defer func() {
		stopHeartbeat()
		<-hbDone
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseOpTimeout)
		defer cancel()
		if err := d.leases.Release(rctx, js.Name, d.owner); err != nil {
			log.Warn("releasing the job's lease; it lapses after its TTL", "err", err)
		}
	}()

	d.sweep(jctx, js.Name, log)
	start := d.now()
	d.m.JobStarted(js.Name)
	log.Info("job started", "cause", cause, "kind", js.Kind)
	res, err := d.call(jctx, js, fire, log)
	end := d.now()
	if res.Status == "" {
		res.Status = model.RunSucceeded
		if err != nil {
			res.Status = model.RunFailed
		}
	}
	d.m.JobFinished(js.Name, res.Status, end.Sub(start), end)
	attrs := []any{"status", res.Status, "duration", end.Sub(start).Round(time.Millisecond)}
	if res.RunID != "" {
		attrs = append(attrs, "run", res.RunID)
	}
	attrs = append(attrs, res.Attrs...)
	if cause := context.Cause(jctx); cause != nil && !errors.Is(cause, context.Canceled) {
		attrs = append(attrs, "stopped", cause.Error())
	} else if ctx.Err() != nil {
		attrs = append(attrs, "stopped", "shutdown")
	}
	if err != nil {
		log.Error("job finished with an error", append(attrs, "err", err)...)
	} else {
		log.Info("job finished", attrs...)
	}
	return Outcome{Ran: true, Fire: fire, Result: res, Err: err}
}

// call runs the job's function, turning a panic into an error.
func (d *Daemon) call(ctx context.Context, js *jobState, fire time.Time, log *slog.Logger) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("job panicked", "panic", r)
			res, err = Result{Status: model.RunFailed}, fmt.Errorf("job %s panicked: %v", js.Name, r)
		}
	}()
	return js.Do(ctx, Env{Log: log, Metrics: d.m, Now: d.now, Fire: fire})
}

var (
	errLeaseLost    = errors.New("the job's lease was lost to another daemon")
	errLeaseExpired = errors.New("the job's lease could not be renewed before it expired")
)

// heartbeat renews the job's lease every third of its TTL. When the lease is
// lost, or cannot be renewed before it would expire, it stops the job: by
// then another daemon may have taken it.
func (d *Daemon) heartbeat(ctx context.Context, job string, stopJob context.CancelCauseFunc, log *slog.Logger, done chan<- struct{}) {
	defer close(done)
	every := d.ttl / 3
	t := time.NewTicker(every)
	defer t.Stop()
	lastOK := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, d.ttl/2)
		err := d.leases.Renew(rctx, job, d.owner, d.ttl)
		cancel()
		switch {
		case err == nil:
			lastOK = time.Now()
		case ctx.Err() != nil:
			return
		case errors.Is(err, store.ErrLeaseLost):
			log.Error("stopping the job: its lease was lost", "err", err)
			stopJob(errLeaseLost)
			return
		default:
			log.Warn("renewing the job's lease", "err", err)
			if time.Since(lastOK) >= d.ttl-every/2 {
				log.Error("stopping the job: its lease could not be renewed before it expired")
				stopJob(errLeaseExpired)
				return
			}
		}
	}
}

// holder returns the job's current lease (zero when it cannot be read).
func (d *Daemon) holder(ctx context.Context, job string) store.Lease {
	ctx, cancel := context.WithTimeout(ctx, leaseOpTimeout)
	defer cancel()
	all, err := d.leases.Leases(ctx)
	if err != nil {
		return store.Lease{}
	}
	for _, l := range all {
		if l.Job == job {
			return l
		}
	}
	return store.Lease{}
}

// unfinishedRuns lists runs of job still marked running (at start).
func (d *Daemon) unfinishedRuns(ctx context.Context, job string) ([]model.Run, error) {
	runs, err := d.st.Runs(ctx, 100)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	var out []model.Run
	for _, r := range runs {
		if r.Job == job && r.Status == model.RunRunning {
			out = append(out, r)
		}
	}
	return out, nil
}

// sweep marks the job's runs still "running" abandoned
// (pipeline.SweepAbandoned). It is called with the job's lease held, which
// proves their daemon is gone: a live one would have kept the lease.
func (d *Daemon) sweep(ctx context.Context, job string, log *slog.Logger) int {
	ids, err := pipeline.SweepAbandoned(ctx, d.st, job, d.now())
	if err != nil {
		log.Warn("marking unfinished runs abandoned", "err", err)
	}
	if len(ids) > 0 {
		log.Warn("marked unfinished runs abandoned: their daemon is gone", "runs", ids)
	}
	return len(ids)
}

// recoverUnfinished looks at start for jobs whose runs are still marked
// running, and resumes each such job at once (or, with UnfinishedAbandon,
// only marks the runs abandoned) as soon as its lease can be taken.
func (d *Daemon) recoverUnfinished(ctx context.Context) {
	for _, js := range d.jobs {
		runs, err := d.unfinishedRuns(ctx, js.Name)
		if err != nil {
			d.log.Warn("looking for unfinished runs at start", "job", js.Name, "err", err)
			return
		}
		if len(runs) == 0 {
			continue
		}
		ids := make([]string, len(runs))
		for i, r := range runs {
			ids[i] = r.ID
		}
		d.log.Info("found unfinished runs at start", "job", js.Name, "runs", ids, "then", d.unfinished)
		if !d.enter() {
			return
		}
		go func() {
			defer d.wg.Done()
			d.recoverJob(js)
		}()
	}
}

// recoverJob tries twice: now, and once the current lease has lapsed. If a
// live daemon holds the lease both times, the run is its own.
func (d *Daemon) recoverJob(js *jobState) {
	log := d.log.With("job", js.Name)
	for attempt := range 2 {
		var out Outcome
		if d.unfinished == UnfinishedResume {
			out = d.execute(d.workCtx, js, "resume", time.Time{})
		} else {
			out = d.abandonOnly(js, log)
		}
		if out.Skipped != SkipLease {
			return
		}
		if attempt == 1 {
			log.Info("the job's runs belong to a live daemon; leaving them", "holder", out.Holder)
			return
		}
		l := d.holder(d.workCtx, js.Name)
		wait := time.Until(l.ExpiresAt) + d.ttl/10
		log.Info("waiting for the job's lease to lapse", "holder", l.Owner, "wait", wait.Round(time.Millisecond))
		select {
		case <-time.After(max(wait, 0)):
		case <-d.workCtx.Done():
			return
		}
	}
}

// abandonOnly takes the job's lease, marks its unfinished runs abandoned and
// gives the lease back.
func (d *Daemon) abandonOnly(js *jobState, log *slog.Logger) Outcome {
	if !js.running.CompareAndSwap(false, true) {
		return Outcome{Skipped: SkipRunning}
	}
	defer js.running.Store(false)
	ctx, cancel := context.WithTimeout(d.workCtx, leaseOpTimeout)
	defer cancel()
	ok, err := d.leases.Acquire(ctx, js.Name, d.owner, d.ttl)
	if err != nil {
		log.Warn("taking the job's lease to mark its runs abandoned", "err", err)
		return Outcome{Skipped: SkipError, Err: err}
	}
	if !ok {
		return Outcome{Skipped: SkipLease, Holder: d.holder(ctx, js.Name).Owner}
	}
	d.sweep(ctx, js.Name, log)
	if err := d.leases.Release(context.WithoutCancel(ctx), js.Name, d.owner); err != nil {
		log.Warn("releasing the job's lease", "err", err)
	}
	return Outcome{}
}
