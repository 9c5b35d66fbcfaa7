// Package pipeline runs nanoscout's nightly job: for each configured platform
// it discovers candidate creators, collects their profiles, posts and comment
// threads through the platform's collector, scores them, stores the result and
// finally re-ranks each platform by tier. It is the only package that knows
// collectors, scoring and the store together.
//
// One failing creator never fails the run: its error is recorded on the run
// document with the creator and the stage, and its stored metrics are left as
// they were (marked stale, or gone when the platform says it no longer exists).
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/configs"
	claims "github.com/nanoscout/nanoscout/frontier"
	"github.com/nanoscout/nanoscout/llm"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/store"
)

// Pipeline runs discover → collect → score → rank → store.
type Pipeline struct {
	cfg    config.Config
	st     store.Store
	bm     scoring.Benchmarks
	scfg   scoring.Config
	log    *slog.Logger
	now    func() time.Time
	getenv func(string) string
	owner  string
	job    string
	// Progress, when set, is called after every creator with the platform
	// name and its counters (for progress bars).
	progress func(platform string, st model.PlatformStats)
	// judge is the optional LLM judge (config llm.enabled).
	judge *llm.Judge
	// afterRun hooks run after a run is recorded (e.g. rising-star alerts).
	afterRun []func(ctx context.Context, run model.Run) error
	// accounts judges sampled audience accounts; nil = scoring.JudgeAccount.
	accounts AccountJudge
	// commenters judges sampled commenters; nil = accounts.
	commenters AccountJudge
	// leaseHeld: the caller (the daemon) holds the job's lease and has
	// marked its abandoned runs.
	leaseHeld bool
	leaseTTL  time.Duration
	// workerName names this pipeline's claims in distributed runs:
	// host:pid-RANDOM, unique even for several pipelines in one process.
	workerName string
}

// Option configures a Pipeline.
type Option func(*Pipeline)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(p *Pipeline) { p.log = l } }

// WithClock sets the time source.
func WithClock(now func() time.Time) Option { return func(p *Pipeline) { p.now = now } }

// WithGetenv sets how credentials are read from the environment.
func WithGetenv(f func(string) string) Option { return func(p *Pipeline) { p.getenv = f } }

// WithAfterRun adds a hook called after each run is recorded, with the
// final run document; its error is logged, not fatal (e.g. rising-star
// alerts, which read the fresh scores).
func WithAfterRun(f func(ctx context.Context, run model.Run) error) Option {
	return func(p *Pipeline) { p.afterRun = append(p.afterRun, f) }
}

// WithJob names the job recorded on run documents (default "run").
func WithJob(name string) Option { return func(p *Pipeline) { p.job = name } }

// WithLeaseHeld says the caller holds the job's lease (store.Leaser) for the
// run and has marked the job's abandoned runs (SweepAbandoned), as the
// daemon does. Without it, Run takes the lease itself and waits for a lease
// left by a killed run to lapse; a job another process is running is an
// error.
func WithLeaseHeld() Option { return func(p *Pipeline) { p.leaseHeld = true } }

// WithLeaseTTL sets the lease a run outside the daemon holds on its job
// (default 15 s): how long the next run waits for the lease of a killed run.
func WithLeaseTTL(d time.Duration) Option { return func(p *Pipeline) { p.leaseTTL = d } }

// WithProgress sets a callback invoked after every creator.
func WithProgress(f func(platform string, st model.PlatformStats)) Option {
	return func(p *Pipeline) { p.progress = f }
}

