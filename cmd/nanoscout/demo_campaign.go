package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/campaign/track"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// demoShortlist is the shortlist the demo's campaign goes to.
const demoShortlist = "Demo shortlist"

// demoFees are the demo campaign's fees by tier, in USD.
var demoFees = map[string]float64{model.TierNano: 100, model.TierMicro: 400, model.TierMid: 1500, model.TierMacro: 5000, model.TierMega: 20000}

// demoCampaign closes the loop on the demo's creators: a shortlist (the best
// nano creators, the worst-ranked few to compare, the best of the bigger
// tiers), a campaign with a code per creator, a Shopify orders export whose
// sales follow the simulator's ground truth (simulator.WriteShopifyOrders:
// real engagement converts, bought engagement does not), imported, and the
// measured CPA per creator and tier.
func demoCampaign(ctx context.Context, out io.Writer, st store.Store, pop *simulator.Population, dataDir string, seed int64, now time.Time) error {
	ts := st
	var keys []string
	nano, err := st.Top(ctx, store.TopQuery{Tier: model.TierNano, Limit: 500, WithoutBreakdown: true})
	if err != nil {
		return err
	}
	for i, r := range nano {
		if i < 15 || i >= len(nano)-5 {
			keys = append(keys, r.Key)
		}
	}
	for _, tier := range []string{model.TierMicro, model.TierMid, model.TierMacro, model.TierMega} {
		recs, err := st.Top(ctx, store.TopQuery{Tier: tier, Limit: 2, WithoutBreakdown: true})
		if err != nil {
			return err
		}
		for _, r := range recs {
			keys = append(keys, r.Key)
		}
	}
	if len(keys) == 0 {
		return nil // nothing collected: nothing to send out
	}
	l, err := findOrCreateShortlist(ctx, ts, demoShortlist)
	if err != nil {
		return err
	}
	if err := ts.AddToShortlist(ctx, l.ID, keys...); err != nil {
		return err
	}
	stamp := now.UTC().Format("20060102-150405")
	day := now.UTC().Truncate(24 * time.Hour)
	c, err := track.Create(ctx, ts, track.Spec{Name: "Demo campaign " + stamp, ID: "demo-" + stamp, ShortlistID: l.ID,
		Budget: 60000, Currency: "USD", DefaultFee: demoFees[model.TierNano], FeeByTier: demoFees,
		Start: day.AddDate(0, 0, -30), End: day.AddDate(0, 0, -1), AttributionDays: 30,
		ProductURL: "https://shop.example/glow-serum", AffiliateParam: "a_aid"}, now)
	if err != nil {
		return fmt.Errorf("demo campaign: %w", err)
	}

	truth := map[string]simulator.Truth{}
	for _, p := range pop.Platforms() {
		for i := range pop.Size() {
			t := pop.Creator(p, i)
			truth[model.Key(p, t.ID)] = t
		}
	}
	var sc []simulator.SaleCreator
	for _, m := range c.Members {
		sc = append(sc, simulator.SaleCreator{Truth: truth[m.CreatorKey], Code: m.Code})
	}
	var buf bytes.Buffer
	if _, err := simulator.WriteShopifyOrders(&buf, sc, simulator.SalesOptions{Seed: uint64(seed), Start: c.Start,
		End: c.End.AddDate(0, 0, 1), Untracked: 12, OrderPrefix: stamp + "-"}); err != nil {
		return err
	}
	file := filepath.Join(dataDir, "demo-orders-"+stamp+".csv")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the demo orders: %w", err)
	}
	sum, err := track.Import(ctx, ts, bytes.NewReader(buf.Bytes()), campaign.FormatShopify)
	if err != nil {
		return fmt.Errorf("importing the demo orders: %w", err)
	}
	rep, err := track.Results(ctx, ts, c.ID)
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "\nCampaign %s: %d creators of %q, a promo code and a tracked link each, spend $%s.\n",
		c.ID, len(c.Members), demoShortlist, thousands(int64(c.Spend())))
	fmt.Fprintf(out, "Sales: %s (Shopify orders export following the simulator's ground truth): %d orders read, %d new.\n",
		file, sum.Rows, sum.Changed)
	fmt.Fprintln(out, "\nMeasured per creator (TRUTH is the simulator's hidden label):")
	tw := newTable(out)
	fmt.Fprintln(tw, "HANDLE\tTIER\tTRUTH\tSALES\tREFUNDED\tREVENUE\tFEE\tCPA\tSALES/1k ENG")
	var org, other [2]float64 // sales, engagements
	for _, r := range rep.Creators {
		arch := truth[r.CreatorKey].Archetype
		fmt.Fprintf(tw, "@%s\t%s\t%s\t%d\t%d\t%s\t%.0f\t%s\t%s\n", r.Handle, r.Tier, arch, r.Sales, r.Refunded, r.Revenue, r.Fee,
			opt(r.CPA), opt(r.ConvPer1k))
		if r.Engagements > 0 && r.Tier == model.TierNano {
			acc := &other
			if arch == simulator.ArchOrganic {
				acc = &org
			}
			acc[0] += float64(r.Sales)
			acc[1] += r.Engagements
		}
	}
	tw.Flush()
	fmt.Fprintln(out, "\nMeasured per tier, next to the planner's forecast for each tier (all: the whole campaign):")
	tw = newTable(out)
	fmt.Fprintln(tw, "TIER\tCREATORS\tSALES\tREVENUE\tFEE\tCPA\tFORECAST CPA\tROAS")
	for _, t := range rep.Tiers {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.0f\t%s\t%.2f\t%s\n", t.Tier, t.Creators, t.Sales, t.Revenue, t.Fee, opt(t.CPA), t.ForecastCPA, opt(t.ROAS))
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%s\t%.0f\t%s\t%.2f\t%s\n", len(rep.Creators), rep.Total.Sales, rep.Total.Revenue, rep.Total.Fee,
		opt(rep.Total.CPA), rep.ForecastCPA, opt(rep.Total.ROAS))
	tw.Flush()
	fmt.Fprintf(out, "%s; %d orders unattributed (no or unknown code), kept apart.\n", rep.Comparison, len(rep.Unattributed))
	if org[1] > 0 && other[1] > 0 {
		fmt.Fprintf(out, "Nano creators, sales per 1,000 engagements: organic %.2f vs bought or pod engagement %.2f (ground truth).\n",
			1000*org[0]/org[1], 1000*other[0]/other[1])
	}
	fmt.Fprintf(out, "See it on the dashboard: nanoscout serve --data-dir %s, then /campaigns/%s\n", dataDir, c.ID)
	return nil
}

func opt(p *float64) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f", *p)
}

// findOrCreateShortlist returns the shortlist of that name, creating it.
func findOrCreateShortlist(ctx context.Context, st track.Store, name string) (store.Shortlist, error) {
	ls, err := st.ListShortlists(ctx)
	if err != nil {
		return store.Shortlist{}, err
	}
	for _, l := range ls {
		if l.Name == name {
			return l, nil
		}
	}
	return st.CreateShortlist(ctx, name)
}
