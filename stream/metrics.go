package stream

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the stream's Prometheus collectors.
type Metrics struct {
	events     *prometheus.CounterVec
	skipped    *prometheus.CounterVec
	lag        prometheus.Gauge
	reconnects prometheus.Counter
	gaps       prometheus.Counter
	hydration  *prometheus.CounterVec
	tracked    prometheus.Gauge
	pending    prometheus.Gauge
	cursor     prometheus.Gauge
	scored     prometheus.Counter
}

// NewMetrics creates the collectors and registers them on reg (nil: not
// registered anywhere, for tests and the foreground command).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	const ns, sub = "nanoscout", "stream"
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "events_total",
			Help: "Jetstream events received, by collection (or identity/account)."}, []string{"collection"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "skipped_total",
			Help: "Jetstream messages skipped, by reason (malformed, unknown, oversized)."}, []string{"reason"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "lag_seconds",
			Help: "How far the last event is behind the wall clock."}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "reconnects_total",
			Help: "Jetstream connections that ended and were redialled."}),
		gaps: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "gaps_total",
			Help: "Resumes where the service no longer held the events after the cursor."}),
		hydration: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "hydration_requests_total",
			Help: "Batched hydration requests, by endpoint (getProfiles, getPosts)."}, []string{"endpoint"}),
		tracked: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "tracked_creators",
			Help: "Creators past the first filter held in memory."}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "pending_posters",
			Help: "Posters waiting for engagement, held in memory."}),
		cursor: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "cursor_seconds",
			Help: "The stored cursor, as unix seconds."}),
		scored: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "scored_total",
			Help: "Candidates scored by the funnel."}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.skipped, m.lag, m.reconnects, m.gaps, m.hydration, m.tracked, m.pending, m.cursor, m.scored)
	}
	return m
}

func (m *Metrics) observe(s Stats) {
	m.tracked.Set(float64(s.Tracked))
	m.pending.Set(float64(s.Pending))
	m.cursor.Set(float64(s.Flushed) / 1e6)
}
