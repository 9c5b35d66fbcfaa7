package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/metrics"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// Job is one scheduled job.
type Job struct {
	Name     string
	Kind     string        // config.JobRun, config.JobPrune, or anything for custom jobs
	Spec     string        // the cron spec as configured, for display
	Schedule cron.Schedule // when it fires
	Location *time.Location
	Jitter   time.Duration // random delay before each scheduled start, up to this
	Timeout  time.Duration // 0 = none
	Do       Func
}

// Func is what a job does. It runs while the daemon holds the job's lease;
// ctx is cancelled when the daemon shuts down, the job times out or the lease
// is lost, and the function must then return soon.
type Func func(ctx context.Context, env Env) (Result, error)

// Env is what the daemon gives a job.
type Env struct {
	Log     *slog.Logger // with the job's name
	Metrics *metrics.Metrics
	Now     func() time.Time
	// Fire is the nominal time of the scheduled fire being run (before
	// jitter); zero when the job was triggered, run at start or resumed.
	Fire time.Time
}

// Result is the outcome of one execution.
type Result struct {
	Status string // a model.Run* status; "" = succeeded, or failed with an error
	RunID  string // the run document a run job wrote
	Attrs  []any  // more key/value pairs for the log line of the job's end
}

// ParseSpec parses a cron spec in loc (config.ParseSpec, which the config's
// validation uses too): five fields, six with leading seconds, or a
// descriptor; a CRON_TZ= or TZ= prefix overrides loc.
//
// "@every d" fires on a fixed grid, the multiples of d counted from
// 0001-01-01 00:00 UTC (Go's zero time), not d after the daemon started:
// "@every 6h" fires at 00:00, 06:00, 12:00 and 18:00 UTC, "@every 5s" at
// :00, :05, :10 … of each minute. So every daemon sharing a store computes
// the same fire times and claims each fire once. (A d that does not divide
// a day still gives one grid for all daemons, just not aligned to midnight.)
func ParseSpec(spec string, loc *time.Location) (cron.Schedule, error) {
	s, err := config.ParseSpec(spec, loc)
	if err != nil {
		return nil, err
	}
	if every, ok := s.(cron.ConstantDelaySchedule); ok {
		return gridSchedule{every.Delay}, nil
	}
	return s, nil
}

// gridSchedule fires at the multiples of every (see ParseSpec).
type gridSchedule struct{ every time.Duration }

// Next is the first multiple of every after t.
func (g gridSchedule) Next(t time.Time) time.Time { return t.Truncate(g.every).Add(g.every) }

// FromConfig builds the enabled jobs of cfg's schedule section: run jobs
// (the pipeline on cfg, restricted to the job's platforms, with runOpts)
// and prune jobs (cfg's retention), all on st.
func FromConfig(cfg config.Config, st store.Store, runOpts ...pipeline.Option) ([]Job, error) {
	if err := cfg.ValidateSchedule(); err != nil {
		return nil, err
	}
	sc := cfg.Schedule.WithDefaults()
	var jobs []Job
	for _, name := range sc.JobNames() {
		jc := sc.Jobs[name]
		if jc.Disabled {
			continue
		}
		loc, err := sc.Location(jc)
		if err != nil {
			return nil, fmt.Errorf("config: schedule.jobs.%s.timezone: %w", name, err)
		}
		sched, err := ParseSpec(jc.Spec, loc)
		if err != nil {
			return nil, fmt.Errorf("config: schedule.jobs.%s.spec: %w", name, err)
		}
		j := Job{Name: name, Kind: jc.Kind, Spec: jc.Spec, Schedule: sched, Location: loc, Jitter: jc.Jitter, Timeout: jc.Timeout}
		switch jc.Kind {
		case config.JobRun:
			j.Do = RunJob(Restrict(cfg, jc.Platforms), st, name, runOpts...)
		case config.JobPrune:
			j.Do = PruneJob(st, sc.Retention)
		case config.JobStream:
			j.Do = StreamJob(cfg, st)
		}
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("config: schedule.jobs: no enabled jobs (see the schedule section of configs/default.yaml)")
	}
	return jobs, nil
}

// Restrict returns a copy of cfg in which only the listed platforms are
// enabled (all enabled ones when the list is empty).
func Restrict(cfg config.Config, platforms []string) config.Config {
	out := cfg
	out.Platforms = maps.Clone(cfg.Platforms)
	if len(platforms) == 0 {
		return out
	}
	for name, pc := range out.Platforms {
		pc.Enabled = pc.Enabled && slices.Contains(platforms, name)
		out.Platforms[name] = pc
	}
	return out
}

// RunJob runs the pipeline on cfg, recording its runs as job name, and
// feeds the daemon's metrics as creators are collected.
func RunJob(cfg config.Config, st store.Store, name string, opts ...pipeline.Option) Func {
	return func(ctx context.Context, env Env) (Result, error) {
		tr := env.Metrics.Run()
		all := append([]pipeline.Option{
			pipeline.WithLogger(env.Log), pipeline.WithJob(name), pipeline.WithLeaseHeld(), pipeline.AddProgress(tr.Progress),
		}, opts...)
		p, err := pipeline.New(cfg, st, all...)
		if err != nil {
			return Result{Status: model.RunFailed}, err
		}
		run, err := p.Run(ctx)
		tr.Finish(run)
		res := Result{Status: run.Status, RunID: run.ID}
		if run.Status == "" {
			res.Status = model.RunFailed
		}
		var collected, failed, skipped int
		t := run.Totals()
		collected, failed, skipped = t.Collected, t.Failed, t.Skipped
		res.Attrs = []any{"collected", collected, "skipped", skipped, "failed", failed, "errors", len(run.Errors)}
		return res, err
	}
}

// PruneJob deletes what is older than r, measured back from the job's start.
func PruneJob(p store.Pruner, r config.Retention) Func {
	return func(ctx context.Context, env Env) (Result, error) {
		now := env.Now()
		got, err := p.Prune(ctx, Cutoffs(r, now))
		env.Metrics.Pruned(got)
		res := Result{Status: model.RunSucceeded}
		for _, col := range slices.Sorted(maps.Keys(got)) {
			res.Attrs = append(res.Attrs, "deleted_"+col, got[col])
		}
		if err != nil {
			res.Status = model.RunFailed
		}
		return res, err
	}
}

// FireRetention is how long the claims of scheduled fires are kept. A fire
// is only claimed around its nominal time (plus jitter), so a week is ample.
const FireRetention = 7 * 24 * time.Hour

// Cutoffs turns retention periods into the store's cutoff times at now.
// Fire claims older than FireRetention always go.
func Cutoffs(r config.Retention, now time.Time) store.Retention {
	out := store.Retention{FiresBefore: now.Add(-FireRetention)}
	if r.Snapshots > 0 {
		out.SnapshotsBefore = now.Add(-r.Snapshots)
	}
	if r.Runs > 0 {
		out.RunsBefore = now.Add(-r.Runs)
	}
	if r.Comments > 0 {
		out.CommentsBefore = now.Add(-r.Comments)
	}
	return out
}
