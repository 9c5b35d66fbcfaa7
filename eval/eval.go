// Package eval measures nanoscout's ranking against the simulator's ground
// truth: it starts the simulator in-process on loopback, runs the full
// pipeline against it (rate limits equal to the simulator's, faults on) into
// an embedded SQLite store in a directory of its own, then compares the
// stored ranking with the truth, per platform: precision@K of authentic
// high-engagement nano creators among the top K nano, the non-organic
// archetypes that made it into that top K, the Spearman correlation of
// measured and true ER, and the requests made against the minimum needed.
//
// It is orchestration only: collection, scoring and ranking are the
// pipeline's, the truth is the simulator's. A run can keep its directory
// (Options.Dir) and be re-scored later with Rescore, to see what a scoring
// change does to the same collected data without collecting again.
package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	_ "github.com/nanoscout/nanoscout/collectors/all" // every platform collector
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/configs"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// Defaults of Options.
const (
	DefaultSeed        = 42
	DefaultCreators    = 2000
	DefaultTopK        = 50
	DefaultConcurrency = 8
	// DefaultFaults injects every kind of fault the simulator knows, at
	// rates a flaky real API shows on a bad day.
	DefaultFaults = "5xx=0.02,latency=5ms,truncate=0.005,malformed=0.005,drift=0.005,vanish=0.01,loginwall=0.01"
)

// manifestFile is the record of a kept run, next to the store.
const manifestFile = "eval-manifest.json"

// Options configure an evaluation.
type Options struct {
	Seed int64
	// Creators is the simulated population per platform (default 2,000).
	Creators int
	// MaxCreators is how many creators the pipeline collects per platform
	// (default: the whole population). The seeds are the simulator's seed
	// handles (about 70 % nano or micro first), so a smaller number reaches
	// a smaller share of the nano population.
	MaxCreators int
	// Faults is the simulator's fault injection (simulator.ParseFaults);
	// "" means DefaultFaults, "none" none.
	Faults string
	// Platforms to evaluate; default every platform both the simulator and
	// the collector registry provide.
	Platforms []string
	// FaultSeed varies which requests the injected faults hit (the world
	// stays that of Seed); RunMany sets it per run.
	FaultSeed int64
	// TopK is the K of precision@K (default 50).
	TopK int
	// Concurrency is the creators in flight per platform (default 8).
	Concurrency int
	// Dir keeps the store and a manifest there for Rescore; "" uses a
	// temporary directory, removed afterwards. It must not hold a store yet.
	Dir string
	// Logger receives the pipeline's log (default: discard).
	Logger *slog.Logger
	// Progress, when set, is called after every creator.
	Progress func(platform string, st model.PlatformStats)
	// Base is the configuration the evaluation starts from (scoring weights,
	// benchmarks file, per-platform options); nil = the built-in default.
	// Data directory, concurrency and the platforms' URLs, limits, seeds and
	// sizes are set by the evaluation.
	Base *config.Config
}

func (o Options) base() config.Config {
	if o.Base != nil {
		return *o.Base
	}
	return config.Default()
}

