// Package frontier shares one run's work between worker processes through
// the store, so that machines with their own rate budgets can collect one
// run together. The run's creators (its frontier) are split into batches;
// a worker claims a batch with a lease (one owner at a time, renewed by a
// heartbeat, lapsing when the worker dies), records each creator it has
// collected with an insert-only marker (so no creator is collected twice in
// a run, even when a batch changes hands), and marks the batch done.
//
// Everything is built on two store primitives proven to have exactly one
// winner on both backends, SQLite and MongoDB (FerretDB included): leases
// (store.Leaser) and insert-only markers (store.Markers).
package frontier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Store is what the frontier needs of a store.
type Store interface {
	store.Leaser
	store.Markers
}

// Marker namespaces.
const (
	nsBatch     = "frontier"     // RUN/PLATFORM/NNNNN → the batch's creator keys
	nsDone      = "batch-done"   // RUN/PLATFORM/NNNNN → the worker's stats
	nsCollected = "collected"    // RUN/CREATORKEY → the worker that collected it
	nsAlias     = "collected-as" // RUN/PLATFORM:HANDLE → the name a collected creator was reached by
	nsClaimed   = "claimed"      // RUN/PLATFORM/NNNNN/WORKER → a claim taken (a batch may have several)
	nsOpen      = "run-open"     // RUN → the coordinator, the run's platforms
	nsClosed    = "run-closed"   // RUN → the coordinator
	nsStopped   = "stopped"      // RUN/PLATFORM → why the platform stopped (quota spent, login wall)
	nsJoined    = "worker"       // RUN/WORKER → the worker's client identity
)

// Batch is a slice of a run's frontier on one platform.
type Batch struct {
	Run      string   `json:"run"`
	Platform string   `json:"platform"`
	ID       string   `json:"id"` // RUN/PLATFORM/NNNNN
	Keys     []string `json:"keys"`
}

func (b Batch) job() string { return "claim/" + b.ID }

