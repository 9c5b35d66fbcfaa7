// Package scoring turns a creator's collected profile, posts and comments into
// a model.Score: engagement rate against the benchmark of the creator's tier,
// how much the creator answers the audience, how genuine the engagement and
// the content look, and one composite for ranking. Every figure keeps its
// breakdown (value, weight, contribution and a sentence in plain English) so
// a scout can see why a creator ranks where it does. docs/scoring.md has the
// formulas and the reasoning behind every threshold.
//
// The package is pure: it does no I/O, imports no network, store or collector
// code, and takes the current time as an argument. Benchmarks come from
// configs/benchmarks.yaml through ParseBenchmarks. Signals that compare a
// creator with its peers (the platform's usual likes per comment, commenter
// rings shared by several creators, the empirical-Bayes prior) take their
// figures from a Cohort and Rings, both pure functions over many creators'
// inputs that the pipeline calls once a platform is collected.
package scoring

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Keys of Config.Weights, which are also the names of the breakdown rows that
// enter the composite.
const (
	WeightEngagement   = "engagement"
	WeightReply        = "reply"
	WeightAuthenticity = "authenticity"
)

// Flags a Score may carry.
const (
	FlagNoPosts            = "no_posts"                // no settled post to measure
	FlagFewPosts           = "few_posts"               // fewer than half of N settled posts
	FlagNoFollowers        = "no_followers"            // follower count 0 or unknown
	FlagBelowNano          = "below_nano"              // under 1k followers, compared with nano
	FlagNoBenchmark        = "no_benchmark"            // no benchmark for the platform and tier
	FlagNoViews            = "no_views"                // benchmark is by views, no post shows views
	FlagERImplausible      = "er_implausible_for_tier" // index above ImplausibleHigh or below ImplausibleLow
	FlagLikesHidden        = "likes_hidden"            // some used posts hide likes: ER undercounts
	FlagNoComments         = "no_comments"             // no audience comment was read
	FlagLikesPerCommentOff = "likes_per_comment_off"   // far outside the platform's norm
	FlagLikesPerShareOff   = "likes_per_share_off"     // far above the platform's peers
	FlagLikesPerViewOff    = "likes_per_view_off"      // far more likes per view than the platform's peers
	FlagLowReach           = "low_reach"               // far fewer views per follower than the peers
	FlagDuplicateComments  = "duplicate_comments"      // DuplicateShareFlag or more of comments copy-pasted
	FlagLowEffortComments  = "low_effort_comments"     // LowEffortShareFlag or more generic or emoji-only
	FlagFollowerSpike      = "follower_spike"          // a jump in the daily follower history
	FlagFollowerDrop       = "follower_drop"           // a fall in the daily follower history
	FlagERJump             = "er_jump"                 // ER jumped against its own history
	FlagFollowBack         = "follow_back"             // follows about as many accounts as follow it
	FlagSponsoredHeavy     = "sponsored_heavy"         // a large share of paid posts
	FlagUndisclosedAds     = "undisclosed_sponsorship" // sells without disclosing
	FlagSpamComments       = "spam_comments"           // many spam comments
	FlagRecurringRing      = "recurring_commenters"    // a few accounts under most posts
	FlagFewCommenters      = "few_distinct_commenters" // the same accounts comment again and again
	FlagCommentRing        = "comment_ring"            // comments come from a ring shared with other creators
	FlagLowConfidence      = "low_confidence"          // too little data to rank with confidence
	FlagLowAudienceQuality = "low_audience_quality"    // under half of the sampled audience looks real and active
)

// Thresholds behind the flags.
const (
	ImplausibleHigh    = 5.0 // benchmark index above this: bought engagement, or one viral post
	ImplausibleLow     = 0.1 // benchmark index below this: bought or dormant followers
	DuplicateShareFlag = 0.2
	LowEffortShareFlag = 0.5
	// SignalFlag is the risk from which an authenticity signal sets its flag.
	SignalFlag = 0.5
	// LowConfidence is the confidence below which FlagLowConfidence is set.
	LowConfidence = 0.5
)

