package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// Service is the whole stream path built from config: the consumer, and
// the funnel on its own cadence, recording a run document per round.
type Service struct {
	cfg      config.Config
	st       store.Store
	consumer *Consumer
	funnel   *Funnel
	pipe     *pipeline.Pipeline
	log      *slog.Logger
	now      func() time.Time
	getenv   func(string) string
	owner    string

	mu     sync.Mutex
	rounds int
	scored int
	last   RoundStats
}

// ServiceOption configures a Service.
type ServiceOption func(*serviceOpts)

type serviceOpts struct {
	log         *slog.Logger
	now         func() time.Time
	metrics     *Metrics
	getenv      func(string) string
	startCursor int64
	minBackoff  time.Duration
	maxBackoff  time.Duration
}

// WithServiceLogger sets the logger.
func WithServiceLogger(l *slog.Logger) ServiceOption { return func(o *serviceOpts) { o.log = l } }

// WithServiceClock sets the clock (tests and the simulator).
func WithServiceClock(now func() time.Time) ServiceOption {
	return func(o *serviceOpts) { o.now = now }
}

// WithMetrics sets the Prometheus collectors.
func WithMetrics(m *Metrics) ServiceOption { return func(o *serviceOpts) { o.metrics = m } }

// WithGetenv sets how credentials are read.
func WithGetenv(f func(string) string) ServiceOption { return func(o *serviceOpts) { o.getenv = f } }

// WithReconnectBackoff sets the consumer's reconnect delays (default 1 s
// doubling to 1 min): a local simulator that drops connections on purpose
// needs no politeness.
func WithReconnectBackoff(minDelay, maxDelay time.Duration) ServiceOption {
	return func(o *serviceOpts) { o.minBackoff, o.maxBackoff = minDelay, maxDelay }
}

// WithStartCursor starts at an explicit cursor (time_us), whatever is stored.
func WithStartCursor(c int64) ServiceOption { return func(o *serviceOpts) { o.startCursor = c } }

// NewService builds the stream path from cfg on st. The Bluesky platform
// section gives the AppView URL, rate limit and credentials of the
// hydration requests.
func NewService(ctx context.Context, cfg config.Config, st store.Store, opts ...ServiceOption) (*Service, error) {
	o := serviceOpts{log: slog.New(slog.DiscardHandler), now: time.Now, getenv: os.Getenv}
	for _, f := range opts {
		f(&o)
	}
	if o.metrics == nil {
		o.metrics = NewMetrics(nil)
	}
	sc := cfg.Stream
	consumer, err := NewConsumer(ctx, st, ConsumerConfig{
		Jetstream: jetstream.Options{Hosts: sc.Hosts, Collections: sc.Collections, Logger: o.log,
			MinBackoff: o.minBackoff, MaxBackoff: o.maxBackoff},
		Aggregator: AggregatorConfig{FlushEvents: sc.FlushEvents, PendingWindow: sc.PendingWindow,
			MinEngagement: sc.MinEngagement, Retention: sc.Retention},
		FlushInterval: sc.FlushInterval, CursorMargin: sc.CursorMargin, Since: sc.Since,
		StartCursor: o.startCursor, Logger: o.log, Now: o.now,
	}, o.metrics)
	if err != nil {
		return nil, err
	}
	pc := cfg.Platforms[Platform]
	col, err := collectors.New(Platform, collectors.Env{Config: pc, UserAgent: cfg.UserAgent, Logger: o.log, Getenv: o.getenv})
	if err != nil {
		return nil, fmt.Errorf("the bluesky collector for hydration: %w", err)
	}
	h, ok := col.(Hydrator)
	if !ok {
		return nil, fmt.Errorf("the %T bluesky collector cannot hydrate in batches", col)
	}
	pipeCfg := cfg
	pipeCfg.Platforms = map[string]collectors.PlatformConfig{Platform: pc}
	p, err := pipeline.New(pipeCfg, st, pipeline.WithLogger(o.log), pipeline.WithClock(o.now), pipeline.WithGetenv(o.getenv), pipeline.WithJob("stream"))
	if err != nil {
		return nil, err
	}
	f, err := NewFunnel(st, h, p, FunnelConfig{Window: sc.Funnel.Window, MinEngagement: sc.Funnel.MinEngagement,
		Tiers: sc.Funnel.Tiers, MaxCandidates: sc.Funnel.MaxCandidates, Rescore: sc.Funnel.Rescore, Logger: o.log}, o.metrics)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return &Service{cfg: cfg, st: st, consumer: consumer, funnel: f, pipe: p, log: o.log, now: o.now, getenv: o.getenv,
		owner: fmt.Sprintf("%s:%d", host, os.Getpid())}, nil
}

