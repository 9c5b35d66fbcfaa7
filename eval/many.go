package eval

import (
	"context"
	"fmt"
	"path/filepath"
)

// DefaultRuns is how many fault seeds `eval truth` runs by default.
const DefaultRuns = 3

// RunMany repeats Run over runs fault seeds from opts.FaultSeed (1 when
// unset): the same world, other requests hit by the injected faults, so other
// retries and orders. It returns every result. With opts.Dir set, run i
// keeps its store in Dir/run-i.
func RunMany(ctx context.Context, opts Options, runs int, each func(i int, r Result)) ([]Result, error) {
	if runs <= 0 {
		runs = DefaultRuns
	}
	first := opts.FaultSeed
	if first == 0 {
		first = 1
	}
	var out []Result
	for i := 1; i <= runs; i++ {
		o := opts
		o.FaultSeed = first + int64(i-1)
		if opts.Dir != "" {
			o.Dir = filepath.Join(opts.Dir, fmt.Sprintf("run-%d", i))
		}
		r, err := Run(ctx, o)
		if err != nil {
			return out, fmt.Errorf("run %d of %d (fault seed %d): %w", i, runs, o.FaultSeed, err)
		}
		r.FaultSeed = o.FaultSeed
		if each != nil {
			each(i, r)
		}
		out = append(out, r)
	}
	return out, nil
}

// Worst combines results of the same world into one: per platform, the
// run with the most fraud in the top K, then the lowest precision, then the
// largest audience-quality error. Runs lists the fault seeds it looked at.
func Worst(results []Result) Result {
	if len(results) == 0 {
		return Result{}
	}
	w := results[0]
	w.Platforms = nil
	w.Runs = nil
	for _, r := range results {
		w.Runs = append(w.Runs, r.FaultSeed)
		w.Duration = max(w.Duration, r.Duration)
	}
	for i := range results[0].Platforms {
		worst := results[0].Platforms[i]
		worst.FaultSeed = results[0].FaultSeed
		for _, r := range results[1:] {
			if i >= len(r.Platforms) || r.Platforms[i].Platform != worst.Platform {
				continue
			}
			p := r.Platforms[i]
			p.FaultSeed = r.FaultSeed
			if worse(p, worst) {
				worst = p
			}
		}
		w.Platforms = append(w.Platforms, worst)
	}
	return w
}

// worse reports whether a is a worse run than b.
func worse(a, b PlatformResult) bool {
	if a.Fraud != b.Fraud {
		return a.Fraud > b.Fraud
	}
	if a.Precision != b.Precision {
		return a.Precision < b.Precision
	}
	return a.Audience != nil && b.Audience != nil && a.Audience.MAE > b.Audience.MAE
}