// Defaults of the priors, used until a Cohort gives measured figures.
const (
	// DefaultPriorPosts: the tier benchmark counts as this many posts when a
	// creator's ER is shrunk toward it.
	DefaultPriorPosts = 4.0
	// DefaultPostCV is the usual spread of one creator's per-post ER
	// (standard deviation ÷ mean).
	DefaultPostCV = 0.6
	// DefaultReplyPrior is the reply-depth score assumed for a creator whose
	// comments could not be read.
	DefaultReplyPrior = 0.3
	// ReplyPriorCommenters: with this many commenters the measured reply
	// score and the prior weigh the same.
	ReplyPriorCommenters = 5.0
	// CommentEvidence: with this many top-level audience comments a comment
	// signal counts half; with many more, in full.
	CommentEvidence = 5.0
	// EvidencePenalty is the share of authenticity withheld from a creator
	// none of whose comments could be read: unverified is not verified.
	EvidencePenalty = 0.3
	// ContentMinPosts is how many posts the paid-content signals need.
	ContentMinPosts = 5
)

// z90 is the standard normal quantile of a two-sided 90 % interval.
const z90 = 1.6448536269514722

// Config holds the scoring settings a run may change.
type Config struct {
	// Weights of the composite, keyed by WeightEngagement, WeightReply and
	// WeightAuthenticity. They need not sum to 1: the weighted mean divides
	// by the sum of the weights of the parts that could be scored.
	Weights map[string]float64
	// SettledAfter is the age a post must reach before it counts for ER.
	SettledAfter time.Duration
	// PostsN overrides, per platform, the N of benchmarks.yaml.
	PostsN map[string]int
	// SpamProb scores one comment as spam (0..1); nil uses the built-in
	// heuristic (self-promotion phrases and bare links).
	SpamProb SpamFunc
	// PriorPosts is how many posts the tier benchmark counts as when ER is
	// shrunk toward it, until a Cohort measures it; 0 = DefaultPriorPosts.
	PriorPosts float64
}

// DefaultConfig returns weights engagement 0.40, reply 0.30, authenticity
// 0.30, posts settled after 24 h, N from the benchmarks, the built-in spam
// heuristic and a prior worth DefaultPriorPosts posts.
func DefaultConfig() Config {
	return Config{
		Weights: map[string]float64{
			WeightEngagement:   0.40,
			WeightReply:        0.30,
			WeightAuthenticity: 0.30,
		},
		SettledAfter: 24 * time.Hour,
	}
}

// Validate reports an unknown weight key, a negative or non-finite weight, no
// positive weight, a negative SettledAfter, an N below 1 or a negative or
// non-finite PriorPosts.
func (c Config) Validate() error {
	var errs []error
	var total float64
	for _, k := range sortedKeys(c.Weights) {
		w := c.Weights[k]
		switch k {
		case WeightEngagement, WeightReply, WeightAuthenticity:
		default:
			errs = append(errs, fmt.Errorf("unknown weight %q (want %s, %s or %s)",
				k, WeightEngagement, WeightReply, WeightAuthenticity))
			continue
		}
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			errs = append(errs, fmt.Errorf("weight %q is %v: want a finite number ≥ 0", k, w))
			continue
		}
		total += w
	}
	if total <= 0 {
		errs = append(errs, errors.New("no positive weight"))
	}
	if c.SettledAfter < 0 {
		errs = append(errs, fmt.Errorf("settled after %s is negative", c.SettledAfter))
	}
	for _, p := range sortedKeys(c.PostsN) {
		if c.PostsN[p] < 1 {
			errs = append(errs, fmt.Errorf("posts N for %q is %d: want at least 1", p, c.PostsN[p]))
		}
	}
	if math.IsNaN(c.PriorPosts) || math.IsInf(c.PriorPosts, 0) || c.PriorPosts < 0 {
		errs = append(errs, fmt.Errorf("prior posts %v: want a finite number ≥ 0", c.PriorPosts))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("scoring config: %w", err)
	}
	return nil
}

// postsN is N for the platform: the config's override, else the benchmarks'.
func (c Config) postsN(platform string, bm Benchmarks) int {
	if n := c.PostsN[platform]; n > 0 {
		return n
	}
	return bm.PostsN(platform)
}

// weight is the configured weight of a part, 0 when unset or invalid.
func (c Config) weight(key string) float64 {
	w := c.Weights[key]
	if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
		return 0
	}
	return w
}