// New builds a pipeline. It reads the benchmarks file named in the config, or
// the built-in one.
func New(cfg config.Config, st store.Store, opts ...Option) (*Pipeline, error) {
	for _, name := range cfg.Enabled() {
		if !slices.Contains(collectors.Names(), name) {
			return nil, fmt.Errorf("platform %q is enabled but no collector has that name (known: %v)", name, collectors.Names())
		}
	}
	data := configs.Benchmarks
	if cfg.Scoring.Benchmarks != "" {
		b, err := os.ReadFile(cfg.Scoring.Benchmarks)
		if err != nil {
			return nil, fmt.Errorf("reading benchmarks: %w", err)
		}
		data = b
	}
	bm, err := scoring.ParseBenchmarks(data)
	if err != nil {
		return nil, fmt.Errorf("benchmarks: %w", err)
	}
	scfg := scoring.DefaultConfig()
	if len(cfg.Scoring.Weights) > 0 {
		scfg.Weights = cfg.Scoring.Weights
	}
	scfg.SettledAfter = cfg.Scoring.SettledAfter
	if scfg.PostsN == nil {
		scfg.PostsN = map[string]int{}
	}
	for name, pc := range cfg.Platforms {
		if pc.Posts > 0 {
			scfg.PostsN[name] = pc.Posts
		}
	}
	if err := scfg.Validate(); err != nil {
		return nil, fmt.Errorf("scoring config: %w", err)
	}
	host, _ := os.Hostname()
	p := &Pipeline{
		cfg: cfg, st: st, bm: bm, scfg: scfg,
		log:      slog.New(slog.DiscardHandler),
		now:      time.Now,
		getenv:   os.Getenv,
		owner:    fmt.Sprintf("%s:%d", host, os.Getpid()),
		job:      "run",
		leaseTTL: runLeaseTTL,
	}
	var rnd [2]byte
	_, _ = rand.Read(rnd[:])
	p.workerName = p.owner + "-" + hex.EncodeToString(rnd[:])
	for _, o := range opts {
		o(p)
	}
	if p.leaseTTL < 30*time.Millisecond {
		return nil, fmt.Errorf("pipeline: lease TTL %v is too short", p.leaseTTL)
	}
	if p.accounts == nil && cfg.Audience.Judge == "model" {
		j, err := loadModelJudge()
		if err != nil {
			return nil, fmt.Errorf("audience judge: %w", err)
		}
		p.accounts = j
	}
	if p.commenters == nil && cfg.Audience.CommenterJudge != "account" {
		j, err := loadCommenterJudge()
		if err != nil {
			return nil, fmt.Errorf("audience commenter judge: %w", err)
		}
		p.commenters = j
	}
	if cfg.LLM.Enabled {
		j, err := llm.New(cfg.LLM, st, p.getenv, llm.WithLogger(p.log.With("component", "llm")))
		if err != nil {
			return nil, fmt.Errorf("llm judge: %w", err)
		}
		p.judge = j
	}
	return p, nil
}

