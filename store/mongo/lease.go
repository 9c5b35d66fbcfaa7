package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/store"
)

// Leases are kept as one document per job and epoch, _id "job#epoch". The
// current lease of a job is its highest epoch. Taking over a free or expired
// lease inserts the next epoch, so of several daemons racing for it the
// unique _id lets exactly one win (the others get duplicate key 11000).
//
// A single document per job updated with findOneAndUpdate({_id, $or:
// [{expiresAt < now}, {owner}]}, upsert) is atomic on MongoDB, but not on
// FerretDB 1.24, which runs findAndModify as a query, a filter in Go and a
// replace by _id: two daemons taking over the same expired lease at once
// both succeed there. Inserts, whose uniqueness the backend's primary key
// enforces, are atomic on both. Renew and Release only ever update the
// caller's own epoch document, which nobody else writes.
const colLeases = "leases"

// keepEpochs is how many older epochs of a job are kept (history, and a
// margin against an acquirer that read a stale current epoch).
const keepEpochs = 8

var _ store.Leaser = (*Store)(nil)

type leaseDoc struct {
	ID         string    `bson:"_id"`
	Job        string    `bson:"job"`
	Epoch      int64     `bson:"epoch"`
	Owner      string    `bson:"owner"`
	AcquiredAt time.Time `bson:"acquiredAt"`
	RenewedAt  time.Time `bson:"renewedAt"`
	ExpiresAt  time.Time `bson:"expiresAt"`
}

func (d leaseDoc) lease() store.Lease {
	return store.Lease{Job: d.Job, Owner: d.Owner, AcquiredAt: d.AcquiredAt.UTC(), RenewedAt: d.RenewedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
}

func leaseID(job string, epoch int64) string { return fmt.Sprintf("%s#%012d", job, epoch) }

// leaseNow is the leases' clock, in milliseconds as MongoDB keeps them.
func leaseNow() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// released is the expiry a released lease gets.
var released = time.Unix(0, 0).UTC()

// currentLease returns job's highest epoch, or found false.
func (s *Store) currentLease(ctx context.Context, job string) (d leaseDoc, found bool, err error) {
	err = s.db.Collection(colLeases).FindOne(ctx, bson.D{{Key: "job", Value: job}},
		options.FindOne().SetSort(bson.D{{Key: "epoch", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("reading lease %q: %w", job, err)
	}
	return d, true, nil
}

// newerEpoch reports whether job has an epoch above epoch.
func (s *Store) newerEpoch(ctx context.Context, job string, epoch int64) (bool, error) {
	n, err := s.db.Collection(colLeases).CountDocuments(ctx, bson.D{
		{Key: "job", Value: job}, {Key: "epoch", Value: bson.D{{Key: "$gt", Value: epoch}}},
	})
	if err != nil {
		return false, fmt.Errorf("checking lease %q: %w", job, err)
	}
	return n > 0, nil
}

// extend moves the expiry of owner's unexpired epoch document, and reports
// whether owner still holds the job's current epoch.
func (s *Store) extend(ctx context.Context, d leaseDoc, owner string, ttl time.Duration) (bool, error) {
	now := leaseNow()
	res, err := s.db.Collection(colLeases).UpdateOne(ctx, bson.D{
		{Key: "_id", Value: d.ID}, {Key: "owner", Value: owner}, {Key: "expiresAt", Value: bson.D{{Key: "$gt", Value: now}}},
	}, bson.D{{Key: "$set", Value: bson.D{{Key: "renewedAt", Value: now}, {Key: "expiresAt", Value: now.Add(ttl)}}}})
	if err != nil {
		return false, fmt.Errorf("renewing lease %q: %w", d.Job, err)
	}
	if res.MatchedCount == 0 {
		return false, nil
	}
	newer, err := s.newerEpoch(ctx, d.Job, d.Epoch)
	if err != nil {
		return false, err
	}
	return !newer, nil
}

// Acquire takes job's lease for owner: it extends owner's own unexpired
// lease, or inserts the next epoch when the current one is free or expired.
func (s *Store) Acquire(ctx context.Context, job, owner string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("acquiring lease %q: ttl %v must be positive", job, ttl)
	}
	cur, found, err := s.currentLease(ctx, job)
	if err != nil {
		return false, err
	}
	now := leaseNow()
	if found && cur.ExpiresAt.After(now) {
		if cur.Owner != owner {
			return false, nil
		}
		return s.extend(ctx, cur, owner, ttl)
	}
	next := int64(1)
	if found {
		next = cur.Epoch + 1
	}
	col := s.db.Collection(colLeases)
	doc := leaseDoc{ID: leaseID(job, next), Job: job, Epoch: next, Owner: owner, AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(ttl)}
	if _, err := col.InsertOne(ctx, doc); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return false, nil // another owner took this epoch first
		}
		return false, fmt.Errorf("acquiring lease %q: %w", job, err)
	}
	// An acquirer that read a stale current epoch inserts below the real
	// one; it must not think it holds the lease.
	newer, err := s.newerEpoch(ctx, job, next)
	if err != nil {
		return false, err
	}
	if newer {
		_, _ = col.UpdateOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "expiresAt", Value: released}}}})
		return false, nil
	}
	if next > keepEpochs {
		_, _ = col.DeleteMany(ctx, bson.D{{Key: "job", Value: job}, {Key: "epoch", Value: bson.D{{Key: "$lte", Value: next - keepEpochs}}}})
	}
	return true, nil
}

// Renew extends owner's lease. An expired lease is lost even when nobody has
// taken it yet: its holder may already have been given up on.
func (s *Store) Renew(ctx context.Context, job, owner string, ttl time.Duration) error {
	cur, found, err := s.currentLease(ctx, job)
	if err != nil {
		return err
	}
	if !found || cur.Owner != owner {
		return fmt.Errorf("renewing lease %q for %s: %w", job, owner, store.ErrLeaseLost)
	}
	ok, err := s.extend(ctx, cur, owner, ttl)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("renewing lease %q for %s: %w", job, owner, store.ErrLeaseLost)
	}
	return nil
}

// Release expires owner's lease now.
func (s *Store) Release(ctx context.Context, job, owner string) error {
	cur, found, err := s.currentLease(ctx, job)
	if err != nil {
		return err
	}
	if !found || cur.Owner != owner {
		return nil
	}
	_, err = s.db.Collection(colLeases).UpdateOne(ctx, bson.D{{Key: "_id", Value: cur.ID}, {Key: "owner", Value: owner}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expiresAt", Value: released}}}})
	if err != nil {
		return fmt.Errorf("releasing lease %q: %w", job, err)
	}
	return nil
}

// Leases lists every job's current lease, by job name.
func (s *Store) Leases(ctx context.Context) ([]store.Lease, error) {
	docs, err := findAll[leaseDoc](ctx, s.db.Collection(colLeases), "leases", bson.D{},
		options.Find().SetSort(bson.D{{Key: "job", Value: 1}, {Key: "epoch", Value: -1}}))
	if err != nil {
		return nil, err
	}
	var out []store.Lease
	for i, d := range docs {
		if i > 0 && docs[i-1].Job == d.Job {
			continue // an older epoch
		}
		out = append(out, d.lease())
	}
	return out, nil
}
