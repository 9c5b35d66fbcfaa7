package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

var (
	benchPlatforms = []string{"bluesky", "mastodon", "youtube", "instagram", "tiktok"}
	benchTiers     = []string{model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if seeded.dir != "" {
		if seeded.s != nil {
			seeded.s.Close()
		}
		os.RemoveAll(seeded.dir)
	}
	os.Exit(code)
}

// seeded is a store of 100k scored, ranked creators, built once per binary.
var seeded struct {
	once sync.Once
	dir  string
	s    *Store
	err  error
}

func benchCreator(i int, r *rand.Rand) store.CreatorRecord {
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	platform := benchPlatforms[i%len(benchPlatforms)]
	id := fmt.Sprintf("creator%06d", i)
	er := r.Float64() * 8
	byViews := er / 7
	return store.CreatorRecord{
		Key: model.Key(platform, id),
		Creator: model.Creator{
			Platform: platform, ID: id, Handle: id + ".example.com", DisplayName: "Creator " + id,
			Bio:       "Makes things about cooking, travel and small businesses. Links below.",
			AvatarURL: "https://cdn.example.com/avatars/" + id + ".jpg", URL: "https://example.com/" + id,
			Followers: 1000 + r.Int64N(2_000_000), Following: r.Int64N(3000), PostsCount: r.Int64N(5000),
			Language: "en", FetchedAt: at,
		},
		Score: &model.Score{
			Tier: benchTiers[(i/len(benchPlatforms))%len(benchTiers)], PostsUsed: 20, ER: er, ERMedian: er * 0.9,
			ERByViews: &byViews, Benchmark: 2.5, BenchmarkIndex: er / 2.5,
			ReplyDepth: model.ReplyDepth{CommentsSeen: 80, Commenters: 60, AnsweredCommenters: 20,
				AnsweredShare: 0.33, MedianHoursToReply: 4.2, MeanDepth: 1.6, Score: r.Float64()},
			Authenticity: r.Float64(), Composite: r.Float64() * 100,
			Breakdown: []model.Component{
				{Name: "er", Value: 0.7, Raw: er, Weight: 0.4, Reason: "ER 2.1x the tier benchmark"},
				{Name: "reply", Value: 0.5, Raw: 0.33, Weight: 0.3, Reason: "answers a third of commenters"},
				{Name: "authenticity", Value: 0.9, Raw: 0.9, Weight: 0.3, Reason: "no follower spikes"},
			},
			ComputedAt: at,
		},
		Status: model.StatusOK, LastCollected: at, LastScored: at, UpdatedAt: at,
	}
}

// seedStore returns the shared store of 100k scored creators.
func seedStore(b *testing.B) *Store {
	b.Helper()
	seeded.once.Do(func() {
		ctx := context.Background()
		seeded.dir, seeded.err = os.MkdirTemp("", "nanoscout-bench-")
		if seeded.err != nil {
			return
		}
		seeded.s, seeded.err = Open(ctx, seeded.dir)
		if seeded.err != nil {
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		start := time.Now()
		seeded.err = seeded.s.write(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, putCreatorSQL)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for i := range 100_000 {
				if err := putCreator(ctx, stmt, benchCreator(i, r)); err != nil {
					return err
				}
			}
			return nil
		})
		for _, p := range benchPlatforms {
			if seeded.err == nil {
				seeded.err = seeded.s.Rerank(ctx, p)
			}
		}
		if seeded.err == nil {
			_, seeded.err = seeded.s.db.ExecContext(ctx, `ANALYZE`)
		}
		b.Logf("seeded 100k scored creators in %v", time.Since(start).Round(time.Millisecond))
	})
	if seeded.err != nil {
		b.Fatalf("seeding: %v", seeded.err)
	}
	return seeded.s
}

