package pipeline

import (
	"context"
	"sync"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// profileBatcher reads the profiles of the creators at the head of the
// frontier together when the collector can (collectors.BatchProfiler:
// Bluesky's getProfiles, 25 per call): the worker that needs a profile no
// batch has asked for yet asks for it and for the next names in the queue;
// the workers that take those names later wait for that call instead of
// making their own. A name the batch did not return (unknown, gone) is read
// alone, so its error is the collector's usual one.
type profileBatcher struct {
	col collectors.Collector
	bp  collectors.BatchProfiler // nil: one Profile call per creator
	fr  *frontier

	mu    sync.Mutex
	calls map[string]*profileCall // name → the batch call reading it
}

type profileCall struct {
	done chan struct{}
	got  map[string]model.Creator
	err  error
}

func newProfileBatcher(col collectors.Collector, fr *frontier) *profileBatcher {
	b := &profileBatcher{col: col, fr: fr, calls: map[string]*profileCall{}}
	if bp, ok := col.(collectors.BatchProfiler); ok && bp.BatchSize() > 1 {
		b.bp = bp
	}
	return b
}

// profile returns the profile of the creator named by handle or id.
func (b *profileBatcher) profile(ctx context.Context, name string) (model.Creator, error) {
	if b.bp == nil {
		return b.col.Profile(ctx, name)
	}
	b.mu.Lock()
	call, ok := b.calls[name]
	if !ok {
		names := append([]string{name}, b.fr.peek(b.bp.BatchSize()-1, func(id string) bool {
			_, asked := b.calls[id]
			return !asked && id != name
		})...)
		call = &profileCall{done: make(chan struct{})}
		for _, n := range names {
			b.calls[n] = call
		}
		b.mu.Unlock()
		call.got, call.err = b.bp.ProfileBatch(ctx, names)
		close(call.done)
	} else {
		b.mu.Unlock()
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		b.forget(name)
		return model.Creator{}, ctx.Err()
	}
	b.forget(name)
	if cr, ok := call.got[name]; ok && call.err == nil {
		return cr, nil
	}
	return b.col.Profile(ctx, name)
}

// forget drops what a batch read for name (taken, or skipped as fresh).
func (b *profileBatcher) forget(name string) {
	b.mu.Lock()
	delete(b.calls, name)
	b.mu.Unlock()
}
