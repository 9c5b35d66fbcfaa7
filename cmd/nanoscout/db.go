package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/schedule"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

func init() { addCommand(newDBCmd) }

func newDBCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Inspect and maintain the store: collection sizes, leases, retention",
	}
	cmd.AddCommand(newDBStatsCmd(g), newDBPruneCmd(g))
	return cmd
}

// dbStats is what `db stats --json` prints.
type dbStats struct {
	Backend     string        `json:"backend"`
	Collections store.Stats   `json:"collections"`
	FileBytes   int64         `json:"fileBytes,omitempty"` // SQLite: the database file with its WAL
	Leases      []store.Lease `json:"leases,omitempty"`
}

func newDBStatsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Documents per collection, the database's size on disk (SQLite) and the jobs' leases",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := openStoreRead(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			out := dbStats{Backend: describeStore(cfg)}
			if out.Collections, err = st.Stats(ctx); err != nil {
				return fmt.Errorf("counting documents: %w", err)
			}
			if cfg.Mongo.URI == "" {
				for _, suffix := range []string{"", "-wal"} {
					if fi, err := os.Stat(filepath.Join(cfg.DataDir, sqlite.FileName+suffix)); err == nil {
						out.FileBytes += fi.Size()
					}
				}
			}
			if out.Leases, err = st.Leases(ctx); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), out)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "store: %s\n", out.Backend)
			if out.FileBytes > 0 {
				fmt.Fprintf(w, "size on disk: %.1f MiB\n", float64(out.FileBytes)/(1<<20))
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "COLLECTION\tDOCUMENTS")
			for _, name := range slices.Sorted(maps.Keys(out.Collections)) {
				fmt.Fprintf(tw, "%s\t%s\n", name, thousands(out.Collections[name]))
			}
			tw.Flush()
			if len(out.Leases) > 0 {
				fmt.Fprintln(w)
				tw = newTable(w)
				now := time.Now()
				fmt.Fprintln(tw, "JOB\tLEASE\tOWNER\tACQUIRED\tEXPIRES")
				for _, l := range out.Leases {
					state, expires := "free", "-"
					if l.Held(now) {
						state, expires = "held", model.FormatTime(l.ExpiresAt, nil)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Job, state, l.Owner, model.FormatTime(l.AcquiredAt, nil), expires)
				}
				tw.Flush()
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newDBPruneCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "prune",
		Short: "Delete what schedule.retention no longer keeps (old snapshots, finished runs, raw comments), now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if err := cfg.ValidateSchedule(); err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			r := cfg.Schedule.Retention
			got, err := st.Prune(ctx, schedule.Cutoffs(r, time.Now()))
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "retention: snapshots %s, runs %s, comments %s\n", keep(r.Snapshots), keep(r.Runs), keep(r.Comments))
			for _, name := range slices.Sorted(maps.Keys(got)) {
				fmt.Fprintf(w, "deleted %d %s\n", got[name], name)
			}
			return err
		},
	}
}

func keep(d time.Duration) string {
	if d <= 0 {
		return "kept forever"
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
