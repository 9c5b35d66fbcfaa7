package scoring

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Audience quality: the share of a creator's sampled audience (the newest
// followers, or the commenters where a platform lists no followers) that is
// real and active, with a 90 % Wilson interval.

// Thresholds of the audience-quality signal and judge.
const (
	// AudienceMinJudged is how many judged accounts the signal needs.
	AudienceMinJudged = 20
	// AudienceRiskFrom and AudienceRiskFull: the signal starts to cost when
	// even the upper end of the 90 % interval of the real, active share is
	// below AudienceRiskFrom, and is a clear red flag below
	// AudienceRiskFull. Organic audiences in published audits keep roughly
	// 60–90 % real, active followers (10–30 % inactive, a few % mass-follow
	// accounts); bought followers push it under a half.
	AudienceRiskFrom = 0.60
	AudienceRiskFull = 0.35
	// CommenterRiskFrom and CommenterRiskFull are the same bounds for
	// commenter samples: a commenter has just engaged, so neither
	// inactivity nor an old dormant tail lowers the share, and an organic
	// creator's commenters are nearly all real people (bot comments are a
	// few per cent); a fifth of bots among them already says the
	// engagement is bought.
	CommenterRiskFrom = 0.85
	CommenterRiskFull = 0.60
	// MassFollowFollowing is the following count from which an account
	// without posts reads as a mass-follow account.
	MassFollowFollowing = 700
	// InactiveMaxPosts: an account with at most this many posts (and not a
	// mass-follow account) reads as inactive.
	InactiveMaxPosts = 2
	// InactiveAfter: an account whose last post is older reads as inactive.
	InactiveAfter = 90 * 24 * time.Hour
)

// AccountVerdict is the judgement of one sampled account: the probabilities
// that it is real and active, fake (mass-follow or bot), or inactive. Known
// is false when the platform showed too little to judge.
type AccountVerdict struct {
	Known                bool
	Real, Fake, Inactive float64
	MassFollow           bool   // no posts, following thousands
	Why                  string // short reason
	// P is the commenter judge's probability of a bot, and Signs its bot
	// signs (SignDefaultPicture ...); zero from the follower judges.
	P     float64
	Signs uint8
}

// JudgeAccount is the rule-based judge: explainable, monotone (more posts is
// never more fake), and it reads an unknown field as unknown. It needs the
// post count, or the date of the last post.
//
//   - fake: at most 2 posts and following MassFollowFollowing or more
//     (mass-follow); or following 1,000 or more, ten times its followers, no
//     avatar and under 20 posts (a bot farm account); or self-declared bot;
//   - inactive: at most InactiveMaxPosts posts, or the last post older than
//     InactiveAfter;
//   - real and active otherwise.
func JudgeAccount(a model.AudienceAccount, now time.Time) AccountVerdict {
	posts, following, followers := a.Posts, a.Following, a.Followers
	if posts == nil && a.LastPostAt == nil {
		if a.Bot != nil && *a.Bot {
			return AccountVerdict{Known: true, Fake: 1, Why: "says it is a bot"}
		}
		return AccountVerdict{Why: "post count not shown"}
	}
	if a.Bot != nil && *a.Bot {
		return AccountVerdict{Known: true, Fake: 1, Why: "says it is a bot"}
	}
	if posts != nil && following != nil {
		if *posts <= 2 && *following >= MassFollowFollowing {
			return AccountVerdict{Known: true, Fake: 1, MassFollow: true, Why: "no posts, following thousands"}
		}
		noAvatar := a.HasAvatar != nil && !*a.HasAvatar
		if *posts < 20 && *following >= 1000 && noAvatar && followers != nil && *following >= 10*max(*followers, 1) {
			return AccountVerdict{Known: true, Fake: 1, Why: "no avatar, few posts, following ten times its followers"}
		}
	}
	if posts != nil && *posts <= InactiveMaxPosts {
		return AccountVerdict{Known: true, Inactive: 1, Why: "hardly ever posted"}
	}
	if a.LastPostAt != nil && now.Sub(*a.LastPostAt) > InactiveAfter {
		return AccountVerdict{Known: true, Inactive: 1, Why: "no post for months"}
	}
	return AccountVerdict{Known: true, Real: 1, Why: "posts and follows like a person"}
}

// AudienceResult is a judged audience sample.
type AudienceResult struct {
	Source    string
	SampledAt time.Time
	Sampled   int
	Judged    int
	// Expected counts among the judged accounts (sums of probabilities).
	Real, Fake, Inactive float64
	MassFollow           int
	// Signs counts, per bot sign (bit i of AccountVerdict.Signs), the
	// accounts judged fake that showed it.
	Signs [numSignBits]int
	// Share of real, active accounts among the judged, and its 90 % interval.
	Share, Low, High float64
}

