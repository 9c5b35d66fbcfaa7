package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

var _ store.Pruner = (*Store)(nil)

// pruneIndexes are the indexes Prune deletes by, created on first use (one
// per command: see createIndexes).
var pruneIndexes = map[string]bson.D{
	colSnapshots: keys("day"),
	colComments:  keys("createdAt"),
}

// Prune deletes old snapshots, finished runs and comments with deleteMany
// (no TTL indexes: FerretDB has none).
func (s *Store) Prune(ctx context.Context, r store.Retention) (store.Pruned, error) {
	out := store.Pruned{}
	type step struct {
		col    string
		filter bson.D
	}
	var steps []step
	if !r.SnapshotsBefore.IsZero() {
		steps = append(steps, step{colSnapshots, bson.D{{Key: "day", Value: bson.D{{Key: "$lt", Value: r.SnapshotsBefore.UTC().Format("2006-01-02")}}}}})
	}
	if !r.RunsBefore.IsZero() {
		steps = append(steps, step{colRuns, bson.D{
			{Key: "startedAt", Value: bson.D{{Key: "$lt", Value: r.RunsBefore.UTC()}}},
			{Key: "status", Value: bson.D{{Key: "$ne", Value: model.RunRunning}}},
		}})
	}
	if !r.CommentsBefore.IsZero() {
		steps = append(steps, step{colComments, bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: r.CommentsBefore.UTC()}}}}})
	}
	if !r.FiresBefore.IsZero() {
		steps = append(steps, step{colFires, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: r.FiresBefore.UTC()}}}}})
	}
	for _, st := range steps {
		col := s.db.Collection(st.col)
		if k, ok := pruneIndexes[st.col]; ok {
			if _, err := col.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: k}); err != nil {
				return out, fmt.Errorf("creating index %v on %s: %w", k, st.col, err)
			}
		}
		res, err := col.DeleteMany(ctx, st.filter)
		if err != nil {
			return out, fmt.Errorf("pruning %s: %w", st.col, err)
		}
		out[st.col] = res.DeletedCount
	}
	return out, nil
}
