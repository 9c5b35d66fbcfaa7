// Package storetest is the conformance suite every store.Store backend must
// pass. A backend's test file calls Run with a function that opens a fresh,
// empty store, the way go-cloud's drivertest and Prometheus' storage tests
// work. The suite keeps its data small (hundreds of documents), since the
// MongoDB backend runs it against FerretDB, which scans every collection.
package storetest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// timeout bounds each subtest, so a backend that blocks (FerretDB's batch-size
// trap) fails instead of hanging the test binary.
const timeout = time.Minute

// t0 is the suite's clock. Times are whole seconds in UTC, which every
// backend keeps exactly (MongoDB keeps milliseconds).
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// Run runs the suite. open must return a new, empty store for each call and
// close it when t ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(ctx context.Context, t *testing.T, s store.Store)
	}{
		{"IdempotentUpserts", testIdempotentUpserts},
		{"SaveCreatorKeepsScoreWhenNil", testKeepScore},
		{"MarkStatusKeepsMetrics", testMarkStatus},
		{"StaleCreatorKeepsData", testStaleKeepsData},
		{"UpsertCreatorsNew", testUpsertCreatorsNew},
		{"Top", testTop},
		{"TopWithoutBreakdown", testTopWithoutBreakdown},
		{"Rerank", testRerank},
		{"PostsNewestFirst", testPosts},
		{"CommentsOldestFirst", testComments},
		{"HiddenCountsStayNil", testHiddenCounts},
		{"Snapshots", testSnapshots},
		{"Runs", testRuns},
		{"Stats", testStats},
		{"NotFound", testNotFound},
		{"CreatorByHandle", testCreatorByHandle},
		{"NonFiniteFloats", testNonFinite},
		{"ConcurrentSaveCreator", testConcurrentSave},
		{"ReupsertManyExisting", testReupsertMany},
		{"UnknownNeverReplacesKnown", testUnknownNeverReplacesKnown},
		{"UnknownNewCreator", testUnknownNewCreator},
		{"UpsertCreatorsKeepsKnown", testUpsertCreatorsKeepsKnown},
		{"UnknownFollowingOnly", testUnknownFollowingOnly},
		{"ClaimFire", testClaimFire},
		{"ClaimFireRace", testClaimFireRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			defer cancel()
			tc.fn(ctx, t, open(t))
		})
	}
}

// --- fixtures ---

func creator(platform, id string, followers int64) model.Creator {
	return model.Creator{
		Platform:    platform,
		ID:          id,
		Handle:      id + ".example",
		DisplayName: "Creator " + id,
		Bio:         "bio of " + id,
		Followers:   followers,
		Following:   followers / 10,
		PostsCount:  100,
		Links:       []string{"https://example.com/" + id},
		Language:    "en",
		CreatedAt:   t0.AddDate(-2, 0, 0),
		FetchedAt:   t0,
	}
}

func score(tier string, composite, er, reply, auth float64) *model.Score {
	byViews := er / 10
	return &model.Score{
		Tier:           tier,
		PostsUsed:      12,
		ER:             er,
		ERMedian:       er * 0.9,
		ERByViews:      &byViews,
		Benchmark:      2.5,
		BenchmarkIndex: er / 2.5,
		ReplyDepth: model.ReplyDepth{
			CommentsSeen: 40, Commenters: 30, AnsweredCommenters: 12, AnsweredShare: 0.4,
			MedianHoursToReply: 3.5, MeanDepth: 1.7, Score: reply,
		},
		Authenticity: auth,
		Composite:    composite,
		Flags:        []string{"test"},
		Breakdown: []model.Component{
			{Name: "er", Value: 0.8, Raw: er, Weight: 0.5, Reason: "above benchmark"},
			{Name: "reply", Value: reply, Raw: 0.4, Weight: 0.3, Reason: "answers"},
		},
		ComputedAt: t0,
	}
}

func post(platform, creatorID, id string, created time.Time) model.Post {
	return model.Post{
		Platform:  platform,
		ID:        id,
		CreatorID: creatorID,
		CreatedAt: created,
		Kind:      "post",
		Text:      "text of " + id,
		Hashtags:  []string{"go", "test"},
		URL:       "https://example.com/p/" + id,
		Likes:     model.N(10),
		Comments:  model.N(2),
		Shares:    model.N(1),
		FetchedAt: t0,
	}
}

func comment(platform, postID, id string, created time.Time) model.Comment {
	return model.Comment{
		Platform:     platform,
		ID:           id,
		PostID:       postID,
		ParentID:     postID,
		AuthorID:     "fan-" + id,
		AuthorHandle: "fan" + id,
		Text:         "nice " + id,
		CreatedAt:    created,
		Depth:        1,
	}
}

// update is a full collection of one creator: n posts (an hour apart, newest
// at t0) with one comment each, a snapshot for t0's day and the given score.
func update(c model.Creator, n int, sc *model.Score, at time.Time) store.CreatorUpdate {
	u := store.CreatorUpdate{Creator: c, Score: sc, At: at}
	for i := range n {
		p := post(c.Platform, c.ID, fmt.Sprintf("%s-p%d", c.ID, i), t0.Add(-time.Duration(i)*time.Hour))
		u.Posts = append(u.Posts, p)
		u.Comments = append(u.Comments, comment(c.Platform, p.ID, p.ID+"-c", p.CreatedAt.Add(time.Minute)))
	}
	u.Snapshot = &model.Snapshot{
		CreatorKey: c.Key(), Day: at.UTC().Format(time.DateOnly), Followers: c.Followers,
		Following: c.Following, PostsCount: c.PostsCount, ER: 2.5, TakenAt: at,
	}
	return u
}

