package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
)

// AccountJudge judges one sampled audience account: the probabilities that it
// is real and active, fake (mass-follow or bot) or inactive, reading a field
// the platform does not show as unknown. audience.judge picks the default:
// "rules", scoring.JudgeAccount, or "model", the shipped account model
// (ModelJudge); WithAccountJudge sets another.
type AccountJudge interface {
	Judge(a model.AudienceAccount, now time.Time) scoring.AccountVerdict
}

// AccountJudgeFunc adapts a function to AccountJudge.
type AccountJudgeFunc func(a model.AudienceAccount, now time.Time) scoring.AccountVerdict

// Judge calls f.
func (f AccountJudgeFunc) Judge(a model.AudienceAccount, now time.Time) scoring.AccountVerdict {
	return f(a, now)
}

// WithAccountJudge sets the judge of sampled audience accounts.
func WithAccountJudge(j AccountJudge) Option { return func(p *Pipeline) { p.accounts = j } }

// WithCommenterJudge sets the judge of sampled commenters (the audience of
// YouTube, TikTok and Instagram).
func WithCommenterJudge(j AccountJudge) Option { return func(p *Pipeline) { p.commenters = j } }

// judgeSample judges every account of a sample as of its sampling time:
// commenter samples with the commenter judge (audience.commenter_judge),
// follower samples with the account judge (audience.judge).
func (p *Pipeline) judgeSample(s model.AudienceSample) scoring.AudienceResult {
	j := p.accounts
	if s.Source == model.AudienceCommenters && p.commenters != nil {
		j = p.commenters
	}
	if j == nil {
		j = AccountJudgeFunc(scoring.JudgeAccount)
	}
	vs := make([]scoring.AccountVerdict, len(s.Accounts))
	for i, a := range s.Accounts {
		vs[i] = j.Judge(a, s.SampledAt)
	}
	return scoring.AudienceQuality(s.Source, s.SampledAt, vs)
}

// audience returns the creator's judged audience: the stored sample while it
// is younger than audience.refresh_after, else a new one from the collector
// (recorded on the run: creators sampled, accounts, requests), stored with
// its judgement. A failed sample costs the creator nothing: the error is
// recorded (stage "audience") and the last stored sample, if any, is used.
// nil when sampling is off or nothing was ever sampled.
func (p *Pipeline) audience(ctx, wctx context.Context, col collectors.Collector, cr model.Creator, comments []model.Comment, now time.Time, rec *recorder, log *slog.Logger) *scoring.AudienceResult {
	n := p.cfg.Audience.Sample
	sampler, ok := col.(collectors.AudienceSampler)
	if n <= 0 || !ok {
		return nil
	}
	key := cr.Key()
	var last *model.AudienceSample
	if prev, err := p.st.AudienceSamples(ctx, key, 1); err != nil {
		rec.addError(cr.Platform, key, "audience", fmt.Errorf("reading the last audience sample: %w", err), p.now())
	} else if len(prev) > 0 {
		last = &prev[0]
	}
	if (last != nil && now.Sub(last.SampledAt) < p.cfg.Audience.RefreshAfter) || !rec.takeAudience(cr.Platform, p.cfg.Audience.MaxPerRun) {
		// Fresh enough, or this run's sampling budget is spent (the
		// creators left over are sampled by the next runs).
		if last == nil {
			return nil
		}
		r := p.judgeSample(*last)
		return &r
	}
	s, err := sampler.Audience(ctx, cr, n, comments)
	rec.platform(cr.Platform, func(st *model.PlatformStats) { st.AudienceRequests += s.Requests })
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			rec.addError(cr.Platform, key, "audience", err, p.now())
			log.Debug("audience sample failed", "creator", key, "err", err)
		}
		if last == nil {
			return nil
		}
		r := p.judgeSample(*last)
		return &r
	}
	s.CreatorKey, s.SampledAt = key, now.UTC()
	r := p.judgeSample(s)
	s.Quality = scoring.AudienceSummary(&r)
	if err := p.st.SaveAudience(wctx, s); err != nil {
		rec.addError(cr.Platform, key, "audience", fmt.Errorf("storing the audience sample: %w", err), p.now())
	}
	rec.platform(cr.Platform, func(st *model.PlatformStats) {
		st.AudienceSampled++
		st.AudienceAccounts += len(s.Accounts)
	})
	return &r
}

// storedAudience is the judged latest stored sample, for re-scoring; nil when
// there is none.
func (p *Pipeline) storedAudience(ctx context.Context, key string) (*scoring.AudienceResult, error) {
	if p.cfg.Audience.Sample <= 0 {
		return nil, nil
	}
	prev, err := p.st.AudienceSamples(ctx, key, 1)
	if err != nil || len(prev) == 0 {
		return nil, err
	}
	r := p.judgeSample(prev[0])
	return &r, nil
}

