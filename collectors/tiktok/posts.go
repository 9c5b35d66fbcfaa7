package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// item is the part of TikTok's itemStruct the collector reads; the same
// shape comes from /api/post/item_list/, userInfo.itemList and the legacy
// SIGI_STATE ItemModule.
type item struct {
	ID         flexString                 `json:"id"`
	Desc       string                     `json:"desc"`
	CreateTime flexInt                    `json:"createTime"`
	CreateAlt  flexInt                    `json:"create_time"` // only to name a rename in errors
	Author     json.RawMessage            `json:"author"`      // an object, or the uniqueId string in ItemModule
	AuthorID   flexString                 `json:"authorId"`    // ItemModule only
	Stats      map[string]json.RawMessage `json:"stats"`
	StatsV2    map[string]json.RawMessage `json:"statsV2"`
	TextExtra  []struct {
		HashtagName string `json:"hashtagName"`
	} `json:"textExtra"`
	Challenges []struct {
		Title string `json:"title"`
	} `json:"challenges"`
	ImagePost json.RawMessage `json:"imagePost"` // photo mode
}

// itemListResponse is the answer of /api/post/item_list/.
type itemListResponse struct {
	StatusCode  flexInt           `json:"statusCode"`
	StatusCode2 flexInt           `json:"status_code"`
	StatusMsg   string            `json:"status_msg"`
	ItemList    []json.RawMessage `json:"itemList"`
	Cursor      flexString        `json:"cursor"`
	HasMore     flexInt           `json:"hasMore"`
	HasMoreAlt  flexInt           `json:"has_more"` // only to name a rename in errors
}

// Posts returns one page of the creator's videos, newest first:
// GET /api/post/item_list/?secUid=<secUid>&cursor=<cursor>&count=30, where
// the first cursor is 0 and the next one is the answer's cursor while
// hasMore is true. When the profile page read by Profile embedded videos (the
// legacy SIGI_STATE ItemModule, or userInfo.itemList), they are the first
// page and item_list is asked only for the pages after it.
//
// The secUid comes from the Profile call that found the creator; when it is
// not known (another process, or a restart) the profile page is read again
// through c.Handle. Every counter must be present, in stats (numbers) or in
// statsV2 (strings); a missing one is an error naming it, wrapping
// collectors.ErrMalformed. collectCount is optional (Saves is nil without it).
func (c *Collector) Posts(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error) {
	if cr.ID == "" && cr.Handle == "" {
		return collectors.PostPage{}, fmt.Errorf("tiktok posts: the creator has neither an id nor a handle")
	}
	if cursor == "" {
		if fp, ok := c.takeFirstPage(cr.ID); ok {
			return c.embeddedPage(fp, cr)
		}
	}
	secUID, handle, err := c.secUIDFor(ctx, cr)
	if err != nil {
		return collectors.PostPage{}, err
	}
	if cursor == "" { // the profile page just read may have embedded videos
		if fp, ok := c.takeFirstPage(cr.ID); ok {
			return c.embeddedPage(fp, cr)
		}
	}
	cur := cursor
	if cur == "" {
		cur = "0"
	}
	var r itemListResponse
	if err := c.getJSON(ctx, endpointItemList, query("secUid", secUID, "cursor", cur, "count", fmt.Sprint(videoPageSize)), &r); err != nil {
		return collectors.PostPage{}, err
	}
	return c.itemPage(r, cr, handle, cur)
}

// itemPage checks a decoded item_list answer and turns it into a page of
// the creator's videos; cur is the cursor it was asked with.
func (c *Collector) itemPage(r itemListResponse, cr model.Creator, handle, cur string) (collectors.PostPage, error) {
	what := "GET " + endpointItemList
	if !r.StatusCode.set && !r.StatusCode2.set {
		return collectors.PostPage{}, &collectors.DriftError{Where: what, Field: "statusCode"}
	}
	if code := cmpOr(r.StatusCode.n, r.StatusCode2.n); code != 0 {
		return collectors.PostPage{}, &StatusError{Where: what, Code: int(code), Msg: r.StatusMsg}
	}
	if !r.HasMore.set {
		return collectors.PostPage{}, missingField(what+": answer", "hasMore", "has_more", r.HasMoreAlt.set)
	}
	posts, err := c.parseItems(what+": itemList", r.ItemList, cr, handle)
	if err != nil {
		return collectors.PostPage{}, err
	}
	page := collectors.PostPage{Posts: posts}
	// An empty page, a cursor that does not move or a zero cursor ends the
	// listing, so a server that repeats itself cannot loop the caller.
	if r.HasMore.n != 0 && len(r.ItemList) > 0 && r.Cursor != "" && r.Cursor != "0" && string(r.Cursor) != cur {
		page.Next = string(r.Cursor)
	}
	return page, nil
}

