package main

import (
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// TestRunSummaryShowsDiscovery: how a platform's discovery was read (and
// why it fell back) is printed under the table.
func TestRunSummaryShowsDiscovery(t *testing.T) {
	run := model.Run{ID: "r1", Status: "ok", StartedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Platforms: map[string]*model.PlatformStats{
			"mastodon": {Discovered: 3, Discovery: []string{`public: polling /api/v1/timelines/public (min_id, 40 per page): the instance's public stream needs an access token`}},
			"bluesky":  {},
		}}
	var b strings.Builder
	printRunSummary(&b, run, 10)
	if !strings.Contains(b.String(), "\nmastodon discovery: public: polling /api/v1/timelines/public (min_id, 40 per page): the instance's public stream needs an access token\n") {
		t.Errorf("summary:\n%s", b.String())
	}
	if strings.Contains(b.String(), "bluesky discovery") {
		t.Errorf("a platform without discovery lines got one:\n%s", b.String())
	}
}
