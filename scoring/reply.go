package scoring

import (
	"math"

	"github.com/nanoscout/nanoscout/model"
)

// Parts of the reply-depth score; they sum to 1.
const (
	replyWeightAnswered = 0.5
	replyWeightSpeed    = 0.3
	replyWeightDepth    = 0.2
)

// replyHalfHours is the answer delay that earns half the speed part: an
// answer after h hours scores replyHalfHours ÷ (replyHalfHours + h).
const replyHalfHours = 12.0

// ReplyDepth measures how much the creator talks with the audience in the
// comments read under the creator's posts.
//
//   - CommentsSeen counts every comment read, the creator's own included.
//   - Commenters are the distinct authors of comments not by the creator
//     (ByCreator, or AuthorID equal to the creator's ID).
//   - A commenter is answered when a creator comment's ParentID is one of
//     that commenter's comments, at any depth of the thread.
//   - MedianHoursToReply is the median, over answered comments, of the hours
//     from the comment to the creator's first answer to it; -1 when no answer
//     with known times was found.
//   - MeanDepth is the mean, over threads (posts with comments), of the
//     deepest comment's Depth. When a collector leaves Depth at 0 it is
//     rebuilt from ParentID: a reply to one of posts, or to an unknown
//     parent, is depth 1.
//   - Score = 0.5 × answered share + 0.3 × speed + 0.2 × depth, where
//     speed = 12 ÷ (12 + median hours) (0 when never answered) and
//     depth = (mean depth − 1) ÷ 2 clamped to 0..1, so threads that stop at
//     the first comment score 0 and threads three deep score 1.
//
// With no audience comments only CommentsSeen is set: the other figures are 0
// and the median is -1.
func ReplyDepth(creator model.Creator, posts []model.Post, comments []model.Comment) model.ReplyDepth {
	sc := getScratch()
	defer putScratch(sc)
	return sc.reply.replyDepth(creator, posts, comments)
}

// authorKey names a comment's author: by native id, else by handle, else the
// comment stands for an author nobody can name. Keeping the kind apart means
// an id and a handle that happen to be spelt alike are never merged.
type authorKey struct {
	kind uint8 // 0 id, 1 handle, 2 comment id
	s    string
}

func authorOf(c *model.Comment) authorKey {
	switch {
	case c.AuthorID != "":
		return authorKey{0, c.AuthorID}
	case c.AuthorHandle != "":
		return authorKey{1, c.AuthorHandle}
	default:
		return authorKey{2, c.ID}
	}
}

// replyScratch holds the maps and buffers of one reply-depth computation,
// cleared and reused across calls.
type replyScratch struct {
	byID      map[string]int32
	authors   map[authorKey]struct{}
	answered  map[authorKey]struct{}
	postIDs   map[string]struct{}
	deepest   map[string]int32
	first     []int32 // per comment: the creator's first answer to it, or -1
	depth     []int32 // per comment: memoised depth, 0 = not yet known
	state     []uint8 // per comment: 1 while its parent chain is walked
	isCreator []bool
	hours     []float64
}

func (r *replyScratch) reset(n int) {
	if r.byID == nil {
		r.byID = map[string]int32{}
		r.authors = map[authorKey]struct{}{}
		r.answered = map[authorKey]struct{}{}
		r.postIDs = map[string]struct{}{}
		r.deepest = map[string]int32{}
	} else {
		clear(r.byID)
		clear(r.authors)
		clear(r.answered)
		clear(r.postIDs)
		clear(r.deepest)
	}
	r.first = resize(r.first, n)
	r.depth = resize(r.depth, n)
	r.state = resize(r.state, n)
	r.isCreator = resize(r.isCreator, n)
	r.hours = r.hours[:0]
}

// resize returns s with length n and every element zero, reusing its array.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	s = s[:n]
	clear(s)
	return s
}