// Run does one full run over every enabled platform and returns its record.
// The returned error is only for failures of the run itself; creator
// failures are in Run.Errors. When the store fails as a whole (disk full,
// read-only, database gone: a store.FatalError), the run stops at once,
// is recorded failed with the reason when the store still takes that, and
// the error wraps the *store.FatalError (find it with store.AsFatal).
func (p *Pipeline) Run(ctx context.Context) (model.Run, error) {
	start := p.now()
	runID := newRunID(start)
	ctx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	if !p.leaseHeld {
		// Outside the daemon: hold the job's lease for the run, and mark
		// the job's runs its dead holders left "running" abandoned.
		release, err := p.takeLease(ctx, p.owner+":"+runID, stopRun, p.log)
		if err != nil {
			return model.Run{}, err
		}
		defer release()
		if ids, err := SweepAbandoned(ctx, p.st, p.job, p.now()); err != nil {
			p.log.Warn("marking abandoned runs", "err", err)
		} else if len(ids) > 0 {
			p.log.Info("marked runs abandoned; their finished creators are kept and skipped", "runs", ids)
		}
	}
	rec := newRecorder(model.Run{
		ID:        runID,
		Job:       p.job,
		Status:    model.RunRunning,
		StartedAt: start.UTC(),
		Owner:     p.owner,
		Platforms: map[string]*model.PlatformStats{},
	}, stopRun)
	var prev *model.Run
	if !p.cfg.Distributed.Enabled { // a distributed run starts afresh (its finished creators are fresh)
		var err error
		if prev, err = p.resumable(ctx); err != nil {
			p.log.Warn("looking for a run to resume", "err", err)
		}
	}
	if prev != nil {
		rec.run.ResumedFrom = prev.ID
		prev.ResumedBy = rec.run.ID
		if err := p.st.SaveRun(ctx, *prev); err != nil {
			return model.Run{}, fmt.Errorf("marking run %s resumed: %w", prev.ID, err)
		}
	}
	if err := p.st.SaveRun(ctx, rec.snapshot()); err != nil {
		return model.Run{}, fmt.Errorf("recording run start: %w", err)
	}
	log := p.log.With("run", rec.run.ID)
	if prev != nil {
		log.Info("resuming an interrupted run", "from", prev.ID)
	}
	log.Info("run started", "platforms", p.cfg.Enabled())

	// Save the run document every few seconds so `nanoscout runs` shows progress.
	saveCtx, stopSaving := context.WithCancel(ctx)
	var saver sync.WaitGroup
	saver.Go(func() {
		t := time.NewTicker(3 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-saveCtx.Done():
				return
			case <-t.C:
				if err := p.st.SaveRun(saveCtx, rec.snapshot()); err != nil && saveCtx.Err() == nil && !rec.storeFailed(err, p.now()) {
					log.Warn("saving run progress", "err", err)
				}
			}
		}
	})

	if p.cfg.Distributed.Enabled {
		p.coordinate(ctx, rec, log)
	} else {
		var wg sync.WaitGroup
		for _, name := range p.cfg.Enabled() {
			wg.Go(func() {
				p.runPlatform(ctx, name, rec, prev, log.With("platform", name))
			})
		}
		wg.Wait()
	}
	stopSaving()
	saver.Wait()

	// Cross-creator signals, after all creators are scored. The pass stops
	// between creators when the run is stopped (it is idempotent: the next
	// run re-scores every stored creator).
	for _, name := range p.cfg.Enabled() {
		if rec.fatalError() != nil {
			break
		}
		if ctx.Err() != nil {
			rec.addError(name, "", "score", &RescoreStopped{Platform: name, Cause: context.Cause(ctx)}, p.now())
			continue
		}
		if err := p.afterPlatform(ctx, name); err != nil && !rec.storeFailed(err, p.now()) {
			rec.addError(name, "", "score", err, p.now())
		}
	}
	fatal := rec.fatalError()

	// A stopped run is recorded partial at once, before ranking, so that it
	// is never left "running" whatever happens next.
	stopped := ctx.Err() != nil
	final := context.WithoutCancel(ctx)
	if stopped {
		sctx, cancel := context.WithTimeout(final, stopTimeout)
		err := p.st.SaveRun(sctx, rec.finish(p.now(), true))
		cancel()
		if err != nil {
			log.Error("recording the stopped run", "err", err)
		}
	}
	// Rank what was stored, even when stopped, so the store is consistent;
	// bounded when stopped, since the process is on its way out. Not when
	// the store failed: it takes no writes.
	rankCtx, cancelRank := final, context.CancelFunc(func() {})
	if stopped {
		rankCtx, cancelRank = context.WithTimeout(final, stopTimeout)
	}
	for _, name := range p.cfg.Enabled() {
		if fatal != nil {
			break
		}
		if err := p.st.Rerank(rankCtx, name); err != nil {
			rec.addError(name, "", "rank", err, p.now())
		}
	}
	cancelRank()

	end := p.now()
	run := rec.finish(end, stopped)
	sctx, cancelSave := context.WithTimeout(final, stopTimeout)
	defer cancelSave()
	if fatal != nil {
		if err := p.st.SaveRun(sctx, run); err != nil {
			log.Error("the failed run could not be recorded; it is marked abandoned when the store works again", "err", err)
		}
		log.Error("run stopped: the store failed", "err", fatal, "duration", end.Sub(start).Round(time.Millisecond))
		return run, fmt.Errorf("run %s: %w", run.ID, fatal)
	}
	if err := p.st.SaveRun(sctx, run); err != nil {
		return run, fmt.Errorf("recording run end: %w", err)
	}
	for _, hook := range p.afterRun {
		hctx, cancel := final, context.CancelFunc(func() {})
		if stopped {
			hctx, cancel = context.WithTimeout(final, stopTimeout)
		}
		if err := hook(hctx, run); err != nil {
			log.Warn("after-run hook failed", "err", err)
		}
		cancel()
	}
	log.Info("run finished", "status", run.Status, "duration", end.Sub(start).Round(time.Millisecond), "errors", len(run.Errors))
	return run, nil
}

