package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/campaign/track"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/plan"
	"github.com/nanoscout/nanoscout/store"
)

func init() { addCommand(newPlanCmd) }

func newPlanCmd(g *globals) *cobra.Command {
	var (
		ff          filterFlags
		shortlist   string
		n           int
		followers   int64
		er          float64
		feeTier     string
		reach, cs   float64
		as, megaCS  float64
		megaAS      float64
		asJSON      bool
		a           = plan.Defaults()
		megaFollows int64
		maxReach    bool
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan a campaign: what a budget buys from many creators against one mega creator",
		Long: `Estimate reach, engagements, conversations (comments + replies), conversions,
cost per engagement, per conversation and per acquisition for a budget spent on
creators — a shortlist (--shortlist), the creators a filter selects (filter
flags), or hypothetical ones (--creators, --followers, --er) — next to the same
budget spent on one mega creator. Every assumption is a flag; the model is in
docs/dashboard.md and on the dashboard's Plan page.`,
		Example: `  nanoscout plan                                   # the pitch: $50,000, 500 × 2k followers at 4 % vs 1M at 1 %
  nanoscout plan --shortlist "Spring launch" --budget 20000 --fee-tier nano=150,micro=600
  nanoscout plan --tier nano --min-index 1.5 --budget 10000 --conv-low 2 --conv-high 5 --json
  nanoscout plan --shortlist "Spring launch" --budget 2000 --max-reach   # most distinct engaged people for the money`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs := cmd.Flags()
			if fs.Changed("reach") {
				a.ReachShare = reach / 100
			}
			a.Creators.CommentShare, a.Creators.AnsweredShare = cs/100, as/100
			a.Mega.CommentShare, a.Mega.AnsweredShare = megaCS/100, megaAS/100
			a.Mega.Followers = megaFollows
			fees, err := parseFeeTier("--fee-tier", feeTier)
			if err != nil {
				return err
			}
			if fees != nil {
				a.FeeByTier = fees
			}
			if err := a.Validate(); err != nil {
				return err
			}
			filtered := ff.set()
			if shortlist != "" && filtered {
				return usageErrorf("give --shortlist or filter flags, not both")
			}
			src := export.PlanSource{Kind: export.PlanHypothetical, N: n, Followers: followers, ER: er, Shortlist: shortlist}
			var st store.Store
			switch {
			case shortlist != "":
				src.Kind = export.PlanShortlist
			case filtered:
				src.Kind = export.PlanFilter
				q, err := ff.query()
				if err != nil {
					return err
				}
				src.Query = q
			}
			if maxReach && src.Kind == export.PlanHypothetical {
				return usageErrorf("--max-reach picks among stored creators: give --shortlist or filter flags")
			}
			if src.Kind != export.PlanHypothetical {
				cfg, err := g.loadConfig()
				if err != nil {
					return err
				}
				if st, err = openStoreRead(cmd.Context(), cfg); err != nil {
					return err
				}
				defer st.Close()
			}
			pc, err := export.PlanCreatorsOf(cmd.Context(), st, src)
			if err != nil {
				if src.Kind == export.PlanHypothetical {
					return withCode(exitUsage, err)
				}
				return err
			}
			creators, source := pc.Creators, pc.Source
			if pc.Capped {
				source += fmt.Sprintf(" (the best %s)", thousands(int64(len(creators))))
			}
			var reach *reachPick
			if maxReach {
				rp, err := pickMaxReach(cmd.Context(), st, a, creators)
				if err != nil {
					return err
				}
				reach, creators = &rp, rp.creators
				source += fmt.Sprintf(", the %d with the most unique engaged reach", len(creators))
			}
			res, err := plan.Plan(a, creators)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), struct {
					Source string `json:"source"`
					plan.Result
					MaxReach *reachPick `json:"maxReach,omitempty"`
				}{source, res, reach})
			}
			if reach != nil {
				printReach(cmd.OutOrStdout(), *reach)
			}
			printPlan(cmd.OutOrStdout(), source, res)
			return nil
		},
	}
	fs := cmd.Flags()
	ff.register(cmd, "")
	fs.StringVar(&shortlist, "shortlist", "", "plan this shortlist (id or name)")
	_ = cmd.RegisterFlagCompletionFunc("shortlist", func(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return g.shortlistNames(c), cobra.ShellCompDirectiveNoFileComp
	})
	fs.IntVar(&n, "creators", 500, "hypothetical creators (without --shortlist or filters)")
	fs.Int64Var(&followers, "followers", 2000, "followers of each hypothetical creator")
	fs.Float64Var(&er, "er", 4, "ER of each hypothetical creator, %")
	fs.Float64Var(&a.Budget, "budget", a.Budget, "budget, $")
	fs.Float64Var(&a.FeePerCreator, "fee", a.FeePerCreator, "fee per creator, $")
	fs.StringVar(&feeTier, "fee-tier", "", "fees by tier, overriding --fee, e.g. nano=100,micro=500")
	fs.Float64Var(&a.PostsPerCreator, "posts", a.PostsPerCreator, "sponsored posts per creator")
	fs.Float64Var(&reach, "reach", 100*a.ReachShare, "share of followers one post reaches, %")
	fs.Float64Var(&a.Creators.ConversionLow, "conv-low", a.Creators.ConversionLow, "creators: low conversion rate, %")
	fs.Float64Var(&a.Creators.ConversionHigh, "conv-high", a.Creators.ConversionHigh, "creators: high conversion rate, %")
	fs.StringVar(&a.Creators.ConversionBasis, "basis", a.Creators.ConversionBasis, "creators convert from: conversations or engagements")
	fs.Float64Var(&cs, "comment-share", 100*a.Creators.CommentShare, "creators: comments as % of engagements, where unmeasured")
	fs.Float64Var(&as, "answered-share", 100*a.Creators.AnsweredShare, "creators: % of commenters answered, where unmeasured")
	fs.Int64Var(&megaFollows, "mega-followers", a.Mega.Followers, "mega creator: followers")
	fs.Float64Var(&a.Mega.ER, "mega-er", a.Mega.ER, "mega creator: ER, %")
	fs.Float64Var(&a.Mega.Fee, "mega-fee", a.Mega.Fee, "mega creator: fee, $ (0 = the whole budget)")
	fs.Float64Var(&a.Mega.ConversionLow, "mega-conv-low", a.Mega.ConversionLow, "mega creator: low conversion rate, %")
	fs.Float64Var(&a.Mega.ConversionHigh, "mega-conv-high", a.Mega.ConversionHigh, "mega creator: high conversion rate, %")
	fs.StringVar(&a.Mega.ConversionBasis, "mega-basis", a.Mega.ConversionBasis, "mega creator converts from: conversations or engagements")
	fs.Float64Var(&megaCS, "mega-comment-share", 100*a.Mega.CommentShare, "mega creator: comments as % of engagements")
	fs.Float64Var(&megaAS, "mega-answered-share", 100*a.Mega.AnsweredShare, "mega creator: % of commenters answered")
	fs.BoolVar(&asJSON, "json", false, "print the plan as JSON")
	fs.BoolVar(&maxReach, "max-reach", false, "maximise unique engaged reach within the budget: pick the creators whose engaged audiences (distinct commenters) together reach the most people (greedy; at least (1−1/e)/2 ≈ 32 % of the best possible, 1−1/e ≈ 63 % with equal fees)")
	return cmd
}

