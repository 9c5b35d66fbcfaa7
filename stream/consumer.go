package stream

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/store"
)

// ConsumerConfig configures a Consumer.
type ConsumerConfig struct {
	Jetstream  jetstream.Options
	Aggregator AggregatorConfig
	// FlushInterval is how often the batch and the cursor are written when
	// the batch does not fill first (default 2 s).
	FlushInterval time.Duration
	// CursorMargin is subtracted from the cursor on every resume, so events
	// delivered a little out of order are not missed (default 5 s). The
	// replayed events are applied idempotently.
	CursorMargin time.Duration
	// StartCursor, when set, is where to start, whatever is stored (time_us).
	StartCursor int64
	// Since is where a first start (no stored cursor) begins: now − Since.
	// 0 starts live.
	Since  time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Gap is a stretch of the stream the service could not replay.
type Gap struct {
	From, To time.Time
}

// Consumer keeps a Jetstream subscription and feeds the Aggregator.
type Consumer struct {
	cfg    ConsumerConfig
	client *jetstream.Client
	agg    *Aggregator
	m      *Metrics
	log    *slog.Logger

	mu         sync.Mutex
	skipped    map[string]int64 // by reason: malformed, unknown, oversized
	reconnects int64
	gaps       []Gap
	unhandled  []Gap // gaps no round has polled for yet (TakeGaps)
	host       string
	started    bool
	lastEvent  time.Time // wall time of the last event
	lagUS      int64
}

// NewConsumer builds a consumer on st, loading the aggregator's state. It does not dial.
func NewConsumer(ctx context.Context, st store.Store, cfg ConsumerConfig, m *Metrics) (*Consumer, error) {
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = 2 * time.Second
	}
	if cfg.CursorMargin <= 0 {
		cfg.CursorMargin = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Jetstream.Logger = cfg.Logger
	client, err := jetstream.New(cfg.Jetstream)
	if err != nil {
		return nil, err
	}
	agg, err := NewAggregator(ctx, st, cfg.Aggregator, cfg.Now())
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Consumer{cfg: cfg, client: client, agg: agg, m: m, log: cfg.Logger, skipped: map[string]int64{}}, nil
}

// Aggregator is the consumer's aggregator.
func (c *Consumer) Aggregator() *Aggregator { return c.agg }

// resume is the cursor of the next dial.
func (c *Consumer) resume() int64 {
	c.mu.Lock()
	first := !c.started
	c.started = true
	c.mu.Unlock()
	if first && c.cfg.StartCursor > 0 {
		return c.cfg.StartCursor
	}
	cur := c.agg.Cursor()
	if cur == 0 {
		if c.cfg.Since > 0 {
			return c.cfg.Now().Add(-c.cfg.Since).UnixMicro()
		}
		return 0 // live
	}
	return max(1, cur-c.cfg.CursorMargin.Microseconds())
}

// Run consumes until ctx ends or the store fails. It flushes every
// FlushInterval and once more on the way out (with a short context of its
// own, so a cancelled run still stores what it applied).
func (c *Consumer) Run(ctx context.Context) error {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(c.cfg.FlushInterval)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if err := c.flush(runCtx); err != nil && runCtx.Err() == nil {
					cancel(err)
					return
				}
			}
		}
	}()
	err := c.client.Run(runCtx, c.resume, c)
	cancel(nil)
	wg.Wait()
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer fcancel()
	if ferr := c.flush(fctx); ferr != nil {
		return errors.Join(err, ferr)
	}
	if cause := context.Cause(runCtx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

func (c *Consumer) flush(ctx context.Context) error {
	err := c.agg.Flush(ctx)
	c.m.observe(c.agg.Snapshot())
	return err
}

// Event implements jetstream.Sink.
func (c *Consumer) Event(ctx context.Context, ev jetstream.Event) error {
	coll := ev.Kind
	if ev.Commit != nil {
		coll = ev.Commit.Collection
	}
	c.m.events.WithLabelValues(coll).Inc()
	now := c.cfg.Now()
	lag := now.UnixMicro() - ev.TimeUS
	c.m.lag.Set(float64(lag) / 1e6)
	c.mu.Lock()
	c.lastEvent, c.lagUS = now, lag
	c.mu.Unlock()
	return c.agg.Apply(ctx, ev)
}

// Skipped implements jetstream.Sink.
func (c *Consumer) Skipped(err error) {
	reason := "malformed"
	switch {
	case errors.Is(err, jetstream.ErrOversized):
		reason = "oversized"
	case errors.Is(err, jetstream.ErrUnknown):
		reason = "unknown"
	}
	c.m.skipped.WithLabelValues(reason).Inc()
	c.mu.Lock()
	c.skipped[reason]++
	c.mu.Unlock()
	c.log.Debug("skipped a jetstream message", "reason", reason, "err", err)
}

// Connected implements jetstream.Sink.
func (c *Consumer) Connected(host string, cursor int64) {
	c.mu.Lock()
	c.host = host
	c.mu.Unlock()
	c.log.Info("jetstream connected", "host", host, "cursor", cursor)
}

// Disconnected implements jetstream.Sink.
func (c *Consumer) Disconnected(host string, err error) {
	c.m.reconnects.Inc()
	c.mu.Lock()
	c.reconnects++
	c.mu.Unlock()
}

// Gap implements jetstream.Sink: the events between requested and first
// are lost. The gap is recorded, and the next funnel round (Service.Round)
// falls back to polling for the creators the stream was following.
func (c *Consumer) Gap(requested, first int64) {
	g := Gap{From: time.UnixMicro(requested).UTC(), To: time.UnixMicro(first).UTC()}
	c.m.gaps.Inc()
	c.mu.Lock()
	c.gaps = append(c.gaps, g)
	c.unhandled = append(c.unhandled, g)
	c.mu.Unlock()
	c.log.Warn("jetstream could not replay from the cursor: events lost", "from", g.From, "to", g.To)
}

// TakeGaps returns the gaps found since the last call and forgets them;
// ReturnGaps puts back those a round could not handle.
func (c *Consumer) TakeGaps() []Gap {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs := c.unhandled
	c.unhandled = nil
	return gs
}

// ReturnGaps queues gaps again for the next round.
func (c *Consumer) ReturnGaps(gs []Gap) {
	c.mu.Lock()
	c.unhandled = append(gs, c.unhandled...)
	c.mu.Unlock()
}

// Progress is what `nanoscout stream` prints.
type Progress struct {
	Stats
	Host       string
	Lag        time.Duration
	Skipped    map[string]int64
	Reconnects int64
	Gaps       []Gap
}

// Progress returns the consumer's counters.
func (c *Consumer) Progress() Progress {
	p := Progress{Stats: c.agg.Snapshot()}
	c.mu.Lock()
	defer c.mu.Unlock()
	p.Host, p.Lag, p.Reconnects = c.host, time.Duration(c.lagUS)*time.Microsecond, c.reconnects
	p.Skipped = make(map[string]int64, len(c.skipped))
	for k, v := range c.skipped {
		p.Skipped[k] = v
	}
	p.Gaps = append([]Gap(nil), c.gaps...)
	return p
}
