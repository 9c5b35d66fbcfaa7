package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// testUnknownNeverReplacesKnown: a profile whose follower count is unknown
// (the platform's format changed, or it hides the count) never replaces
// the known stored count, nor the score computed from it, nor the day's
// snapshot; the creator is marked stale with the reason. Counts the new
// profile does know are written, and a 0 the platform reported is a
// count like any other (issue #10).
func testUnknownNeverReplacesKnown(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("bluesky", "drifted", 5000)
	good := score(model.TierNano, 72, 3.1, 0.4, 0.8)
	save(ctx, t, s, update(c, 2, good, t0))

	t1 := t0.Add(24 * time.Hour)
	lacking := c
	lacking.Followers, lacking.Following = 0, 777
	lacking.Unknown = []string{model.CountFollowers}
	zeroed := score(model.TierBelow, 10, 0, 0.4, 0.8)
	save(ctx, t, s, update(lacking, 2, zeroed, t1))

	rec := get(ctx, t, s, c.Key())
	if rec.Creator.Followers != 5000 || !rec.Creator.Known(model.CountFollowers) {
		t.Errorf("followers = %d (unknown %v), want the stored 5000 kept", rec.Creator.Followers, rec.Creator.Unknown)
	}
	if rec.Creator.Following != 777 {
		t.Errorf("following = %d, want the new, known 777", rec.Creator.Following)
	}
	if rec.Score == nil || rec.Score.ER != 3.1 || rec.Score.Tier != model.TierNano {
		t.Errorf("score = %s, want the stored ER 3.1 and tier nano kept", jsonOf(t, rec.Score))
	}
	sameTime(t, "LastScored", rec.LastScored, t0)
	if rec.Status != model.StatusStale || rec.StatusReason == "" {
		t.Errorf("status %q (%q), want stale with a reason", rec.Status, rec.StatusReason)
	}
	snaps, err := s.Snapshots(ctx, c.Key(), "")
	must(t, "Snapshots", err)
	for _, sn := range snaps {
		if sn.Followers == 0 {
			t.Errorf("a snapshot of day %s records 0 followers", sn.Day)
		}
	}
	top, err := s.Top(ctx, store.TopQuery{Platform: "bluesky", MinFollowers: 4000})
	must(t, "Top", err)
	if !slices.Contains(keysOf(top), c.Key()) {
		t.Errorf("Top by followers ≥ 4000 = %v, want %s (the followers column kept too)", keysOf(top), c.Key())
	}

	// A reported 0 is known: it replaces the stored count and the score.
	t2 := t1.Add(24 * time.Hour)
	reported := c
	reported.Followers = 0
	save(ctx, t, s, update(reported, 2, zeroed, t2))
	rec = get(ctx, t, s, c.Key())
	if rec.Creator.Followers != 0 || rec.Score == nil || rec.Score.ER != 0 || rec.Status != model.StatusOK {
		t.Errorf("a reported 0: followers %d, score %s, status %q; want 0, the new score, ok",
			rec.Creator.Followers, jsonOf(t, rec.Score), rec.Status)
	}
}

// testUnknownNewCreator: a creator first seen without a follower count is
// stored with the count marked unknown (not as a measured 0), and a later
// known count fills it in.
func testUnknownNewCreator(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("youtube", "hidden", 0)
	c.Unknown = []string{model.CountFollowers}
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{c}, t0))
	rec := get(ctx, t, s, c.Key())
	if rec.Creator.Known(model.CountFollowers) {
		t.Errorf("stored unknown = %v, want followers still unknown", rec.Creator.Unknown)
	}
	c.Followers, c.Unknown = 2400, nil
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{c}, t0.Add(time.Hour)))
	rec = get(ctx, t, s, c.Key())
	if rec.Creator.Followers != 2400 || !rec.Creator.Known(model.CountFollowers) {
		t.Errorf("followers %d unknown %v, want a known 2400", rec.Creator.Followers, rec.Creator.Unknown)
	}
}

// testUpsertCreatorsKeepsKnown: the bulk profile write keeps known stored
// counts a new profile lacks, creator by creator, and writes the rest.
func testUpsertCreatorsKeepsKnown(ctx context.Context, t *testing.T, s store.Store) {
	a, b := creator("mastodon", "a", 3000), creator("mastodon", "b", 4000)
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{a, b}, t0))
	a2, b2 := a, b
	a2.Followers, a2.PostsCount, a2.Unknown = 0, 0, []string{model.CountFollowers, model.CountPosts}
	a2.Bio = "new bio"
	b2.Followers = 4100
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{a2, b2}, t0.Add(time.Hour)))
	ra, rb := get(ctx, t, s, a.Key()), get(ctx, t, s, b.Key())
	if ra.Creator.Followers != 3000 || ra.Creator.PostsCount != 100 || len(ra.Creator.Unknown) != 0 {
		t.Errorf("a: followers %d posts %d unknown %v, want the stored 3000 and 100 kept", ra.Creator.Followers, ra.Creator.PostsCount, ra.Creator.Unknown)
	}
	if ra.Creator.Bio != "new bio" {
		t.Errorf("a: bio %q, want the new profile's", ra.Creator.Bio)
	}
	if rb.Creator.Followers != 4100 {
		t.Errorf("b: followers %d, want the new 4100", rb.Creator.Followers)
	}
	if ra.Status != model.StatusOK {
		t.Errorf("a: status %q, UpsertCreators must not touch status", ra.Status)
	}
}

// testUnknownFollowingOnly: a profile that lacks only a count ER does not
// read (following) keeps the stored one and is otherwise a normal
// collection: new score, status ok.
func testUnknownFollowingOnly(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("instagram", "graph", 8000)
	save(ctx, t, s, update(c, 1, score(model.TierNano, 50, 2, 0.4, 0.8), t0))
	c2 := c
	c2.Followers, c2.Following, c2.Unknown = 8100, 0, []string{model.CountFollowing}
	newer := score(model.TierNano, 55, 2.2, 0.4, 0.8)
	save(ctx, t, s, update(c2, 1, newer, t0.Add(time.Hour)))
	rec := get(ctx, t, s, c.Key())
	if rec.Creator.Followers != 8100 || rec.Creator.Following != c.Following {
		t.Errorf("followers %d following %d, want the new 8100 and the stored %d", rec.Creator.Followers, rec.Creator.Following, c.Following)
	}
	if rec.Status != model.StatusOK || rec.Score == nil || rec.Score.ER != 2.2 {
		t.Errorf("status %q score %s, want ok and the new score", rec.Status, jsonOf(t, rec.Score))
	}
}
