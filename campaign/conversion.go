package campaign

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Status of a conversion as the shop or the affiliate network reports it.
const (
	StatusPaid     = "paid"     // counts as a sale
	StatusPending  = "pending"  // not yet paid or approved: shown apart, not a sale
	StatusRefunded = "refunded" // wholly refunded: no sale
	StatusVoided   = "voided"   // cancelled or voided before payment: no sale
	StatusDeclined = "declined" // rejected by the affiliate network: no sale
)

// Sources of conversions.
const (
	SourceShopify = "shopify"
	SourcePAP     = "pap"
	SourceGeneric = "generic"
	SourceWebhook = "webhook"
)

// Money is an amount in minor units (cents): sums stay exact.
type Money int64

// String formats m with two decimals.
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

// Float is m in major units.
func (m Money) Float() float64 { return float64(m) / 100 }

// ParseMoney reads "1234.5", "1,234.50", "$12" or "-3.10" into cents;
// more than two decimals are rounded half away from zero.
func ParseMoney(s string) (Money, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimLeft(t, "$€£¥")
	t = strings.ReplaceAll(t, ",", "")
	t = strings.ReplaceAll(t, "\u00a0", "")
	if t == "" {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	return Money(math.Round(f * 100)), nil
}

// Conversion is one order or affiliate transaction as imported.
type Conversion struct {
	OrderID  string    `json:"orderId"`
	Time     time.Time `json:"time"`
	Amount   Money     `json:"amount"` // the order's total as charged
	Refunded Money     `json:"refunded,omitempty"`
	Currency string    `json:"currency"`
	Status   string    `json:"status"`
	// What attributes it, in order of precedence.
	Code        string `json:"code,omitempty"`
	AffiliateID string `json:"affiliateId,omitempty"`
	UTMCampaign string `json:"utmCampaign,omitempty"`
	UTMContent  string `json:"utmContent,omitempty"`
	Source      string `json:"source"`
	// Row is the 1-based line of the file it came from (0 for a webhook).
	Row int `json:"row,omitempty"`
}

// Net is what the conversion is worth after refunds: 0 when it is not a sale.
func (c Conversion) Net() Money {
	if !c.IsSale() {
		return 0
	}
	n := c.Amount - c.Refunded
	if n < 0 {
		return 0
	}
	return n
}

// IsSale tells whether the conversion counts as a sale: paid and not wholly
// refunded.
func (c Conversion) IsSale() bool {
	return c.Status == StatusPaid && c.Amount > 0 && c.Refunded < c.Amount
}

// parseTime reads the time formats the imports meet: RFC 3339, Shopify's
// "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05" (UTC), a date.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00",
		"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 1e9 && n < 1e11 {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use 2006-01-02 15:04:05 or RFC 3339)", s)
}
