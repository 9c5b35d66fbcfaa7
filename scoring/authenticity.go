package scoring

import (
	"fmt"
	"math"
	"strings"

	"github.com/nanoscout/nanoscout/model"
)

// Names of the authenticity signals (breakdown rows "authenticity.<name>").
const (
	SignalFollowerSpikes     = "follower_spikes"
	SignalERJump             = "er_jump"
	SignalLikesPerComment    = "likes_per_comment"
	SignalLikesPerShare      = "likes_per_share"
	SignalLikesPerView       = "likes_per_view"
	SignalReach              = "reach"
	SignalERForTier          = "er_for_tier"
	SignalFollowBack         = "follow_back"
	SignalSponsoredShare     = "sponsored_share"
	SignalUndisclosed        = "undisclosed_sponsorship"
	SignalSponsoredBlindness = "sponsored_blindness"
	SignalSpam               = "spam_comments"
	SignalLowEffort          = "low_effort_comments"
	SignalRepeated           = "repeated_comments"
	SignalDiversity          = "commenter_diversity"
	SignalRecurring          = "recurring_commenters"
	SignalRing               = "commenter_ring"
	SignalEvidence           = "comment_evidence"
	SignalAudience           = "audience_quality"
)

// SignalWeights are the weights of the signals within authenticity: the
// largest share of authenticity each can take away (a signal at full risk
// multiplies authenticity by 1 − weight). The ones that only bought or
// coordinated engagement produces weigh most; the ones honest creators also
// show now and then (a follow-back habit, a stray undisclosed code) least.
var SignalWeights = map[string]float64{
	SignalFollowerSpikes:     0.6,
	SignalERJump:             0.4,
	SignalLikesPerComment:    0.7,
	SignalLikesPerShare:      0.6,
	SignalLikesPerView:       0.6,
	SignalReach:              0.6,
	SignalERForTier:          0.5,
	SignalFollowBack:         0.15,
	SignalSponsoredShare:     0.6,
	SignalUndisclosed:        0.3,
	SignalSponsoredBlindness: 0, // shown for brands, not a sign of fraud
	SignalSpam:               0.7,
	SignalLowEffort:          0.5,
	SignalRepeated:           0.3,
	SignalDiversity:          0.3,
	SignalRecurring:          0.4,
	SignalRing:               0.8,
	SignalAudience:           0.6,
}

// Signal is one authenticity signal as measured for a creator.
type Signal struct {
	Name     string
	Flag     string  // flag set when Risk ≥ SignalFlag
	Measured bool    // enough data to judge
	Raw      float64 // the measured figure (share, ratio, z-score…)
	Risk     float64 // 0 = normal … 1 = a clear red flag, already scaled by the evidence
	Weight   float64 // SignalWeights[Name]
	Reason   string  // a sentence a scout can read
}

// Multiplier is what the signal multiplies authenticity by: 1 − Weight × Risk.
func (s Signal) Multiplier() float64 {
	if !s.Measured {
		return 1
	}
	return 1 - s.Weight*clamp01(s.Risk)
}

func (s Signal) component() model.Component {
	c := model.Component{Name: WeightAuthenticity + "." + s.Name, Raw: s.Raw, Value: 1, Reason: s.Reason}
	if !s.Measured {
		return c
	}
	c.Value = 1 - clamp01(s.Risk)
	c.Weight = s.Weight
	switch {
	case s.Weight == 0:
		c.Reason += " (weight 0: shown only)"
	case s.Risk > 0:
		c.Reason += fmt.Sprintf(" (weight %s: authenticity ×%s)", num(s.Weight), num(s.Multiplier()))
	default:
		c.Reason += fmt.Sprintf(" (weight %s: no deduction)", num(s.Weight))
	}
	return c
}

func newSignal(name, flag string) Signal {
	return Signal{Name: name, Flag: flag, Weight: SignalWeights[name]}
}

