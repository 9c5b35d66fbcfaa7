package scoring

import (
	"math"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Cohort is what nanoscout measured across the stored creators of one
// platform, for the signals that compare a creator with its peers: the
// platform's usual likes per comment, how much creators' ER really differs
// (the strength of the empirical-Bayes prior), and how much creators of a
// tier usually answer. BuildCohort computes it; the zero value means "not
// known", and each figure falls back to the configured default.
type Cohort struct {
	// Creators is how many creators the figures come from.
	Creators int
	// LikesPerComment and LikesPerShare are the robust location and
	// spread of log10(likes ÷ comments) and log10(likes ÷ (shares + quotes))
	// per tier; the key "" holds all tiers together.
	LikesPerComment map[string]Norm
	LikesPerShare   map[string]Norm
	// LikesPerView is the same for log10(likes ÷ views), where the platform
	// shows views.
	LikesPerView map[string]Norm
	// Reach is the same for log10(mean views per post ÷ followers), where
	// the platform shows views.
	Reach map[string]Norm
	// PriorPosts is, per tier, how many posts the tier benchmark counts as
	// when a creator's ER is shrunk toward it (see Score).
	PriorPosts map[string]float64
	// PostCV is the usual coefficient of variation of one creator's per-post
	// ER (standard deviation ÷ mean); 0 = DefaultPostCV.
	PostCV float64
	// ReplyPrior is, per tier, the median reply-depth score of creators with
	// at least CohortMinCommenters commenters.
	ReplyPrior map[string]float64
	// RingShare is the median and MAD of the share of comments that come
	// from commenter rings (RingScore.Share) over the platform's creators
	// (see RingNorm); N = 0 when not measured.
	RingShare Norm
}

// RingNorm is the median and MAD of the ring shares of the creators with at
// least RingMinComments top-level comments, or the zero Norm with fewer than
// CohortMinCreators of them.
func RingNorm(rings map[string]RingScore) Norm {
	var shares []float64
	for _, r := range rings {
		if r.Comments >= RingMinComments {
			shares = append(shares, r.Share)
		}
	}
	if len(shares) < CohortMinCreators {
		return Norm{}
	}
	m, d := medianMAD(shares)
	return Norm{Median: m, MAD: d, Between: madScale * d, N: len(shares)}
}

// Norm is the median and the median absolute deviation of a measure over N
// creators, and Between, the spread between creators once the counting noise
// of each creator's own figure is taken out: √((1.4826 × MAD)² − median
// noise variance), at least 0.05.
type Norm struct {
	Median, MAD, Between float64
	N                    int
}

// minBetween is the smallest between-creator spread of a log10 ratio a norm
// assumes (±12 %).
const minBetween = 0.05

// ratioSamples collects one log10 ratio per creator with its noise variance.
type ratioSamples struct{ vals, noise []float64 }

func (r *ratioSamples) add(l LikesRatioResult) {
	if !l.Measured || l.Other < LikesRatioMinOther || l.Likes <= 0 {
		return
	}
	r.vals = append(r.vals, math.Log10(l.Ratio))
	r.noise = append(r.noise, l.logNoise())
}

// addReach adds a reach ratio; view counts are large, so their counting
// noise is left out.
func (r *ratioSamples) addReach(x ReachResult) {
	if !x.Measured || x.Ratio <= 0 {
		return
	}
	r.vals = append(r.vals, math.Log10(x.Ratio))
	r.noise = append(r.noise, 0)
}

func (r *ratioSamples) norm() (Norm, bool) {
	if len(r.vals) < CohortMinCreators {
		return Norm{}, false
	}
	m, d := medianMAD(r.vals)
	between := math.Sqrt(max((madScale*d)*(madScale*d)-median(r.noise), minBetween*minBetween))
	return Norm{Median: m, MAD: d, Between: between, N: len(r.vals)}, true
}

// Minimums for a cohort figure to be used.
const (
	// CohortMinCreators is how many creators a likes-per-comment norm, an ER
	// prior or a reply prior must rest on.
	CohortMinCreators = 30
	// CohortMinPosts is how many posts in the benchmark's basis a creator
	// needs to enter the ER prior estimate.
	CohortMinPosts = 3
	// CohortMinCommenters is how many commenters a creator needs to enter the
	// reply prior.
	CohortMinCommenters = 5
)

// Bounds of the estimated prior strength, in posts: at least 1 (the
// benchmark never outweighs a single post by much), at most 50.
const (
	minPriorPosts = 1
	maxPriorPosts = 50
)

// BuildCohort measures a platform's creators (all inputs must be of one
// platform) for the peer comparisons of Score, as of now. It is pure, like
// Score; CohortBuilder does the same one creator at a time.
func BuildCohort(ins []Input, bm Benchmarks, cfg Config, now time.Time) Cohort {
	b := NewCohortBuilder(bm, cfg)
	for _, in := range ins {
		b.Add(in, now)
	}
	return b.Cohort()
}

// CohortBuilder accumulates a Cohort one creator at a time, keeping a few
// numbers per creator rather than its posts and comments.
//
//   - LikesPerComment and LikesPerShare: over creators whose used posts
//     show at least LikesRatioMinOther comments (shares), the median and MAD
//     of log10(Σ likes ÷ Σ comments) (÷ Σ shares + quotes), per tier and over
//     all tiers, and the between-creator spread net of counting noise.
//   - LikesPerView: the same for log10(Σ likes ÷ Σ views) over creators
//     with ReachMinPosts or more posts showing both.
//   - Reach: the same for log10(mean views per post ÷ followers) over
//     creators with ReachMinPosts or more posts showing views.
//   - PriorPosts (empirical Bayes, method of moments on the log scale): over
//     creators with CohortMinPosts or more posts, the usual within-creator
//     variance of per-post ER relative to its mean (median CV²) and the
//     between-creator variance of log ER ((1.4826 × MAD)² minus the part the
//     sampling noise explains, median CV² ÷ n, and at least 0.01). The prior
//     is worth CV² ÷ between-variance posts, within 1..50.
//   - PostCV: the square root of the median CV² over all tiers.
//   - ReplyPrior: the median reply-depth score per tier, over creators with
//     at least CohortMinCommenters commenters.
//
// Each figure needs CohortMinCreators creators; the ones that have fewer are
// left out, and Score falls back to its defaults.
type CohortBuilder struct {
	bm      Benchmarks
	cfg     Config
	n       int
	lpc     map[string]*ratioSamples
	lps     map[string]*ratioSamples
	lpv     map[string]*ratioSamples
	reach   map[string]*ratioSamples
	logER   map[string][]float64
	cv2     map[string][]float64
	noise   map[string][]float64
	allCV2  []float64
	reply   map[string][]float64
	scratch scratch
}

// NewCohortBuilder starts an empty cohort.
func NewCohortBuilder(bm Benchmarks, cfg Config) *CohortBuilder {
	return &CohortBuilder{bm: bm, cfg: cfg,
		lpc: map[string]*ratioSamples{}, lps: map[string]*ratioSamples{}, lpv: map[string]*ratioSamples{}, reach: map[string]*ratioSamples{}, logER: map[string][]float64{}, cv2: map[string][]float64{},
		noise: map[string][]float64{}, reply: map[string][]float64{}}
}

// Add measures one creator as of now (the time it was scored).
func (b *CohortBuilder) Add(in Input, now time.Time) {
	b.n++
	sc := &b.scratch
	c := in.Creator
	tier := Tier(c.Followers)
	benchTier := tier
	if benchTier == model.TierBelow {
		benchTier = model.TierNano
	}
	n := b.cfg.postsN(c.Platform, b.bm)
	eng := sc.er.engagement(in.Posts, c.ID, c.Followers, now.Add(-b.cfg.SettledAfter), n)
	used := sc.er.usedPosts(in.Posts)

	lpc, lps, lpv, rch := likesPerComment(used), likesPerShare(used), likesPerView(used), reach(used, c.Followers)
	for _, t := range []string{tier, ""} {
		if b.lpc[t] == nil {
			b.lpc[t], b.lps[t], b.lpv[t], b.reach[t] = &ratioSamples{}, &ratioSamples{}, &ratioSamples{}, &ratioSamples{}
		}
		b.lpc[t].add(lpc)
		b.lps[t].add(lps)
		if lpv.Posts >= ReachMinPosts {
			b.lpv[t].add(lpv)
		}
		b.reach[t].addReach(rch)
	}

	x, sd, k := basisStats(b.bm.Basis(c.Platform), c, eng)
	if k >= CohortMinPosts && x > 0 {
		r := (sd / x) * (sd / x)
		b.logER[benchTier] = append(b.logER[benchTier], math.Log(x))
		b.cv2[benchTier] = append(b.cv2[benchTier], r)
		b.noise[benchTier] = append(b.noise[benchTier], r/float64(k))
		b.allCV2 = append(b.allCV2, r)
	}

	if len(in.Comments) > 0 {
		rd := sc.reply.replyDepth(c, in.Posts, in.Comments)
		if rd.Commenters >= CohortMinCommenters {
			b.reply[tier] = append(b.reply[tier], rd.Score)
		}
	}
}

// Cohort returns the figures measured so far.
func (b *CohortBuilder) Cohort() Cohort {
	co := Cohort{Creators: b.n}
	for tier, rs := range b.lpc {
		if nm, ok := rs.norm(); ok {
			if co.LikesPerComment == nil {
				co.LikesPerComment = map[string]Norm{}
			}
			co.LikesPerComment[tier] = nm
		}
		if nm, ok := b.lps[tier].norm(); ok {
			if co.LikesPerShare == nil {
				co.LikesPerShare = map[string]Norm{}
			}
			co.LikesPerShare[tier] = nm
		}
		if nm, ok := b.lpv[tier].norm(); ok {
			if co.LikesPerView == nil {
				co.LikesPerView = map[string]Norm{}
			}
			co.LikesPerView[tier] = nm
		}
		if nm, ok := b.reach[tier].norm(); ok {
			if co.Reach == nil {
				co.Reach = map[string]Norm{}
			}
			co.Reach[tier] = nm
		}
	}
	for tier, ls := range b.logER {
		if len(ls) < CohortMinCreators {
			continue
		}
		within := median(b.cv2[tier])
		_, mad := medianMAD(ls)
		between := (madScale*mad)*(madScale*mad) - median(b.noise[tier])
		between = max(between, 0.01) // log-ER spread of at least 10 % between creators
		if co.PriorPosts == nil {
			co.PriorPosts = map[string]float64{}
		}
		co.PriorPosts[tier] = min(maxPriorPosts, max(minPriorPosts, within/between))
	}
	if len(b.allCV2) >= CohortMinCreators {
		co.PostCV = math.Sqrt(median(b.allCV2))
	}
	for tier, rs := range b.reply {
		if len(rs) >= CohortMinCreators {
			if co.ReplyPrior == nil {
				co.ReplyPrior = map[string]float64{}
			}
			co.ReplyPrior[tier] = median(rs)
		}
	}
	return co
}

// basisStats returns, in the unit of the platform's benchmark, the creator's
// ER, the standard deviation of its per-post ER and how many posts it rests
// on: ER by followers (mean) or ER by views (pooled).
func basisStats(basis string, c model.Creator, eng EngagementResult) (er, sd float64, n int) {
	if basis == BasisViews {
		if eng.ByViews == nil {
			return 0, 0, 0
		}
		return *eng.ByViews, eng.ByViewsSD, eng.ViewPosts
	}
	if c.Followers <= 0 {
		return 0, 0, 0
	}
	return eng.Mean, eng.SD, eng.PostsUsed
}
