package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/store"
)

// Platform is the platform the stream's creators are stored under.
const Platform = "bluesky"

// Hydrator reads what the stream cannot know, in batches (the Bluesky
// collector: getProfiles and getPosts, 25 per call).
type Hydrator interface {
	Profiles(ctx context.Context, actors []string) ([]model.Creator, error)
	PostsByURI(ctx context.Context, uris []string) ([]model.Post, error)
	// Posts is one page of the creator's own posts (getAuthorFeed), read
	// when the stream holds fewer settled posts than ER is taken over.
	Posts(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error)
	Stats() collectors.RequestStats
}

// Scorer scores one creator (the pipeline, with its benchmarks and config).
type Scorer interface {
	ScoreInput(in scoring.Input, now time.Time) model.Score
	SettledAfter() time.Duration
	PostsN(platform string) int
}

// FunnelConfig bounds the funnel's work.
type FunnelConfig struct {
	// Window is the activity window candidates are read over (default 72 h).
	Window time.Duration
	// MinEngagement is the engagement in the window a candidate needs
	// before any request is spent on it (default 20).
	MinEngagement int64
	// Tiers are the tiers scored (default nano and micro); the others are
	// filtered after getProfiles, before any getPosts.
	Tiers []string
	// MaxCandidates is how many candidates one round hydrates (default 1,000).
	MaxCandidates int
	// Rescore is how old a stream score may get before the creator is
	// scored again (default 24 h).
	Rescore time.Duration
	Logger  *slog.Logger
}

