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
	rd := model.ReplyDepth{CommentsSeen: len(comments), MedianHoursToReply: -1}

	byID := make(map[string]model.Comment, len(comments))
	for _, c := range comments {
		if c.ID != "" {
			byID[c.ID] = c
		}
	}

	// Distinct audience commenters.
	commenters := map[string]bool{}
	for _, c := range comments {
		if !isCreatorComment(creator, c) {
			commenters[commenterKey(c)] = true
		}
	}
	rd.Commenters = len(commenters)
	if rd.Commenters == 0 {
		return rd
	}

	// The creator's first answer to each audience comment.
	firstAnswer := map[string]model.Comment{}
	for _, c := range comments {
		if !isCreatorComment(creator, c) {
			continue
		}
		parent, ok := byID[c.ParentID]
		if !ok || isCreatorComment(creator, parent) {
			continue
		}
		if prev, seen := firstAnswer[parent.ID]; !seen || c.CreatedAt.Before(prev.CreatedAt) {
			firstAnswer[parent.ID] = c
		}
	}

	answered := map[string]bool{}
	var hours []float64
	for parentID, answer := range firstAnswer {
		parent := byID[parentID]
		answered[commenterKey(parent)] = true
		if parent.CreatedAt.IsZero() || answer.CreatedAt.IsZero() {
			continue
		}
		hours = append(hours, max(0, answer.CreatedAt.Sub(parent.CreatedAt).Hours()))
	}
	rd.AnsweredCommenters = len(answered)
	rd.AnsweredShare = float64(rd.AnsweredCommenters) / float64(rd.Commenters)
	if len(hours) > 0 {
		rd.MedianHoursToReply = median(hours)
	}
	rd.MeanDepth = meanThreadDepth(posts, comments, byID)
	rd.Score = replyWeightAnswered*rd.AnsweredShare + replyWeightSpeed*replySpeed(rd) +
		replyWeightDepth*replyDepthScore(rd)
	return rd
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
func isCreatorComment(creator model.Creator, c model.Comment) bool {
	return c.ByCreator || (creator.ID != "" && c.AuthorID == creator.ID)
}

// commenterKey identifies a comment's author: the native id, else the
// handle, else the comment itself (an author nobody can name).
func commenterKey(c model.Comment) string {
	switch {
	case c.AuthorID != "":
		return "id:" + c.AuthorID
	case c.AuthorHandle != "":
		return "handle:" + c.AuthorHandle
	default:
		return "comment:" + c.ID
	}
}

// meanThreadDepth is the mean over threads (comments grouped by PostID) of
// the deepest comment's depth.
func meanThreadDepth(posts []model.Post, comments []model.Comment, byID map[string]model.Comment) float64 {
	postIDs := make(map[string]bool, len(posts))
	for _, p := range posts {
		postIDs[p.ID] = true
	}
	memo := map[string]int{}
	deepest := map[string]int{}
	for _, c := range comments {
		d := commentDepth(c, byID, postIDs, memo, map[string]bool{})
		if d > deepest[c.PostID] {
			deepest[c.PostID] = d
		}
	}
	if len(deepest) == 0 {
		return 0
	}
	var sum float64
	for _, d := range deepest {
		sum += float64(d)
	}
	return sum / float64(len(deepest))
}

// commentDepth is c.Depth, or when that is unset, the depth rebuilt from the
// ParentID chain. onPath holds the comments being walked: a chain that loops
// back is cut there, and the comment where it re-enters counts as depth 1.
func commentDepth(c model.Comment, byID map[string]model.Comment, postIDs map[string]bool, memo map[string]int, onPath map[string]bool) int {
	if c.Depth > 0 {
		return c.Depth
	}
	if d, ok := memo[c.ID]; ok {
		return d
	}
	if onPath[c.ID] {
		return 0
	}
	d := 1
	if parent, ok := byID[c.ParentID]; ok && !postIDs[c.ParentID] && c.ParentID != c.PostID {
		onPath[c.ID] = true
		d = commentDepth(parent, byID, postIDs, memo, onPath) + 1
		delete(onPath, c.ID)
	}
	if c.ID != "" {
		memo[c.ID] = d
	}
	return d
}

// clamp01 limits x to 0..1, mapping NaN to 0.
func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}