// followerSignal judges spikes and drops in the daily follower history.
func followerSignal(g GrowthResult) Signal {
	s := newSignal(SignalFollowerSpikes, FlagFollowerSpike)
	if g.Days < GrowthMinDays {
		s.Reason = fmt.Sprintf("not measured: %s of follower history, %d needed", plural(g.Days, "day-to-day change"), GrowthMinDays)
		return s
	}
	s.Measured = true
	spike, drop := g.spikeRisk(), g.dropRisk()
	s.Risk = max(spike, drop)
	switch {
	case spike > 0 && spike >= drop:
		s.Raw = g.SpikeZ
		s.Reason = fmt.Sprintf("followers jumped %s in a day on %s, %s robust standard deviations above the usual daily change of %s over %s: bought followers arrive like this",
			pct(100*g.SpikeGrowth), g.SpikeDay, num(g.SpikeZ), pct(100*g.MedianGrowth), plural(g.Days, "day"))
	case drop > 0:
		s.Flag = FlagFollowerDrop
		s.Raw = g.DropZ
		s.Reason = fmt.Sprintf("followers fell %s in a day on %s, %s robust standard deviations below the usual daily change of %s: platforms purge bought followers like this",
			pct(-100*g.DropGrowth), g.DropDay, num(-g.DropZ), pct(100*g.MedianGrowth))
	default:
		s.Raw = g.SpikeZ
		s.Reason = fmt.Sprintf("steady follower history: no day over %s stands out from the usual change of %s a day (largest robust z %s)",
			plural(g.Days, "day"), pct(100*g.MedianGrowth), num(g.SpikeZ))
	}
	return s
}

// erJumpSignal judges the current ER against the creator's daily ER history.
func erJumpSignal(j ERJumpResult, hasER bool) Signal {
	s := newSignal(SignalERJump, FlagERJump)
	if !j.Measure || !hasER {
		s.Reason = fmt.Sprintf("not measured: %s of ER history, %d needed", plural(j.Days, "earlier day"), ERJumpMinDays)
		return s
	}
	s.Measured, s.Raw, s.Risk = true, j.Ratio, j.risk()
	if s.Risk > 0 {
		s.Reason = fmt.Sprintf("ER jumped to %s, %s× its median of %s over %s (robust z %s): engagement that switches on overnight is often bought",
			pct(j.Latest), num(j.Ratio), pct(j.Median), plural(j.Days, "earlier day"), num(j.Z))
	} else {
		s.Reason = fmt.Sprintf("ER %s is in line with its median of %s over %s", pct(j.Latest), pct(j.Median), plural(j.Days, "earlier day"))
	}
	return s
}

// Thresholds of the likes-ratio signals: a ratio counts as out of proportion
// from 2 (noise-aware) standard deviations above the platform's peers and
// 1.5× their typical ratio, and is a clear red flag at 4 standard deviations.
const (
	likesRatioZFrom  = 2.0
	likesRatioZFull  = 4.0
	likesRatioFactor = 1.5
)

// ratioAgainstPeers compares a likes ratio with the peers' norm: z = (log10
// ratio − median) ÷ √(between² + counting noise), so that a creator with few
// comments needs a larger deviation to count. It returns z, the factor over
// the typical ratio, and the risk (high side; the low side too when low).
func ratioAgainstPeers(l LikesRatioResult, norm Norm, low bool) (z, factor, risk float64) {
	z = (math.Log10(l.Ratio) - norm.Median) / math.Sqrt(norm.Between*norm.Between+l.logNoise())
	factor = l.Ratio / math.Pow(10, norm.Median)
	switch {
	case z > 0 && factor >= likesRatioFactor:
		risk = ramp(z, likesRatioZFrom, likesRatioZFull)
	case low && z < 0 && factor <= 1/likesRatioFactor:
		risk = ramp(-z, likesRatioZFrom, likesRatioZFull)
	}
	return z, factor, risk
}

