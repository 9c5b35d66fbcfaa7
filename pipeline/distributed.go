package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	claims "github.com/nanoscout/nanoscout/frontier"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Distributed runs (config distributed.enabled, docs/scale.md).
//
// The process that runs the job (it holds the job's lease) is the
// coordinator: it opens the run, discovers each platform's candidates (seeds
// and search, as a single process does; workers do not snowball), seeds the
// run's frontier in the store (package frontier, imported as claims: this
// package has its own in-memory frontier type), collects batches itself
// when distributed.work is on, waits until every batch is done — the claims of
// dead workers lapse and go back to the pool — and then re-scores, ranks
// and records the run once, with each worker's counts.
//
// Workers (`nanoscout worker`, Pipeline.Work) join any open run, claim
// batches, heartbeat their claims and collect each creator with the same
// code as a single-process run (platformRun.collectOne). A creator is
// recorded in the store after its data is written (frontier.Worker.Take);
// whoever works a batch next skips what is recorded, so no creator is
// collected twice in a run.

// sharedStore is what a distributed run needs of the store.
func (p *Pipeline) sharedStore() (claims.Store, error) {
	fs, ok := p.st.(claims.Store)
	if !ok {
		return nil, fmt.Errorf("distributed runs need a store with leases and markers (SQLite or MongoDB); %T has none", p.st)
	}
	return fs, nil
}

// take records the creator collected in the run (under its key and the name
// it was reached by); false when another worker recorded it first (both
// collected it: counted as a duplicate).
func (r *platformRun) take(ctx context.Context, handle, key string) bool {
	won, err := r.shared.Take(ctx, key)
	if err != nil {
		r.rec.storeFailed(err, r.now())
		r.rec.addError(r.name, key, "store", fmt.Errorf("recording the creator collected: %w", err), r.now())
		return false
	}
	if !won {
		r.log.Warn("creator collected twice in the run (a claim lapsed while its worker still worked)", "creator", key)
		if r.dup != nil {
			*r.dup++
		}
		return false
	}
	if alias := model.Key(r.name, handle); alias != key {
		if err := r.shared.TakeAlias(ctx, alias); err != nil && !r.rec.storeFailed(err, r.now()) {
			r.log.Warn("recording the creator's handle collected", "creator", key, "err", err)
		}
	}
	return true
}

// stopShared stops the platform for every worker of the run.
func (r *platformRun) stopShared(ctx context.Context, reason string) {
	if r.shared == nil {
		return
	}
	fs, err := r.sharedStore()
	if err == nil {
		err = claims.StopPlatform(ctx, fs, r.shared.Run(), r.name, reason, r.shared.Owner())
	}
	if err != nil && !r.rec.storeFailed(err, r.now()) {
		r.log.Warn("stopping the platform for the run's workers", "err", err)
	}
}

