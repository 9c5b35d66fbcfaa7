package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

const colPostSnaps = "post_snapshots"

var _ store.PostSnapshotter = (*Store)(nil)

type postSnapDoc struct {
	ID                 string `bson:"_id"` // postKey:bucket
	model.PostSnapshot `bson:",inline"`
}

// AddPostSnapshots inserts snapshots whose (post, bucket) is new: an
// unordered insert whose duplicate-key errors mean "already stored".
func (s *Store) AddPostSnapshots(ctx context.Context, snaps []model.PostSnapshot) error {
	if len(snaps) == 0 {
		return nil
	}
	docs := make([]any, len(snaps))
	for i, ps := range snaps {
		docs[i] = postSnapDoc{ID: ps.PostKey + ":" + ps.Bucket, PostSnapshot: ps}
	}
	_, err := s.db.Collection(colPostSnaps).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 {
				return fmt.Errorf("inserting post snapshots: %w", err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("inserting post snapshots: %w", err)
	}
	return nil
}

// PostSnapshots returns a post's snapshots, youngest bucket first.
func (s *Store) PostSnapshots(ctx context.Context, postKey string) ([]model.PostSnapshot, error) {
	docs, err := findAll[postSnapDoc](ctx, s.db.Collection(colPostSnaps), fmt.Sprintf("post snapshots of %q", postKey),
		bson.D{{Key: "postKey", Value: postKey}}, options.Find().SetSort(keys("ageHours")))
	if err != nil {
		return nil, err
	}
	out := make([]model.PostSnapshot, len(docs))
	for i, d := range docs {
		out[i] = d.PostSnapshot
	}
	return out, nil
}