// modelJudge is the shipped account model (classify.DefaultAccounts): a
// calibrated real / fake / inactive model trained on labelled accounts,
// reading each unknown field as unknown (a submodel per known-field set).
type modelJudge struct{ m *classify.AccountModel }

// ModelJudge returns the shipped account model as an AccountJudge.
func ModelJudge() AccountJudge { return modelJudge{classify.DefaultAccounts()} }

// Judge maps the sampled account to the model's input and its verdict to
// scoring's. An account is judged when the model knows something about its
// activity or its follow graph (its post count, the date of its last post,
// or both its follower and following counts), or, for the commenters that
// TikTok, Instagram and YouTube show without counts, something about its
// profile besides the handle (avatar, display name, bio, follower count):
// the submodel of exactly those fields judges it. With only a handle the
// verdict would be little more than the prior.
func (j modelJudge) Judge(a model.AudienceAccount, now time.Time) scoring.AccountVerdict {
	acc := classify.Account{
		Followers: a.Followers, Following: a.Following, Posts: a.Posts,
		HasAvatar: a.HasAvatar, Bio: a.Bio, DisplayName: a.DisplayName, Private: a.Private, HasLink: a.HasLink,
		DeclaredBot: a.Bot, CreatedAt: a.CreatedAt, LastPostAt: a.LastPostAt, ObservedAt: now,
	}
	if h := modelHandle(a.Handle); h != "" {
		acc.Username = &h
	}
	v := j.m.Predict(acc)
	known := v.Known.Has(classify.FieldPosts) || v.Known.Has(classify.FieldLastPost) ||
		v.Known.Has(classify.FieldFollowers|classify.FieldFollowing) || (a.Bot != nil && *a.Bot) ||
		v.Known&(classify.FieldAvatar|classify.FieldDisplayName|classify.FieldBio|classify.FieldFollowers) != 0
	out := scoring.AccountVerdict{Known: known, Real: v.PReal, Fake: v.PFake, Inactive: v.PInactive}
	if !known {
		out.Why = "too little shown to judge"
		return out
	}
	var codes []string
	for _, r := range v.Reasons {
		codes = append(codes, r.Text)
	}
	out.Why = strings.Join(codes, ", ")
	// Mass-follow, for the sentence: judged fake, few or no posts, following
	// MassFollowFollowing or more.
	out.MassFollow = v.Class == classify.ClassFake && a.Posts != nil && *a.Posts <= 2 &&
		a.Following != nil && *a.Following >= scoring.MassFollowFollowing
	return out
}

// modelHandle is the handle as the model reads it: no leading @, no
// @instance part (Mastodon), no Bluesky domain suffix.
func modelHandle(h string) string {
	h = strings.TrimPrefix(strings.TrimSpace(h), "@")
	h, _, _ = strings.Cut(h, "@")
	h = strings.TrimSuffix(h, ".bsky.social")
	return h
}

// loadModelJudge loads the shipped account model; classify.DefaultAccounts
// panics on a missing or outdated model file, which is reported as an error.
func loadModelJudge() (j AccountJudge, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("loading the shipped account model: %v", r)
		}
	}()
	return ModelJudge(), nil
}

// commenterJudge is the commenter judge (scoring.JudgeCommenter) with the
// shipped comment-spam model reading each commenter's texts.
type commenterJudge struct{ spam *classify.CommentModel }

// CommenterJudge returns the commenter judge: bot or person from what a
// comment shows, its texts read by the shipped comment-spam model.
func CommenterJudge() AccountJudge { return commenterJudge{classify.DefaultComments()} }

// Judge reads the commenter's texts with the spam model and passes the rest
// to scoring.JudgeCommenter.
func (j commenterJudge) Judge(a model.AudienceAccount, now time.Time) scoring.AccountVerdict {
	return scoring.JudgeCommenter(a, j.isSpam(a), now)
}

// isSpam is whether the comment model reads any of the commenter's texts as
// spam; nil when it has none.
func (j commenterJudge) isSpam(a model.AudienceAccount) *bool {
	if len(a.Comments) == 0 {
		return nil
	}
	for _, t := range a.Comments {
		if j.spam.IsSpam(a.Handle, t) {
			return model.B(true)
		}
	}
	return model.B(false)
}

// loadCommenterJudge loads the commenter judge; classify.DefaultComments
// panics on a missing or outdated model file, which is reported as an
// error.
func loadCommenterJudge() (j AccountJudge, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("loading the shipped comment model: %v", r)
		}
	}()
	return CommenterJudge(), nil
}
