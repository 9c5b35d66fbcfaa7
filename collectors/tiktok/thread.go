package tiktok

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// comment is the part of TikTok's comment object the collector reads.
type comment struct {
	CID               flexString `json:"cid"`
	CIDAlt            flexString `json:"comment_id"` // only to name a rename in errors
	Text              string     `json:"text"`
	CreateTime        flexInt    `json:"create_time"`
	DiggCount         flexInt    `json:"digg_count"`
	ReplyID           flexString `json:"reply_id"`          // the top-level comment a reply belongs to; "0" on top-level comments
	ReplyToReplyID    flexString `json:"reply_to_reply_id"` // the reply it answers; "0" when it answers the top-level comment
	ReplyCommentTotal flexInt    `json:"reply_comment_total"`
	ReplyComment      []comment  `json:"reply_comment"` // the first replies, inlined
	User              struct {
		UID      flexString `json:"uid"`
		UniqueID string     `json:"unique_id"`
		Nickname *string    `json:"nickname"` // nil when absent: unknown
		Avatar   *struct {
			URI     string   `json:"uri"`
			URLList []string `json:"url_list"`
		} `json:"avatar_thumb"` // nil when absent: unknown
	} `json:"user"`
}

// commentListResponse is the answer of /api/comment/list/ and
// /api/comment/list/reply/.
type commentListResponse struct {
	StatusCode flexInt   `json:"status_code"`
	StatusMsg  string    `json:"status_msg"`
	Comments   []comment `json:"comments"` // null when there are none
	Cursor     flexInt   `json:"cursor"`
	HasMore    flexInt   `json:"has_more"`
	HasMoreAlt flexInt   `json:"hasMore"` // only to name a rename in errors
}

// Thread returns the comments under video p: the top-level comments from
// GET /api/comment/list/?aweme_id=<id>&cursor=<n>&count=50 (comment_pages
// pages), the replies TikTok inlines with them, and, for up to reply_threads
// comments that have more replies than inlined, the replies from
// GET /api/comment/list/reply/?item_id=<id>&comment_id=<cid>&cursor=<n>&count=50
// (comment_pages pages each).
//
// Depth is 1 for a top-level comment and one more than the comment answered
// for a reply: a reply's parent is reply_to_reply_id when it is set (not
// "0"), else the top-level comment (reply_id). A reply whose parent is not
// among the comments read counts as answering a depth-2 reply. ByCreator is
// set when the author's uid is the creator's id. Comments appear once, each
// top-level comment followed by its replies.
func (c *Collector) Thread(ctx context.Context, cr model.Creator, p model.Post) ([]model.Comment, error) {
	if p.ID == "" {
		return nil, fmt.Errorf("tiktok thread: the video has no id")
	}
	top, err := c.readComments(ctx, endpointComments, "aweme_id", p.ID, "")
	if err != nil {
		return nil, err
	}
	var out []model.Comment
	seen := map[string]bool{}
	fetched := 0
	for _, tc := range top {
		id := string(tc.CID)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, c.toComment(tc, p.ID, p.ID, 1, cr))
		replies := tc.ReplyComment
		if tc.ReplyCommentTotal.n > int64(len(replies)) && fetched < c.replyThreads {
			fetched++
			more, err := c.readComments(ctx, endpointReplies, "item_id", p.ID, id)
			if err != nil {
				return nil, err
			}
			replies = append(replies, more...)
		}
		out = append(out, c.replies(tc, replies, p.ID, cr, seen)...)
	}
	return out, nil
}

// replies turns the replies under top-level comment tc into comments with
// their depth, skipping ids already seen.
func (c *Collector) replies(tc comment, rs []comment, postID string, cr model.Creator, seen map[string]bool) []model.Comment {
	topID := string(tc.CID)
	parent := map[string]string{}
	for _, r := range rs {
		parent[string(r.CID)] = replyParent(r, topID)
	}
	depth := collectors.ReplyDepths(topID, 1, parent)
	var out []model.Comment
	for _, r := range rs {
		id := string(r.CID)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, c.toComment(r, postID, parent[id], depth(id), cr))
	}
	return out
}

// replyParent is the id of the comment a reply answers.
func replyParent(r comment, topID string) string {
	if to := string(r.ReplyToReplyID); to != "" && to != "0" {
		return to
	}
	if id := string(r.ReplyID); id != "" && id != "0" {
		return id
	}
	return topID
}

func (c *Collector) toComment(cm comment, postID, parentID string, depth int, cr model.Creator) model.Comment {
	uid := string(cm.User.UID)
	return model.Comment{
		Platform:     Platform,
		ID:           string(cm.CID),
		PostID:       postID,
		ParentID:     parentID,
		AuthorID:     uid,
		AuthorHandle: cm.User.UniqueID,
		Text:         cm.Text,
		CreatedAt:    time.Unix(cm.CreateTime.n, 0).UTC(),
		Depth:        depth,
		ByCreator:    cr.ID != "" && uid == cr.ID,
		Likes:        model.N(cm.DiggCount.n),
		Author:       commentAuthor(cm),
	}
}