func (r *replyScratch) replyDepth(creator model.Creator, posts []model.Post, comments []model.Comment) model.ReplyDepth {
	rd := model.ReplyDepth{CommentsSeen: len(comments), MedianHoursToReply: -1}
	r.reset(len(comments))
	for i := range comments {
		c := &comments[i]
		if c.ID != "" {
			r.byID[c.ID] = int32(i)
		}
		r.isCreator[i] = isCreatorComment(&creator, c)
		r.first[i] = -1
		if !r.isCreator[i] {
			r.authors[authorOf(c)] = struct{}{}
		}
	}
	rd.Commenters = len(r.authors)
	if rd.Commenters == 0 {
		return rd
	}

	// The creator's first answer to each audience comment.
	for i := range comments {
		if !r.isCreator[i] {
			continue
		}
		p, ok := r.byID[comments[i].ParentID]
		if !ok || r.isCreator[p] {
			continue
		}
		if f := r.first[p]; f < 0 || comments[i].CreatedAt.Before(comments[f].CreatedAt) {
			r.first[p] = int32(i)
		}
	}
	for p, a := range r.first {
		if a < 0 {
			continue
		}
		parent, answer := &comments[p], &comments[a]
		r.answered[authorOf(parent)] = struct{}{}
		if parent.CreatedAt.IsZero() || answer.CreatedAt.IsZero() {
			continue
		}
		r.hours = append(r.hours, max(0, answer.CreatedAt.Sub(parent.CreatedAt).Hours()))
	}
	rd.AnsweredCommenters = len(r.answered)
	rd.AnsweredShare = float64(rd.AnsweredCommenters) / float64(rd.Commenters)
	if len(r.hours) > 0 {
		rd.MedianHoursToReply = medianInPlace(r.hours)
	}
	rd.MeanDepth = r.meanThreadDepth(posts, comments)
	rd.Score = replyWeightAnswered*rd.AnsweredShare + replyWeightSpeed*replySpeed(rd) +
		replyWeightDepth*replyDepthScore(rd)
	return rd
}

// meanThreadDepth is the mean over threads (comments grouped by PostID) of
// the deepest comment's depth. Comments of one thread usually come
// together, so the running maximum is kept until the thread changes.
func (r *replyScratch) meanThreadDepth(posts []model.Post, comments []model.Comment) float64 {
	for i := range comments {
		if comments[i].Depth <= 0 { // depths to rebuild: a parent may be a post
			for j := range posts {
				r.postIDs[posts[j].ID] = struct{}{}
			}
			break
		}
	}
	cur, best := "", int32(0)
	flush := func() {
		if best > r.deepest[cur] {
			r.deepest[cur] = best
		}
	}
	for i := range comments {
		pid := comments[i].PostID
		if i == 0 || pid != cur {
			if i > 0 {
				flush()
			}
			cur, best = pid, 0
		}
		if d := r.commentDepth(int32(i), comments); d > best {
			best = d
		}
	}
	if len(comments) > 0 {
		flush()
	}
	if len(r.deepest) == 0 {
		return 0
	}
	var sum float64
	for _, d := range r.deepest {
		sum += float64(d)
	}
	return sum / float64(len(r.deepest))
}

// commentDepth is the comment's Depth, or when that is unset, the depth
// rebuilt from the ParentID chain. A chain that loops back is cut where it
// re-enters, and that comment counts as depth 1.
func (r *replyScratch) commentDepth(i int32, comments []model.Comment) int32 {
	c := &comments[i]
	if c.Depth > 0 {
		return int32(c.Depth)
	}
	if d := r.depth[i]; d > 0 {
		return d
	}
	if r.state[i] == 1 {
		return 0
	}
	d := int32(1)
	if p, ok := r.byID[c.ParentID]; ok && c.ParentID != c.PostID {
		if _, isPost := r.postIDs[c.ParentID]; !isPost {
			r.state[i] = 1
			d = r.commentDepth(p, comments) + 1
			r.state[i] = 0
		}
	}
	if c.ID != "" {
		r.depth[i] = d
	}
	return d
}

// replySpeed is 0..1: 1 for an instant answer, 0.5 after replyHalfHours,
// 0 when never answered (or no answer time is known).
func replySpeed(rd model.ReplyDepth) float64 {
	if rd.MedianHoursToReply < 0 {
		return 0
	}
	return replyHalfHours / (replyHalfHours + rd.MedianHoursToReply)
}

// replyDepthScore is 0..1: 0 for threads one comment deep, 1 for three or more.
func replyDepthScore(rd model.ReplyDepth) float64 {
	return clamp01((rd.MeanDepth - 1) / 2)
}

// isCreatorComment reports whether the creator wrote the comment.
func isCreatorComment(creator *model.Creator, c *model.Comment) bool {
	return c.ByCreator || (creator.ID != "" && c.AuthorID == creator.ID)
}

// clamp01 limits x to 0..1, mapping NaN to 0.
func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}
