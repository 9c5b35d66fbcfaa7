package main

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/nanoscout/nanoscout/export"
)

// withExportProgress wraps an export source so that the rows it yields are
// counted: a spinner bar with count and rate on stderr when stderr is a
// terminal (stdout may be the export itself), else a log line every
// interval (log.progress_interval). The returned stop ends the display.
func withExportProgress(src export.Source, stderr io.Writer, log *slog.Logger, subject string, interval time.Duration) (export.Source, func()) {
	var n atomic.Int64
	var bar *progressbar.ProgressBar
	if isTerminal(stderr) {
		bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("exporting "+subject),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("creators"),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if bar != nil {
			<-done
			return
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				log.Info("progress", "export", subject, "creators", n.Load())
			}
		}
	}()
	wrapped := func(ctx context.Context, yield func([]export.Row) error) error {
		return src(ctx, func(rows []export.Row) error {
			n.Add(int64(len(rows)))
			if bar != nil {
				_ = bar.Add(len(rows))
			}
			return yield(rows)
		})
	}
	return wrapped, func() {
		close(done)
		<-stopped
		if bar != nil {
			_ = bar.Finish()
		}
	}
}
