package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
	"github.com/nanoscout/nanoscout/stream"
)

// Defaults of the stream evaluation.
const (
	DefaultStreamCreators = 300
	DefaultStreamWindow   = 72 * time.Hour
	// DefaultStreamFaults adds the Jetstream transport faults and Bluesky's
	// deletes to the REST faults.
	DefaultStreamFaults = DefaultFaults + ",jsdrop=0.0002,jsdup=0.002,jsdisorder=0.002,jsmalformed=0.001,jsoversize=0.0005,postdelete=0.02,unlike=0.02"
)

// StreamOptions configure the stream evaluation.
type StreamOptions struct {
	Seed     int64
	Creators int           // simulated population (default 300)
	Window   time.Duration // stream replayed, back from now (default 72 h, Jetstream's retention)
	Faults   string        // default DefaultStreamFaults; "none" none
	TopK     int
	Logger   *slog.Logger
	// Base is the configuration both paths start from (scoring, the stream
	// section's funnel thresholds); nil = the built-in default.
	Base *config.Config
}

// StreamResult compares the stream path with the polling path on one
// simulated Bluesky population.
type StreamResult struct {
	Seed     int64         `json:"seed"`
	Creators int           `json:"creators"`
	Window   time.Duration `json:"windowNs"`
	Faults   string        `json:"faults"`
	TopK     int           `json:"topK"`
	// Events the simulator's log holds for the window, and those the
	// consumer received (they must be equal: nothing lost).
	Events   int64 `json:"events"`
	Received int64 `json:"received"`
	Skipped  int64 `json:"skipped"` // bad frames skipped
	// Active population creators (posted in the window), and how many of
	// them the stream discovered without seeds (tracked as candidates).
	Active     int     `json:"active"`
	Discovered int     `json:"discovered"`
	Coverage   float64 `json:"coverage"`
	// Stream and Polling are the usual ground-truth evaluations of each
	// store (P@K of the nano top K, non-organic in it, Spearman vs true ER).
	Stream  PlatformResult `json:"stream"`
	Polling PlatformResult `json:"polling"`
	// AgreementSpearman is the rank correlation of the two paths' ER over
	// the AgreementN creators both scored.
	AgreementSpearman float64 `json:"agreementSpearman"`
	AgreementN        int     `json:"agreementN"`
	// Requests: the stream funnel's hydration requests and the polling
	// run's, each per scored creator.
	StreamRequests   int64         `json:"streamRequests"`
	StreamPerScored  float64       `json:"streamRequestsPerScored"`
	PollingRequests  int64         `json:"pollingRequests"`
	PollingPerScored float64       `json:"pollingRequestsPerScored"`
	StreamDuration   time.Duration `json:"streamDurationNs"`
	PollingDuration  time.Duration `json:"pollingDurationNs"`
}

