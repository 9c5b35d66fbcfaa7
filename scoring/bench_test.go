package scoring

import (
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// benchCreator is a nano creator as the pipeline reads one: posts newest
// first (a few replies, a repost and one unsettled post among them) and the
// comment threads of the most recent posts with replies, where the creator
// answers about half the commenters and some answers get a follow-up.
func benchCreator(posts, threads, perThread int) (model.Creator, []model.Post, []model.Comment) {
	c := model.Creator{Platform: "testgram", ID: "me", Followers: 4200}
	var ps []model.Post
	var cs []model.Comment
	for i := range posts {
		p := model.Post{ID: fmt.Sprintf("p%03d", i), CreatorID: "me", CreatedAt: ago(float64(2 + 30*i)),
			Likes: n(int64(80 + i%17)), Comments: n(int64(6 + i%5)), Shares: n(int64(i % 4))}
		switch {
		case i%11 == 5:
			p.IsReply = true
		case i == 7:
			p.Kind = "repost"
		}
		ps = append(ps, p)
	}
	for t := range threads {
		post := ps[t].ID
		for k := range perThread {
			id := fmt.Sprintf("%s-c%d", post, k)
			at := ps[t].CreatedAt.Add(time.Duration(k+1) * 20 * time.Minute)
			cs = append(cs, model.Comment{ID: id, PostID: post, ParentID: post, AuthorID: fmt.Sprintf("fan%d", t*perThread+k),
				Text: "How long did you proof it?", CreatedAt: at, Depth: 1})
			if k%2 == 0 {
				cs = append(cs, model.Comment{ID: id + "-r", PostID: post, ParentID: id, AuthorID: "me", ByCreator: true,
					Text: "About two hours", CreatedAt: at.Add(90 * time.Minute)})
				if k%4 == 0 {
					cs = append(cs, model.Comment{ID: id + "-f", PostID: post, ParentID: id + "-r",
						AuthorID: fmt.Sprintf("fan%d", t*perThread+k), Text: "Thanks!", CreatedAt: at.Add(3 * time.Hour)})
				}
			}
		}
	}
	return c, ps, cs
}

// The engagement and reply-depth parts allocate nothing per post: with warm
// scratch buffers, nothing at all.
func TestHotPathsDoNotAllocate(t *testing.T) {
	c, posts, comments := benchCreator(40, 5, 12)
	cutoff := now.Add(-24 * time.Hour)
	var sc scratch
	sc.er.engagement(posts, c.ID, c.Followers, cutoff, 30)
	sc.reply.replyDepth(c, posts, comments)
	if a := testing.AllocsPerRun(100, func() { sc.er.engagement(posts, c.ID, c.Followers, cutoff, 30) }); a != 0 {
		t.Errorf("engagement: %v allocations per creator, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { sc.reply.replyDepth(c, posts, comments) }); a != 0 {
		t.Errorf("reply depth: %v allocations per creator, want 0", a)
	}
	// The exported functions take their buffers from a pool; only the
	// returned ByViews pointer may allocate.
	if a := testing.AllocsPerRun(100, func() { Engagement(posts, c.Followers, now, 24*time.Hour, 30) }); a > 1 {
		t.Errorf("Engagement: %v allocations per creator, want at most 1", a)
	}
	if a := testing.AllocsPerRun(100, func() { ReplyDepth(c, posts, comments) }); a > 0 {
		t.Errorf("ReplyDepth: %v allocations per creator, want 0", a)
	}
}

// BenchmarkEngagement scores the engagement part (selection of the N most
// recent settled posts, per-post ER by followers and by views, mean, SD,
// median) of creators with 40 posts each. Run with -cpu 1 for per-core
// throughput.
func BenchmarkEngagement(b *testing.B) {
	c, posts, _ := benchCreator(40, 0, 0)
	cutoff := now.Add(-24 * time.Hour)
	var sc scratch
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		sc.er.engagement(posts, c.ID, c.Followers, cutoff, 30)
		iters++
	}
	b.ReportMetric(float64(iters*len(posts))/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkReplyDepth scores the reply-depth part (commenters, the
// creator's first answers, answer delays, thread depths) of creators with
// 40 posts and 5 threads of 12 comments (plus answers and follow-ups).
func BenchmarkReplyDepth(b *testing.B) {
	c, posts, comments := benchCreator(40, 5, 12)
	var sc scratch
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		sc.reply.replyDepth(c, posts, comments)
		iters++
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(iters*len(posts))/sec, "posts/s")
	b.ReportMetric(float64(iters*len(comments))/sec, "comments/s")
}

// BenchmarkEngagementAndReply runs both parts through the exported, pooled
// functions, as Score does.
func BenchmarkEngagementAndReply(b *testing.B) {
	c, posts, comments := benchCreator(40, 5, 12)
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		Engagement(posts, c.Followers, now, 24*time.Hour, 30)
		ReplyDepth(c, posts, comments)
		iters++
	}
	b.ReportMetric(float64(iters*len(posts))/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkScore is the whole score of one creator, all signals included,
// for reference (it allocates: texts are normalised, reasons written).
func BenchmarkScore(b *testing.B) {
	c, posts, comments := benchCreator(40, 5, 12)
	in := Input{Creator: c, Posts: posts, Comments: comments}
	bm, err := ParseBenchmarks([]byte(testBenchmarksYAML))
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.PostsN = map[string]int{"testgram": 30}
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		Score(in, bm, cfg, now)
		iters++
	}
	b.ReportMetric(float64(iters)/b.Elapsed().Seconds(), "creators/s")
}
