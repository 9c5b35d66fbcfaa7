package backoff

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestExponential(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base, max time.Duration
		attempt   int
		want      time.Duration
	}{
		{250 * time.Millisecond, 10 * time.Second, 0, 250 * time.Millisecond},
		{250 * time.Millisecond, 10 * time.Second, 3, 2 * time.Second},
		{250 * time.Millisecond, 10 * time.Second, 6, 10 * time.Second}, // 16 s, capped
		{time.Second, time.Minute, 5, 32 * time.Second},
		{time.Second, time.Minute, 62, time.Minute},   // overflows
		{time.Second, time.Minute, 1000, time.Minute}, // far past the overflow
		{time.Millisecond, time.Hour, 10, 1024 * time.Millisecond},
		{0, time.Second, 3, time.Second},
		{time.Second, time.Minute, -1, time.Minute},
	}
	for _, tt := range tests {
		if got := Exponential(tt.base, tt.max, tt.attempt); got != tt.want {
			t.Errorf("Exponential(%v, %v, %d) = %v, want %v", tt.base, tt.max, tt.attempt, got, tt.want)
		}
	}
}

func TestDelayIsHalfFixedHalfRandom(t *testing.T) {
	t.Parallel()
	if got := Delay(time.Second, time.Minute, 2, 0); got != 2*time.Second {
		t.Errorf("r = 0: %v, want half of 4 s", got)
	}
	if got := Delay(time.Second, time.Minute, 2, 0.5); got != 3*time.Second {
		t.Errorf("r = 0.5: %v, want 3 s", got)
	}
	for attempt := range 12 {
		d := Exponential(250*time.Millisecond, 10*time.Second, attempt)
		if got := Jittered(250*time.Millisecond, 10*time.Second, attempt); got < d/2 || got >= d {
			t.Errorf("attempt %d: %v outside [%v, %v)", attempt, got, d/2, d)
		}
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := Sleep(t.Context(), 3*time.Second); err != nil || time.Since(start) != 3*time.Second {
			t.Errorf("Sleep(3s) = %v after %v", err, time.Since(start))
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start = time.Now()
		if err := Sleep(ctx, time.Minute); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Errorf("Sleep past the deadline = %v after %v", err, time.Since(start))
		}
		if err := Sleep(ctx, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep(0) on an ended context = %v", err)
		}
	})
}