// commentAuthor is the commenter's profile as the comment shows it: the
// handle, the display name (nickname) and whether it uploaded an avatar
// (avatar_thumb: TikTok's default picture, defaultAvatar, is no avatar;
// absent or empty is unknown). TikTok's comment user carries no counts, no
// bio and no private flag, so those fields stay unknown.
func commentAuthor(cm comment) *model.AudienceAccount {
	a := &model.AudienceAccount{ID: string(cm.User.UID), Handle: cm.User.UniqueID}
	if cm.User.Nickname != nil {
		a.DisplayName = model.S(*cm.User.Nickname)
	}
	if av := cm.User.Avatar; av != nil {
		a.HasAvatar = hasAvatar(av.URI, av.URLList)
	}
	return a
}

// defaultAvatar is the object of TikTok's default profile picture, shown for
// every account that uploaded none (musically-maliva-obj/1594805258216454;
// TikTok's own app tests avatar URLs for this id).
const defaultAvatar = "1594805258216454"

// hasAvatar reads an avatar_thumb: nil (unknown) when it names no picture,
// false for TikTok's default picture, true for any other.
func hasAvatar(uri string, urls []string) *bool {
	named := strings.TrimSpace(uri) != ""
	def := strings.Contains(uri, defaultAvatar)
	for _, u := range urls {
		if strings.TrimSpace(u) != "" {
			named = true
			def = def || strings.Contains(u, defaultAvatar)
		}
	}
	if !named {
		return nil
	}
	return model.B(!def)
}

// readComments reads up to comment_pages pages of a comment list: the
// video's comments (commentID "") or one comment's replies. idParam is the
// video id's parameter name (aweme_id or item_id).
func (c *Collector) readComments(ctx context.Context, endpoint, idParam, videoID, commentID string) ([]comment, error) {
	what := "GET " + endpoint
	var all []comment
	var cursor int64
	for range c.commentPages {
		kv := []string{idParam, videoID}
		if commentID != "" {
			kv = append(kv, "comment_id", commentID)
		}
		kv = append(kv, "cursor", fmt.Sprint(cursor), "count", fmt.Sprint(commentPageSize))
		var r commentListResponse
		if err := c.getJSON(ctx, endpoint, query(kv...), &r); err != nil {
			return nil, err
		}
		if err := checkCommentPage(what, r); err != nil {
			return nil, err
		}
		all = append(all, r.Comments...)
		// has_more 0, an empty page or a cursor that does not move ends it.
		if r.HasMore.n == 0 || len(r.Comments) == 0 || !r.Cursor.set || r.Cursor.n <= cursor {
			break
		}
		cursor = r.Cursor.n
	}
	return all, nil
}

// checkCommentPage checks a decoded comment list answer: its status, its
// has_more and every comment.
func checkCommentPage(what string, r commentListResponse) error {
	if !r.StatusCode.set {
		return &collectors.DriftError{Where: what, Field: "status_code"}
	}
	if r.StatusCode.n != 0 {
		return &StatusError{Where: what, Code: int(r.StatusCode.n), Msg: r.StatusMsg}
	}
	if !r.HasMore.set {
		return missingField(what+": answer", "has_more", "hasMore", r.HasMoreAlt.set)
	}
	return checkComments(what, r.Comments)
}

// checkComments rejects comments missing a field the collector needs,
// naming it, rather than storing zeros.
func checkComments(what string, cs []comment) error {
	for i, cm := range cs {
		at := fmt.Sprintf("%s: comments[%d]", what, i)
		if err := checkComment(at, cm); err != nil {
			return err
		}
		for j, r := range cm.ReplyComment {
			if err := checkComment(fmt.Sprintf("%s.reply_comment[%d]", at, j), r); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkComment(at string, cm comment) error {
	missing := ""
	switch {
	case cm.CID == "":
		return missingField(at, "cid", "comment_id", cm.CIDAlt != "")
	case !cm.CreateTime.set:
		missing = "create_time"
	case !cm.DiggCount.set:
		missing = "digg_count"
	case cm.User.UID == "":
		missing = "user.uid"
	}
	if missing != "" {
		return missingField(at, missing, "", false)
	}
	return nil
}

var _ collectors.AudienceSampler = (*Collector)(nil)

// Audience samples the creator's audience from its commenters (TikTok's
// follower list is not public to the web API): the distinct authors of the
// newest comments already collected, with the profile fields their comments
// carried (handle, display name). It makes no request.
func (c *Collector) Audience(_ context.Context, cr model.Creator, n int, comments []model.Comment) (model.AudienceSample, error) {
	return collectors.CommenterSample(cr, n, comments, c.now()), nil
}