// peerNorm returns the tier's norm, else the platform's, and who the peers are.
func peerNorm(norms map[string]Norm, tier, name string) (Norm, string, bool) {
	if nm, ok := norms[tier]; ok {
		return nm, name + " " + tier + " creators", true
	}
	nm, ok := norms[""]
	return nm, name + " creators", ok
}

// likesPerCommentSignal compares likes per comment with the platform's
// peers (the cohort's norm), or with the range in benchmarks.yaml until a
// cohort is measured. Far above: likes may be bought; far below: comments
// may come from an engagement group.
func likesPerCommentSignal(l LikesRatioResult, co *Cohort, tier string, bm Benchmarks, platform, name string) Signal {
	s := newSignal(SignalLikesPerComment, FlagLikesPerCommentOff)
	if !l.Measured {
		if l.Posts == 0 {
			s.Reason = "not measured: no post shows both its likes and its comments"
		} else {
			s.Reason = fmt.Sprintf("not measured: no likes and no comments on %s", plural(l.Posts, "post"))
		}
		return s
	}
	s.Raw = l.Ratio
	if norm, peers, ok := peerNorm(co.LikesPerComment, tier, name); ok && l.Likes > 0 && l.Other > 0 {
		s.Measured = true
		z, factor, risk := ratioAgainstPeers(l, norm, true)
		s.Risk = risk
		s.Reason = fmt.Sprintf("%s likes per comment on %s (%d likes, %d comments), %s× the %s typical of %d %s (z %s, counting noise and the spread between creators allowed for)",
			num(l.Ratio), plural(l.Posts, "post"), l.Likes, l.Other, num(factor), num(math.Pow(10, norm.Median)), norm.N, peers, num(z))
		switch {
		case risk > 0 && z > 0:
			s.Reason += ": likes out of proportion to the conversation are often bought"
		case risk > 0:
			s.Reason += ": comments out of proportion to likes come from engagement groups or bought comments"
		}
		return s
	}
	lo, hi := bm.LikesPerComment(platform)
	if hi <= 0 {
		s.Reason = fmt.Sprintf("%s likes per comment; not judged: no norm for %s", num(l.Ratio), name)
		return s
	}
	s.Measured = true
	evidence := float64(l.Other) / (float64(l.Other) + LikesRatioMinOther)
	norm2 := fmt.Sprintf("%s's usual %s–%s (benchmarks.yaml)", name, num(lo), num(hi))
	var f float64
	var where, why string
	switch {
	case l.Other == 0 || l.Ratio > hi:
		f, where, why = l.Ratio/hi, "above", "likes may be bought, or comments switched off"
	case l.Ratio < lo && l.Ratio > 0:
		f, where, why = lo/l.Ratio, "below", "comments may be bought or come from engagement groups"
	case l.Ratio == 0:
		f, where, why = math.Inf(1), "below", "comments may be bought or come from engagement groups"
	default:
		s.Reason = fmt.Sprintf("%s likes per comment on %s, within %s", num(l.Ratio), plural(l.Posts, "post"), norm2)
		return s
	}
	s.Risk = ramp(f, 1.5, 4) * evidence
	if math.IsInf(f, 1) {
		s.Reason = fmt.Sprintf("no likes against %d comments on %s, far below %s: %s", l.Other, plural(l.Posts, "post"), norm2, why)
	} else {
		s.Reason = fmt.Sprintf("%s likes per comment on %s, %s× %s %s", num(l.Ratio), plural(l.Posts, "post"), num(f), where, norm2)
		if s.Risk > 0 {
			s.Reason += ": " + why
		}
	}
	return s
}

// likesPerShareSignal compares likes per share (reposts and quotes included)
// with the platform's peers; measured only once a cohort is, and only where
// the platform shows shares.
func likesPerShareSignal(l LikesRatioResult, co *Cohort, tier, name string) Signal {
	return likesPerPeerSignal(l, co.LikesPerShare, tier, name, likesRatioSpec{
		signal: SignalLikesPerShare, flag: FlagLikesPerShareOff, others: "shares", counted: "shares and quotes",
		per: "share", scale: 1, risk: "likes that nobody passes on are often bought",
		fewPosts: func(posts int) (string, bool) {
			return "not measured: no post shows both its likes and its shares", posts == 0
		},
	})
}