// coordinate is Run's collection phase in distributed mode: discover and
// seed every platform, work and wait until the frontier is drained, then
// put the workers' counts on the run.
func (p *Pipeline) coordinate(ctx context.Context, rec *recorder, log *slog.Logger) {
	runID := rec.run.ID
	fs, err := p.sharedStore()
	if err != nil {
		rec.addError("", "", "setup", err, p.now())
		return
	}
	var wg sync.WaitGroup
	for _, name := range p.cfg.Enabled() {
		wg.Go(func() { p.seedPlatform(ctx, fs, runID, name, rec, log.With("platform", name)) })
	}
	wg.Wait()
	if err := claims.Open(ctx, fs, runID, p.owner); err != nil {
		rec.storeFailed(err, p.now())
		rec.addError("", "", "setup", fmt.Errorf("opening the run to workers: %w", err), p.now())
		return
	}
	log.Info("run open to workers", "batch_size", p.cfg.Distributed.BatchSize, "claim_ttl", p.cfg.Distributed.ClaimTTL)
	if p.cfg.Distributed.Work {
		if err := p.workRun(ctx, fs, runID, log.With("role", "worker")); err != nil && ctx.Err() == nil {
			rec.storeFailed(err, p.now())
			rec.addError("", "", "collect", err, p.now())
		}
	}
	// Wait for the other workers' batches (and the lapsed claims of dead
	// ones, which someone must take up again).
	st, err := p.waitDrained(ctx, fs, runID, log)
	if err != nil && ctx.Err() == nil {
		rec.storeFailed(err, p.now())
		rec.addError("", "", "collect", fmt.Errorf("waiting for the workers: %w", err), p.now())
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	if cerr := claims.Close(cctx, fs, runID, p.owner); cerr != nil {
		log.Warn("closing the run to workers", "err", cerr)
	}
	p.recordWorkers(rec, st)
	// The run document has the counts now: its markers (claims, collected
	// creators) would only grow the store.
	if err == nil {
		if perr := claims.Prune(cctx, fs, runID); perr != nil {
			log.Warn("deleting the run's frontier markers", "err", perr)
		}
	}
}

// seedPlatform discovers a platform's candidates and seeds them as batches.
func (p *Pipeline) seedPlatform(ctx context.Context, fs claims.Store, runID, name string, rec *recorder, log *slog.Logger) {
	pc := p.cfg.Platforms[name]
	col, done, ok := p.openCollector(name, rec, log, func(rs collectors.RequestStats) {
		// The search requests are the coordinator's; the workers' are
		// added by recordWorkers.
		rec.platform(name, func(s *model.PlatformStats) { s.Requests += rs.Requests; s.Throttled += rs.Throttled })
	})
	if !ok {
		return
	}
	defer done()
	fr := newFrontier(pc.MaxCreators)
	fr.onAccept = func(id string) { rec.accepted(name, id) }
	n := fr.push(pc.Seeds...)
	rec.platform(name, func(s *model.PlatformStats) { s.Discovered += n })
	r := &platformRun{Pipeline: p, name: name, col: col, pc: pc, fr: fr, rec: rec, log: log}
	r.discover(ctx)
	keys := slices.Clone(fr.queue)
	batches, err := claims.Seed(ctx, fs, runID, name, keys, p.cfg.Distributed.BatchSize, p.owner)
	if err != nil {
		rec.storeFailed(err, p.now())
		rec.addError(name, "", "setup", fmt.Errorf("seeding the run's frontier: %w", err), p.now())
		return
	}
	log.Info("frontier seeded", "candidates", len(keys), "batches", batches)
}

// waitDrained polls the run's frontier until every batch is done.
func (p *Pipeline) waitDrained(ctx context.Context, fs claims.Store, runID string, log *slog.Logger) (claims.Status, error) {
	for {
		st, err := claims.RunStatus(ctx, fs, runID)
		if _, fatal := store.AsFatal(err); err != nil && (fatal || ctx.Err() != nil) {
			return st, err
		}
		if err != nil {
			log.Warn("store error; trying again", "op", "reading the run's frontier", "err", err)
		} else if st.Drained() {
			return st, nil
		}
		log.Debug("waiting for workers", "pending", st.Pending, "done", st.Done, "batches", st.Batches)
		if err := sleepCtx(ctx, p.cfg.Distributed.Poll); err != nil {
			// Stopped: record what the workers finished so far.
			st, _ := claims.RunStatus(context.WithoutCancel(ctx), fs, runID)
			return st, err
		}
	}
}

// recordWorkers adds the workers' counts to the run document.
func (p *Pipeline) recordWorkers(rec *recorder, st claims.Status) {
	for name, ps := range st.Platforms {
		c := ps.Counts
		rec.platform(name, func(s *model.PlatformStats) {
			// The creators collected and scored are counted by their
			// markers (a dead worker's finished creators included);
			// discovery is the coordinator's.
			c.Collected, c.Scored, c.Discovered = ps.Creators, ps.Creators, 0
			s.Add(c)
			if s.Scored > 0 {
				s.RequestsPerScored = float64(s.Requests) / float64(s.Scored)
			}
		})
	}
	for name, why := range st.Stopped {
		rec.platform(name, func(s *model.PlatformStats) {
			if s.Paused == "" {
				s.Paused = why
			}
		})
	}
	for _, e := range st.Errors {
		rec.mu.Lock()
		if len(rec.run.Errors) < maxRunErrors {
			rec.run.Errors = append(rec.run.Errors, e)
		} else {
			rec.dropped++
		}
		rec.mu.Unlock()
	}
	ws := make([]model.RunWorker, 0, len(st.Workers))
	for _, w := range st.Workers {
		ws = append(ws, model.RunWorker{
			Name: w.Worker, Client: w.Client, Batches: w.Batches, Lost: w.Lost,
			Creators: w.Creators, Skipped: w.Skipped, Failed: w.Failed, Duplicates: w.Duplicates,
			Requests: w.Requests, Throttled: w.Throttled, LimiterWaitMS: w.LimiterWait.Milliseconds(),
		})
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].Name < ws[j].Name })
	rec.mu.Lock()
	rec.run.Workers = ws
	rec.mu.Unlock()
}

