package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/eval"
	"github.com/nanoscout/nanoscout/model"
)

func init() { evalSubcommands = append(evalSubcommands, newEvalTruthCmd) }

func newEvalTruthCmd(g *globals) *cobra.Command {
	var (
		seed        int64
		creators    int
		maxCreators int
		faults      string
		platforms   string
		topK        int
		asJSON      bool
		keep        string
		rescore     string
		explain     int
		quiet       bool
		runs        int
		faultSeed   int64
	)
	cmd := &cobra.Command{
		Use:   "truth",
		Short: "Run the pipeline against the simulator and compare the ranking with its ground truth",
		Long: `Starts the platform simulator on loopback with faults on, runs the full pipeline against it
(every platform both the simulator and the collectors provide, rate limits equal to the simulator's)
into an embedded SQLite store in a temporary directory, then compares each platform's stored nano
ranking with the simulator's ground truth and prints one table: precision@50 of authentic
high-engagement nano creators, the non-organic archetypes in the nano top 50, the Spearman
correlation of measured and true ER, and the requests made against the minimum needed and those the
simulator's rate limits rejected. The definitions are printed under the table.

It runs --runs times (default 3) on the same world with different fault seeds (other requests hit
by the injected faults, so other retries and orders), prints one line per run and platform, then
the worst run per platform (most fraud in the top 50, then lowest precision) with the
audience-quality table: the estimated real, active share of each creator's sampled audience
against the simulator's per-account truth.

--keep DIR keeps the store (DIR/run-N for each run); --rescore DIR re-scores a kept store with the current scoring code
(nothing is collected) and evaluates it again, for iterating on scoring.`,
		Example: `  nanoscout eval truth
  nanoscout eval truth --platforms bluesky --creators 500 --explain 10
  nanoscout eval truth --keep /tmp/ev && nanoscout eval truth --rescore /tmp/ev --explain 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			base, err := g.loadConfig()
			if err != nil {
				return err
			}
			log := newLogger(cmd.ErrOrStderr(), base)
			opts := eval.Options{
				Seed: seed, Creators: creators, MaxCreators: maxCreators, Faults: faults, TopK: topK,
				Dir: keep, Logger: log, Base: &base, FaultSeed: faultSeed,
			}
			if platforms != "" {
				opts.Platforms = strings.Split(platforms, ",")
			}
			if !quiet && !asJSON {
				opts.Progress = progressPrinter(cmd.ErrOrStderr())
			}
			var res eval.Result
			if rescore != "" {
				res, err = eval.Rescore(cmd.Context(), rescore, opts)
			} else {
				var all []eval.Result
				all, err = eval.RunMany(cmd.Context(), opts, runs, func(i int, r eval.Result) {
					if !asJSON && runs > 1 {
						fmt.Fprint(cmd.OutOrStdout(), runLine(i, r))
					}
				})
				res = eval.Worst(all)
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return res.WriteTable(cmd.OutOrStdout(), explain)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&seed, "seed", eval.DefaultSeed, "simulator population seed")
	f.IntVar(&creators, "creators", eval.DefaultCreators, "simulated creators per platform")
	f.IntVar(&maxCreators, "max-creators", 0, "creators collected per platform (default: all of them)")
	f.StringVar(&faults, "faults", eval.DefaultFaults, `simulator fault injection ("none" for none)`)
	f.StringVar(&platforms, "platforms", "", "comma-separated platforms (default: every platform both simulated and collected)")
	f.IntVar(&topK, "top", eval.DefaultTopK, "K of precision@K")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.StringVar(&keep, "keep", "", "keep the store and a manifest in this (empty) directory")
	f.StringVar(&rescore, "rescore", "", "re-score and evaluate a store kept with --keep instead of collecting")
	f.IntVar(&explain, "explain", 0, "list up to N top entries per platform that are not authentic high-engagement nano creators")
	f.BoolVar(&quiet, "quiet", false, "no progress on stderr")
	f.IntVar(&runs, "runs", eval.DefaultRuns, "runs over different fault seeds; the worst per platform is reported")
	f.Int64Var(&faultSeed, "fault-seed", 1, "fault seed of the first run (the others follow on)")
	return cmd
}

// progressPrinter reports collection progress on w every few seconds.
func progressPrinter(w io.Writer) func(string, model.PlatformStats) {
	var mu sync.Mutex
	last := time.Now()
	seen := map[string]model.PlatformStats{}
	return func(platform string, st model.PlatformStats) {
		mu.Lock()
		defer mu.Unlock()
		seen[platform] = st
		if time.Since(last) < 10*time.Second {
			return
		}
		last = time.Now()
		var parts []string
		for _, p := range slices.Sorted(maps.Keys(seen)) {
			s := seen[p]
			parts = append(parts, fmt.Sprintf("%s %d scored, %d failed", p, s.Scored, s.Failed))
		}
		fmt.Fprintf(w, "eval: %s\n", strings.Join(parts, "; "))
	}
}

// runLine summarises one run of several: per platform P@K and fraud in the top K.
func runLine(i int, r eval.Result) string {
	var parts []string
	for _, p := range r.Platforms {
		parts = append(parts, fmt.Sprintf("%s P@%d %.2f fraud %d", p.Platform, r.TopK, p.Precision, p.Fraud))
	}
	return fmt.Sprintf("run %d (fault seed %d, %s): %s\n", i, r.FaultSeed, r.Duration.Round(time.Second), strings.Join(parts, "; "))
}
