package campaign

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/sign"
)

func TestParseWebhook(t *testing.T) {
	secret := []byte("s3cret")
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	body := func(sentAt string, extra string) []byte {
		return []byte(`{"sent_at":"` + sentAt + `","order_id":"W-1","time":"2026-03-02T11:59:00Z","amount":"49.90","currency":"usd","code":"ALICE-ABCD"` + extra + `}`)
	}
	good := body("2026-03-02T11:58:00Z", "")
	cv, err := ParseWebhook(secret, good, sign.Sign(secret, good), now)
	if err != nil {
		t.Fatal(err)
	}
	if cv.OrderID != "W-1" || cv.Amount != 4990 || cv.Currency != "USD" || cv.Status != StatusPaid || cv.Source != SourceWebhook {
		t.Errorf("conversion = %+v", cv)
	}
	for name, tc := range map[string]struct {
		body []byte
		sig  string
		want error
		msg  string
	}{
		"no signature":     {good, "", ErrSignature, ""},
		"wrong secret":     {good, sign.Sign([]byte("other"), good), ErrSignature, ""},
		"body changed":     {body("2026-03-02T11:58:00Z", `,"refunded":"1"`), sign.Sign(secret, good), ErrSignature, ""},
		"replayed later":   {body("2026-03-02T11:54:59Z", ""), "", ErrReplay, ""},
		"from the future":  {body("2026-03-02T12:05:01Z", ""), "", ErrReplay, ""},
		"unknown field":    {body("2026-03-02T11:58:00Z", `,"evil":1`), "", nil, "unknown field"},
		"bad amount":       {[]byte(`{"sent_at":"2026-03-02T11:58:00Z","order_id":"W","time":"2026-03-02T11:59:00Z","amount":"x","currency":"USD","code":"A"}`), "", nil, "amount"},
		"nothing to go by": {[]byte(`{"sent_at":"2026-03-02T11:58:00Z","order_id":"W","time":"2026-03-02T11:59:00Z","amount":"1","currency":"USD"}`), "", nil, "nothing to attribute by"},
		"oversized":        {[]byte(`{"order_id":"` + strings.Repeat("x", 70<<10) + `"}`), "", nil, "body over"},
	} {
		t.Run(name, func(t *testing.T) {
			sig := tc.sig
			if sig == "" && tc.want != ErrSignature {
				sig = sign.Sign(secret, tc.body)
			}
			_, err := ParseWebhook(secret, tc.body, sig, now)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want %q", err, tc.msg)
			}
		})
	}
	if _, err := ParseWebhook(nil, good, sign.Sign(nil, good), now); err == nil {
		t.Error("accepted with no secret configured")
	}
	// The same order twice is one sale.
	m, dup := Merge([]Conversion{cv}, []Conversion{cv})
	if len(m) != 1 || dup != 1 {
		t.Errorf("retry: %d conversions, %d duplicates", len(m), dup)
	}
}
