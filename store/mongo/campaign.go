package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/store"
)

// Campaigns: one document per campaign, one insert-only document per
// reserved code (its _id is the code: a duplicate insert fails, so of two
// campaigns racing for a code exactly one wins, on MongoDB and on FerretDB,
// where find-and-modify upserts are not atomic), one document per order id.
const (
	colCampaigns     = "campaigns"
	colCampaignCodes = "campaign_codes"
	colConversions   = "conversions"
)

var _ store.Campaigns = (*Store)(nil)

type campaignDoc struct {
	ID        string            `bson:"_id"`
	CreatedAt time.Time         `bson:"createdAt"`
	Campaign  campaign.Campaign `bson:"campaign"`
}

type codeDoc struct {
	Code       string `bson:"_id"`
	CampaignID string `bson:"campaignId"`
}

type conversionDoc struct {
	OrderID    string              `bson:"_id"`
	Conversion campaign.Conversion `bson:"conversion"`
}

// reserveCodes inserts the campaign's code documents. On a code another
// campaign holds it removes the ones this call inserted and returns
// ErrCodeTaken.
func (s *Store) reserveCodes(ctx context.Context, c campaign.Campaign) error {
	col := s.db.Collection(colCampaignCodes)
	var mine []string
	undo := func() {
		if len(mine) > 0 {
			_, _ = col.DeleteMany(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: mine}}}})
		}
	}
	for _, code := range store.CampaignCodes(c) {
		_, err := col.InsertOne(ctx, codeDoc{Code: code, CampaignID: c.ID})
		if err == nil {
			mine = append(mine, code)
			continue
		}
		if !mongo.IsDuplicateKeyError(err) {
			undo()
			return err
		}
		var d codeDoc
		if err := col.FindOne(ctx, byID(code)).Decode(&d); err != nil {
			undo()
			return fmt.Errorf("reading code %s: %w", code, err)
		}
		if d.CampaignID != c.ID {
			undo()
			return fmt.Errorf("%s: %w (%s)", code, store.ErrCodeTaken, d.CampaignID)
		}
	}
	return nil
}

// CreateCampaign stores a new campaign and reserves its codes.
func (s *Store) CreateCampaign(ctx context.Context, c campaign.Campaign) error {
	n, err := s.db.Collection(colCampaigns).CountDocuments(ctx, byID(c.ID))
	if err != nil {
		return fmt.Errorf("creating campaign %q: %w", c.ID, err)
	}
	if n > 0 {
		return fmt.Errorf("creating campaign %q: %w", c.ID, store.ErrExists)
	}
	if err := s.reserveCodes(ctx, c); err != nil {
		return fmt.Errorf("creating campaign %q: %w", c.ID, err)
	}
	if _, err := s.db.Collection(colCampaigns).InsertOne(ctx, campaignDoc{ID: c.ID, CreatedAt: c.CreatedAt, Campaign: c}); err != nil {
		_, _ = s.db.Collection(colCampaignCodes).DeleteMany(context.WithoutCancel(ctx), bson.D{{Key: "campaignId", Value: c.ID}})
		if mongo.IsDuplicateKeyError(err) {
			err = store.ErrExists
		}
		return fmt.Errorf("creating campaign %q: %w", c.ID, err)
	}
	return nil
}

// SaveCampaign replaces a stored campaign.
func (s *Store) SaveCampaign(ctx context.Context, c campaign.Campaign) error {
	n, err := s.db.Collection(colCampaigns).CountDocuments(ctx, byID(c.ID))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err == nil {
		err = s.reserveCodes(ctx, c)
	}
	if err == nil {
		_, err = s.db.Collection(colCampaigns).ReplaceOne(ctx, byID(c.ID), campaignDoc{ID: c.ID, CreatedAt: c.CreatedAt, Campaign: c})
	}
	if err != nil {
		return fmt.Errorf("saving campaign %q: %w", c.ID, err)
	}
	return nil
}

