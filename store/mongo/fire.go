package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/nanoscout/nanoscout/store"
)

// Fires are insert-only documents with _id "job@nominal time" (RFC 3339,
// microseconds, UTC). Of several daemons inserting the same fire, the unique
// _id lets exactly one succeed (the others get duplicate key 11000), on
// MongoDB and on FerretDB alike; nothing ever updates a fire document. The
// time is in the id to the microsecond, since dates keep only milliseconds.
const colFires = "fires"

var _ store.FireClaimer = (*Store)(nil)

type fireDoc struct {
	ID        string    `bson:"_id"`
	Job       string    `bson:"job"`
	At        time.Time `bson:"at"`
	Owner     string    `bson:"owner"`
	ClaimedAt time.Time `bson:"claimedAt"`
}

func fireID(job string, at time.Time) string {
	return job + "@" + store.FireTime(at).Format("2006-01-02T15:04:05.000000Z")
}

// ClaimFire inserts the fire's document.
func (s *Store) ClaimFire(ctx context.Context, job string, at time.Time, owner string) (bool, error) {
	if job == "" || at.IsZero() {
		return false, fmt.Errorf("claiming a fire: job %q at %v: both are required", job, at)
	}
	doc := fireDoc{ID: fireID(job, at), Job: job, At: store.FireTime(at), Owner: owner, ClaimedAt: time.Now().UTC()}
	if _, err := s.db.Collection(colFires).InsertOne(ctx, doc); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		return false, fmt.Errorf("claiming fire %s: %w", doc.ID, fatal(err))
	}
	return true, nil
}

// Fire returns the claim of job's fire at at.
func (s *Store) Fire(ctx context.Context, job string, at time.Time) (store.Fire, error) {
	id := fireID(job, at)
	var d fireDoc
	err := s.db.Collection(colFires).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Fire{}, fmt.Errorf("fire %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Fire{}, fmt.Errorf("reading fire %s: %w", id, err)
	}
	return store.Fire{Job: d.Job, At: store.FireTime(at), Owner: d.Owner, ClaimedAt: d.ClaimedAt.UTC()}, nil
}
