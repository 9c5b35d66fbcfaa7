package scoring

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Tier returns the model.Tier* name for a follower count (model.TierOf).
func Tier(followers int64) string { return model.TierOf(followers) }

// tierSpan is how a tier's follower range reads in a reason.
var tierSpan = map[string]string{
	model.TierNano:  "1k–10k",
	model.TierMicro: "10k–100k",
	model.TierMid:   "100k–500k",
	model.TierMacro: "500k–1M",
	model.TierMega:  "1M+",
	model.TierBelow: "under 1k",
}

// EngagementResult is the engagement rate of a creator's recent settled posts.
type EngagementResult struct {
	// Mean and Median are ER by followers in percent over the posts used: per
	// post, (likes + comments + shares + quotes + saves) ÷ followers × 100,
	// each count only where the platform shows it. Both are 0 when followers
	// is not positive or no post was used.
	Mean   float64
	Median float64
	// SD is the standard deviation (n − 1) of the per-post ER by followers;
	// 0 with fewer than two posts.
	SD float64
	// ByViews is ER by views in percent, pooled over the used posts that show
	// views: Σ(likes + comments + shares) ÷ Σ views × 100. Pooling weighs each
	// post by its views, so a post seen by a handful of people cannot swing
	// it. Nil when no used post shows a positive view count.
	ByViews *float64
	// ByViewsSD is the standard deviation of the per-post ER by views over
	// the posts showing views.
	ByViewsSD float64
	// PostsUsed is how many posts the figures are over (at most N).
	PostsUsed int
	// ViewPosts is how many of them show views.
	ViewPosts int
	// HiddenLikes is how many of them hide their like count; ER then
	// undercounts, since a hidden count is skipped, never read as 0.
	HiddenLikes int
}

// Engagement computes ER over the n most recent settled posts: posts that are
// not replies or reposts, show at least one interaction count, and are at
// least settledAfter old at now. n ≤ 0 takes every settled post.
func Engagement(posts []model.Post, followers int64, now time.Time, settledAfter time.Duration, n int) EngagementResult {
	sc := getScratch()
	defer putScratch(sc)
	return sc.er.engagement(posts, "", followers, now.Add(-settledAfter), n)
}

// erScratch holds the buffers of one engagement computation, reused across
// calls so the per-post loop allocates nothing.
type erScratch struct {
	idx  []int32   // indices of the used posts, newest first
	byF  []float64 // per-post ER by followers
	byV  []float64 // per-post ER by views
	work []float64 // copy for the median
}

// engagement is Engagement on posts whose CreatorID, when both are set, is
// creatorID (reposts that kept the original author's id are skipped), with
// posts created after cutoff left out. The used posts' indices stay in
// e.idx until the next call.
func (e *erScratch) engagement(posts []model.Post, creatorID string, followers int64, cutoff time.Time, n int) EngagementResult {
	e.idx = e.idx[:0]
	for i := range posts {
		p := &posts[i]
		if p.IsReply || p.CreatedAt.After(cutoff) || !showsInteractions(p) || isRepost(p.Kind) ||
			(creatorID != "" && p.CreatorID != "" && p.CreatorID != creatorID) {
			continue
		}
		e.idx = append(e.idx, int32(i))
	}
	slices.SortFunc(e.idx, func(a, b int32) int {
		pa, pb := &posts[a], &posts[b]
		if c := pb.CreatedAt.Compare(pa.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(pa.ID, pb.ID)
	})
	if n > 0 && len(e.idx) > n {
		e.idx = e.idx[:n]
	}

	res := EngagementResult{PostsUsed: len(e.idx)}
	e.byF, e.byV = e.byF[:0], e.byV[:0]
	var viewInteractions, views int64
	for _, i := range e.idx {
		p := &posts[i]
		if p.Likes == nil {
			res.HiddenLikes++
		}
		if followers > 0 {
			e.byF = append(e.byF, float64(interactions(p))/float64(followers)*100)
		}
		if p.Views != nil && *p.Views > 0 {
			res.ViewPosts++
			vi := known(p.Likes) + known(p.Comments) + known(p.Shares)
			views += *p.Views
			viewInteractions += vi
			e.byV = append(e.byV, float64(vi)/float64(*p.Views)*100)
		}
	}
	var v float64
	res.Mean, v = meanVar(e.byF)
	res.SD = math.Sqrt(v)
	e.work = append(e.work[:0], e.byF...)
	res.Median = medianInPlace(e.work)
	if views > 0 {
		pooled := float64(viewInteractions) / float64(views) * 100
		res.ByViews = &pooled
		_, v = meanVar(e.byV)
		res.ByViewsSD = math.Sqrt(v)
	}
	return res
}

// usedPosts copies the posts whose indices the last engagement call kept.
func (e *erScratch) usedPosts(posts []model.Post) []model.Post {
	out := make([]model.Post, len(e.idx))
	for j, i := range e.idx {
		out[j] = posts[i]
	}
	return out
}

// isRepost reports whether a Post.Kind is someone else's content shared by
// the creator ("repost", "reblog", "retweet", "boost", any case); a repost's
// counts are the original's, so it never counts.
func isRepost(kind string) bool {
	switch len(kind) {
	case 5:
		return strings.EqualFold(kind, "boost")
	case 6:
		return strings.EqualFold(kind, "repost") || strings.EqualFold(kind, "reblog")
	case 7:
		return strings.EqualFold(kind, "retweet")
	}
	return false
}

// showsInteractions reports whether the platform shows at least one count of
// the post; a post with every count hidden cannot be measured.
func showsInteractions(p *model.Post) bool {
	return p.Likes != nil || p.Comments != nil || p.Shares != nil || p.Quotes != nil || p.Saves != nil
}

// interactions sums the counts of a post the platform shows.
func interactions(p *model.Post) int64 {
	return known(p.Likes) + known(p.Comments) + known(p.Shares) + known(p.Quotes) + known(p.Saves)
}

// known is a shown count, or 0 when hidden or negative.
func known(c *int64) int64 {
	if c == nil || *c < 0 {
		return 0
	}
	return *c
}

func mean(xs []float64) float64 {
	m, _ := meanVar(xs)
	return m
}

// median is the middle value, or the mean of the two middle values for an
// even count; 0 for none.
func median(xs []float64) float64 { return medianInPlace(slices.Clone(xs)) }

// scratch is everything one Score call reuses; pooled, so scoring a stream of
// creators allocates nothing per post in the engagement and reply-depth parts.
type scratch struct {
	er    erScratch
	reply replyScratch
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// putScratch returns sc to the pool, unless one unusually large creator grew
// its buffers far beyond the usual size.
func putScratch(sc *scratch) {
	if cap(sc.er.idx) > 1<<14 || cap(sc.reply.first) > 1<<16 {
		return
	}
	scratchPool.Put(sc)
}
