package pipeline

import (
	"context"
	"sync"
)

// frontier is one platform's queue of creators to collect: seeds, search
// results and snowballed accounts, each accepted once, at most max in all.
// Workers block in next while others may still push; it ends when the queue
// is empty and nobody is working, or when stopped.
type frontier struct {
	mu       sync.Mutex
	cond     *sync.Cond
	queue    []string
	seen     map[string]bool
	accepted int
	max      int
	inflight int
	stopped  bool
	blocks   int // consecutive platform-wide blocks
	// onAccept, when set, is told of every id accepted (for the run's
	// checkpoint). It is called with the frontier's lock held.
	onAccept func(id string)
}

func newFrontier(max int) *frontier {
	f := &frontier{seen: map[string]bool{}, max: max}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// push adds unseen ids while there is room and reports how many it took.
func (f *frontier) push(ids ...string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, id := range ids {
		if id == "" || f.seen[id] || f.accepted >= f.max || f.stopped {
			continue
		}
		f.seen[id] = true
		f.accepted++
		f.queue = append(f.queue, id)
		if f.onAccept != nil {
			f.onAccept(id)
		}
		n++
	}
	if n > 0 {
		f.cond.Broadcast()
	}
	return n
}

// wants reports whether more candidates would be accepted.
func (f *frontier) wants() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted < f.max && !f.stopped
}

// next hands out the next id, waiting while other workers may still add some.
func (f *frontier) next(ctx context.Context) (string, bool) {
	stop := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		f.cond.Broadcast()
		f.mu.Unlock()
	})
	defer stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.queue) == 0 && f.inflight > 0 && !f.stopped && ctx.Err() == nil {
		f.cond.Wait()
	}
	if len(f.queue) == 0 || f.stopped || ctx.Err() != nil {
		return "", false
	}
	id := f.queue[0]
	f.queue = f.queue[1:]
	f.inflight++
	return id, true
}

// peek returns up to n ids from the head of the queue that keep accepts,
// leaving them queued.
func (f *frontier) peek(n int, keep func(id string) bool) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, id := range f.queue {
		if len(out) >= n {
			break
		}
		if keep(id) {
			out = append(out, id)
		}
	}
	return out
}

// done marks one id handed out by next as finished.
func (f *frontier) done() {
	f.mu.Lock()
	f.inflight--
	f.cond.Broadcast()
	f.mu.Unlock()
}

// blocked counts a platform-wide block and returns the run of them so far.
func (f *frontier) blocked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blocks++
	return f.blocks
}

// ok resets the run of blocks.
func (f *frontier) ok() {
	f.mu.Lock()
	f.blocks = 0
	f.mu.Unlock()
}

// stop drops the queue; it reports whether this call stopped it.
func (f *frontier) stop() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return false
	}
	f.stopped = true
	f.queue = nil
	f.cond.Broadcast()
	return true
}
