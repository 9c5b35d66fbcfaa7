package campaign

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// Merge folds incoming conversions into existing ones by order id and
// returns the merged set (sorted by order id) with how many incoming ones
// changed nothing (duplicates: a re-import or a webhook retry).
//
// Information about one order only ever accumulates: the largest amount and
// the largest refund seen win, a void or a decline is final, and a paid
// order whose refunds reach its amount becomes refunded. So an import of a
// refund after the sale, or the same file twice, gives the right figures.
func Merge(existing, incoming []Conversion) (merged []Conversion, duplicates int) {
	by := make(map[string]Conversion, len(existing)+len(incoming))
	for _, c := range existing {
		by[c.OrderID] = fold(by[c.OrderID], c)
	}
	for _, c := range incoming {
		old, ok := by[c.OrderID]
		n := fold(old, c)
		if ok && same(old, n) {
			duplicates++
			continue
		}
		by[c.OrderID] = n
	}
	merged = make([]Conversion, 0, len(by))
	for _, c := range by {
		merged = append(merged, c)
	}
	sort.Slice(merged, func(i, j int) bool { return merged[i].OrderID < merged[j].OrderID })
	return merged, duplicates
}

func same(a, b Conversion) bool {
	return a.OrderID == b.OrderID && a.Amount == b.Amount && a.Refunded == b.Refunded && a.Status == b.Status &&
		a.Currency == b.Currency && a.Code == b.Code && a.AffiliateID == b.AffiliateID &&
		a.UTMCampaign == b.UTMCampaign && a.UTMContent == b.UTMContent && a.Time.Equal(b.Time)
}

var finalRank = map[string]int{StatusDeclined: 3, StatusVoided: 2}

// fold merges c into a (a zero a is "nothing known yet").
func fold(a, c Conversion) Conversion {
	if a.OrderID == "" {
		return normal(c)
	}
	out := a
	out.Amount = max(a.Amount, c.Amount)
	out.Refunded = max(a.Refunded, c.Refunded)
	if out.Currency == "" {
		out.Currency = c.Currency
	}
	if out.Time.IsZero() || (!c.Time.IsZero() && c.Status == StatusPaid && a.Status != StatusPaid) {
		out.Time = c.Time
	}
	for _, p := range []struct {
		dst *string
		src string
	}{{&out.Code, c.Code}, {&out.AffiliateID, c.AffiliateID},
		{&out.UTMCampaign, c.UTMCampaign}, {&out.UTMContent, c.UTMContent}} {
		if *p.dst == "" {
			*p.dst = p.src
		}
	}
	switch {
	case finalRank[a.Status] > 0 || finalRank[c.Status] > 0:
		if finalRank[c.Status] > finalRank[a.Status] {
			out.Status = c.Status
		}
	case a.Status == StatusPaid || c.Status == StatusPaid || a.Status == StatusRefunded || c.Status == StatusRefunded:
		out.Status = StatusPaid
	default:
		out.Status = StatusPending
	}
	return normal(out)
}

// normal makes a paid order whose refunds cover it refunded.
func normal(c Conversion) Conversion {
	if c.Status == StatusPaid && c.Amount > 0 && c.Refunded >= c.Amount {
		c.Status = StatusRefunded
	}
	if c.Status == StatusRefunded && c.Amount > 0 && c.Refunded < c.Amount {
		c.Status = StatusPaid // partly refunded: still a sale, for less
	}
	return c
}

// Unattributed reasons.
const (
	ReasonUnknownCode  = "unknown code, affiliate id or UTM"
	ReasonNoTracking   = "no code, affiliate id or UTM"
	ReasonOutsideDates = "outside the campaign's dates"
)

// Figures are the measured outcome of a creator, a tier or a campaign.
type Figures struct {
	Sales    int   `json:"sales"`    // paid, not wholly refunded
	Pending  int   `json:"pending"`  // not yet paid or approved
	Refunded int   `json:"refunded"` // wholly refunded, voided or declined
	Revenue  Money `json:"revenue"`  // net of refunds, in the campaign's currency
	// OtherRevenue is revenue in other currencies, never converted.
	OtherRevenue map[string]Money `json:"otherRevenue,omitempty"`
	// OtherSales counts the sales in OtherRevenue: they are sales, but CPA
	// and ROAS use the campaign's currency only.
	OtherSales  int     `json:"otherSales,omitempty"`
	Fee         float64 `json:"fee"`
	Engagements float64 `json:"engagements"` // < 0 = unknown
	// CPA = fee ÷ sales, ROAS = revenue ÷ fee, ConvPer1k = sales per 1,000
	// engagements; nil where undefined (no sales, no fee, unknown engagements).
	CPA       *float64 `json:"cpa"`
	ROAS      *float64 `json:"roas"`
	ConvPer1k *float64 `json:"convPer1k"`
}

