// Package plan is the campaign planner: given a budget, the fee per creator
// (or per tier) and a set of creators, it estimates reach, engagements,
// conversations and conversions, with cost per engagement, per conversation
// and per acquisition — side by side with spending the same budget on one
// mega creator. It is pure arithmetic over its inputs; every assumption is a
// field of Assumptions, shown with the result and editable.
//
// The model, per creator on the plan:
//
//	reach         = followers × reach share × posts
//	engagements   = followers × ER × posts            (ER measured, by followers)
//	conversations = engagements × comment share × (1 + answered share)
//	                (the comments, plus the creator's answers to them)
//	conversions   = conversations × conversion rate   (peer recommendation: 3–7 %)
//
// and for the mega creator the same, except that conversions default to
// engagements × 0.5 %: a celebrity's audience buys from exposure, not from a
// conversation. Which of the two a side converts from is itself an
// assumption (ConversionBasis). With the defaults, the brand pitch's example
// comes out as pitched: $50,000 on one mega creator (1M followers, 1 % ER)
// is 10k engagements and 50 sales (CPA $1,000); 500 nano creators at $100
// (2k followers, 4 % ER) are 1M reach, 40k engagements, 9k conversations and
// 270–630 sales, 450 at the midpoint (CPA ~$111).
package plan

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Conversion bases.
const (
	BasisConversations = "conversations"
	BasisEngagements   = "engagements"
)

// Side is the assumptions of one side of the comparison that are not about
// the creators themselves.
type Side struct {
	// ConversionLow and ConversionHigh are the conversion rate range in %,
	// applied to the ConversionBasis; the midpoint is the estimate.
	ConversionLow  float64 `json:"conversionLow"`
	ConversionHigh float64 `json:"conversionHigh"`
	// ConversionBasis: what converts, BasisConversations or BasisEngagements.
	ConversionBasis string `json:"conversionBasis"`
	// CommentShare is the share of engagements that are comments (0..1),
	// used where a creator's posts do not measure it.
	CommentShare float64 `json:"commentShare"`
	// AnsweredShare is the share of commenters the creator answers (0..1),
	// used where the score does not measure it.
	AnsweredShare float64 `json:"answeredShare"`
}

// Mega is the single mega creator the plan is compared with.
type Mega struct {
	Followers int64   `json:"followers"`
	ER        float64 `json:"er"` // %
	// Fee is what the mega creator costs; 0 = the whole budget.
	Fee float64 `json:"fee"`
	Side
}

// Assumptions are every input of a plan besides the creators.
type Assumptions struct {
	Budget float64 `json:"budget"`
	// FeePerCreator is the fee of a creator whose tier has no FeeByTier.
	FeePerCreator float64            `json:"feePerCreator"`
	FeeByTier     map[string]float64 `json:"feeByTier,omitempty"`
	// PostsPerCreator is how many sponsored posts each creator makes.
	PostsPerCreator float64 `json:"postsPerCreator"`
	// ReachShare is the share of followers one post reaches (0..1]. The
	// pitch counts every follower (1); organic reach is often 0.1–0.4.
	ReachShare float64 `json:"reachShare"`
	// Creators are the side assumptions for the creators on the plan.
	Creators Side `json:"creators"`
	Mega     Mega `json:"mega"`
}

// Defaults returns the assumptions of the brand pitch: $50,000, $100 a
// creator, one post each, reach = followers, conversations converting at
// 3–7 % (comments 18 % of engagements, a quarter of commenters answered),
// against a 1M-follower creator at 1 % ER converting 0.5 % of engagements.
func Defaults() Assumptions {
	return Assumptions{
		Budget:          50_000,
		FeePerCreator:   100,
		PostsPerCreator: 1,
		ReachShare:      1,
		Creators: Side{ConversionLow: 3, ConversionHigh: 7, ConversionBasis: BasisConversations,
			CommentShare: 0.18, AnsweredShare: 0.25},
		Mega: Mega{Followers: 1_000_000, ER: 1, Side: Side{ConversionLow: 0.5, ConversionHigh: 0.5,
			ConversionBasis: BasisEngagements, CommentShare: 0.18, AnsweredShare: 0.02}},
	}
}

