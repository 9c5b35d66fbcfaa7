package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/campaign/track"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/store"
)

func init() { addCommand(newCampaignCmd) }

func newCampaignCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "campaign",
		Short: "Campaigns: promo codes and tracked links per creator, imported sales, measured CPA, audience overlap",
		Long: `A campaign is a shortlist sent out with a budget, fees, dates and a product link.
Every creator gets a unique promo code, an affiliate id and a tracked link (UTM
parameters). Sales come back from Shopify's orders export, Post Affiliate Pro's
transaction export, a generic CSV (nanoscout campaign import --help) or the signed
POST /api/conversions webhook; nanoscout attributes them (code, then affiliate id,
then UTM, within the campaign's dates) and reports sales, revenue, CPA and ROAS
per creator and tier, next to what the planner forecast.`,
	}
	cmd.AddCommand(newCampaignCreateCmd(g), newCampaignListCmd(g), newCampaignShowCmd(g), newCampaignImportCmd(g),
		newCampaignResultsCmd(g), newCampaignOverlapCmd(g))
	return cmd
}

// withCampaigns is withStore for commands that need the campaign store.
func (g *globals) withCampaigns(f func(cmd *cobra.Command, args []string, st track.Store) error) func(*cobra.Command, []string) error {
	return g.withStore(func(cmd *cobra.Command, args []string, st store.Store) error {
		return f(cmd, args, st)
	})
}

// parseFeeTier reads "nano=100,micro=500".
func parseFeeTier(flag, s string) (map[string]float64, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		tier, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		fee, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || !validTier(tier) || fee < 0 || fee != fee {
			return nil, fmt.Errorf("%s %q: want tier=fee pairs such as nano=100,micro=500", flag, part)
		}
		out[tier] = fee
	}
	return out, nil
}

func parseDay(flag, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf("%s %q: want a date such as 2026-03-01", flag, s)
	}
	return t, nil
}

func newCampaignCreateCmd(g *globals) *cobra.Command {
	var (
		spec           track.Spec
		shortlist      string
		feeTier, start string
		end            string
		feeFor         []string
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "create NAME --shortlist LIST --product-url URL --start DAY --end DAY",
		Short: "Create a campaign from a shortlist: a code, an affiliate id and a tracked link per creator",
		Example: `  nanoscout campaign create "Spring glow" --shortlist "Spring launch" --product-url https://shop.example/serum \
      --start 2026-03-01 --end 2026-03-31 --budget 20000 --fee 100 --fee-tier micro=400 --fee-for bluesky:did:plc:abc=250`,
		Args: cobra.ExactArgs(1),
		RunE: g.withCampaigns(func(cmd *cobra.Command, args []string, st track.Store) error {
			ctx := cmd.Context()
			var err error
			spec.Name = args[0]
			if spec.FeeByTier, err = parseFeeTier("--fee-tier", feeTier); err != nil {
				return err
			}
			if spec.Start, err = parseDay("--start", start); err != nil {
				return err
			}
			if spec.End, err = parseDay("--end", end); err != nil {
				return err
			}
			spec.FeeOverrides = map[string]float64{}
			for _, f := range feeFor {
				key, v, ok := strings.Cut(f, "=")
				fee, err := strconv.ParseFloat(v, 64)
				if !ok || err != nil || fee < 0 || fee != fee {
					return fmt.Errorf("--fee-for %q: want CREATOR-KEY=FEE", f)
				}
				spec.FeeOverrides[key] = fee
			}
			l, err := findShortlist(ctx, st, shortlist)
			if err != nil {
				return err
			}
			spec.ShortlistID = l.ID
			c, err := track.Create(ctx, st, spec, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), c)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "campaign %s: %d creators, spend %s %.2f of %.2f, forecast CPA %.2f\n\n",
				c.ID, len(c.Members), c.Currency, c.Spend(), c.Budget, c.ForecastCPA)
			printMembers(cmd.OutOrStdout(), c)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&shortlist, "shortlist", "", "the shortlist (id or name) whose creators the campaign goes to")
	f.StringVar(&spec.ID, "id", "", "campaign id (default: from the name)")
	f.Float64Var(&spec.Budget, "budget", 0, "budget")
	f.StringVar(&spec.Currency, "currency", campaign.DefaultCurrency, "currency of the budget, fees and the sales that count (ISO 4217)")
	f.Float64Var(&spec.DefaultFee, "fee", 100, "fee per creator")
	f.StringVar(&feeTier, "fee-tier", "", "fees by tier, e.g. nano=100,micro=500")
	f.StringArrayVar(&feeFor, "fee-for", nil, "a creator's own fee, KEY=FEE (repeatable)")
	f.StringVar(&start, "start", "", "first day (YYYY-MM-DD)")
	f.StringVar(&end, "end", "", "last day (YYYY-MM-DD)")
	f.IntVar(&spec.AttributionDays, "attribution-days", campaign.DefaultAttributionDays, "days after the end in which sales still count")
	f.StringVar(&spec.ProductURL, "product-url", "", "the product page the tracked links point to")
	f.StringVar(&spec.AffiliateParam, "affiliate-param", "", "query parameter carrying the affiliate id (e.g. a_aid for Post Affiliate Pro)")
	f.BoolVar(&asJSON, "json", false, "print the campaign as JSON")
	for _, req := range []string{"shortlist", "start", "end", "product-url"} {
		_ = cmd.MarkFlagRequired(req)
	}
	return cmd
}

