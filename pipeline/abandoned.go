package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/nanoscout/nanoscout/model"
)

// markAbandoned finds runs left "running" by a process of this host that is
// gone (killed, crashed) and marks them abandoned. The creators they finished
// are in the store, so the new run skips them (refresh_after) and continues
// with the rest.
func (p *Pipeline) markAbandoned(ctx context.Context) ([]string, error) {
	runs, err := p.st.Runs(ctx, 50)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	host, _, _ := strings.Cut(p.owner, ":")
	var out []string
	for _, r := range runs {
		if r.Status != model.RunRunning {
			continue
		}
		h, pidText, ok := strings.Cut(r.Owner, ":")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || h != host || processAlive(pid) {
			continue // another machine's run, or still going
		}
		r.Status = model.RunAbandoned
		r.Errors = append(r.Errors, model.RunError{Stage: "run", Reason: fmt.Sprintf("process %d ended without finishing the run", pid), At: p.now().UTC()})
		if err := p.st.SaveRun(ctx, r); err != nil {
			return out, fmt.Errorf("marking run %s abandoned: %w", r.ID, err)
		}
		out = append(out, r.ID)
	}
	return out, nil
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
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