// Input is everything known about one creator at scoring time.
type Input struct {
	Creator  model.Creator
	Posts    []model.Post    // the creator's recent posts, any order
	Comments []model.Comment // comments read under those posts, the creator's answers included
	// History is the creator's daily snapshots (oldest first or any order),
	// for the follower-spike and ER-jump signals.
	History []model.Snapshot
	// Cohort holds figures measured over the platform's stored creators;
	// nil until the platform has been collected (the defaults apply).
	Cohort *Cohort
	// Ring is the creator's exposure to commenter rings shared with other
	// creators (see Rings); nil when not computed.
	Ring *RingScore
	// Audience is the judged audience sample (see AudienceQuality); nil when
	// none was taken yet.
	Audience *AudienceResult
}

// Score scores one creator at now. The formulas, in short (docs/scoring.md
// has the reasoning):
//
// Engagement. ER is taken over the N most recent settled posts (N from
// cfg.PostsN, else the benchmarks), skipping replies, reposts and posts whose
// CreatorID is another account's, in the basis the platform's benchmark uses
// (by followers: mean per post; by views: pooled). It is shrunk toward the
// tier benchmark B by empirical Bayes: ER* = (n·ER + k·B) ÷ (n + k), k the
// prior strength in posts (from the Cohort, else cfg.PriorPosts, else 4), and
// reported with a 90 % interval ER* ± 1.645·σ ÷ √(n + k), σ the per-post
// spread (the creator's own, blended with the usual one). The engagement
// value is ½ + log₂(ER* ÷ B) ÷ 2 within 0..1: nothing at half the benchmark,
// half marks at it, full marks at twice it.
//
// Reply. ReplyDepth's score, shrunk toward the tier's usual score R₀ by the
// number of commenters m: (m·R + 5·R₀) ÷ (m + 5).
//
// Authenticity. The product over the signals of (1 − weight × risk), each
// risk 0..1 (comment signals scaled by the comment evidence c = t ÷ (t + 5),
// t top-level audience comments), times 1 − 0.3·(1 − c) for unverified
// comments. Signals: follower spikes and drops, ER jumps, likes per comment
// against the platform's peers, ER implausibly high for the tier,
// follow-back ratio, share of paid posts, undisclosed paid posts, spam,
// low-effort and copy-pasted comments, commenter diversity, a small
// recurring group of commenters, and commenter rings shared with other
// creators.
//
// Composite. 100 × authenticity × (w_e·engagement + w_r·reply +
// w_a·authenticity) ÷ (w_e + w_r + w_a): the weighted mean, gated by
// authenticity so that bought engagement cannot be made up for by volume. A
// part without a benchmark is left out of the mean with weight 0 and a flag.
//
// The Breakdown's rows named engagement, reply and authenticity carry the
// configured weights; rows named part.signal carry their weight within the
// part; all others are shown with weight 0.
func Score(in Input, bm Benchmarks, cfg Config, now time.Time) model.Score {
	sc := getScratch()
	defer putScratch(sc)

	c := in.Creator
	platform := c.Platform
	name := bm.displayName(platform)
	tier := Tier(c.Followers)
	s := model.Score{Tier: tier, ComputedAt: now}
	var flags []string
	co := in.Cohort
	if co == nil {
		co = &Cohort{}
	}

	// Engagement.
	n := cfg.postsN(platform, bm)
	eng := sc.er.engagement(in.Posts, c.ID, c.Followers, now.Add(-cfg.SettledAfter), n)
	used := sc.er.usedPosts(in.Posts)
	perPostER := append([]float64(nil), sc.er.byF...)
	if c.Followers <= 0 {
		perPostER = nil
	}
	s.PostsUsed = eng.PostsUsed
	s.ER, s.ERMedian, s.ERByViews = eng.Mean, eng.Median, eng.ByViews
	switch {
	case eng.PostsUsed == 0:
		flags = append(flags, FlagNoPosts)
	case eng.PostsUsed*2 < n:
		flags = append(flags, FlagFewPosts)
	}
	if c.Followers <= 0 {
		flags = append(flags, FlagNoFollowers)
	}
	if eng.HiddenLikes > 0 {
		flags = append(flags, FlagLikesHidden)
	}
	benchTier := tier
	if tier == model.TierBelow {
		benchTier = model.TierNano
		flags = append(flags, FlagBelowNano)
	}
	basis := bm.Basis(platform)
	bench, hasBench := bm.Benchmark(platform, benchTier)
	s.Benchmark = bench // shown even when the ER behind the index is missing
	basisER, basisSD, basisN := basisStats(basis, c, eng)
	hasER := basisN > 0
	k := priorPosts(co, cfg, benchTier)
	cPosts := float64(basisN) / (float64(basisN) + k)
	est := shrinkER(basisER, basisSD, basisN, bench, k, postCV(co))

	engRow := model.Component{Name: WeightEngagement}
	switch {
	case !hasBench:
		flags = append(flags, FlagNoBenchmark)
		engRow.Reason = fmt.Sprintf("not scored: no %s benchmark for the %s tier", name, benchTier)
		cPosts = 0
	default:
		if hasER {
			s.BenchmarkIndex = basisER / bench
			if s.BenchmarkIndex > ImplausibleHigh || s.BenchmarkIndex < ImplausibleLow {
				flags = append(flags, FlagERImplausible)
			}
		} else if basis == BasisViews && eng.PostsUsed > 0 {
			flags = append(flags, FlagNoViews)
		}
		engRow.Raw = est.mean / bench
		engRow.Value = engagementValue(est.mean / bench)
		engRow.Weight = cfg.weight(WeightEngagement)
		engRow.Reason = engagementReason(engagementFacts{platform: name, tier: tier, benchTier: benchTier,
			bench: bm.Platforms[platform].Tiers[benchTier], basis: basis, er: basisER, n: basisN, shrunk: est.mean,
			postsUsed: eng.PostsUsed, noFollowers: c.Followers <= 0})
	}

	// Reply depth.
	comments := markCreator(c, in.Comments)
	s.ReplyDepth = sc.reply.replyDepth(c, in.Posts, comments)
	rd := s.ReplyDepth
	r0, r0Measured := replyPrior(co, tier)
	m := float64(rd.Commenters)
	cReply := m / (m + ReplyPriorCommenters)
	replyValue := cReply*rd.Score + (1-cReply)*r0
	replyRow := model.Component{Name: WeightReply, Raw: rd.Score, Value: clamp01(replyValue), Weight: cfg.weight(WeightReply)}
	if rd.Commenters == 0 {
		flags = append(flags, FlagNoComments)
	}
	replyRow.Reason = replyReason(rd, cReply, r0, r0Measured)

	// Authenticity.
	cr := CommentSignals(c, comments, cfg.SpamProb)
	cComments := float64(cr.TopLevel) / (float64(cr.TopLevel) + CommentEvidence)
	signals := []Signal{
		followerSignal(FollowerGrowth(in.History, c, now)),
		erJumpSignal(ERJump(in.History, eng.Mean, now), c.Followers > 0 && eng.PostsUsed > 0),
		likesPerCommentSignal(likesPerComment(used), co, tier, bm, platform, name),
		likesPerShareSignal(likesPerShare(used), co, tier, name),
		likesPerViewSignal(likesPerView(used), co, tier, name),
		reachSignal(reach(used, c.Followers), co, tier, name),
		erForTierSignal(est, bench, hasBench && hasER, benchTier, name),
		followBackSignal(c),
		audienceSignal(in.Audience),
	}
	content := Content(used, perPostER)
	signals = append(signals, contentSignals(content)...)
	signals = append(signals, commentSignals(cr, in.Ring, co.RingShare, cComments)...)
	authRaw := 1.0
	for _, sg := range signals {
		authRaw *= sg.Multiplier()
	}
	evidence := 1 - EvidencePenalty*(1-cComments)
	auth := clamp01(authRaw * evidence)
	s.Authenticity = auth
	authRow := model.Component{Name: WeightAuthenticity, Raw: authRaw, Value: auth, Weight: cfg.weight(WeightAuthenticity)}
	authRow.Reason = authenticityReason(signals, authRaw, evidence, cr.TopLevel)
	for _, sg := range signals {
		if sg.Flag != "" && sg.Measured && sg.Risk >= SignalFlag {
			flags = append(flags, sg.Flag)
		}
	}
	if cr.TopLevel > 0 {
		total := float64(cr.TopLevel)
		if float64(cr.Duplicates)/total >= DuplicateShareFlag {
			flags = append(flags, FlagDuplicateComments)
		}
		if float64(cr.Generic+cr.EmojiOnly)/total >= LowEffortShareFlag {
			flags = append(flags, FlagLowEffortComments)
		}
	}

	// Composite.
	parts := []*model.Component{&engRow, &replyRow, &authRow}
	var sum, wsum float64
	for _, r := range parts {
		if r.Weight > 0 {
			sum += r.Weight * r.Value
			wsum += r.Weight
		}
	}
	var quality float64
	if wsum > 0 {
		quality = sum / wsum
		s.Composite = 100 * auth * quality
	}
	for _, r := range parts {
		if r.Weight > 0 && wsum > 0 {
			r.Reason += fmt.Sprintf(" (weight %s: contributes %s of the %s points)",
				num(r.Weight), num(100*auth*r.Weight*r.Value/wsum), num(s.Composite))
		} else if r.Weight == 0 && !strings.HasPrefix(r.Reason, "not scored") {
			r.Reason += " (weight 0: shown only)"
		}
	}

	// Confidence: how much of each part rests on the creator's own data.
	confidence := 0.0
	if wsum > 0 {
		confidence = (engRow.Weight*cPosts + replyRow.Weight*cReply + authRow.Weight*cComments) / wsum
	}
	if confidence < LowConfidence {
		flags = append(flags, FlagLowConfidence)
	}

	// Breakdown.
	b := []model.Component{
		{Name: "tier", Raw: float64(c.Followers), Reason: tierReason(c.Followers, tier)},
		{Name: "er", Raw: eng.Mean, Reason: erReason(c, eng)},
		{Name: "er_median", Raw: eng.Median, Reason: erMedianReason(c, eng)},
		{Name: "er_by_views", Raw: deref(eng.ByViews), Reason: erViewsReason(eng)},
	}
	b = append(b, intervalRows(est, bench, hasBench, basis, basisN, k)...)
	b = append(b, engRow, replyRow)
	b = append(b, replyParts(rd)...)
	b = append(b, authRow)
	for _, sg := range signals {
		b = append(b, sg.component())
	}
	b = append(b, model.Component{Name: WeightAuthenticity + "." + SignalEvidence, Raw: float64(cr.TopLevel),
		Value: evidence, Weight: EvidencePenalty, Reason: evidenceReason(cr.TopLevel, evidence)})
	b = append(b,
		model.Component{Name: "confidence", Raw: confidence, Value: clamp01(confidence),
			Reason: confidenceReason(confidence, basisN, k, rd.Commenters, cr.TopLevel)},
		model.Component{Name: "composite", Raw: s.Composite, Value: clamp01(s.Composite / 100),
			Reason: compositeReason(parts, wsum, quality, auth, s.Composite)},
	)
	s.Breakdown = b
	s.Flags = flags
	s.Audience = in.Audience.summary()
	return s.Finite()
}