// platformRun is one platform's state during a run — its collector, its
// config, its frontier, the run's recorder and the platform's logger — the
// way Prometheus' scrapeLoop carries per-target state. Its methods are the
// steps of collecting the platform; the Pipeline it embeds is shared by all
// platforms of the run.
type platformRun struct {
	*Pipeline
	name string
	col  collectors.Collector
	pc   collectors.PlatformConfig
	fr   *frontier
	pb   *profileBatcher
	rec  *recorder
	log  *slog.Logger
	// shared is the run's store frontier in distributed mode (nil in a
	// single process): a creator recorded there is collected already.
	shared *claims.Worker
	// counts of the batch being worked (distributed mode).
	dup *int
}

// openCollector builds a platform's collector for a run: the platform
// appears in the run at once, and a setup error is recorded on it (ok
// false). done hands the collector's request counters to counted, when it
// reports any, and releases it.
func (p *Pipeline) openCollector(name string, rec *recorder, log *slog.Logger, counted func(collectors.RequestStats)) (col collectors.Collector, done func(), ok bool) {
	rec.platform(name, func(*model.PlatformStats) {}) // make it appear in the run
	col, err := p.newCollector(name, log)
	if err != nil {
		rec.addError(name, "", "setup", err, p.now())
		return nil, nil, false
	}
	return col, func() {
		if sr, ok := col.(collectors.StatsReporter); ok {
			counted(sr.Stats())
		}
		if c, ok := col.(collectors.Closer); ok {
			_ = c.Close()
		}
	}, true
}

func (p *Pipeline) runPlatform(ctx context.Context, name string, rec *recorder, prev *model.Run, log *slog.Logger) {
	pc := p.cfg.Platforms[name]
	col, done, ok := p.openCollector(name, rec, log, func(rs collectors.RequestStats) { rec.setRequestStats(name, rs) })
	if !ok {
		return
	}
	defer done()

	fr := newFrontier(pc.MaxCreators)
	fr.onAccept = func(id string) { rec.accepted(name, id) }
	fr.push(pc.Seeds...)
	r := &platformRun{Pipeline: p, name: name, col: col, pc: pc, fr: fr, pb: newProfileBatcher(col, fr), rec: rec, log: log}
	if prev != nil && prev.Checkpoint != nil && len(prev.Checkpoint.Frontier[name]) > 0 {
		// Continue the interrupted run's frontier instead of discovering
		// again; the creators it finished are skipped by fresh().
		n := fr.push(prev.Checkpoint.Frontier[name]...)
		log.Info("resumed frontier", "candidates", n, "finished_before", len(prev.Checkpoint.Finished[name]))
	} else {
		r.discover(ctx)
	}
	// Checkpoint the frontier before collecting, so a run killed early can
	// be resumed.
	if err := p.st.SaveRun(ctx, rec.snapshot()); err != nil && ctx.Err() == nil && !rec.storeFailed(err, p.now()) {
		log.Warn("saving run checkpoint", "err", err)
	}

	var wg sync.WaitGroup
	for range p.cfg.Concurrency {
		wg.Go(func() {
			for {
				h, ok := fr.next(ctx)
				if !ok {
					return
				}
				r.collectOne(ctx, h)
				if ctx.Err() == nil {
					rec.finished(name, h)
				}
				fr.done()
				if sr, ok := col.(collectors.StatsReporter); ok {
					rec.setRequestStats(name, sr.Stats())
				}
				if p.progress != nil {
					p.progress(name, rec.stats(name))
				}
			}
		})
	}
	wg.Wait()
}

// newCollector builds a platform's collector with the process's client
// identity and, in distributed mode, the store's shared daily budgets.
func (p *Pipeline) newCollector(name string, log *slog.Logger) (collectors.Collector, error) {
	pc := p.cfg.Platforms[name]
	pc.ClientID = p.cfg.Distributed.ClientID
	env := collectors.Env{
		Config:    pc,
		UserAgent: p.cfg.UserAgent,
		Logger:    log,
		Getenv:    p.getenv,
	}
	if p.cfg.Distributed.Enabled {
		env.SharedBudget = func(platform, credential string, limit int) (collectors.SharedBudget, error) {
			return claims.NewQuota(p.st, p.owner, platform, credential, limit, min(p.cfg.Distributed.QuotaChunk, limit))
		}
	}
	return collectors.New(name, env)
}

