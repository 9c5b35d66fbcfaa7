package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/resolve"
	"github.com/nanoscout/nanoscout/store"
)

func init() { addCommand(newShortlistCmd) }

func newShortlistCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "shortlist",
		Aliases: []string{"sl"},
		Short:   "Keep shortlists from the command line: ls, create, add, rm, status",
		Long: `Shortlists are the dashboard's: named lists of creators with an outreach
status and notes. A list is named by its name or id. Creators are ` + resolve.Forms + `,
given as arguments or one per line on stdin ("-" or no argument with stdin not a terminal).`,
		Example: `  nanoscout shortlist create "Spring launch"
  nanoscout shortlist add "Spring launch" maya.bsky.social @finn https://www.tiktok.com/@milathrift
  nanoscout top --tier nano --min-index 1.5 --json | jq -r '.[].key' | nanoscout shortlist add "Spring launch" -
  nanoscout shortlist status "Spring launch" @finn contacted --notes "DM sent"
  nanoscout shortlist ls "Spring launch"
  nanoscout shortlist rm "Spring launch" @finn`,
	}
	cmd.AddCommand(newShortlistLsCmd(g), newShortlistCreateCmd(g), newShortlistAddCmd(g), newShortlistRmCmd(g), newShortlistStatusCmd(g))
	return cmd
}

func newShortlistLsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "ls [LIST]",
		Short:             "List the shortlists, or the creators on one with their status",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: g.completeShortlists(0),
		RunE: g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
			ctx := cmd.Context()
			w := cmd.OutOrStdout()
			if len(args) == 0 {
				lists, err := st.ListShortlists(ctx)
				if err != nil {
					return err
				}
				if lists == nil {
					lists = []store.Shortlist{}
				}
				if asJSON {
					return writeJSON(w, lists)
				}
				tw := newTable(w)
				fmt.Fprintln(tw, "NAME\tID\tCREATORS\tUPDATED")
				for _, l := range lists {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Name, l.ID, thousands(int64(l.Count)), model.FormatTime(l.UpdatedAt, nil))
				}
				return tw.Flush()
			}
			l, err := findShortlist(ctx, st, args[0])
			if err != nil {
				return err
			}
			items, err := allItems(ctx, st, l.ID)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(w, items)
			}
			fmt.Fprintf(w, "%s (%s): %s creators\n", l.Name, l.ID, thousands(int64(len(items))))
			tw := newTable(w)
			fmt.Fprintln(tw, "PLATFORM\tHANDLE\tFOLLOWERS\tSTATUS\tUPDATED\tNOTES\tKEY")
			for _, it := range items {
				platform, handle, followers := "", "?", "-"
				if rec, err := st.Creator(ctx, it.CreatorKey); err == nil {
					platform, handle, followers = rec.Creator.Platform, "@"+rec.Creator.Handle, thousands(rec.Creator.Followers)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", platform, handle, followers, it.Status, model.FormatTime(it.UpdatedAt, nil),
					trunc(it.Notes, 40), it.CreatorKey)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func allItems(ctx context.Context, st store.Shortlists, id string) ([]store.ShortlistItem, error) {
	items := []store.ShortlistItem{}
	after := ""
	for {
		page, err := st.ShortlistItems(ctx, id, after, 500)
		if err != nil {
			return nil, err
		}
		items = append(items, page...)
		if len(page) < 500 {
			return items, nil
		}
		after = page[len(page)-1].CreatorKey
	}
}

func newShortlistCreateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "create NAME",
		Short: "Create an empty shortlist",
		Args:  cobra.ExactArgs(1),
		RunE: g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
			l, err := st.CreateShortlist(cmd.Context(), strings.TrimSpace(args[0]))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created shortlist %q (id %s)\n", l.Name, l.ID)
			return nil
		}),
	}
}

// creatorArgs are the creators named after the list: the arguments, or the
// lines of stdin for "-" (or no argument when stdin is not a terminal).
func creatorArgs(cmd *cobra.Command, args []string) ([]string, error) {
	in := cmd.InOrStdin()
	fromStdin := len(args) == 1 && args[0] == "-"
	if len(args) == 0 {
		if f, ok := in.(*os.File); !ok || !isTerminal(f) {
			fromStdin = true
		}
	}
	if !fromStdin {
		if len(args) == 0 {
			return nil, usageErrorf("name the creators (%s), or give - to read them from stdin", resolve.Forms)
		}
		return args, nil
	}
	var refs []string
	sc := bufio.NewScanner(io.LimitReader(in, 16<<20))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			refs = append(refs, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading creators from stdin: %w", err)
	}
	if len(refs) == 0 {
		return nil, usageErrorf("no creators on stdin")
	}
	return refs, nil
}