// EngagementFullAt is the benchmark index that earns full engagement marks.
const EngagementFullAt = 1.4

// engagementValue maps the benchmark index (shrunk ER ÷ tier benchmark) to
// 0..1 on a log scale: 0.5 at the benchmark, 1 at EngagementFullAt times it
// or more, 0 at 1 ÷ EngagementFullAt or less. ER is a ratio, so 1.5× and
// 1/1.5× are equally far from the benchmark.
func engagementValue(index float64) float64 {
	if index <= 0 {
		return 0
	}
	return clamp01(0.5 + math.Log(index)/math.Log(EngagementFullAt)/2)
}

// erEstimate is the empirical-Bayes estimate of a creator's ER in the
// benchmark's basis, in %.
type erEstimate struct {
	raw       float64 // the measured ER
	mean      float64 // shrunk toward the benchmark
	low, high float64 // 90 % interval
	sd        float64 // per-post spread used
	n         int     // posts measured
	ownWeight float64 // n ÷ (n + k)
}

// shrinkER pulls the measured ER x (over n posts with per-post spread sd)
// toward the benchmark b, which counts as k posts. The per-post spread is
// the creator's own blended with the usual one (cv × ER), worth 3 posts, so
// two lucky posts do not make a tight interval.
func shrinkER(x, sd float64, n int, b, k, cv float64) erEstimate {
	e := erEstimate{raw: x, n: n}
	if b <= 0 {
		e.mean, e.low, e.high = x, x, x
		return e
	}
	nf := float64(n)
	e.ownWeight = nf / (nf + k)
	e.mean = (nf*x + k*b) / (nf + k)
	ref := x
	if n == 0 {
		ref = b
	}
	const nu = 3.0
	v := (math.Max(nf-1, 0)*sd*sd + nu*(cv*ref)*(cv*ref)) / (math.Max(nf-1, 0) + nu)
	e.sd = math.Sqrt(v)
	half := z90 * e.sd / math.Sqrt(nf+k)
	e.low, e.high = math.Max(0, e.mean-half), e.mean+half
	return e
}

