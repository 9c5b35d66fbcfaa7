// Package track connects campaigns to the store: it builds a campaign from a
// shortlist (with the planner's forecast), imports sales files, and measures
// a campaign's results and its creators' audience overlap from what the store
// keeps. The CLI (`nanoscout campaign …`) and the dashboard call the same
// functions; the arithmetic lives in package campaign.
package track

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/plan"
	"github.com/nanoscout/nanoscout/store"
)

// Store is what track needs of a store: creators, shortlists and
// campaigns, all of which store.Store composes.
type Store = store.Store

// invalid marks bad input (a campaign's settings, a sales file) as
// store.ErrInvalid for callers that map errors to answers (the API's 400),
// keeping the message as it is.
type invalid struct{ error }

func (e invalid) Unwrap() []error { return []error{e.error, store.ErrInvalid} }

// Spec is what a scout gives to create a campaign.
type Spec struct {
	Name        string
	ID          string // "" = from Name
	ShortlistID string
	Budget      float64
	Currency    string
	DefaultFee  float64
	FeeByTier   map[string]float64
	// FeeOverrides are per-creator fees by creator key.
	FeeOverrides    map[string]float64
	Start, End      time.Time
	AttributionDays int
	ProductURL      string
	AffiliateParam  string
}

// maxMembers bounds one campaign (a shortlist page is 500; an army of nano
// creators is a few hundred).
const maxMembers = 5000

// Create builds a campaign from a shortlist's creators, with their codes and
// links and the planner's CPA forecast, and stores it.
func Create(ctx context.Context, st Store, spec Spec, now time.Time) (campaign.Campaign, error) {
	id := spec.ID
	if id == "" {
		id = campaign.Slug(spec.Name)
	}
	cur := strings.ToUpper(spec.Currency)
	if cur == "" {
		cur = campaign.DefaultCurrency
	}
	c := campaign.Campaign{ID: id, Name: strings.TrimSpace(spec.Name), Budget: spec.Budget, Currency: cur,
		DefaultFee: spec.DefaultFee, FeeByTier: spec.FeeByTier, Start: spec.Start.UTC(), End: spec.End.UTC(),
		AttributionDays: spec.AttributionDays, ProductURL: spec.ProductURL, AffiliateParam: spec.AffiliateParam,
		CreatedAt: now.UTC().Truncate(time.Millisecond)}
	if c.Name == "" {
		c.Name = id
	}
	if err := c.Validate(); err != nil {
		return c, invalid{err}
	}
	l, err := st.Shortlist(ctx, spec.ShortlistID)
	if err != nil {
		return c, fmt.Errorf("shortlist %q: %w", spec.ShortlistID, err)
	}
	c.Source = "shortlist:" + l.Name
	var creators []campaign.Creator
	var planned []plan.Creator
	after := ""
	for {
		items, err := st.ShortlistItems(ctx, l.ID, after, 500)
		if err != nil {
			return c, err
		}
		for _, it := range items {
			rec, err := st.Creator(ctx, it.CreatorKey)
			if errors.Is(err, store.ErrNotFound) {
				continue // on the list, gone from the store
			}
			if err != nil {
				return c, err
			}
			tier := ""
			if rec.Score != nil {
				tier = rec.Score.Tier
			}
			creators = append(creators, campaign.Creator{Key: rec.Key, Handle: rec.Creator.Handle,
				Platform: rec.Creator.Platform, Tier: tier, Fee: spec.FeeOverrides[rec.Key]})
			posts, err := st.Posts(ctx, rec.Key, 20)
			if err != nil {
				return c, err
			}
			planned = append(planned, plan.FromRecord(rec, posts))
		}
		if len(items) < 500 {
			break
		}
		after = items[len(items)-1].CreatorKey
	}
	if len(creators) == 0 {
		return c, invalid{fmt.Errorf("shortlist %q has no stored creators", l.Name)}
	}
	if len(creators) > maxMembers {
		return c, invalid{fmt.Errorf("shortlist %q has %d creators; a campaign takes at most %d", l.Name, len(creators), maxMembers)}
	}
	for k := range spec.FeeOverrides {
		if !slices.ContainsFunc(creators, func(cr campaign.Creator) bool { return cr.Key == k }) {
			return c, invalid{fmt.Errorf("fee override for %s: not on shortlist %q", k, l.Name)}
		}
	}
	taken := func(code string) bool {
		t, err := st.CodeTaken(ctx, code)
		return err != nil || t // on a read error, treat as taken: the next candidate is as good
	}
	if err := c.AddMembers(creators, taken); err != nil {
		return c, err
	}
	byTier := map[string][]plan.Creator{} // before forecast, which fills blank tiers
	for _, p := range planned {
		byTier[p.Tier] = append(byTier[p.Tier], p)
	}
	c.ForecastCPA = forecast(c, planned)
	for tier, ps := range byTier {
		sub := c
		sub.Budget = 0 // the tier's members' fees
		sub.Members = slices.DeleteFunc(slices.Clone(c.Members), func(m campaign.Member) bool { return m.Tier != tier })
		if f := forecast(sub, ps); f > 0 {
			if c.ForecastByTier == nil {
				c.ForecastByTier = map[string]float64{}
			}
			c.ForecastByTier[tier] = f
		}
	}
	if err := st.CreateCampaign(ctx, c); err != nil {
		return c, err
	}
	return c, nil
}