// discover fills the frontier from the platform's search, when it has one.
// Without credentials search is skipped, and discovery snowballs from the
// seeds as creators are collected (see collectOne).
func (r *platformRun) discover(ctx context.Context) {
	d, ok := r.col.(collectors.Discoverer)
	if !ok {
		return
	}
	for _, q := range r.pc.Queries {
		cursor, lastVia := "", ""
		for page := 0; page < 10 && r.fr.wants(); page++ {
			pg, err := d.Discover(ctx, q, cursor)
			if err != nil {
				if errors.Is(err, collectors.ErrAuthRequired) {
					r.log.Warn("search needs credentials; discovering from seeds instead", "query", q)
					r.rec.addError(r.name, "", "discover", err, r.now())
					return
				}
				r.rec.addError(r.name, "", "discover", fmt.Errorf("query %q: %w", q, err), r.now())
				break
			}
			n := r.fr.push(pg.Candidates...)
			r.rec.platform(r.name, func(s *model.PlatformStats) {
				s.Discovered += n
				if pg.Via != "" && pg.Via != lastVia && len(s.Discovery) < maxDiscoveryNotes {
					s.Discovery = append(s.Discovery, fmt.Sprintf("%s: %s", q, pg.Via))
				}
			})
			if pg.Via != "" && pg.Via != lastVia {
				r.log.Info("discovered", "query", q, "candidates", len(pg.Candidates), "new", n, "via", pg.Via)
			}
			lastVia = pg.Via
			if pg.Next == "" {
				break
			}
			cursor = pg.Next
		}
	}
}

// maxDiscoveryNotes bounds the PlatformStats.Discovery lines of one run.
const maxDiscoveryNotes = 20

// writeTimeout bounds the store writes of one collected creator.
const writeTimeout = 30 * time.Second

// stopTimeout bounds each store write of a run after it was stopped (ranking,
// the run document), so shutdown is not held up by a slow store.
const stopTimeout = 5 * time.Second

// pauseAfter is how many creators in a row may fail with a platform-wide
// block (login wall, exhausted quota) before the platform is paused.
const pauseAfter = 5