func printMembers(w io.Writer, c campaign.Campaign) {
	tw := newTable(w)
	fmt.Fprintln(tw, "HANDLE\tPLATFORM\tTIER\tFEE\tCODE\tAFFILIATE\tLINK")
	for _, m := range c.Members {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\t%s\t%s\n", m.Handle, m.Platform, m.Tier, m.Fee, m.Code, m.AffiliateID, m.Link)
	}
	tw.Flush()
}

func newCampaignListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List campaigns",
		Args:  cobra.NoArgs,
		RunE: g.withCampaigns(func(cmd *cobra.Command, _ []string, st track.Store) error {
			cs, err := st.ListCampaigns(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), cs)
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "ID\tNAME\tCREATORS\tSPEND\tBUDGET\tDATES (UTC)\tSOURCE")
			for _, c := range cs {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s %.2f\t%.2f\t%s – %s\t%s\n", c.ID, c.Name, len(c.Members), c.Currency, c.Spend(), c.Budget,
					c.Start.Format("2006-01-02"), c.End.Format("2006-01-02"), c.Source)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// outreachHeader is the campaign's outreach CSV: what goes to each creator.
var outreachHeader = []string{"campaign", "creator_key", "platform", "handle", "tier", "fee", "currency", "promo_code", "affiliate_id", "tracked_link", "start", "end"}