// resolveAll resolves every reference, reporting all that fail at once.
func resolveAll(ctx context.Context, st store.Store, refs []string) ([]store.CreatorRecord, error) {
	var recs []store.CreatorRecord
	var errs []error
	for _, ref := range refs {
		rec, err := resolve.Creator(ctx, st, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, rec)
	}
	if len(errs) > 0 {
		return nil, withCode(exitUsage, fmt.Errorf("%d of %d creators not added (nothing was changed):\n%w", len(errs), len(refs), errors.Join(errs...)))
	}
	return recs, nil
}

func newShortlistAddCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "add LIST CREATOR... | add LIST -",
		Short:             "Add creators (keys, handles or profile URLs; - reads them from stdin) to a shortlist",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: g.completeShortlists(0),
		RunE: g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
			ctx := cmd.Context()
			l, err := findShortlist(ctx, st, args[0])
			if err != nil {
				return err
			}
			refs, err := creatorArgs(cmd, args[1:])
			if err != nil {
				return err
			}
			recs, err := resolveAll(ctx, st, refs)
			if err != nil {
				return err
			}
			keys := make([]string, len(recs))
			for i, r := range recs {
				keys[i] = r.Key
			}
			if err := st.AddToShortlist(ctx, l.ID, keys...); err != nil {
				return err
			}
			after, err := st.Shortlist(ctx, l.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s creators (%d named)\n", after.Name, thousands(int64(after.Count)), len(keys))
			return nil
		}),
	}
}

func newShortlistRmCmd(g *globals) *cobra.Command {
	var whole bool
	cmd := &cobra.Command{
		Use:               "rm LIST CREATOR... | rm --list LIST",
		Short:             "Remove creators from a shortlist, or (--list) delete the list",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: g.completeShortlists(0),
		RunE: g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
			ctx := cmd.Context()
			l, err := findShortlist(ctx, st, args[0])
			if err != nil {
				return err
			}
			if whole {
				if len(args) > 1 {
					return usageErrorf("--list deletes the whole list: name no creators")
				}
				if err := st.DeleteShortlist(ctx, l.ID); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted shortlist %q (%s creators)\n", l.Name, thousands(int64(l.Count)))
				return nil
			}
			refs, err := creatorArgs(cmd, args[1:])
			if err != nil {
				return err
			}
			recs, err := resolveAll(ctx, st, refs)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if err := st.RemoveFromShortlist(ctx, l.ID, r.Key); err != nil {
					return err
				}
			}
			after, err := st.Shortlist(ctx, l.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s creators\n", after.Name, thousands(int64(after.Count)))
			return nil
		}),
	}
	cmd.Flags().BoolVar(&whole, "list", false, "delete the list itself")
	return cmd
}

func newShortlistStatusCmd(g *globals) *cobra.Command {
	var notes string
	cmd := &cobra.Command{
		Use:   "status LIST CREATOR STATUS",
		Short: "Set a creator's outreach status on a shortlist: " + strings.Join(store.OutreachStatuses, ", "),
		Args:  cobra.ExactArgs(3),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			switch len(args) {
			case 0:
				return g.shortlistNames(cmd), cobra.ShellCompDirectiveNoFileComp
			case 2:
				return store.OutreachStatuses, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
			ctx := cmd.Context()
			status := strings.ToLower(args[2])
			if !store.ValidOutreach(status) {
				return usageErrorf("status %q: want one of %s", args[2], strings.Join(store.OutreachStatuses, ", "))
			}
			l, err := findShortlist(ctx, st, args[0])
			if err != nil {
				return err
			}
			rec, err := resolve.Creator(ctx, st, args[1])
			if err != nil {
				return err
			}
			u := store.ItemUpdate{Status: &status}
			if cmd.Flags().Changed("notes") {
				u.Notes = &notes
			}
			if err := st.UpdateShortlistItem(ctx, l.ID, rec.Key, u); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("@%s is not on %q: `nanoscout shortlist add %q %s` first", rec.Creator.Handle, l.Name, l.Name, rec.Key)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: @%s (%s) is %s\n", l.Name, rec.Creator.Handle, rec.Creator.Platform, status)
			return nil
		}),
	}
	cmd.Flags().StringVar(&notes, "notes", "", "replace the notes too")
	return cmd
}

// shortlistNames lists the shortlists' names for shell completion (none
// when there is no store).
func (g *globals) shortlistNames(cmd *cobra.Command) []string {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil
	}
	st, err := openStoreRead(cmd.Context(), cfg)
	if err != nil {
		return nil
	}
	defer st.Close()
	lists, err := st.ListShortlists(cmd.Context())
	if err != nil {
		return nil
	}
	names := make([]string, len(lists))
	for i, l := range lists {
		names[i] = l.Name
	}
	return names
}

// completeShortlists completes a shortlist name at argument position pos.
func (g *globals) completeShortlists(pos int) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) != pos {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return g.shortlistNames(cmd), cobra.ShellCompDirectiveNoFileComp
	}
}