func priorPosts(co *Cohort, cfg Config, tier string) float64 {
	if k, ok := co.PriorPosts[tier]; ok && k > 0 {
		return k
	}
	if cfg.PriorPosts > 0 {
		return cfg.PriorPosts
	}
	return DefaultPriorPosts
}

func postCV(co *Cohort) float64 {
	if co.PostCV > 0 {
		return co.PostCV
	}
	return DefaultPostCV
}

func replyPrior(co *Cohort, tier string) (float64, bool) {
	if r, ok := co.ReplyPrior[tier]; ok {
		return r, true
	}
	return DefaultReplyPrior, false
}

// markCreator returns the comments with ByCreator set on those whose author
// is the creator, so every part agrees on whose comments are whose.
func markCreator(c model.Creator, comments []model.Comment) []model.Comment {
	out := make([]model.Comment, len(comments))
	for i := range comments {
		out[i] = comments[i]
		out[i].ByCreator = isCreatorComment(&c, &comments[i])
	}
	return out
}

func tierReason(followers int64, tier string) string {
	if tier == model.TierBelow {
		return fmt.Sprintf("%s followers: below the nano tier (under 1k), compared with nano", thousands(followers))
	}
	return fmt.Sprintf("%s followers: %s tier (%s)", thousands(followers), tier, tierSpan[tier])
}

