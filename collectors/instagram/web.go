package instagram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

const endpointProfile = "GET /api/v1/users/web_profile_info/"

// flexID is an id Instagram sends as a JSON string or as a number. Numbers
// keep their digits: comment and media pks do not fit a float64.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null":
		*f = ""
	case strings.HasPrefix(s, `"`):
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*f = flexID(str)
	case isDigits(strings.TrimPrefix(s, "-")):
		*f = flexID(s)
	default:
		return fmt.Errorf("id %s is neither a string nor an integer", s)
	}
	return nil
}

// countEdge is {"count": n}; a nil Count means the key is absent.
type countEdge struct {
	Count *int64 `json:"count"`
}

// webProfileResponse is the envelope of web_profile_info. User stays raw so
// that "user": null (no such account) and a missing key (schema drift) can
// be told apart.
type webProfileResponse struct {
	Data *struct {
		User json.RawMessage `json:"user"`
	} `json:"data"`
	Status string `json:"status"`
}

// webUser is the part of data.user the collector reads.
type webUser struct {
	ID              flexID `json:"id"`
	Username        string `json:"username"`
	FullName        string `json:"full_name"`
	Biography       string `json:"biography"`
	ExternalURL     string `json:"external_url"`
	IsPrivate       bool   `json:"is_private"`
	IsVerified      bool   `json:"is_verified"`
	ProfilePicURL   string `json:"profile_pic_url"`
	ProfilePicURLHD string `json:"profile_pic_url_hd"`
	BioLinks        []struct {
		URL string `json:"url"`
	} `json:"bio_links"`
	EdgeFollowedBy *countEdge `json:"edge_followed_by"`
	EdgeFollow     *countEdge `json:"edge_follow"`
	Timeline       *struct {
		Count *int64 `json:"count"`
		Edges []struct {
			Node *mediaNode `json:"node"`
		} `json:"edges"` // nil when the key is absent
	} `json:"edge_owner_to_timeline_media"`
}