// likesPerViewSignal compares likes per view with the platform's peers of
// the tier (high side only): bought likes arrive without the views real
// likes come with, so the ratio stands out even when comments are too few
// for likes per comment to tell. Measured once a cohort is, over at least
// ReachMinPosts posts showing likes and views.
func likesPerViewSignal(l LikesRatioResult, co *Cohort, tier, name string) Signal {
	return likesPerPeerSignal(l, co.LikesPerView, tier, name, likesRatioSpec{
		signal: SignalLikesPerView, flag: FlagLikesPerViewOff, others: "views", counted: "views",
		per: "100 views", scale: 100, risk: "likes from accounts that never watched are bought",
		fewPosts: func(posts int) (string, bool) {
			return fmt.Sprintf("not measured: %s show likes and views, %d needed", plural(posts, "post"), ReachMinPosts), posts < ReachMinPosts
		},
	})
}

// likesRatioSpec is what tells the likes-per-share and likes-per-view
// signals apart.
type likesRatioSpec struct {
	signal, flag string
	fewPosts     func(posts int) (reason string, few bool) // too few posts to measure?
	others       string                                    // the other count, plural ("shares")
	counted      string                                    // what Other sums ("shares and quotes")
	per          string                                    // the ratio's unit ("share", "100 views")
	scale        float64                                   // the ratio's factor for that unit
	risk         string                                    // why a high ratio is a risk
}

// likesPerPeerSignal judges likes per another count against the platform's
// peers of the tier (high side only).
func likesPerPeerSignal(l LikesRatioResult, norms map[string]Norm, tier, name string, sp likesRatioSpec) Signal {
	s := newSignal(sp.signal, sp.flag)
	norm, peers, ok := peerNorm(norms, tier, name)
	if reason, few := sp.fewPosts(l.Posts); few {
		s.Reason = reason
		return s
	}
	switch {
	case !ok:
		s.Reason = "not measured: compared with the platform's peers only, once enough of them are measured"
		return s
	case l.Likes <= 0 || l.Other <= 0:
		s.Reason = fmt.Sprintf("not measured: %d likes and %d %s on %s", l.Likes, l.Other, sp.others, plural(l.Posts, "post"))
		return s
	}
	z, factor, risk := ratioAgainstPeers(l, norm, false)
	s.Measured, s.Raw, s.Risk = true, l.Ratio, risk
	s.Reason = fmt.Sprintf("%s likes per %s on %s (%d likes, %d %s), %s× the %s typical of %d %s (z %s, counting noise and the spread between creators allowed for)",
		num(sp.scale*l.Ratio), sp.per, plural(l.Posts, "post"), l.Likes, l.Other, sp.counted, num(factor), num(sp.scale*math.Pow(10, norm.Median)), norm.N, peers, num(z))
	if risk > 0 {
		s.Reason += ": " + sp.risk
	}
	return s
}