// Seed splits a platform's frontier into batches of size and stores them.
// Seeding the same run and platform again adds nothing (the batch markers
// exist), so a restarted coordinator may seed again.
func Seed(ctx context.Context, st Store, run, platform string, keys []string, size int, owner string) (int, error) {
	if strings.ContainsAny(run+platform, "/") || run == "" || platform == "" {
		return 0, fmt.Errorf("seeding run %q platform %q: %w: ids must be non-empty and free of '/'", run, platform, store.ErrInvalid)
	}
	if size < 1 {
		return 0, fmt.Errorf("seeding run %q: batch size %d must be positive", run, size)
	}
	n := 0
	for i := 0; i < len(keys); i += size {
		b := Batch{Run: run, Platform: platform, ID: fmt.Sprintf("%s/%s/%05d", run, platform, i/size), Keys: keys[i:min(i+size, len(keys))]}
		data, err := json.Marshal(b.Keys)
		if err != nil {
			return n, err
		}
		if _, _, err := st.Mark(ctx, store.Marker{NS: nsBatch, ID: b.ID, Owner: owner, Data: string(data), At: time.Now()}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Batches returns the run's batches (all platforms), by id.
func Batches(ctx context.Context, st Store, run string) ([]Batch, error) {
	ms, err := st.ListMarkers(ctx, nsBatch, run+"/")
	if err != nil {
		return nil, err
	}
	out := make([]Batch, 0, len(ms))
	for _, m := range ms {
		rest := strings.TrimPrefix(m.ID, run+"/")
		platform, _, _ := strings.Cut(rest, "/")
		b := Batch{Run: run, Platform: platform, ID: m.ID}
		if err := json.Unmarshal([]byte(m.Data), &b.Keys); err != nil {
			return nil, fmt.Errorf("batch %s: %w", m.ID, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// Stats are what a worker reports for a batch it finished.
type Stats struct {
	Worker string `json:"worker"`
	// Creators collected by this worker (not skipped). In a Status it is
	// read from the run's collected markers, so it includes the creators a
	// worker finished in a batch it never finished (it died).
	Creators    int           `json:"creators"`
	Skipped     int           `json:"skipped"` // already collected in the run by someone else
	Failed      int           `json:"failed"`
	Requests    int64         `json:"requests"`
	Throttled   int64         `json:"throttled"` // 429s
	LimiterWait time.Duration `json:"limiterWait"`
	// Batches: finished by this worker. Lost: claimed by it and finished by
	// another (its claim lapsed: it died, hung or lost the store).
	Batches int `json:"batches"`
	Lost    int `json:"lost"`
	// Duplicates: creators this worker collected in full and then found
	// recorded by another (two claims overlapped: a claim lapsed while its
	// worker still worked). Exactly-once means 0.
	Duplicates int `json:"duplicates,omitempty"`
	// Counts are the batch's platform counters, for the run document.
	Counts model.PlatformStats `json:"counts"`
	// Last is when the worker finished its last batch.
	Last time.Time `json:"last,omitzero"`
	// Errors are the creators' failures in the batch, for the run document.
	Errors []model.RunError `json:"errors,omitempty"`
	// Client is the worker's client identity (Join).
	Client string `json:"client,omitempty"`
}

// add sums o's counts into s.
func (s *Stats) add(o Stats) {
	s.Creators += o.Creators
	s.Skipped += o.Skipped
	s.Failed += o.Failed
	s.Requests += o.Requests
	s.Throttled += o.Throttled
	s.LimiterWait += o.LimiterWait
	s.Batches += o.Batches
	s.Lost += o.Lost
	s.Duplicates += o.Duplicates
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
	s.Counts.Add(o.Counts)
}

// Worker claims and works batches of one run.
type Worker struct {
	st    Store
	run   string
	owner string
	ttl   time.Duration
}

// NewWorker returns a worker named owner (unique per process) on run; its
// claims lapse ttl after its last heartbeat.
func NewWorker(st Store, run, owner string, ttl time.Duration) *Worker {
	return &Worker{st: st, run: run, owner: owner, ttl: ttl}
}

// Claim takes a batch that is not done and not held by a live worker;
// ok is false when there is none right now (all done, or all held).
func (w *Worker) Claim(ctx context.Context, platforms ...string) (b Batch, ok bool, err error) {
	bs, err := Batches(ctx, w.st, w.run)
	if err != nil {
		return Batch{}, false, err
	}
	done, err := doneSet(ctx, w.st, w.run)
	if err != nil {
		return Batch{}, false, err
	}
	stopped, err := Stopped(ctx, w.st, w.run)
	if err != nil {
		return Batch{}, false, err
	}
	for _, b := range bs {
		if done[b.ID] || stopped[b.Platform] != "" || (len(platforms) > 0 && !slices.Contains(platforms, b.Platform)) {
			continue
		}
		got, err := w.st.Acquire(ctx, b.job(), w.owner, w.ttl)
		if err != nil {
			return Batch{}, false, err
		}
		if got {
			// It may have been finished between the listing and the claim.
			if fin, err := hasMarker(ctx, w.st, nsDone, b.ID); err != nil || fin {
				_ = w.st.Release(ctx, b.job(), w.owner)
				if err != nil {
					return Batch{}, false, err
				}
				continue
			}
			// Who held the batch: a batch finished by another worker than
			// one that claimed it was given up (its claim lapsed).
			if _, _, err := w.st.Mark(ctx, store.Marker{NS: nsClaimed, ID: b.ID + "/" + w.owner, Owner: w.owner, At: time.Now()}); err != nil {
				_ = w.st.Release(ctx, b.job(), w.owner)
				return Batch{}, false, err
			}
			return b, true, nil
		}
	}
	return Batch{}, false, nil
}

// hasMarker tells whether the marker (ns, id) exists. ListMarkers takes a
// prefix, which longer ids may share, so the id is matched whole.
func hasMarker(ctx context.Context, st store.Markers, ns, id string) (bool, error) {
	ms, err := st.ListMarkers(ctx, ns, id)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ms, func(m store.Marker) bool { return m.ID == id }), nil
}

// Heartbeat renews the worker's claim on b. An error wrapping
// store.ErrLeaseLost means the claim lapsed and another worker may have the
// batch: stop working on it.
func (w *Worker) Heartbeat(ctx context.Context, b Batch) error {
	return w.st.Renew(ctx, b.job(), w.owner, w.ttl)
}

// Take records that the worker has collected key in this run. won is false
// when another worker already did (skip it: it is collected). Call it after
// the creator's data is stored, so a worker that dies midway leaves the
// creator to the batch's next owner.
func (w *Worker) Take(ctx context.Context, key string) (won bool, err error) {
	won, _, err = w.st.Mark(ctx, store.Marker{NS: nsCollected, ID: w.run + "/" + key, Owner: w.owner, At: time.Now()})
	return won, err
}

// TakeAlias records another name (platform:handle) of a creator recorded
// with Take, so that a batch naming the creator by it skips the creator.
func (w *Worker) TakeAlias(ctx context.Context, alias string) error {
	_, _, err := w.st.Mark(ctx, store.Marker{NS: nsAlias, ID: w.run + "/" + alias, Owner: w.owner, At: time.Now()})
	return err
}

// Collected tells whether key (a creator key or an alias) is already
// collected in this run.
func (w *Worker) Collected(ctx context.Context, key string) (bool, error) {
	if ok, err := hasMarker(ctx, w.st, nsCollected, w.run+"/"+key); ok || err != nil {
		return ok, err
	}
	return hasMarker(ctx, w.st, nsAlias, w.run+"/"+key)
}

// ErrNotHeld is returned by Done when the worker's claim on the batch has
// lapsed; another worker finishes it.
var ErrNotHeld = errors.New("batch claim lapsed")

// Done marks b finished with the worker's stats and gives up the claim.
func (w *Worker) Done(ctx context.Context, b Batch, s Stats) error {
	if err := w.st.Renew(ctx, b.job(), w.owner, w.ttl); err != nil {
		if errors.Is(err, store.ErrLeaseLost) {
			return fmt.Errorf("finishing %s: %w", b.ID, ErrNotHeld)
		}
		return err
	}
	s.Worker = w.owner
	s.Last = time.Now()
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if _, _, err := w.st.Mark(ctx, store.Marker{NS: nsDone, ID: b.ID, Owner: w.owner, Data: string(data), At: time.Now()}); err != nil {
		return err
	}
	return w.st.Release(ctx, b.job(), w.owner)
}

func doneSet(ctx context.Context, st Store, run string) (map[string]bool, error) {
	ms, err := st.ListMarkers(ctx, nsDone, run+"/")
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ms))
	for _, m := range ms {
		out[m.ID] = true
	}
	return out, nil
}

// Status is how far a run's frontier is.
type Status struct {
	Batches   int               `json:"batches"`
	Done      int               `json:"done"`
	Collected int               `json:"collected"` // creators, over all batches
	Workers   map[string]Stats  `json:"workers"`   // summed per worker over its finished batches
	Platforms map[string]Stats  `json:"platforms"` // summed per platform
	Stopped   map[string]string `json:"stopped"`   // platform → why it stopped
	// Pending counts the batches neither done nor of a stopped platform;
	// PendingBy splits it per platform.
	Pending   int              `json:"pending"`
	PendingBy map[string]int   `json:"pendingBy"`
	Errors    []model.RunError `json:"errors,omitempty"`
}

// Drained reports whether every batch is done (or of a stopped platform).
func (s Status) Drained() bool { return s.Pending == 0 }

// RunStatus reads a run's frontier status.
func RunStatus(ctx context.Context, st Store, run string) (Status, error) {
	bs, err := st.ListMarkers(ctx, nsBatch, run+"/")
	if err != nil {
		return Status{}, err
	}
	done, err := st.ListMarkers(ctx, nsDone, run+"/")
	if err != nil {
		return Status{}, err
	}
	cols, err := st.ListMarkers(ctx, nsCollected, run+"/")
	if err != nil {
		return Status{}, err
	}
	col := len(cols)
	claims, err := st.ListMarkers(ctx, nsClaimed, run+"/")
	if err != nil {
		return Status{}, err
	}
	joined, err := st.ListMarkers(ctx, nsJoined, run+"/")
	if err != nil {
		return Status{}, err
	}
	s := Status{Batches: len(bs), Done: len(done), Collected: col, Workers: map[string]Stats{}, Platforms: map[string]Stats{}, PendingBy: map[string]int{}}
	if s.Stopped, err = Stopped(ctx, st, run); err != nil {
		return s, err
	}
	for _, m := range joined {
		s.Workers[m.Owner] = Stats{Worker: m.Owner, Client: m.Data}
	}
	finishedBy := map[string]string{}
	for _, m := range done {
		var b Stats
		if err := json.Unmarshal([]byte(m.Data), &b); err != nil {
			return s, fmt.Errorf("stats of %s: %w", m.ID, err)
		}
		finishedBy[m.ID] = b.Worker
		b.Batches = 1
		a := s.Workers[b.Worker]
		a.Worker = b.Worker
		a.add(b)
		s.Workers[b.Worker] = a
		p := s.Platforms[batchPlatform(run, m.ID)]
		p.add(b)
		s.Platforms[batchPlatform(run, m.ID)] = p
		s.Errors = append(s.Errors, b.Errors...)
	}
	// Who collected each creator is on its marker: a worker that died
	// mid-batch is credited with what it finished.
	for name, a := range s.Workers {
		a.Creators = 0
		s.Workers[name] = a
	}
	for name, p := range s.Platforms {
		p.Creators = 0
		s.Platforms[name] = p
	}
	for _, m := range cols {
		a := s.Workers[m.Owner]
		a.Worker = m.Owner
		a.Creators++
		s.Workers[m.Owner] = a
		platform, _, _ := strings.Cut(strings.TrimPrefix(m.ID, run+"/"), ":")
		p := s.Platforms[platform]
		p.Creators++
		s.Platforms[platform] = p
	}
	for _, m := range claims {
		id := strings.TrimSuffix(m.ID, "/"+m.Owner)
		if by, ok := finishedBy[id]; ok && by != m.Owner {
			a := s.Workers[m.Owner]
			a.Worker = m.Owner
			a.Lost++
			s.Workers[m.Owner] = a
		}
	}
	for _, m := range bs {
		if _, ok := finishedBy[m.ID]; !ok && s.Stopped[batchPlatform(run, m.ID)] == "" {
			s.Pending++
			s.PendingBy[batchPlatform(run, m.ID)]++
		}
	}
	return s, nil
}

func batchPlatform(run, id string) string {
	platform, _, _ := strings.Cut(strings.TrimPrefix(id, run+"/"), "/")
	return platform
}

// Prune deletes a finished run's frontier markers.
func Prune(ctx context.Context, st Store, run string) error {
	for _, ns := range []string{nsBatch, nsDone, nsCollected, nsAlias, nsClaimed, nsStopped, nsJoined} {
		if _, err := st.DeleteMarkers(ctx, ns, run+"/"); err != nil {
			return err
		}
	}
	for _, ns := range []string{nsOpen, nsClosed} {
		if _, err := st.DeleteMarkers(ctx, ns, run); err != nil {
			return err
		}
	}
	return nil
}
