// Package backoff is the wait before a retry that nanoscout's clients share
// (the collectors' HTTP client, the Jetstream reconnects, the LLM judge):
// exponential from a base, capped, with half of it random ("equal jitter"),
// so that a wait is never zero and clients that failed together do not retry
// in lockstep.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Exponential is base·2^attempt (attempt counts from 0), capped at max; a
// base or max that is not positive, or a product that overflows, gives max.
func Exponential(base, max time.Duration, attempt int) time.Duration {
	attempt = min(attempt, 62)
	if base <= 0 || attempt < 0 {
		return max
	}
	d := base << attempt
	if d <= 0 || d>>attempt != base || d > max {
		return max
	}
	return d
}

// Delay is the wait before retry attempt: Exponential's, half of it fixed
// and half scaled by r (a random number in [0, 1)).
func Delay(base, max time.Duration, attempt int, r float64) time.Duration {
	d := Exponential(base, max, attempt)
	return d/2 + time.Duration(r*float64(d/2))
}

// Jittered is Delay with r from math/rand/v2.
func Jittered(base, max time.Duration, attempt int) time.Duration {
	return Delay(base, max, attempt, rand.Float64())
}

// Sleep waits d, or until ctx ends (it then returns ctx's error). A d of
// zero or less returns at once, with ctx's error if it has one.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
