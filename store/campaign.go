package store

import (
	"context"
	"errors"
	"strings"

	"github.com/nanoscout/nanoscout/campaign"
)

// ErrExists is returned when an id that must be new is already stored.
var ErrExists = errors.New("already exists")

// ErrCodeTaken is returned when a campaign's promo code or affiliate id is
// reserved by another campaign.
var ErrCodeTaken = errors.New("promo code or affiliate id taken by another campaign")

// Campaigns keeps campaigns, the promo codes they reserve, and the
// conversions imported for them. Both backends implement it; the conformance
// suite is storetest.RunCampaigns.
type Campaigns interface {
	// CreateCampaign stores a new campaign with its members. Every code and
	// affiliate id is reserved with an insert-only document, so of two
	// campaigns racing for one code exactly one wins: ErrCodeTaken for the
	// other, and nothing of it is stored. ErrExists when the id is taken.
	CreateCampaign(ctx context.Context, c campaign.Campaign) error
	// SaveCampaign replaces a stored campaign (new members' codes are
	// reserved as in CreateCampaign); ErrNotFound when it is not stored.
	SaveCampaign(ctx context.Context, c campaign.Campaign) error
	// Campaign returns one campaign, or ErrNotFound.
	Campaign(ctx context.Context, id string) (campaign.Campaign, error)
	// ListCampaigns returns every campaign, newest first.
	ListCampaigns(ctx context.Context) ([]campaign.Campaign, error)
	// CodeTaken tells whether a code or affiliate id is reserved.
	CodeTaken(ctx context.Context, code string) (bool, error)
	// PutConversions merges conversions into the stored ones by order id
	// (campaign.Merge) and returns how many were new or changed and how many
	// changed nothing (duplicates).
	PutConversions(ctx context.Context, cs []campaign.Conversion) (changed, duplicates int, err error)
	// Conversions returns every stored conversion, by order id.
	Conversions(ctx context.Context) ([]campaign.Conversion, error)
	// SetConverters replaces every creator's proven_converter signal with
	// cs (one per creator; a creator not stored is skipped). The signal is
	// kept apart from the score: Top filters on it (TopQuery.ProvenConverter)
	// and sorts by it (SortBy "cpa": lowest measured CPA first, creators
	// without a measurement last).
	SetConverters(ctx context.Context, cs []campaign.Converter) error
	// Converter returns a creator's signal, or ErrNotFound when none is
	// measured.
	Converter(ctx context.Context, creatorKey string) (campaign.Converter, error)
}

// CodeKey is the reservation key of a promo code or affiliate id: codes are
// matched case-insensitively at attribution, so they are reserved so too.
func CodeKey(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// CampaignCodes lists the reservation keys of a campaign's codes and
// affiliate ids.
func CampaignCodes(c campaign.Campaign) []string {
	out := make([]string, 0, 2*len(c.Members))
	for _, m := range c.Members {
		out = append(out, CodeKey(m.Code), CodeKey(m.AffiliateID))
	}
	return out
}
