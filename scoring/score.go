// Package scoring turns a creator's collected profile, posts and comments into
// a model.Score: engagement rate against the benchmark of the creator's tier,
// how much the creator answers the audience, a first estimate of how genuine
// the engagement looks, and a weighted composite for ranking. Every figure
// keeps its breakdown (value, weight, reason in plain English) so a scout can
// see why a creator ranks where it does.
//
// The package is pure: it does no I/O, imports no network, store or collector
// code, and takes the current time as an argument. Benchmarks come from
// configs/benchmarks.yaml through ParseBenchmarks.
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
	FlagDuplicateComments  = "duplicate_comments"      // DuplicateShareFlag or more of comments copy-pasted
	FlagLowEffortComments  = "low_effort_comments"     // LowEffortShareFlag or more generic, emoji-only or duplicate
)

// Thresholds behind the flags.
const (
	ImplausibleHigh    = 5.0 // benchmark index above this: bought engagement, or one viral post
	ImplausibleLow     = 0.1 // benchmark index below this: bought or dormant followers
	DuplicateShareFlag = 0.2
	LowEffortShareFlag = 0.5
)

// Config holds the scoring settings a run may change.
type Config struct {
	// Weights of the composite, keyed by WeightEngagement, WeightReply and
	// WeightAuthenticity. They need not sum to 1: the composite divides by
	// the sum of the weights of the parts that could be measured.
	Weights map[string]float64
	// SettledAfter is the age a post must reach before it counts for ER.
	SettledAfter time.Duration
	// PostsN overrides, per platform, the N of benchmarks.yaml.
	PostsN map[string]int
}

// DefaultConfig returns weights engagement 0.40, reply 0.30, authenticity
// 0.30, posts settled after 24 h, and N from the benchmarks.
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
// positive weight, a negative SettledAfter or an N below 1.
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
	// History is the creator's daily snapshots, for growth and spike signals;
	// this first score does not read it yet.
	History []model.Snapshot
}

