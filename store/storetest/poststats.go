package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// RunPostSnapshots checks store.PostSnapshotter: first value per bucket
// kept, youngest first, hidden counts stay nil.
func RunPostSnapshots(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	st := open(t)
	var ps store.PostSnapshotter = st
	key := "bluesky:at://did:plc:x/app.bsky.feed.post/1"
	first := []model.PostSnapshot{
		{PostKey: key, Bucket: "24h", AgeHours: 23.5, Likes: model.N(40), Comments: model.N(5), TakenAt: t0},
		{PostKey: key, Bucket: "1h", AgeHours: 1.2, Likes: model.N(7), Comments: model.N(0), TakenAt: t0.Add(-22 * time.Hour)},
	}
	if err := ps.AddPostSnapshots(ctx, first); err != nil {
		t.Fatal(err)
	}
	// A later refresh in the same bucket, and a new bucket.
	again := []model.PostSnapshot{
		{PostKey: key, Bucket: "24h", AgeHours: 26, Likes: model.N(99), TakenAt: t0.Add(3 * time.Hour)},
		{PostKey: key, Bucket: "7d", AgeHours: 170, Likes: model.N(60), Comments: model.N(9), TakenAt: t0.Add(6 * 24 * time.Hour)},
	}
	if err := ps.AddPostSnapshots(ctx, again); err != nil {
		t.Fatal(err)
	}
	got, err := ps.PostSnapshots(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d snapshots, want 3: %+v", len(got), got)
	}
	wantBuckets := []string{"1h", "24h", "7d"}
	for i, b := range wantBuckets {
		if got[i].Bucket != b {
			t.Errorf("snapshot %d bucket %q, want %q", i, got[i].Bucket, b)
		}
	}
	if model.Val(got[1].Likes) != 40 {
		t.Errorf("24h bucket likes %d, want the first value 40", model.Val(got[1].Likes))
	}
	if got[0].Views != nil || got[2].Shares != nil {
		t.Errorf("hidden counts came back non-nil: %+v", got)
	}
	if other, err := ps.PostSnapshots(ctx, "bluesky:nope"); err != nil || len(other) != 0 {
		t.Errorf("unknown post: %v %v", other, err)
	}
}
