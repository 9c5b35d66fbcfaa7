package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/spf13/cobra"

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
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			prog, log := startProgress(cmd, cfg)
			defer prog.finish()
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
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(run)
			}
			printRunSummary(cmd.OutOrStdout(), run, 10)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run document as JSON")
	return cmd
}

// printRunSummary prints a run's per-platform counters and its first
// maxErrors errors.
func printRunSummary(w io.Writer, run model.Run, maxErrors int) {
	fmt.Fprintf(w, "run %s: %s in %s\n", run.ID, run.Status, (time.Duration(run.DurationMS) * time.Millisecond).Round(time.Millisecond))
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
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%d\t%d\t%s\t%s\n", n, s.Discovered, s.Seen, s.Collected, s.Skipped, s.Failed,
			s.Requests, perCreator, s.Throttled, s.Retries, (time.Duration(s.LimiterWaitMS) * time.Millisecond).Round(time.Millisecond), s.Paused)
	}
	tw.Flush()
	if len(run.Errors) > 0 && maxErrors > 0 {
		fmt.Fprintf(w, "%d errors (first %d; `nanoscout runs show %s` lists all):\n", len(run.Errors), min(maxErrors, len(run.Errors)), run.ID)
		for _, e := range run.Errors[:min(maxErrors, len(run.Errors))] {
			fmt.Fprintf(w, "  %s %s [%s] %s\n", e.Platform, e.Creator, e.Stage, e.Reason)
		}
	}
}
