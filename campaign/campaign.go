// Package campaign closes the loop from a shortlist to measured sales: a
// campaign gives every creator a deterministic promo code, affiliate id and
// tracked link; sales come back from Shopify's orders export, Post Affiliate
// Pro's transaction export, a generic CSV or a signed webhook; Attribute joins
// the two into cost per acquisition per creator, per tier and per campaign.
// Overlap measures how much the creators' engaged audiences overlap and picks
// the set that reaches the most distinct people within a budget.
//
// Everything here is pure: no store, no HTTP. Callers load campaigns and
// conversions, and keep the results.
package campaign

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Campaign is a shortlist (or a filter snapshot) sent out with a budget, fees,
// dates and a product link.
type Campaign struct {
	// ID is the campaign's slug: lower-case letters, digits and dashes. It is
	// the utm_campaign of every tracked link.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Source is where the creators came from: "shortlist:NAME" or "filter:QUERY".
	Source     string             `json:"source,omitempty"`
	Budget     float64            `json:"budget"`
	Currency   string             `json:"currency"` // ISO 4217, e.g. USD
	DefaultFee float64            `json:"defaultFee"`
	FeeByTier  map[string]float64 `json:"feeByTier,omitempty"`
	Start      time.Time          `json:"start"`
	End        time.Time          `json:"end"`
	// AttributionDays extends the window after End: a sale up to this many
	// days after the campaign ends is still attributed (default 30).
	AttributionDays int    `json:"attributionDays"`
	ProductURL      string `json:"productUrl"`
	// AffiliateParam is the query parameter that carries the affiliate id on
	// tracked links (e.g. "a_aid" for Post Affiliate Pro); "" = none.
	AffiliateParam string `json:"affiliateParam,omitempty"`
	// ForecastCPA is what the planner forecast for this campaign (0 = none).
	ForecastCPA float64 `json:"forecastCpa,omitempty"`
	// ForecastByTier is the planner's forecast CPA of each tier's members
	// alone (at their fees).
	ForecastByTier map[string]float64 `json:"forecastByTier,omitempty"`
	Members        []Member           `json:"members"`
	CreatedAt      time.Time          `json:"createdAt"`
}

// Member is one creator on a campaign.
type Member struct {
	CreatorKey string `json:"creatorKey"`
	Handle     string `json:"handle"`
	Platform   string `json:"platform"`
	Tier       string `json:"tier"`
	// Fee is what the creator is paid; FeeOverride marks a per-creator fee
	// rather than the tier's default.
	Fee         float64 `json:"fee"`
	FeeOverride bool    `json:"feeOverride,omitempty"`
	Code        string  `json:"code"`
	AffiliateID string  `json:"affiliateId"`
	Link        string  `json:"link"`
	// Engagements is the creator's engagements in the campaign window (likes,
	// comments, shares of its posts), for conversions per 1,000; < 0 = unknown.
	Engagements float64 `json:"engagements"`
}

// Creator is what a campaign needs to know of a creator to add it.
type Creator struct {
	Key      string
	Handle   string
	Platform string
	Tier     string
	// Fee overrides the tier's fee when > 0.
	Fee float64
}

// Defaults applied by New.
const (
	DefaultAttributionDays = 30
	DefaultCurrency        = "USD"
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Slug turns a campaign name into an id: lower case, runs of anything but
// letters and digits become one dash.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}

// Validate reports every problem with the campaign's settings.
func (c Campaign) Validate() error {
	var errs []error
	if !slugRE.MatchString(c.ID) {
		errs = append(errs, fmt.Errorf("id %q: use lower-case letters, digits and dashes (1–63)", c.ID))
	}
	if c.Budget < 0 || c.Budget != c.Budget {
		errs = append(errs, fmt.Errorf("budget %v: must be 0 or more", c.Budget))
	}
	if c.DefaultFee < 0 || c.DefaultFee != c.DefaultFee {
		errs = append(errs, fmt.Errorf("default fee %v: must be 0 or more", c.DefaultFee))
	}
	for t, f := range c.FeeByTier {
		if f < 0 || f != f {
			errs = append(errs, fmt.Errorf("fee for tier %s %v: must be 0 or more", t, f))
		}
	}
	if len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency {
		errs = append(errs, fmt.Errorf("currency %q: use a 3-letter ISO code such as USD", c.Currency))
	}
	if c.Start.IsZero() || c.End.IsZero() || c.End.Before(c.Start) {
		errs = append(errs, fmt.Errorf("dates %s – %s: need a start and an end not before it", day(c.Start), day(c.End)))
	}
	if c.AttributionDays < 0 || c.AttributionDays > 365 {
		errs = append(errs, fmt.Errorf("attribution days %d: must be 0–365", c.AttributionDays))
	}
	if u, err := url.Parse(c.ProductURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("product URL %q: need an absolute http(s) URL", c.ProductURL))
	}
	return errors.Join(errs...)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.Format("2006-01-02")
}