func erReason(c model.Creator, eng EngagementResult) string {
	switch {
	case eng.PostsUsed == 0:
		return "no settled post to measure (posts must be at least a day old, not replies or reposts, and show some counts)"
	case c.Followers <= 0:
		return fmt.Sprintf("no follower count, so no ER by followers over the %d settled posts", eng.PostsUsed)
	}
	s := fmt.Sprintf("mean ER by followers %s over the last %s: (likes + comments + shares + quotes + saves, where shown) ÷ followers",
		pct(eng.Mean), plural(eng.PostsUsed, "settled post"))
	if eng.HiddenLikes > 0 {
		s += fmt.Sprintf("; likes are hidden on %s, so ER undercounts", plural(eng.HiddenLikes, "post"))
	}
	return s
}

func erMedianReason(c model.Creator, eng EngagementResult) string {
	if eng.PostsUsed == 0 || c.Followers <= 0 {
		return "not measured"
	}
	s := fmt.Sprintf("median ER by followers %s over the same posts", pct(eng.Median))
	if eng.Median > 0 && eng.Mean > 1.5*eng.Median {
		s += "; the mean is well above it, so a few posts carry the average"
	}
	return s
}

func erViewsReason(eng EngagementResult) string {
	if eng.ByViews == nil {
		return "no settled post shows its views"
	}
	return fmt.Sprintf("ER by views %s: (likes + comments + shares) ÷ views, summed over %s showing views",
		pct(*eng.ByViews), plural(eng.ViewPosts, "post"))
}

// intervalRows are the shown-only rows of the ER estimate.
func intervalRows(e erEstimate, bench float64, hasBench bool, basis string, n int, k float64) []model.Component {
	label := "ER"
	if basis == BasisViews {
		label = "ER by views"
	}
	shrunk := model.Component{Name: "er_shrunk", Raw: e.mean, Value: e.ownWeight}
	low := model.Component{Name: "er_low90", Raw: e.low}
	high := model.Component{Name: "er_high90", Raw: e.high}
	if !hasBench {
		shrunk.Reason = "not computed: no benchmark to shrink toward"
		low.Reason, high.Reason = shrunk.Reason, shrunk.Reason
		return []model.Component{shrunk, low, high}
	}
	if n == 0 {
		shrunk.Reason = fmt.Sprintf("no %s measured, so the tier benchmark %s stands in for it", label, pct(bench))
	} else {
		shrunk.Reason = fmt.Sprintf("%s %s over %s pulled toward the tier benchmark %s, which counts as %s posts: %s (the creator's own posts weigh %s)",
			label, pct(e.raw), plural(n, "post"), pct(bench), num(k), pct(e.mean), share(e.ownWeight))
	}
	low.Reason = fmt.Sprintf("the creator's %s is at least %s with 90 %% confidence (per-post spread %s)", label, pct(e.low), pct(e.sd))
	high.Reason = fmt.Sprintf("and at most %s with 90 %% confidence", pct(e.high))
	return []model.Component{shrunk, low, high}
}