// CreatorResult is one member's figures.
type CreatorResult struct {
	CreatorKey  string `json:"creatorKey"`
	Handle      string `json:"handle"`
	Platform    string `json:"platform"`
	Tier        string `json:"tier"`
	Code        string `json:"code"`
	AffiliateID string `json:"affiliateId"`
	Figures
}

// TierResult is the figures of a tier's members, with what the plan forecast.
type TierResult struct {
	Tier     string `json:"tier"`
	Creators int    `json:"creators"`
	// ForecastCPA is what the planner forecast for this tier's members (0 =
	// none).
	ForecastCPA float64 `json:"forecastCpa,omitempty"`
	Figures
}

// Result is the measured outcome of a campaign.
type Result struct {
	CampaignID string          `json:"campaignId"`
	Currency   string          `json:"currency"`
	Creators   []CreatorResult `json:"creators"`
	Tiers      []TierResult    `json:"tiers"`
	Total      Figures         `json:"total"`
	// ForecastCPA is the planner's forecast, next to Total.CPA.
	ForecastCPA float64 `json:"forecastCpa,omitempty"`
}

// Attribution is the outcome of attributing conversions to campaigns.
type Attribution struct {
	Campaigns []Result `json:"campaigns"`
	// Unattributed keeps every conversion no campaign claims, with why.
	Unattributed []Unattributed `json:"unattributed"`
}

// Unattributed is a conversion no campaign claimed.
type Unattributed struct {
	Conversion
	Reason string `json:"reason"`
}

type memberRef struct {
	c, m int // campaign and member index
}

// Attribute joins conversions to campaign members: by promo code first, then
// by affiliate id, then by utm_campaign + utm_content, each only within the
// campaign's window. A conversion's currency is the campaign's when it is
// blank. Conversions should be Merge'd first (duplicates by order id).
func Attribute(cs []Campaign, convs []Conversion) Attribution {
	byCode := map[string]memberRef{}
	byAff := map[string]memberRef{}
	byUTM := map[string]memberRef{}
	res := make([]Result, len(cs))
	figs := make([][]Figures, len(cs))
	for ci, c := range cs {
		res[ci] = Result{CampaignID: c.ID, Currency: c.Currency, ForecastCPA: c.ForecastCPA}
		figs[ci] = make([]Figures, len(c.Members))
		for mi, m := range c.Members {
			ref := memberRef{ci, mi}
			byCode[strings.ToUpper(m.Code)] = ref
			byAff[strings.ToLower(m.AffiliateID)] = ref
			byUTM[c.ID+"\x00"+strings.ToLower(m.Code)] = ref
			figs[ci][mi] = Figures{Fee: m.Fee, Engagements: m.Engagements}
		}
	}
	var out Attribution
	for _, cv := range convs {
		refs, tracked := candidates(cv, byCode, byAff, byUTM)
		ref, ok := memberRef{}, false
		for _, r := range refs {
			from, until := cs[r.c].Window()
			if !cv.Time.Before(from) && cv.Time.Before(until) {
				ref, ok = r, true
				break
			}
		}
		if !ok {
			reason := ReasonUnknownCode
			switch {
			case !tracked:
				reason = ReasonNoTracking
			case len(refs) > 0:
				reason = ReasonOutsideDates
			}
			out.Unattributed = append(out.Unattributed, Unattributed{Conversion: cv, Reason: reason})
			continue
		}
		add(&figs[ref.c][ref.m], cv, cs[ref.c].Currency)
	}
	for ci, c := range cs {
		tiers := map[string]*TierResult{}
		total := Figures{}
		for mi, m := range c.Members {
			f := figs[ci][mi]
			derive(&f)
			res[ci].Creators = append(res[ci].Creators, CreatorResult{CreatorKey: m.CreatorKey, Handle: m.Handle,
				Platform: m.Platform, Tier: m.Tier, Code: m.Code, AffiliateID: m.AffiliateID, Figures: f})
			tr := tiers[m.Tier]
			if tr == nil {
				tr = &TierResult{Tier: m.Tier, ForecastCPA: c.ForecastByTier[m.Tier], Figures: Figures{}}
				tiers[m.Tier] = tr
			}
			tr.Creators++
			sum(&tr.Figures, f)
			sum(&total, f)
		}
		for _, tr := range tiers {
			derive(&tr.Figures)
			res[ci].Tiers = append(res[ci].Tiers, *tr)
		}
		slices.SortFunc(res[ci].Tiers, func(a, b TierResult) int { return strings.Compare(a.Tier, b.Tier) })
		derive(&total)
		res[ci].Total = total
	}
	out.Campaigns = res
	return out
}

