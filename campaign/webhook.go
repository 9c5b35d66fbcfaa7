package campaign

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/sign"
)

// ReplayWindow is how far a conversion webhook's sent_at may be from now.
const ReplayWindow = 5 * time.Minute

// maxWebhookBytes bounds one conversion webhook body.
const maxWebhookBytes = 64 << 10

// WebhookBody is what POST /api/conversions accepts: one order, signed like
// nanoscout's outgoing webhooks (X-Nanoscout-Signature: sha256=HMAC of the
// raw body). sent_at is inside the signed body, so a captured request cannot
// be replayed outside the window; the order id makes a retry idempotent.
type WebhookBody struct {
	SentAt      time.Time `json:"sent_at"`
	OrderID     string    `json:"order_id"`
	Time        time.Time `json:"time"`
	Amount      string    `json:"amount"` // decimal string, e.g. "49.90"
	Refunded    string    `json:"refunded,omitempty"`
	Currency    string    `json:"currency"`
	Status      string    `json:"status,omitempty"` // paid (default), pending, refunded, voided, declined
	Code        string    `json:"code,omitempty"`
	AffiliateID string    `json:"affiliate_id,omitempty"`
	UTMCampaign string    `json:"utm_campaign,omitempty"`
	UTMContent  string    `json:"utm_content,omitempty"`
}

// Webhook errors, for the HTTP status: ErrSignature → 401, the rest → 400.
var (
	ErrSignature = errors.New("bad or missing signature")
	ErrReplay    = errors.New("sent_at outside the replay window")
)

// ParseWebhook verifies and decodes one conversion webhook.
func ParseWebhook(secret, body []byte, signature string, now time.Time) (Conversion, error) {
	if len(secret) == 0 {
		return Conversion{}, errors.New("no conversion webhook secret configured")
	}
	if len(body) > maxWebhookBytes {
		return Conversion{}, fmt.Errorf("body over %d KiB", maxWebhookBytes>>10)
	}
	if !sign.Verify(secret, body, strings.TrimSpace(signature)) {
		return Conversion{}, ErrSignature
	}
	var w WebhookBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Conversion{}, fmt.Errorf("decode conversion: %w", err)
	}
	if w.SentAt.IsZero() || w.SentAt.Sub(now).Abs() > ReplayWindow {
		return Conversion{}, ErrReplay
	}
	cv := Conversion{OrderID: strings.TrimSpace(w.OrderID), Time: w.Time.UTC(), Currency: strings.ToUpper(w.Currency),
		Code: w.Code, AffiliateID: w.AffiliateID, UTMCampaign: w.UTMCampaign, UTMContent: w.UTMContent, Source: SourceWebhook}
	var err error
	if cv.OrderID == "" {
		return Conversion{}, errors.New("order_id: empty")
	}
	if cv.Time.IsZero() {
		return Conversion{}, errors.New("time: missing")
	}
	if cv.Amount, err = ParseMoney(w.Amount); err != nil || cv.Amount < 0 {
		return Conversion{}, fmt.Errorf("amount: %q is not an amount", w.Amount)
	}
	if w.Refunded != "" {
		if cv.Refunded, err = ParseMoney(w.Refunded); err != nil {
			return Conversion{}, fmt.Errorf("refunded: %w", err)
		}
	}
	if len(cv.Currency) != 3 {
		return Conversion{}, fmt.Errorf("currency: %q is not a currency code", w.Currency)
	}
	if cv.Status, err = genericStatus(w.Status); err != nil {
		return Conversion{}, fmt.Errorf("status: %w", err)
	}
	if cv.Status == StatusRefunded && cv.Refunded == 0 {
		cv.Refunded = cv.Amount
	}
	if cv.Code == "" && cv.AffiliateID == "" && cv.UTMCampaign == "" {
		return Conversion{}, errors.New("none of code, affiliate_id, utm_campaign: nothing to attribute by")
	}
	return cv, nil
}
