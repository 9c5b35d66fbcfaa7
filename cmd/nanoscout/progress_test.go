package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
)

// TestProgressBars draws bars as on a terminal: one line per platform with
// counts, rate and ETA, redrawn in place; log lines go above them.
func TestProgressBars(t *testing.T) {
	cfg := config.Default()
	var out bytes.Buffer
	p := newProgress(&out, true, cfg)
	go p.loop()
	logs := &aboveBars{p: p, w: &out}
	p.update("mastodon", model.PlatformStats{Collected: 3, Skipped: 1, Failed: 1})
	p.update("bluesky", model.PlatformStats{Collected: 10})
	fmt.Fprintln(logs, "level=WARN msg=\"creator failed\"")
	p.update("bluesky", model.PlatformStats{Collected: 20, Skipped: 5})
	p.finish()
	s := out.String()
	for _, want := range []string{"bluesky", "mastodon", "3 collected", "1 skipped", "1 failed", "25/100", "creators/s", "\x1b[2K", "msg=\"creator failed\""} {
		if !strings.Contains(s, want) {
			t.Errorf("bar output lacks %q:\n%q", want, s)
		}
	}
	// The last frame has both bars, bluesky first, the log line above them.
	last := s[strings.LastIndex(s, "msg=\"creator failed\""):]
	if b, m := strings.Index(last, "bluesky"), strings.Index(last, "mastodon"); b < 0 || m < b {
		t.Errorf("after the log line, bars out of order:\n%q", last)
	}
}

// TestRunLogsProgress runs `nanoscout run` with stdout not a terminal: it
// logs a progress line per platform with the run id, counts, rate and ETA.
func TestRunLogsProgress(t *testing.T) {
	f, _ := simulator.ParseFaults("latency=20ms")
	sim := simulator.New(simulator.Options{Seed: 3, Creators: 200, Faults: f})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	dir := t.TempDir()
	yaml := fmt.Sprintf(`data_dir: %q
log:
  progress_interval: 20ms
platforms:
  mastodon:
    enabled: true
    base_url: %s/mastodon
    rate_per_second: 300
    burst: 20
    max_creators: 12
    seeds: [%s]
`, dir, srv.URL, strings.Join(sim.Population().SeedHandles("mastodon", 4), ", "))
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs([]string{"run", "--config", path, "--log-format", "json"})
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	var runID string
	progress := 0
	for line := range strings.Lines(stderr.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if rec["msg"] == "run started" {
			runID, _ = rec["run"].(string)
		}
		if rec["msg"] == "progress" {
			progress++
			if rec["platform"] != "mastodon" || rec["run"] != runID || runID == "" || rec["done"] == nil || rec["rate_per_s"] == nil || rec["max"] != 12.0 {
				t.Errorf("progress line %v (run %s)", rec, runID)
			}
		}
	}
	if progress == 0 {
		t.Errorf("no progress lines:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "run "+runID) {
		t.Errorf("summary:\n%s", stdout.String())
	}
}
