package store

import (
	"context"
	"time"
)

// Marker is an insert-only record: of all the writers of one (NS, ID), the
// first wins and the rest learn who did. It is the primitive behind
// everything that needs exactly one winner across processes and machines —
// a run's work claims, creators collected once per run, quota reservations
// — built on what both backends do atomically: an insert of a unique key
// (a transaction on SQLite; a unique _id on MongoDB, where FerretDB's
// find-and-modify upserts are not atomic).
type Marker struct {
	NS    string    `json:"ns"`    // namespace, e.g. "collected"
	ID    string    `json:"id"`    // unique in NS; prefixes group markers (e.g. "RUNID/…")
	Owner string    `json:"owner"` // who wrote it
	Data  string    `json:"data,omitempty"`
	At    time.Time `json:"at"`
}

// Markers keeps insert-only markers. Both backends implement it; the
// conformance suite is storetest.RunMarkers.
type Markers interface {
	// Mark inserts m unless (m.NS, m.ID) exists. won reports whether this
	// call inserted it; when it did not, held is the stored marker.
	Mark(ctx context.Context, m Marker) (won bool, held Marker, err error)
	// ListMarkers returns the markers of ns whose ID starts with prefix, by ID.
	ListMarkers(ctx context.Context, ns, prefix string) ([]Marker, error)
	// CountMarkers counts the markers of ns whose ID starts with prefix.
	CountMarkers(ctx context.Context, ns, prefix string) (int, error)
	// DeleteMarkers deletes the markers of ns whose ID starts with prefix
	// (pruning a finished run's); it returns how many.
	DeleteMarkers(ctx context.Context, ns, prefix string) (int, error)
}
