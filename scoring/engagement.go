package scoring

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Tier returns the model.Tier* name for a follower count: nano 1k–10k, micro
// 10k–100k, mid 100k–500k, macro 500k–1M, mega 1M and up, and model.TierBelow
// under 1,000. Lower bounds are inclusive: 10,000 followers is micro.
func Tier(followers int64) string {
	switch {
	case followers >= 1_000_000:
		return model.TierMega
	case followers >= 500_000:
		return model.TierMacro
	case followers >= 100_000:
		return model.TierMid
	case followers >= 10_000:
		return model.TierMicro
	case followers >= 1_000:
		return model.TierNano
	default:
		return model.TierBelow
	}
}

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
	// ByViews is ER by views in percent, pooled over the used posts that show
	// views: Σ(likes + comments + shares) ÷ Σ views × 100. Pooling weighs each
	// post by its views, so a post seen by a handful of people cannot swing
	// it. Nil when no used post shows a positive view count.
	ByViews *float64
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
	used := settledPosts(posts, now, settledAfter, n)
	res := EngagementResult{PostsUsed: len(used)}

	var perPost []float64
	var viewInteractions, views int64
	for _, p := range used {
		if p.Likes == nil {
			res.HiddenLikes++
		}
		if followers > 0 {
			perPost = append(perPost, float64(interactions(p))/float64(followers)*100)
		}
		if p.Views != nil && *p.Views > 0 {
			res.ViewPosts++
			views += *p.Views
			viewInteractions += sumKnown(p.Likes, p.Comments, p.Shares)
		}
	}
	res.Mean = mean(perPost)
	res.Median = median(perPost)
	if views > 0 {
		v := float64(viewInteractions) / float64(views) * 100
		res.ByViews = &v
	}
	return res
}

// settledPosts returns the n most recent posts that count for ER, newest first.
func settledPosts(posts []model.Post, now time.Time, settledAfter time.Duration, n int) []model.Post {
	cutoff := now.Add(-settledAfter)
	var out []model.Post
	for _, p := range posts {
		if p.IsReply || isRepost(p) || p.CreatedAt.After(cutoff) || !showsInteractions(p) {
			continue
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b model.Post) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// repostKinds are Post.Kind values of someone else's content shared by the
// creator; a repost's counts are the original's, so it never counts.
var repostKinds = []string{"repost", "reblog", "retweet", "boost"}

func isRepost(p model.Post) bool {
	for _, k := range repostKinds {
		if strings.EqualFold(p.Kind, k) {
			return true
		}
	}
	return false
}

// showsInteractions reports whether the platform shows at least one count of
// the post; a post with every count hidden cannot be measured.
func showsInteractions(p model.Post) bool {
	return p.Likes != nil || p.Comments != nil || p.Shares != nil || p.Quotes != nil || p.Saves != nil
}

// interactions sums the counts of a post the platform shows.
func interactions(p model.Post) int64 {
	return sumKnown(p.Likes, p.Comments, p.Shares, p.Quotes, p.Saves)
}

// sumKnown sums the counts that are shown, skipping hidden (nil) ones.
func sumKnown(counts ...*int64) int64 {
	var s int64
	for _, c := range counts {
		if c != nil && *c > 0 {
			s += *c
		}
	}
	return s
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// median is the middle value, or the mean of the two middle values for an
// even count; 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
