package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/alerts"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func init() { addCommand(newExportCmd) }

// filterFlags are the filter vocabulary's fields as flags (top, export,
// plan): the same names as the dashboard's and API's parameters.
type filterFlags struct {
	fl *filter.Flags
}

func (f *filterFlags) register(cmd *cobra.Command, sortDefault string) {
	f.fl = filter.AddFlags(cmd.Flags(), sortDefault)
	registerFilterCompletions(cmd)
}

// set reports whether any filter flag was given.
func (f *filterFlags) set() bool { return f.fl.Changed() }

// query is the filter the flags give; a bad combination is a usage error.
func (f *filterFlags) query() (store.TopQuery, error) {
	q, err := f.fl.Query()
	if err != nil {
		return q, withCode(exitUsage, err)
	}
	return q, nil
}

// findShortlist is export.FindShortlist.
func findShortlist(ctx context.Context, st store.Store, idOrName string) (store.Shortlist, error) {
	return export.FindShortlist(ctx, st, idOrName)
}

func newExportCmd(g *globals) *cobra.Command {
	var (
		ff        filterFlags
		format    string
		shortlist string
		campaign  string
		out       string
		hookName  string
		limit     int
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export a shortlist or a filtered view as CSV, CRM CSV, JSON or NDJSON, or push it to a webhook",
		Long: `Export creators: a shortlist (--shortlist, by id or name) or the creators a
filter selects (the dashboard's filters as flags), as CSV (columns in
docs/dashboard.md), a CRM contacts CSV, JSON or NDJSON. Exports stream: 100k
creators take the memory of one page. With --webhook the creators go to a
configured outreach tool instead (signed, retried, logged).`,
		Example: `  nanoscout export --tier nano --min-index 1.5 --min-auth 0.8 -o rising.csv
  nanoscout export --shortlist "Spring launch" --format crm -o contacts.csv
  nanoscout export --shortlist "Spring launch" --webhook outreach
  nanoscout export --campaign spring-glow --format crm -o outreach.csv   # with promo codes and tracked links
  nanoscout export alerts --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := export.ParseFormat(format)
			if err != nil {
				return err
			}
			if n := btoi(shortlist != "") + btoi(campaign != "") + btoi(ff.set()); n > 1 {
				return usageErrorf("give one of --shortlist, --campaign or filter flags")
			}
			q, err := ff.query()
			if err != nil {
				return err
			}
			q.Limit = limit
			if err := filter.Validate(q); err != nil {
				return err
			}
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
			src, subject := export.Filtered(st, q), filter.Describe(q)
			if shortlist != "" {
				l, err := findShortlist(ctx, st, shortlist)
				if err != nil {
					return err
				}
				src, subject = export.Shortlisted(st, l.ID), "shortlist "+l.Name
			}
			if campaign != "" {
				c, err := st.Campaign(ctx, campaign)
				if err != nil {
					return err
				}
				src, subject = export.Campaigned(st, c.ID), "campaign "+c.Name
			}
			if hookName != "" {
				hook, err := webhook.New(cfg.Server, hookName, st, os.Getenv,
					webhook.WithLogger(newLogger(cmd.ErrOrStderr(), cfg)), webhook.WithUserAgent(cfg.UserAgent))
				if err != nil {
					return err
				}
				res, err := hook.Push(ctx, src, subject)
				fmt.Fprintf(cmd.OutOrStdout(), "pushed %d creators of %s to %s in %d batch(es) (export %s)\n",
					res.Creators, subject, hookName, len(res.Deliveries), res.ExportID)
				return err
			}
			var w io.Writer = cmd.OutOrStdout()
			var file *os.File
			if out != "" && out != "-" {
				if file, err = os.Create(out); err != nil {
					return err
				}
				w = file
			}
			bw := bufio.NewWriter(w)
			counted, stopProgress := withExportProgress(src, cmd.ErrOrStderr(), newLogger(cmd.ErrOrStderr(), cfg), subject, cfg.Log.ProgressInterval)
			n, err := export.Write(ctx, bw, f, counted)
			stopProgress()
			if ferr := bw.Flush(); err == nil {
				err = ferr
			}
			if file != nil {
				if cerr := file.Close(); err == nil {
					err = cerr
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d creators (%s) to %s\n", n, subject, out)
			}
			return err
		},
	}
	fs := cmd.Flags()
	ff.register(cmd, "")
	fs.StringVarP(&format, "format", "f", "csv", "csv, crm, json or ndjson")
	fs.StringVar(&shortlist, "shortlist", "", "export this shortlist (id or name) instead of a filter")
	fs.StringVar(&campaign, "campaign", "", "export this campaign's creators with their promo codes and tracked links (campaign id)")
	_ = cmd.RegisterFlagCompletionFunc("shortlist", func(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return g.shortlistNames(c), cobra.ShellCompDirectiveNoFileComp
	})
	fs.StringVarP(&out, "out", "o", "", "file to write (default stdout)")
	fs.StringVar(&hookName, "webhook", "", "push to this configured webhook (server.webhooks) instead of writing a file")
	fs.IntVar(&limit, "limit", 0, "at most this many creators (0 = all that match)")
	cmd.AddCommand(newExportAlertsCmd(g), newExportDeliveriesCmd(g))
	return cmd
}

func newExportAlertsCmd(g *globals) *cobra.Command {
	var check, baseline, asJSON bool
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List the rising-star alerts, or check them (--check) and fire their webhooks for new matches",
		Long: `Alerts (server.alerts in the config) are saved filters. --check fires each
alert's webhook once for every creator that newly matches; the pipeline and the
daemon do the same after each scoring run. --baseline records the current
matches as seen without sending anything, for a new alert whose existing
matches are no news.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			sc := cfg.Server // defaults filled by config.Load
			if err := sc.Validate(); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if !check && !baseline {
				if len(sc.Alerts) == 0 {
					fmt.Fprintln(w, "no alert configured (server.alerts)")
					return nil
				}
				tw := newTable(w)
				fmt.Fprintln(tw, "ALERT\tWEBHOOK\tFILTER")
				for _, a := range sc.Alerts {
					q, err := a.Filter.CheckedQuery()
					if err != nil {
						return fmt.Errorf("alert %s: %w", a.Name, err)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Name, a.Webhook, filter.Describe(q))
				}
				return tw.Flush()
			}
			ctx := cmd.Context()
			st, err := openStoreRead(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			check := alerts.Check
			if baseline {
				check = alerts.Baseline
			}
			res, err := check(ctx, st, sc,
				webhook.WithLogger(newLogger(cmd.ErrOrStderr(), cfg)), webhook.WithUserAgent(cfg.UserAgent))
			if asJSON {
				if jerr := writeJSON(w, res); jerr != nil {
					return jerr
				}
				return err
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "ALERT\tMATCHING\tNEW\tFIRED\tERROR")
			for _, r := range res {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", r.Alert, r.Matched, r.New, r.Fired, r.Error)
			}
			if ferr := tw.Flush(); err == nil {
				err = ferr
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "fire the webhooks for creators that newly match")
	cmd.Flags().BoolVar(&baseline, "baseline", false, "record the current matches as seen, without sending")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newExportDeliveriesCmd(g *globals) *cobra.Command {
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "Show the webhook delivery log, newest first",
		Args:  cobra.NoArgs,
		RunE: g.withStore(func(cmd *cobra.Command, _ []string, st store.Store) error {
			ds, err := st.Deliveries(cmd.Context(), limit)
			if err != nil {
				return err
			}
			if asJSON {
				if ds == nil {
					ds = []store.Delivery{} // [], never null
				}
				return writeJSON(cmd.OutOrStdout(), ds)
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "WHEN\tID\tWEBHOOK\tEVENT\tCREATORS\tSTATUS\tATTEMPTS\tLAST CODE\tERROR\tSUBJECT")
			for _, d := range ds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\n", model.FormatTime(d.CreatedAt, nil), d.ID, d.Webhook, d.Event,
					d.Items, d.Status, d.Attempts, d.StatusCode, trunc(d.Error, 40), trunc(d.Subject, 40))
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "rows")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