// Score scores one creator at now.
//
// ER is taken over the N most recent settled posts (N from cfg.PostsN, else
// the benchmarks), skipping replies, reposts and posts whose CreatorID is
// another account's. The benchmark index divides the ER the platform's
// benchmark measures (by followers, or by views on video platforms, see
// benchmarks.yaml) by the tier's benchmark midpoint; creators under 1k
// followers are compared with nano. The composite is
//
//	100 × Σ weight × value ÷ Σ weight
//
// over the three parts that could be measured (a part with no data — no
// benchmark, no comments — is left out with weight 0 and a flag, rather than
// scored as 0): engagement = min(1, index ÷ 2), so twice the benchmark earns
// full marks; reply = ReplyDepth's Score; authenticity = Authenticity's Value.
// The Breakdown's rows with a weight are exactly those three; the others are
// shown for the scout with weight 0.
func Score(in Input, bm Benchmarks, cfg Config, now time.Time) model.Score {
	c := in.Creator
	platform := c.Platform
	name := bm.displayName(platform)
	tier := Tier(c.Followers)
	s := model.Score{Tier: tier, ComputedAt: now}
	var flags []string

	// Engagement.
	own := ownPosts(c, in.Posts)
	n := cfg.postsN(platform, bm)
	eng := Engagement(own, c.Followers, now, cfg.SettledAfter, n)
	used := settledPosts(own, now, cfg.SettledAfter, n)
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
	engRow := model.Component{Name: WeightEngagement}
	bench, hasBench := bm.Benchmark(platform, benchTier)
	s.Benchmark = bench // shown even when the ER behind the index is missing
	basisER, hasER, why := basisValue(basis, c, eng)
	switch {
	case !hasBench:
		flags = append(flags, FlagNoBenchmark)
		engRow.Reason = fmt.Sprintf("not scored: no %s benchmark for the %s tier", name, benchTier)
	case !hasER:
		if basis == BasisViews && eng.PostsUsed > 0 {
			flags = append(flags, FlagNoViews)
		}
		engRow.Reason = "not scored: " + why
	default:
		s.BenchmarkIndex = basisER / bench
		engRow.Raw = s.BenchmarkIndex
		engRow.Value = clamp01(s.BenchmarkIndex / 2)
		engRow.Weight = cfg.weight(WeightEngagement)
		engRow.Reason = engagementReason(bm, platform, name, tier, benchTier, basis, basisER, s.BenchmarkIndex)
		if s.BenchmarkIndex > ImplausibleHigh || s.BenchmarkIndex < ImplausibleLow {
			flags = append(flags, FlagERImplausible)
		}
	}

	// Reply depth.
	comments := markCreator(c, in.Comments)
	s.ReplyDepth = ReplyDepth(c, in.Posts, comments)
	rd := s.ReplyDepth
	replyRow := model.Component{Name: WeightReply, Raw: rd.Score, Value: rd.Score}
	if rd.Commenters == 0 {
		flags = append(flags, FlagNoComments)
		replyRow.Reason = "not scored: no audience comments were read"
	} else {
		replyRow.Weight = cfg.weight(WeightReply)
		replyRow.Reason = replyReason(rd)
	}

	// Authenticity.
	auth := Authenticity(platform, used, comments, bm)
	s.Authenticity = auth.Value
	authRow := model.Component{Name: WeightAuthenticity, Raw: auth.Value, Value: auth.Value}
	if auth.Signals == 0 {
		authRow.Reason = "not scored: no comments with text and no post showing both likes and comments"
	} else {
		authRow.Weight = cfg.weight(WeightAuthenticity)
		authRow.Reason = authenticityReason(auth)
	}
	if auth.LikesPerCommentOff {
		flags = append(flags, FlagLikesPerCommentOff)
	}
	if auth.Comments > 0 {
		total := float64(auth.Comments)
		if float64(auth.Duplicates)/total >= DuplicateShareFlag {
			flags = append(flags, FlagDuplicateComments)
		}
		if float64(auth.Generic+auth.EmojiOnly+auth.Duplicates)/total >= LowEffortShareFlag {
			flags = append(flags, FlagLowEffortComments)
		}
	}

	// Composite.
	var sum, wsum float64
	for _, r := range []model.Component{engRow, replyRow, authRow} {
		if r.Weight > 0 {
			sum += r.Weight * r.Value
			wsum += r.Weight
		}
	}
	if wsum > 0 {
		s.Composite = 100 * sum / wsum
	}

	// Breakdown.
	b := []model.Component{
		{Name: "tier", Raw: float64(c.Followers), Reason: tierReason(c.Followers, tier)},
		{Name: "er", Raw: eng.Mean, Reason: erReason(c, eng)},
		{Name: "er_median", Raw: eng.Median, Reason: erMedianReason(c, eng)},
		{Name: "er_by_views", Raw: deref(eng.ByViews), Reason: erViewsReason(eng)},
		engRow,
		replyRow,
	}
	b = append(b, replyParts(rd)...)
	b = append(b, authRow)
	for _, comp := range auth.Components {
		comp.Name = WeightAuthenticity + "." + comp.Name
		if comp.Weight > 0 {
			comp.Reason += fmt.Sprintf(" (%s of authenticity)", share(comp.Weight))
		}
		comp.Weight = 0
		b = append(b, comp)
	}
	s.Breakdown = b
	s.Flags = flags
	return finite(s)
}

// basisValue returns the ER the platform's benchmark measures, or why it is
// missing.
func basisValue(basis string, c model.Creator, eng EngagementResult) (float64, bool, string) {
	switch {
	case eng.PostsUsed == 0:
		return 0, false, "no settled post to measure (posts must be at least a day old, not replies or reposts, and show some counts)"
	case basis == BasisViews:
		if eng.ByViews == nil {
			return 0, false, "the benchmark is ER by views, and no post shows its views"
		}
		return *eng.ByViews, true, ""
	case c.Followers <= 0:
		return 0, false, "no follower count, so no ER by followers"
	default:
		return eng.Mean, true, ""
	}
}

// ownPosts drops posts another account wrote (reposts that kept the original
// author's id).
func ownPosts(c model.Creator, posts []model.Post) []model.Post {
	out := make([]model.Post, 0, len(posts))
	for _, p := range posts {
		if c.ID != "" && p.CreatorID != "" && p.CreatorID != c.ID {
			continue
		}
		out = append(out, p)
	}
	return out
}

