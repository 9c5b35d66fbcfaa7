package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/metrics"
	"github.com/nanoscout/nanoscout/schedule"
)

func init() { addCommand(newScheduleCmd) }

func newScheduleCmd(g *globals) *cobra.Command {
	var (
		now         []string
		metricsAddr string
		check       bool
	)
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run the daemon: the configured jobs on their cron specs, one at a time across replicas, with /metrics",
		Long: `Run the daemon: the jobs of the config's schedule section on their cron specs.

A job runs in one daemon at a time, also across several daemons (machines)
sharing one store: each takes the job's lease first, renews it while the job
runs, and skips the job, logging why, when another holds it. A run left
unfinished by a daemon that died is marked abandoned and resumed at start.
SIGINT/SIGTERM stops taking work, stops running jobs (their runs are recorded
as partial) and exits within schedule.shutdown_timeout.

Metrics, /healthz and /readyz are served on schedule.metrics_addr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if metricsAddr != "" {
				cfg.Schedule.MetricsAddr = metricsAddr
			}
			sc := cfg.Schedule // defaults filled by config.Load
			log := newLogger(cmd.ErrOrStderr(), cfg)
			ctx := cmd.Context()
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			jobs, err := schedule.FromConfig(cfg, st, alertsAfterRun(cfg, st, log))
			if err != nil {
				return err
			}
			m := metrics.New()
			d, err := schedule.New(st, jobs,
				schedule.WithLogger(log), schedule.WithMetrics(m),
				schedule.WithLeaseTTL(sc.LeaseTTL), schedule.WithShutdownTimeout(sc.ShutdownTimeout),
				schedule.WithUnfinished(sc.Unfinished), schedule.WithRunAtStart(splitList(now)...))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "nanoscout schedule: %d jobs, store %s, owner %s\n", len(jobs), describeStore(cfg), d.Owner())
			printNextFires(out, d, time.Now(), 3)
			if check {
				return nil
			}

			if sc.MetricsAddr != "off" {
				ln, err := net.Listen("tcp", sc.MetricsAddr)
				if err != nil {
					return fmt.Errorf("serving metrics on %s: %w", sc.MetricsAddr, err)
				}
				srv := &http.Server{Handler: metrics.Handler(m.Registry(), d.Ready), ReadHeaderTimeout: 10 * time.Second}
				go func() {
					if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
						log.Error("metrics server stopped", "err", err)
					}
				}()
				defer func() {
					sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
					defer cancel()
					_ = srv.Shutdown(sctx)
				}()
				fmt.Fprintf(out, "metrics: http://%s/metrics (also /healthz, /readyz)\n", ln.Addr())
				log.Info("serving metrics", "addr", ln.Addr().String())
			}
			return d.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&now, "now", nil, "also run these jobs once at start (comma-separated)")
	f.StringVar(&metricsAddr, "metrics-addr", "", `serve /metrics, /healthz and /readyz here (default schedule.metrics_addr; "off" = none)`)
	f.BoolVar(&check, "check", false, "check the config, print the next fire times and exit")
	return cmd
}

func splitList(items []string) []string {
	var out []string
	for _, it := range items {
		for s := range strings.SplitSeq(it, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// printNextFires prints each job's next n start times.
func printNextFires(w io.Writer, d *schedule.Daemon, now time.Time, n int) {
	tw := newTable(w)
	fmt.Fprintln(tw, "JOB\tKIND\tSPEC\tTIME ZONE\tJITTER\tNEXT FIRES")
	for _, f := range d.Next(now, n) {
		times := make([]string, len(f.Times))
		for i, t := range f.Times {
			times[i] = t.Format("2006-01-02 15:04:05 MST")
		}
		loc := "Local"
		if f.Job.Location != nil {
			loc = f.Job.Location.String()
		}
		jitter := "-"
		if f.Job.Jitter > 0 {
			jitter = "+" + f.Job.Jitter.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Job.Name, f.Job.Kind, f.Job.Spec, loc, jitter, strings.Join(times, ", "))
	}
	tw.Flush()
}
