package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/llm"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/store"
)

// scoreCreator scores one creator from what was just collected and its
// stored history. The peer comparisons (cohort norms, commenter rings) are
// added by afterPlatform once the whole platform is collected.
func (p *Pipeline) scoreCreator(in scoring.Input, now time.Time) model.Score {
	return scoring.Score(in, p.bm, p.scoringConfig(), now)
}

// scoringConfig is the run's scoring config with the shipped comment spam
// model plugged in, unless one is set already.
func (p *Pipeline) scoringConfig() scoring.Config {
	cfg := p.scfg
	if cfg.SpamProb == nil {
		cfg.SpamProb = commentSpam()
	}
	return cfg
}

// commentSpam is the shipped comment classifier's Spam, or nil (scoring's
// built-in phrase list) when the model cannot be loaded: DefaultComments
// panics on a missing or outdated model file, which must not stop a run.
var commentSpam = sync.OnceValue(func() (spam scoring.SpamFunc) {
	defer func() {
		if recover() != nil {
			spam = nil
		}
	}()
	return classify.DefaultComments().Spam
})

// Bounds of afterPlatform.
const (
	// rescorePage is how many stored creators one Top query reads.
	rescorePage = 1000
	// rescoreCache is how many posts and comments are kept in memory
	// between the two passes (about 100 MB); the creators beyond it are
	// read from the store again in the second pass.
	rescoreCache = 300_000
	// rescoreHistoryDays is how far back snapshots are read.
	rescoreHistoryDays = 120
	// rescoreMaxErrors is how many per-creator errors are reported.
	rescoreMaxErrors = 5
)

