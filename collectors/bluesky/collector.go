package bluesky

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// Profile fetches a profile by handle or DID. It also accepts "@handle" and
// https://bsky.app/profile/<handle> links.
func (c *Client) Profile(ctx context.Context, handleOrID string) (model.Creator, error) {
	actor := normalizeActor(handleOrID)
	if actor == "" {
		return model.Creator{}, fmt.Errorf("fetching bluesky profile %q: %w", handleOrID, errEmptyActor)
	}
	body, err := c.fetch(ctx, c.base, nsidGetProfile, url.Values{"actor": {actor}}, nil)
	if err != nil {
		return model.Creator{}, fmt.Errorf("fetching bluesky profile %q: %w", actor, err)
	}
	p, err := parseProfile(body)
	if err != nil {
		return model.Creator{}, fmt.Errorf("fetching bluesky profile %q: %w", actor, err)
	}
	if p.DID == "" {
		return model.Creator{}, fmt.Errorf("fetching bluesky profile %q: %s: no did in response: %w", actor, nsidGetProfile, collectors.ErrMalformed)
	}
	return c.creator(p), nil
}

func (c *Client) creator(p profileViewDetailed) model.Creator {
	cr := model.Creator{
		Platform:    Platform,
		ID:          p.DID,
		Handle:      p.Handle,
		DisplayName: p.DisplayName,
		Bio:         p.Description,
		AvatarURL:   p.Avatar,
		URL:         profileURL(p.Handle, p.DID),
		Followers:   p.FollowersCount,
		Following:   p.FollowsCount,
		PostsCount:  p.PostsCount,
		Verified:    p.Verification != nil && p.Verification.VerifiedStatus == "valid",
		Links:       findLinks(p.Description),
		CreatedAt:   parseTime(p.CreatedAt),
		FetchedAt:   c.now().UTC(),
	}
	for _, l := range p.Labels {
		// The account asked apps not to show it to logged-out visitors.
		if l.Val == "!no-unauthenticated" && !l.Neg {
			cr.Private = true
		}
	}
	return cr
}