// mediaNode is one post of edge_owner_to_timeline_media.
type mediaNode struct {
	ID             flexID     `json:"id"`
	Shortcode      string     `json:"shortcode"`
	Typename       string     `json:"__typename"`
	IsVideo        bool       `json:"is_video"`
	ProductType    string     `json:"product_type"`
	TakenAt        *int64     `json:"taken_at_timestamp"`
	LikedBy        *countEdge `json:"edge_liked_by"`
	PreviewLike    *countEdge `json:"edge_media_preview_like"`
	ToComment      *countEdge `json:"edge_media_to_comment"`
	PreviewComment *countEdge `json:"edge_media_preview_comment"`
	VideoViewCount *int64     `json:"video_view_count"`
	VideoPlayCount *int64     `json:"video_play_count"`
	CountsDisabled bool       `json:"like_and_view_counts_disabled"`
	Caption        struct {
		Edges []struct {
			Node struct {
				Text string `json:"text"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"edge_media_to_caption"`
	Owner struct {
		ID flexID `json:"id"`
	} `json:"owner"`
}

// Profile fetches a creator by username ("name", "@name" or a profile link;
// Instagram has no public lookup by id). In the web source the recent posts
// come in the same answer and are kept for the Posts call that follows. A
// private account is returned with Private set; its Posts and Thread fail
// with collectors.ErrPrivate. An unknown username is collectors.ErrNotFound
// (Instagram answers 404, or 200 with "user": null).
func (c *Collector) Profile(ctx context.Context, handleOrID string) (model.Creator, error) {
	u := normalizeUsername(handleOrID)
	if u == "" {
		return model.Creator{}, fmt.Errorf("fetching instagram profile %q: not an Instagram username", handleOrID)
	}
	var (
		cr    model.Creator
		posts []model.Post
		next  string
		err   error
	)
	if c.source == SourceGraph {
		cr, posts, next, err = c.graphProfile(ctx, u)
	} else {
		cr, posts, err = c.webProfile(ctx, u)
	}
	if err != nil {
		return model.Creator{}, err
	}
	c.remember(cr.ID, cached{posts: posts, next: next, private: cr.Private})
	return cr, nil
}

// Posts returns the creator's recent posts, newest first. The first page is
// the one that came with Profile when it is still cached (no request);
// otherwise the profile is fetched again. The web source has no further
// pages: Next is always empty. The graph source pages through
// business_discovery's media with its after cursor.
func (c *Collector) Posts(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error) {
	if cr.Private {
		return collectors.PostPage{}, fmt.Errorf("instagram posts of %q: %w", cr.Handle, collectors.ErrPrivate)
	}
	if cursor == "" && cr.ID != "" {
		if e, ok := c.take(cr.ID); ok {
			if e.private {
				return collectors.PostPage{}, fmt.Errorf("instagram posts of %q: %w", cr.Handle, collectors.ErrPrivate)
			}
			return collectors.PostPage{Posts: e.posts, Next: e.next}, nil
		}
	}
	u := normalizeUsername(cr.Handle)
	if u == "" {
		return collectors.PostPage{}, fmt.Errorf("instagram posts of %q (%s): the creator has no valid username", cr.Handle, cr.ID)
	}
	if cursor == "" {
		c.log.Debug("posts not cached with the profile; fetching it again", "creator", u)
	}
	if c.source == SourceGraph {
		return c.graphPosts(ctx, cr, u, cursor)
	}
	if cursor != "" {
		return collectors.PostPage{}, fmt.Errorf("instagram posts of %q: the web source has no further pages (cursor %q)", u, cursor)
	}
	fresh, posts, err := c.webProfile(ctx, u)
	if err != nil {
		return collectors.PostPage{}, fmt.Errorf("instagram posts: %w", err)
	}
	if cr.ID != "" && fresh.ID != cr.ID {
		return collectors.PostPage{}, fmt.Errorf("instagram posts of %q: the username now belongs to account %s, not %s: %w", u, fresh.ID, cr.ID, collectors.ErrNotFound)
	}
	if fresh.Private {
		return collectors.PostPage{}, fmt.Errorf("instagram posts of %q: %w", u, collectors.ErrPrivate)
	}
	return collectors.PostPage{Posts: posts}, nil
}

// webProfile fetches web_profile_info and parses the creator and posts.
func (c *Collector) webProfile(ctx context.Context, username string) (model.Creator, []model.Post, error) {
	raw := c.base + "/api/v1/users/web_profile_info/?username=" + url.QueryEscape(username)
	body, err := c.getWeb(ctx, endpointProfile, raw)
	if err != nil {
		return model.Creator{}, nil, fmt.Errorf("fetching instagram profile %q: %w", username, err)
	}
	cr, posts, err := parseWebProfile(body, c.now().UTC())
	if err != nil {
		return model.Creator{}, nil, fmt.Errorf("fetching instagram profile %q: %w", username, err)
	}
	return cr, posts, nil
}

// missing is the error for a field that the response should carry and does
// not: schema drift, never a silent zero.
func missing(endpoint, field string) error {
	return &collectors.DriftError{Where: endpoint, Field: field}
}

// negative is the error for a profile count below 0: not a count the
// collector can read.
func negative(endpoint, field string, n int64) error {
	return &collectors.DriftError{Where: endpoint, Field: field, Got: fmt.Sprintf("negative (%d)", n)}
}

// decodeError is the error for a body json.Unmarshal refused at path
// ("" for the whole body): a field of the wrong type is a
// collectors.DriftError naming it, anything else collectors.ErrMalformed.
func decodeError(endpoint, path string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		field := te.Field
		if path != "" {
			field = path + "." + field
		}
		return &collectors.DriftError{Where: endpoint, Field: field, Got: "a " + te.Value}
	}
	if path == "" {
		path = "JSON"
	}
	return fmt.Errorf("%s: decoding %s: %w: %w", endpoint, path, collectors.ErrMalformed, err)
}

// parseWebProfile reads a web_profile_info body.
func parseWebProfile(body []byte, now time.Time) (model.Creator, []model.Post, error) {
	var r webProfileResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return model.Creator{}, nil, decodeError(endpointProfile, "", err)
	}
	if r.Data == nil {
		return model.Creator{}, nil, missing(endpointProfile, "data")
	}
	rawUser := bytes.TrimSpace(r.Data.User)
	switch {
	case len(rawUser) == 0:
		return model.Creator{}, nil, missing(endpointProfile, "data.user")
	case string(rawUser) == "null":
		return model.Creator{}, nil, fmt.Errorf("%s: data.user is null: %w", endpointProfile, collectors.ErrNotFound)
	}
	var u webUser
	if err := json.Unmarshal(rawUser, &u); err != nil {
		return model.Creator{}, nil, decodeError(endpointProfile, "data.user", err)
	}
	switch {
	case u.ID == "":
		return model.Creator{}, nil, missing(endpointProfile, "data.user.id")
	case u.Username == "":
		return model.Creator{}, nil, missing(endpointProfile, "data.user.username")
	case u.EdgeFollowedBy == nil || u.EdgeFollowedBy.Count == nil:
		return model.Creator{}, nil, missing(endpointProfile, "data.user.edge_followed_by.count")
	case u.EdgeFollow == nil || u.EdgeFollow.Count == nil:
		return model.Creator{}, nil, missing(endpointProfile, "data.user.edge_follow.count")
	case u.Timeline == nil || u.Timeline.Count == nil:
		return model.Creator{}, nil, missing(endpointProfile, "data.user.edge_owner_to_timeline_media.count")
	case *u.EdgeFollowedBy.Count < 0:
		return model.Creator{}, nil, negative(endpointProfile, "data.user.edge_followed_by.count", *u.EdgeFollowedBy.Count)
	case *u.EdgeFollow.Count < 0:
		return model.Creator{}, nil, negative(endpointProfile, "data.user.edge_follow.count", *u.EdgeFollow.Count)
	case *u.Timeline.Count < 0:
		return model.Creator{}, nil, negative(endpointProfile, "data.user.edge_owner_to_timeline_media.count", *u.Timeline.Count)
	}
	cr := model.Creator{
		Platform:    Platform,
		ID:          string(u.ID),
		Handle:      strings.ToLower(u.Username),
		DisplayName: u.FullName,
		Bio:         u.Biography,
		AvatarURL:   firstNonEmpty(u.ProfilePicURL, u.ProfilePicURLHD),
		URL:         profileURL(strings.ToLower(u.Username)),
		Followers:   *u.EdgeFollowedBy.Count,
		Following:   *u.EdgeFollow.Count,
		PostsCount:  *u.Timeline.Count,
		Verified:    u.IsVerified,
		Private:     u.IsPrivate,
		FetchedAt:   now,
	}
	for _, l := range u.BioLinks {
		if l.URL != "" && !slices.Contains(cr.Links, l.URL) {
			cr.Links = append(cr.Links, l.URL)
		}
	}
	if u.ExternalURL != "" && !slices.Contains(cr.Links, u.ExternalURL) {
		cr.Links = append(cr.Links, u.ExternalURL)
	}
	if cr.Private {
		return cr, nil, nil // a private profile shows counts, not posts
	}
	if u.Timeline.Edges == nil && *u.Timeline.Count > 0 {
		return model.Creator{}, nil, missing(endpointProfile, "data.user.edge_owner_to_timeline_media.edges")
	}
	posts := make([]model.Post, 0, len(u.Timeline.Edges))
	for i, e := range u.Timeline.Edges {
		field := fmt.Sprintf("data.user.edge_owner_to_timeline_media.edges[%d].node", i)
		n := e.Node
		switch {
		case n == nil:
			return model.Creator{}, nil, missing(endpointProfile, field)
		case n.ID == "":
			return model.Creator{}, nil, missing(endpointProfile, field+".id")
		case n.TakenAt == nil:
			return model.Creator{}, nil, missing(endpointProfile, field+".taken_at_timestamp")
		}
		if n.Owner.ID != "" && n.Owner.ID != u.ID {
			continue // a collaboration owned by another account
		}
		posts = append(posts, webPost(*n, cr.ID, now))
	}
	slices.SortStableFunc(posts, func(a, b model.Post) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return cr, posts, nil
}

// webPost converts a timeline node. Likes and views are nil when the owner
// hid them (like_and_view_counts_disabled, a count of -1, or no count).
func webPost(n mediaNode, creatorID string, now time.Time) model.Post {
	p := model.Post{
		Platform:  Platform,
		ID:        string(n.ID),
		CreatorID: creatorID,
		CreatedAt: time.Unix(*n.TakenAt, 0).UTC(),
		Kind:      webKind(n),
		FetchedAt: now,
	}
	if len(n.Caption.Edges) > 0 {
		p.Text = n.Caption.Edges[0].Node.Text
	}
	p.Hashtags = hashtags(p.Text)
	if n.Shortcode != "" {
		kind := "p"
		if p.Kind == "reel" {
			kind = "reel"
		}
		p.URL = "https://www.instagram.com/" + kind + "/" + n.Shortcode + "/"
	}
	if !n.CountsDisabled {
		p.Likes = firstCount(n.LikedBy, n.PreviewLike)
		if n.IsVideo {
			p.Views = nonNegative(n.VideoViewCount)
			if p.Views == nil {
				p.Views = nonNegative(n.VideoPlayCount)
			}
		}
	}
	p.Comments = firstCount(n.ToComment, n.PreviewComment)
	return p
}

// firstCount returns the first edge that carries a count, nil for a hidden
// (negative) one or when none does.
func firstCount(edges ...*countEdge) *int64 {
	for _, e := range edges {
		if e != nil && e.Count != nil {
			return nonNegative(e.Count)
		}
	}
	return nil
}

// webKind names a post's kind from its GraphQL type and product type.
func webKind(n mediaNode) string {
	t := strings.TrimPrefix(n.Typename, "XDT")
	switch {
	case n.ProductType == "clips":
		return "reel"
	case t == "GraphVideo" || n.IsVideo:
		return "video"
	case t == "GraphSidecar":
		return "carousel"
	case t == "GraphImage":
		return "image"
	}
	return "post"
}

// apiComment is one comment of the media comments endpoints.
type apiComment struct {
	PK                   flexID       `json:"pk"`
	UserID               flexID       `json:"user_id"`
	Text                 string       `json:"text"`
	CreatedAt            *int64       `json:"created_at"`
	CreatedAtUTC         *int64       `json:"created_at_utc"`
	CommentLikeCount     *int64       `json:"comment_like_count"`
	ChildCommentCount    int          `json:"child_comment_count"`
	PreviewChildComments []apiComment `json:"preview_child_comments"`
	ParentCommentID      flexID       `json:"parent_comment_id"`
	User                 *struct {
		PK            flexID  `json:"pk"`
		ID            flexID  `json:"id"`
		Username      string  `json:"username"`
		FullName      *string `json:"full_name"`       // nil when absent: unknown
		IsPrivate     *bool   `json:"is_private"`      // nil when absent: unknown
		ProfilePicURL *string `json:"profile_pic_url"` // nil when absent: unknown
	} `json:"user"`
}

// commentsResponse is GET /api/v1/media/<pk>/comments/.
type commentsResponse struct {
	Comments            *[]apiComment   `json:"comments"`
	CommentLikesEnabled *bool           `json:"comment_likes_enabled"`
	CommentsDisabled    bool            `json:"comments_disabled"`
	HasMoreComments     bool            `json:"has_more_comments"`
	NextMinID           json.RawMessage `json:"next_min_id"`
}

// childCommentsResponse is GET /api/v1/media/<pk>/comments/<pk>/child_comments/.
type childCommentsResponse struct {
	ChildComments      *[]apiComment   `json:"child_comments"`
	HasMoreTail        bool            `json:"has_more_tail_child_comments"`
	NextMaxChildCursor json.RawMessage `json:"next_max_child_cursor"`
}

// Thread returns the comments under p (web source): top-level comments at
// depth 1 with the post as parent, replies at depth 2 with their comment as
// parent, ByCreator set on the creator's own. It reads up to comment_pages
// pages of GET /api/v1/media/<pk>/comments/ (following next_min_id while
// has_more_comments), keeps the replies Instagram previews inline, and for
// up to child_threads comments with more replies than previewed reads
// /comments/<comment pk>/child_comments/. Instagram's comments are only
// ever two levels deep. The graph source returns no comments: business
// discovery exposes none; neither does the web source with option comments
// false.
func (c *Collector) Thread(ctx context.Context, cr model.Creator, p model.Post) ([]model.Comment, error) {
	if c.source == SourceGraph || !c.comments {
		return nil, nil
	}
	if cr.Private {
		return nil, fmt.Errorf("instagram comments of post %s: %w", p.ID, collectors.ErrPrivate)
	}
	pk := p.ID
	if !isMediaPK(pk) {
		return nil, fmt.Errorf("instagram comments: post id %q is not a media pk: %w", pk, collectors.ErrNotFound)
	}
	t := &thread{c: c, postID: pk, creatorID: firstNonEmpty(cr.ID, p.CreatorID), seen: map[string]bool{}}
	if err := t.readComments(ctx); err != nil {
		return nil, fmt.Errorf("fetching comments of instagram post %s: %w", pk, err)
	}
	for _, parent := range t.expand[:min(len(t.expand), c.childThreads)] {
		if err := t.readChildren(ctx, parent); err != nil {
			return nil, fmt.Errorf("fetching replies to comment %s of instagram post %s: %w", parent, pk, err)
		}
	}
	return t.out, nil
}

// thread collects the comments of one post.
type thread struct {
	c         *Collector
	postID    string
	creatorID string
	likesOn   bool
	seen      map[string]bool
	expand    []string // comments with replies not previewed
	out       []model.Comment
}

func (t *thread) readComments(ctx context.Context) error {
	endpoint := "GET /api/v1/media/" + t.postID + "/comments/"
	minID := ""
	for range t.c.commentPages {
		raw := t.c.base + "/api/v1/media/" + t.postID + "/comments/?can_support_threading=true&permalink_enabled=false"
		if minID != "" {
			raw += "&min_id=" + url.QueryEscape(minID)
		}
		body, err := t.c.getWeb(ctx, endpoint, raw)
		if err != nil {
			return err
		}
		next, err := t.addComments(endpoint, body)
		if err != nil {
			return err
		}
		if next == "" || next == minID {
			return nil
		}
		minID = next
	}
	return nil
}

// addComments decodes one page of comments and adds them with the replies
// it previews; it returns the next page's min_id, "" at the end.
func (t *thread) addComments(endpoint string, body []byte) (string, error) {
	var r commentsResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return "", decodeError(endpoint, "", err)
	}
	if r.Comments == nil {
		if r.CommentsDisabled {
			return "", nil
		}
		return "", missing(endpoint, "comments")
	}
	t.likesOn = r.CommentLikesEnabled == nil || *r.CommentLikesEnabled
	for i, a := range *r.Comments {
		field := fmt.Sprintf("comments[%d]", i)
		top, err := t.add(endpoint, field, a, t.postID, 1)
		if err != nil {
			return "", err
		}
		for j, ch := range a.PreviewChildComments {
			if _, err := t.add(endpoint, fmt.Sprintf("%s.preview_child_comments[%d]", field, j), ch, top, 2); err != nil {
				return "", err
			}
		}
		if a.ChildCommentCount > len(a.PreviewChildComments) && !slices.Contains(t.expand, top) {
			t.expand = append(t.expand, top)
		}
	}
	if !r.HasMoreComments {
		return "", nil
	}
	return rawCursor(r.NextMinID), nil
}

func (t *thread) readChildren(ctx context.Context, parent string) error {
	endpoint := "GET /api/v1/media/" + t.postID + "/comments/" + parent + "/child_comments/"
	cursor := ""
	for range t.c.commentPages {
		raw := t.c.base + "/api/v1/media/" + t.postID + "/comments/" + url.PathEscape(parent) + "/child_comments/"
		if cursor != "" {
			raw += "?max_id=" + url.QueryEscape(cursor)
		}
		body, err := t.c.getWeb(ctx, endpoint, raw)
		if err != nil {
			return err
		}
		next, err := t.addChildren(endpoint, parent, body)
		if err != nil {
			return err
		}
		if next == "" || next == cursor {
			return nil
		}
		cursor = next
	}
	return nil
}

// addChildren decodes one page of replies to parent and adds them; it
// returns the next page's cursor, "" at the end.
func (t *thread) addChildren(endpoint, parent string, body []byte) (string, error) {
	var r childCommentsResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return "", decodeError(endpoint, "", err)
	}
	if r.ChildComments == nil {
		return "", missing(endpoint, "child_comments")
	}
	for i, a := range *r.ChildComments {
		if _, err := t.add(endpoint, fmt.Sprintf("child_comments[%d]", i), a, parent, 2); err != nil {
			return "", err
		}
	}
	if !r.HasMoreTail {
		return "", nil
	}
	return rawCursor(r.NextMaxChildCursor), nil
}