func (c *FunnelConfig) defaults() {
	if c.Window <= 0 {
		c.Window = 72 * time.Hour
	}
	if c.MinEngagement <= 0 {
		c.MinEngagement = 20
	}
	if len(c.Tiers) == 0 {
		c.Tiers = []string{model.TierNano, model.TierMicro}
	}
	if c.MaxCandidates <= 0 {
		c.MaxCandidates = 1000
	}
	if c.Rescore <= 0 {
		c.Rescore = 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Funnel turns stream candidates into scored creators.
type Funnel struct {
	cfg FunnelConfig
	st  store.Store
	ss  store.StreamStore
	h   Hydrator
	sc  Scorer
	m   *Metrics
}

// NewFunnel builds a funnel on st.
func NewFunnel(st store.Store, h Hydrator, sc Scorer, cfg FunnelConfig, m *Metrics) (*Funnel, error) {
	cfg.defaults()
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Funnel{cfg: cfg, st: st, ss: st, h: h, sc: sc, m: m}, nil
}

// RoundStats are one round's counters.
type RoundStats struct {
	Candidates int // read from the store
	Hydrated   int // profiles read
	Filtered   int // outside the tiers, gone, or not found
	Waiting    int // no settled post yet
	Scored     int
	Requests   int64 // hydration requests made by the round
	Errors     []error
}

// RequestsPerScored is the round's cost of one scored creator.
func (r RoundStats) RequestsPerScored() float64 {
	if r.Scored == 0 {
		return 0
	}
	return float64(r.Requests) / float64(r.Scored)
}

// Round hydrates and scores the candidates due at now: new candidates with
// enough engagement in the window, and scored creators whose score is older
// than Rescore. It re-ranks the platform when it scored anyone.
func (f *Funnel) Round(ctx context.Context, now time.Time) (rs RoundStats, err error) {
	before := f.h.Stats().Requests
	defer func() { rs.Requests = f.h.Stats().Requests - before }()
	since := now.Add(-f.cfg.Window)
	var cands []store.StreamCreator
	cands, err = f.ss.StreamCreators(ctx, store.StreamCreatorQuery{Stage: store.StageCandidate, Since: since,
		MinEngagement: f.cfg.MinEngagement, Limit: f.cfg.MaxCandidates})
	if err != nil {
		return rs, err
	}
	if room := f.cfg.MaxCandidates - len(cands); room > 0 {
		again, err := f.ss.StreamCreators(ctx, store.StreamCreatorQuery{Stage: store.StageScored, Since: since,
			ScoredBefore: now.Add(-f.cfg.Rescore), Limit: room})
		if err != nil {
			return rs, err
		}
		cands = append(cands, again...)
	}
	rs.Candidates = len(cands)
	if len(cands) == 0 {
		return rs, nil
	}

	// 1. Followers of every candidate, 25 per getProfiles call, and the
	// tier filter before any further request.
	type work struct {
		c     store.StreamCreator
		cr    model.Creator
		posts []store.StreamPost // settled posts the stream holds
		feed  []model.Post       // one author-feed page, when those are too few
	}
	var ask []string
	for _, c := range cands {
		if c.Status != "" && c.Status != "active" {
			reason := "account " + c.Status
			f.filter(ctx, &rs, c.DID, reason, nil, now)
			if err := f.st.MarkStatus(ctx, model.Key(Platform, c.DID), model.StatusGone, reason); err != nil && !errors.Is(err, store.ErrNotFound) {
				rs.Errors = append(rs.Errors, err)
			}
			continue
		}
		ask = append(ask, c.DID)
	}
	profiles := map[string]model.Creator{}
	answered := map[string]bool{} // candidates whose getProfiles batch answered
	if len(ask) > 0 {
		for start := 0; start < len(ask); start += 25 {
			part := ask[start:min(start+25, len(ask))]
			got, err := f.h.Profiles(ctx, part)
			f.m.hydration.WithLabelValues("getProfiles").Inc()
			if err != nil {
				// A failed batch (after the collector's retries) leaves its
				// candidates for the next round; the others go on.
				if ctx.Err() != nil {
					return rs, ctx.Err()
				}
				rs.Errors = append(rs.Errors, fmt.Errorf("hydrating %d candidates: %w", len(part), err))
				continue
			}
			for _, d := range part {
				answered[d] = true
			}
			for _, p := range got {
				profiles[p.ID] = p
			}
			rs.Hydrated += len(got)
		}
	}
	settled := now.Add(-f.sc.SettledAfter())
	n := f.sc.PostsN(Platform)
	var todo []work
	var uris []string
	for _, c := range cands {
		if c.Status != "" && c.Status != "active" {
			continue
		}
		cr, ok := profiles[c.DID]
		if !ok && !answered[c.DID] {
			continue // its batch failed: next round
		}
		if !ok {
			f.filter(ctx, &rs, c.DID, "profile not found", nil, now)
			if err := f.st.MarkStatus(ctx, model.Key(Platform, c.DID), model.StatusGone, "profile not found"); err != nil && !errors.Is(err, store.ErrNotFound) {
				rs.Errors = append(rs.Errors, err)
			}
			continue
		}
		followers := cr.Followers
		if tier := scoring.Tier(followers); !slices.Contains(f.cfg.Tiers, tier) {
			f.filter(ctx, &rs, c.DID, fmt.Sprintf("tier %s (%d followers)", tier, followers), &followers, now)
			continue
		}
		posts, err := f.ss.StreamPosts(ctx, c.DID, since)
		if err != nil {
			rs.Errors = append(rs.Errors, err)
			continue
		}
		w := work{c: c, cr: cr}
		for _, p := range posts { // newest first
			if !p.IsReply && p.CreatedAt.Before(settled) && len(w.posts) < n {
				w.posts = append(w.posts, p)
			}
		}
		if len(w.posts) >= n {
			// 2a. The stream holds N settled posts: exact counts by getPosts.
			for _, p := range w.posts {
				uris = append(uris, p.URI)
			}
		} else {
			// 2b. Too few (a window shorter than the creator's history):
			// one author-feed page holds N settled posts with their counts.
			page, err := f.h.Posts(ctx, cr, "")
			f.m.hydration.WithLabelValues("getAuthorFeed").Inc()
			if err != nil {
				rs.Errors = append(rs.Errors, fmt.Errorf("reading the posts of %s: %w", c.DID, err))
				continue
			}
			w.feed = page.Posts
		}
		todo = append(todo, w)
	}

	// 3. Exact counts of the settled posts, 25 per getPosts call, across creators.
	exact := map[string]model.Post{}
	postsFailed := false
	if len(uris) > 0 {
		ps, err := f.h.PostsByURI(ctx, uris)
		f.m.hydration.WithLabelValues("getPosts").Add(float64((len(uris) + 24) / 25))
		if err != nil {
			if ctx.Err() != nil {
				return rs, ctx.Err()
			}
			rs.Errors = append(rs.Errors, fmt.Errorf("reading %d settled posts: %w", len(uris), err))
			postsFailed = true
		}
		for _, p := range ps {
			exact[p.ID] = p
		}
	}

	// 4. Score like any other creator.
	for _, w := range todo {
		if err := ctx.Err(); err != nil {
			return rs, err
		}
		if w.feed == nil && postsFailed {
			continue // its counts are unknown: next round
		}
		if err := f.score(ctx, w.c, w.cr, w.posts, w.feed, exact, now); err != nil {
			rs.Errors = append(rs.Errors, fmt.Errorf("scoring %s: %w", w.c.DID, err))
			continue
		}
		rs.Scored++
		f.m.scored.Inc()
	}
	if rs.Scored > 0 {
		if err := f.st.Rerank(ctx, Platform); err != nil {
			rs.Errors = append(rs.Errors, err)
		}
	}
	return rs, nil
}

func (f *Funnel) filter(ctx context.Context, rs *RoundStats, did, reason string, followers *int64, now time.Time) {
	rs.Filtered++
	if err := f.ss.SetStreamStage(ctx, did, store.StreamStage{Stage: store.StageFiltered, Reason: reason,
		Followers: followers, HydratedAt: now}); err != nil {
		rs.Errors = append(rs.Errors, err)
	}
}

// Comments turns the stream's reply edges under the given root posts into
// the comments a thread read would give: depth from the parent chain,
// ByCreator for the creator's own answers. Counts the stream does not see
// (a reply's likes) stay unknown.
func Comments(did string, replies []store.StreamRecord, roots map[string]bool) []model.Comment {
	depth := map[string]int{}
	var out []model.Comment
	for _, r := range replies { // oldest first: parents before children
		if r.Kind != store.RecordReply || !roots[r.RootURI] {
			continue
		}
		d := 1
		if r.SubjectURI != r.RootURI {
			d = depth[r.SubjectURI] + 1
			if d == 1 {
				d = 2 // the parent was not seen (before the window, or deleted)
			}
		}
		depth[r.URI] = d
		out = append(out, model.Comment{
			Platform: Platform, ID: r.URI, PostID: r.RootURI, ParentID: r.SubjectURI,
			AuthorID: r.AuthorDID, Text: r.Text, CreatedAt: r.At, Depth: d, ByCreator: r.AuthorDID == did,
		})
	}
	return out
}

func (f *Funnel) score(ctx context.Context, c store.StreamCreator, cr model.Creator, picked []store.StreamPost, feed []model.Post, exact map[string]model.Post, now time.Time) error {
	var posts []model.Post
	roots := map[string]bool{}
	for _, p := range feed {
		posts = append(posts, p)
		roots[p.ID] = true
	}
	for _, sp := range picked {
		if feed != nil {
			break
		}
		p, ok := exact[sp.URI]
		if !ok {
			continue // deleted since
		}
		if p.CreatedAt.IsZero() {
			p.CreatedAt = sp.CreatedAt
		}
		if p.Language == "" && len(sp.Langs) > 0 {
			p.Language = sp.Langs[0]
		}
		posts = append(posts, p)
		roots[p.ID] = true
	}
	replies, err := f.ss.StreamRecords(ctx, c.DID, store.RecordReply, now.Add(-f.cfg.Window))
	if err != nil {
		return err
	}
	comments := Comments(c.DID, replies, roots)
	key := model.Key(Platform, c.DID)
	hist, err := f.st.Snapshots(ctx, key, now.AddDate(0, 0, -120).Format(time.DateOnly))
	if err != nil {
		return err
	}
	in := scoring.Input{Creator: cr, Posts: posts, Comments: comments, History: hist}
	sc := f.sc.ScoreInput(in, now)
	snap := model.Snapshot{CreatorKey: key, Day: now.UTC().Format(time.DateOnly), Followers: cr.Followers,
		Following: cr.Following, PostsCount: cr.PostsCount, ER: sc.ER, TakenAt: now.UTC()}
	if err := f.st.SaveCreator(ctx, store.CreatorUpdate{Creator: cr, Posts: posts, Comments: comments, Score: &sc, Snapshot: &snap, At: now}); err != nil {
		return err
	}
	followers := cr.Followers
	return f.ss.SetStreamStage(ctx, c.DID, store.StreamStage{Stage: store.StageScored, Followers: &followers, HydratedAt: now, ScoredAt: now})
}