// --- helpers ---

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func save(ctx context.Context, t *testing.T, s store.Store, u store.CreatorUpdate) {
	t.Helper()
	must(t, "SaveCreator "+u.Creator.Key(), s.SaveCreator(ctx, u))
}

func get(ctx context.Context, t *testing.T, s store.Store, key string) store.CreatorRecord {
	t.Helper()
	rec, err := s.Creator(ctx, key)
	must(t, "Creator "+key, err)
	return rec
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %T: %v", v, err)
	}
	return string(b)
}

// sameJSON compares two values by their JSON encoding, which is how both
// backends are expected to round-trip every field.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantStats(ctx context.Context, t *testing.T, s store.Store, want store.Stats) {
	t.Helper()
	got, err := s.Stats(ctx)
	must(t, "Stats", err)
	for k, n := range want {
		if got[k] != n {
			t.Errorf("Stats[%q] = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
}

func keysOf(recs []store.CreatorRecord) []string {
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.Key
	}
	return keys
}

func postIDs(ps []model.Post) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// --- tests ---

func testIdempotentUpserts(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("bluesky", "alice", 5000)
	u := update(c, 3, score(model.TierNano, 70, 3, 0.5, 0.9), t0)
	save(ctx, t, s, u)
	save(ctx, t, s, u)
	must(t, "UpsertPosts", s.UpsertPosts(ctx, u.Posts))
	must(t, "UpsertPosts", s.UpsertPosts(ctx, u.Posts))
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{c, c}, t0))
	must(t, "PutSnapshot", s.PutSnapshot(ctx, *u.Snapshot))
	wantStats(ctx, t, s, store.Stats{"creators": 1, "posts": 3, "comments": 3, "snapshots": 1, "runs": 0})

	posts, err := s.Posts(ctx, c.Key(), 0)
	must(t, "Posts", err)
	if len(posts) != 3 {
		t.Fatalf("Posts returned %d posts, want 3", len(posts))
	}
	sameJSON(t, "post round trip", posts[0], u.Posts[0])
	rec := get(ctx, t, s, c.Key())
	sameJSON(t, "creator round trip", rec.Creator, c)
	sameJSON(t, "score round trip", rec.Score, u.Score)
	if rec.Key != c.Key() || rec.Status != model.StatusOK {
		t.Errorf("record key %q status %q, want %q ok", rec.Key, rec.Status, c.Key())
	}
}

func testKeepScore(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("bluesky", "bob", 5000)
	first := score(model.TierNano, 72, 3.1, 0.4, 0.8)
	save(ctx, t, s, update(c, 2, first, t0))

	c.Followers = 5100
	t1 := t0.Add(24 * time.Hour)
	save(ctx, t, s, update(c, 2, nil, t1))

	rec := get(ctx, t, s, c.Key())
	if rec.Score == nil {
		t.Fatal("score dropped by a SaveCreator without score")
	}
	sameJSON(t, "kept score", rec.Score, first)
	if rec.Creator.Followers != 5100 {
		t.Errorf("followers = %d, want the new profile's 5100", rec.Creator.Followers)
	}
	sameTime(t, "LastScored", rec.LastScored, t0)
	sameTime(t, "LastCollected", rec.LastCollected, t1)
	if rec.Status != model.StatusOK {
		t.Errorf("status = %q, want ok", rec.Status)
	}
	top, err := s.Top(ctx, store.TopQuery{})
	must(t, "Top", err)
	if len(top) != 1 || top[0].Score == nil || top[0].Score.Composite != 72 {
		t.Errorf("Top after unscored save = %s, want bob with composite 72", jsonOf(t, top))
	}

	// A new score replaces the old one.
	second := score(model.TierNano, 40, 1.5, 0.2, 0.7)
	t2 := t1.Add(24 * time.Hour)
	save(ctx, t, s, update(c, 2, second, t2))
	rec = get(ctx, t, s, c.Key())
	sameJSON(t, "replaced score", rec.Score, second)
	sameTime(t, "LastScored", rec.LastScored, t2)
}

func testMarkStatus(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("mastodon", "carol", 20000)
	sc := score(model.TierMicro, 66, 2.2, 0.3, 0.9)
	save(ctx, t, s, update(c, 2, sc, t0))
	before := get(ctx, t, s, c.Key())

	must(t, "MarkStatus stale", s.MarkStatus(ctx, c.Key(), model.StatusStale, "timeout fetching profile"))
	rec := get(ctx, t, s, c.Key())
	if rec.Status != model.StatusStale || rec.StatusReason != "timeout fetching profile" {
		t.Errorf("status %q reason %q, want stale with the reason", rec.Status, rec.StatusReason)
	}
	sameJSON(t, "creator after MarkStatus", rec.Creator, before.Creator)
	sameJSON(t, "score after MarkStatus", rec.Score, before.Score)
	sameTime(t, "LastCollected", rec.LastCollected, before.LastCollected)
	sameTime(t, "LastScored", rec.LastScored, before.LastScored)

	must(t, "MarkStatus gone", s.MarkStatus(ctx, c.Key(), model.StatusGone, "account deleted"))
	if rec := get(ctx, t, s, c.Key()); rec.Status != model.StatusGone || rec.StatusReason != "account deleted" {
		t.Errorf("status %q reason %q, want gone", rec.Status, rec.StatusReason)
	}

	// A successful collection clears the status.
	save(ctx, t, s, update(c, 2, nil, t0.Add(time.Hour)))
	rec = get(ctx, t, s, c.Key())
	if rec.Status != model.StatusOK || rec.StatusReason != "" {
		t.Errorf("after SaveCreator: status %q reason %q, want ok and no reason", rec.Status, rec.StatusReason)
	}
	sameJSON(t, "score after recovery", rec.Score, sc)
}