// reachPick is the --max-reach selection.
type reachPick struct {
	campaign.Selection
	// Candidates and their unique engaged reach together, for comparison.
	Candidates      int      `json:"candidates"`
	CandidatesReach int      `json:"candidatesReach"`
	Guarantee       string   `json:"guarantee"`
	Handles         []string `json:"handles"`
	creators        []plan.Creator
}

// pickMaxReach keeps, of the candidates, the creators whose engaged
// audiences reach the most distinct accounts within the budget
// (campaign.MaxReach over track.Audiences), in the order picked.
func pickMaxReach(ctx context.Context, st store.Store, a plan.Assumptions, creators []plan.Creator) (reachPick, error) {
	keys := make([]string, len(creators))
	for i, c := range creators {
		keys[i] = c.Key
	}
	aud, err := track.Audiences(ctx, st, keys)
	if err != nil {
		return reachPick{}, err
	}
	cands := make([]campaign.Candidate, len(aud))
	all := map[string]struct{}{}
	for i, au := range aud {
		cands[i] = campaign.Candidate{Audience: au, Fee: a.Fee(creators[i].Tier)}
		for _, acc := range au.Accounts {
			all[acc] = struct{}{}
		}
	}
	if len(all) == 0 {
		return reachPick{}, errors.New("--max-reach: no engaged audience is stored for these creators (no comments read yet)")
	}
	sel := campaign.MaxReach(cands, a.Budget)
	rp := reachPick{Selection: sel, Candidates: len(creators), CandidatesReach: len(all), Guarantee: reachGuarantee(sel)}
	byKey := map[string]plan.Creator{}
	for _, c := range creators {
		byKey[c.Key] = c
	}
	for _, k := range sel.Keys {
		rp.creators = append(rp.creators, byKey[k])
		rp.Handles = append(rp.Handles, byKey[k].Handle)
	}
	return rp, nil
}