// afterPlatform runs the signals that need every creator of a platform at
// once, after collection and before ranking: it measures the platform's
// cohort (the usual likes per comment, the empirical-Bayes prior, the usual
// reply score) and the commenter rings shared across creators (scoring.Rings)
// over every scored creator stored for the platform, then re-scores the
// creators in good standing with them and writes the scores back. Each
// creator keeps its scoring time, so the new score is of the same data. A
// creator whose data cannot be read is left as it was; up to a few such
// errors are returned.
//
// It stops between creators when ctx ends (shutdown), returning an error
// that wraps *RescoreStopped. That loses nothing: re-scoring is idempotent,
// every creator written has its full new score, and the next run (or
// Rescore) re-scores every stored creator again.
//
// With the LLM judge enabled, its verdict on each re-scored creator is added
// to the breakdown (weight 0).
func (p *Pipeline) afterPlatform(ctx context.Context, platform string) error {
	recs, err := p.scoredCreators(ctx, platform)
	if err != nil {
		if ctx.Err() != nil {
			return &RescoreStopped{Platform: platform, Pass: 1, Cause: context.Cause(ctx)}
		}
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	var errs []error
	fail := func(key string, err error) {
		if len(errs) < rescoreMaxErrors {
			errs = append(errs, fmt.Errorf("re-scoring %s: %w", key, err))
		}
	}
	stopped := func(pass, done int) error {
		return errors.Join(append(errs, &RescoreStopped{Platform: platform, Pass: pass, Done: done, Total: len(recs), Cause: context.Cause(ctx)})...)
	}

	// Pass 1: measure the cohort and collect the commenters.
	builder := scoring.NewCohortBuilder(p.bm, p.scfg)
	commenters := make(map[string][]string, len(recs))
	cache := map[string]scoring.Input{}
	cached := 0
	ok := make([]bool, len(recs))
	for i, rec := range recs {
		if ctx.Err() != nil {
			return stopped(1, i)
		}
		in, err := p.storedInput(ctx, platform, rec)
		if err != nil {
			if ctx.Err() != nil {
				return stopped(1, i)
			}
			if _, ok := store.AsFatal(err); ok {
				return fmt.Errorf("re-scoring %s: %w", platform, err)
			}
			fail(rec.Key, err)
			continue
		}
		ok[i] = true
		builder.Add(in, rec.Score.ComputedAt)
		commenters[rec.Key] = scoring.TopLevelCommenters(in.Creator, in.Comments)
		if size := len(in.Posts) + len(in.Comments); cached+size <= rescoreCache {
			cache[rec.Key] = in
			cached += size
		}
	}
	cohort := builder.Cohort()
	rings := scoring.Rings(commenters)
	cohort.RingShare = scoring.RingNorm(rings)

	// Pass 2: re-score and write back the creators in good standing.
	cfg := p.scoringConfig()
	for i, rec := range recs {
		if !ok[i] || rec.Status != model.StatusOK {
			continue
		}
		if ctx.Err() != nil {
			return stopped(2, i)
		}
		in, cached := cache[rec.Key]
		if !cached {
			if in, err = p.storedInput(ctx, platform, rec); err != nil {
				if ctx.Err() != nil {
					return stopped(2, i)
				}
				if _, ok := store.AsFatal(err); ok {
					return fmt.Errorf("re-scoring %s: %w", platform, err)
				}
				fail(rec.Key, err)
				continue
			}
		}
		ring := rings[rec.Key]
		in.Cohort, in.Ring = &cohort, &ring
		sc := scoring.Score(in, p.bm, cfg, rec.Score.ComputedAt)
		sc.Rank = rec.Score.Rank
		if p.judge != nil {
			switch v, err := p.judge.Judge(ctx, in.Creator, in.Posts, in.Comments); {
			case err == nil:
				sc.Breakdown = append(sc.Breakdown, llm.ToComponent(v))
			case errors.Is(err, llm.ErrNoContent), errors.Is(err, llm.ErrBudget):
				// nothing to judge, or the run's token budget is spent
			case ctx.Err() != nil:
				return stopped(2, i)
			default:
				fail(rec.Key, err)
			}
		}
		err := p.st.SaveCreator(ctx, store.CreatorUpdate{Creator: rec.Creator, Score: &sc, At: rec.LastCollected})
		if err != nil {
			if ctx.Err() != nil {
				return stopped(2, i)
			}
			if _, ok := store.AsFatal(err); ok {
				return fmt.Errorf("re-scoring %s: %w", platform, err)
			}
			fail(rec.Key, err)
		}
		delete(cache, rec.Key)
	}
	return errors.Join(errs...)
}

// RescoreStopped is the re-scoring pass of a platform stopped between
// creators because its context ended (shutdown, timeout).
type RescoreStopped struct {
	Platform    string
	Pass        int // 1 measures the cohort, 2 writes the new scores
	Done, Total int // creators handled in that pass, of all
	Cause       error
}

func (e *RescoreStopped) Error() string {
	what := "reading the stored creators"
	switch e.Pass {
	case 1:
		if e.Total > 0 {
			what = fmt.Sprintf("measuring the cohort (%d of %d creators read)", e.Done, e.Total)
		}
	case 2:
		what = fmt.Sprintf("writing new scores (at creator %d of %d)", e.Done, e.Total)
	}
	return fmt.Sprintf("re-scoring %s stopped while %s: %v; the next run re-scores every stored creator", e.Platform, what, e.Cause)
}

func (e *RescoreStopped) Unwrap() error { return e.Cause }

// scoredCreators reads every scored creator of the platform, any status
// except gone.
func (p *Pipeline) scoredCreators(ctx context.Context, platform string) ([]store.CreatorRecord, error) {
	var out []store.CreatorRecord
	for offset := 0; ; offset += rescorePage {
		page, err := p.st.Top(ctx, store.TopQuery{Platform: platform, Limit: rescorePage, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("reading the scored creators of %s: %w", platform, err)
		}
		for _, rec := range page {
			if rec.Score != nil && rec.Status != model.StatusGone {
				out = append(out, rec)
			}
		}
		if len(page) < rescorePage {
			return out, nil
		}
	}
}

// storedInput rebuilds a creator's scoring input from the store: its posts,
// the comments of the posts the pipeline reads threads of (the most recent
// top-level posts with replies), and its snapshots.
func (p *Pipeline) storedInput(ctx context.Context, platform string, rec store.CreatorRecord) (scoring.Input, error) {
	in := scoring.Input{Creator: rec.Creator}
	posts, err := p.st.Posts(ctx, rec.Key, 0)
	if err != nil {
		return in, err
	}
	in.Posts = posts
	threads := p.cfg.Platforms[platform].ThreadPosts
	for _, post := range posts { // newest first
		if threads <= 0 {
			break
		}
		if post.IsReply || (post.Comments != nil && *post.Comments == 0) {
			continue
		}
		threads--
		cs, err := p.st.Comments(ctx, post.Key())
		if err != nil {
			return in, err
		}
		in.Comments = append(in.Comments, cs...)
	}
	since := rec.Score.ComputedAt.AddDate(0, 0, -rescoreHistoryDays).UTC().Format(time.DateOnly)
	if in.History, err = p.st.Snapshots(ctx, rec.Key, since); err != nil {
		return in, err
	}
	if in.Audience, err = p.storedAudience(ctx, rec.Key); err != nil {
		return in, err
	}
	return in, nil
}

// Rescore re-scores the stored creators of the given platforms (every
// enabled platform when none is given) with the current scoring code and
// config, peer comparisons included, and re-ranks them, without collecting
// anything: the way to see what a change of weights or signals does to a
// ranking. Creators keep their scoring time.
func (p *Pipeline) Rescore(ctx context.Context, platforms ...string) error {
	if len(platforms) == 0 {
		platforms = p.cfg.Enabled()
	}
	var errs []error
	for _, name := range platforms {
		if err := p.afterPlatform(ctx, name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		if err := p.st.Rerank(ctx, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
