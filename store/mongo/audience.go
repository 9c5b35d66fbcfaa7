package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/internal/finite"
)

const colAudience = "audience_samples"

var _ store.AudienceStore = (*Store)(nil)

// audienceDoc is a stored sample; _id is the creator key and day, so a second
// sample on one day replaces the first.
type audienceDoc struct {
	ID                   string `bson:"_id"`
	model.AudienceSample `bson:",inline"`
}

// SaveAudience upserts the sample by creator and day (replaceOne with
// upsert; a duplicate-key race on a new _id is retried once).
func (s *Store) SaveAudience(ctx context.Context, a model.AudienceSample) error {
	if a.CreatorKey == "" {
		return fmt.Errorf("writing audience sample: empty creator key")
	}
	if q := a.Quality; q != nil {
		c := *q
		c.Share, c.Low, c.High = finite.Float(c.Share), finite.Float(c.Low), finite.Float(c.High)
		c.Fake, c.Inactive = finite.Float(c.Fake), finite.Float(c.Inactive)
		a.Quality = &c
	}
	a.SampledAt = a.SampledAt.UTC()
	if a.Accounts == nil {
		a.Accounts = []model.AudienceAccount{}
	}
	col := s.db.Collection(colAudience)
	var err error
	for range 2 {
		_, err = col.ReplaceOne(ctx, byID(a.Key()), audienceDoc{ID: a.Key(), AudienceSample: a}, options.Replace().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("writing audience sample %q: %w", a.Key(), err)
	}
	return nil
}

// AudienceSamples returns the creator's samples, newest first.
func (s *Store) AudienceSamples(ctx context.Context, creatorKey string, limit int) ([]model.AudienceSample, error) {
	opts := options.Find().SetSort(bson.D{{Key: "sampledAt", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	docs, err := findAll[audienceDoc](ctx, s.db.Collection(colAudience), fmt.Sprintf("audience samples of %q", creatorKey),
		bson.D{{Key: "creatorKey", Value: creatorKey}}, opts)
	if err != nil {
		return nil, err
	}
	out := make([]model.AudienceSample, 0, len(docs))
	for _, d := range docs {
		a := d.AudienceSample
		a.SampledAt = a.SampledAt.UTC()
		out = append(out, a)
	}
	return out, nil
}