// markCreator returns the comments with ByCreator set on those whose author
// is the creator, so every part agrees on whose comments are whose.
func markCreator(c model.Creator, comments []model.Comment) []model.Comment {
	out := make([]model.Comment, len(comments))
	for i, cm := range comments {
		cm.ByCreator = isCreatorComment(c, cm)
		out[i] = cm
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

func engagementReason(bm Benchmarks, platform, name, tier, benchTier, basis string, er, index float64) string {
	label := "ER"
	if basis == BasisViews {
		label = "ER by views"
	}
	t := bm.Platforms[platform].Tiers[benchTier]
	s := fmt.Sprintf("%s %s is %s× the %s %s benchmark of %s", label, pct(er), num(index), name, benchTier, pct(t.Mid))
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
	if tier == model.TierBelow {
		s += "; the creator is under 1k followers"
	}
	return s + "; twice the benchmark or more earns full marks"
}

func replyReason(rd model.ReplyDepth) string {
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
	return s + fmt.Sprintf(", threads %s levels deep on average", num(rd.MeanDepth))
}

// replyParts are the three parts of the reply score as shown-only rows.
func replyParts(rd model.ReplyDepth) []model.Component {
	answered := model.Component{Name: WeightReply + ".answered", Raw: rd.AnsweredShare, Value: rd.AnsweredShare}
	speed := model.Component{Name: WeightReply + ".speed", Raw: rd.MedianHoursToReply, Value: replySpeed(rd)}
	depth := model.Component{Name: WeightReply + ".depth", Raw: rd.MeanDepth, Value: replyDepthScore(rd)}
	if rd.Commenters == 0 {
		answered.Reason = "not measured: no audience comments"
		speed.Reason = answered.Reason
		depth.Reason = answered.Reason
		speed.Raw = -1
		return []model.Component{answered, speed, depth}
	}
	answered.Reason = fmt.Sprintf("the creator answered %s of the commenters (%s of the reply score)",
		pct(100*rd.AnsweredShare), share(replyWeightAnswered))
	if rd.MedianHoursToReply < 0 {
		speed.Reason = fmt.Sprintf("no answer with a known time (%s of the reply score)", share(replyWeightSpeed))
	} else {
		speed.Reason = fmt.Sprintf("median %s from a comment to the creator's first answer; %s scores half (%s of the reply score)",
			hours(rd.MedianHoursToReply), hours(replyHalfHours), share(replyWeightSpeed))
	}
	depth.Reason = fmt.Sprintf("threads are %s levels deep on average; 1 = nobody answered anyone, 3 or more earns full marks (%s of the reply score)",
		num(rd.MeanDepth), share(replyWeightDepth))
	return []model.Component{answered, speed, depth}
}

func authenticityReason(a AuthenticityResult) string {
	var parts []string
	if a.Comments > 0 {
		n := float64(a.Comments)
		parts = append(parts, fmt.Sprintf("of %s, %s generic, %s emoji-only, %s copy-pasted",
			plural(a.Comments, "comment"), pct(100*float64(a.Generic)/n), pct(100*float64(a.EmojiOnly)/n),
			pct(100*float64(a.Duplicates)/n)))
	}
	if a.LikesPerComment != nil {
		s := num(*a.LikesPerComment) + " likes per comment"
		if a.LikesPerCommentOff {
			s += ", far off the platform's norm"
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("%s measured: %s", plural(a.Signals, "signal"), strings.Join(parts, "; "))
}

// finite replaces NaN and ±Inf, which the store rejects, by 0.
func finite(s model.Score) model.Score {
	f := func(x float64) float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return x
	}
	s.ER, s.ERMedian, s.Benchmark, s.BenchmarkIndex = f(s.ER), f(s.ERMedian), f(s.Benchmark), f(s.BenchmarkIndex)
	s.Authenticity, s.Composite = f(s.Authenticity), f(s.Composite)
	if s.ERByViews != nil {
		v := f(*s.ERByViews)
		s.ERByViews = &v
	}
	rd := &s.ReplyDepth
	rd.AnsweredShare, rd.MedianHoursToReply, rd.MeanDepth, rd.Score =
		f(rd.AnsweredShare), f(rd.MedianHoursToReply), f(rd.MeanDepth), f(rd.Score)
	for i := range s.Breakdown {
		c := &s.Breakdown[i]
		c.Raw, c.Value, c.Weight = f(c.Raw), f(c.Value), f(c.Weight)
	}
	return s
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

// share formats a fraction as a whole-looking percentage: 0.25 → "25%".
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

// thousands writes n with comma separators: 12400 → "12,400".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
