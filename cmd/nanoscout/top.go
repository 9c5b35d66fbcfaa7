package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

func init() { addCommand(newTopCmd) }

func newTopCmd(g *globals) *cobra.Command {
	var q store.TopQuery
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Show the ranked creators from the store",
		Example: `  nanoscout top --platform bluesky --tier nano
  nanoscout top --tier nano --min-er 3 --limit 20 --json`,
		Args: cobra.NoArgs,
		RunE: g.withStore(func(cmd *cobra.Command, _ []string, st store.Store) error {
			recs, err := st.Top(cmd.Context(), q)
			if err != nil {
				return fmt.Errorf("querying top creators: %w", err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), recs)
			}
			printTop(cmd.OutOrStdout(), recs, nil)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&q.Platform, "platform", "", "only this platform")
	f.StringVar(&q.Tier, "tier", "", "only this tier: nano, micro, mid, macro, mega")
	f.Float64Var(&q.MinER, "min-er", 0, "minimum engagement rate in %")
	f.Int64Var(&q.MinFollowers, "min-followers", 0, "minimum followers")
	f.Int64Var(&q.MaxFollowers, "max-followers", 0, "maximum followers (0 = no limit)")
	f.Float64Var(&q.MinAudience, "min-audience", 0, "minimum audience quality, 0–1 (share of real, active accounts in the sampled audience)")
	f.StringVar(&q.SortBy, "sort", "composite", "composite, er, followers, reply, authenticity or audience")
	f.IntVar(&q.Limit, "limit", 20, "rows")
	f.IntVar(&q.Offset, "offset", 0, "rows to skip")
	f.BoolVar(&asJSON, "json", false, "print JSON with each creator's score breakdown")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printTop prints a ranked table; truth, when given, adds the simulator's
// ground-truth archetype per creator key.
func printTop(w io.Writer, recs []store.CreatorRecord, truth map[string]string) {
	tw := newTable(w)
	head := "#\tRANK\tPLATFORM\tHANDLE\tTIER\tFOLLOWERS\tER%\txBENCH\tANSWERED\tREPLY h\tAUTH\tAUDIENCE\tSCORE\tSTATUS\tFLAGS"
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
		line := fmt.Sprintf("%d\t%d\t%s\t%s\t%s\t%d\t%.2f\t%.2f\t%.0f%%\t%s\t%.2f\t%s\t%.1f\t%s\t%s",
			i+1, s.Rank, r.Creator.Platform, trunc(r.Creator.Handle, 32), s.Tier, r.Creator.Followers, s.ER, s.BenchmarkIndex,
			100*s.ReplyDepth.AnsweredShare, replyH, s.Authenticity, audienceCell(s.Audience), s.Composite, r.Status, strings.Join(s.Flags, ","))
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