func (o Options) withDefaults() Options {
	if o.Creators <= 0 {
		o.Creators = DefaultCreators
	}
	if o.MaxCreators <= 0 {
		o.MaxCreators = o.Creators
	}
	if o.Faults == "" {
		o.Faults = DefaultFaults
	}
	if o.TopK <= 0 {
		o.TopK = DefaultTopK
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// manifest records a kept run so that Rescore can rebuild the truth as of
// the collection and report the same request counts.
type manifest struct {
	Seed        int64                              `json:"seed"`
	FaultSeed   int64                              `json:"faultSeed,omitempty"`
	Creators    int                                `json:"creators"`
	MaxCreators int                                `json:"maxCreators"`
	Faults      string                             `json:"faults"`
	Platforms   []string                           `json:"platforms"`
	Started     time.Time                          `json:"started"`
	Finished    time.Time                          `json:"finished"`
	Run         model.Run                          `json:"run"`
	Simulator   map[string]simulator.PlatformStats `json:"simulator"`
}

// Run collects, scores and ranks a fresh simulated population and evaluates
// the ranking.
func Run(ctx context.Context, opts Options) (Result, error) {
	opts = opts.withDefaults()
	faults, err := parseFaults(opts.Faults)
	if err != nil {
		return Result{}, err
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "nanoscout-eval-*"); err != nil {
			return Result{}, fmt.Errorf("creating the eval directory: %w", err)
		}
		defer os.RemoveAll(dir)
	} else if _, err := os.Stat(filepath.Join(dir, manifestFile)); err == nil {
		return Result{}, fmt.Errorf("%s already holds an evaluation: re-score it, or choose an empty directory", dir)
	}

	sim := simulator.New(simulator.Options{Seed: opts.Seed, Creators: opts.Creators, Faults: faults, FaultSeed: opts.FaultSeed})
	pop := sim.Population()
	platforms, err := choosePlatforms(pop.Platforms(), opts.Platforms)
	if err != nil {
		return Result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, fmt.Errorf("starting the simulator: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			opts.Logger.Error("simulator stopped", "err", err)
		}
	}()
	defer srv.Close()

	cfg := pipelineConfig(opts.base(), pop, "http://"+ln.Addr().String(), platforms, opts, dir)
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		return Result{}, fmt.Errorf("opening the eval store: %w", err)
	}
	defer st.Close()
	p, err := pipeline.New(cfg, st, pipeline.WithLogger(opts.Logger), pipeline.WithGetenv(placeholderSecrets(cfg)),
		pipeline.WithProgress(func(name string, s model.PlatformStats) {
			if opts.Progress != nil {
				opts.Progress(name, s)
			}
		}))
	if err != nil {
		return Result{}, err
	}
	started := time.Now()
	run, err := p.Run(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("running the pipeline: %w", err)
	}
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	finished := time.Now()
	m := manifest{Seed: opts.Seed, FaultSeed: opts.FaultSeed, Creators: opts.Creators, MaxCreators: opts.MaxCreators, Faults: opts.Faults,
		Platforms: platforms, Started: started, Finished: finished, Run: run, Simulator: sim.Stats().Platforms}
	if opts.Dir != "" {
		if err := writeManifest(dir, m); err != nil {
			return Result{}, err
		}
	}
	bm, err := benchmarks(cfg)
	if err != nil {
		return Result{}, err
	}
	res, err := evaluate(ctx, st, pop, bm, m, opts.TopK)
	if err != nil {
		return Result{}, err
	}
	res.Duration = finished.Sub(started)
	return res, nil
}

// Rescore re-scores a run kept in dir with the current scoring code (no
// collection) and evaluates it again, against the truth as of the end of
// that run. opts.Platforms narrows the platforms; Seed, Creators and Faults
// come from the kept run.
func Rescore(ctx context.Context, dir string, opts Options) (Result, error) {
	opts = opts.withDefaults()
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return Result{}, fmt.Errorf("reading the kept evaluation: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Result{}, fmt.Errorf("reading %s: %w", manifestFile, err)
	}
	faults, err := parseFaults(m.Faults)
	if err != nil {
		return Result{}, err
	}
	at := m.Finished
	sim := simulator.New(simulator.Options{Seed: m.Seed, Creators: m.Creators, Faults: faults, FaultSeed: m.FaultSeed, Now: func() time.Time { return at }})
	pop := sim.Population()
	if len(opts.Platforms) > 0 {
		var keep []string
		for _, p := range opts.Platforms {
			if !slices.Contains(m.Platforms, p) {
				return Result{}, fmt.Errorf("platform %q was not collected in %s (it has %v)", p, dir, m.Platforms)
			}
			keep = append(keep, p)
		}
		m.Platforms = keep
	}
	opts.Seed, opts.Creators, opts.MaxCreators = m.Seed, m.Creators, m.MaxCreators
	cfg := pipelineConfig(opts.base(), pop, "http://127.0.0.1:1", m.Platforms, opts, dir)
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		return Result{}, fmt.Errorf("opening the eval store: %w", err)
	}
	defer st.Close()
	p, err := pipeline.New(cfg, st, pipeline.WithLogger(opts.Logger))
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	if err := p.Rescore(ctx, m.Platforms...); err != nil {
		opts.Logger.Warn("re-scoring", "err", err)
	}
	bm, err := benchmarks(cfg)
	if err != nil {
		return Result{}, err
	}
	res, err := evaluate(ctx, st, pop, bm, m, opts.TopK)
	if err != nil {
		return Result{}, err
	}
	res.Duration = m.Finished.Sub(m.Started)
	res.Rescored = time.Since(start)
	return res, nil
}

