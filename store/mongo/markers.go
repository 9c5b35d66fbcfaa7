package mongo

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/store"
)

// Markers: one insert-only document per marker, _id = ns + "\x1f" + id, so a
// second insert of one marker fails with a duplicate key on MongoDB and on
// FerretDB alike. ns and id are fields too, for prefix queries (an anchored
// $regex on id uses the (ns, id) index on MongoDB).
const colMarkers = "markers"

var _ store.Markers = (*Store)(nil)

type markerDoc struct {
	Key   string    `bson:"_id"`
	NS    string    `bson:"ns"`
	ID    string    `bson:"id"`
	Owner string    `bson:"owner"`
	Data  string    `bson:"data"`
	At    time.Time `bson:"at"`
}

func (d markerDoc) marker() store.Marker {
	return store.Marker{NS: d.NS, ID: d.ID, Owner: d.Owner, Data: d.Data, At: d.At.UTC()}
}

func markerKey(ns, id string) string { return ns + "\x1f" + id }

// Mark inserts a marker unless it exists.
func (s *Store) Mark(ctx context.Context, m store.Marker) (bool, store.Marker, error) {
	if m.NS == "" || m.ID == "" {
		return false, store.Marker{}, fmt.Errorf("marker %q/%q: %w: empty namespace or id", m.NS, m.ID, store.ErrInvalid)
	}
	m.At = m.At.UTC().Truncate(time.Millisecond)
	col := s.db.Collection(colMarkers)
	_, err := col.InsertOne(ctx, markerDoc{Key: markerKey(m.NS, m.ID), NS: m.NS, ID: m.ID, Owner: m.Owner, Data: m.Data, At: m.At})
	if err == nil {
		return true, m, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, store.Marker{}, fmt.Errorf("marking %s/%s: %w", m.NS, m.ID, err)
	}
	var d markerDoc
	if err := col.FindOne(ctx, byID(markerKey(m.NS, m.ID))).Decode(&d); err != nil {
		return false, store.Marker{}, fmt.Errorf("reading marker %s/%s: %w", m.NS, m.ID, err)
	}
	return false, d.marker(), nil
}

func markerFilter(ns, prefix string) bson.D {
	f := bson.D{{Key: "ns", Value: ns}}
	if prefix != "" {
		f = append(f, bson.E{Key: "id", Value: regex("^" + regexp.QuoteMeta(prefix))})
	}
	return f
}

// ListMarkers returns the markers of ns under prefix, by id.
func (s *Store) ListMarkers(ctx context.Context, ns, prefix string) ([]store.Marker, error) {
	docs, err := findAll[markerDoc](ctx, s.db.Collection(colMarkers), "markers", markerFilter(ns, prefix),
		options.Find().SetSort(keys("id")))
	if err != nil {
		return nil, err
	}
	out := make([]store.Marker, len(docs))
	for i, d := range docs {
		out[i] = d.marker()
	}
	return out, nil
}

// CountMarkers counts the markers of ns under prefix.
func (s *Store) CountMarkers(ctx context.Context, ns, prefix string) (int, error) {
	n, err := s.db.Collection(colMarkers).CountDocuments(ctx, markerFilter(ns, prefix))
	if err != nil {
		return 0, fmt.Errorf("counting markers %s/%s: %w", ns, prefix, err)
	}
	return int(n), nil
}

// DeleteMarkers deletes the markers of ns under prefix.
func (s *Store) DeleteMarkers(ctx context.Context, ns, prefix string) (int, error) {
	res, err := s.db.Collection(colMarkers).DeleteMany(ctx, markerFilter(ns, prefix))
	if err != nil {
		return 0, fmt.Errorf("deleting markers %s/%s: %w", ns, prefix, err)
	}
	return int(res.DeletedCount), nil
}