func (r *platformRun) collectOne(ctx context.Context, handle string) {
	cctx, cancel := context.WithTimeout(ctx, r.cfg.CreatorTimeout)
	defer cancel()
	now := r.now()
	// Not due for refresh: skip without a single request. This is also how a
	// restarted run continues where a killed one stopped.
	if fresh, err := r.fresh(ctx, r.name, handle, now); r.rec.storeFailed(err, r.now()) {
		return
	} else if fresh {
		r.pb.forget(handle)
		r.rec.platform(r.name, func(s *model.PlatformStats) { s.Skipped++ })
		r.fr.ok()
		return
	}
	if r.shared != nil {
		// Collected by another worker in this run (a batch that changed
		// hands, or the creator under another name).
		if done, err := r.shared.Collected(ctx, model.Key(r.name, handle)); r.rec.storeFailed(err, r.now()) {
			return
		} else if done {
			r.rec.platform(r.name, func(s *model.PlatformStats) { s.Skipped++ })
			return
		}
	}
	r.rec.platform(r.name, func(s *model.PlatformStats) { s.Seen++ })

	cr, err := r.pb.profile(cctx, handle)
	if err != nil {
		r.fail(ctx, handle, model.Key(r.name, handle), "profile", err)
		return
	}
	cr.FetchedAt = now.UTC()
	key := cr.Key()
	// Reached twice (handle and id) in this run. Distributed, the store's
	// markers say it (below): a batch worked again after its claim lapsed
	// must not drop the creators its first attempt left unfinished.
	if r.shared == nil && !r.rec.claim(key) {
		return
	}
	if r.shared != nil && key != model.Key(r.name, handle) {
		if done, err := r.shared.Collected(ctx, key); r.rec.storeFailed(err, r.now()) {
			return
		} else if done {
			r.rec.platform(r.name, func(s *model.PlatformStats) { s.Skipped++ })
			return
		}
	}
	if s, ok := r.col.(collectors.Snowballer); ok && r.fr.wants() {
		if rel, err := s.Related(cctx, cr, 25); err != nil {
			r.log.Debug("snowball failed", "creator", key, "err", err)
		} else {
			n := r.fr.push(rel...)
			r.rec.platform(r.name, func(s *model.PlatformStats) { s.Discovered += n })
		}
	}
	if handle != cr.ID {
		fresh, err := r.fresh(ctx, r.name, cr.ID, now)
		if r.rec.storeFailed(err, r.now()) {
			return
		}
		if fresh {
			r.rec.platform(r.name, func(s *model.PlatformStats) { s.Skipped++ })
			r.fr.ok()
			return
		}
	}
	stored, err := r.st.Posts(ctx, key, 0)
	if err != nil {
		r.fail(ctx, handle, key, "store", err)
		return
	}
	fresh, err := r.fetchPosts(cctx, r.col, cr, r.postsWanted(r.name), stored)
	if err != nil {
		r.fail(ctx, handle, key, "posts", err)
		return
	}
	posts := mergePosts(stored, fresh)
	if cr.Language == "" {
		cr.Language = mainLanguage(posts)
	}
	comments, fetched, err := r.comments(cctx, cr, posts, fresh, now)
	if err != nil {
		r.fail(ctx, handle, key, "thread", err)
		return
	}

	history, err := r.st.Snapshots(ctx, key, now.AddDate(0, 0, -120).UTC().Format("2006-01-02"))
	if err != nil {
		r.fail(ctx, handle, key, "store", err)
		return
	}
	// The audience sample is written even if shutdown starts now: it cost
	// requests, and the next run would otherwise take it again.
	actx, cancelAudience := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	aud := r.audience(cctx, actx, r.col, cr, comments, now, r.rec, r.log)
	cancelAudience()
	sc := r.scoreCreator(scoring.Input{Creator: cr, Posts: posts, Comments: comments, History: history, Audience: aud}, now)
	snap := model.Snapshot{
		CreatorKey: key,
		Day:        now.UTC().Format("2006-01-02"),
		Followers:  cr.Followers,
		Following:  cr.Following,
		PostsCount: cr.PostsCount,
		ER:         sc.ER,
		TakenAt:    now.UTC(),
	}
	for i := range fresh {
		fresh[i].FetchedAt = now.UTC()
	}
	// Only what was fetched now is written: stored posts are left as they
	// are. Once collected, a creator is written whole even if shutdown
	// starts now, so a reader never sees a new score on old posts (MongoDB
	// writes posts, then the creator, without a transaction).
	wctx, cancelWrite := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancelWrite()
	err = r.st.SaveCreator(wctx, store.CreatorUpdate{
		Creator: cr, Posts: fresh, Comments: fetched, Score: &sc, Snapshot: &snap, At: now.UTC(),
	})
	if err != nil {
		r.fail(ctx, handle, key, "store", err)
		return
	}
	if err := r.st.AddPostSnapshots(wctx, velocitySnapshots(fresh, now)); err != nil && !r.rec.storeFailed(err, r.now()) {
		r.rec.addError(r.name, key, "store", err, r.now())
	}
	if r.shared != nil && !r.take(wctx, handle, key) {
		return
	}
	r.fr.ok()
	r.rec.platform(r.name, func(s *model.PlatformStats) { s.Collected++; s.Scored++ })
	r.log.Debug("creator scored", "creator", key, "tier", sc.Tier, "er", sc.ER, "composite", sc.Composite,
		"fetched_posts", len(fresh), "stored_posts", len(stored))
}

// fresh reports whether the creator named by handleOrID was collected
// successfully less than refresh_after ago. An unknown creator is not fresh;
// another error is returned along with false.
func (p *Pipeline) fresh(ctx context.Context, platform, handleOrID string, now time.Time) (bool, error) {
	if p.cfg.RefreshAfter <= 0 {
		return false, nil
	}
	rec, err := p.st.Creator(ctx, model.Key(platform, handleOrID))
	if errors.Is(err, store.ErrNotFound) {
		rec, err = p.st.CreatorByHandle(ctx, platform, strings.TrimPrefix(handleOrID, "@"))
	}
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil && rec.Status == model.StatusOK && rec.Score != nil && now.Sub(rec.LastCollected) < p.cfg.RefreshAfter, err
}

