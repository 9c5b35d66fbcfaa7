package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// Demo history: the simulator serves each creator as it is today, so one
// demo run stores one snapshot per creator and every growth figure, chart
// and history signal would be empty. backfillHistory writes days of
// synthetic daily snapshots before today, shaped by the creator's hidden
// archetype, and the 1 h / 24 h / 7 d metric snapshots of its older posts:
//
//   - organic creators grow steadily (0.05–0.6 % a day, a few rising faster),
//     with day-to-day noise and an ER that wanders around today's;
//   - bought_followers jump once by 15–40 % in a day, 8–25 days ago (the
//     follower-spike signal);
//   - bought_likes and engagement pods had half to a third of today's ER
//     until recently (the ER-jump signal);
//   - sponsored_heavy grow like organic creators.
//
// It is deterministic in the seed and the creator key.
func backfillHistory(ctx context.Context, st store.Store, truth map[string]string, seed int64, days int, now time.Time) (int, error) {
	if days <= 0 {
		return 0, nil
	}
	recs, err := st.Top(ctx, store.TopQuery{Limit: 1_000_000})
	if err != nil {
		return 0, fmt.Errorf("reading the demo's creators: %w", err)
	}
	today := now.UTC().Truncate(24 * time.Hour)
	written := 0
	for _, rec := range recs {
		if rec.Score == nil || rec.Creator.Followers <= 0 {
			continue
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "%d/%s", seed, rec.Key)
		r := rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))
		arch := truth[rec.Key]

		rate := 0.0005 + 0.0055*r.Float64() // per day
		if r.Float64() < 0.1 {
			rate = 0.01 + 0.01*r.Float64() // a rising creator
		}
		spikeDay, spike := -1, 0.0
		if arch == simulator.ArchBoughtFollowers {
			spikeDay, spike = 8+r.IntN(18), 0.15+0.25*r.Float64()
			rate = 0.001 + 0.002*r.Float64()
		}
		erBase, jumpDay := rec.Score.ER, -1
		if (arch == simulator.ArchBoughtLikes || arch == simulator.ArchPod) && erBase > 0 {
			erBase = rec.Score.ER / (2 + r.Float64())
			jumpDay = 1 + r.IntN(3) // ER was low until a few days ago
		}
		followers := float64(rec.Creator.Followers)
		posts := float64(rec.Creator.PostsCount)
		perDay := 0.3 + 1.5*r.Float64()
		for ago := 1; ago <= days; ago++ {
			// Step back one day: undo that day's growth (and the spike).
			g := rate + r.NormFloat64()*0.0015
			followers /= 1 + g
			if ago-1 == spikeDay {
				followers /= 1 + spike
			}
			posts = math.Max(0, posts-perDay*r.Float64()*2)
			er := rec.Score.ER
			if jumpDay >= 0 && ago >= jumpDay {
				er = erBase
			}
			er = math.Max(0, er*(1+r.NormFloat64()*0.06))
			snap := model.Snapshot{
				CreatorKey: rec.Key,
				Day:        today.AddDate(0, 0, -ago).Format(time.DateOnly),
				Followers:  int64(math.Round(followers)),
				Following:  rec.Creator.Following,
				PostsCount: int64(posts),
				ER:         er,
				TakenAt:    today.AddDate(0, 0, -ago).Add(2 * time.Hour),
			}
			if err := st.PutSnapshot(ctx, snap); err != nil {
				return written, fmt.Errorf("writing demo history of %s: %w", rec.Key, err)
			}
			written++
		}
		if err := backfillVelocity(ctx, st, rec.Key, r, now); err != nil {
			return written, err
		}
	}
	return written, nil
}

// backfillVelocity writes the 1 h, 24 h and 7 d snapshots of a creator's
// posts older than a week: a share of today's counts that grows with age.
func backfillVelocity(ctx context.Context, st store.Store, key string, r *rand.Rand, now time.Time) error {
	posts, err := st.Posts(ctx, key, 0)
	if err != nil {
		return fmt.Errorf("reading posts of %s: %w", key, err)
	}
	var snaps []model.PostSnapshot
	for _, p := range posts {
		if now.Sub(p.CreatedAt) < 8*24*time.Hour || p.Likes == nil {
			continue
		}
		at1 := 0.15 + 0.2*r.Float64()
		at24 := 0.6 + 0.25*r.Float64()
		for _, b := range []struct {
			name  string
			hours float64
			share float64
		}{{"1h", 1, at1}, {"24h", 24, at24}, {"7d", 168, 0.95 + 0.05*r.Float64()}} {
			snaps = append(snaps, model.PostSnapshot{
				PostKey: p.Key(), Bucket: b.name, AgeHours: b.hours,
				Likes: share(p.Likes, b.share), Comments: share(p.Comments, b.share), Shares: share(p.Shares, b.share), Views: share(p.Views, b.share),
				TakenAt: p.CreatedAt.Add(time.Duration(b.hours * float64(time.Hour))),
			})
		}
	}
	if len(snaps) == 0 {
		return nil
	}
	if err := st.AddPostSnapshots(ctx, snaps); err != nil {
		return fmt.Errorf("writing post velocity of %s: %w", key, err)
	}
	return nil
}

// share is a share of a count; a hidden count stays hidden.
func share(n *int64, f float64) *int64 {
	if n == nil {
		return nil
	}
	v := int64(math.Round(float64(*n) * f))
	return &v
}
