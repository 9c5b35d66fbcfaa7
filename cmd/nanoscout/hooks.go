package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export/alerts"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// alertsAfterRun fires the configured rising-star alerts after every run
// (`nanoscout run` and the daemon's run jobs), once per newly matching
// creator. Without alerts in the config it does nothing.
func alertsAfterRun(cfg config.Config, st store.Store, log *slog.Logger) pipeline.Option {
	return pipeline.WithAfterRun(func(ctx context.Context, run model.Run) error {
		if len(cfg.Server.Alerts) == 0 {
			return nil
		}
		res, err := alerts.Check(ctx, st, cfg.Server, webhook.WithLogger(log), webhook.WithUserAgent(cfg.UserAgent))
		if err != nil {
			return fmt.Errorf("rising-star alerts after run %s: %w", run.ID, err)
		}
		log.Info("rising-star alerts checked", "run", run.ID, "alerts", len(res))
		return nil
	})
}
