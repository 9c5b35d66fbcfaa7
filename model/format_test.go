package model

import (
	"testing"
	"time"
)

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 12400: "12,400", -1234567: "-1,234,567", 100000: "100,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond:        "850ms",
		12345 * time.Millisecond:      "12.3s",
		4*time.Minute + 5*time.Second: "4m05s",
		2*time.Hour + 30*time.Minute:  "2h30m",
		76 * time.Hour:                "3d4h",
		-(90 * time.Second):           "-1m30s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFormatTimeLabelsZone(t *testing.T) {
	loc := time.FixedZone("CEST", 2*3600)
	at := time.Date(2026, 6, 3, 12, 5, 0, 0, time.UTC)
	if got := FormatTime(at, loc); got != "2026-06-03 14:05 CEST" {
		t.Errorf("FormatTime = %q", got)
	}
	if got := FormatTime(time.Time{}, loc); got != "-" {
		t.Errorf("zero time = %q", got)
	}
}

func TestTierOf(t *testing.T) {
	for f, want := range map[int64]string{0: TierBelow, 999: TierBelow, 1000: TierNano, 9999: TierNano, 10_000: TierMicro,
		99_999: TierMicro, 100_000: TierMid, 499_999: TierMid, 500_000: TierMacro, 999_999: TierMacro, 1_000_000: TierMega, -1: TierBelow} {
		if got := TierOf(f); got != want {
			t.Errorf("TierOf(%d) = %s, want %s", f, got, want)
		}
	}
}

func TestRunTotals(t *testing.T) {
	r := Run{Platforms: map[string]*PlatformStats{
		"mastodon": {Discovered: 3, Collected: 2, Failed: 1, Skipped: 4, Scored: 2, Requests: 10, Throttled: 1, Retries: 2, LimiterWaitMS: 5, ByStatus: map[string]int64{"200": 9, "429": 1}, Paused: "429 storm"},
		"bluesky":  {Discovered: 1, Collected: 5, Requests: 7, ByStatus: map[string]int64{"200": 7}, Paused: "quota"},
		"nil":      nil,
	}}
	got := r.Totals()
	if got.Discovered != 4 || got.Collected != 7 || got.Failed != 1 || got.Skipped != 4 || got.Scored != 2 || got.Requests != 17 ||
		got.Throttled != 1 || got.Retries != 2 || got.LimiterWaitMS != 5 || got.ByStatus["200"] != 16 || got.ByStatus["429"] != 1 ||
		got.Paused != "bluesky: quota; mastodon: 429 storm" {
		t.Errorf("Totals = %+v", got)
	}
}