// Campaign returns one campaign.
func (s *Store) Campaign(ctx context.Context, id string) (campaign.Campaign, error) {
	var d campaignDoc
	err := s.db.Collection(colCampaigns).FindOne(ctx, byID(id)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return campaign.Campaign{}, fmt.Errorf("campaign %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("reading campaign %q: %w", id, err)
	}
	return d.Campaign, nil
}

// ListCampaigns returns every campaign, newest first.
func (s *Store) ListCampaigns(ctx context.Context) ([]campaign.Campaign, error) {
	docs, err := findAll[campaignDoc](ctx, s.db.Collection(colCampaigns), "campaigns", bson.D{},
		options.Find().SetSort(keys("-createdAt", "-_id")))
	if err != nil {
		return nil, err
	}
	out := make([]campaign.Campaign, len(docs))
	for i, d := range docs {
		out[i] = d.Campaign
	}
	return out, nil
}

// CodeTaken tells whether a code or affiliate id is reserved.
func (s *Store) CodeTaken(ctx context.Context, code string) (bool, error) {
	n, err := s.db.Collection(colCampaignCodes).CountDocuments(ctx, byID(store.CodeKey(code)))
	if err != nil {
		return false, fmt.Errorf("looking up code %q: %w", code, err)
	}
	return n > 0, nil
}

// PutConversions merges conversions by order id. Merging only ever adds
// information (campaign.Merge), so two imports of one order at once end with
// what the later write saw; importing the file again repairs a lost refund.
func (s *Store) PutConversions(ctx context.Context, cs []campaign.Conversion) (changed, duplicates int, err error) {
	col := s.db.Collection(colConversions)
	for _, cv := range cs {
		var existing []campaign.Conversion
		var d conversionDoc
		switch err := col.FindOne(ctx, byID(cv.OrderID)).Decode(&d); {
		case errors.Is(err, mongo.ErrNoDocuments):
		case err != nil:
			return changed, duplicates, fmt.Errorf("reading conversion %q: %w", cv.OrderID, err)
		default:
			existing = []campaign.Conversion{d.Conversion}
		}
		merged, dup := campaign.Merge(existing, []campaign.Conversion{cv})
		if dup > 0 {
			duplicates++
			continue
		}
		err := retryUpsert(ctx, func() error {
			_, err := col.ReplaceOne(ctx, byID(cv.OrderID), conversionDoc{OrderID: cv.OrderID, Conversion: merged[0]},
				options.Replace().SetUpsert(true))
			return err
		})
		if err != nil {
			return changed, duplicates, fmt.Errorf("storing conversion %q: %w", cv.OrderID, err)
		}
		changed++
	}
	return changed, duplicates, nil
}

// Conversions returns every stored conversion, by order id.
func (s *Store) Conversions(ctx context.Context) ([]campaign.Conversion, error) {
	docs, err := findAll[conversionDoc](ctx, s.db.Collection(colConversions), "conversions", bson.D{},
		options.Find().SetSort(keys("_id")))
	if err != nil {
		return nil, err
	}
	out := make([]campaign.Conversion, len(docs))
	for i, d := range docs {
		out[i] = d.Conversion
	}
	return out, nil
}

// The proven_converter signal lives on the creator document, apart from the
// score: converter (the signal), converterProven (the filter) and
// converterRank (−CPA, so Top's descending sort puts the lowest CPA first and
// creators without one, missing, last). Not atomic across creators (FerretDB
// has no transactions): a concurrent Top may see a half-replaced set.

// SetConverters replaces every creator's signal.
func (s *Store) SetConverters(ctx context.Context, cs []campaign.Converter) error {
	col := s.db.Collection(colCreators)
	_, err := col.UpdateMany(ctx, bson.D{{Key: "converter", Value: bson.D{{Key: "$exists", Value: true}}}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "converter", Value: ""}, {Key: "converterProven", Value: ""}, {Key: "converterRank", Value: ""}}}})
	if err != nil {
		return fmt.Errorf("clearing converter signals: %w", err)
	}
	for _, c := range cs {
		cpa := c.CPA
		if cpa != cpa || cpa > 1e300 || cpa < -1e300 {
			cpa = 1e300
		}
		_, err := col.UpdateOne(ctx, byID(c.CreatorKey), bson.D{{Key: "$set", Value: bson.D{
			{Key: "converter", Value: c}, {Key: "converterProven", Value: c.Proven}, {Key: "converterRank", Value: -cpa},
		}}})
		if err != nil {
			return fmt.Errorf("storing the converter signal of %q: %w", c.CreatorKey, err)
		}
	}
	return nil
}

// Converter returns a creator's signal.
func (s *Store) Converter(ctx context.Context, creatorKey string) (campaign.Converter, error) {
	var d struct {
		Converter *campaign.Converter `bson:"converter"`
	}
	err := s.db.Collection(colCreators).FindOne(ctx, byID(creatorKey), options.FindOne().SetProjection(bson.D{{Key: "converter", Value: 1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) || err == nil && d.Converter == nil {
		return campaign.Converter{}, fmt.Errorf("converter signal of %q: %w", creatorKey, store.ErrNotFound)
	}
	if err != nil {
		return campaign.Converter{}, fmt.Errorf("reading the converter signal of %q: %w", creatorKey, err)
	}
	return *d.Converter, nil
}
