package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/pipeline"
)

func init() { addCommand(newWorkerCmd) }

func newWorkerCmd(g *globals) *cobra.Command {
	var once bool
	var clientID string
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Collect batches of the distributed runs in progress on the store",
		Args:  cobra.NoArgs,
		Long: `Join the distributed runs in progress on the configured store (MongoDB, or
SQLite shared by processes on one machine) and collect batches of their
creators until none is left, then wait for the next run (or exit, with
--once). The process that runs the job (nanoscout run or the schedule
daemon, with distributed.enabled: true) discovers, seeds the run's frontier,
waits for the workers and ranks once; see docs/scale.md.

Each worker has its own rate limiter per platform; its requests are named by
distributed.client_id (env NANOSCOUT_CLIENT_ID, flag --client-id), which the
simulator's per-client limits count them by. A worker that dies loses its
claims after distributed.claim_ttl; other workers finish its batches.
YouTube quota units of one API key are reserved in the store, so the
workers on one key never spend more than daily_quota together.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if clientID != "" {
				cfg.Distributed.ClientID = clientID
			}
			cfg.Distributed.Enabled = true // workers reserve shared budgets
			log := newLogger(cmd.ErrOrStderr(), cfg)
			if len(cfg.Enabled()) == 0 {
				return usageErrorf("no platform is enabled: a worker collects the enabled platforms of its config")
			}
			ctx := cmd.Context()
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := pipeline.New(cfg, st, pipeline.WithLogger(log))
			if err != nil {
				return err
			}
			log.Info("worker started", "client", cfg.Distributed.ClientID, "platforms", cfg.Enabled(), "once", once)
			if err := p.Work(ctx, once); err != nil {
				return withCode(exitFailed, fmt.Errorf("worker: %w", err))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "exit after the first run joined is drained")
	cmd.Flags().StringVar(&clientID, "client-id", "", "client identity sent to rate limiters that tell clients apart (default: distributed.client_id / NANOSCOUT_CLIENT_ID)")
	return cmd
}