func testStaleKeepsData(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("bluesky", "dave", 8000)
	sc := score(model.TierNano, 81, 4, 0.6, 0.95)
	save(ctx, t, s, update(c, 2, sc, t0))
	must(t, "MarkStatus", s.MarkStatus(ctx, c.Key(), model.StatusStale, "HTTP 503"))

	top, err := s.Top(ctx, store.TopQuery{Platform: "bluesky"})
	must(t, "Top", err)
	if len(top) != 1 {
		t.Fatalf("Top returned %v, want the stale creator", keysOf(top))
	}
	if top[0].Creator.Followers != 8000 || top[0].Status != model.StatusStale {
		t.Errorf("stale creator in Top: followers %d status %q, want 8000 stale", top[0].Creator.Followers, top[0].Status)
	}
	sameJSON(t, "stale score", top[0].Score, sc)

	for status, want := range map[string]int{model.StatusStale: 1, model.StatusOK: 0} {
		got, err := s.Top(ctx, store.TopQuery{Status: status})
		must(t, "Top by status", err)
		if len(got) != want {
			t.Errorf("Top{Status: %q} = %v, want %d creators", status, keysOf(got), want)
		}
	}

	// A profile refresh (discovery) updates the profile but keeps score and status.
	c.Followers = 8500
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{c}, t0.Add(time.Hour)))
	rec := get(ctx, t, s, c.Key())
	if rec.Creator.Followers != 8500 {
		t.Errorf("followers = %d after UpsertCreators, want 8500", rec.Creator.Followers)
	}
	if rec.Status != model.StatusStale || rec.StatusReason != "HTTP 503" {
		t.Errorf("UpsertCreators changed status to %q (%q), want stale kept", rec.Status, rec.StatusReason)
	}
	sameJSON(t, "score after UpsertCreators", rec.Score, sc)
	sameTime(t, "LastScored after UpsertCreators", rec.LastScored, t0)
	sameTime(t, "LastCollected after UpsertCreators", rec.LastCollected, t0)
	top, err = s.Top(ctx, store.TopQuery{MinFollowers: 8200})
	must(t, "Top", err)
	if len(top) != 1 {
		t.Errorf("Top{MinFollowers: 8200} = %v, want the refreshed follower count to filter", keysOf(top))
	}
}

func testUpsertCreatorsNew(ctx context.Context, t *testing.T, s store.Store) {
	var cs []model.Creator
	for i := range 5 {
		cs = append(cs, creator("youtube", fmt.Sprintf("new%d", i), int64(1000*(i+1))))
	}
	must(t, "UpsertCreators", s.UpsertCreators(ctx, cs, t0))
	wantStats(ctx, t, s, store.Stats{"creators": 5})
	rec := get(ctx, t, s, cs[2].Key())
	sameJSON(t, "new creator profile", rec.Creator, cs[2])
	if rec.Score != nil || rec.Status != model.StatusOK {
		t.Errorf("new creator: score %v status %q, want no score and ok", rec.Score, rec.Status)
	}
	sameTime(t, "UpdatedAt", rec.UpdatedAt, t0)
	top, err := s.Top(ctx, store.TopQuery{})
	must(t, "Top", err)
	if len(top) != 0 {
		t.Errorf("Top lists unscored creators %v", keysOf(top))
	}
	// Scoring one later makes it rankable.
	save(ctx, t, s, update(cs[2], 1, score(model.TierNano, 50, 2, 0.5, 0.5), t0.Add(time.Hour)))
	top, err = s.Top(ctx, store.TopQuery{})
	must(t, "Top", err)
	if !slices.Equal(keysOf(top), []string{cs[2].Key()}) {
		t.Errorf("Top = %v, want only the scored %s", keysOf(top), cs[2].Key())
	}
}

type seed struct {
	platform, id, tier string
	followers          int64
	composite, er      float64
	reply, auth        float64
	status             string
}

func (sd seed) key() string { return model.Key(sd.platform, sd.id) }

var seeds = []seed{
	{"bluesky", "a", model.TierNano, 5000, 80, 5.0, 0.5, 0.90, model.StatusOK},
	{"bluesky", "b", model.TierNano, 8000, 80, 3.0, 0.7, 0.80, model.StatusOK}, // ties a on composite
	{"bluesky", "c", model.TierMicro, 20000, 90, 2.0, 0.2, 0.95, model.StatusOK},
	{"bluesky", "d", model.TierMicro, 50000, 60, 4.0, 0.9, 0.60, model.StatusOK},
	{"bluesky", "e", model.TierMid, 200000, 70, 1.0, 0.4, 0.70, model.StatusOK},
	{"bluesky", "f", model.TierNano, 2000, 50, 6.0, 0.1, 0.50, model.StatusStale},
	{"mastodon", "g", model.TierNano, 3000, 85, 2.5, 0.6, 0.85, model.StatusOK},
	{"mastodon", "h", model.TierMicro, 15000, 65, 3.5, 0.3, 0.75, model.StatusOK},
	{"mastodon", "i", model.TierMid, 300000, 95, 0.5, 0.8, 0.99, model.StatusOK},
	{"mastodon", "j", model.TierNano, 4000, 85, 1.5, 0.65, 0.55, model.StatusOK}, // ties g
}

