package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/store"
)

// GapJob is the job name of the polling runs that stand in for a gap.
const GapJob = "stream-gap"

// gapAffected are the creators whose stream state a gap spoils: those the
// funnel has scored or would hydrate (engagement ≥ min_engagement) with
// activity in the funnel's window, at most max_candidates.
func (s *Service) gapAffected(ctx context.Context, now time.Time) ([]string, error) {
	fc := s.funnel.cfg
	since := now.Add(-fc.Window)
	var dids []string
	for _, q := range []store.StreamCreatorQuery{
		{Stage: store.StageScored, Since: since, Limit: fc.MaxCandidates},
		{Stage: store.StageCandidate, Since: since, MinEngagement: fc.MinEngagement, Limit: fc.MaxCandidates},
	} {
		if room := fc.MaxCandidates - len(dids); room <= 0 {
			break
		} else {
			q.Limit = room
		}
		cs, err := s.funnel.ss.StreamCreators(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("the creators a gap affects: %w", err)
		}
		for _, c := range cs {
			if c.Status == "" || c.Status == "active" {
				dids = append(dids, c.DID)
			}
		}
	}
	return dids, nil
}

// fillGaps falls back to polling for the creators the stream was following
// when it lost events: the polling pipeline (job "stream-gap", its own run
// document) collects their profiles, posts and threads and scores them;
// each is then marked scored (or filtered, outside the funnel's tiers) so
// the funnel does not re-score it from the incomplete stream state before
// its rescore interval. Gaps it could not fill go back for the next round.
func (s *Service) fillGaps(ctx context.Context, now time.Time) []model.StreamGap {
	gaps := s.consumer.TakeGaps()
	if len(gaps) == 0 {
		return nil
	}
	out := make([]model.StreamGap, len(gaps))
	for i, g := range gaps {
		out[i] = model.StreamGap{From: g.From, To: g.To}
	}
	fail := func(err error) []model.StreamGap {
		for i := range out {
			out[i].Error = err.Error()
		}
		s.consumer.ReturnGaps(gaps)
		s.log.Warn("polling for a stream gap failed; trying again next round", "err", err)
		return out
	}
	dids, err := s.gapAffected(ctx, now)
	if err != nil {
		return fail(err)
	}
	for i := range out {
		out[i].Affected = len(dids)
	}
	if len(dids) == 0 {
		return out
	}
	cfg := s.cfg
	pc := cfg.Platforms[Platform]
	pc.Enabled = true
	pc.Seeds = dids
	pc.Queries = nil
	pc.MaxCreators = len(dids)
	cfg.Platforms = map[string]collectors.PlatformConfig{Platform: pc}
	cfg.RefreshAfter = 0 // scored from the stream a moment ago or not: read again
	p, err := pipeline.New(cfg, s.st, pipeline.WithLogger(s.log), pipeline.WithClock(s.now), pipeline.WithGetenv(s.getenv), pipeline.WithJob(GapJob))
	if err != nil {
		return fail(err)
	}
	s.log.Warn("stream gap: polling the creators the stream was following", "gaps", len(gaps), "creators", len(dids))
	run, err := p.Run(ctx)
	if err != nil && run.ID == "" {
		return fail(err)
	}
	polled := 0
	for _, did := range dids {
		rec, err := s.st.Creator(ctx, model.Key(Platform, did))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fail(err)
		}
		if rec.Score == nil || rec.LastCollected.Before(run.StartedAt) {
			continue // not collected by this run (failed, or stopped): the funnel keeps it
		}
		polled++
		followers := rec.Creator.Followers
		st := store.StreamStage{Stage: store.StageScored, Followers: &followers, HydratedAt: now, ScoredAt: now}
		if tier := scoring.Tier(followers); !slices.Contains(s.funnel.cfg.Tiers, tier) {
			st = store.StreamStage{Stage: store.StageFiltered, Reason: fmt.Sprintf("tier %s (%d followers)", tier, followers), Followers: &followers, HydratedAt: now}
		}
		if err := s.funnel.ss.SetStreamStage(ctx, did, st); err != nil {
			return fail(err)
		}
	}
	for i := range out {
		out[i].Polled, out[i].PollRun = polled, run.ID
	}
	if err != nil {
		out[0].Error = err.Error()
	}
	return out
}