// RunStream runs both paths against one simulator (clock frozen, so both
// see the same population state): the polling pipeline seeded with the
// population's handles, and the stream consumer replaying the window with
// no seeds, then its funnel; and evaluates both against the ground truth.
func RunStream(ctx context.Context, o StreamOptions) (StreamResult, error) {
	if o.Creators <= 0 {
		o.Creators = DefaultStreamCreators
	}
	if o.Window <= 0 {
		o.Window = DefaultStreamWindow
	}
	if o.Faults == "" {
		o.Faults = DefaultStreamFaults
	}
	if o.TopK <= 0 {
		o.TopK = DefaultTopK
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	res := StreamResult{Seed: o.Seed, Creators: o.Creators, Window: o.Window, Faults: o.Faults, TopK: o.TopK}
	faults, err := parseFaults(o.Faults)
	if err != nil {
		return res, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	// The clock is frozen, so the simulator's rate window never ends: its
	// limit is off (the collector still keeps to the platform's rate, set
	// from the default limit); at 3,000 requests a window every request
	// after the first ~430 creators was refused.
	sim := simulator.New(simulator.Options{Seed: o.Seed, Creators: o.Creators, Faults: faults, Now: clock,
		Limits: map[string]simulator.Limit{stream.Platform: {}}})
	pop := sim.Population()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, fmt.Errorf("starting the simulator: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	baseURL := "http://" + ln.Addr().String()
	dir, err := os.MkdirTemp("", "nanoscout-eval-stream-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	opts := Options{Seed: o.Seed, Creators: o.Creators, MaxCreators: o.Creators, Faults: o.Faults, TopK: o.TopK, Logger: o.Logger, Base: o.Base}.withDefaults()
	cfg := pipelineConfig(opts.base(), pop, baseURL, []string{stream.Platform}, opts, filepath.Join(dir, "polling"))
	bm, err := benchmarks(cfg)
	if err != nil {
		return res, err
	}

	// The polling path.
	stP, err := sqlite.Open(ctx, filepath.Join(dir, "polling"))
	if err != nil {
		return res, err
	}
	defer stP.Close()
	p, err := pipeline.New(cfg, stP, pipeline.WithLogger(o.Logger), pipeline.WithClock(clock), pipeline.WithGetenv(placeholderSecrets(cfg)))
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	run, err := p.Run(ctx)
	if err != nil {
		return res, fmt.Errorf("the polling run: %w", err)
	}
	res.PollingDuration = time.Since(t0)
	if ps := run.Platforms[stream.Platform]; ps != nil {
		res.PollingRequests = ps.Requests
		if ps.Scored > 0 {
			res.PollingPerScored = float64(ps.Requests) / float64(ps.Scored)
		}
	}

	// The stream path: no seeds.
	scfg := cfg
	scfg.DataDir = filepath.Join(dir, "stream")
	bc := scfg.Platforms[stream.Platform]
	bc.Seeds = nil
	scfg.Platforms = map[string]collectors.PlatformConfig{stream.Platform: bc}
	scfg.Stream.Hosts = []string{simulator.JetstreamURL(baseURL)}
	scfg.Stream.Since = o.Window
	scfg.Stream.Funnel.Window = o.Window
	scfg.Stream.Funnel.Every = 24 * time.Hour // rounds are run below
	stS, err := sqlite.Open(ctx, scfg.DataDir)
	if err != nil {
		return res, err
	}
	defer stS.Close()
	svc, err := stream.NewService(ctx, scfg, stS, stream.WithServiceClock(clock), stream.WithServiceLogger(o.Logger),
		stream.WithGetenv(placeholderSecrets(scfg)),
		// The simulator's dropped connections come back at once: a second's
		// backoff each (every ~5,000 events with jsdrop) made a 2,000-creator
		// replay mostly sleep.
		stream.WithReconnectBackoff(5*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		return res, err
	}
	from := now.Add(-o.Window).UnixMicro()
	count, err := sim.JetstreamCount(from, now.UnixMicro()+1, simulator.JetstreamFilter{WantedCollections: jetstream.DefaultCollections})
	if err != nil {
		return res, err
	}
	res.Events = count.Events
	t1 := time.Now()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Consumer().Run(sctx) }()
	for svc.Consumer().Aggregator().Cursor() < count.LastUS {
		select {
		case err := <-done:
			cancel()
			return res, fmt.Errorf("the stream consumer stopped: %w", err)
		case <-ctx.Done():
			cancel()
			return res, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	prog := svc.Consumer().Progress()
	for _, n := range prog.Events {
		res.Received += n
	}
	for _, n := range prog.Skipped {
		res.Skipped += n
	}
	for {
		r, err := svc.Round(ctx)
		if err != nil {
			return res, fmt.Errorf("a funnel round: %w", err)
		}
		ps := r.Platforms[stream.Platform]
		o.Logger.Info("stream funnel round", "candidates", ps.Discovered, "hydrated", ps.Collected, "skipped", ps.Skipped,
			"scored", ps.Scored, "requests", ps.Requests, "errors", len(r.Errors))
		for _, e := range r.Errors {
			o.Logger.Info("stream funnel error", "reason", e.Reason)
		}
		res.StreamRequests += ps.Requests
		if ps.Discovered == 0 || ps.Scored == 0 {
			break
		}
	}
	res.StreamDuration = time.Since(t1)

	// Discovery: active population creators the stream tracked.
	posters := map[string]bool{}
	if err := sim.JetstreamEvents(from, now.UnixMicro()+1, simulator.JetstreamFilter{WantedCollections: []string{jetstream.CollectionPost}},
		func(_ int64, frame []byte) bool {
			if ev, err := jetstream.Parse(frame, 1<<21); err == nil && ev.Commit != nil && ev.Commit.Operation == jetstream.OpCreate {
				posters[ev.DID] = true
			}
			return true
		}); err != nil {
		return res, err
	}
	tracked, err := stS.StreamCreators(ctx, store.StreamCreatorQuery{})
	if err != nil {
		return res, err
	}
	isTracked := map[string]bool{}
	for _, c := range tracked {
		isTracked[c.DID] = true
	}
	for i := range pop.Size() {
		t := pop.Creator(stream.Platform, i)
		if !posters[t.ID] || t.Vanished {
			continue
		}
		res.Active++
		if isTracked[t.ID] {
			res.Discovered++
		}
	}
	if res.Active > 0 {
		res.Coverage = float64(res.Discovered) / float64(res.Active)
	}

	// Both against the truth, and against each other.
	if res.Polling, err = evaluatePlatform(ctx, stP, pop, bm, stream.Platform, o.TopK); err != nil {
		return res, err
	}
	if res.Stream, err = evaluatePlatform(ctx, stS, pop, bm, stream.Platform, o.TopK); err != nil {
		return res, err
	}
	scored := 0
	if res.StreamRequests > 0 {
		scored = res.Stream.Scored
		res.StreamPerScored = float64(res.StreamRequests) / float64(max(1, scored))
	}
	var a, b []float64
	basis := bm.Basis(stream.Platform)
	for offset := 0; ; offset += 1000 {
		page, err := stS.Top(ctx, store.TopQuery{Platform: stream.Platform, Limit: 1000, Offset: offset})
		if err != nil {
			return res, err
		}
		for _, r := range page {
			other, err := stP.Creator(ctx, r.Key)
			if err != nil || other.Score == nil || r.Score == nil {
				continue
			}
			x, ok1 := measuredER(r.Score, basis)
			y, ok2 := measuredER(other.Score, basis)
			if ok1 && ok2 {
				a, b = append(a, x), append(b, y)
			}
		}
		if len(page) < 1000 {
			break
		}
	}
	res.AgreementN = len(a)
	res.AgreementSpearman = spearman(a, b)
	return res, nil
}

// WriteTable prints the comparison.
func (r StreamResult) WriteTable(w io.Writer) error {
	_, err := fmt.Fprintf(w, `stream vs polling, Bluesky, %d simulated creators, %s of Jetstream replayed (seed %d, faults %s)
  events in the simulator's log  %d, received %d (bad frames skipped %d)
  discovery without seeds        %d of %d active creators (%.1f %%)
  ER agreement stream ↔ polling  Spearman %.3f over %d creators scored by both
                                 P@%d nano   non-organic in top   Spearman vs true ER   scored   requests   per scored
  stream                         %.2f        %d                   %.3f (n=%d)           %d       %d         %.2f
  polling                        %.2f        %d                   %.3f (n=%d)           %d       %d         %.2f
  durations                      stream %s, polling %s
`, r.Creators, r.Window, r.Seed, r.Faults, r.Events, r.Received, r.Skipped, r.Discovered, r.Active, 100*r.Coverage,
		r.AgreementSpearman, r.AgreementN,
		r.TopK, r.Stream.Precision, r.Stream.NonOrganic, r.Stream.Spearman, r.Stream.SpearmanN, r.Stream.Scored, r.StreamRequests, r.StreamPerScored,
		r.Polling.Precision, r.Polling.NonOrganic, r.Polling.Spearman, r.Polling.SpearmanN, r.Polling.Scored, r.PollingRequests, r.PollingPerScored,
		r.StreamDuration.Round(time.Second), r.PollingDuration.Round(time.Second))
	return err
}