func reachGuarantee(sel campaign.Selection) string {
	if sel.Bound == campaign.BoundEqualFees {
		return "greedy maximum coverage with equal fees: at least 1−1/e ≈ 63 % of the best possible selection's unique reach"
	}
	return "greedy maximum coverage by new people per dollar, checked against the best single creator: at least (1−1/e)/2 ≈ 32 % of the best possible selection's unique reach (1−1/e ≈ 63 % when fees are equal)"
}

func printReach(w io.Writer, rp reachPick) {
	fmt.Fprintf(w, "Most unique engaged reach within the budget: %d of %d creators, $%.0f, %s distinct engaged accounts (all %d together reach %s).\n",
		len(rp.Keys), rp.Candidates, rp.Spend, thousands(int64(rp.UniqueReach)), rp.Candidates, thousands(int64(rp.CandidatesReach)))
	fmt.Fprintf(w, "  %s.\n", rp.Guarantee)
	for _, h := range rp.Handles {
		fmt.Fprintf(w, "  @%s\n", h)
	}
	fmt.Fprintln(w)
}

func validTier(t string) bool {
	for _, k := range filter.Tiers {
		if t == k {
			return true
		}
	}
	return false
}

func printPlan(w io.Writer, source string, r plan.Result) {
	fmt.Fprintf(w, "Creators: %s.\n", source)
	if r.Skipped > 0 || r.Unspent >= 0.5 {
		fmt.Fprintf(w, "%d left out (over the budget or without followers); $%.0f unspent.\n", r.Skipped, r.Unspent)
	}
	c, m := r.Creators, r.Mega
	whole := func(v float64) string { return thousands(int64(math.Round(v))) }
	usd := func(v float64) string {
		if v == 0 {
			return "—"
		}
		if v < 10 {
			return fmt.Sprintf("$%.2f", v)
		}
		return "$" + whole(v)
	}
	rng := func(lo, mid, hi float64, f func(float64) string) string {
		if lo == hi {
			return f(mid)
		}
		return fmt.Sprintf("%s (%s–%s)", f(mid), f(lo), f(hi))
	}
	tw := newTable(w)
	fmt.Fprintf(tw, "\t%s\t%s\n", c.Name, m.Name)
	fmt.Fprintf(tw, "spend\t%s\t%s\n", usd(c.Spend), usd(m.Spend))
	fmt.Fprintf(tw, "reach\t%s\t%s\n", whole(c.Reach), whole(m.Reach))
	fmt.Fprintf(tw, "engagements\t%s\t%s\n", whole(c.Engagements), whole(m.Engagements))
	fmt.Fprintf(tw, "conversations (comments + replies)\t%s\t%s\n", whole(c.Conversations), whole(m.Conversations))
	fmt.Fprintf(tw, "conversions\t%s\t%s\n", rng(c.ConversionsLow, c.Conversions, c.ConversionsHigh, whole), rng(m.ConversionsLow, m.Conversions, m.ConversionsHigh, whole))
	fmt.Fprintf(tw, "cost per engagement\t%s\t%s\n", usd(c.CostPerEngagement), usd(m.CostPerEngagement))
	fmt.Fprintf(tw, "cost per conversation\t%s\t%s\n", usd(c.CostPerConversation), usd(m.CostPerConversation))
	fmt.Fprintf(tw, "cost per acquisition\t%s\t%s\n", rng(c.CPABest, c.CPA, c.CPAWorst, usd), rng(m.CPABest, m.CPA, m.CPAWorst, usd))
	tw.Flush()
	fmt.Fprintln(w, "\nAssumptions (each is a flag; see nanoscout plan --help):")
	for _, line := range r.Assumptions.Explain() {
		fmt.Fprintln(w, "  - "+line)
	}
}

// thousands is model.Thousands (one definition of the rule).
func thousands(n int64) string { return model.Thousands(n) }