// comments returns the comments scoring reads: those of the most recent
// top-level posts with replies. Threads of new and young posts (or posts
// without stored comments) are fetched; the others come from the store.
//
// It returns all of them, and separately those fetched now.
func (r *platformRun) comments(ctx context.Context, cr model.Creator, posts, fresh []model.Post, now time.Time) (all, fetched []model.Comment, err error) {
	isFresh := make(map[string]bool, len(fresh))
	for _, f := range fresh {
		isFresh[f.Key()] = true
	}
	for _, post := range threadsToRead(posts, r.pc.ThreadPosts) {
		young := now.Sub(post.CreatedAt) < r.cfg.PostRefresh
		if !young || !isFresh[post.Key()] {
			stored, err := r.st.Comments(ctx, post.Key())
			if err != nil {
				return nil, nil, fmt.Errorf("stored comments of %s: %w", post.ID, err)
			}
			if len(stored) > 0 || !isFresh[post.Key()] {
				all = append(all, stored...)
				continue
			}
		}
		cs, err := r.col.Thread(ctx, cr, post)
		if err != nil {
			return nil, nil, fmt.Errorf("post %s: %w", post.ID, err)
		}
		for _, c := range cs {
			if c.CreatedAt.IsZero() {
				// As with posts: an undated comment is a format read wrong,
				// and would make reply times meaningless.
				return nil, nil, fmt.Errorf("post %s: comment %s has no creation time: %w", post.ID, c.ID, collectors.ErrMalformed)
			}
		}
		all = append(all, cs...)
		fetched = append(fetched, cs...)
	}
	return all, fetched, nil
}

// mainLanguage is the language most of the creator's tagged posts are in,
// "" when none is tagged.
func mainLanguage(posts []model.Post) string {
	n := map[string]int{}
	best := ""
	for _, p := range posts {
		if p.Language == "" {
			continue
		}
		lang := strings.ToLower(p.Language)
		if i := strings.IndexByte(lang, '-'); i > 0 {
			lang = lang[:i] // en-GB → en
		}
		n[lang]++
		if n[lang] > n[best] || n[lang] == n[best] && lang < best {
			best = lang
		}
	}
	return best
}

// mergePosts returns the stored posts with the fresh ones replacing them,
// newest first.
func mergePosts(stored, fresh []model.Post) []model.Post {
	byKey := make(map[string]int, len(stored)+len(fresh))
	out := make([]model.Post, 0, len(stored)+len(fresh))
	for _, list := range [][]model.Post{stored, fresh} {
		for _, post := range list {
			if i, ok := byKey[post.Key()]; ok {
				out[i] = post
				continue
			}
			byKey[post.Key()] = len(out)
			out = append(out, post)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

// Velocity buckets: a refresh whose post age falls in a window records the
// post's metrics for that bucket once.
var velocityBuckets = []struct {
	name     string
	from, to time.Duration
}{
	{"1h", 30 * time.Minute, 3 * time.Hour},
	{"24h", 18 * time.Hour, 36 * time.Hour},
	{"7d", 5 * 24 * time.Hour, 9 * 24 * time.Hour},
}

func velocitySnapshots(posts []model.Post, now time.Time) []model.PostSnapshot {
	var out []model.PostSnapshot
	for _, post := range posts {
		age := now.Sub(post.CreatedAt)
		for _, b := range velocityBuckets {
			if age >= b.from && age < b.to {
				out = append(out, model.PostSnapshot{
					PostKey: post.Key(), Bucket: b.name, AgeHours: age.Hours(),
					Likes: post.Likes, Comments: post.Comments, Shares: post.Shares, Views: post.Views,
					TakenAt: now.UTC(),
				})
			}
		}
	}
	return out
}

// postsWanted is N for ER plus room for unsettled posts and replies.
func (p *Pipeline) postsWanted(platform string) int {
	n := p.scfg.PostsN[platform]
	if n <= 0 {
		n = p.bm.PostsN(platform)
	}
	if n <= 0 {
		n = 20
	}
	return n
}

// fetchPosts pages through the creator's posts, newest first. Without
// stored posts it reads until it has n settled top-level posts (or 10 pages,
// or the end). With stored posts it is incremental: it reads only until it
// has every post newer than the newest stored one and every post younger than
// post_refresh, and n settled posts counting the stored ones.
func (p *Pipeline) fetchPosts(ctx context.Context, col collectors.Collector, cr model.Creator, n int, stored []model.Post) ([]model.Post, error) {
	now := p.now()
	cutoff := now.Add(-p.scfg.SettledAfter)
	settledKeys := map[string]bool{}
	var boundary time.Time // posts at or before it are stored and old enough
	for _, post := range stored {
		if !post.IsReply && post.CreatedAt.Before(cutoff) {
			settledKeys[post.Key()] = true
		}
		if post.CreatedAt.After(boundary) {
			boundary = post.CreatedAt
		}
	}
	if refresh := now.Add(-p.cfg.PostRefresh); len(stored) > 0 && refresh.Before(boundary) {
		boundary = refresh
	}
	var out []model.Post
	cursor := ""
	for page := 0; page < 10; page++ {
		pg, err := col.Posts(ctx, cr, cursor)
		if err != nil {
			return nil, err
		}
		reached := false
		for _, post := range pg.Posts {
			if post.CreatedAt.IsZero() {
				// Every platform dates its posts: an undated one is a
				// format the collector did not read right, and stored it
				// would replace the post's date and move the ER window.
				return nil, fmt.Errorf("%s post %s has no creation time: %w", post.Platform, post.ID, collectors.ErrMalformed)
			}
			out = append(out, post)
			if !post.IsReply && post.CreatedAt.Before(cutoff) {
				settledKeys[post.Key()] = true
			}
			if len(stored) > 0 && !post.CreatedAt.After(boundary) {
				reached = true
			}
		}
		if pg.Next == "" || len(settledKeys) >= n && (len(stored) == 0 || reached) {
			break
		}
		cursor = pg.Next
	}
	return out, nil
}

// threadsToRead picks the most recent top-level posts that have replies.
func threadsToRead(posts []model.Post, n int) []model.Post {
	var out []model.Post
	sorted := slices.Clone(posts)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].CreatedAt.After(sorted[j].CreatedAt) })
	for _, post := range sorted {
		if len(out) >= n {
			break
		}
		if post.IsReply || (post.Comments != nil && *post.Comments == 0) {
			continue
		}
		out = append(out, post)
	}
	return out
}

