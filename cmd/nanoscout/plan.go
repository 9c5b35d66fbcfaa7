package main

import (
	"fmt"
	"io"
	"math"

	"github.com/spf13/cobra"

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
  nanoscout plan --tier nano --min-index 1.5 --budget 10000 --conv-low 2 --conv-high 5 --json`,
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
			res, err := plan.Plan(a, creators)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), struct {
					Source string `json:"source"`
					plan.Result
				}{source, res})
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
	return cmd
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