func parseFaults(s string) (simulator.Faults, error) {
	f, err := simulator.ParseFaults(s)
	if err != nil {
		return f, fmt.Errorf("faults: %w", err)
	}
	return f, nil
}

// choosePlatforms returns the platforms both the simulator and the collector
// registry have, narrowed to want when given.
func choosePlatforms(simulated, want []string) ([]string, error) {
	var both []string
	for _, p := range simulated {
		if slices.Contains(collectors.Names(), p) {
			both = append(both, p)
		}
	}
	if len(want) == 0 {
		if len(both) == 0 {
			return nil, errors.New("no platform is both simulated and collected")
		}
		return both, nil
	}
	var out []string
	for _, p := range want {
		if !slices.Contains(both, p) {
			return nil, fmt.Errorf("platform %q is not both simulated and collected (available: %v)", p, both)
		}
		out = append(out, p)
	}
	return out, nil
}

// pipelineConfig points the chosen platforms at the simulator with its own
// rate limits, seeds them with the simulator's seed handles and disables the
// rest. Discovery queries are left out: the seeds already fill max_creators.
func pipelineConfig(base config.Config, pop *simulator.Population, baseURL string, platforms []string, opts Options, dir string) config.Config {
	cfg := base
	cfg.DataDir = dir
	cfg.Mongo.URI = ""
	cfg.Concurrency = opts.Concurrency
	cfg.Platforms = map[string]collectors.PlatformConfig{}
	limits := simulator.DefaultLimits()
	for name, pc := range base.Platforms {
		pc.Enabled = false
		cfg.Platforms[name] = pc
	}
	for _, name := range platforms {
		pc := base.Platforms[name]
		pc.Enabled = true
		pc.BaseURL = baseURL + "/" + name
		if l, ok := limits[name]; ok && l.Requests > 0 && l.Window > 0 {
			pc.RatePerSecond = 0.95 * float64(l.Requests) / l.Window.Seconds()
			pc.Burst = max(1, min(20, l.Requests/10))
		}
		pc.Timeout = 10 * time.Second
		pc.MaxRetries = 4
		pc.MaxRetryWait = 30 * time.Second
		pc.Seeds = pop.SeedHandles(name, opts.MaxCreators)
		pc.Queries = nil
		pc.MaxCreators = opts.MaxCreators
		if pc.ThreadPosts <= 0 {
			pc.ThreadPosts = 5
		}
		cfg.Platforms[name] = pc
	}
	return cfg
}

// placeholderSecrets answers every credential the config names with a
// placeholder: the simulator accepts any API key, and no real secret is
// read or sent anywhere. Credentials other than API keys (logins, tokens)
// are left empty so each collector takes its public path.
func placeholderSecrets(cfg config.Config) func(string) string {
	keys := map[string]bool{}
	for _, pc := range cfg.Platforms {
		if pc.Enabled {
			if env := pc.Credentials["api_key"]; env != "" {
				keys[env] = true
			}
		}
	}
	return func(name string) string {
		if keys[name] {
			return "nanoscout-eval-placeholder-key"
		}
		return ""
	}
}

func benchmarks(cfg config.Config) (scoring.Benchmarks, error) {
	data := configs.Benchmarks
	if cfg.Scoring.Benchmarks != "" {
		b, err := os.ReadFile(cfg.Scoring.Benchmarks)
		if err != nil {
			return scoring.Benchmarks{}, fmt.Errorf("reading benchmarks: %w", err)
		}
		data = b
	}
	return scoring.ParseBenchmarks(data)
}

func writeManifest(dir string, m manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestFile), b, 0o644); err != nil {
		return fmt.Errorf("writing the manifest: %w", err)
	}
	return nil
}
