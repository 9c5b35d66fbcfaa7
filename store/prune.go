package store

import (
	"context"
	"time"
)

// Retention says what Prune deletes. A zero time keeps that kind of document.
type Retention struct {
	// SnapshotsBefore: daily creator snapshots of days before this (UTC).
	SnapshotsBefore time.Time
	// RunsBefore: finished run documents started before this. Runs still
	// running are kept whatever their age.
	RunsBefore time.Time
	// CommentsBefore: raw comments written (commented) before this.
	CommentsBefore time.Time
	// FiresBefore: claims of scheduled fires (FireClaimer) whose nominal
	// time is before this. A fire is only ever claimed around its time.
	FiresBefore time.Time
}

// Pruned counts the documents Prune deleted, by collection.
type Pruned map[string]int64

// Pruner deletes old data by a Retention (the daemon's prune job, `nanoscout
// db prune`). Both backends implement it; deletes go in batches, so readers
// and writers are not blocked for long.
type Pruner interface {
	Prune(ctx context.Context, r Retention) (Pruned, error)
}