// reachSignal judges how many of the followers see the posts, against the
// platform's peers of the tier (the median of their mean views per post ÷
// followers): under half of it starts to cost, a quarter is a clear red
// flag. Many followers who do not watch are bought, or long gone, and
// brands pay for reach. Low side only: posts that travel beyond the
// followers are no red flag.
func reachSignal(r ReachResult, co *Cohort, tier, name string) Signal {
	s := newSignal(SignalReach, FlagLowReach)
	norm, peers, ok := peerNorm(co.Reach, tier, name)
	switch {
	case r.Posts < ReachMinPosts:
		s.Reason = fmt.Sprintf("not measured: %s show views, %d needed", plural(r.Posts, "post"), ReachMinPosts)
		return s
	case !r.Measured:
		s.Reason = "not measured: no follower count"
		return s
	case !ok:
		s.Reason = "not measured: compared with the platform's peers only, once enough of them are measured"
		return s
	}
	typical := math.Pow(10, norm.Median)
	factor := r.Ratio / typical
	s.Measured, s.Raw = true, r.Ratio
	if factor > 0 {
		s.Risk = ramp(math.Log2(1/factor), 1, 2) // half the typical reach → a quarter
	}
	s.Reason = fmt.Sprintf("%s views per post per follower on %s, %s× the %s typical of %d %s",
		num(r.Ratio), plural(r.Posts, "post"), num(factor), num(typical), norm.N, peers)
	if s.Risk > 0 {
		s.Reason += ": most followers do not watch, as with bought or long-gone followers (under half the typical reach starts to cost, a quarter is a clear red flag)"
	}
	return s
}

// erForTierSignal judges an ER far above what the tier reaches organically:
// from 3× the benchmark (shrunk ER) it starts to cost, at 6× it is a clear
// red flag.
func erForTierSignal(e erEstimate, bench float64, ok bool, tier, name string) Signal {
	s := newSignal(SignalERForTier, FlagERImplausible)
	s.Flag = "" // the v1 flag on the raw index is kept separately
	if !ok || bench <= 0 {
		s.Reason = "not measured: no ER against a benchmark"
		return s
	}
	idx := e.mean / bench
	s.Measured, s.Raw, s.Risk = true, idx, ramp(idx, 3, 6)
	if s.Risk > 0 {
		s.Reason = fmt.Sprintf("ER %s× the %s %s benchmark even after shrinking: organic %s creators rarely pass 3×, bought likes or engagement groups do", num(idx), name, tier, tier)
	} else {
		s.Reason = fmt.Sprintf("ER %s× the %s %s benchmark: plausible for the tier (3× and above starts to cost)", num(idx), name, tier)
	}
	return s
}

// followBackSignal judges accounts that follow about as many accounts as
// follow them (follow-for-follow growth), from 1,000 followings on.
func followBackSignal(c model.Creator) Signal {
	s := newSignal(SignalFollowBack, FlagFollowBack)
	if c.Followers <= 0 || c.Following < 0 {
		s.Reason = "not measured: no follower count"
		return s
	}
	ratio := float64(c.Following) / float64(c.Followers)
	s.Measured, s.Raw = true, ratio
	if c.Following >= 1000 {
		s.Risk = ramp(ratio, 0.8, 1.5)
	}
	if s.Risk > 0 {
		s.Reason = fmt.Sprintf("follows %s accounts with %s followers (ratio %s): follow-for-follow growth brings followers who do not watch",
			thousands(c.Following), thousands(c.Followers), num(ratio))
	} else {
		s.Reason = fmt.Sprintf("follows %s accounts with %s followers (ratio %s)", thousands(c.Following), thousands(c.Followers), num(ratio))
	}
	return s
}

