package export

import (
	"context"
	"errors"
	"fmt"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// CampaignCode is what a creator takes to its audience on a campaign: the
// promo code, the affiliate id and the tracked link, with its fee. Campaign
// exports (Campaigned) carry it on every row: in the CSV and CRM columns
// campaign, promo_code, affiliate_id, tracked_link, and as "campaign" in
// JSON, NDJSON and webhook deliveries.
type CampaignCode struct {
	Campaign    string  `json:"campaign"`
	Code        string  `json:"promoCode"`
	AffiliateID string  `json:"affiliateId"`
	Link        string  `json:"trackedLink"`
	Fee         float64 `json:"fee"`
}

// Campaigned pages through a campaign's members (in the campaign's order)
// with their codes and links. A member no longer in the store is exported
// with its key, handle and code, status "missing".
func Campaigned(st store.Store, id string) Source {
	return func(ctx context.Context, yield func([]Row) error) error {
		c, err := st.Campaign(ctx, id)
		if err != nil {
			return err
		}
		for start := 0; start < len(c.Members); start += PageSize {
			ms := c.Members[start:min(start+PageSize, len(c.Members))]
			rows := make([]Row, len(ms))
			for i, m := range ms {
				rec, err := st.Creator(ctx, m.CreatorKey)
				if errors.Is(err, store.ErrNotFound) {
					rec = store.CreatorRecord{Key: m.CreatorKey, Status: "missing"}
					rec.Creator.Handle = m.Handle
					if p, native, ok := model.SplitKey(m.CreatorKey); ok {
						rec.Creator.Platform, rec.Creator.ID = p, native
					}
				} else if err != nil {
					return fmt.Errorf("reading campaign member %s: %w", m.CreatorKey, err)
				}
				rows[i] = Row{Record: rec, Campaign: &CampaignCode{Campaign: c.ID, Code: m.Code, AffiliateID: m.AffiliateID,
					Link: m.Link, Fee: m.Fee}}
			}
			if err := addGrowth(ctx, st, rows); err != nil {
				return err
			}
			if err := yield(rows); err != nil {
				return err
			}
		}
		return nil
	}
}

func code(r Row) CampaignCode {
	if r.Campaign != nil {
		return *r.Campaign
	}
	return CampaignCode{}
}

// campaignColumns end the CSV and CRM exports: empty outside a campaign
// export. Cell neutralises them like every cell.
var campaignColumns = []Column{
	{"campaign", "campaign exports: the campaign id (its utm_campaign)", func(r Row, _ Doc) string { return code(r).Campaign }},
	{"promo_code", "campaign exports: the creator's promo code", func(r Row, _ Doc) string { return code(r).Code }},
	{"affiliate_id", "campaign exports: the creator's affiliate id", func(r Row, _ Doc) string { return code(r).AffiliateID }},
	{"tracked_link", "campaign exports: the product link with UTM parameters (and the affiliate id) for this creator", func(r Row, _ Doc) string { return code(r).Link }},
}