// candidates lists the members a conversion may belong to, by precedence:
// each of its codes, its affiliate id, its UTMs. tracked is false when it
// carries nothing to attribute by.
func candidates(cv Conversion, byCode, byAff, byUTM map[string]memberRef) (refs []memberRef, tracked bool) {
	for code := range strings.SplitSeq(cv.Code, ",") {
		if code = strings.ToUpper(strings.TrimSpace(code)); code != "" {
			tracked = true
			if r, ok := byCode[code]; ok {
				refs = append(refs, r)
			}
		}
	}
	if a := strings.ToLower(strings.TrimSpace(cv.AffiliateID)); a != "" {
		tracked = true
		if r, ok := byAff[a]; ok {
			refs = append(refs, r)
		}
	}
	if cv.UTMCampaign != "" {
		tracked = true
		if r, ok := byUTM[strings.ToLower(cv.UTMCampaign)+"\x00"+strings.ToLower(cv.UTMContent)]; ok {
			refs = append(refs, r)
		}
	}
	return refs, tracked
}

func add(f *Figures, cv Conversion, currency string) {
	cur := cv.Currency
	if cur == "" {
		cur = currency
	}
	switch {
	case cv.IsSale() && cur == currency:
		f.Sales++
		f.Revenue += cv.Net()
	case cv.IsSale():
		f.OtherSales++
		if f.OtherRevenue == nil {
			f.OtherRevenue = map[string]Money{}
		}
		f.OtherRevenue[cur] += cv.Net()
	case cv.Status == StatusPending:
		f.Pending++
	default:
		f.Refunded++
	}
}

func sum(dst *Figures, f Figures) {
	dst.Sales += f.Sales
	dst.Pending += f.Pending
	dst.Refunded += f.Refunded
	dst.Revenue += f.Revenue
	dst.OtherSales += f.OtherSales
	for c, v := range f.OtherRevenue {
		if dst.OtherRevenue == nil {
			dst.OtherRevenue = map[string]Money{}
		}
		dst.OtherRevenue[c] += v
	}
	dst.Fee += f.Fee
	switch {
	case f.Engagements < 0 || dst.Engagements < 0:
		dst.Engagements = -1 // one unknown makes the sum unknown
	default:
		dst.Engagements += f.Engagements
	}
}

func derive(f *Figures) {
	f.CPA, f.ROAS, f.ConvPer1k = nil, nil, nil
	if f.Sales > 0 {
		v := f.Fee / float64(f.Sales)
		f.CPA = &v
	}
	if f.Fee > 0 {
		v := f.Revenue.Float() / f.Fee
		f.ROAS = &v
	}
	if f.Engagements > 0 {
		v := float64(f.Sales) / f.Engagements * 1000
		f.ConvPer1k = &v
	}
}

// Converter is the proven_converter signal of one creator: its measured CPA
// against the median CPA of the campaign's creators with sales.
type Converter struct {
	CreatorKey string  `json:"creatorKey"`
	CampaignID string  `json:"campaignId"`
	CPA        float64 `json:"cpa"`
	MedianCPA  float64 `json:"medianCpa"`
	Sales      int     `json:"sales"`
	// Proven: at least MinSales sales at a CPA no higher than the median.
	Proven bool `json:"proven"`
}

// MinSales is the sample a proven converter needs: fewer sales say little.
const MinSales = 3

// Converters rates every member with sales on a campaign result.
func Converters(r Result) []Converter {
	var cpas []float64
	for _, c := range r.Creators {
		if c.CPA != nil {
			cpas = append(cpas, *c.CPA)
		}
	}
	if len(cpas) == 0 {
		return nil
	}
	med := median(cpas)
	var out []Converter
	for _, c := range r.Creators {
		if c.CPA == nil {
			continue
		}
		out = append(out, Converter{CreatorKey: c.CreatorKey, CampaignID: r.CampaignID, CPA: *c.CPA, MedianCPA: med,
			Sales: c.Sales, Proven: c.Sales >= MinSales && *c.CPA <= med})
	}
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
