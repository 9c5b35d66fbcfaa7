package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

func TestDBStatsAndPrune(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC()
	for i, age := range []int{1, 100, 200} {
		r := model.Run{ID: fmt.Sprintf("r%d", i), Job: "nightly", Status: model.RunSucceeded, StartedAt: now.AddDate(0, 0, -age),
			Platforms: map[string]*model.PlatformStats{}}
		if err := st.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Acquire(ctx, "nightly", "host:1:abc", time.Minute); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var stats dbStats
	if err := json.Unmarshal([]byte(runCLI(t, "db", "stats", "--data-dir", dir, "--json")), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Collections["runs"] != 3 || stats.FileBytes == 0 || len(stats.Leases) != 1 || stats.Leases[0].Owner != "host:1:abc" {
		t.Errorf("db stats: %+v", stats)
	}
	text := runCLI(t, "db", "stats", "--data-dir", dir)
	for _, want := range []string{"COLLECTION", "runs", "nightly", "held", "host:1:abc"} {
		if !strings.Contains(text, want) {
			t.Errorf("db stats lacks %q:\n%s", want, text)
		}
	}

	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("schedule:\n  retention:\n    runs: 2160h\n    snapshots: 0s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runCLI(t, "db", "prune", "--config", cfg, "--data-dir", dir)
	if !strings.Contains(out, "deleted 2 runs") || !strings.Contains(out, "runs 90 days") || !strings.Contains(out, "snapshots kept forever") {
		t.Errorf("db prune:\n%s", out)
	}
}