// AudienceQuality sums the verdicts of one sample.
func AudienceQuality(source string, at time.Time, verdicts []AccountVerdict) AudienceResult {
	r := AudienceResult{Source: source, SampledAt: at, Sampled: len(verdicts)}
	for _, v := range verdicts {
		if !v.Known {
			continue
		}
		r.Judged++
		r.Real += v.Real
		r.Fake += v.Fake
		r.Inactive += v.Inactive
		if v.MassFollow {
			r.MassFollow++
		}
		if v.Fake >= 0.5 {
			for i := range r.Signs {
				if v.Signs&(1<<i) != 0 {
					r.Signs[i]++
				}
			}
		}
	}
	if r.Judged > 0 {
		r.Share = r.Real / float64(r.Judged)
		r.Low, r.High = Wilson(r.Share, r.Judged, z90)
	}
	return r
}

// Wilson is the Wilson score interval of a share p observed over n trials at
// the normal quantile z: good at small n and near 0 or 1, where the normal
// approximation leaves [0, 1].
func Wilson(p float64, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	p = clamp01(p)
	nf := float64(n)
	z2 := z * z
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return clamp01(centre - half), clamp01(centre + half)
}

// AudienceSummary is the result as stored on a score or a sample; nil for no
// sample.
func AudienceSummary(r *AudienceResult) *model.AudienceQuality { return r.summary() }

// summary is the result as stored on the score; nil for no sample.
func (r *AudienceResult) summary() *model.AudienceQuality {
	if r == nil {
		return nil
	}
	q := &model.AudienceQuality{Source: r.Source, Sampled: r.Sampled, Judged: r.Judged, Share: r.Share,
		Low: r.Low, High: r.High, MassFollow: r.MassFollow, SampledAt: r.SampledAt}
	if r.Judged > 0 {
		q.Fake, q.Inactive = r.Fake/float64(r.Judged), r.Inactive/float64(r.Judged)
	}
	return q
}

// audienceSignal judges the real, active share of the sampled audience.
func audienceSignal(r *AudienceResult) Signal {
	s := newSignal(SignalAudience, FlagLowAudienceQuality)
	if r == nil {
		s.Reason = "not measured: no audience sample yet"
		return s
	}
	who := "followers"
	if r.Source == model.AudienceCommenters {
		who = "commenters"
	}
	if r.Judged < AudienceMinJudged {
		s.Reason = fmt.Sprintf("not measured: %d of %d sampled %s could be judged, %d needed", r.Judged, r.Sampled, who, AudienceMinJudged)
		return s
	}
	s.Measured, s.Raw = true, r.Share
	if r.Source == model.AudienceCommenters {
		s.Risk = ramp(CommenterRiskFrom-r.High, 0, CommenterRiskFrom-CommenterRiskFull)
		s.Reason = fmt.Sprintf("of %d sampled %s, %s", r.Judged, who, audienceCounts(r))
		s.Reason += fmt.Sprintf(": %s real people (90 %% interval %s–%s)", pct(100*r.Share), pct(100*r.Low), pct(100*r.High))
		if s.Risk > 0 {
			s.Reason += ": comments this often from bots are usually bought (costs from an upper bound under 85 %, a clear red flag under 60 %)"
		}
		return s
	}
	s.Risk = ramp(AudienceRiskFrom-r.High, 0, AudienceRiskFrom-AudienceRiskFull)
	s.Reason = fmt.Sprintf("of %d sampled %s, %s", r.Judged, who, audienceCounts(r))
	s.Reason += fmt.Sprintf(": %s real and active (90 %% interval %s–%s)", pct(100*r.Share), pct(100*r.Low), pct(100*r.High))
	if s.Risk > 0 {
		s.Reason += ": an audience this hollow is usually bought (costs from an upper bound under 60 %, a clear red flag under 35 %)"
	}
	return s
}

// audienceCounts says how many accounts look fake and inactive, in words.
// Commenters have just commented, so for them it says how many look like
// bots and why, and nothing about inactivity.
func audienceCounts(r *AudienceResult) string {
	if r.Source == model.AudienceCommenters {
		return commenterCounts(r)
	}
	fake, inactive := int(math.Round(r.Fake)), int(math.Round(r.Inactive))
	var s string
	switch {
	case r.MassFollow > 0 && fake > r.MassFollow:
		s = fmt.Sprintf("%d look like mass-follow accounts (no posts, following thousands) and %d more like bots", r.MassFollow, fake-r.MassFollow)
	case r.MassFollow > 0:
		s = fmt.Sprintf("%d look like mass-follow accounts: no posts, following thousands", r.MassFollow)
	case fake > 0:
		s = fmt.Sprintf("%d look like bots", fake)
	default:
		s = "none looks like a mass-follow account or a bot"
	}
	return s + fmt.Sprintf("; %d look inactive", inactive)
}

// commenterCounts says how many commenters look like bots and by which
// signs.
func commenterCounts(r *AudienceResult) string {
	fake := int(math.Round(r.Fake))
	if fake == 0 {
		return "none looks like a bot"
	}
	s := fmt.Sprintf("%d look like bots", fake)
	if fake == 1 {
		s = "1 looks like a bot"
	}
	var parts []string
	for i, n := range r.Signs {
		if n > 0 && i < len(signWords) {
			parts = append(parts, fmt.Sprintf("%d with %s", n, signWords[i]))
		}
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}
