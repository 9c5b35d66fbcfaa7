package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Abandoned runs are found one way, by the job's lease (store.Leaser): a
// run still "running" while someone else holds its job's lease is somebody
// else's, and is abandoned once that lease lapses (its process died and
// stopped renewing it). Whoever then takes the job's lease marks the job's
// runs still "running" abandoned — the daemon for its jobs, the pipeline
// itself for runs outside the daemon (`nanoscout run`, the demo) — and the
// next run resumes from the abandoned run's checkpoint.

// runLeaseTTL is the default lease a run outside the daemon holds on its
// job (WithLeaseTTL), renewed every third of it. After a kill -9 the next run waits at most this
// long for the dead run's lease to lapse.
const runLeaseTTL = 15 * time.Second

var errRunLeaseLost = errors.New("the job's lease was lost: another process runs it now")

// SweepAbandoned marks job's runs still "running" abandoned, with why. Call
// it only while holding the job's lease: that proves their process is gone.
// It returns the ids it marked.
func SweepAbandoned(ctx context.Context, st store.Store, job string, now time.Time) ([]string, error) {
	runs, err := st.Runs(ctx, 100)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	var out []string
	for _, r := range runs {
		if r.Job != job || r.Status != model.RunRunning {
			continue
		}
		r.Status = model.RunAbandoned
		r.Errors = append(r.Errors, model.RunError{Stage: "run", At: now.UTC(),
			Reason: fmt.Sprintf("its process (%s) stopped without finishing: the job's lease lapsed", r.Owner)})
		if err := st.SaveRun(ctx, r); err != nil {
			return out, fmt.Errorf("marking run %s abandoned: %w", r.ID, err)
		}
		out = append(out, r.ID)
	}
	return out, nil
}

// takeLease takes the job's lease for owner, waiting once for a lease held
// by someone else to lapse (a run killed before it could release it); when
// the holder renewed it meanwhile, the job runs elsewhere and that is an
// error. It then renews the lease every third of runLeaseTTL until ctx ends,
// calling lost when it cannot, and returns the function that stops renewing
// and releases it.
func (p *Pipeline) takeLease(ctx context.Context, owner string, lost func(error), log *slog.Logger) (release func(), err error) {
	for attempt := 0; ; attempt++ {
		ok, err := p.st.Acquire(ctx, p.job, owner, p.leaseTTL)
		if err != nil {
			return nil, fmt.Errorf("taking the lease of job %q: %w", p.job, err)
		}
		if ok {
			break
		}
		holder := p.leaseOf(ctx)
		if attempt == 1 {
			return nil, fmt.Errorf("job %q is running in another process (%s holds its lease until %s)",
				p.job, holder.Owner, holder.ExpiresAt.Format(time.RFC3339))
		}
		// A dead run's lease lapses within its TTL, which is ours unless
		// configured otherwise.
		wait := min(max(time.Until(holder.ExpiresAt), 0), p.leaseTTL) + p.leaseTTL/10
		log.Info("waiting for the job's lease to lapse: another process holds it, or held it and died",
			"job", p.job, "holder", holder.Owner, "wait", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	hbCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(runLeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-hbCtx.Done():
				return
			case <-t.C:
			}
			rctx, cancel := context.WithTimeout(hbCtx, p.leaseTTL/2)
			err := p.st.Renew(rctx, p.job, owner, p.leaseTTL)
			cancel()
			if err != nil && hbCtx.Err() == nil {
				log.Error("renewing the job's lease; stopping the run", "err", err)
				lost(fmt.Errorf("%w: %w", errRunLeaseLost, err))
				return
			}
		}
	}()
	return func() {
		stop()
		<-done
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
		defer cancel()
		if err := p.st.Release(rctx, p.job, owner); err != nil {
			log.Warn("releasing the job's lease; it lapses by itself", "err", err)
		}
	}, nil
}

// leaseOf returns the job's current lease (zero when it cannot be read).
func (p *Pipeline) leaseOf(ctx context.Context) store.Lease {
	all, err := p.st.Leases(ctx)
	if err != nil {
		return store.Lease{}
	}
	for _, l := range all {
		if l.Job == p.job {
			return l
		}
	}
	return store.Lease{}
}

// resumable returns the newest run of this job that was abandoned and not
// resumed yet, if it is the job's newest run.
func (p *Pipeline) resumable(ctx context.Context) (*model.Run, error) {
	runs, err := p.st.Runs(ctx, 50)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	for _, r := range runs {
		if r.Job != p.job {
			continue
		}
		if r.Status == model.RunAbandoned && r.ResumedBy == "" && r.Checkpoint != nil {
			return &r, nil
		}
		return nil, nil // the job's newest run needs no resuming
	}
	return nil, nil
}
