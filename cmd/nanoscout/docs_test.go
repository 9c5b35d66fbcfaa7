package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestOperationsDocSystemdUnit: the systemd unit in docs/operations.md has
// no comment after a value (systemd would read it as part of the value, so
// EnvironmentFile= named a file that does not exist) and gives the store a
// data directory.
func TestOperationsDocSystemdUnit(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```ini\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	if len(blocks) == 0 {
		t.Fatal("no systemd unit in docs/operations.md")
	}
	for _, blk := range blocks {
		unit := blk[1]
		for _, line := range strings.Split(unit, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") || strings.HasPrefix(line, "[") {
				continue
			}
			if _, v, ok := strings.Cut(line, "="); ok && (strings.Contains(v, " #") || strings.Contains(v, "\t#")) {
				t.Errorf("a comment after a value becomes part of it: %q", line)
			}
		}
		if strings.Contains(unit, "ExecStart=") {
			for _, want := range []string{"StateDirectory=nanoscout", "NANOSCOUT_DATA_DIR=/var/lib/nanoscout", "config check"} {
				if !strings.Contains(unit, want) {
					t.Errorf("the daemon's unit lacks %q", want)
				}
			}
		}
	}
	if !strings.Contains(string(b), "absent(nanoscout_job_last_success_timestamp_seconds") {
		t.Error("the success alert does not cover a job that never ran (absent)")
	}
}