// Creator is what the planner needs of one creator. Negative shares are
// unmeasured: the side's assumption applies.
type Creator struct {
	Key           string  `json:"key"`
	Handle        string  `json:"handle"`
	Platform      string  `json:"platform"`
	Tier          string  `json:"tier"`
	Followers     int64   `json:"followers"`
	ER            float64 `json:"er"` // %
	CommentShare  float64 `json:"commentShare"`
	AnsweredShare float64 `json:"answeredShare"`
}

// FromRecord builds a planner creator from a stored record and its recent
// posts (for the comment share).
func FromRecord(rec store.CreatorRecord, posts []model.Post) Creator {
	c := Creator{Key: rec.Key, Handle: rec.Creator.Handle, Platform: rec.Creator.Platform, Followers: rec.Creator.Followers,
		CommentShare: -1, AnsweredShare: -1}
	if s := rec.Score; s != nil {
		c.Tier, c.ER = s.Tier, s.ER
		if s.ReplyDepth.Commenters > 0 {
			c.AnsweredShare = s.ReplyDepth.AnsweredShare
		}
	}
	if share, ok := CommentShare(posts); ok {
		c.CommentShare = share
	}
	return c
}

// CommentShare is comments ÷ all counted interactions (likes, comments,
// shares, quotes, saves) over posts that show both likes and comments.
func CommentShare(posts []model.Post) (float64, bool) {
	var comments, total int64
	for _, p := range posts {
		if p.IsReply || p.Likes == nil || p.Comments == nil {
			continue
		}
		comments += *p.Comments
		total += *p.Likes + *p.Comments + model.Val(p.Shares) + model.Val(p.Quotes) + model.Val(p.Saves)
	}
	if total == 0 {
		return 0, false
	}
	return float64(comments) / float64(total), true
}

// Hypothetical is n identical creators, for planning before a shortlist
// exists (the pitch's "500 nano creators with 2k followers at 4 %").
func Hypothetical(n int, followers int64, er float64) []Creator {
	out := make([]Creator, n)
	for i := range out {
		out[i] = Creator{Key: fmt.Sprintf("hypothetical:%d", i+1), Tier: model.TierOf(followers), Followers: followers, ER: er,
			CommentShare: -1, AnsweredShare: -1}
	}
	return out
}

// Line is one creator on the plan.
type Line struct {
	Creator
	Fee           float64 `json:"fee"`
	Reach         float64 `json:"reach"`
	Engagements   float64 `json:"engagements"`
	Conversations float64 `json:"conversations"`
	Measured      bool    `json:"measured"` // comment and answered shares measured, not assumed
}

// Outcome is one side's estimate.
type Outcome struct {
	Name          string  `json:"name"`
	Creators      int     `json:"creators"`
	Spend         float64 `json:"spend"`
	Reach         float64 `json:"reach"`
	Engagements   float64 `json:"engagements"`
	Conversations float64 `json:"conversations"`
	// Conversions at the low, middle and high conversion rate.
	ConversionsLow  float64 `json:"conversionsLow"`
	Conversions     float64 `json:"conversions"`
	ConversionsHigh float64 `json:"conversionsHigh"`
	// Costs; 0 where the divisor is 0.
	CostPerEngagement   float64 `json:"costPerEngagement"`
	CostPerConversation float64 `json:"costPerConversation"`
	CPA                 float64 `json:"cpa"`     // at the midpoint
	CPABest             float64 `json:"cpaBest"` // at the high conversion rate
	CPAWorst            float64 `json:"cpaWorst"`
}

// Result is a plan.
type Result struct {
	Assumptions Assumptions `json:"assumptions"`
	Creators    Outcome     `json:"creators"`
	Mega        Outcome     `json:"mega"`
	Lines       []Line      `json:"lines"`
	// Skipped counts creators given but left out: over the budget, or with
	// no follower count.
	Skipped int `json:"skipped"`
	// Unspent is the budget the creators on the plan leave.
	Unspent float64 `json:"unspent"`
}