// add converts a comment and appends it unless already seen; it returns the
// comment's id.
func (t *thread) add(endpoint, field string, a apiComment, parent string, depth int) (string, error) {
	if a.PK == "" {
		return "", missing(endpoint, field+".pk")
	}
	id := string(a.PK)
	author := a.UserID
	handle := ""
	var profile *model.AudienceAccount
	if a.User != nil {
		author = firstFlex(a.User.PK, a.User.ID, a.UserID)
		handle = a.User.Username
		profile = &model.AudienceAccount{ID: string(author), Handle: handle, DisplayName: a.User.FullName,
			Private: a.User.IsPrivate, HasAvatar: hasProfilePic(a.User.ProfilePicURL)}
	}
	if author == "" {
		return "", missing(endpoint, field+".user.pk")
	}
	created := a.CreatedAtUTC
	if created == nil {
		created = a.CreatedAt
	}
	if created == nil {
		return "", missing(endpoint, field+".created_at")
	}
	if depth == 2 && a.ParentCommentID != "" {
		parent = string(a.ParentCommentID)
	}
	if t.seen[id] {
		return id, nil
	}
	t.seen[id] = true
	cm := model.Comment{
		Platform:     Platform,
		ID:           id,
		PostID:       t.postID,
		ParentID:     parent,
		AuthorID:     string(author),
		AuthorHandle: handle,
		Text:         a.Text,
		CreatedAt:    time.Unix(*created, 0).UTC(),
		Depth:        depth,
		ByCreator:    t.creatorID != "" && string(author) == t.creatorID,
		Author:       profile,
	}
	if t.likesOn {
		cm.Likes = nonNegative(a.CommentLikeCount)
	}
	t.out = append(t.out, cm)
	return id, nil
}

