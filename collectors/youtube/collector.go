package youtube

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// channelURL and videoURL are the public web addresses.
func channelURL(id string) string { return "https://www.youtube.com/channel/" + id }
func videoURL(id string) string   { return "https://www.youtube.com/watch?v=" + id }

// Profile fetches a channel. A channel id ("UC" + 22 characters) is looked up
// with channels.list?id=, anything else as a handle with forHandle=@handle
// (a leading '@' is optional). An unknown channel is collectors.ErrNotFound.
//
// Followers is the subscriber count (YouTube rounds it to three significant
// figures); a channel that hides it fails with ErrSubscribersHidden (wrapping
// collectors.ErrPrivate), and the creator is returned as well, with
// Followers 0, for callers that want the rest. In RSS mode (rss_only) the
// profile comes from the channel's feed: see the package doc.
func (c *Collector) Profile(ctx context.Context, handleOrID string) (model.Creator, error) {
	s := strings.TrimSpace(handleOrID)
	if s == "" || s == "@" {
		return model.Creator{}, errors.New("youtube profile: empty handle or channel id")
	}
	if c.rssOnly {
		return c.profileRSS(ctx, s)
	}
	q := url.Values{"part": {"snippet,statistics,contentDetails"}}
	if isChannelID(s) {
		q.Set("id", s)
	} else {
		q.Set("forHandle", "@"+strings.TrimPrefix(s, "@"))
	}
	var resp channelListResponse
	if err := c.get(ctx, resChannels, q, &resp); err != nil {
		return model.Creator{}, err
	}
	if len(resp.Items) == 0 {
		return model.Creator{}, fmt.Errorf("youtube channels.list: channel %q: %w", s, collectors.ErrNotFound)
	}
	return c.creator(resp.Items[0], s)
}

func (c *Collector) creator(ch channelResource, asked string) (model.Creator, error) {
	const what = "channels.list"
	if ch.ID == "" {
		return model.Creator{}, fmt.Errorf("youtube %s: channel %q: id is missing: %w", what, asked, collectors.ErrMalformed)
	}
	owner := "channel " + ch.ID
	if ch.Snippet == nil {
		return model.Creator{}, drift(what, owner, "snippet", "", "")
	}
	if ch.Statistics == nil {
		return model.Creator{}, drift(what, owner, "statistics", "", "")
	}
	subs, err := statCount(ch.Statistics, "subscriberCount", what, owner)
	if err != nil {
		return model.Creator{}, err
	}
	videos, err := statCount(ch.Statistics, "videoCount", what, owner)
	if err != nil {
		return model.Creator{}, err
	}
	if videos == nil {
		return model.Creator{}, drift(what, owner, "statistics.videoCount", "", "")
	}
	sn := ch.Snippet
	cr := model.Creator{
		Platform:    Platform,
		ID:          ch.ID,
		Handle:      strings.TrimPrefix(strings.TrimSpace(sn.CustomURL), "@"),
		DisplayName: sn.Title,
		Bio:         sn.Description,
		URL:         channelURL(ch.ID),
		PostsCount:  *videos,
		Links:       links(sn.Description),
		Language:    sn.DefaultLanguage,
		CreatedAt:   sn.PublishedAt,
		FetchedAt:   c.now().UTC(),
	}
	for _, size := range []string{"high", "medium", "default"} {
		if t, ok := sn.Thumbnails[size]; ok && t.URL != "" {
			cr.AvatarURL = t.URL
			break
		}
	}
	if cr.Handle == "" {
		cr.Handle = ch.ID
	}
	uploads := ""
	if ch.ContentDetails != nil {
		uploads = ch.ContentDetails.RelatedPlaylists.Uploads
	}
	if uploads == "" {
		uploads = uploadsPlaylist(ch.ID)
	}
	c.mu.Lock()
	if len(c.uploads) >= uploadsCacheSize {
		clear(c.uploads) // ids are derivable; the map only saves a guess
	}
	c.uploads[ch.ID] = uploads
	c.mu.Unlock()

	if subs == nil {
		if statBool(ch.Statistics, "hiddenSubscriberCount") {
			cr.Unknown = []string{model.CountFollowers}
			return cr, fmt.Errorf("youtube %s: %s: %w: %w", what, owner, ErrSubscribersHidden, collectors.ErrPrivate)
		}
		return model.Creator{}, drift(what, owner, "statistics.subscriberCount", "", "") // and hiddenSubscriberCount is not true
	}
	cr.Followers = *subs
	return cr, nil
}