// contentSignals judge the share of paid posts, undisclosed paid posts and
// how the audience takes paid posts.
func contentSignals(r ContentResult) []Signal {
	share := newSignal(SignalSponsoredShare, FlagSponsoredHeavy)
	undisclosed := newSignal(SignalUndisclosed, FlagUndisclosedAds)
	blind := newSignal(SignalSponsoredBlindness, "")
	if r.Posts < ContentMinPosts {
		why := fmt.Sprintf("not measured: %s read, %d needed", plural(r.Posts, "post"), ContentMinPosts)
		share.Reason, undisclosed.Reason, blind.Reason = why, why, why
		return []Signal{share, undisclosed, blind}
	}
	ex := ""
	if len(r.Examples) > 0 {
		ex = " (" + strings.Join(r.Examples, "; ") + ")"
	}
	share.Measured, share.Raw, share.Risk = true, r.SponsoredShare, ramp(r.SponsoredShare, 0.2, 0.5)
	share.Reason = fmt.Sprintf("%d of %s are paid or selling%s", r.Sponsored, plural(r.Posts, "post"), ex)
	if share.Risk > 0 {
		share.Reason += fmt.Sprintf(": with %s of the feed paid, the audience follows for the ads as much as for the creator", share2(r.SponsoredShare))
	} else {
		share.Reason += " (more than one in five starts to cost)"
	}

	u := float64(r.Undisclosed) / float64(r.Posts)
	undisclosed.Measured, undisclosed.Raw, undisclosed.Risk = true, u, ramp(u, 0, 0.1)
	if r.Undisclosed > 0 {
		undisclosed.Reason = fmt.Sprintf("%d of %s sell with a promo code or affiliate link and no disclosure (#ad, paid partnership, #werbung…): a legal risk for the brand",
			r.Undisclosed, plural(r.Posts, "post"))
	} else {
		undisclosed.Reason = fmt.Sprintf("every selling post among %s discloses it", plural(r.Posts, "post"))
	}

	if r.Blindness == nil {
		blind.Reason = "not measured: needs at least two paid and two other posts with ER"
	} else {
		blind.Measured, blind.Raw = true, *r.Blindness
		blind.Reason = fmt.Sprintf("paid posts get %s× the ER of the others", num(*r.Blindness))
		switch {
		case *r.Blindness < 0.5:
			blind.Reason += ": the audience scrolls past ads"
		case *r.Blindness >= 0.9:
			blind.Reason += ": the audience engages with ads as with anything else"
		}
	}
	return []Signal{share, undisclosed, blind}
}

func share2(f float64) string { return num(100*f) + "%" }

// Ring-share thresholds: from 30 % of the comments a ring is a pod whatever
// the platform (certain at 60 %); from 15 %, a share 3 robust standard
// deviations above the platform's creators (spread at least 0.05) counts
// too, certain at 6.
const (
	ringShareFrom, ringShareFull = 0.3, 0.6
	ringShareMin                 = 0.15
	ringZFrom, ringZFull         = 3.0, 6.0
	ringMinSpread                = 0.05
)

// ringRisk judges a ring share absolutely and against the platform's
// creators, and says how it compares.
func ringRisk(share float64, norm Norm) (float64, string) {
	risk := ramp(share, ringShareFrom, ringShareFull)
	if norm.N == 0 {
		return risk, ""
	}
	z := (share - norm.Median) / max(madScale*norm.MAD, ringMinSpread)
	if share >= ringShareMin {
		risk = max(risk, ramp(z, ringZFrom, ringZFull))
	}
	return risk, fmt.Sprintf(" (the platform's creators typically get %s of theirs from such groups; z %s)", share2(norm.Median), num(z))
}

