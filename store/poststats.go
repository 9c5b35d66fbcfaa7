package store

import (
	"context"

	"github.com/nanoscout/nanoscout/model"
)

// PostSnapshotter keeps each post's metrics at about 1 h, 24 h and 7 d of
// age. Both backends implement it.
type PostSnapshotter interface {
	// AddPostSnapshots stores snapshots whose (post, bucket) is new; a
	// bucket already stored keeps its first value.
	AddPostSnapshots(ctx context.Context, snaps []model.PostSnapshot) error
	// PostSnapshots returns a post's snapshots, youngest bucket first.
	PostSnapshots(ctx context.Context, postKey string) ([]model.PostSnapshot, error)
}