// Posts returns one page (up to 50) of the channel's uploads, newest first:
// playlistItems.list on the uploads playlist (cursor = pageToken), then one
// videos.list for the page's video ids. Videos that videos.list does not
// return (private, deleted) are left out. Likes and Comments are nil when the
// channel hides likes or turned comments off; Views are the view count.
// In RSS mode the one page is the feed's latest 15 videos.
func (c *Collector) Posts(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error) {
	if cr.ID == "" {
		return collectors.PostPage{}, fmt.Errorf("youtube posts of %q: creator has no channel id", cr.Handle)
	}
	if c.rssOnly {
		return c.postsRSS(ctx, cr, cursor)
	}
	c.mu.Lock()
	playlist := c.uploads[cr.ID]
	c.mu.Unlock()
	if playlist == "" {
		playlist = uploadsPlaylist(cr.ID)
	}
	if playlist == "" {
		return collectors.PostPage{}, fmt.Errorf("youtube posts of %s: not a channel id (want UC…)", cr.ID)
	}
	q := url.Values{
		"part":       {"snippet,contentDetails"},
		"playlistId": {playlist},
		"maxResults": {strconv.Itoa(playlistPageSize)},
	}
	if cursor != "" {
		q.Set("pageToken", cursor)
	}
	var pl playlistItemListResponse
	if err := c.get(ctx, resPlaylistItems, q, &pl); err != nil {
		if errors.Is(err, collectors.ErrNotFound) && cursor == "" {
			// A channel that never uploaded has no uploads playlist.
			c.log.Debug("youtube uploads playlist not found; no posts", "channel", cr.ID, "playlist", playlist)
			return collectors.PostPage{}, nil
		}
		return collectors.PostPage{}, fmt.Errorf("uploads of %s: %w", cr.ID, err)
	}
	page := collectors.PostPage{Next: pl.NextPageToken}
	if page.Next == cursor {
		page.Next = "" // a server repeating itself must not loop the caller
	}
	var ids []string
	for i, it := range pl.Items {
		id := it.ContentDetails.VideoID
		if id == "" {
			id = it.Snippet.ResourceID.VideoID
		}
		if id == "" {
			return collectors.PostPage{}, fmt.Errorf("youtube playlistItems.list: playlist %s item %d: contentDetails.videoId and snippet.resourceId.videoId are missing: %w",
				playlist, i, collectors.ErrMalformed)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return page, nil
	}
	posts, err := c.videos(ctx, cr.ID, ids)
	if err != nil {
		return collectors.PostPage{}, err
	}
	page.Posts = posts
	return page, nil
}

// videos reads up to 50 videos with one videos.list call and returns them in
// the order of ids.
func (c *Collector) videos(ctx context.Context, channelID string, ids []string) ([]model.Post, error) {
	if len(ids) > videosPerCall {
		ids = ids[:videosPerCall]
	}
	q := url.Values{
		"part": {"snippet,statistics,contentDetails"},
		"id":   {strings.Join(ids, ",")},
	}
	var vl videoListResponse
	if err := c.get(ctx, resVideos, q, &vl); err != nil {
		return nil, err
	}
	return c.videoPosts(vl, channelID, ids)
}

// videoPosts converts a videos.list answer into posts in the order of ids.
func (c *Collector) videoPosts(vl videoListResponse, channelID string, ids []string) ([]model.Post, error) {
	const what = "videos.list"
	byID := make(map[string]model.Post, len(vl.Items))
	now := c.now().UTC()
	for _, v := range vl.Items {
		if v.ID == "" {
			return nil, fmt.Errorf("youtube %s: an item has no id: %w", what, collectors.ErrMalformed)
		}
		owner := "video " + v.ID
		if v.Snippet == nil {
			return nil, drift(what, owner, "snippet", "", "")
		}
		if v.Statistics == nil {
			return nil, drift(what, owner, "statistics", "", "")
		}
		if v.Snippet.PublishedAt.IsZero() {
			// Every video has one; without it the post would sort as the
			// oldest and change which posts ER is measured on.
			return nil, drift(what, owner, "snippet.publishedAt", "", "")
		}
		p := model.Post{
			Platform:  Platform,
			ID:        v.ID,
			CreatorID: v.Snippet.ChannelID,
			CreatedAt: v.Snippet.PublishedAt,
			Kind:      "video",
			Text:      joinText(v.Snippet.Title, v.Snippet.Description),
			Hashtags:  hashtags(v.Snippet.Tags, v.Snippet.Title+"\n"+v.Snippet.Description),
			URL:       videoURL(v.ID),
			FetchedAt: now,
		}
		if p.CreatorID == "" {
			p.CreatorID = channelID
		}
		var err error
		if p.Views, err = statCount(v.Statistics, "viewCount", what, owner); err != nil {
			return nil, err
		}
		if p.Likes, err = statCount(v.Statistics, "likeCount", what, owner); err != nil {
			return nil, err
		}
		if p.Comments, err = statCount(v.Statistics, "commentCount", what, owner); err != nil {
			return nil, err
		}
		byID[v.ID] = p
	}
	out := make([]model.Post, 0, len(ids))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// Thread returns the comments under a video: up to thread_pages pages of
// commentThreads.list (newest first) give the top-level comments (depth 1,
// parent = the video) and up to 5 replies each (depth 2, parent = the
// thread); for threads with more replies than embedded, comments.list pages
// are read, up to reply_pages in all. ByCreator marks comments whose
// authorChannelId is the creator's channel. A video with comments turned off
// (403 commentsDisabled) has no comments and is not an error. In RSS mode
// there are no comments.
func (c *Collector) Thread(ctx context.Context, cr model.Creator, p model.Post) ([]model.Comment, error) {
	if p.ID == "" {
		return nil, errors.New("youtube thread: post has no video id")
	}
	if c.rssOnly {
		return nil, nil
	}
	var (
		out     []model.Comment
		pending []commentThread // threads whose replies were cut short
		token   string
	)
	for page := 0; page < c.threadPages; page++ {
		q := url.Values{
			"part":       {"snippet,replies"},
			"videoId":    {p.ID},
			"maxResults": {strconv.Itoa(commentPageSize)},
			"order":      {"time"},
		}
		if token != "" {
			q.Set("pageToken", token)
		}
		var tl commentThreadListResponse
		if err := c.get(ctx, resCommentThreads, q, &tl); err != nil {
			if errors.Is(err, errCommentsDisabled) {
				c.log.Debug("youtube comments disabled", "video", p.ID)
				return out, nil
			}
			return nil, fmt.Errorf("comments of video %s: %w", p.ID, err)
		}
		for _, th := range tl.Items {
			cs, err := c.threadComments(cr, p, th)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
			embedded := 0
			if th.Replies != nil {
				embedded = len(th.Replies.Comments)
			}
			if th.Snippet.TotalReplyCount > int64(embedded) {
				pending = append(pending, th)
			}
		}
		if tl.NextPageToken == "" || tl.NextPageToken == token {
			break
		}
		token = tl.NextPageToken
	}

	budget := c.replyPages
	for _, th := range pending {
		if budget <= 0 {
			break
		}
		replies, used, err := c.replies(ctx, cr, p, th.ID, budget)
		budget -= used
		if err != nil {
			return nil, fmt.Errorf("replies to comment %s on video %s: %w", th.ID, p.ID, err)
		}
		out = mergeReplies(out, replies)
	}
	for _, cm := range out {
		if cm.CreatedAt.IsZero() {
			// Every comment is dated; read as year 1 it would turn the
			// creator's reply times into nonsense.
			return nil, drift("commentThreads.list", "comment "+cm.ID, "snippet.publishedAt", "", "")
		}
	}
	return out, nil
}

// threadComments converts one commentThread: its top-level comment and the
// replies it embeds.
func (c *Collector) threadComments(cr model.Creator, p model.Post, th commentThread) ([]model.Comment, error) {
	top := th.Snippet.TopLevelComment
	if top.ID == "" {
		top.ID = th.ID
	}
	if top.ID == "" {
		return nil, fmt.Errorf("youtube commentThreads.list: video %s: a thread has no id: %w", p.ID, collectors.ErrMalformed)
	}
	threadID := th.ID
	if threadID == "" {
		threadID = top.ID
	}
	out := []model.Comment{comment(cr, p, top, p.ID, 1)}
	if th.Replies != nil {
		for _, r := range th.Replies.Comments {
			if r.ID == "" {
				return nil, fmt.Errorf("youtube commentThreads.list: thread %s: a reply has no id: %w", threadID, collectors.ErrMalformed)
			}
			out = append(out, comment(cr, p, r, threadID, 2))
		}
	}
	return out, nil
}

// replies reads comments.list?parentId= pages for one thread, at most
// budget pages; it returns the replies and the pages used.
func (c *Collector) replies(ctx context.Context, cr model.Creator, p model.Post, threadID string, budget int) ([]model.Comment, int, error) {
	var out []model.Comment
	token, used := "", 0
	for used < budget {
		q := url.Values{
			"part":       {"snippet"},
			"parentId":   {threadID},
			"maxResults": {strconv.Itoa(commentPageSize)},
		}
		if token != "" {
			q.Set("pageToken", token)
		}
		var cl commentListResponse
		used++
		if err := c.get(ctx, resComments, q, &cl); err != nil {
			return nil, used, err
		}
		for _, r := range cl.Items {
			if r.ID == "" {
				return nil, used, fmt.Errorf("youtube comments.list: thread %s: a reply has no id: %w", threadID, collectors.ErrMalformed)
			}
			parent := r.Snippet.ParentID
			if parent == "" {
				parent = threadID
			}
			out = append(out, comment(cr, p, r, parent, 2))
		}
		if cl.NextPageToken == "" || cl.NextPageToken == token {
			break
		}
		token = cl.NextPageToken
	}
	return out, used, nil
}

// mergeReplies adds replies not already in out (the embedded ones are
// repeated by comments.list).
func mergeReplies(out, replies []model.Comment) []model.Comment {
	seen := make(map[string]bool, len(out))
	for _, cm := range out {
		seen[cm.ID] = true
	}
	for _, r := range replies {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

func comment(cr model.Creator, p model.Post, r commentResource, parent string, depth int) model.Comment {
	sn := r.Snippet
	text := sn.TextOriginal
	if text == "" {
		text = htmlText(sn.TextDisplay)
	}
	cm := model.Comment{
		Platform:     Platform,
		ID:           r.ID,
		PostID:       p.ID,
		ParentID:     parent,
		AuthorHandle: strings.TrimPrefix(sn.AuthorDisplayName, "@"),
		Text:         text,
		CreatedAt:    sn.PublishedAt,
		Depth:        depth,
		Likes:        sn.LikeCount,
	}
	if sn.AuthorChannelID != nil {
		cm.AuthorID = sn.AuthorChannelID.Value
	}
	cm.ByCreator = cr.ID != "" && cm.AuthorID == cr.ID
	return cm
}

// Discover finds channels with search.list?type=channel&q=query (50 per page,
// cursor = pageToken) and returns their channel ids. Each call costs
// search_cost quota units. It needs a key (collectors.ErrAuthRequired
// without one, and in RSS mode).
func (c *Collector) Discover(ctx context.Context, query string, cursor string) (collectors.DiscoverPage, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return collectors.DiscoverPage{}, errors.New("youtube discover: empty query")
	}
	if c.rssOnly {
		return collectors.DiscoverPage{}, fmt.Errorf("youtube search.list: rss_only is set and the feeds have no search: %w", collectors.ErrAuthRequired)
	}
	v := url.Values{
		"part":       {"snippet"},
		"q":          {q},
		"type":       {"channel"},
		"maxResults": {strconv.Itoa(playlistPageSize)},
	}
	if cursor != "" {
		v.Set("pageToken", cursor)
	}
	var sl searchListResponse
	if err := c.get(ctx, resSearch, v, &sl); err != nil {
		return collectors.DiscoverPage{}, fmt.Errorf("query %q: %w", q, err)
	}
	page := collectors.DiscoverPage{Next: sl.NextPageToken}
	if page.Next == cursor {
		page.Next = ""
	}
	for _, it := range sl.Items {
		id := it.ID.ChannelID
		if id == "" {
			id = it.Snippet.ChannelID // a video or playlist result: its channel
		}
		if id != "" && !slices.Contains(page.Candidates, id) {
			page.Candidates = append(page.Candidates, id)
		}
	}
	return page, nil
}

func joinText(title, description string) string {
	if description == "" {
		return title
	}
	return title + "\n" + description
}
