package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// graphMediaFields are the fields read for each business_discovery post.
const graphMediaFields = "id,caption,comments_count,like_count,timestamp,media_type,permalink,media_product_type"

// graphCursorRe is what a Graph API cursor is made of; anything else would
// break the field expansion it is spliced into.
var graphCursorRe = regexp.MustCompile(`^[A-Za-z0-9_=\-]+$`)

// graphResponse is the answer of GET /{version}/{ig_user_id}?fields=business_discovery…
type graphResponse struct {
	BusinessDiscovery *struct {
		ID             string      `json:"id"`
		Username       string      `json:"username"`
		Name           string      `json:"name"`
		Biography      string      `json:"biography"`
		Website        string      `json:"website"`
		FollowersCount *int64      `json:"followers_count"`
		FollowsCount   *int64      `json:"follows_count"`
		MediaCount     *int64      `json:"media_count"`
		Media          *graphMedia `json:"media"`
	} `json:"business_discovery"`
	ID string `json:"id"`
}

type graphMedia struct {
	Data   *[]graphPost `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

type graphPost struct {
	ID               string `json:"id"`
	Caption          string `json:"caption"`
	CommentsCount    *int64 `json:"comments_count"`
	LikeCount        *int64 `json:"like_count"` // absent when the owner hides likes
	Timestamp        string `json:"timestamp"`
	MediaType        string `json:"media_type"`
	Permalink        string `json:"permalink"`
	MediaProductType string `json:"media_product_type"`
}

// graphEndpoint names the business_discovery call in errors (without the
// token, which only the URL carries).
func (c *Collector) graphEndpoint() string {
	return "GET /" + c.graphVersion + "/" + c.igUserID + "?fields=business_discovery"
}

// graphURL is the business_discovery request for a field expansion.
func (c *Collector) graphURL(fields string) string {
	return c.graphBase + "/" + c.graphVersion + "/" + c.igUserID + "?fields=" + url.QueryEscape(fields) + "&access_token=" + url.QueryEscape(c.token)
}

// needToken fails before any request when the graph source has no token.
func (c *Collector) needToken(what string) error {
	if c.token == "" {
		return fmt.Errorf("%s: the graph source needs credentials.access_token (a Graph API token): %w", what, collectors.ErrAuthRequired)
	}
	return nil
}

// graphProfile fetches a business or creator account's profile and first
// page of media in one call.
func (c *Collector) graphProfile(ctx context.Context, username string) (model.Creator, []model.Post, string, error) {
	what := fmt.Sprintf("fetching instagram business_discovery of %q", username)
	if err := c.needToken(what); err != nil {
		return model.Creator{}, nil, "", err
	}
	fields := fmt.Sprintf("business_discovery.username(%s){followers_count,follows_count,media_count,username,name,biography,website,media.limit(%d){%s}}",
		username, c.mediaLimit, graphMediaFields)
	body, err := c.getGraph(ctx, c.graphEndpoint(), c.graphURL(fields))
	if err != nil {
		return model.Creator{}, nil, "", fmt.Errorf("%s: %w", what, err)
	}
	cr, posts, next, err := c.parseGraph(body, username, "", true)
	if err != nil {
		return model.Creator{}, nil, "", fmt.Errorf("%s: %w", what, err)
	}
	return cr, posts, next, nil
}

// graphPosts returns one page of media: the first page again when the
// cache is cold, later pages with media.after(cursor).
func (c *Collector) graphPosts(ctx context.Context, cr model.Creator, username, cursor string) (collectors.PostPage, error) {
	if cursor == "" {
		fresh, posts, next, err := c.graphProfile(ctx, username)
		if err != nil {
			return collectors.PostPage{}, fmt.Errorf("instagram posts: %w", err)
		}
		if cr.ID != "" && fresh.ID != cr.ID {
			return collectors.PostPage{}, fmt.Errorf("instagram posts of %q: the username now belongs to account %s, not %s: %w", username, fresh.ID, cr.ID, collectors.ErrNotFound)
		}
		return collectors.PostPage{Posts: posts, Next: next}, nil
	}
	what := fmt.Sprintf("fetching instagram business_discovery media of %q", username)
	if !graphCursorRe.MatchString(cursor) {
		return collectors.PostPage{}, fmt.Errorf("%s: cursor %q is not a Graph API cursor", what, cursor)
	}
	if err := c.needToken(what); err != nil {
		return collectors.PostPage{}, err
	}
	fields := fmt.Sprintf("business_discovery.username(%s){media.after(%s).limit(%d){%s}}", username, cursor, c.mediaLimit, graphMediaFields)
	body, err := c.getGraph(ctx, c.graphEndpoint(), c.graphURL(fields))
	if err != nil {
		return collectors.PostPage{}, fmt.Errorf("%s: %w", what, err)
	}
	_, posts, next, err := c.parseGraph(body, username, cursor, false)
	if err != nil {
		return collectors.PostPage{}, fmt.Errorf("%s: %w", what, err)
	}
	return collectors.PostPage{Posts: posts, Next: next}, nil
}

// parseGraph reads a business_discovery answer. withProfile requires the
// profile counts; a page of media needs only the id and the media.
func (c *Collector) parseGraph(body []byte, username, cursor string, withProfile bool) (model.Creator, []model.Post, string, error) {
	endpoint := c.graphEndpoint()
	var r graphResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return model.Creator{}, nil, "", decodeError(endpoint, "", err)
	}
	bd := r.BusinessDiscovery
	switch {
	case bd == nil:
		return model.Creator{}, nil, "", missing(endpoint, "business_discovery")
	case bd.ID == "":
		return model.Creator{}, nil, "", missing(endpoint, "business_discovery.id")
	case withProfile && bd.FollowersCount == nil:
		return model.Creator{}, nil, "", missing(endpoint, "business_discovery.followers_count")
	case withProfile && bd.MediaCount == nil:
		return model.Creator{}, nil, "", missing(endpoint, "business_discovery.media_count")
	case withProfile && *bd.FollowersCount < 0:
		return model.Creator{}, nil, "", negative(endpoint, "business_discovery.followers_count", *bd.FollowersCount)
	case withProfile && *bd.MediaCount < 0:
		return model.Creator{}, nil, "", negative(endpoint, "business_discovery.media_count", *bd.MediaCount)
	}
	now := c.now().UTC()
	var cr model.Creator
	if withProfile {
		handle := firstNonEmpty(bd.Username, username)
		cr = model.Creator{
			Platform:    Platform,
			ID:          bd.ID,
			Handle:      handle,
			DisplayName: bd.Name,
			Bio:         bd.Biography,
			URL:         profileURL(handle),
			Followers:   *bd.FollowersCount,
			PostsCount:  *bd.MediaCount,
			FetchedAt:   now,
		}
		// Not every answer carries follows_count (it is not used for ER):
		// without it the count is unknown, not 0.
		if f := nonNegative(bd.FollowsCount); f != nil {
			cr.Following = *f
		} else {
			cr.Unknown = []string{model.CountFollowing}
		}
		if bd.Website != "" {
			cr.Links = []string{bd.Website}
		}
	}
	if bd.Media == nil || bd.Media.Data == nil {
		if withProfile && *bd.MediaCount == 0 {
			return cr, nil, "", nil
		}
		return model.Creator{}, nil, "", missing(endpoint, "business_discovery.media.data")
	}
	data := *bd.Media.Data
	posts := make([]model.Post, 0, len(data))
	for i, m := range data {
		field := fmt.Sprintf("business_discovery.media.data[%d]", i)
		if m.ID == "" {
			return model.Creator{}, nil, "", missing(endpoint, field+".id")
		}
		created, ok := parseGraphTime(m.Timestamp)
		if !ok {
			return model.Creator{}, nil, "", missing(endpoint, field+".timestamp")
		}
		posts = append(posts, model.Post{
			Platform:  Platform,
			ID:        m.ID,
			CreatorID: bd.ID,
			CreatedAt: created,
			Kind:      graphKind(m),
			Text:      m.Caption,
			Hashtags:  hashtags(m.Caption),
			URL:       m.Permalink,
			Likes:     nonNegative(m.LikeCount),
			Comments:  nonNegative(m.CommentsCount),
			FetchedAt: now,
		})
	}
	// A full page with an after cursor may have a successor; a short page
	// is the last.
	next := ""
	if after := bd.Media.Paging.Cursors.After; after != "" && after != cursor && len(data) >= c.mediaLimit {
		next = after
	}
	return cr, posts, next, nil
}

// graphKind names a post's kind from media_product_type and media_type.
func graphKind(m graphPost) string {
	switch {
	case m.MediaProductType == "REELS":
		return "reel"
	case m.MediaType == "VIDEO":
		return "video"
	case m.MediaType == "CAROUSEL_ALBUM":
		return "carousel"
	case m.MediaType == "IMAGE":
		return "image"
	}
	return "post"
}

// parseGraphTime reads the Graph API's "2024-06-19T17:05:12+0000".
func parseGraphTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
