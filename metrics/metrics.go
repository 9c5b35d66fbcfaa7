// Package metrics holds the Prometheus collectors of the nanoscout daemon and
// the HTTP handler that serves them with its health endpoints: /metrics,
// /healthz (the process is up) and /readyz (it takes work and its store
// answers).
//
// Every Metrics has its own registry, so several daemons can live in one
// process (tests) without colliding in the global one. Pipeline counters
// arrive per creator through a RunTracker (pipeline.AddProgress) as deltas of
// the run's per-platform totals.
package metrics

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/nanoscout/nanoscout/model"
)

const namespace = "nanoscout"

// Metrics are the daemon's collectors. Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	throttled   *prometheus.CounterVec
	retries     *prometheus.CounterVec
	limiterWait *prometheus.CounterVec
	creators    *prometheus.CounterVec

	jobRuns     *prometheus.CounterVec
	jobSkips    *prometheus.CounterVec
	running     *prometheus.GaugeVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
	lastFinish  *prometheus.GaugeVec
	pruned      *prometheus.CounterVec
}

// Registerer is the registry, for collectors defined elsewhere (the
// stream's).
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }

// New registers the collectors, with the Go runtime and process ones, in a
// registry of their own.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
		m.reg.MustRegister(v)
		return v
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, labels)
		m.reg.MustRegister(v)
		return v
	}
	m.requests = counter("requests_total", "HTTP responses from the platforms, by platform and status code (requests without a response are not counted here).", "platform", "code")
	m.throttled = counter("throttled_total", "429 (and quota) answers received, by platform.", "platform")
	m.retries = counter("retries_total", "Requests retried after a 5xx, timeout or 429, by platform.", "platform")
	m.limiterWait = counter("limiter_wait_seconds_total", "Time spent waiting on the platform's rate limiter.", "platform")
	m.creators = counter("creators_total", "Creators handled, by platform and outcome (collected, scored, failed, skipped).", "platform", "outcome")
	m.jobRuns = counter("job_runs_total", "Job executions that ran, by job and final status (succeeded, partial, failed).", "job", "status")
	m.jobSkips = counter("job_skips_total", "Job fires that did not run, by job and reason (lease: another daemon holds the job; running: still running here; error: the lease could not be checked).", "job", "reason")
	m.running = gauge("job_running", "1 while the job runs in this daemon.", "job")
	m.lastSuccess = gauge("job_last_success_timestamp_seconds", "Unix time the job last finished with status succeeded.", "job")
	m.lastFinish = gauge("job_last_finish_timestamp_seconds", "Unix time the job last finished, whatever its status.", "job")
	m.pruned = counter("pruned_total", "Documents deleted by retention, by collection.", "collection")
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "run_duration_seconds",
		Help:    "Duration of job executions (pipeline runs, prunes), by job.",
		Buckets: []float64{1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 28800},
	}, []string{"job"})
	m.reg.MustRegister(m.duration)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry the collectors are in, for tests and for adding
// more.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// JobStarted marks job as running.
func (m *Metrics) JobStarted(job string) { m.running.WithLabelValues(job).Set(1) }

// JobFinished records one execution of job: its final status (a model.Run*
// status) and duration.
func (m *Metrics) JobFinished(job, status string, d time.Duration, at time.Time) {
	m.running.WithLabelValues(job).Set(0)
	m.jobRuns.WithLabelValues(job, status).Inc()
	m.duration.WithLabelValues(job).Observe(d.Seconds())
	m.lastFinish.WithLabelValues(job).Set(float64(at.UnixMilli()) / 1e3)
	if status == model.RunSucceeded {
		m.lastSuccess.WithLabelValues(job).Set(float64(at.UnixMilli()) / 1e3)
	}
}

// JobSkipped counts a fire of job that did not run, and why.
func (m *Metrics) JobSkipped(job, reason string) { m.jobSkips.WithLabelValues(job, reason).Inc() }

// Pruned counts documents deleted by retention.
func (m *Metrics) Pruned(counts map[string]int64) {
	for col, n := range counts {
		m.pruned.WithLabelValues(col).Add(float64(n))
	}
}

// RunTracker turns one run's per-platform totals into counter increments.
type RunTracker struct {
	m    *Metrics
	mu   sync.Mutex
	last map[string]model.PlatformStats
}

// Run starts tracking one pipeline run.
func (m *Metrics) Run() *RunTracker {
	return &RunTracker{m: m, last: map[string]model.PlatformStats{}}
}

// Progress takes a platform's totals so far (pipeline.AddProgress) and adds
// what is new since the last call to the counters.
func (t *RunTracker) Progress(platform string, st model.PlatformStats) {
	t.mu.Lock()
	defer t.mu.Unlock()
	prev := t.last[platform]
	m := t.m
	add := func(c prometheus.Counter, now, before float64) {
		if now > before {
			c.Add(now - before)
		}
	}
	add(m.creators.WithLabelValues(platform, "collected"), float64(st.Collected), float64(prev.Collected))
	add(m.creators.WithLabelValues(platform, "scored"), float64(st.Scored), float64(prev.Scored))
	add(m.creators.WithLabelValues(platform, "failed"), float64(st.Failed), float64(prev.Failed))
	add(m.creators.WithLabelValues(platform, "skipped"), float64(st.Skipped), float64(prev.Skipped))
	add(m.throttled.WithLabelValues(platform), float64(st.Throttled), float64(prev.Throttled))
	add(m.retries.WithLabelValues(platform), float64(st.Retries), float64(prev.Retries))
	add(m.limiterWait.WithLabelValues(platform), float64(st.LimiterWaitMS)/1e3, float64(prev.LimiterWaitMS)/1e3)
	for code, n := range st.ByStatus {
		add(m.requests.WithLabelValues(platform, code), float64(n), float64(prev.ByStatus[code]))
	}
	t.last[platform] = st
}

// Finish adds what the run's final document has beyond the last progress
// call (requests made after the last creator, e.g. discovery of a platform
// that found nobody).
func (t *RunTracker) Finish(run model.Run) {
	for platform, st := range run.Platforms {
		if st != nil {
			t.Progress(platform, *st)
		}
	}
}

// Handler serves /metrics from g, /healthz (200 while the process serves)
// and /readyz (200 when ready returns nil, else 503 with the reason).
func Handler(g prometheus.Gatherer, ready func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", err)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "nanoscout daemon: /metrics /healthz /readyz")
	})
	return mux
}