func newCampaignShowCmd(g *globals) *cobra.Command {
	var asJSON, asCSV bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a campaign's creators with their codes and links (--csv: the outreach sheet)",
		Args:  cobra.ExactArgs(1),
		RunE: g.withCampaigns(func(cmd *cobra.Command, args []string, st track.Store) error {
			c, err := st.Campaign(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			switch {
			case asJSON:
				return writeJSON(w, c)
			case asCSV:
				cw := csv.NewWriter(w)
				_ = cw.Write(outreachHeader)
				for _, m := range c.Members {
					row := []string{c.ID, m.CreatorKey, m.Platform, m.Handle, m.Tier, strconv.FormatFloat(m.Fee, 'f', 2, 64), c.Currency,
						m.Code, m.AffiliateID, m.Link, c.Start.Format("2006-01-02"), c.End.Format("2006-01-02")}
					for i := range row {
						row[i] = export.Cell(row[i])
					}
					_ = cw.Write(row)
				}
				cw.Flush()
				return cw.Error()
			}
			fmt.Fprintf(w, "%s (%s): %s – %s UTC, +%d days attribution, %s\nbudget %s %.2f, spend %.2f, forecast CPA %.2f\n\n",
				c.Name, c.ID, c.Start.Format("2006-01-02"), c.End.Format("2006-01-02"), c.AttributionDays, c.ProductURL,
				c.Currency, c.Budget, c.Spend(), c.ForecastCPA)
			printMembers(w, c)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print the outreach CSV (code and link per creator)")
	return cmd
}

func newCampaignImportCmd(g *globals) *cobra.Command {
	var format string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import sales: Shopify orders export, Post Affiliate Pro transactions, or a generic CSV (- = stdin)",
		Long: `Import sales into the store. Formats (detected from the header with --format auto):

  shopify  Shopify's orders export: one row per line item, the order's totals on
           its first row; Name, Financial Status, Paid at, Currency, Total,
           Discount Code, Refunded Amount, Cancelled at are read.
  pap      Post Affiliate Pro's transactions export (!ORDERID, !USERID, !TOTALCOST,
           !RSTATUS A/P/D, !RTYPE S/R/H, !DATEINSERTED, !ORIGINALCURRENCYID) or the
           commission grid's CSV (Affiliate ID, Order ID, Total Cost, Status, Created).
  generic  order_id, time, amount, currency, and at least one of code, affiliate_id,
           utm_campaign (+ utm_content); optional status (paid, pending, refunded,
           voided, declined) and refunded.

Orders merge by order id: importing a file twice changes nothing, a later refund
reduces the figures. A file with any bad row imports nothing; the error names the
row and column.`,
		Args: cobra.ExactArgs(1),
		RunE: g.withCampaigns(func(cmd *cobra.Command, args []string, st track.Store) error {
			var r io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			sum, err := track.Import(cmd.Context(), st, r, format)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), sum)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s): %d orders read, %d new or changed, %d duplicates\n",
				args[0], sum.Format, sum.Rows, sum.Changed, sum.Duplicates)
			for why, n := range sum.Skipped {
				fmt.Fprintf(cmd.OutOrStdout(), "  skipped %d: %s\n", n, why)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&format, "format", "auto", "shopify, pap, generic or auto")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func money(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

func newCampaignResultsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "results ID",
		Short: "Measured sales, revenue, CPA and ROAS per creator and tier, next to the forecast",
		Args:  cobra.ExactArgs(1),
		RunE: g.withCampaigns(func(cmd *cobra.Command, args []string, st track.Store) error {
			r, err := track.Results(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), r)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: %d sales, revenue %s %s, spend %.2f, CPA %s (forecast %.2f), ROAS %s\n%s\n\n",
				r.Campaign.Name, r.Total.Sales, r.Currency, r.Total.Revenue, r.Total.Fee, money(r.Total.CPA), r.ForecastCPA, money(r.Total.ROAS), r.Comparison)
			tw := newTable(w)
			fmt.Fprintln(tw, "TIER\tCREATORS\tSALES\tREVENUE\tFEES\tCPA\tFORECAST CPA\tROAS\tPER 1K ENG")
			for _, t := range r.Tiers {
				fc := "—"
				if t.ForecastCPA > 0 {
					fc = fmt.Sprintf("%.2f", t.ForecastCPA)
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.2f\t%s\t%s\t%s\t%s\n", t.Tier, t.Creators, t.Sales, t.Revenue, t.Fee, money(t.CPA), fc, money(t.ROAS), money(t.ConvPer1k))
			}
			tw.Flush()
			fmt.Fprintln(w)
			proven := map[string]bool{}
			for _, c := range r.Converters {
				proven[c.CreatorKey] = c.Proven
			}
			tw = newTable(w)
			fmt.Fprintln(tw, "HANDLE\tTIER\tCODE\tSALES\tPENDING\tREFUNDED\tREVENUE\tFEE\tCPA\tROAS\tPER 1K ENG\tPROVEN")
			for _, c := range r.Creators {
				p := ""
				if proven[c.CreatorKey] {
					p = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%.2f\t%s\t%s\t%s\t%s\n", c.Handle, c.Tier, c.Code, c.Sales, c.Pending, c.Refunded,
					c.Revenue, c.Fee, money(c.CPA), money(c.ROAS), money(c.ConvPer1k), p)
			}
			tw.Flush()
			if n := len(r.Unattributed); n > 0 {
				fmt.Fprintf(w, "\n%d sales no campaign claims (kept; see --json):\n", n)
				for i, u := range r.Unattributed {
					if i == 10 {
						fmt.Fprintf(w, "  … and %d more\n", n-10)
						break
					}
					fmt.Fprintf(w, "  %s %s %s code %q: %s\n", u.OrderID, u.Currency, u.Amount, u.Code, u.Reason)
				}
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newCampaignOverlapCmd(g *globals) *cobra.Command {
	var asJSON bool
	var budget float64
	cmd := &cobra.Command{
		Use:   "overlap ID",
		Short: "How much the campaign's creators' engaged audiences overlap; --budget picks the most unique reach",
		Args:  cobra.ExactArgs(1),
		RunE: g.withCampaigns(func(cmd *cobra.Command, args []string, st track.Store) error {
			ov, cands, err := track.CampaignOverlap(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			var sel *campaign.Selection
			if budget > 0 {
				s := campaign.MaxReach(cands, budget)
				sel = &s
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), struct {
					campaign.OverlapResult
					Selection *campaign.Selection `json:"selection,omitempty"`
				}{ov, sel})
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%d creators reach %d engaged accounts, %d of them distinct (%.0f%% unique)\n",
				len(ov.Creators), ov.TotalReach, ov.UniqueReach, 100*float64(ov.UniqueReach)/float64(max(ov.TotalReach, 1)))
			handle := map[string]string{}
			for _, c := range cands {
				handle[c.CreatorKey] = c.Handle
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "A\tB\tSHARED\tOF SMALLER\tJACCARD")
			for i, p := range ov.Pairs {
				if i == 20 {
					break
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f%%\t%.2f\n", handle[p.A], handle[p.B], p.Shared, 100*p.OfSmaller, p.Jaccard)
			}
			tw.Flush()
			if sel != nil {
				fmt.Fprintf(w, "\nmost unique reach within %.2f: %d creators, spend %.2f, %d distinct accounts (greedy; at least %.0f%% of the best possible)\n",
					budget, len(sel.Keys), sel.Spend, sel.UniqueReach, 100*sel.Bound)
				for _, k := range sel.Keys {
					fmt.Fprintf(w, "  %s\n", handle[k])
				}
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().Float64Var(&budget, "budget", 0, "pick the creators with the most unique engaged reach within this budget")
	return cmd
}
