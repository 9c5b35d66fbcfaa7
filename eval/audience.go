package eval

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// AudienceEval is the audience-quality estimate of one platform against the
// simulator's per-account ground truth.
type AudienceEval struct {
	Source   string `json:"source"`   // followers or commenters
	Creators int    `json:"creators"` // with at least scoring.AudienceMinJudged judged accounts
	// Unjudged counts the creators with a stored sample of which fewer than
	// scoring.AudienceMinJudged accounts could be judged (TikTok, Instagram
	// and YouTube commenters show no post counts for the rules judge): the
	// platform is sampled but has no estimate to compare.
	Unjudged int `json:"unjudged,omitempty"`
	Accounts int `json:"accounts"` // sampled accounts over those creators
	// MAE is the mean absolute error, in points, of the estimated real,
	// active share against the true share of the very accounts sampled (the
	// judge's error).
	MAE float64 `json:"mae"`
	// MAEList is the same against the true share of the creator's whole
	// follower list (the judge's error plus the sampling error; follower
	// lists only), and Coverage the share of 90 % intervals that hold it
	// (for commenter samples, which have no list: that hold the true share
	// of the accounts sampled).
	MAEList  float64 `json:"maeList,omitempty"`
	Coverage float64 `json:"coverage,omitempty"`
	// ByArchetype holds the mean estimate and truth (true share of the
	// sample) per archetype, and how many were flagged low_audience_quality.
	ByArchetype map[string]ArchetypeAudience `json:"byArchetype"`
}

// ArchetypeAudience is the audience quality of one archetype's creators.
type ArchetypeAudience struct {
	N        int     `json:"n"`
	Estimate float64 `json:"estimate"` // mean estimated real, active share
	Truth    float64 `json:"truth"`    // mean true share of the sampled accounts
	Flagged  int     `json:"flagged"`  // creators flagged low_audience_quality
}

// coverSlack absorbs float rounding when an interval ends exactly on the
// truth (a 100 % estimate of a 100 % truth).
const coverSlack = 1e-9

// audienceCreator adds one creator's judged sample to the evaluation.
type audienceAcc struct {
	ev                   AudienceEval
	absSum, listSum      float64
	listN, covered       int
	estSum, truthSum     map[string]float64
	byArchN, byArchFlags map[string]int
}

func newAudienceAcc() *audienceAcc {
	return &audienceAcc{estSum: map[string]float64{}, truthSum: map[string]float64{}, byArchN: map[string]int{}, byArchFlags: map[string]int{}}
}

func (a *audienceAcc) add(ctx context.Context, st store.Store, pop *simulator.Population, platform string, r store.CreatorRecord, t simulator.Truth) error {
	q := r.Score.Audience
	if q == nil {
		return nil
	}
	if q.Judged < scoring.AudienceMinJudged {
		if q.Sampled > 0 {
			a.ev.Unjudged++
			if a.ev.Source == "" {
				a.ev.Source = q.Source
			}
		}
		return nil
	}
	samples, err := st.AudienceSamples(ctx, r.Key, 1)
	if err != nil {
		return fmt.Errorf("reading the audience sample of %s: %w", r.Key, err)
	}
	if len(samples) == 0 || len(samples[0].Accounts) == 0 {
		return nil
	}
	s := samples[0]
	realN, n := 0, 0
	for _, acc := range s.Accounts {
		class, ok := pop.AccountClass(platform, acc.ID)
		if !ok {
			continue
		}
		n++
		if class == simulator.ClassReal {
			realN++
		}
	}
	if n == 0 {
		return nil
	}
	truth := float64(realN) / float64(n)
	a.ev.Source = q.Source
	a.ev.Creators++
	a.ev.Accounts += len(s.Accounts)
	a.absSum += math.Abs(q.Share - truth)
	if q.Source == model.AudienceFollowers {
		a.listN++
		a.listSum += math.Abs(q.Share - t.Audience.Real)
		if q.Low <= t.Audience.Real && t.Audience.Real <= q.High {
			a.covered++
		}
	} else {
		// Commenters: no list to compare with; the interval against the
		// true share of the accounts sampled.
		a.listN++
		if q.Low-coverSlack <= truth && truth <= q.High+coverSlack {
			a.covered++
		}
	}
	a.byArchN[t.Archetype]++
	a.estSum[t.Archetype] += q.Share
	a.truthSum[t.Archetype] += truth
	for _, f := range r.Score.Flags {
		if f == scoring.FlagLowAudienceQuality {
			a.byArchFlags[t.Archetype]++
		}
	}
	return nil
}

func (a *audienceAcc) result() *AudienceEval {
	if a.ev.Creators == 0 && a.ev.Unjudged == 0 {
		return nil
	}
	ev := a.ev
	ev.ByArchetype = map[string]ArchetypeAudience{}
	if ev.Creators == 0 {
		return &ev
	}
	ev.MAE = 100 * a.absSum / float64(ev.Creators)
	if a.listN > 0 {
		if ev.Source == model.AudienceFollowers {
			ev.MAEList = 100 * a.listSum / float64(a.listN)
		}
		ev.Coverage = float64(a.covered) / float64(a.listN)
	}
	archs := make([]string, 0, len(a.byArchN))
	for k := range a.byArchN {
		archs = append(archs, k)
	}
	sort.Strings(archs)
	for _, k := range archs {
		n := a.byArchN[k]
		ev.ByArchetype[k] = ArchetypeAudience{N: n, Estimate: a.estSum[k] / float64(n), Truth: a.truthSum[k] / float64(n), Flagged: a.byArchFlags[k]}
	}
	return &ev
}