func seedCreators(ctx context.Context, t *testing.T, s store.Store) {
	t.Helper()
	for _, sd := range seeds {
		save(ctx, t, s, update(creator(sd.platform, sd.id, sd.followers), 1,
			score(sd.tier, sd.composite, sd.er, sd.reply, sd.auth), t0))
		if sd.status != model.StatusOK {
			must(t, "MarkStatus", s.MarkStatus(ctx, sd.key(), sd.status, "seeded"))
		}
	}
	// Unscored creators never appear in Top.
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{
		creator("bluesky", "unscored", 9000), creator("mastodon", "unscored", 9000),
	}, t0))
}

// expectTop is Top computed in Go over seeds.
func expectTop(q store.TopQuery) []string {
	field := func(sd seed) float64 {
		switch q.SortBy {
		case "er":
			return sd.er
		case "followers":
			return float64(sd.followers)
		case "reply":
			return sd.reply
		case "authenticity":
			return sd.auth
		}
		return sd.composite
	}
	var sel []seed
	for _, sd := range seeds {
		if (q.Platform != "" && sd.platform != q.Platform) || (q.Tier != "" && sd.tier != q.Tier) ||
			(q.MinER > 0 && sd.er < q.MinER) || (q.MinFollowers > 0 && sd.followers < q.MinFollowers) ||
			(q.MaxFollowers > 0 && sd.followers > q.MaxFollowers) || (q.Status != "" && sd.status != q.Status) {
			continue
		}
		sel = append(sel, sd)
	}
	slices.SortFunc(sel, func(a, b seed) int {
		if c := cmp.Compare(field(b), field(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.key(), b.key())
	})
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	keys := []string{}
	for i := q.Offset; i < len(sel) && len(keys) < limit; i++ {
		keys = append(keys, sel[i].key())
	}
	return keys
}

func testTop(ctx context.Context, t *testing.T, s store.Store) {
	seedCreators(ctx, t, s)
	queries := []store.TopQuery{
		{},
		{Platform: "bluesky"},
		{Platform: "bluesky", Tier: model.TierNano},
		{Platform: "mastodon", Tier: model.TierNano},
		{Tier: model.TierMicro},
		{Platform: "twitch"},
		{MinER: 3},
		{MinER: 3, Platform: "mastodon"},
		{MinFollowers: 5000, MaxFollowers: 50000},
		{MaxFollowers: 10000},
		{MinFollowers: 100000},
		{Status: model.StatusStale},
		{Status: model.StatusOK, Platform: "bluesky"},
		{Limit: 3},
		{Limit: 3, Offset: 3},
		{Limit: 3, Offset: 9},
		{Offset: 100},
		{SortBy: "composite"},
		{SortBy: "er"},
		{SortBy: "followers"},
		{SortBy: "reply"},
		{SortBy: "authenticity"},
		{SortBy: "followers", Platform: "bluesky", Limit: 2},
		{SortBy: "er", Tier: model.TierNano, MinFollowers: 3000},
	}
	for _, q := range queries {
		got, err := s.Top(ctx, q)
		if err != nil {
			t.Errorf("Top(%+v): %v", q, err)
			continue
		}
		if want := expectTop(q); !slices.Equal(keysOf(got), want) {
			t.Errorf("Top(%+v)\n got  %v\n want %v", q, keysOf(got), want)
		}
		for _, r := range got {
			if r.Score == nil || r.Creator.Platform == "" {
				t.Errorf("Top(%+v) returned %s without score or profile", q, r.Key)
			}
		}
	}

	// Pages put together are the whole list.
	var paged []string
	for off := 0; ; off += 4 {
		page, err := s.Top(ctx, store.TopQuery{Limit: 4, Offset: off})
		must(t, "Top page", err)
		if len(page) == 0 {
			break
		}
		paged = append(paged, keysOf(page)...)
	}
	if want := expectTop(store.TopQuery{}); !slices.Equal(paged, want) {
		t.Errorf("paged Top = %v, want %v", paged, want)
	}

	// Top returns the records Creator returns.
	top, err := s.Top(ctx, store.TopQuery{Limit: 1})
	must(t, "Top", err)
	if len(top) == 1 {
		sameJSON(t, "Top record vs Creator", top[0], get(ctx, t, s, top[0].Key))
	}

	if _, err := s.Top(ctx, store.TopQuery{SortBy: "nonsense"}); err == nil {
		t.Error("Top with an unknown SortBy gave no error")
	}
}

// expectRanks ranks seeds of platform within tier by composite, ties by key.
func expectRanks(platform string, composite map[string]float64) map[string]int {
	byTier := map[string][]seed{}
	for _, sd := range seeds {
		if sd.platform == platform {
			byTier[sd.tier] = append(byTier[sd.tier], sd)
		}
	}
	ranks := map[string]int{}
	for _, group := range byTier {
		slices.SortFunc(group, func(a, b seed) int {
			if c := cmp.Compare(composite[b.key()], composite[a.key()]); c != 0 {
				return c
			}
			return cmp.Compare(a.key(), b.key())
		})
		for i, sd := range group {
			ranks[sd.key()] = i + 1
		}
	}
	return ranks
}

func checkRanks(ctx context.Context, t *testing.T, s store.Store, want map[string]int) {
	t.Helper()
	for _, sd := range seeds {
		rec := get(ctx, t, s, sd.key())
		if rec.Score == nil {
			t.Errorf("%s lost its score", sd.key())
			continue
		}
		if rec.Score.Rank != want[sd.key()] {
			t.Errorf("rank of %s (%s, %v) = %d, want %d", sd.key(), sd.tier, rec.Score.Composite, rec.Score.Rank, want[sd.key()])
		}
	}
}

func testRerank(ctx context.Context, t *testing.T, s store.Store) {
	seedCreators(ctx, t, s)
	composite := map[string]float64{}
	for _, sd := range seeds {
		composite[sd.key()] = sd.composite
	}
	must(t, "Rerank bluesky", s.Rerank(ctx, "bluesky"))
	want := expectRanks("bluesky", composite) // mastodon stays unranked (0)
	checkRanks(ctx, t, s, want)
	for _, k := range []string{"bluesky:a", "bluesky:b", "bluesky:f"} {
		if want[k] == 0 {
			t.Fatalf("fixture: %s unranked", k)
		}
	}
	if want["bluesky:a"] != 1 || want["bluesky:b"] != 2 || want["bluesky:f"] != 3 {
		t.Fatalf("fixture ranks: %v", want)
	}

	must(t, "Rerank mastodon", s.Rerank(ctx, "mastodon"))
	for k, r := range expectRanks("mastodon", composite) {
		want[k] = r
	}
	checkRanks(ctx, t, s, want)

	// Top carries the ranks too.
	top, err := s.Top(ctx, store.TopQuery{Platform: "mastodon", Tier: model.TierNano})
	must(t, "Top", err)
	if len(top) != 2 || top[0].Score.Rank != 1 || top[1].Score.Rank != 2 {
		t.Errorf("Top mastodon nano ranks = %s", jsonOf(t, top))
	}

	// A rescore moves b above a; a save without score keeps the rank.
	cb := creator("bluesky", "b", 8000)
	save(ctx, t, s, update(cb, 1, score(model.TierNano, 99, 3, 0.7, 0.8), t0.Add(time.Hour)))
	composite["bluesky:b"] = 99
	save(ctx, t, s, update(creator("bluesky", "c", 20000), 1, nil, t0.Add(time.Hour)))
	must(t, "Rerank bluesky again", s.Rerank(ctx, "bluesky"))
	for k, r := range expectRanks("bluesky", composite) {
		want[k] = r
	}
	checkRanks(ctx, t, s, want)
	if want["bluesky:b"] != 1 || want["bluesky:a"] != 2 {
		t.Fatalf("fixture ranks after rescore: %v", want)
	}

	// Rerank is idempotent.
	must(t, "Rerank bluesky thrice", s.Rerank(ctx, "bluesky"))
	checkRanks(ctx, t, s, want)
	must(t, "Rerank of an empty platform", s.Rerank(ctx, "nowhere"))
}

func testPosts(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("bluesky", "erin", 3000)
	// Inserted out of order; p2 and p3 share a timestamp.
	var posts []model.Post
	for i, h := range []int{3, 0, 5, 5, 1} {
		posts = append(posts, post(c.Platform, c.ID, fmt.Sprintf("p%d", i), t0.Add(-time.Duration(h)*time.Hour)))
	}
	other := post(c.Platform, "someone-else", "x1", t0.Add(time.Hour))
	must(t, "UpsertPosts", s.UpsertPosts(ctx, append(slices.Clone(posts), other)))

	got, err := s.Posts(ctx, c.Key(), 0)
	must(t, "Posts", err)
	want := []string{"p1", "p4", "p0", "p3", "p2"} // newest first, ties by key descending
	if !slices.Equal(postIDs(got), want) {
		t.Errorf("Posts = %v, want %v", postIDs(got), want)
	}
	got, err = s.Posts(ctx, c.Key(), 2)
	must(t, "Posts limit 2", err)
	if !slices.Equal(postIDs(got), want[:2]) {
		t.Errorf("Posts limit 2 = %v, want %v", postIDs(got), want[:2])
	}
	if len(got) > 0 {
		sameJSON(t, "post round trip", got[0], posts[1])
	}
	got, err = s.Posts(ctx, "bluesky:nobody", 0)
	must(t, "Posts of unknown creator", err)
	if len(got) != 0 {
		t.Errorf("Posts of unknown creator = %v", postIDs(got))
	}

	// An upsert updates metrics in place.
	posts[1].Likes = model.N(999)
	must(t, "UpsertPosts", s.UpsertPosts(ctx, posts[1:2]))
	got, err = s.Posts(ctx, c.Key(), 1)
	must(t, "Posts", err)
	if len(got) != 1 || got[0].Likes == nil || *got[0].Likes != 999 {
		t.Errorf("updated post = %s, want likes 999", jsonOf(t, got))
	}
	must(t, "UpsertPosts empty", s.UpsertPosts(ctx, nil))
}

func testComments(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("mastodon", "fay", 3000)
	p := post(c.Platform, c.ID, "root", t0.Add(-time.Hour))
	var cs []model.Comment
	for i, m := range []int{30, 5, 50, 10} {
		cm := comment(c.Platform, p.ID, fmt.Sprintf("c%d", i), p.CreatedAt.Add(time.Duration(m)*time.Minute))
		if i == 2 {
			cm.ParentID, cm.Depth, cm.ByCreator, cm.AuthorID = "c1", 2, true, c.ID
		}
		if i == 0 {
			// The commenter's profile as a comment payload shows it: known
			// fields (an empty display name included) kept, unknown ones nil.
			cm.Author = &model.AudienceAccount{ID: cm.AuthorID, Handle: "ann_1", DisplayName: model.S(""), HasAvatar: model.B(false), Private: model.B(true)}
		}
		cs = append(cs, cm)
	}
	elsewhere := comment(c.Platform, "other-post", "z", t0)
	u := store.CreatorUpdate{Creator: c, Posts: []model.Post{p}, Comments: append(slices.Clone(cs), elsewhere), At: t0}
	save(ctx, t, s, u)

	got, err := s.Comments(ctx, model.Key(c.Platform, p.ID))
	must(t, "Comments", err)
	var ids []string
	for _, cm := range got {
		ids = append(ids, cm.ID)
	}
	if want := []string{"c1", "c3", "c0", "c2"}; !slices.Equal(ids, want) {
		t.Fatalf("Comments = %v, want %v (oldest first)", ids, want)
	}
	sameJSON(t, "reply by creator round trip", got[3], cs[2])
	sameJSON(t, "comment with its author's profile round trip", got[2], cs[0])
	if a := got[2].Author; a == nil || a.DisplayName == nil || *a.DisplayName != "" || a.Bio != nil || a.Followers != nil {
		t.Errorf("author profile after the round trip = %+v (shown-empty and unknown must stay apart)", a)
	}
	got, err = s.Comments(ctx, "mastodon:no-such-post")
	must(t, "Comments of unknown post", err)
	if len(got) != 0 {
		t.Errorf("Comments of unknown post = %d comments", len(got))
	}
}

func testHiddenCounts(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("instagram", "gus", 12000)
	p := post(c.Platform, c.ID, "hidden", t0)
	p.Likes = model.N(0) // shown, and zero
	p.Comments = model.N(7)
	p.Shares, p.Quotes, p.Saves, p.Views = nil, nil, nil, nil // hidden
	cm := comment(c.Platform, p.ID, "cm", t0.Add(time.Minute))
	cm.Likes = nil
	cm0 := comment(c.Platform, p.ID, "cm0", t0.Add(2*time.Minute))
	cm0.Likes = model.N(0)
	save(ctx, t, s, store.CreatorUpdate{Creator: c, Posts: []model.Post{p}, Comments: []model.Comment{cm, cm0}, At: t0})

	posts, err := s.Posts(ctx, c.Key(), 0)
	must(t, "Posts", err)
	if len(posts) != 1 {
		t.Fatalf("got %d posts, want 1", len(posts))
	}
	got := posts[0]
	if got.Views != nil || got.Shares != nil || got.Quotes != nil || got.Saves != nil {
		t.Errorf("hidden counts came back as numbers: views %v shares %v quotes %v saves %v",
			got.Views, got.Shares, got.Quotes, got.Saves)
	}
	if got.Likes == nil || *got.Likes != 0 {
		t.Errorf("likes = %v, want a shown 0", got.Likes)
	}
	if got.Comments == nil || *got.Comments != 7 {
		t.Errorf("comments = %v, want 7", got.Comments)
	}
	sameJSON(t, "post with hidden counts", got, p)

	cms, err := s.Comments(ctx, p.Key())
	must(t, "Comments", err)
	if len(cms) != 2 || cms[0].Likes != nil || cms[1].Likes == nil || *cms[1].Likes != 0 {
		t.Errorf("comment likes = %s, want hidden then shown 0", jsonOf(t, cms))
	}
}

func testSnapshots(ctx context.Context, t *testing.T, s store.Store) {
	key := model.Key("bluesky", "hana")
	snap := func(day string, followers int64) model.Snapshot {
		d, _ := time.Parse(time.DateOnly, day)
		return model.Snapshot{CreatorKey: key, Day: day, Followers: followers, Following: 10, PostsCount: 50,
			ER: 2.75, TakenAt: d.Add(6 * time.Hour)}
	}
	for _, sn := range []model.Snapshot{snap("2025-06-03", 130), snap("2025-06-01", 100), snap("2025-06-02", 110)} {
		must(t, "PutSnapshot", s.PutSnapshot(ctx, sn))
	}
	must(t, "PutSnapshot same day", s.PutSnapshot(ctx, snap("2025-06-02", 120)))
	must(t, "PutSnapshot other creator", s.PutSnapshot(ctx, model.Snapshot{CreatorKey: "bluesky:ivan", Day: "2025-06-02", TakenAt: t0}))
	wantStats(ctx, t, s, store.Stats{"snapshots": 4})

	days := func(ss []model.Snapshot) []string {
		var out []string
		for _, sn := range ss {
			out = append(out, fmt.Sprintf("%s=%d", sn.Day, sn.Followers))
		}
		return out
	}
	all, err := s.Snapshots(ctx, key, "")
	must(t, "Snapshots", err)
	if want := []string{"2025-06-01=100", "2025-06-02=120", "2025-06-03=130"}; !slices.Equal(days(all), want) {
		t.Errorf("Snapshots = %v, want %v", days(all), want)
	}
	if len(all) == 3 {
		sameJSON(t, "snapshot round trip", all[1], snap("2025-06-02", 120))
	}
	since, err := s.Snapshots(ctx, key, "2025-06-02")
	must(t, "Snapshots since", err)
	if want := []string{"2025-06-02=120", "2025-06-03=130"}; !slices.Equal(days(since), want) {
		t.Errorf("Snapshots since 2025-06-02 = %v, want %v", days(since), want)
	}
	none, err := s.Snapshots(ctx, key, "2025-07-01")
	must(t, "Snapshots since later", err)
	if len(none) != 0 {
		t.Errorf("Snapshots since a later day = %v", days(none))
	}

	// SaveCreator writes its snapshot with the same key.
	c := creator("bluesky", "hana", 140)
	u := update(c, 1, nil, time.Date(2025, 6, 3, 18, 0, 0, 0, time.UTC))
	save(ctx, t, s, u)
	all, err = s.Snapshots(ctx, key, "2025-06-03")
	must(t, "Snapshots", err)
	if want := []string{"2025-06-03=140"}; !slices.Equal(days(all), want) {
		t.Errorf("after SaveCreator: Snapshots = %v, want %v", days(all), want)
	}
}

func testRuns(ctx context.Context, t *testing.T, s store.Store) {
	run := func(id string, started time.Time) model.Run {
		return model.Run{ID: id, Job: "collect", Status: model.RunRunning, StartedAt: started, Owner: "host:1",
			Platforms: map[string]*model.PlatformStats{"bluesky": {Discovered: 3}}}
	}
	r1, r2, r3 := run("run-1", t0), run("run-2", t0.Add(time.Hour)), run("run-3", t0.Add(2*time.Hour))
	for _, r := range []model.Run{r2, r1, r3} {
		must(t, "SaveRun", s.SaveRun(ctx, r))
	}
	r1.Status = model.RunPartial
	r1.FinishedAt = t0.Add(30 * time.Minute)
	r1.DurationMS = 30 * 60 * 1000
	r1.Platforms["bluesky"] = &model.PlatformStats{Discovered: 10, Seen: 9, Collected: 8, Failed: 1, Scored: 8,
		Requests: 120, ByStatus: map[string]int64{"200": 118, "429": 2}, Throttled: 2, Retries: 3, LimiterWaitMS: 1500}
	r1.Platforms["mastodon"] = &model.PlatformStats{Paused: "rate limited", Discovery: []string{"public: streaming https://m.example/api/v1/streaming/public: 3 statuses"}}
	r1.Errors = []model.RunError{{Platform: "bluesky", Creator: "bluesky:x", Stage: "posts", Reason: "HTTP 500", At: t0.Add(time.Minute)}}
	r1.Done = []string{"bluesky:a", "bluesky:b"}
	r1.Gaps = []model.StreamGap{{From: t0.Add(-10 * time.Hour), To: t0.Add(-72 * time.Hour / 100), Affected: 40, Polled: 38, PollRun: "run-gap", Error: "x"}}
	must(t, "SaveRun update", s.SaveRun(ctx, r1))

	got, err := s.Run(ctx, "run-1")
	must(t, "Run", err)
	sameJSON(t, "updated run", got, r1)

	list, err := s.Runs(ctx, 0)
	must(t, "Runs", err)
	var ids []string
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	if want := []string{"run-3", "run-2", "run-1"}; !slices.Equal(ids, want) {
		t.Errorf("Runs = %v, want %v (newest first)", ids, want)
	}
	list, err = s.Runs(ctx, 2)
	must(t, "Runs limit 2", err)
	if len(list) != 2 || list[0].ID != "run-3" || list[1].ID != "run-2" {
		t.Errorf("Runs(2) = %d runs, want run-3, run-2", len(list))
	}
	wantStats(ctx, t, s, store.Stats{"runs": 3})
}

func testStats(ctx context.Context, t *testing.T, s store.Store) {
	wantStats(ctx, t, s, store.Stats{"creators": 0, "posts": 0, "comments": 0, "snapshots": 0, "runs": 0})
	save(ctx, t, s, update(creator("bluesky", "kim", 1000), 4, score(model.TierNano, 50, 1, 1, 1), t0))
	save(ctx, t, s, update(creator("bluesky", "lee", 1000), 2, nil, t0.Add(24*time.Hour)))
	must(t, "UpsertCreators", s.UpsertCreators(ctx, []model.Creator{creator("mastodon", "max", 10)}, t0))
	must(t, "UpsertPosts", s.UpsertPosts(ctx, []model.Post{post("mastodon", "max", "m1", t0)}))
	must(t, "SaveRun", s.SaveRun(ctx, model.Run{ID: "r", StartedAt: t0}))
	wantStats(ctx, t, s, store.Stats{"creators": 3, "posts": 7, "comments": 6, "snapshots": 2, "runs": 1})
}

func testNotFound(ctx context.Context, t *testing.T, s store.Store) {
	if _, err := s.Creator(ctx, "bluesky:nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Creator of unknown key: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Run(ctx, "no-run"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Run of unknown id: err = %v, want ErrNotFound", err)
	}
	if err := s.MarkStatus(ctx, "bluesky:nobody", model.StatusStale, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkStatus of unknown key: err = %v, want ErrNotFound", err)
	}
	wantStats(ctx, t, s, store.Stats{"creators": 0})
	// A known creator is not "not found".
	save(ctx, t, s, update(creator("bluesky", "known", 10), 0, nil, t0))
	if err := s.MarkStatus(ctx, "bluesky:known", model.StatusGone, "deleted"); err != nil {
		t.Errorf("MarkStatus of known key: %v", err)
	}
}

