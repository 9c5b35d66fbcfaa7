package scoring

import (
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

func TestReplyDepth(t *testing.T) {
	t.Parallel()
	creator := model.Creator{Platform: "testgram", ID: "me"}
	t0 := ago(100)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	cm := func(id, post, parent, author string, depth int, h float64) model.Comment {
		return model.Comment{ID: id, PostID: post, ParentID: parent, AuthorID: author, Depth: depth, CreatedAt: at(h),
			Text: "x"}
	}
	mine := func(c model.Comment) model.Comment { c.ByCreator = true; return c }

	tests := []struct {
		name     string
		posts    []model.Post
		comments []model.Comment
		want     model.ReplyDepth
	}{
		{
			name: "no comments",
			want: model.ReplyDepth{MedianHoursToReply: -1},
		},
		{
			name: "only the creator's own comments: no commenters",
			comments: []model.Comment{
				mine(cm("m1", "p1", "p1", "me", 1, 0)),
				mine(cm("m2", "p1", "m1", "me", 2, 1)),
			},
			want: model.ReplyDepth{CommentsSeen: 2, MedianHoursToReply: -1},
		},
		{
			name: "commenters never answered",
			comments: []model.Comment{
				cm("c1", "p1", "p1", "a", 1, 0),
				cm("c2", "p1", "p1", "b", 1, 0),
				cm("c3", "p1", "p1", "a", 1, 1), // a again: still one commenter
				cm("c4", "p2", "p2", "c", 1, 0),
				cm("c5", "p2", "c4", "b", 2, 1), // audience talking among itself
			},
			// depth: p1 max 1, p2 max 2 → 1.5; score 0.2 × (1.5−1)/2 = 0.05
			want: model.ReplyDepth{CommentsSeen: 5, Commenters: 3, MedianHoursToReply: -1, MeanDepth: 1.5, Score: 0.05},
		},
		{
			name: "creator replies in nested threads",
			comments: []model.Comment{
				cm("c1", "p1", "p1", "a", 1, 0),
				mine(cm("r1", "p1", "c1", "me", 2, 2)),  // first answer to c1: 2 h
				cm("c2", "p1", "r1", "b", 3, 3),         // b answers the creator
				mine(cm("r2", "p1", "c2", "me", 4, 7)),  // answer to c2: 4 h
				mine(cm("r1b", "p1", "c1", "me", 2, 5)), // second answer to c1: not the first
				cm("c3", "p2", "p2", "c", 1, 0),
				cm("c4", "p2", "p2", "d", 1, 0),    // never answered
				cm("r3", "p2", "c3", "me", 2, 0.5), // by the creator's id, ByCreator unset: 0.5 h
			},
			// answered a, b, c of a, b, c, d → 0.75; hours 0.5, 2, 4 → median 2;
			// depth p1 4, p2 2 → 3; score 0.5×0.75 + 0.3×12/14 + 0.2×1
			want: model.ReplyDepth{CommentsSeen: 8, Commenters: 4, AnsweredCommenters: 3, AnsweredShare: 0.75,
				MedianHoursToReply: 2, MeanDepth: 3, Score: 0.375 + 0.3*12.0/14.0 + 0.2},
		},
		{
			name: "median hours of an even count; one commenter answered twice counts once",
			comments: []model.Comment{
				cm("c1", "p1", "p1", "a", 1, 0),
				mine(cm("r1", "p1", "c1", "me", 2, 1)), // 1 h
				cm("c2", "p1", "p1", "a", 1, 0),
				mine(cm("r2", "p1", "c2", "me", 2, 3)), // 3 h
			},
			// share 1; median (1+3)/2 = 2; depth 2 → 0.5; score 0.5 + 0.3×12/14 + 0.2×0.5
			want: model.ReplyDepth{CommentsSeen: 4, Commenters: 1, AnsweredCommenters: 1, AnsweredShare: 1,
				MedianHoursToReply: 2, MeanDepth: 2, Score: 0.5 + 0.3*12.0/14.0 + 0.1},
		},
		{
			name: "answer times unknown: median -1, speed 0",
			comments: []model.Comment{
				{ID: "c1", PostID: "p1", ParentID: "p1", AuthorID: "a", Depth: 1},
				{ID: "r1", PostID: "p1", ParentID: "c1", AuthorID: "me", Depth: 2, ByCreator: true},
			},
			// share 1, depth 2 → 0.5 + 0 + 0.2×0.5
			want: model.ReplyDepth{CommentsSeen: 2, Commenters: 1, AnsweredCommenters: 1, AnsweredShare: 1,
				MedianHoursToReply: -1, MeanDepth: 2, Score: 0.6},
		},
		{
			name:  "depth rebuilt from ParentID when the collector leaves it at 0",
			posts: []model.Post{{ID: "p1"}},
			comments: []model.Comment{
				cm("c3", "p1", "c2", "z", 0, 2), // listed before its parents
				cm("c1", "p1", "p1", "x", 0, 0),
				cm("c2", "p1", "c1", "y", 0, 1),
			},
			// depth 3 → depth score 1 → 0.2
			want: model.ReplyDepth{CommentsSeen: 3, Commenters: 3, MedianHoursToReply: -1, MeanDepth: 3, Score: 0.2},
		},
		{
			name: "a reply to a comment nobody has counts as depth 1; a parent cycle ends",
			comments: []model.Comment{
				cm("c1", "p1", "gone", "x", 0, 0),
				cm("c2", "p2", "c3", "y", 0, 0),
				cm("c3", "p2", "c2", "z", 0, 0),
			},
			// p1: 1; p2: c2 → c3 → c2 is cut at c2's return, so c3 is 1 and c2 is 2;
			// mean (1+2)/2 = 1.5 → 0.2 × 0.25
			want: model.ReplyDepth{CommentsSeen: 3, Commenters: 3, MedianHoursToReply: -1, MeanDepth: 1.5, Score: 0.05},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReplyDepth(creator, tt.posts, tt.comments)
			w := tt.want
			if got.CommentsSeen != w.CommentsSeen || got.Commenters != w.Commenters ||
				got.AnsweredCommenters != w.AnsweredCommenters || !near(got.AnsweredShare, w.AnsweredShare) ||
				!near(got.MedianHoursToReply, w.MedianHoursToReply) || !near(got.MeanDepth, w.MeanDepth) ||
				!near(got.Score, w.Score) {
				t.Errorf("ReplyDepth =\n %+v\nwant\n %+v", got, w)
			}
		})
	}
}
