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
