package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"
	_ "time/tzdata" // job time zones work on hosts and images without a zoneinfo database
)

// Schedule configures `nanoscout schedule`: the daemon's jobs, leases,
// metrics endpoint and retention. Zero values take the defaults of
// WithDefaults.
type Schedule struct {
	// MetricsAddr is where /metrics, /healthz and /readyz are served
	// (default 127.0.0.1:9464; "off" serves nothing).
	MetricsAddr string `yaml:"metrics_addr"`
	// Timezone is the jobs' default time zone (IANA name, e.g. Europe/Berlin;
	// default "Local", the machine's).
	Timezone string `yaml:"timezone"`
	// LeaseTTL is how long a job's lease lasts without a heartbeat: a daemon
	// that dies holds its jobs this long at most (default 1m; heartbeats
	// every third of it).
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// ShutdownTimeout bounds how long SIGINT/SIGTERM waits for running jobs
	// to stop and record their runs (default 8s).
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// Unfinished says what the daemon does at start with a job's run that is
	// still "running" but whose daemon is gone: "resume" (default) runs the
	// job at once, continuing where it stopped; "abandon" only marks it
	// abandoned and waits for the next scheduled time.
	Unfinished string `yaml:"unfinished"`
	// Retention is what the prune jobs and `nanoscout db prune` delete.
	Retention Retention `yaml:"retention"`
	// Jobs by name.
	Jobs map[string]Job `yaml:"jobs"`
}

// Job kinds.
const (
	// JobRun is a pipeline run (discover, collect, score, rank), optionally
	// restricted to some platforms.
	JobRun = "run"
	// JobPrune deletes data older than schedule.retention.
	JobPrune = "prune"
)

// Job is one scheduled job.
type Job struct {
	// Kind is run or prune.
	Kind string `yaml:"kind"`
	// Spec is a cron spec: five fields (minute hour day-of-month month
	// day-of-week), optionally a leading seconds field, or a descriptor such
	// as @daily, @hourly or "@every 6h".
	Spec string `yaml:"spec"`
	// Timezone of the spec (default schedule.timezone).
	Timezone string `yaml:"timezone"`
	// Jitter delays each start by a random duration up to this much, so
	// replicas and jobs on the same minute spread out.
	Jitter time.Duration `yaml:"jitter"`
	// Timeout bounds one execution (0 = none).
	Timeout time.Duration `yaml:"timeout"`
	// Platforms restricts a run job to these enabled platforms (default all
	// enabled ones).
	Platforms []string `yaml:"platforms"`
	// Disabled jobs are not scheduled.
	Disabled bool `yaml:"disabled"`
}

// Retention says how long data is kept (0 = forever).
type Retention struct {
	// Snapshots: daily creator snapshots (growth history). Scoring reads the
	// last 120 days, so keep at least that.
	Snapshots time.Duration `yaml:"snapshots"`
	// Runs: finished run documents.
	Runs time.Duration `yaml:"runs"`
	// Comments: raw comments, by the time they were written. Scoring reads
	// stored comments of older posts, so keep them as long as such posts
	// count towards reply depth.
	Comments time.Duration `yaml:"comments"`
}

// Default values of the schedule section.
const (
	DefaultMetricsAddr     = "127.0.0.1:9464"
	DefaultLeaseTTL        = time.Minute
	DefaultShutdownTimeout = 8 * time.Second
)

// WithDefaults returns s with its defaults filled in.
func (s Schedule) WithDefaults() Schedule {
	if s.MetricsAddr == "" {
		s.MetricsAddr = DefaultMetricsAddr
	}
	if s.Timezone == "" {
		s.Timezone = "Local"
	}
	if s.LeaseTTL <= 0 {
		s.LeaseTTL = DefaultLeaseTTL
	}
	if s.ShutdownTimeout <= 0 {
		s.ShutdownTimeout = DefaultShutdownTimeout
	}
	if s.Unfinished == "" {
		s.Unfinished = "resume"
	}
	return s
}

// JobNames lists the jobs, sorted.
func (s Schedule) JobNames() []string {
	names := make([]string, 0, len(s.Jobs))
	for n := range s.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Location is the job's time zone: its own, else the schedule's.
func (s Schedule) Location(j Job) (*time.Location, error) {
	name := j.Timezone
	if name == "" {
		name = s.Timezone
	}
	if name == "" {
		name = "Local"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

var jobName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

// ValidateSchedule checks the schedule section against the rest of the
// config (a run job's platforms must be enabled ones). Cron specs are
// checked by the schedule package, which parses them.
func (c Config) ValidateSchedule() error {
	s := c.Schedule.WithDefaults()
	if s.LeaseTTL < time.Second {
		return fmt.Errorf("config: schedule.lease_ttl %v: want at least 1s", s.LeaseTTL)
	}
	switch s.Unfinished {
	case "resume", "abandon":
	default:
		return fmt.Errorf("config: schedule.unfinished %q: want resume or abandon", s.Unfinished)
	}
	r := s.Retention
	if r.Snapshots < 0 || r.Runs < 0 || r.Comments < 0 {
		return fmt.Errorf("config: schedule.retention: durations must be ≥ 0")
	}
	if _, err := s.Location(Job{}); err != nil {
		return fmt.Errorf("config: schedule.timezone: %w", err)
	}
	enabled := c.Enabled()
	for _, name := range s.JobNames() {
		j := s.Jobs[name]
		at := "config: schedule.jobs." + name
		if !jobName.MatchString(name) {
			return fmt.Errorf("%s: a job name is lower-case letters, digits, '.', '_' and '-'", at)
		}
		if name == "run" {
			// `nanoscout run` records its runs as job "run" and takes no
			// lease; a scheduled job of that name would mark them abandoned.
			return fmt.Errorf("%s: the name \"run\" is reserved for `nanoscout run`; choose another", at)
		}
		switch j.Kind {
		case JobRun:
		case JobPrune:
			if len(j.Platforms) > 0 {
				return fmt.Errorf("%s: platforms apply to run jobs only", at)
			}
		default:
			return fmt.Errorf("%s.kind %q: want %s or %s", at, j.Kind, JobRun, JobPrune)
		}
		if j.Spec == "" {
			return fmt.Errorf("%s.spec: missing", at)
		}
		if j.Jitter < 0 || j.Timeout < 0 {
			return fmt.Errorf("%s: jitter and timeout must be ≥ 0", at)
		}
		if _, err := s.Location(j); err != nil {
			return fmt.Errorf("%s.timezone: %w", at, err)
		}
		for _, p := range j.Platforms {
			if !slices.Contains(enabled, p) {
				return fmt.Errorf("%s.platforms: %q is not an enabled platform (enabled: %v)", at, p, enabled)
			}
		}
	}
	return nil
}