// forecast is what the planner predicts the campaign's CPA to be, with its
// default conversion assumptions and the campaign's fees; 0 when it cannot.
func forecast(c campaign.Campaign, creators []plan.Creator) float64 {
	a := plan.Defaults()
	a.Budget = math.Max(c.Budget, c.Spend())
	a.FeePerCreator = c.DefaultFee
	a.FeeByTier = c.FeeByTier
	for i := range creators {
		if creators[i].Tier == "" {
			creators[i].Tier = model.TierNano
		}
	}
	res, err := plan.Plan(a, creators)
	if err != nil || res.Creators.CPA <= 0 || math.IsInf(res.Creators.CPA, 0) || math.IsNaN(res.Creators.CPA) {
		return 0
	}
	return res.Creators.CPA
}

// ImportSummary is what an import did.
type ImportSummary struct {
	Format     string         `json:"format"`
	Rows       int            `json:"rows"`       // conversions read
	Changed    int            `json:"changed"`    // new or updated orders
	Duplicates int            `json:"duplicates"` // orders already stored as they are
	Skipped    map[string]int `json:"skipped,omitempty"`
}

// Import reads a sales file and merges it into the stored conversions. A
// file with any bad row imports nothing (the error, naming the row and
// column, is store.ErrInvalid).
func Import(ctx context.Context, st Store, r io.Reader, format string) (ImportSummary, error) {
	im, err := campaign.Read(r, format)
	if err != nil {
		return ImportSummary{}, invalid{err}
	}
	sum := ImportSummary{Format: im.Format, Rows: len(im.Conversions), Skipped: im.Skipped}
	// Fold the file's own repeats (a sale and its refund) before storing.
	merged, dup := campaign.Merge(nil, im.Conversions)
	sum.Duplicates = dup
	changed, dups, err := st.PutConversions(ctx, merged)
	if err != nil {
		return sum, err
	}
	sum.Changed, sum.Duplicates = changed, sum.Duplicates+dups
	if changed > 0 {
		if _, err := RefreshConverters(ctx, st); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// RefreshConverters measures every creator's proven_converter signal over
// all campaigns and stores it (store.Campaigns.SetConverters). A creator on
// several campaigns keeps the one with the most sales (then the lower CPA):
// the largest sample. Call it whenever conversions or campaigns change.
func RefreshConverters(ctx context.Context, st Store) ([]campaign.Converter, error) {
	all, err := st.ListCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	convs, err := st.Conversions(ctx)
	if err != nil {
		return nil, err
	}
	a := campaign.Attribute(all, convs)
	best := map[string]campaign.Converter{}
	for _, r := range a.Campaigns {
		for _, c := range campaign.Converters(r) {
			b, ok := best[c.CreatorKey]
			if !ok || c.Sales > b.Sales || (c.Sales == b.Sales && c.CPA < b.CPA) {
				best[c.CreatorKey] = c
			}
		}
	}
	out := make([]campaign.Converter, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b campaign.Converter) int { return strings.Compare(a.CreatorKey, b.CreatorKey) })
	if err := st.SetConverters(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Report is a campaign's measured results.
type Report struct {
	Campaign campaign.Campaign `json:"campaign"`
	campaign.Result
	// Unattributed are the stored conversions no campaign claims (all of
	// them, not only this campaign's: an unknown code may be a typo of one).
	Unattributed []campaign.Unattributed `json:"unattributed"`
	Converters   []campaign.Converter    `json:"converters"`
	// Comparison sets the measured CPA of the nano tier against the mega
	// tier's, where the campaign has both; the forecast otherwise.
	Comparison string `json:"comparison"`
}

// Results attributes every stored conversion over every campaign (a code
// belongs to one campaign) and reports campaign id's figures.
func Results(ctx context.Context, st Store, id string) (Report, error) {
	all, err := st.ListCampaigns(ctx)
	if err != nil {
		return Report{}, err
	}
	idx := slices.IndexFunc(all, func(c campaign.Campaign) bool { return c.ID == id })
	if idx < 0 {
		return Report{}, fmt.Errorf("campaign %q: %w", id, store.ErrNotFound)
	}
	if err := fillEngagements(ctx, st, &all[idx]); err != nil {
		return Report{}, err
	}
	convs, err := st.Conversions(ctx)
	if err != nil {
		return Report{}, err
	}
	a := campaign.Attribute(all, convs)
	r := Report{Campaign: all[idx], Result: a.Campaigns[idx], Unattributed: a.Unattributed}
	if r.Unattributed == nil {
		r.Unattributed = []campaign.Unattributed{}
	}
	r.Converters = campaign.Converters(r.Result)
	r.Comparison = comparison(r.Result)
	return r, nil
}

// fillEngagements sets each member's engagements in the campaign window
// from its stored posts (likes, comments, shares, quotes); unknown (-1)
// when no post of the window is stored.
func fillEngagements(ctx context.Context, st store.Store, c *campaign.Campaign) error {
	from, until := c.Window()
	for i := range c.Members {
		posts, err := st.Posts(ctx, c.Members[i].CreatorKey, 200)
		if err != nil {
			return err
		}
		eng, seen := 0.0, false
		for _, p := range posts {
			if p.CreatedAt.Before(from) || !p.CreatedAt.Before(until) || p.IsReply {
				continue
			}
			seen = true
			for _, n := range []*int64{p.Likes, p.Comments, p.Shares, p.Quotes} {
				eng += float64(model.Val(n))
			}
		}
		c.Members[i].Engagements = -1
		if seen {
			c.Members[i].Engagements = eng
		}
	}
	return nil
}

func comparison(r campaign.Result) string {
	var nano, mega *campaign.TierResult
	for i := range r.Tiers {
		switch r.Tiers[i].Tier {
		case model.TierNano:
			nano = &r.Tiers[i]
		case model.TierMega:
			mega = &r.Tiers[i]
		}
	}
	switch {
	case nano != nil && nano.CPA != nil && mega != nil && mega.CPA != nil:
		return fmt.Sprintf("measured: nano CPA %.2f (%d creators, %d sales) vs mega CPA %.2f (%d creators, %d sales)",
			*nano.CPA, nano.Creators, nano.Sales, *mega.CPA, mega.Creators, mega.Sales)
	case nano != nil && nano.CPA != nil && r.ForecastCPA > 0:
		return fmt.Sprintf("measured nano CPA %.2f (%d sales) vs %.2f forecast; no mega creator on this campaign to compare",
			*nano.CPA, nano.Sales, r.ForecastCPA)
	case nano != nil && nano.CPA != nil:
		return fmt.Sprintf("measured nano CPA %.2f (%d sales); no mega creator on this campaign to compare", *nano.CPA, nano.Sales)
	}
	return "no sales measured yet"
}

// maxAudiencePosts bounds the posts per creator whose commenters make its
// engaged audience.
const maxAudiencePosts = 50

// Audiences reads each creator's engaged audience: the distinct commenters
// on its newest stored posts, itself excluded.
func Audiences(ctx context.Context, st store.Store, keys []string) ([]campaign.Audience, error) {
	out := make([]campaign.Audience, 0, len(keys))
	for _, k := range keys {
		rec, err := st.Creator(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("creator %s: %w", k, err)
		}
		posts, err := st.Posts(ctx, k, maxAudiencePosts)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		var acc []string
		for _, p := range posts {
			cs, err := st.Comments(ctx, p.Key())
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if c.ByCreator || c.AuthorID == "" || c.AuthorID == rec.Creator.ID || seen[c.AuthorID] {
					continue
				}
				seen[c.AuthorID] = true
				acc = append(acc, rec.Creator.Platform+":"+c.AuthorID)
			}
		}
		out = append(out, campaign.Audience{CreatorKey: k, Handle: rec.Creator.Handle, Accounts: acc})
	}
	return out, nil
}

// CampaignOverlap is the overlap of a campaign's members' audiences, with
// the members' candidates for campaign.MaxReach (audience and fee).
func CampaignOverlap(ctx context.Context, st Store, id string) (campaign.OverlapResult, []campaign.Candidate, error) {
	c, err := st.Campaign(ctx, id)
	if err != nil {
		return campaign.OverlapResult{}, nil, err
	}
	keys := make([]string, len(c.Members))
	for i, m := range c.Members {
		keys[i] = m.CreatorKey
	}
	aud, err := Audiences(ctx, st, keys)
	if err != nil {
		return campaign.OverlapResult{}, nil, err
	}
	cands := make([]campaign.Candidate, len(aud))
	for i, a := range aud {
		cands[i] = campaign.Candidate{Audience: a, Fee: c.Members[i].Fee}
	}
	return campaign.Overlap(aud), cands, nil
}