// rawCursor reads a pagination cursor that may be a JSON string, an object
// (sent back as its JSON text) or null.
func rawCursor(raw json.RawMessage) string {
	s := bytes.TrimSpace(raw)
	switch {
	case len(s) == 0 || string(s) == "null":
		return ""
	case s[0] == '"':
		var str string
		if json.Unmarshal(s, &str) == nil {
			return str
		}
		return ""
	case s[0] == '{':
		var buf bytes.Buffer
		if json.Compact(&buf, s) == nil {
			return buf.String()
		}
	}
	return string(s)
}

// isMediaPK reports whether s is a media pk ("123", or "123_456" with the
// owner's id).
func isMediaPK(s string) bool {
	pk, owner, found := strings.Cut(s, "_")
	return isDigits(pk) && (!found || isDigits(owner))
}

func firstFlex(ids ...flexID) flexID {
	for _, id := range ids {
		if id != "" {
			return id
		}
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// Instagram serves one picture to every account that has not uploaded one:
// the file 44884218_345707102882519_2446069589734326272_n.jpg, whose URL
// also carries ig_cache_key=YW5vbnltb3VzX3Byb2ZpbGVfcGlj (base64 of
// "anonymous_profile_pic"), on whatever CDN host.
const (
	defaultPicFile = "44884218_345707102882519_2446069589734326272_n."
	defaultPicKey  = "YW5vbnltb3VzX3Byb2ZpbGVfcGlj"
)

// hasProfilePic reads a profile_pic_url: nil (not in the payload) is
// unknown; empty or Instagram's default picture is no avatar; any other
// URL is an uploaded one.
func hasProfilePic(u *string) *bool {
	if u == nil {
		return nil
	}
	s := strings.TrimSpace(*u)
	return model.B(s != "" && !strings.Contains(s, defaultPicFile) && !strings.Contains(s, defaultPicKey))
}

var _ collectors.AudienceSampler = (*Collector)(nil)

// Audience samples the creator's audience from its commenters (Instagram's
// follower list needs a login): the distinct authors of the newest comments
// already collected, with the profile fields their comments carried
// (username, full name, private, whether the picture is the default one).
// It makes no request; the graph source, which reads no comments, samples
// nobody.
func (c *Collector) Audience(_ context.Context, cr model.Creator, n int, comments []model.Comment) (model.AudienceSample, error) {
	return collectors.CommenterSample(cr, n, comments, c.now()), nil
}
