package main

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
)

func init() { addCommand(newRunCmd) }

func newRunCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Discover, collect, score, rank and store once",
		Args:  cobra.NoArgs,
		Long: `Discover, collect, score, rank and store once, over every enabled platform
that has seeds or queries.

` + exitCodesHelp,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			prog, log := startProgress(cmd, cfg)
			defer prog.finish()
			if cfg, err = runnable(cfg, log); err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := pipeline.New(cfg, st, pipeline.WithLogger(log), prog.option(), alertsAfterRun(cfg, st, log))
			if err != nil {
				return err
			}
			run, err := p.Run(ctx)
			prog.finish()
			if err != nil && run.ID == "" {
				return withCode(exitFailed, fmt.Errorf("run failed: %w", err))
			}
			if asJSON {
				if werr := writeJSON(cmd.OutOrStdout(), run); werr != nil {
					return werr
				}
			} else {
				printRunSummary(cmd.OutOrStdout(), run, 10)
			}
			if err != nil {
				// A fatal error of the run itself (the store refusing writes):
				// the run is recorded failed or partial.
				code := exitFailed
				if run.Status == model.RunPartial {
					code = exitPartial
				}
				return withCode(code, fmt.Errorf("run %s %s: %w", run.ID, run.Status, err))
			}
			return runExit(run)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run document as JSON")
	return cmd
}

// runnable checks that a run has something to do: at least one enabled
// platform, and seeds or queries on it. Enabled platforms without either are
// left out of the run with a warning; none left is an error (exit 2).
func runnable(cfg config.Config, log *slog.Logger) (config.Config, error) {
	enabled := cfg.Enabled()
	if len(enabled) == 0 {
		return cfg, usageErrorf("no platform is enabled: set platforms.<name>.enabled: true in the config (platforms: %s)", strings.Join(collectors.Names(), ", "))
	}
	var idle, busy []string
	for _, name := range enabled {
		if pc := cfg.Platforms[name]; len(pc.Seeds) == 0 && len(pc.Queries) == 0 {
			idle = append(idle, name)
		} else {
			busy = append(busy, name)
		}
	}
	if len(busy) == 0 {
		return cfg, usageErrorf("nothing to collect: no enabled platform (%s) has seeds or queries; add platforms.<name>.seeds (handles) or queries (keywords, hashtags) to the config", strings.Join(enabled, ", "))
	}
	if len(idle) > 0 {
		log.Warn("enabled platforms without seeds or queries are left out of this run", "platforms", idle)
		cfg.Platforms = maps.Clone(cfg.Platforms)
		for _, name := range idle {
			pc := cfg.Platforms[name]
			pc.Enabled = false
			cfg.Platforms[name] = pc
		}
	}
	return cfg, nil
}

// printRunSummary prints a run's per-platform counters and its first
// maxErrors errors.
func printRunSummary(w io.Writer, run model.Run, maxErrors int) {
	fmt.Fprintf(w, "run %s: %s in %s (started %s)\n", run.ID, run.Status, model.FormatDuration(time.Duration(run.DurationMS)*time.Millisecond), model.FormatTime(run.StartedAt, nil))
	names := make([]string, 0, len(run.Platforms))
	for n := range run.Platforms {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := newTable(w)
	fmt.Fprintln(tw, "PLATFORM\tDISCOVERED\tSEEN\tCOLLECTED\tSKIPPED\tFAILED\tREQUESTS\tREQ/CREATOR\t429s\tRETRIES\tLIMIT WAIT (all workers)\tPAUSED")
	for _, n := range names {
		s := run.Platforms[n]
		perCreator := 0.0
		if s.Collected > 0 {
			perCreator = float64(s.Requests) / float64(s.Collected)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\n", n, thousands(int64(s.Discovered)), thousands(int64(s.Seen)),
			thousands(int64(s.Collected)), thousands(int64(s.Skipped)), thousands(int64(s.Failed)), thousands(s.Requests), perCreator,
			thousands(s.Throttled), thousands(s.Retries), model.FormatDuration(time.Duration(s.LimiterWaitMS)*time.Millisecond), s.Paused)
	}
	tw.Flush()
	for _, n := range names {
		for _, d := range run.Platforms[n].Discovery {
			fmt.Fprintf(w, "%s discovery: %s\n", n, d)
		}
	}
	if len(run.Workers) > 0 {
		fmt.Fprintf(w, "%d workers (a worker with LOST batches had its claims lapse: it died or hung):\n", len(run.Workers))
		tw := newTable(w)
		fmt.Fprintln(tw, "WORKER\tCLIENT\tBATCHES\tLOST\tCREATORS\tSKIPPED\tFAILED\tDUPLICATES\tREQUESTS\t429s\tLIMIT WAIT")
		for _, wk := range run.Workers {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", wk.Name, wk.Client, wk.Batches, wk.Lost,
				thousands(int64(wk.Creators)), thousands(int64(wk.Skipped)), thousands(int64(wk.Failed)), wk.Duplicates,
				thousands(wk.Requests), thousands(wk.Throttled), model.FormatDuration(time.Duration(wk.LimiterWaitMS)*time.Millisecond))
		}
		tw.Flush()
	}
	if len(run.Errors) > 0 && maxErrors > 0 {
		fmt.Fprintf(w, "%d errors (first %d; `nanoscout runs show %s` lists all):\n", len(run.Errors), min(maxErrors, len(run.Errors)), run.ID)
		for _, e := range run.Errors[:min(maxErrors, len(run.Errors))] {
			fmt.Fprintf(w, "  %s %s [%s] %s\n", e.Platform, e.Creator, e.Stage, e.Reason)
		}
	}
}
