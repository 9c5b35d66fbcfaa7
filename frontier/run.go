package frontier

import (
	"context"
	"slices"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// Open announces a run that workers may join (OpenRuns lists it until Close).
func Open(ctx context.Context, st store.Markers, run, owner string) error {
	_, _, err := st.Mark(ctx, store.Marker{NS: nsOpen, ID: run, Owner: owner, At: time.Now()})
	return err
}

// Close ends a run for the workers: they stop looking at it.
func Close(ctx context.Context, st store.Markers, run, owner string) error {
	_, _, err := st.Mark(ctx, store.Marker{NS: nsClosed, ID: run, Owner: owner, At: time.Now()})
	return err
}

// OpenRuns returns the runs opened and not closed, oldest first (run ids
// start with their start time).
func OpenRuns(ctx context.Context, st store.Markers) ([]string, error) {
	open, err := st.ListMarkers(ctx, nsOpen, "")
	if err != nil {
		return nil, err
	}
	closed, err := st.ListMarkers(ctx, nsClosed, "")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range open {
		if !slices.ContainsFunc(closed, func(c store.Marker) bool { return c.ID == m.ID }) {
			out = append(out, m.ID)
		}
	}
	return out, nil
}

// StopPlatform stops a platform for the rest of the run (its quota is
// spent, a login wall blocks it): its batches are no longer claimed and the
// run drains without them. The first reason given is kept.
func StopPlatform(ctx context.Context, st store.Markers, run, platform, reason, owner string) error {
	_, _, err := st.Mark(ctx, store.Marker{NS: nsStopped, ID: run + "/" + platform, Owner: owner, Data: reason, At: time.Now()})
	return err
}

// Stopped returns the run's stopped platforms and why.
func Stopped(ctx context.Context, st store.Markers, run string) (map[string]string, error) {
	ms, err := st.ListMarkers(ctx, nsStopped, run+"/")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[batchPlatform(run, m.ID)] = m.Data
	}
	return out, nil
}

// Join records that the worker takes part in its run, with its client
// identity (what the platforms' rate limits count it as), so the run lists
// it even when it dies before finishing a batch.
func (w *Worker) Join(ctx context.Context, client string) error {
	_, _, err := w.st.Mark(ctx, store.Marker{NS: nsJoined, ID: w.run + "/" + w.owner, Owner: w.owner, Data: client, At: time.Now()})
	return err
}

// Owner is the worker's name.
func (w *Worker) Owner() string { return w.owner }

// Run is the run the worker works on.
func (w *Worker) Run() string { return w.run }

// Held returns the run's batches that are claimed and not done, each with
// the workers that claimed it (in the order of their names).
func Held(ctx context.Context, st store.Markers, run string) (map[string][]string, error) {
	claims, err := st.ListMarkers(ctx, nsClaimed, run+"/")
	if err != nil {
		return nil, err
	}
	done, err := st.ListMarkers(ctx, nsDone, run+"/")
	if err != nil {
		return nil, err
	}
	fin := make(map[string]bool, len(done))
	for _, m := range done {
		fin[m.ID] = true
	}
	out := map[string][]string{}
	for _, m := range claims {
		id := m.ID[:len(m.ID)-len(m.Owner)-1]
		if !fin[id] {
			out[id] = append(out[id], m.Owner)
		}
	}
	return out, nil
}
