package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/stream"
)

func init() { addCommand(newStreamCmd) }

func newStreamCmd(g *globals) *cobra.Command {
	var (
		since    time.Duration
		cursor   int64
		hosts    []string
		every    time.Duration
		funnel   time.Duration
		caughtUp time.Duration
	)
	cmd := &cobra.Command{
		Use:   "stream",
		Short: "Discover Bluesky creators live from the Jetstream firehose, hydrate and score them (foreground)",
		Long: `Consumes Bluesky's Jetstream (config section stream), keeps the cursor in the
store, and every stream.funnel.every hydrates the candidates it found with
batched getProfiles/getPosts calls and scores them like any other creator.
Progress (events/s, lag behind real time, cursor, candidates, scored) is
printed every --progress-every. The daemon runs the same as job kind "stream".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if since > 0 {
				cfg.Stream.Since = since
			}
			if len(hosts) > 0 {
				cfg.Stream.Hosts = hosts
			}
			if funnel > 0 {
				cfg.Stream.Funnel.Every = funnel
			}
			if err := cfg.Stream.Validate(); err != nil {
				return err
			}
			log := newLogger(cmd.ErrOrStderr(), cfg)
			ctx := cmd.Context()
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			opts := []stream.ServiceOption{stream.WithServiceLogger(log)}
			if cursor > 0 {
				opts = append(opts, stream.WithStartCursor(cursor))
			}
			svc, err := stream.NewService(ctx, cfg, st, opts...)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- svc.Run(ctx) }()
			t := time.NewTicker(every)
			defer t.Stop()
			out := cmd.OutOrStdout()
			var prev stream.Status
			prevAt := time.Now()
			for {
				select {
				case err := <-done:
					printStreamStatus(out, svc.Status(), prev, time.Since(prevAt))
					return err
				case <-t.C:
					s := svc.Status()
					printStreamStatus(out, s, prev, time.Since(prevAt))
					prev, prevAt = s, time.Now()
					if caughtUp > 0 && s.Cursor > 0 && s.Lag < caughtUp {
						// Caught up: one funnel round, then stop.
						run, err := svc.Round(ctx)
						cancel()
						<-done
						if err != nil {
							return err
						}
						ps := run.Platforms[stream.Platform]
						fmt.Fprintf(out, "round %s: %s, %d candidates, %d scored, %d requests (%.2f per scored creator)\n",
							run.ID, run.Status, ps.Discovered, ps.Scored, ps.Requests, ps.RequestsPerScored)
						printGaps(out, run.Gaps)
						return nil
					}
				}
			}
		},
	}
	f := cmd.Flags()
	f.DurationVar(&since, "since", 0, "on a first start (no stored cursor), begin this far back (at most 72h; default stream.since, else live)")
	f.Int64Var(&cursor, "cursor", 0, "start at this cursor (unix microseconds), whatever is stored")
	f.StringSliceVar(&hosts, "host", nil, "Jetstream subscribe URL (repeatable; default stream.hosts)")
	f.DurationVar(&every, "progress-every", 5*time.Second, "how often progress is printed")
	f.DurationVar(&funnel, "funnel-every", 0, "how often candidates are hydrated and scored (default stream.funnel.every)")
	f.DurationVar(&caughtUp, "until-caught-up", 0, "stop once the lag is below this (after one funnel round); 0 = run until interrupted")
	return cmd
}

func printStreamStatus(w io.Writer, s, prev stream.Status, el time.Duration) {
	var n, pn int64
	for _, v := range s.Events {
		n += v
	}
	for _, v := range prev.Events {
		pn += v
	}
	rate := 0.0
	if el > 0 {
		rate = float64(n-pn) / el.Seconds()
	}
	cur := "-"
	if s.Flushed > 0 {
		cur = fmt.Sprintf("%d (%s)", s.Flushed, time.UnixMicro(s.Flushed).UTC().Format(time.RFC3339))
	}
	var skipped int64
	for _, v := range s.Skipped {
		skipped += v
	}
	fmt.Fprintf(w, "events %d (%.0f/s)  lag %s  cursor %s  candidates %d (pending %d)  scored %d  skipped %d  reconnects %d  gaps %d\n",
		n, rate, s.Lag.Round(time.Second), cur, s.Tracked, s.Pending, s.Scored, skipped, s.Reconnects, len(s.Gaps))
}

// printGaps says what a round did about the stream's gaps.
func printGaps(w io.Writer, gaps []model.StreamGap) {
	for _, g := range gaps {
		fmt.Fprintf(w, "gap %s → %s (older than the service's retention): %d creators affected, %d polled instead (run %s)",
			model.FormatTime(g.From, nil), model.FormatTime(g.To, nil), g.Affected, g.Polled, g.PollRun)
		if g.Error != "" {
			fmt.Fprintf(w, "; failed, tried again next round: %s", g.Error)
		}
		fmt.Fprintln(w)
	}
}
