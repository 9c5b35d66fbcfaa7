package pipeline

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// maxRunErrors bounds the errors kept on one run document.
const maxRunErrors = 2000

// recorder is the run document while the run goes on, safe for concurrent use.
type recorder struct {
	mu      sync.Mutex
	run     model.Run
	claimed map[string]bool
	dropped int
	// audience counts the audience samples started per platform in this run
	// (audience.max_per_run).
	audience map[string]int
	// stop cancels the run's context (storeFailed); fatal is the store
	// failure that stopped the run, if one did.
	stop  context.CancelCauseFunc
	fatal *store.FatalError
}

// takeAudience reserves one of the run's audience samples of platform; false
// when max of them are taken (max ≤ 0: no limit).
func (r *recorder) takeAudience(platform string, max int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.audience == nil {
		r.audience = map[string]int{}
	}
	if max > 0 && r.audience[platform] >= max {
		return false
	}
	r.audience[platform]++
	return true
}

func newRecorder(r model.Run, stop context.CancelCauseFunc) *recorder {
	return &recorder{run: r, claimed: map[string]bool{}, stop: stop}
}

// storeFailed stops the run when err is a store failure that is not about one
// creator (store.FatalError: disk full, read-only, database gone): no write
// can succeed, so collecting more only wastes requests. The first such
// failure is recorded on the run, which then finishes failed. It reports
// whether err was one.
func (r *recorder) storeFailed(err error, at time.Time) bool {
	f, ok := store.AsFatal(err)
	if !ok {
		return false
	}
	r.mu.Lock()
	first := r.fatal == nil
	if first {
		r.fatal = f
		r.run.Errors = append(r.run.Errors, model.RunError{Stage: "store", At: at.UTC(),
			Reason: "run stopped: " + f.Error()})
	}
	r.mu.Unlock()
	if first && r.stop != nil {
		r.stop(fmt.Errorf("run stopped: %w", f))
	}
	return true
}

// fatalError is the store failure that stopped the run, or nil.
func (r *recorder) fatalError() *store.FatalError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
}

func (r *recorder) platform(name string, f func(*model.PlatformStats)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.run.Platforms[name]
	if s == nil {
		s = &model.PlatformStats{}
		r.run.Platforms[name] = s
	}
	f(s)
}

func (r *recorder) stats(name string) model.PlatformStats {
	var out model.PlatformStats
	r.platform(name, func(s *model.PlatformStats) { out = *s })
	return out
}

func (r *recorder) setRequestStats(name string, rs collectors.RequestStats) {
	r.platform(name, func(s *model.PlatformStats) {
		s.Requests = rs.Requests
		s.Throttled = rs.Throttled
		s.Retries = rs.Retries
		s.LimiterWaitMS = rs.LimiterWait.Milliseconds()
		if s.Scored > 0 {
			s.RequestsPerScored = float64(s.Requests) / float64(s.Scored)
		}
		s.ByStatus = make(map[string]int64, len(rs.ByStatus))
		for code, n := range rs.ByStatus {
			s.ByStatus[strconv.Itoa(code)] = n
		}
	})
}

func (r *recorder) addError(platform, creator, stage string, err error, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.run.Errors) >= maxRunErrors {
		r.dropped++
		return
	}
	r.run.Errors = append(r.run.Errors, model.RunError{
		Platform: platform, Creator: creator, Stage: stage, Reason: err.Error(), At: at.UTC(),
	})
}

// errorCount is how many errors are on the run so far.
func (r *recorder) errorCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.run.Errors)
}

// errorsSince returns the platform's errors added after the first n.
func (r *recorder) errorsSince(n int, platform string) []model.RunError {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []model.RunError
	for _, e := range r.run.Errors[min(n, len(r.run.Errors)):] {
		if e.Platform == platform {
			out = append(out, e)
		}
	}
	return out
}

// claim reports whether key is new in this run, and records it as done.
func (r *recorder) claim(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.claimed[key] {
		return false
	}
	r.claimed[key] = true
	r.run.Done = append(r.run.Done, key)
	return true
}

// accepted records a candidate the platform's frontier took (checkpoint).
func (r *recorder) accepted(platform, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := r.checkpoint()
	cp.Frontier[platform] = append(cp.Frontier[platform], id)
}

// finished records a candidate whose collection ended (checkpoint).
func (r *recorder) finished(platform, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := r.checkpoint()
	cp.Finished[platform] = append(cp.Finished[platform], id)
}

func (r *recorder) checkpoint() *model.Checkpoint {
	if r.run.Checkpoint == nil {
		r.run.Checkpoint = &model.Checkpoint{Frontier: map[string][]string{}, Finished: map[string][]string{}}
	}
	return r.run.Checkpoint
}

// snapshot copies the run document for saving.
func (r *recorder) snapshot() model.Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.run
	out.Platforms = make(map[string]*model.PlatformStats, len(r.run.Platforms))
	for k, v := range r.run.Platforms {
		c := *v
		c.ByStatus = maps.Clone(v.ByStatus)
		out.Platforms[k] = &c
	}
	out.Errors = append([]model.RunError(nil), r.run.Errors...)
	out.Done = append([]string(nil), r.run.Done...)
	if cp := r.run.Checkpoint; cp != nil {
		c := &model.Checkpoint{Frontier: map[string][]string{}, Finished: map[string][]string{}}
		for k, v := range cp.Frontier {
			c.Frontier[k] = append([]string(nil), v...)
		}
		for k, v := range cp.Finished {
			c.Finished[k] = append([]string(nil), v...)
		}
		out.Checkpoint = c
	}
	return out
}

// finish sets the final status: failed when the store failed (storeFailed)
// or when nothing was collected and something went wrong, partial when some creators failed or the run was
// interrupted, succeeded otherwise.
func (r *recorder) finish(end time.Time, interrupted bool) model.Run {
	r.mu.Lock()
	t := r.run.Totals()
	collected, failed := t.Collected+t.Skipped, t.Failed
	switch {
	case r.fatal != nil:
		r.run.Status = model.RunFailed
	case collected == 0 && (failed > 0 || len(r.run.Errors) > 0 || interrupted):
		r.run.Status = model.RunFailed
	case failed > 0 || interrupted || len(r.run.Errors) > 0:
		r.run.Status = model.RunPartial
	default:
		r.run.Status = model.RunSucceeded
	}
	if r.dropped > 0 {
		r.run.Errors = append(r.run.Errors, model.RunError{Stage: "run", Reason: fmt.Sprintf("%d more errors not kept", r.dropped), At: end.UTC()})
		r.dropped = 0
	}
	r.run.FinishedAt = end.UTC()
	r.run.DurationMS = end.Sub(r.run.StartedAt).Milliseconds()
	r.mu.Unlock()
	return r.snapshot()
}