// Posts returns one page of the creator's own posts, newest first. Reposts,
// pinned items and posts by other authors are dropped, so a page may hold
// fewer posts than the page size (even none) while Next is not empty.
func (c *Client) Posts(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error) {
	actor := firstNonEmpty(cr.ID, normalizeActor(cr.Handle))
	if actor == "" {
		return collectors.PostPage{}, fmt.Errorf("fetching bluesky author feed: %w", errEmptyActor)
	}
	q := url.Values{
		"actor":  {actor},
		"limit":  {strconv.Itoa(c.pageSize)},
		"filter": {c.feedFilter},
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	body, err := c.fetch(ctx, c.base, nsidGetAuthorFeed, q, nil)
	if err != nil {
		return collectors.PostPage{}, fmt.Errorf("fetching bluesky author feed %q: %w", actor, err)
	}
	resp, err := parseAuthorFeed(body)
	if err != nil {
		return collectors.PostPage{}, fmt.Errorf("fetching bluesky author feed %q: %w", actor, err)
	}
	return c.feedPage(resp, cr, cursor), nil
}

// feedPage turns a decoded author feed into a page of the creator's own
// posts.
func (c *Client) feedPage(resp authorFeedResponse, cr model.Creator, cursor string) collectors.PostPage {
	page := collectors.PostPage{Next: resp.Cursor}
	if page.Next == cursor || len(resp.Feed) == 0 {
		page.Next = "" // no progress: stop rather than loop
	}
	now := c.now().UTC()
	for _, item := range resp.Feed {
		if item.Reason != nil { // #reasonRepost, or #reasonPin (shown out of order)
			continue
		}
		if !isOwn(item.Post.Author, cr) || item.Post.URI == "" {
			continue
		}
		p := toPost(item.Post)
		p.FetchedAt = now
		page.Posts = append(page.Posts, p)
	}
	return page
}

func isOwn(a profileViewBasic, cr model.Creator) bool {
	if cr.ID != "" {
		return a.DID == cr.ID
	}
	return strings.EqualFold(a.Handle, normalizeActor(cr.Handle))
}

func toPost(v postView) model.Post {
	created := parseTime(v.Record.CreatedAt)
	if created.IsZero() {
		created = parseTime(v.IndexedAt)
	}
	return model.Post{
		Platform:  Platform,
		ID:        v.URI,
		CreatorID: v.Author.DID,
		CreatedAt: created,
		Kind:      "post",
		Text:      v.Record.Text,
		Hashtags:  hashtags(v.Record),
		URL:       postURL(v.Author.Handle, v.Author.DID, v.URI),
		Likes:     v.LikeCount,
		Comments:  v.ReplyCount,
		Shares:    v.RepostCount,
		Quotes:    v.QuoteCount,
		Views:     nil, // Bluesky shows no view counts
		IsReply:   v.Record.Reply != nil,
		Language:  first(v.Record.Langs),
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// Thread returns the replies under p, depth first, down to the configured
// depth (default 6). Deleted and blocked replies are skipped with their
// subtrees.
func (c *Client) Thread(ctx context.Context, cr model.Creator, p model.Post) ([]model.Comment, error) {
	if !strings.HasPrefix(p.ID, "at://") {
		return nil, fmt.Errorf("fetching bluesky thread: post id %q is not an at:// uri: %w", p.ID, collectors.ErrNotFound)
	}
	q := url.Values{
		"uri":          {p.ID},
		"depth":        {strconv.Itoa(c.threadDepth)},
		"parentHeight": {"0"},
	}
	body, err := c.fetch(ctx, c.base, nsidGetPostThread, q, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching bluesky thread %q: %w", p.ID, err)
	}
	resp, err := parsePostThread(body)
	if err != nil {
		return nil, fmt.Errorf("fetching bluesky thread %q: %w", p.ID, err)
	}
	return threadComments(resp, cr, p)
}

// threadComments turns a decoded thread into the replies under p, depth
// first.
func threadComments(resp postThreadResponse, cr model.Creator, p model.Post) ([]model.Comment, error) {
	switch {
	case resp.Thread.Type == typeNotFoundPost:
		return nil, fmt.Errorf("fetching bluesky thread %q: %w", p.ID, collectors.ErrNotFound)
	case resp.Thread.Type == typeBlockedPost:
		return nil, fmt.Errorf("fetching bluesky thread %q: %w", p.ID, collectors.ErrForbidden)
	case resp.Thread.Post == nil:
		return nil, fmt.Errorf("fetching bluesky thread %q: %s: no post in thread: %w", p.ID, nsidGetPostThread, collectors.ErrMalformed)
	}
	creatorID := firstNonEmpty(cr.ID, p.CreatorID)
	var out []model.Comment
	var walk func(nodes []threadNode, parentURI string, depth int)
	walk = func(nodes []threadNode, parentURI string, depth int) {
		for _, n := range nodes {
			if n.Post == nil || (n.Type != "" && n.Type != typeThreadViewPost) {
				continue // #notFoundPost, #blockedPost or an unknown union member
			}
			v := n.Post
			parent := parentURI
			if v.Record.Reply != nil && v.Record.Reply.Parent.URI != "" {
				parent = v.Record.Reply.Parent.URI
			}
			out = append(out, model.Comment{
				Platform:     Platform,
				ID:           v.URI,
				PostID:       p.ID,
				ParentID:     parent,
				AuthorID:     v.Author.DID,
				AuthorHandle: v.Author.Handle,
				Text:         v.Record.Text,
				CreatedAt:    firstTime(parseTime(v.Record.CreatedAt), parseTime(v.IndexedAt)),
				Depth:        depth,
				ByCreator:    creatorID != "" && v.Author.DID == creatorID,
				Likes:        v.LikeCount,
			})
			walk(n.Replies, v.URI, depth+1)
		}
	}
	walk(resp.Thread.Replies, resp.Thread.Post.URI, 1)
	return out, nil
}

// Discover searches posts for query and returns the distinct authors' DIDs.
// searchPosts needs a session since 2025: without the identifier and
// app_password credentials it fails at once with collectors.ErrAuthRequired.
func (c *Client) Discover(ctx context.Context, query string, cursor string) (collectors.DiscoverPage, error) {
	if c.identifier == "" || c.password == "" {
		return collectors.DiscoverPage{}, fmt.Errorf("searching bluesky posts for %q: set the identifier and app_password credentials: %w", query, collectors.ErrAuthRequired)
	}
	q := url.Values{"q": {query}, "limit": {strconv.Itoa(c.pageSize)}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var resp searchPostsResponse
	if err := c.authedGet(ctx, nsidSearchPosts, q, &resp); err != nil {
		return collectors.DiscoverPage{}, fmt.Errorf("searching bluesky posts for %q: %w", query, err)
	}
	page := collectors.DiscoverPage{Next: resp.Cursor}
	if page.Next == cursor || len(resp.Posts) == 0 {
		page.Next = ""
	}
	seen := map[string]bool{}
	for _, p := range resp.Posts {
		if did := p.Author.DID; did != "" && !seen[did] {
			seen[did] = true
			page.Candidates = append(page.Candidates, did)
		}
	}
	return page, nil
}

// maxFollowPages bounds how many getFollows pages Related reads.
const maxFollowPages = 20

// Related returns up to limit DIDs of accounts the creator follows, in the
// order the AppView lists them (most recent follows first).
func (c *Client) Related(ctx context.Context, cr model.Creator, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	actor := firstNonEmpty(cr.ID, normalizeActor(cr.Handle))
	if actor == "" {
		return nil, fmt.Errorf("fetching bluesky follows: %w", errEmptyActor)
	}
	var out []string
	seen := map[string]bool{cr.ID: true, "": true}
	cursor := ""
	for range maxFollowPages {
		q := url.Values{"actor": {actor}, "limit": {strconv.Itoa(min(100, max(limit-len(out), 1)))}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var resp followsResponse
		if err := c.get(ctx, c.base, nsidGetFollows, q, nil, &resp); err != nil {
			return out, fmt.Errorf("fetching bluesky follows of %q: %w", actor, err)
		}
		for _, f := range resp.Follows {
			if !seen[f.DID] {
				seen[f.DID] = true
				out = append(out, f.DID)
				if len(out) >= limit {
					return out, nil
				}
			}
		}
		if resp.Cursor == "" || resp.Cursor == cursor || len(resp.Follows) == 0 {
			break
		}
		cursor = resp.Cursor
	}
	return out, nil
}

// normalizeActor trims "@", spaces and a bsky.app profile link down to the
// handle or DID.
func normalizeActor(s string) string {
	s = strings.TrimSpace(s)
	for _, prefix := range []string{"https://bsky.app/profile/", "http://bsky.app/profile/", "bsky.app/profile/"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			s, _, _ = strings.Cut(rest, "/")
			break
		}
	}
	return strings.TrimPrefix(s, "@")
}

// profileURL is the bsky.app link to a profile; the DID stands in for an
// invalid handle.
func profileURL(handle, did string) string {
	if handle == "" || handle == "handle.invalid" {
		handle = did
	}
	if handle == "" {
		return ""
	}
	return "https://bsky.app/profile/" + handle
}

// postURL is the bsky.app link to a post: /profile/<handle>/post/<rkey>.
func postURL(handle, did, atURI string) string {
	prof := profileURL(handle, did)
	i := strings.LastIndexByte(atURI, '/')
	if prof == "" || i < 0 || i == len(atURI)-1 {
		return ""
	}
	return prof + "/post/" + atURI[i+1:]
}

var (
	// hashtagRe finds #tags in text: at the start or after a space, with at
	// least one character that is not a digit (as the Bluesky apps detect them).
	hashtagRe = regexp.MustCompile(`(?:^|\s)[#＃]([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*)`)
	linkRe    = regexp.MustCompile(`https?://[^\s<>"']+`)
)

// hashtags merges the tag facets, the record's extra tags and the #words of
// the text, lower-cased and without duplicates, in that order.
func hashtags(r postRecord) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		t = strings.ToLower(strings.TrimLeft(strings.TrimSpace(t), "#＃"))
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, f := range r.Facets {
		for _, feat := range f.Features {
			if feat.Type == typeFacetTag {
				add(feat.Tag)
			}
		}
	}
	for _, t := range r.Tags {
		add(t)
	}
	for _, m := range hashtagRe.FindAllStringSubmatch(r.Text, -1) {
		add(m[1])
	}
	return out
}

// findLinks returns the http(s) URLs in a bio, without trailing punctuation.
func findLinks(s string) []string {
	var out []string
	for _, l := range linkRe.FindAllString(s, -1) {
		l = strings.TrimRight(l, ".,;:!?)]}…")
		if len(l) > len("https://") && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// parseTime reads the datetime strings of the lexicons; zero when unusable.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