// Work is `nanoscout worker`: it joins the runs open in the store and
// collects batches of them until none is left, then waits for the next run
// (or returns, with once). It returns when ctx ends, nil then.
func (p *Pipeline) Work(ctx context.Context, once bool) error {
	fs, err := p.sharedStore()
	if err != nil {
		return err
	}
	worked := false
	for {
		runs, err := claims.OpenRuns(ctx, fs)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if _, fatal := store.AsFatal(err); fatal {
				return fmt.Errorf("looking for open runs: %w", err)
			}
			p.log.Warn("store error; trying again", "op", "looking for open runs", "err", err)
			runs = nil
		}
		for _, run := range runs {
			log := p.log.With("run", run, "worker", p.owner)
			log.Info("joining run")
			if err := p.workRun(ctx, fs, run, log); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("run %s: %w", run, err)
			}
			worked = true
			log.Info("run drained; leaving it")
		}
		if once && worked {
			return nil
		}
		if err := sleepCtx(ctx, p.cfg.Distributed.Poll); err != nil {
			return nil
		}
	}
}

// workRun collects batches of one run until none is left for this
// process's platforms: one claim loop per platform, in parallel, each with
// its own collector (its own rate limiter and client identity).
func (p *Pipeline) workRun(ctx context.Context, fs claims.Store, runID string, log *slog.Logger) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	w := claims.NewWorker(fs, runID, p.workerName, p.cfg.Distributed.ClaimTTL)
	if err := w.Join(ctx, p.cfg.Distributed.ClientID); err != nil {
		return fmt.Errorf("joining: %w", err)
	}
	// The worker's own recorder: its counts reach the run through the batch
	// stats, never directly.
	rec := newRecorder(model.Run{ID: runID, Platforms: map[string]*model.PlatformStats{}}, stop)
	var wg sync.WaitGroup
	errs := make([]error, len(p.cfg.Enabled()))
	for i, name := range p.cfg.Enabled() {
		wg.Go(func() { errs[i] = p.workPlatform(ctx, fs, w, name, rec, log.With("platform", name)) })
	}
	wg.Wait()
	if f := rec.fatalError(); f != nil {
		return f
	}
	return errors.Join(errs...)
}

// workPlatform claims and collects one platform's batches of the run.
func (p *Pipeline) workPlatform(ctx context.Context, fs claims.Store, w *claims.Worker, name string, rec *recorder, log *slog.Logger) error {
	var r *platformRun
	blocks := 0
	// A store error other than a fatal one (a slow or briefly unreachable
	// server) is waited out: a worker that gave up would leave its share
	// of the run to the others, or the run waiting for nobody.
	retry := func(what string, err error) error {
		if _, fatal := store.AsFatal(err); fatal || ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		log.Warn("store error; trying again", "op", what, "err", err)
		_ = sleepCtx(ctx, p.cfg.Distributed.Poll)
		return nil
	}
	for ctx.Err() == nil {
		b, ok, err := w.Claim(ctx, name)
		if err != nil {
			if err := retry("claiming a "+name+" batch", err); err != nil {
				return err
			}
			continue
		}
		if !ok {
			st, err := claims.RunStatus(ctx, fs, w.Run())
			if err != nil {
				if err := retry("reading the run's frontier", err); err != nil {
					return err
				}
				continue
			}
			if st.PendingBy[name] == 0 {
				return nil
			}
			// Held by other workers: wait for them to finish or lapse.
			if sleepCtx(ctx, p.cfg.Distributed.Poll) != nil {
				return nil
			}
			continue
		}
		if r == nil {
			col, err := p.newCollector(name, log)
			if err != nil {
				_ = fs.Release(ctx, "claim/"+b.ID, w.Owner())
				return fmt.Errorf("%s collector: %w", name, err)
			}
			if c, ok := col.(collectors.Closer); ok {
				defer c.Close()
			}
			r = &platformRun{Pipeline: p, name: name, col: col, pc: p.cfg.Platforms[name], rec: rec, log: log, shared: w}
		}
		blocks, ok = p.workBatch(ctx, w, r, b, blocks)
		if !ok {
			return nil // the platform stopped (quota spent, login wall)
		}
	}
	return nil
}

