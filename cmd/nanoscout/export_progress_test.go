package main

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nanoscout/nanoscout/export"
)

// TestExportProgressLogsCounts: off a terminal, an export logs how many
// creators it has written every interval, and the rows pass through
// unchanged. The clock is synctest's: pages come at 0, 30 and 60 ms, the
// log lines at 25, 50 and 75 ms.
func TestExportProgressLogsCounts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
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
		counted, stop := withExportProgress(src, &bytes.Buffer{}, slog.New(slog.NewTextHandler(&logs, nil)), "nano view", 25*time.Millisecond)
		got := 0
		err := counted(context.Background(), func(rows []export.Row) error {
			got += len(rows)
			return nil
		})
		stop()
		if err != nil || got != 120 {
			t.Fatalf("rows %d, err %v", got, err)
		}
		var counts []string
		for _, m := range regexp.MustCompile(`msg=progress export="nano view" creators=(\d+)`).FindAllStringSubmatch(logs.String(), -1) {
			counts = append(counts, m[1])
		}
		if want := []string{"40", "80", "120"}; !slices.Equal(counts, want) {
			t.Errorf("progress counts %v, want %v:\n%s", counts, want, logs.String())
		}
	})
}