// BenchmarkTop50Of100k measures a ranked, filtered page of 50 over 100k
// scored creators. The "platform+tier" case is the ranked list the web UI
// and the CLI show.
func BenchmarkTop50Of100k(b *testing.B) {
	s := seedStore(b)
	ctx := context.Background()
	cases := []struct {
		name string
		q    store.TopQuery
	}{
		{"platform+tier", store.TopQuery{Platform: "bluesky", Tier: model.TierMicro, Limit: 50}},
		{"platform+tier/page3", store.TopQuery{Platform: "bluesky", Tier: model.TierMicro, Limit: 50, Offset: 100}},
		{"platform", store.TopQuery{Platform: "youtube", Limit: 50}},
		{"all", store.TopQuery{Limit: 50}},
		{"platform+tier+minER", store.TopQuery{Platform: "bluesky", Tier: model.TierMicro, MinER: 6, Limit: 50}},
		{"platform+tier/by-followers", store.TopQuery{Platform: "bluesky", Tier: model.TierMicro, SortBy: "followers", Limit: 50}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				recs, err := s.Top(ctx, c.q)
				if err != nil {
					b.Fatal(err)
				}
				if len(recs) != 50 {
					b.Fatalf("got %d records, want 50", len(recs))
				}
			}
		})
	}
}

// BenchmarkUpsertPosts100k measures one bulk upsert of 100k posts (1k
// creators × 100), in transactions of 1,000. The first iteration inserts,
// later ones update in place.
func BenchmarkUpsertPosts100k(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	posts := make([]model.Post, 100_000)
	for i := range posts {
		posts[i] = model.Post{
			Platform: "bluesky", ID: fmt.Sprintf("3kpost%07d", i), CreatorID: fmt.Sprintf("did:plc:creator%04d", i%1000),
			CreatedAt: at.Add(-time.Duration(i) * time.Minute), Kind: "post",
			Text:     "A post of ordinary length, with a link and a couple of hashtags to make it realistic. #go #data",
			Hashtags: []string{"go", "data"}, URL: fmt.Sprintf("https://bsky.app/profile/x/post/%d", i),
			Likes: model.N(int64(i % 500)), Comments: model.N(int64(i % 40)), Shares: model.N(int64(i % 20)),
			Quotes: model.N(1), FetchedAt: at,
		}
	}
	for b.Loop() {
		if err := s.UpsertPosts(ctx, posts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(posts)*b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkConverterTop50Of100k measures the proven_converter filter and the
// cpa sort over 100k scored creators of which 1,000 have a measured CPA
// (a third of them proven). The cpa sort reads each scored creator's
// converter row (a correlated subquery): a scan, not an index walk.
func BenchmarkConverterTop50Of100k(b *testing.B) {
	s := seedStore(b)
	ctx := context.Background()
	recs, err := s.Top(ctx, store.TopQuery{Limit: 1000})
	if err != nil {
		b.Fatal(err)
	}
	cs := make([]campaign.Converter, len(recs))
	for i, r := range recs {
		cs[i] = campaign.Converter{CreatorKey: r.Key, CampaignID: "bench", CPA: float64(10 + i%97), MedianCPA: 50, Sales: 3 + i%5, Proven: i%3 == 0}
	}
	if err := s.SetConverters(ctx, cs); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.SetConverters(ctx, nil) })
	for _, c := range []struct {
		name string
		q    store.TopQuery
	}{
		{"proven", store.TopQuery{ProvenConverter: true, Limit: 50}},
		{"proven/by-cpa", store.TopQuery{ProvenConverter: true, SortBy: "cpa", Limit: 50}},
		{"all/by-cpa", store.TopQuery{SortBy: "cpa", Limit: 50}},
		{"platform+tier/by-cpa", store.TopQuery{Platform: "bluesky", Tier: model.TierMicro, SortBy: "cpa", Limit: 50}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				recs, err := s.Top(ctx, c.q)
				if err != nil {
					b.Fatal(err)
				}
				if len(recs) != 50 {
					b.Fatalf("got %d records, want 50", len(recs))
				}
			}
		})
	}
}