// workBatch collects one claimed batch with the run's concurrency, renewing
// the claim meanwhile, and marks it done with the batch's counts. It returns
// the platform's run of blocks so far and false when the platform stopped.
func (p *Pipeline) workBatch(ctx context.Context, w *claims.Worker, r *platformRun, b claims.Batch, blocks int) (int, bool) {
	log := r.log.With("batch", b.ID)
	bctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	var hb sync.WaitGroup
	hbCtx, stopHB := context.WithCancel(bctx)
	hb.Go(func() {
		t := time.NewTicker(p.cfg.Distributed.ClaimTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-hbCtx.Done():
				return
			case <-t.C:
				if err := w.Heartbeat(hbCtx, b); err != nil && hbCtx.Err() == nil {
					log.Warn("claim lost; leaving the batch to its next owner", "err", err)
					lost(fmt.Errorf("%s: %w", b.ID, claims.ErrNotHeld))
					return
				}
			}
		}
	})

	fr := newFrontier(len(b.Keys))
	fr.blocks = blocks
	fr.push(b.Keys...)
	fr.max = 0 // no snowballing in workers: discovery is the coordinator's
	dup := 0
	br := *r
	br.fr, br.dup = fr, &dup
	br.pb = newProfileBatcher(r.col, fr)
	before := r.rec.stats(r.name)
	var reqBefore collectors.RequestStats
	sr, hasStats := r.col.(collectors.StatsReporter)
	if hasStats {
		reqBefore = sr.Stats()
	}
	errsBefore := r.rec.errorCount()

	var wg sync.WaitGroup
	for range p.cfg.Concurrency {
		wg.Go(func() {
			for {
				h, ok := fr.next(bctx)
				if !ok {
					return
				}
				br.collectOne(bctx, h)
				fr.done()
				if p.progress != nil {
					p.progress(r.name, r.rec.stats(r.name))
				}
			}
		})
	}
	wg.Wait()
	stopHB()
	hb.Wait()
	if bctx.Err() != nil {
		return fr.blocks, true // stopped, or the claim lapsed: the batch's next owner finishes it
	}

	after := r.rec.stats(r.name)
	c := model.PlatformStats{
		Seen: after.Seen - before.Seen, Collected: after.Collected - before.Collected,
		Failed: after.Failed - before.Failed, Skipped: after.Skipped - before.Skipped,
		Scored:           after.Scored - before.Scored,
		AudienceSampled:  after.AudienceSampled - before.AudienceSampled,
		AudienceAccounts: after.AudienceAccounts - before.AudienceAccounts,
		AudienceRequests: after.AudienceRequests - before.AudienceRequests,
	}
	if hasStats {
		rs := sr.Stats()
		c.Requests = rs.Requests - reqBefore.Requests
		c.Throttled = rs.Throttled - reqBefore.Throttled
		c.Retries = rs.Retries - reqBefore.Retries
		c.LimiterWaitMS = (rs.LimiterWait - reqBefore.LimiterWait).Milliseconds()
		c.ByStatus = map[string]int64{}
		for code, n := range rs.ByStatus {
			if d := n - reqBefore.ByStatus[code]; d > 0 {
				c.ByStatus[fmt.Sprint(code)] = d
			}
		}
	}
	stats := claims.Stats{
		Creators: c.Collected, Skipped: c.Skipped, Failed: c.Failed, Duplicates: dup,
		Requests: c.Requests, Throttled: c.Throttled, LimiterWait: time.Duration(c.LimiterWaitMS) * time.Millisecond,
		Counts: c, Errors: r.rec.errorsSince(errsBefore, r.name),
	}
	if err := w.Done(ctx, b, stats); err != nil {
		log.Warn("finishing the batch", "err", err)
	} else {
		log.Debug("batch done", "creators", stats.Creators, "skipped", stats.Skipped, "failed", stats.Failed, "requests", stats.Requests)
	}
	fr.mu.Lock()
	stopped := fr.stopped
	fr.mu.Unlock()
	return fr.blocks, !stopped
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
