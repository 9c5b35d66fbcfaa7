package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export/alerts"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/server"
	"github.com/nanoscout/nanoscout/store"
)

func init() { addCommand(newServeCmd) }

func newServeCmd(g *globals) *cobra.Command {
	var (
		addr      string
		allowRuns bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the dashboard and JSON API (127.0.0.1:8080 by default)",
		Long: `Serve the web dashboard and the JSON API from this binary.

Bound to anything but loopback, every page and API call needs the bearer token
held in the environment variable server.token_env names (NANOSCOUT_TOKEN by
default): API clients send "Authorization: Bearer <token>", browsers sign in
once at /login.`,
		Example: `  nanoscout serve --data-dir .demo
  NANOSCOUT_TOKEN=$(openssl rand -hex 16) nanoscout serve --addr 0.0.0.0:8080 --allow-runs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			sc := cfg.Server // defaults filled by config.Load
			if addr != "" {
				sc.Addr = addr
			}
			if allowRuns {
				sc.AllowRuns = true
			}
			if err := sc.Validate(); err != nil {
				return err
			}
			cfg.Server = sc
			token := os.Getenv(sc.TokenEnv)
			if server.RequireToken(sc.Addr) && token == "" {
				return fmt.Errorf("serving on %s, beyond loopback, needs a bearer token: set %s (or bind 127.0.0.1)", sc.Addr, sc.TokenEnv)
			}
			log := newLogger(cmd.ErrOrStderr(), cfg)
			ctx := cmd.Context()
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			srv, err := server.New(server.Options{
				Store: st, Config: sc, Token: token, Run: dashboardRun(cfg, st, log),
				Platforms: collectors.Names(), Logger: log, UserAgent: cfg.UserAgent,
			})
			if err != nil {
				return err
			}
			srv.StartRunWithContext(ctx)
			defer srv.Close()
			ln, err := net.Listen("tcp", sc.Addr)
			if err != nil {
				return fmt.Errorf("listening on %s: %w", sc.Addr, err)
			}
			hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			fmt.Fprintf(cmd.OutOrStdout(), "nanoscout dashboard: http://%s/ (store: %s; token %s)\n", ln.Addr(), describeStore(cfg), map[bool]string{true: "required", false: "off"}[token != ""])
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "", "listen address (default server.addr, 127.0.0.1:8080)")
	f.BoolVar(&allowRuns, "allow-runs", false, "let the dashboard start pipeline runs (server.allow_runs)")
	return cmd
}

// dashboardRun is the run the dashboard's button starts: the pipeline once,
// then the rising-star alerts.
func dashboardRun(cfg config.Config, st store.Store, log *slog.Logger) server.RunFunc {
	return func(ctx context.Context) (model.Run, error) {
		p, err := pipeline.New(cfg, st, pipeline.WithLogger(log), pipeline.WithJob("dashboard"))
		if err != nil {
			return model.Run{}, err
		}
		run, err := p.Run(ctx)
		if err != nil {
			return run, err
		}
		if len(cfg.Server.Alerts) > 0 {
			res, err := alerts.Check(ctx, st, cfg.Server, webhook.WithLogger(log), webhook.WithUserAgent(cfg.UserAgent))
			for _, r := range res {
				log.Info("alert checked", "alert", r.Alert, "matched", r.Matched, "new", r.New, "fired", r.Fired)
			}
			if err != nil {
				log.Warn("checking alerts after the run", "err", err)
			}
		}
		return run, nil
	}
}