func testNonFinite(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("bluesky", "nan", 1000)
	sc := score(model.TierNano, math.NaN(), math.Inf(1), 0.5, math.Inf(-1))
	*sc.ERByViews = math.NaN()
	sc.Breakdown[0].Raw = math.NaN()
	u := update(c, 1, sc, t0)
	u.Snapshot.ER = math.NaN()
	must(t, "SaveCreator with NaN and Inf", s.SaveCreator(ctx, u))
	if !math.IsNaN(sc.Composite) {
		t.Error("SaveCreator modified the caller's score")
	}
	rec := get(ctx, t, s, c.Key())
	got := rec.Score
	if got == nil || got.Composite != 0 || got.ER != 0 || got.Authenticity != 0 || got.ReplyDepth.Score != 0.5 ||
		got.ERByViews == nil || *got.ERByViews != 0 || len(got.Breakdown) != 2 || got.Breakdown[0].Raw != 0 {
		t.Errorf("non-finite floats stored as %s, want 0 (and finite ones kept)", jsonOf(t, rec.Score))
	}
	snaps, err := s.Snapshots(ctx, c.Key(), "")
	must(t, "Snapshots", err)
	if len(snaps) != 1 || snaps[0].ER != 0 {
		t.Errorf("snapshot with NaN ER stored as %s", jsonOf(t, snaps))
	}
	must(t, "PutSnapshot with Inf", s.PutSnapshot(ctx, model.Snapshot{CreatorKey: c.Key(), Day: "2025-01-01", ER: math.Inf(1)}))
}

