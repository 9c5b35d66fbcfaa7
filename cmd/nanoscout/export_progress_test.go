package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/export"
)

// TestExportProgressLogsCounts: off a terminal, an export logs how many
// creators it has written, and the rows pass through unchanged.
func TestExportProgressLogsCounts(t *testing.T) {
	t.Setenv("NANOSCOUT_PROGRESS_INTERVAL", "20ms")
	src := func(ctx context.Context, yield func([]export.Row) error) error {
		for range 3 {
			if err := yield(make([]export.Row, 40)); err != nil {
				return err
			}
			time.Sleep(30 * time.Millisecond)
		}
		return nil
	}
	var logs bytes.Buffer
	counted, stop := withExportProgress(src, &bytes.Buffer{}, slog.New(slog.NewTextHandler(&logs, nil)), "nano view")
	got := 0
	err := counted(context.Background(), func(rows []export.Row) error {
		got += len(rows)
		return nil
	})
	stop()
	if err != nil || got != 120 {
		t.Fatalf("rows %d, err %v", got, err)
	}
	if !strings.Contains(logs.String(), "export=\"nano view\"") || !strings.Contains(logs.String(), "creators=") {
		t.Errorf("no progress line logged:\n%s", logs.String())
	}
}