// Consumer is the service's consumer.
func (s *Service) Consumer() *Consumer { return s.consumer }

// Run consumes the stream and runs the funnel every funnel.every until ctx
// ends. A failing round is recorded and the next one tried; a failing
// consumer (the store refuses writes) ends Run.
func (s *Service) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.consumer.Run(ctx) }()
	t := time.NewTicker(s.cfg.Stream.Funnel.Every)
	defer t.Stop()
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case <-t.C:
			if _, err := s.Round(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("stream funnel round failed", "err", err)
			}
		case <-ctx.Done():
			err := <-errc
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
	}
}

// Round runs the funnel once, re-scores the platform's cohort when it
// scored anyone, and records the round as a run document (job "stream").
func (s *Service) Round(ctx context.Context) (model.Run, error) {
	started := s.now().UTC()
	run := model.Run{ID: "stream-" + started.Format("20060102T150405.000000000Z"), Job: "stream", Status: model.RunRunning,
		StartedAt: started, Owner: s.owner, Platforms: map[string]*model.PlatformStats{}}
	// A gap first: the creators it spoils are polled and marked scored, so
	// the funnel below does not score them from the incomplete stream.
	run.Gaps = s.fillGaps(ctx, started)
	rs, err := s.funnel.Round(ctx, started)
	if err == nil && rs.Scored > 0 {
		// The peer comparisons (cohort norms, commenter rings) over every
		// stored Bluesky creator, as after a polling run.
		if rerr := s.pipe.Rescore(ctx, Platform); rerr != nil {
			rs.Errors = append(rs.Errors, rerr)
		}
	}
	ps := &model.PlatformStats{Discovered: rs.Candidates, Seen: rs.Candidates, Collected: rs.Hydrated,
		Skipped: rs.Waiting + rs.Filtered, Scored: rs.Scored, Requests: rs.Requests, RequestsPerScored: rs.RequestsPerScored()}
	run.Platforms[Platform] = ps
	for _, e := range rs.Errors {
		if len(run.Errors) < 20 {
			run.Errors = append(run.Errors, model.RunError{Platform: Platform, Stage: "stream", Reason: e.Error(), At: s.now().UTC()})
		}
	}
	run.FinishedAt = s.now().UTC()
	run.DurationMS = run.FinishedAt.Sub(started).Milliseconds()
	switch {
	case err != nil:
		run.Status = model.RunFailed
		run.Errors = append(run.Errors, model.RunError{Platform: Platform, Stage: "stream", Reason: err.Error(), At: run.FinishedAt})
	case len(rs.Errors) > 0 || slices.ContainsFunc(run.Gaps, func(g model.StreamGap) bool { return g.Error != "" }):
		run.Status = model.RunPartial
	default:
		run.Status = model.RunSucceeded
	}
	if serr := s.st.SaveRun(context.WithoutCancel(ctx), run); serr != nil {
		err = errors.Join(err, serr)
	}
	s.mu.Lock()
	s.rounds++
	s.scored += rs.Scored
	s.last = rs
	s.mu.Unlock()
	return run, err
}

// Status is what the foreground command prints.
type Status struct {
	Progress
	Rounds int
	Scored int // creators scored by the funnel so far
	Last   RoundStats
}

// Status returns the consumer's progress and the funnel's counters.
func (s *Service) Status() Status {
	st := Status{Progress: s.consumer.Progress()}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Rounds, st.Scored, st.Last = s.rounds, s.scored, s.last
	return st
}
