package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// RunPrune checks store.Pruner: what is older than each cutoff goes, what is
// newer stays, running runs stay whatever their age, a zero cutoff keeps
// everything, and a second prune deletes nothing.
func RunPrune(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	st := open(t)
	var p store.Pruner = st

	// One creator with 4 posts: comments 1 h to 4 h before t0 ...
	c := creator("bluesky", "old", 3000)
	save(ctx, t, st, update(c, 4, score(model.TierNano, 60, 3, 0.5, 0.9), t0))
	// ... and 3 posts whose comments are 100 days old.
	u := update(creator("mastodon", "older", 2000), 0, nil, t0)
	u.Snapshot = nil
	for i := range 3 {
		pst := post("mastodon", "older", fmt.Sprintf("op%d", i), t0.AddDate(0, 0, -100))
		u.Posts = append(u.Posts, pst)
		u.Comments = append(u.Comments, comment("mastodon", pst.ID, pst.ID+"-c", pst.CreatedAt.Add(time.Hour)))
	}
	save(ctx, t, st, u)
	// Snapshots for the 11 days up to t0.
	for d := range 11 {
		day := t0.AddDate(0, 0, -d)
		must(t, "PutSnapshot", st.PutSnapshot(ctx, model.Snapshot{CreatorKey: c.Key(), Day: day.Format(time.DateOnly), Followers: 3000, TakenAt: day}))
	}
	runs := []model.Run{
		{ID: "old-done", Job: "nightly", Status: model.RunSucceeded, StartedAt: t0.AddDate(0, 0, -40)},
		{ID: "old-abandoned", Job: "nightly", Status: model.RunAbandoned, StartedAt: t0.AddDate(0, 0, -35)},
		{ID: "old-running", Job: "nightly", Status: model.RunRunning, StartedAt: t0.AddDate(0, 0, -40)},
		{ID: "new", Job: "nightly", Status: model.RunPartial, StartedAt: t0.AddDate(0, 0, -1)},
	}
	for _, r := range runs {
		r.Platforms = map[string]*model.PlatformStats{}
		must(t, "SaveRun", st.SaveRun(ctx, r))
	}
	wantStats(ctx, t, st, store.Stats{"comments": 7, "snapshots": 11, "runs": 4})
	// Claimed fires: two older than the cutoff, one newer.
	for _, d := range []int{-9, -8, -1} {
		if ok, err := st.ClaimFire(ctx, "nightly", t0.AddDate(0, 0, d), "a"); err != nil || !ok {
			t.Fatalf("ClaimFire: %v, %v", ok, err)
		}
	}

	// Zero cutoffs keep everything.
	got, err := p.Prune(ctx, store.Retention{})
	must(t, "Prune with zero retention", err)
	for k, n := range got {
		if n != 0 {
			t.Errorf("Prune with zero retention deleted %d %s", n, k)
		}
	}
	wantStats(ctx, t, st, store.Stats{"comments": 7, "snapshots": 11, "runs": 4})

	r := store.Retention{
		SnapshotsBefore: t0.AddDate(0, 0, -5), // keeps t0-5 … t0
		RunsBefore:      t0.AddDate(0, 0, -30),
		CommentsBefore:  t0.AddDate(0, 0, -30),
		FiresBefore:     t0.AddDate(0, 0, -7),
	}
	got, err = p.Prune(ctx, r)
	must(t, "Prune", err)
	want := store.Pruned{"snapshots": 5, "runs": 2, "comments": 3, "fires": 2}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("Prune deleted %d %s, want %d (all: %v)", got[k], k, n, got)
		}
	}
	wantStats(ctx, t, st, store.Stats{"comments": 4, "snapshots": 6, "runs": 2, "posts": 7, "creators": 2})

	snaps, err := st.Snapshots(ctx, c.Key(), "")
	must(t, "Snapshots", err)
	if len(snaps) != 6 || snaps[0].Day != t0.AddDate(0, 0, -5).Format(time.DateOnly) {
		t.Errorf("snapshots after prune: %d, first %v", len(snaps), snaps)
	}
	for _, id := range []string{"old-done", "old-abandoned"} {
		if _, err := st.Run(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("run %s after prune: err = %v, want ErrNotFound", id, err)
		}
	}
	for _, id := range []string{"old-running", "new"} {
		if _, err := st.Run(ctx, id); err != nil {
			t.Errorf("run %s after prune: %v", id, err)
		}
	}
	if cs, err := st.Comments(ctx, model.Key("mastodon", "op0")); err != nil || len(cs) != 0 {
		t.Errorf("old comments after prune: %d, %v", len(cs), err)
	}
	if cs, err := st.Comments(ctx, model.Key("bluesky", "old-p0")); err != nil || len(cs) != 1 {
		t.Errorf("recent comments after prune: %d, %v", len(cs), err)
	}
	for d, want := range map[int]bool{-9: false, -8: false, -1: true} {
		_, err := st.Fire(ctx, "nightly", t0.AddDate(0, 0, d))
		if got := err == nil; got != want || err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("fire of day %d after prune: err = %v, want kept %v", d, err, want)
		}
	}
	// The creator keeps its score and posts: retention never touches them.
	if rec := get(ctx, t, st, c.Key()); rec.Score == nil || rec.Score.Composite != 60 {
		t.Errorf("creator after prune: %+v", rec)
	}

	got, err = p.Prune(ctx, r)
	must(t, "second Prune", err)
	for k, n := range got {
		if n != 0 {
			t.Errorf("second Prune deleted %d %s", n, k)
		}
	}
}
