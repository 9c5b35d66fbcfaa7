package stream

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// flakyAppView fakes the Bluesky AppView: the first getProfiles call fails
// (an HTML error page after retries), the others answer.
type flakyAppView struct {
	calls int
	reqs  int64
}

func (f *flakyAppView) Profiles(ctx context.Context, actors []string) ([]model.Creator, error) {
	f.calls++
	f.reqs++
	if f.calls == 1 {
		return nil, fmt.Errorf("app.bsky.actor.getProfiles: %w", collectors.ErrMalformed)
	}
	var out []model.Creator
	for _, a := range actors {
		out = append(out, model.Creator{Platform: Platform, ID: a, Handle: a + ".test", Followers: 2000})
	}
	return out, nil
}

func (f *flakyAppView) PostsByURI(ctx context.Context, uris []string) ([]model.Post, error) {
	f.reqs++
	return nil, nil
}

func (f *flakyAppView) Posts(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error) {
	f.reqs++
	n := int64(40)
	return collectors.PostPage{Posts: []model.Post{{Platform: Platform, ID: "at://" + cr.ID + "/app.bsky.feed.post/x", CreatorID: cr.ID,
		CreatedAt: time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), Likes: &n, Comments: new(int64), Shares: new(int64)}}}, nil
}

func (f *flakyAppView) Stats() collectors.RequestStats {
	return collectors.RequestStats{Requests: f.reqs}
}

// A failed getProfiles batch does not fail the round, and its candidates
// are neither filtered nor marked gone: the next round scores them.
func TestFunnelFailedBatchWaitsForNextRound(t *testing.T) {
	st := openStore(t, t.TempDir())
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var b store.StreamBatch
	b.Name = "bluesky"
	for i := range 30 { // two getProfiles batches: 25 + 5
		did := fmt.Sprintf("did:plc:c%02d", i)
		post := "at://" + did + "/app.bsky.feed.post/p"
		b.Creators = append(b.Creators, store.StreamCreatorUpdate{DID: did, Track: true, FirstSeen: now.Add(-time.Hour)})
		b.Posts = append(b.Posts, store.StreamPost{URI: post, CreatorDID: did, CreatedAt: now.Add(-time.Hour), SeenAt: now.Add(-time.Hour)})
		for j := range 25 {
			b.Records = append(b.Records, store.StreamRecord{URI: fmt.Sprintf("at://did:plc:f%d/app.bsky.feed.like/%d", j, i), Kind: store.RecordLike,
				AuthorDID: fmt.Sprintf("did:plc:f%d", j), CreatorDID: did, SubjectURI: post, At: now.Add(-time.Hour)})
		}
	}
	if err := st.ApplyStream(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Platforms = map[string]collectors.PlatformConfig{Platform: cfg.Platforms[Platform]}
	p, err := pipeline.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	h := &flakyAppView{}
	f, err := NewFunnel(st, h, p, FunnelConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := f.Round(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Scored != 5 || rs.Filtered != 0 || len(rs.Errors) != 1 || !errors.Is(rs.Errors[0], collectors.ErrMalformed) {
		t.Fatalf("first round: %+v", rs)
	}
	left, _ := st.StreamCreators(t.Context(), store.StreamCreatorQuery{Stage: store.StageCandidate})
	if len(left) != 25 {
		t.Errorf("%d candidates left for the next round, want the failed batch's 25", len(left))
	}
	if _, err := st.Creator(t.Context(), model.Key(Platform, left[0].DID)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a candidate of the failed batch was stored or marked: %v", err)
	}
	rs, err = f.Round(t.Context(), now)
	if err != nil || rs.Scored != 25 || len(rs.Errors) != 0 {
		t.Fatalf("second round: %+v %v", rs, err)
	}
}