// engagementFacts are what the engagement row's reason is made of.
type engagementFacts struct {
	platform    string        // the platform's display name
	tier        string        // the creator's tier
	benchTier   string        // the tier whose benchmark applies (nano for below)
	bench       TierBenchmark // that benchmark
	basis       string        // BasisFollowers or BasisViews
	er          float64       // the measured ER on the basis, %
	n           int           // posts behind er (0: none measured)
	shrunk      float64       // er shrunk toward the benchmark, %
	postsUsed   int           // settled posts read
	noFollowers bool          // the profile shows no follower count
}

func engagementReason(f engagementFacts) string {
	label := "ER"
	if f.basis == BasisViews {
		label = "ER by views"
	}
	t := f.bench
	var s string
	switch {
	case f.n == 0 && f.basis == BasisViews && f.postsUsed > 0:
		s = fmt.Sprintf("no post shows its views, so the %s %s benchmark of %s stands in", f.platform, f.benchTier, pct(t.Mid))
	case f.n == 0 && f.noFollowers && f.postsUsed > 0:
		s = fmt.Sprintf("no follower count, so the %s %s benchmark of %s stands in", f.platform, f.benchTier, pct(t.Mid))
	case f.n == 0:
		s = fmt.Sprintf("no settled post to measure, so the %s %s benchmark of %s stands in", f.platform, f.benchTier, pct(t.Mid))
	default:
		s = fmt.Sprintf("%s %s, shrunk to %s, is %s× the %s %s benchmark of %s", label, pct(f.er), pct(f.shrunk),
			num(f.shrunk/t.Mid), f.platform, f.benchTier, pct(t.Mid))
	}
	switch {
	case t.Kind == KindAssumed:
		s += " (a placeholder figure, not from a report)"
	case t.Kind == KindInterpolated:
		s += " (interpolated between published figures)"
	case t.Low < t.High:
		s += fmt.Sprintf(" (published range %s–%s)", pct(t.Low), pct(t.High))
	default:
		s += " (published figure)"
	}
	if f.tier == model.TierBelow {
		s += "; the creator is under 1k followers"
	}
	return s + fmt.Sprintf("; %s× the benchmark or less scores 0, the benchmark 0.5, %s× or more 1", num(1/EngagementFullAt), num(EngagementFullAt))
}

func replyReason(rd model.ReplyDepth, weight, prior float64, measuredPrior bool) string {
	priorWhat := "the assumed reply score"
	if measuredPrior {
		priorWhat = "the tier's usual reply score"
	}
	if rd.Commenters == 0 {
		return fmt.Sprintf("no audience comments were read, so %s %s stands in", priorWhat, num(prior))
	}
	var s string
	if rd.AnsweredCommenters == 0 {
		s = fmt.Sprintf("answered none of %s", plural(rd.Commenters, "commenter"))
	} else {
		s = fmt.Sprintf("answered %d of %s (%s)", rd.AnsweredCommenters, plural(rd.Commenters, "commenter"),
			pct(100*rd.AnsweredShare))
		if rd.MedianHoursToReply >= 0 {
			s += ", first answer after " + hours(rd.MedianHoursToReply) + " (median)"
		}
	}
	s += fmt.Sprintf(", threads %s levels deep on average: reply score %s", num(rd.MeanDepth), num(rd.Score))
	if weight < 0.99 {
		s += fmt.Sprintf(", weighing %s against %s %s", share(weight), priorWhat, num(prior))
	}
	return s
}

