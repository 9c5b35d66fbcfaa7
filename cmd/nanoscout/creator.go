package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/resolve"
	"github.com/nanoscout/nanoscout/store"
)

func init() { addCommand(newCreatorCmd) }

func newCreatorCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "creator HANDLE|KEY|URL",
		Short: "Show one creator's profile and score breakdown",
		Long: "Show one creator's profile and score breakdown. The creator is " + resolve.Forms + ";\n" +
			"a handle found on several platforms lists them.",
		Example: `  nanoscout creator maya.bsky.social
  nanoscout creator @finn
  nanoscout creator tiktok:@milathrift
  nanoscout creator https://www.youtube.com/@jackframes --json
  nanoscout creator bluesky:did:plc:abc123`,
		Args: cobra.ExactArgs(1),
		RunE: g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
			rec, err := resolve.Creator(cmd.Context(), st, args[0])
			if amb := (*resolve.AmbiguousError)(nil); errors.As(err, &amb) {
				return withCode(exitUsage, err)
			}
			if err != nil {
				return err
			}
			posts, err := st.Posts(cmd.Context(), rec.Key, 10)
			if err != nil {
				return fmt.Errorf("posts of %q: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), struct {
					store.CreatorRecord
					RecentPosts any `json:"recentPosts"`
				}{rec, posts})
			}
			w := cmd.OutOrStdout()
			c := rec.Creator
			fmt.Fprintf(w, "%s  @%s  %s\n", rec.Key, c.Handle, c.DisplayName)
			fmt.Fprintf(w, "followers %s · following %s · posts %s · status %s %s\n", thousands(c.Followers), thousands(c.Following), thousands(c.PostsCount), rec.Status, rec.StatusReason)
			if c.URL != "" {
				fmt.Fprintln(w, c.URL)
			}
			if c.Bio != "" {
				fmt.Fprintf(w, "bio: %s\n", strings.ReplaceAll(c.Bio, "\n", " "))
			}
			fmt.Fprintf(w, "last collected %s\n", model.FormatTime(rec.LastCollected, nil))
			if s := rec.Score; s != nil {
				fmt.Fprintf(w, "\nscore %.1f/100 · tier %s · rank %d · ER %.2f%% (median %.2f%%, %d posts) · %.2f× benchmark %.2f%%\n",
					s.Composite, s.Tier, s.Rank, s.ER, s.ERMedian, s.PostsUsed, s.BenchmarkIndex, s.Benchmark)
				if len(s.Flags) > 0 {
					fmt.Fprintf(w, "flags: %s\n", strings.Join(s.Flags, ", "))
				}
				tw := newTable(w)
				fmt.Fprintln(tw, "\nCOMPONENT\tRAW\tVALUE\tWEIGHT\tWHY")
				for _, comp := range s.Breakdown {
					fmt.Fprintf(tw, "%s\t%.3g\t%.2f\t%.2f\t%s\n", comp.Name, comp.Raw, comp.Value, comp.Weight, comp.Reason)
				}
				tw.Flush()
			}
			if len(posts) > 0 {
				fmt.Fprintln(w, "\nrecent posts:")
				for _, p := range posts {
					fmt.Fprintf(w, "  %s  likes %s  comments %s  shares %s  %s\n", p.CreatedAt.Format("2006-01-02"),
						count(p.Likes), count(p.Comments), count(p.Shares), trunc(strings.ReplaceAll(p.Text, "\n", " "), 60))
				}
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func count(p *int64) string {
	if p == nil {
		return "hidden"
	}
	return thousands(*p)
}