func cmpOr(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

func (c *Collector) embeddedPage(fp firstPage, cr model.Creator) (collectors.PostPage, error) {
	posts, err := c.parseItems(fp.where, fp.items, cr, fp.handle)
	if err != nil {
		return collectors.PostPage{}, err
	}
	return collectors.PostPage{Posts: posts, Next: fp.next}, nil
}

// takeFirstPage returns (and forgets) the videos a recent profile page of
// user id embedded.
func (c *Collector) takeFirstPage(id string) (firstPage, bool) {
	if id == "" {
		return firstPage{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fp, ok := c.firstPages[id]
	delete(c.firstPages, id)
	if !ok || c.now().Sub(fp.at) > firstPageTTL {
		return firstPage{}, false
	}
	return fp, true
}

// secUIDFor returns the creator's secUid and handle, reading the profile
// page when the secUid is not known.
func (c *Collector) secUIDFor(ctx context.Context, cr model.Creator) (secUID, handle string, err error) {
	c.mu.Lock()
	s := c.secUIDs[cr.ID]
	c.mu.Unlock()
	if s != "" && cr.ID != "" {
		return s, cr.Handle, nil
	}
	if cr.Handle == "" {
		return "", "", fmt.Errorf("tiktok posts of user %s: its secUid is not known and the creator has no handle to read the profile page with", cr.ID)
	}
	h, err := parseHandle(cr.Handle)
	if err != nil {
		return "", "", err
	}
	pr, err := c.readProfile(ctx, h)
	if err != nil {
		return "", "", fmt.Errorf("tiktok posts of @%s: reading the profile page for its secUid: %w", h, err)
	}
	if cr.ID != "" && pr.creator.ID != cr.ID {
		return "", "", fmt.Errorf("tiktok posts: @%s now belongs to user %s, not %s (the handle changed hands): %w",
			h, pr.creator.ID, cr.ID, collectors.ErrNotFound)
	}
	c.remember(pr)
	return pr.secUID, pr.creator.Handle, nil
}

// parseItems turns itemStructs into posts. where names the list in errors
// ("GET /api/post/item_list/: itemList").
func (c *Collector) parseItems(where string, raws []json.RawMessage, cr model.Creator, handle string) ([]model.Post, error) {
	now := c.now().UTC()
	posts := make([]model.Post, 0, len(raws))
	for i, raw := range raws {
		at := fmt.Sprintf("%s[%d]", where, i)
		var it item
		if err := json.Unmarshal(raw, &it); err != nil {
			return nil, fmt.Errorf("%s: %w: %v", at, collectors.ErrMalformed, err)
		}
		if it.ID == "" {
			return nil, driftAt(at, "id", "", "")
		}
		at = fmt.Sprintf("%s (video %s)", at, it.ID)
		if !it.CreateTime.set || it.CreateTime.n <= 0 {
			return nil, missingField(at+": item", "createTime", "create_time", it.CreateAlt.set)
		}
		if it.Stats == nil && it.StatsV2 == nil {
			return nil, &collectors.DriftError{Where: at, Field: "stats"}
		}
		st := counters{where: at + ": stats", stats: it.Stats, statsV2: it.StatsV2}
		var likes, comments, shares, views int64
		for _, f := range []struct {
			key string
			dst *int64
		}{{"diggCount", &likes}, {"commentCount", &comments}, {"shareCount", &shares}, {"playCount", &views}} {
			n, err := st.required(f.key)
			if err != nil {
				return nil, err
			}
			*f.dst = n
		}
		saves, err := st.optional("collectCount")
		if err != nil {
			return nil, err
		}
		name, authorID := authorOf(it.Author)
		if it.AuthorID != "" {
			authorID = string(it.AuthorID)
		}
		kind := "video"
		if !isEmptyJSON(it.ImagePost) {
			kind = "image"
		}
		p := model.Post{
			Platform:  Platform,
			ID:        string(it.ID),
			CreatorID: firstNonEmpty(authorID, cr.ID),
			CreatedAt: time.Unix(it.CreateTime.n, 0).UTC(),
			Kind:      kind,
			Text:      it.Desc,
			Hashtags:  hashtags(it),
			URL:       WebURL + "/@" + firstNonEmpty(name, handle, cr.Handle, "_") + "/video/" + string(it.ID),
			Likes:     model.N(likes),
			Comments:  model.N(comments),
			Shares:    model.N(shares),
			Saves:     saves,
			Views:     model.N(views),
			FetchedAt: now,
		}
		posts = append(posts, p)
	}
	return posts, nil
}

// authorOf reads an item's author: an object with id and uniqueId, or (in
// ItemModule) the uniqueId as a string.
func authorOf(raw json.RawMessage) (uniqueID, id string) {
	s := strings.TrimSpace(string(raw))
	switch {
	case strings.HasPrefix(s, `"`):
		_ = json.Unmarshal(raw, &uniqueID)
	case strings.HasPrefix(s, "{"):
		var a struct {
			ID       flexString `json:"id"`
			UniqueID string     `json:"uniqueId"`
		}
		if json.Unmarshal(raw, &a) == nil {
			uniqueID, id = a.UniqueID, string(a.ID)
		}
	}
	return uniqueID, id
}

var hashtagRE = regexp.MustCompile(`#([\p{L}\p{M}\p{N}_]+)`)

// hashtags collects an item's hashtags, lower-case and without '#', from
// textExtra, challenges and the caption, in that order, without repeats.
func hashtags(it item) []string {
	var out []string
	add := func(t string) {
		t = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "#"))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, t := range it.TextExtra {
		add(t.HashtagName)
	}
	for _, ch := range it.Challenges {
		add(ch.Title)
	}
	for _, m := range hashtagRE.FindAllStringSubmatch(it.Desc, -1) {
		add(m[1])
	}
	return out
}
