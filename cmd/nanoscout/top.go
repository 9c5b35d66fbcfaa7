package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

func init() { addCommand(newTopCmd) }

func newTopCmd(g *globals) *cobra.Command {
	var (
		ff     filterFlags
		limit  int
		offset int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Show the ranked creators from the store, with the dashboard's filters and sorts",
		Long: `Show the ranked creators from the store. The filters and sorts are the
dashboard's Discover filters (the same names, with '-' for '_'); the table
says how many creators match in all. To export the top N of this view, give
the same flags to ` + "`nanoscout export --limit N`" + `.`,
		Example: `  nanoscout top --platform bluesky --tier nano
  nanoscout top --tier nano --min-index 1.5 --min-auth 0.8 --contact --keyword vegan
  nanoscout top --sort growth --min-growth 10 --limit 50 --json
  nanoscout export --sort growth --min-growth 10 --limit 50 -o rising.csv   # the same view, exported`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := ff.query()
			if err != nil {
				return err
			}
			if limit < 1 || offset < 0 || offset > filter.MaxOffset {
				return usageErrorf("--limit must be ≥ 1 and --offset 0 to %d", filter.MaxOffset)
			}
			q.Limit, q.Offset = limit, offset
			return g.withStore(func(cmd *cobra.Command, _ []string, st store.Store) error {
				ctx := cmd.Context()
				recs, err := st.Top(ctx, q)
				if err != nil {
					return fmt.Errorf("querying top creators: %w", err)
				}
				if recs == nil {
					recs = []store.CreatorRecord{} // JSON: [], never null
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), recs)
				}
				total, err := st.CountTop(ctx, q)
				if err != nil {
					return fmt.Errorf("counting creators: %w", err)
				}
				w := cmd.OutOrStdout()
				printTop(w, recs, nil, offset)
				switch {
				case total == 0:
					fmt.Fprintf(w, "no creator matches (%s)\n", filter.Describe(q))
				default:
					fmt.Fprintf(w, "%s–%s of %s creators (%s)\n", thousands(int64(offset+1)), thousands(int64(offset+len(recs))), thousands(total), filter.Describe(q))
				}
				return nil
			})(cmd, nil)
		},
	}
	ff.register(cmd, "composite")
	f := cmd.Flags()
	f.IntVar(&limit, "limit", 20, "rows")
	f.IntVar(&offset, "offset", 0, "rows to skip")
	f.BoolVar(&asJSON, "json", false, "print JSON with each creator's score breakdown")
	return cmd
}

// registerFilterCompletions completes the values of the filter flags that
// have a fixed set (platforms, tiers, sorts).
func registerFilterCompletions(cmd *cobra.Command) {
	for _, f := range filter.Fields {
		if f.Kind != filter.Choice {
			continue
		}
		values := f.Values
		_ = cmd.RegisterFlagCompletionFunc(f.FlagName(), func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values(), cobra.ShellCompDirectiveNoFileComp
		})
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printTop prints a ranked table; truth, when given, adds the simulator's
// ground-truth archetype per creator key. offset numbers the rows.
func printTop(w io.Writer, recs []store.CreatorRecord, truth map[string]string, offset int) {
	tw := newTable(w)
	head := "#\tRANK\tPLATFORM\tHANDLE\tTIER\tFOLLOWERS\tER%\txBENCH\tANSWERED\tREPLY h\tAUTH\tAUDIENCE\tSCORE\tSTATUS\tFLAGS\tKEY"
	if truth != nil {
		head += "\tTRUTH"
	}
	fmt.Fprintln(tw, head)
	for i, r := range recs {
		s := r.Score
		if s == nil {
			continue
		}
		replyH := "-"
		if s.ReplyDepth.MedianHoursToReply >= 0 && s.ReplyDepth.AnsweredCommenters > 0 {
			replyH = fmt.Sprintf("%.1f", s.ReplyDepth.MedianHoursToReply)
		}
		line := fmt.Sprintf("%d\t%d\t%s\t@%s\t%s\t%s\t%.2f\t%.2f\t%.0f%%\t%s\t%.2f\t%s\t%.1f\t%s\t%s\t%s",
			offset+i+1, s.Rank, r.Creator.Platform, trunc(r.Creator.Handle, 32), s.Tier, thousands(r.Creator.Followers), s.ER, s.BenchmarkIndex,
			100*s.ReplyDepth.AnsweredShare, replyH, s.Authenticity, audienceCell(s.Audience), s.Composite, r.Status, strings.Join(s.Flags, ","), r.Key)
		if truth != nil {
			line += "\t" + truth[r.Key]
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

// audienceCell is the audience quality in %, "-" without a judged sample.
func audienceCell(a *model.AudienceQuality) string {
	if a == nil || a.Judged == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*a.Share)
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
