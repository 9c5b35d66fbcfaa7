package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/configs"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/store"
)

// storeCreator writes one collected and scored creator as the pipeline does:
// posts and comments, and the first-pass score (no peers).
func storeCreator(t *testing.T, st store.Store, id string, followers int64, commenters []string, at time.Time) {
	t.Helper()
	c := model.Creator{Platform: "mastodon", ID: id, Handle: "u" + id, Followers: followers, Following: 150}
	var posts []model.Post
	var comments []model.Comment
	for i := range 12 {
		p := model.Post{Platform: "mastodon", ID: fmt.Sprintf("%s-p%d", id, i), CreatorID: id,
			CreatedAt: at.Add(-time.Duration(30+24*i) * time.Hour), Likes: model.N(100 + int64(i)),
			Comments: model.N(10), Shares: model.N(20), Text: "Sourdough notes, day " + fmt.Sprint(i)}
		posts = append(posts, p)
	}
	for k, author := range commenters {
		post := posts[k%2]
		comments = append(comments, model.Comment{Platform: "mastodon", ID: fmt.Sprintf("%s-c%d", id, k), PostID: post.ID,
			ParentID: post.ID, AuthorID: author, Depth: 1, Text: fmt.Sprintf("what flour is that, %s? attempt %d", id, k),
			CreatedAt: post.CreatedAt.Add(time.Hour)})
	}
	in := scoring.Input{Creator: c, Posts: posts, Comments: comments}
	sc := scoring.Score(in, mustBenchmarks(t), scoring.DefaultConfig(), at)
	if err := st.SaveCreator(context.Background(), store.CreatorUpdate{Creator: c, Posts: posts, Comments: comments,
		Score: &sc, At: at}); err != nil {
		t.Fatal(err)
	}
}

func mustBenchmarks(t *testing.T) scoring.Benchmarks {
	t.Helper()
	bm, err := scoring.ParseBenchmarks(configs.Benchmarks)
	if err != nil {
		t.Fatal(err)
	}
	return bm
}

func TestRescoreFindsCommenterRings(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	// 36 creators with fans of their own, 4 fed by the same five accounts.
	for i := range 36 {
		var fans []string
		for k := range 10 {
			fans = append(fans, fmt.Sprintf("fan-%d-%d", i, k))
		}
		storeCreator(t, st, fmt.Sprintf("%d", 100+i), 4000, fans, at)
	}
	ring := []string{"bot1", "bot2", "bot3", "bot4", "bot5"}
	for i := range 4 {
		fans := append(slices.Clone(ring), ring...) // each comments twice
		fans = append(fans, fmt.Sprintf("podfan-%d", i))
		storeCreator(t, st, fmt.Sprintf("%d", 900+i), 4000, fans, at)
	}
	// A creator whose last collection failed keeps its stored score.
	storeCreator(t, st, "777", 4000, ring, at)
	if err := st.MarkStatus(ctx, "mastodon:777", model.StatusStale, "thread: timeout"); err != nil {
		t.Fatal(err)
	}
	before, err := st.Creator(ctx, "mastodon:900")
	if err != nil {
		t.Fatal(err)
	}
	staleBefore, _ := st.Creator(ctx, "mastodon:777")

	cfg := testConfig("http://127.0.0.1:1", t.TempDir())
	p, err := pipeline.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Rescore(ctx); err != nil {
		t.Fatalf("Rescore: %v", err)
	}

	pod, err := st.Creator(ctx, "mastodon:900")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pod.Score.Flags, scoring.FlagCommentRing) {
		t.Errorf("pod creator flags %v, want %s", pod.Score.Flags, scoring.FlagCommentRing)
	}
	if pod.Score.Composite >= before.Score.Composite {
		t.Errorf("pod composite %v, want below its first-pass %v", pod.Score.Composite, before.Score.Composite)
	}
	if !pod.LastCollected.Equal(before.LastCollected) || !pod.Score.ComputedAt.Equal(before.Score.ComputedAt) {
		t.Errorf("re-scoring moved the collection or scoring time: %v, %v", pod.LastCollected, pod.Score.ComputedAt)
	}
	if pod.Score.Rank == 0 {
		t.Error("re-scored creators are not ranked")
	}
	fan, _ := st.Creator(ctx, "mastodon:100")
	if slices.Contains(fan.Score.Flags, scoring.FlagCommentRing) {
		t.Errorf("creator with fans of its own flagged: %v", fan.Score.Flags)
	}
	if fan.Score.Composite <= pod.Score.Composite {
		t.Errorf("creator with fans of its own %v ranks at or below the pod %v", fan.Score.Composite, pod.Score.Composite)
	}
	var sawCohort bool
	for _, c := range fan.Score.Breakdown {
		if c.Name == "authenticity.likes_per_share" && c.Weight > 0 {
			sawCohort = true
		}
	}
	if !sawCohort {
		t.Error("the cohort's likes-per-share norm was not applied")
	}
	stale, _ := st.Creator(ctx, "mastodon:777")
	if stale.Status != model.StatusStale || stale.Score.Composite != staleBefore.Score.Composite {
		t.Errorf("stale creator re-scored: status %s, composite %v (was %v)", stale.Status, stale.Score.Composite, staleBefore.Score.Composite)
	}
}
