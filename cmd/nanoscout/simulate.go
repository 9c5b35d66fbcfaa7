package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/simulator"
)

func init() { addCommand(newSimulateCmd) }

func newSimulateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Run the offline platform simulator, or write its ground truth",
	}
	cmd.AddCommand(newSimulateServeCmd(g), newSimulateTruthCmd())
	return cmd
}

func newSimulateServeCmd(g *globals) *cobra.Command {
	var (
		seed     int64
		creators int
		faults   string
		addr     string
		speed    float64
		jsRate   float64
		jsKeep   time.Duration
		perCl    bool
		mPublic  string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the simulated platforms on loopback",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			log := newLogger(cmd.ErrOrStderr(), cfg)
			f, err := simulator.ParseFaults(faults)
			if err != nil {
				return err
			}
			switch mPublic {
			case simulator.MastodonPublicOpen, simulator.MastodonPublicPreviewOff, simulator.MastodonPublicAuthorized:
			default:
				return fmt.Errorf("--mastodon-public %q: want \"\", %q or %q", mPublic, simulator.MastodonPublicPreviewOff, simulator.MastodonPublicAuthorized)
			}
			if speed <= 0 {
				return fmt.Errorf("--speed %g: want a positive factor", speed)
			}
			opts := simulator.Options{Seed: seed, Creators: creators, Faults: f, PerClientLimits: perCl, MastodonPublic: mPublic,
				Jetstream: simulator.JetstreamOptions{Rate: jsRate, Retention: jsKeep}}
			if speed != 1 {
				opts.Now = simulator.ScaledClock(time.Now(), speed)
			}
			sim := simulator.New(opts)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listening on %s: %w", addr, err)
			}
			base := "http://" + ln.Addr().String()
			fmt.Fprintf(cmd.OutOrStdout(), "simulator on %s (seed %d, %d creators per platform)\n", base, seed, creators)
			for _, p := range sim.Population().Platforms() {
				fmt.Fprintf(cmd.OutOrStdout(), "  %-10s base_url: %s/%s\n", p, base, p)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "  %-10s %s\n", "jetstream", simulator.JetstreamURL(base))
			fmt.Fprintf(cmd.OutOrStdout(), "  stats: %s/__stats\n", base)
			srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-cmd.Context().Done()
				log.Info("simulator shutting down")
				_ = srv.Close()
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.Int64Var(&seed, "seed", 42, "population seed")
	f.IntVar(&creators, "creators", 1000, "creators per platform (10–100000)")
	f.StringVar(&faults, "faults", "", `fault injection, e.g. "5xx=0.05,latency=20ms,truncate=0.01,malformed=0.01,drift=0.01,vanish=0.01"`)
	f.StringVar(&addr, "addr", "127.0.0.1:8089", "listen address (loopback)")
	f.Float64Var(&speed, "speed", 1, "simulated time runs this many times faster than the wall clock (more Jetstream events per second)")
	f.Float64Var(&jsRate, "jetstream-rate", 0, "cap on Jetstream events per second per connection (0 = as fast as the client reads)")
	f.DurationVar(&jsKeep, "jetstream-retention", simulator.DefaultJetstreamRetention, "how far back a Jetstream cursor can replay")
	f.BoolVar(&perCl, "per-client-limits", false, "one rate-limit budget per client (X-Nanoscout-Client header, else bearer token)")
	f.StringVar(&mPublic, "mastodon-public", "", `Mastodon public timelines: "" (open), "preview-off" (422 without a token) or "authorized" (401)`)
	return cmd
}

func newSimulateTruthCmd() *cobra.Command {
	var (
		seed      int64
		creators  int
		format    string
		out       string
		platforms string
	)
	cmd := &cobra.Command{
		Use:   "truth",
		Short: "Write the simulator's ground truth (id, platform, tier, true ER, archetype, is_authentic)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sim := simulator.New(simulator.Options{Seed: seed, Creators: creators})
			pop := sim.Population()
			ps := pop.Platforms()
			if platforms != "" {
				ps = strings.Split(platforms, ",")
			}
			w := cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("creating %s: %w", out, err)
				}
				defer f.Close()
				w = f
			}
			switch format {
			case "csv":
				return simulator.WriteTruthCSV(w, pop, ps)
			case "json":
				return simulator.WriteTruthJSON(w, pop, ps)
			}
			return fmt.Errorf("--format %q: want csv or json", format)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&seed, "seed", 42, "population seed")
	f.IntVar(&creators, "creators", 1000, "creators per platform")
	f.StringVar(&format, "format", "csv", "csv or json")
	f.StringVarP(&out, "output", "o", "-", "output file (- = stdout)")
	f.StringVar(&platforms, "platforms", "", "comma-separated platforms (default: all)")
	return cmd
}
