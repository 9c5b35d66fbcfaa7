package config

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // job time zones work on hosts and images without a zoneinfo database

	"github.com/robfig/cron/v3"
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
	// JobStream consumes the Bluesky Jetstream and scores what it finds
	// (config section stream) for as long as the daemon holds its lease:
	// its spec says how soon a daemon tries to take over after the holder
	// died (e.g. "@every 1m").
	JobStream = "stream"
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
	orDefault(&s.MetricsAddr, DefaultMetricsAddr)
	orDefault(&s.Timezone, "Local")
	orDefault(&s.LeaseTTL, DefaultLeaseTTL)
	orDefault(&s.ShutdownTimeout, DefaultShutdownTimeout)
	orDefault(&s.Unfinished, "resume")
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
	orDefault(&name, s.Timezone)
	orDefault(&name, "Local")
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

var jobName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSpec parses a cron spec in loc: five fields (minute hour
// day-of-month month day-of-week), or six with leading seconds, or a
// descriptor (@hourly, @daily, @weekly, @monthly, @yearly, "@every 6h"). A
// CRON_TZ= or TZ= prefix in the spec overrides loc.
func ParseSpec(spec string, loc *time.Location) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") && loc != nil {
		spec = "CRON_TZ=" + loc.String() + " " + spec
	}
	s, err := cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	return s, nil
}

// ValidateSchedule checks the schedule section against the rest of the
// config (a run job's platforms must be enabled ones), including every
// job's cron spec and time zone, so that every command refuses a schedule
// the daemon could not run. It reports every problem, joined.
func (c Config) ValidateSchedule() error {
	var ck checker
	raw := c.Schedule
	ck.durations("schedule.lease_ttl", raw.LeaseTTL, time.Second, 24*time.Hour, true)
	ck.durations("schedule.shutdown_timeout", raw.ShutdownTimeout, 100*time.Millisecond, 10*time.Minute, true)
	s := raw.WithDefaults()
	switch s.Unfinished {
	case "resume", "abandon":
	default:
		ck.errorf("schedule.unfinished %q: want resume or abandon", s.Unfinished)
	}
	if s.MetricsAddr != "off" {
		if _, _, err := net.SplitHostPort(s.MetricsAddr); err != nil {
			ck.errorf("schedule.metrics_addr %q: want host:port or off: %v", s.MetricsAddr, err)
		}
	}
	r := s.Retention
	const maxRetention = 100 * 365 * 24 * time.Hour
	ck.durations("schedule.retention.snapshots", r.Snapshots, 0, maxRetention, false)
	ck.durations("schedule.retention.runs", r.Runs, 0, maxRetention, false)
	ck.durations("schedule.retention.comments", r.Comments, 0, maxRetention, false)
	if _, err := s.Location(Job{}); err != nil {
		ck.errorf("schedule.timezone: %v", err)
	}
	enabled := c.Enabled()
	for _, name := range s.JobNames() {
		j := s.Jobs[name]
		at := "schedule.jobs." + name
		if !jobName.MatchString(name) {
			ck.errorf("%s: a job name is lower-case letters, digits, '.', '_' and '-'", at)
		}
		if name == "run" {
			// `nanoscout run` records its runs as job "run" and takes no
			// lease; a scheduled job of that name would mark them abandoned.
			ck.errorf("%s: the name \"run\" is reserved for `nanoscout run`; choose another", at)
		}
		switch j.Kind {
		case JobRun:
		case JobPrune, JobStream:
			if len(j.Platforms) > 0 {
				ck.errorf("%s: platforms apply to run jobs only", at)
			}
		default:
			ck.errorf("%s.kind %q: want %s, %s or %s", at, j.Kind, JobRun, JobPrune, JobStream)
		}
		ck.durations(at+".jitter", j.Jitter, 0, 24*time.Hour, false)
		ck.durations(at+".timeout", j.Timeout, 0, 7*24*time.Hour, false)
		loc, err := s.Location(j)
		if err != nil {
			ck.errorf("%s.timezone: %v", at, err)
		}
		if j.Spec == "" {
			ck.errorf("%s.spec: missing (e.g. \"0 2 * * *\" or @daily)", at)
		} else if err == nil {
			if _, err := ParseSpec(j.Spec, loc); err != nil {
				ck.errorf("%s.spec: %v", at, err)
			}
		}
		for _, p := range j.Platforms {
			if !slices.Contains(enabled, p) {
				ck.errorf("%s.platforms: %q is not an enabled platform (enabled: %v)", at, p, enabled)
			}
		}
	}
	return ck.err()
}