func pct(v float64) bool { return v >= 0 && v <= 100 }

func (s Side) validate(name string) error {
	if !pct(s.ConversionLow) || !pct(s.ConversionHigh) || s.ConversionLow > s.ConversionHigh {
		return fmt.Errorf("%s: conversion range %g–%g %%: want 0 ≤ low ≤ high ≤ 100", name, s.ConversionLow, s.ConversionHigh)
	}
	if s.ConversionBasis != BasisConversations && s.ConversionBasis != BasisEngagements {
		return fmt.Errorf("%s: conversion basis %q: want %s or %s", name, s.ConversionBasis, BasisConversations, BasisEngagements)
	}
	if s.CommentShare < 0 || s.CommentShare > 1 || s.AnsweredShare < 0 || s.AnsweredShare > 1 {
		return fmt.Errorf("%s: comment and answered shares are fractions from 0 to 1", name)
	}
	return nil
}

// Validate checks the assumptions.
func (a Assumptions) Validate() error {
	var errs []error
	finite := func(vs ...float64) bool {
		return !slices.ContainsFunc(vs, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
	}
	if !finite(a.Budget, a.FeePerCreator, a.PostsPerCreator, a.ReachShare, a.Mega.ER, a.Mega.Fee) {
		errs = append(errs, errors.New("every figure must be a finite number"))
	}
	if a.Budget <= 0 {
		errs = append(errs, errors.New("budget must be positive"))
	}
	if a.FeePerCreator <= 0 {
		errs = append(errs, errors.New("fee per creator must be positive"))
	}
	for tier, fee := range a.FeeByTier {
		if fee <= 0 || !finite(fee) {
			errs = append(errs, fmt.Errorf("fee for the %s tier must be positive", tier))
		}
	}
	if a.PostsPerCreator <= 0 || a.PostsPerCreator > 100 {
		errs = append(errs, errors.New("posts per creator: want more than 0, at most 100"))
	}
	if a.ReachShare <= 0 || a.ReachShare > 1 {
		errs = append(errs, errors.New("reach share: want more than 0, at most 1"))
	}
	if a.Mega.Followers <= 0 || a.Mega.ER < 0 || a.Mega.ER > 100 || a.Mega.Fee < 0 {
		errs = append(errs, errors.New("mega creator: followers must be positive, ER from 0 to 100 %, fee ≥ 0"))
	}
	if err := a.Creators.validate("creators"); err != nil {
		errs = append(errs, err)
	}
	if err := a.Mega.validate("mega creator"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Fee is the fee of a creator of tier.
func (a Assumptions) Fee(tier string) float64 {
	if f, ok := a.FeeByTier[tier]; ok {
		return f
	}
	return a.FeePerCreator
}

// Plan fills the budget with creators in the order given (best first) while
// their fees fit, and estimates both sides.
func Plan(a Assumptions, creators []Creator) (Result, error) {
	if err := a.Validate(); err != nil {
		return Result{}, err
	}
	res := Result{Assumptions: a, Lines: []Line{}}
	spent := 0.0
	for _, c := range creators {
		fee := a.Fee(c.Tier)
		if c.Followers <= 0 || spent+fee > a.Budget+1e-9 {
			res.Skipped++
			continue
		}
		spent += fee
		l := Line{Creator: c, Fee: fee, Measured: c.CommentShare >= 0 && c.AnsweredShare >= 0}
		comment, answered := c.CommentShare, c.AnsweredShare
		if comment < 0 {
			comment = a.Creators.CommentShare
		}
		if answered < 0 {
			answered = a.Creators.AnsweredShare
		}
		f := float64(c.Followers)
		l.Reach = f * a.ReachShare * a.PostsPerCreator
		l.Engagements = f * c.ER / 100 * a.PostsPerCreator
		l.Conversations = l.Engagements * comment * (1 + answered)
		res.Lines = append(res.Lines, l)
	}
	res.Unspent = a.Budget - spent
	o := Outcome{Name: fmt.Sprintf("%d creators", len(res.Lines)), Creators: len(res.Lines), Spend: spent}
	for _, l := range res.Lines {
		o.Reach += l.Reach
		o.Engagements += l.Engagements
		o.Conversations += l.Conversations
	}
	res.Creators = outcome(o, a.Creators)

	m := a.Mega
	fee := m.Fee
	if fee == 0 {
		fee = a.Budget
	}
	mf := float64(m.Followers)
	mo := Outcome{Name: "1 mega creator", Creators: 1, Spend: fee,
		Reach: mf * a.ReachShare * a.PostsPerCreator, Engagements: mf * m.ER / 100 * a.PostsPerCreator}
	mo.Conversations = mo.Engagements * m.CommentShare * (1 + m.AnsweredShare)
	res.Mega = outcome(mo, m.Side)
	return res, nil
}

func div(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

func outcome(o Outcome, s Side) Outcome {
	base := o.Conversations
	if s.ConversionBasis == BasisEngagements {
		base = o.Engagements
	}
	o.ConversionsLow = base * s.ConversionLow / 100
	o.ConversionsHigh = base * s.ConversionHigh / 100
	o.Conversions = (o.ConversionsLow + o.ConversionsHigh) / 2
	o.CostPerEngagement = div(o.Spend, o.Engagements)
	o.CostPerConversation = div(o.Spend, o.Conversations)
	o.CPA = div(o.Spend, o.Conversions)
	o.CPABest = div(o.Spend, o.ConversionsHigh)
	o.CPAWorst = div(o.Spend, o.ConversionsLow)
	return o
}

// Explain lists the assumptions in words, as the plan page and the CLI show
// them.
func (a Assumptions) Explain() []string {
	fees := fmt.Sprintf("$%s per creator", money(a.FeePerCreator))
	if len(a.FeeByTier) > 0 {
		var parts []string
		for _, t := range []string{model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega, model.TierBelow} {
			if f, ok := a.FeeByTier[t]; ok {
				parts = append(parts, fmt.Sprintf("%s $%s", t, money(f)))
			}
		}
		fees += " (" + strings.Join(parts, ", ") + ")"
	}
	side := func(s Side) string {
		r := fmt.Sprintf("%g–%g %% of %s convert", s.ConversionLow, s.ConversionHigh, s.ConversionBasis)
		if s.ConversionLow == s.ConversionHigh {
			r = fmt.Sprintf("%g %% of %s convert", s.ConversionLow, s.ConversionBasis)
		}
		return r
	}
	megaFee := "the whole budget"
	if a.Mega.Fee > 0 {
		megaFee = "$" + money(a.Mega.Fee)
	}
	return []string{
		fmt.Sprintf("Budget $%s; fees %s; %g sponsored post(s) per creator.", money(a.Budget), fees, a.PostsPerCreator),
		fmt.Sprintf("Reach = followers × %g %% (the share of followers one post reaches).", 100*a.ReachShare),
		"Engagements = followers × the creator's measured ER (by followers).",
		fmt.Sprintf("Conversations = engagements × comment share × (1 + answered share); unmeasured: comments %g %% of engagements, %g %% of commenters answered.",
			100*a.Creators.CommentShare, 100*a.Creators.AnsweredShare),
		fmt.Sprintf("Creators: %s (peer recommendations).", side(a.Creators)),
		fmt.Sprintf("Mega creator: %s followers at %g %% ER for %s; %s; comments %g %%, %g %% answered.",
			money(float64(a.Mega.Followers)), a.Mega.ER, megaFee, side(a.Mega.Side), 100*a.Mega.CommentShare, 100*a.Mega.AnsweredShare),
	}
}

// money writes a whole amount with thousands separators.
func money(v float64) string {
	s := fmt.Sprintf("%.0f", math.Round(v))
	if math.Abs(v-math.Round(v)) >= 0.005 {
		s = fmt.Sprintf("%.2f", v)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
