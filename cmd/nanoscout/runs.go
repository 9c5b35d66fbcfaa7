package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/resolve"
	"github.com/nanoscout/nanoscout/store"
)

func init() { addCommand(newRunsCmd) }

func newRunsCmd(g *globals) *cobra.Command {
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List recent runs",
		Args:  cobra.NoArgs,
		RunE: g.withStore(func(cmd *cobra.Command, _ []string, st store.Store) error {
			runs, err := st.Runs(cmd.Context(), limit)
			if err != nil {
				return fmt.Errorf("listing runs: %w", err)
			}
			if asJSON {
				if runs == nil {
					runs = []model.Run{} // [], never null
				}
				return writeJSON(cmd.OutOrStdout(), runs)
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "ID\tJOB\tSTATUS\tSTARTED\tDURATION\tCOLLECTED\tFAILED\tREQUESTS\t429s\tERRORS")
			for _, r := range runs {
				t := r.Totals()
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Job, r.Status, model.FormatTime(r.StartedAt, nil),
					model.FormatDuration(time.Duration(r.DurationMS)*time.Millisecond), thousands(int64(t.Collected)), thousands(int64(t.Failed)),
					thousands(t.Requests), thousands(t.Throttled), thousands(int64(len(r.Errors))))
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "rows")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one run with its per-platform counters and errors",
		Args:  cobra.ExactArgs(1),
		RunE: g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
			r, err := st.Run(cmd.Context(), args[0])
			if err != nil {
				return fmt.Errorf("run %q: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), r)
			}
			printRunSummary(cmd.OutOrStdout(), r, 0)
			if r.ResumedFrom != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "resumed from run %s\n", r.ResumedFrom)
			}
			if r.ResumedBy != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "resumed by run %s\n", r.ResumedBy)
			}
			printGaps(cmd.OutOrStdout(), r.Gaps)
			for _, e := range r.Errors {
				fmt.Fprintf(cmd.OutOrStdout(), "  %s %s %s [%s] %s\n", model.FormatTime(e.At, nil), e.Platform, errorCreator(cmd.Context(), st, e), e.Stage, e.Reason)
			}
			return nil
		}),
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(show)
	return cmd
}

// errorCreator is resolve.RunErrorCreator.
func errorCreator(ctx context.Context, st store.Store, e model.RunError) string {
	return resolve.RunErrorCreator(ctx, st, e)
}
