package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// demoKeyEnv names the variable the demo's simulated API key is read from.
const demoKeyEnv = "NANOSCOUT_DEMO_API_KEY"

// demoGetenv serves the simulator's API key to the demo's collectors.
func demoGetenv(k string) string {
	if k == demoKeyEnv {
		return "simulator-demo-key"
	}
	return os.Getenv(k)
}

// canDiscover reports whether the platform's collector finds new creators
// by itself (search or snowball).
func canDiscover(name string, pc collectors.PlatformConfig) bool {
	col, err := collectors.New(name, collectors.Env{Config: pc, Getenv: demoGetenv})
	if err != nil {
		return false
	}
	if c, ok := col.(collectors.Closer); ok {
		defer c.Close()
	}
	_, d := col.(collectors.Discoverer)
	_, s := col.(collectors.Snowballer)
	return d || s
}

// demoConfig points every simulated platform at the simulator, with the
// simulator's own rate limits as the collectors' limits.
func demoConfig(base config.Config, pop *simulator.Population, baseURL string, maxCreators int) config.Config {
	cfg := base
	cfg.Platforms = map[string]collectors.PlatformConfig{}
	limits := simulator.DefaultLimits()
	known := map[string]bool{}
	for _, n := range collectors.Names() {
		known[n] = true
	}
	for _, name := range pop.Platforms() {
		if !known[name] {
			continue // simulated, but no collector yet
		}
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
		pc.Queries = pop.Hashtags()[:min(3, len(pop.Hashtags()))]
		pc.MaxCreators = maxCreators
		if pc.ThreadPosts <= 0 {
			pc.ThreadPosts = 5
		}
		// No credentials (the demo shows Bluesky discovery without a search
		// session), except an API key where the platform takes one: the
		// simulator accepts any.
		_, takesKey := pc.Credentials["api_key"]
		pc.Credentials = nil
		if takesKey {
			pc.Credentials = map[string]string{"api_key": demoKeyEnv}
		}
		// Platforms that can discover start from a few seeds; the others
		// (no public search) get their whole backlog as seeds.
		pc.Seeds = pop.SeedHandles(name, 8)
		if !canDiscover(name, pc) {
			pc.Seeds = pop.SeedHandles(name, maxCreators)
		}
		cfg.Platforms[name] = pc
	}
	cfg.Concurrency = 8
	return cfg
}

func init() { addCommand(newDemoCmd) }

func newDemoCmd(g *globals) *cobra.Command {
	var (
		seed         int64
		creators     int
		maxCreators  int
		faults       string
		top          int
		historyDays  int
		withCampaign bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Offline demo: start the simulator, run the pipeline on the embedded store, print the top nano creators",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if historyDays < 0 || historyDays > 365 {
				return usageErrorf("--history-days %d: want 0 to 365", historyDays)
			}
			base, err := g.loadConfig()
			if err != nil {
				return err
			}
			if g.dataDir == "" && os.Getenv("NANOSCOUT_DATA_DIR") == "" {
				base.DataDir = ".demo" // keep demo data out of the real store
			}
			base.Mongo.URI = g.mongoURI // the demo uses the embedded store unless asked
			log := newLogger(cmd.ErrOrStderr(), base)
			ctx := cmd.Context()

			f, err := simulator.ParseFaults(faults)
			if err != nil {
				return err
			}
			sim := simulator.New(simulator.Options{Seed: seed, Creators: creators, Faults: f})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return fmt.Errorf("starting simulator: %w", err)
			}
			srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("simulator stopped", "err", err)
				}
			}()
			defer srv.Close()
			baseURL := "http://" + ln.Addr().String()

			cfg := demoConfig(base, sim.Population(), baseURL, maxCreators)
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "simulator: %s (seed %d, %d creators per platform); store: %s\n", baseURL, seed, creators, describeStore(cfg))
			prog, plog := startProgress(cmd, cfg)
			defer prog.finish()
			p, err := pipeline.New(cfg, st, pipeline.WithLogger(plog), pipeline.WithGetenv(demoGetenv), prog.option())
			if err != nil {
				return err
			}
			run, err := p.Run(ctx)
			prog.finish()
			if err != nil {
				return err
			}
			printRunSummary(out, run, 10)
			truth := truthByKey(sim.Population())
			if historyDays > 0 {
				n, err := backfillHistory(ctx, st, truth, seed, historyDays, time.Now())
				if err != nil {
					return err
				}
				// Score again with the history: growth, follower spikes, ER jumps.
				if err := p.Rescore(ctx); err != nil {
					return fmt.Errorf("scoring the demo history: %w", err)
				}
				fmt.Fprintf(out, "history: %s synthetic daily snapshots over %d days (growth, spikes and ER jumps by archetype)\n", thousands(int64(n)), historyDays)
			}

			recs, err := st.Top(ctx, store.TopQuery{Tier: model.TierNano, Limit: top})
			if err != nil {
				return fmt.Errorf("querying top creators: %w", err)
			}
			fmt.Fprintf(out, "\nTop %d nano creators (1k–10k followers), all platforms; TRUTH is the simulator's hidden label:\n", top)
			printTop(out, recs, truth, 0)
			authentic := 0
			for _, r := range recs {
				if truth[r.Key] == "organic" {
					authentic++
				}
			}
			if len(recs) > 0 {
				fmt.Fprintf(out, "\n%d of %d ranked nano creators are organic in the ground truth.\n", authentic, len(recs))
			}
			if withCampaign {
				if err := demoCampaign(ctx, out, st, sim.Population(), cfg.DataDir, seed, time.Now()); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "Try: go run ./cmd/nanoscout top --data-dir %s --platform bluesky --tier nano --json\n", cfg.DataDir)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&seed, "seed", 42, "simulator population seed")
	fl.IntVar(&creators, "creators", 2000, "simulated creators per platform")
	fl.IntVar(&maxCreators, "max-creators", 120, "creators collected per platform")
	fl.StringVar(&faults, "faults", "5xx=0.02,malformed=0.002", "simulator fault injection")
	fl.IntVar(&top, "top", 20, "rows in the ranked table")
	fl.IntVar(&historyDays, "history-days", 60, "days of synthetic daily history written before today (0 = none)")
	fl.BoolVar(&withCampaign, "campaign", true, "also run a sample campaign on a shortlist of the ranked creators: codes, a simulated Shopify orders file, measured CPA per creator and tier")
	return cmd
}

func describeStore(cfg config.Config) string {
	if cfg.Mongo.URI != "" {
		return "MongoDB"
	}
	return "embedded SQLite in " + cfg.DataDir
}

// truthByKey maps store keys to the simulator's archetype labels.
func truthByKey(pop *simulator.Population) map[string]string {
	out := map[string]string{}
	for _, p := range pop.Platforms() {
		for i := range pop.Size() {
			t := pop.Creator(p, i)
			out[model.Key(p, t.ID)] = t.Archetype
		}
	}
	return out
}