// commentSignals judge the audience comments; every risk is scaled by the
// comment evidence (how many top-level comments were read).
func commentSignals(r CommentResult, ring *RingScore, ringNorm Norm, evidence float64) []Signal {
	spam := newSignal(SignalSpam, FlagSpamComments)
	low := newSignal(SignalLowEffort, FlagLowEffortComments)
	rep := newSignal(SignalRepeated, "")
	div := newSignal(SignalDiversity, FlagFewCommenters)
	rec := newSignal(SignalRecurring, FlagRecurringRing)
	rg := newSignal(SignalRing, FlagCommentRing)
	low.Flag = "" // set from the share directly, as in v1
	if r.Comments == 0 {
		why := "not measured: no audience comments with text were read"
		for _, s := range []*Signal{&spam, &low, &rep, &div, &rec, &rg} {
			s.Reason = why
		}
		return []Signal{spam, low, rep, div, rec, rg}
	}
	by := "the built-in phrase list"
	if r.SpamModel {
		by = "the spam model"
	}
	spam.Measured, spam.Raw, spam.Risk = true, r.Spam, ramp(r.Spam, 0.1, 0.4)*evidence
	spam.Reason = fmt.Sprintf("%s of %s are more likely spam than not by %s (self-promotion, link drops; 10%% is tolerated, 40%% is a clear red flag)",
		share2(r.Spam), plural(r.Comments, "audience comment"), by)

	if r.TopLevel == 0 {
		why := "not measured: no top-level audience comments"
		for _, s := range []*Signal{&low, &rep, &div, &rec, &rg} {
			s.Reason = why
		}
		return []Signal{spam, low, rep, div, rec, rg}
	}
	t := float64(r.TopLevel)
	lowShare := float64(r.Generic+r.EmojiOnly) / t
	low.Measured, low.Raw, low.Risk = true, lowShare, ramp(lowShare, 0.3, 0.7)*evidence
	low.Reason = fmt.Sprintf("%d of %s are stock phrases and %d only emoji", r.Generic, plural(r.TopLevel, "top-level comment"), r.EmojiOnly)
	if ex := mostCommon(r.GenericSeen, 2); len(ex) > 0 {
		low.Reason += ", e.g. " + strings.Join(ex, ", ")
	}
	low.Reason += fmt.Sprintf(" (%s; from 30%% on they say nothing about the post, as pod and bot comments do)", share2(lowShare))

	dupShare := float64(r.Duplicates) / t
	rep.Measured, rep.Raw, rep.Risk = true, dupShare, ramp(dupShare, 0.2, 0.5)*evidence
	rep.Reason = fmt.Sprintf("%d of %s repeat another comment word for word, %d of them under other posts too (%s; short reactions repeat by chance in long threads, so up to 20%% is tolerated; half copy-pasted is a bot campaign)",
		r.Duplicates, plural(r.TopLevel, "top-level comment"), r.CrossPost, share2(dupShare))

	if r.TopLevel < 10 {
		div.Reason = fmt.Sprintf("not measured: %s, 10 needed", plural(r.TopLevel, "top-level comment"))
	} else {
		div.Measured, div.Raw, div.Risk = true, r.Diversity, ramp(0.6-r.Diversity, 0, 0.3)*evidence
		div.Reason = fmt.Sprintf("%s wrote %s: %s distinct authors per comment (below 0.6 the same accounts keep coming back)",
			plural(r.Commenters, "account"), plural(r.TopLevel, "top-level comment"), num(r.Diversity))
	}

	if r.RecurringPosts == 0 {
		rec.Reason = fmt.Sprintf("not measured: comments under %s, 3 needed", plural(r.Threads, "post"))
	} else {
		rec.Measured, rec.Raw, rec.Risk = true, r.RecurringShare, ramp(r.RecurringShare, 0.35, 0.65)*evidence
		rec.Reason = fmt.Sprintf("%s commented under at least %d of the %d posts read and wrote %s of the comments (a loyal core is normal; above 35%% it looks like an engagement pod)",
			plural(r.Recurring, "account"), r.RecurringPosts, r.Threads, share2(r.RecurringShare))
	}

	switch {
	case ring == nil:
		rg.Reason = "not measured: commenter rings are computed across a platform's creators after collection"
	case ring.Comments == 0:
		rg.Reason = "not measured: no top-level audience comments in the cross-creator comparison"
	default:
		risk, why := ringRisk(ring.Share, ringNorm)
		rg.Measured, rg.Raw, rg.Risk = true, ring.Share, risk*evidence
		if ring.Members == 0 {
			rg.Reason = fmt.Sprintf("no group of commenters also comments together under other creators (%s share at least %d commenters with this one)",
				plural(ring.Linked, "creator"), RingMinShared)
		} else {
			rg.Reason = fmt.Sprintf("%s of the comments come from %s who also comment together under %s%s",
				share2(ring.Share), plural(ring.Members, "account"), plural(ring.Reach, "other creator"), why)
			if rg.Risk > 0 {
				rg.Reason += ": an engagement pod feeds this comment section"
			}
		}
	}
	return []Signal{spam, low, rep, div, rec, rg}
}