// replyParts are the three parts of the reply score as rows with their weight
// within the reply score.
func replyParts(rd model.ReplyDepth) []model.Component {
	answered := model.Component{Name: WeightReply + ".answered", Raw: rd.AnsweredShare, Value: rd.AnsweredShare, Weight: replyWeightAnswered}
	speed := model.Component{Name: WeightReply + ".speed", Raw: rd.MedianHoursToReply, Value: replySpeed(rd), Weight: replyWeightSpeed}
	depth := model.Component{Name: WeightReply + ".depth", Raw: rd.MeanDepth, Value: replyDepthScore(rd), Weight: replyWeightDepth}
	if rd.Commenters == 0 {
		answered.Reason = "not measured: no audience comments"
		speed.Reason = answered.Reason
		depth.Reason = answered.Reason
		speed.Raw = -1
		answered.Weight, speed.Weight, depth.Weight = 0, 0, 0
		return []model.Component{answered, speed, depth}
	}
	answered.Reason = fmt.Sprintf("the creator answered %s of the commenters (%s of the reply score: %s points of it)",
		pct(100*rd.AnsweredShare), share(replyWeightAnswered), num(replyWeightAnswered*rd.AnsweredShare))
	if rd.MedianHoursToReply < 0 {
		speed.Reason = fmt.Sprintf("no answer with a known time (%s of the reply score)", share(replyWeightSpeed))
	} else {
		speed.Reason = fmt.Sprintf("median %s from a comment to the creator's first answer; %s scores half (%s of the reply score: %s of it)",
			hours(rd.MedianHoursToReply), hours(replyHalfHours), share(replyWeightSpeed), num(replyWeightSpeed*replySpeed(rd)))
	}
	depth.Reason = fmt.Sprintf("threads are %s levels deep on average; 1 = nobody answered anyone, 3 or more earns full marks (%s of the reply score: %s of it)",
		num(rd.MeanDepth), share(replyWeightDepth), num(replyWeightDepth*replyDepthScore(rd)))
	return []model.Component{answered, speed, depth}
}

func authenticityReason(signals []Signal, raw, evidence float64, comments int) string {
	var hits []Signal
	measured := 0
	for _, s := range signals {
		if s.Measured {
			measured++
			if s.Risk > 0 && s.Weight > 0 {
				hits = append(hits, s)
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Multiplier() < hits[j].Multiplier() })
	var s string
	if len(hits) == 0 {
		s = fmt.Sprintf("%s measured, none raises a doubt", plural(measured, "signal"))
	} else {
		var names []string
		for _, h := range hits {
			names = append(names, fmt.Sprintf("%s ×%s", strings.ReplaceAll(h.Name, "_", " "), num(h.Multiplier())))
		}
		s = fmt.Sprintf("%s measured; doubts: %s (together ×%s)", plural(measured, "signal"), strings.Join(names, ", "), num(raw))
	}
	if evidence < 1 {
		s += fmt.Sprintf("; %s read, so ×%s for what could not be checked", plural(comments, "top-level audience comment"), num(evidence))
	}
	return s + "; the composite is multiplied by it"
}

func evidenceReason(comments int, evidence float64) string {
	if comments == 0 {
		return fmt.Sprintf("no audience comment could be read, so the audience is unverified: ×%s", num(evidence))
	}
	return fmt.Sprintf("%s read: comment signals count %s, and what they cannot check costs ×%s",
		plural(comments, "top-level audience comment"), share(float64(comments)/(float64(comments)+CommentEvidence)), num(evidence))
}

func confidenceReason(conf float64, posts int, k float64, commenters, comments int) string {
	s := fmt.Sprintf("%s of the score rests on the creator's own data (%s against a prior worth %s posts, %s, %s)",
		share(conf), plural(posts, "post"), num(k), plural(commenters, "commenter"), plural(comments, "top-level comment"))
	if conf < LowConfidence {
		s += ": rank with care"
	}
	return s
}

func compositeReason(parts []*model.Component, wsum, quality, auth, composite float64) string {
	if wsum <= 0 {
		return "no part could be scored"
	}
	var terms []string
	for _, r := range parts {
		if r.Weight > 0 {
			terms = append(terms, fmt.Sprintf("%s × %s %s", num(r.Weight), r.Name, num(r.Value)))
		}
	}
	return fmt.Sprintf("100 × authenticity %s × weighted mean %s (%s, ÷ %s) = %s",
		num(auth), num(quality), strings.Join(terms, " + "), num(wsum), num(composite))
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// pct formats a figure already in percent: two decimals under 10, one from
// 10 up, trailing zeros dropped ("2.44%", "10.3%", "25%").
func pct(v float64) string {
	prec := 2
	if math.Abs(v) >= 10 {
		prec = 1
	}
	return trimZeros(strconv.FormatFloat(v, 'f', prec, 64)) + "%"
}

// num formats a plain figure with up to two decimals, trailing zeros dropped.
func num(v float64) string { return trimZeros(strconv.FormatFloat(v, 'f', 2, 64)) }

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// share formats a fraction as a percentage: 0.25 → "25%".
func share(f float64) string { return num(100*f) + "%" }

func hours(h float64) string {
	if h < 1 {
		return fmt.Sprintf("%.0f min", h*60)
	}
	return num(h) + " h"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// thousands is model.Thousands (one definition of the rule).
func thousands(n int64) string { return model.Thousands(n) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
