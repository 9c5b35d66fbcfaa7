package schedule

import (
	"context"
	"errors"
	"sync"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/metrics"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/stream"
)

// streamMetrics registers the stream's collectors once per daemon registry,
// however often the job starts again.
type streamMetrics struct {
	mu   sync.Mutex
	by   map[*metrics.Metrics]*stream.Metrics
	none *stream.Metrics
}

func newStreamMetrics() *streamMetrics {
	return &streamMetrics{by: map[*metrics.Metrics]*stream.Metrics{}}
}

func (s *streamMetrics) get(m *metrics.Metrics) *stream.Metrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m == nil {
		if s.none == nil {
			s.none = stream.NewMetrics(nil)
		}
		return s.none
	}
	sm := s.by[m]
	if sm == nil {
		sm = stream.NewMetrics(m.Registerer())
		s.by[m] = sm
	}
	return sm
}

// StreamJob runs the Jetstream consumer and its funnel (config section
// stream) until ctx ends: the daemon's shutdown, or the loss of the job's
// lease to another daemon, which then resumes from the stored cursor. One
// lease per job name means one consumer per deployment.
func StreamJob(cfg config.Config, st store.Store) Func {
	sm := newStreamMetrics()
	return func(ctx context.Context, env Env) (Result, error) {
		opts := []stream.ServiceOption{stream.WithServiceLogger(env.Log), stream.WithMetrics(sm.get(env.Metrics))}
		if env.Now != nil {
			opts = append(opts, stream.WithServiceClock(env.Now))
		}
		svc, err := stream.NewService(ctx, cfg, st, opts...)
		if err != nil {
			return Result{}, err
		}
		err = svc.Run(ctx)
		s := svc.Status()
		attrs := []any{"cursor", s.Flushed, "tracked", s.Tracked, "scored", s.Scored, "rounds", s.Rounds}
		if err != nil && !errors.Is(err, context.Canceled) {
			return Result{Attrs: attrs}, err
		}
		return Result{Status: model.RunSucceeded, Attrs: attrs}, nil
	}
}