// fail records a creator's failure and marks its stored record, never
// touching its metrics: gone when the platform says it does not exist, stale
// otherwise.
func (r *platformRun) fail(ctx context.Context, handle, key, stage string, err error) {
	if r.rec.storeFailed(err, r.now()) {
		return // the store as a whole, not the creator: the run stops
	}
	if ctx.Err() != nil {
		return // shutting down: not the creator's fault
	}
	r.rec.platform(r.name, func(s *model.PlatformStats) { s.Failed++ })
	who := key
	if who == "" || who == model.Key(r.name, handle) {
		who = handle
	}
	r.rec.addError(r.name, who, stage, err, r.now())
	r.log.Warn("creator failed", "creator", who, "stage", stage, "err", err)
	status := model.StatusStale
	if errors.Is(err, collectors.ErrNotFound) && stage == "profile" {
		status = model.StatusGone
	}
	mctx := context.WithoutCancel(ctx)
	if stage == "profile" {
		// The creator was named by a handle or an id; find what is stored.
		if _, gerr := r.st.Creator(mctx, key); errors.Is(gerr, store.ErrNotFound) {
			if found, herr := r.st.CreatorByHandle(mctx, r.name, strings.TrimPrefix(handle, "@")); herr == nil {
				key = found.Key
			}
		}
	}
	if merr := r.st.MarkStatus(mctx, key, status, fmt.Sprintf("%s: %v", stage, err)); merr != nil && !errors.Is(merr, store.ErrNotFound) && !r.rec.storeFailed(merr, r.now()) {
		r.log.Warn("marking creator", "creator", key, "err", merr)
	}
	if reason := blockReason(err); reason != "" {
		if r.fr.blocked() >= pauseAfter {
			if r.fr.stop() {
				r.rec.platform(r.name, func(s *model.PlatformStats) { s.Paused = reason })
				r.log.Warn("platform paused for the rest of the run", "reason", reason)
				r.stopShared(mctx, reason)
			}
		}
	} else {
		r.fr.ok()
	}
}

// blockReason names platform-wide blocks that make further requests pointless.
func blockReason(err error) string {
	switch {
	case errors.Is(err, collectors.ErrLoginWall):
		return "login wall"
	case errors.Is(err, collectors.ErrQuota):
		return "quota exhausted"
	case errors.Is(err, collectors.ErrForbidden):
		return "forbidden"
	}
	return ""
}

func newRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