func testConcurrentSave(ctx context.Context, t *testing.T, s store.Store) {
	const workers, rounds, posts = 8, 3, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*2)
	for w := range workers {
		wg.Go(func() {
			c := creator("bluesky", fmt.Sprintf("w%d", w), int64(1000+w))
			for r := range rounds {
				at := t0.Add(time.Duration(r) * time.Hour)
				if err := s.SaveCreator(ctx, update(c, posts, score(model.TierNano, float64(10*w+r), 1, 0.5, 0.5), at)); err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
				}
				// Everyone also writes one shared creator.
				shared := creator("bluesky", "shared", int64(w))
				if err := s.SaveCreator(ctx, update(shared, 1, nil, at)); err != nil {
					errs <- fmt.Errorf("worker %d round %d shared: %w", w, r, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wantStats(ctx, t, s, store.Stats{"creators": workers + 1, "posts": workers*posts + 1, "comments": workers*posts + 1})
	for w := range workers {
		rec := get(ctx, t, s, model.Key("bluesky", fmt.Sprintf("w%d", w)))
		if rec.Score == nil || rec.Score.Composite != float64(10*w+rounds-1) {
			t.Errorf("worker %d's creator has score %s, want its last round's", w, jsonOf(t, rec.Score))
		}
	}
}

// testReupsertMany re-upserts a few hundred existing posts and comments in
// bulk, which blocks FerretDB 1.24 when sent as one large update command.
func testReupsertMany(ctx context.Context, t *testing.T, s store.Store) {
	const n = 300
	c := creator("youtube", "bulk", 50000)
	u := update(c, n, score(model.TierMicro, 60, 2, 0.5, 0.5), t0)
	save(ctx, t, s, u)
	for i := range u.Posts {
		u.Posts[i].Likes = model.N(int64(1000 + i))
	}
	must(t, "UpsertPosts existing", s.UpsertPosts(ctx, u.Posts))
	u.At = t0.Add(time.Hour)
	save(ctx, t, s, u) // posts and comments again, all existing
	must(t, "UpsertCreators existing", s.UpsertCreators(ctx, []model.Creator{c}, t0))
	wantStats(ctx, t, s, store.Stats{"creators": 1, "posts": n, "comments": n})
	got, err := s.Posts(ctx, c.Key(), 0)
	must(t, "Posts", err)
	if len(got) != n {
		t.Fatalf("Posts = %d posts, want %d", len(got), n)
	}
	// Newest first is u.Posts' order.
	for i, p := range got {
		if p.ID != u.Posts[i].ID || p.Likes == nil || *p.Likes != int64(1000+i) {
			t.Fatalf("post %d = %s likes %v, want %s likes %d", i, p.ID, p.Likes, u.Posts[i].ID, 1000+i)
		}
	}
}

func testCreatorByHandle(ctx context.Context, t *testing.T, s store.Store) {
	c := creator("bluesky", "did:plc:handle1", 4000)
	if err := s.SaveCreator(ctx, store.CreatorUpdate{Creator: c, At: t0}); err != nil {
		t.Fatal(err)
	}
	other := creator("mastodon", "did:plc:handle1", 9000) // same handle, other platform
	if err := s.SaveCreator(ctx, store.CreatorUpdate{Creator: other, At: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CreatorByHandle(ctx, "bluesky", c.Handle)
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != c.Key() || got.Creator.Followers != 4000 {
		t.Errorf("CreatorByHandle = %s (%d followers), want %s", got.Key, got.Creator.Followers, c.Key())
	}
	if _, err := s.CreatorByHandle(ctx, "bluesky", "nobody.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown handle: err %v, want ErrNotFound", err)
	}
	// A renamed handle follows the profile.
	c.Handle = "renamed.example"
	if err := s.UpsertCreators(ctx, []model.Creator{c}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.CreatorByHandle(ctx, "bluesky", "renamed.example"); err != nil || got.Key != c.Key() {
		t.Errorf("after rename: %v %v", got.Key, err)
	}
}