// Fee is the fee of a creator of tier on this campaign.
func (c Campaign) Fee(tier string) float64 {
	if f, ok := c.FeeByTier[tier]; ok {
		return f
	}
	return c.DefaultFee
}

// Window is the span in which a sale is attributed: from Start up to, not
// including, the day after End plus AttributionDays.
func (c Campaign) Window() (from, until time.Time) {
	return c.Start, c.End.AddDate(0, 0, c.AttributionDays+1)
}

// Spend is the sum of the members' fees.
func (c Campaign) Spend() float64 {
	var s float64
	for _, m := range c.Members {
		s += m.Fee
	}
	return s
}

// Taken tells whether a promo code or affiliate id is already used by
// another campaign (codes are unique across campaigns). Nil = none taken.
type Taken func(code string) bool

// AddMembers adds creators to the campaign with their codes and links. A
// creator already on it is skipped. Codes are deterministic: the same
// campaign and creator always get the same code, unless that code is taken
// (by another campaign or by a creator of this one), when a longer one
// derived from the same hash is used.
func (c *Campaign) AddMembers(cs []Creator, taken Taken) error {
	if err := c.Validate(); err != nil {
		return err
	}
	have := map[string]bool{}
	used := map[string]bool{}
	for _, m := range c.Members {
		have[m.CreatorKey] = true
		used[m.Code] = true
		used[m.AffiliateID] = true
	}
	isTaken := func(s string) bool { return used[s] || (taken != nil && taken(s)) }
	for _, cr := range cs {
		if cr.Key == "" {
			return errors.New("a creator without a key cannot join a campaign")
		}
		if have[cr.Key] {
			continue
		}
		m := Member{CreatorKey: cr.Key, Handle: cr.Handle, Platform: cr.Platform, Tier: cr.Tier,
			Fee: c.Fee(cr.Tier), Engagements: -1}
		if cr.Fee > 0 {
			m.Fee, m.FeeOverride = cr.Fee, true
		}
		code, aff, err := codes(c.ID, cr.Key, cr.Handle, isTaken)
		if err != nil {
			return err
		}
		m.Code, m.AffiliateID = code, aff
		m.Link = c.link(m)
		c.Members = append(c.Members, m)
		have[cr.Key] = true
		used[code], used[aff] = true, true
	}
	return nil
}

// crockford is base32 without I, L, O and U: codes read aloud and typed by
// shoppers.
var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// codes derives the promo code (HANDLE-XXXX) and the affiliate id
// (ns-xxxxxxxx) of a creator on a campaign.
func codes(campaignID, creatorKey, handle string, taken func(string) bool) (code, aff string, err error) {
	sum := sha256.Sum256([]byte(campaignID + "\x00" + creatorKey))
	h := crockford.EncodeToString(sum[:])
	prefix := codePrefix(handle)
	for n := 4; n <= 12; n++ {
		if c := prefix + "-" + h[:n]; !taken(c) {
			code = c
			break
		}
	}
	for n := 8; n <= 16; n++ {
		if a := "ns-" + strings.ToLower(h[len(h)-n:]); !taken(a) {
			aff = a
			break
		}
	}
	if code == "" || aff == "" {
		return "", "", fmt.Errorf("no free promo code for %s on campaign %s", creatorKey, campaignID)
	}
	return code, aff, nil
}

// codePrefix is the first 8 letters and digits of the handle's first label,
// upper case ("alice.bsky.social" → "ALICE"); "NS" when there are none.
func codePrefix(handle string) string {
	handle = strings.TrimPrefix(handle, "@")
	if i := strings.IndexAny(handle, ".@"); i > 0 {
		handle = handle[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(handle) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			if b.Len() == 8 {
				break
			}
		}
	}
	if b.Len() == 0 {
		return "NS"
	}
	return b.String()
}

// link is the member's tracked link: the product URL with UTM parameters
// (utm_campaign = campaign id, utm_content = the code in lower case) and the
// affiliate id when the campaign names a parameter for it.
func (c Campaign) link(m Member) string {
	u, err := url.Parse(c.ProductURL)
	if err != nil { // Validate ran before
		return c.ProductURL
	}
	q := u.Query()
	q.Set("utm_source", "nanoscout")
	q.Set("utm_medium", "creator")
	q.Set("utm_campaign", c.ID)
	q.Set("utm_content", strings.ToLower(m.Code))
	if c.AffiliateParam != "" {
		q.Set(c.AffiliateParam, m.AffiliateID)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
