package youtube

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/model"
)

// Profile keeps the feed it read for the Posts call that follows it: at most
// feedCacheSize feeds, each for feedCacheTTL.
const (
	feedCacheSize = 64
	feedCacheTTL  = 5 * time.Minute
)

type cachedFeed struct {
	f  *feed
	at time.Time
}

// feed is the part of /feeds/videos.xml the collector reads. The feed-level
// yt:channelId lacks the leading "UC", so the requested id is used instead.
type feed struct {
	XMLName   xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title     string   `xml:"http://www.w3.org/2005/Atom title"`
	Published string   `xml:"http://www.w3.org/2005/Atom published"`
	Author    struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Entries []feedEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type feedEntry struct {
	ID        string `xml:"http://www.w3.org/2005/Atom id"`
	VideoID   string `xml:"http://www.youtube.com/xml/schemas/2015 videoId"`
	ChannelID string `xml:"http://www.youtube.com/xml/schemas/2015 channelId"`
	Title     string `xml:"http://www.w3.org/2005/Atom title"`
	Published string `xml:"http://www.w3.org/2005/Atom published"`
	Group     struct {
		Description string `xml:"http://search.yahoo.com/mrss/ description"`
		Community   struct {
			StarRating *struct {
				Count string `xml:"count,attr"`
			} `xml:"http://search.yahoo.com/mrss/ starRating"`
			Statistics *struct {
				Views string `xml:"views,attr"`
			} `xml:"http://search.yahoo.com/mrss/ statistics"`
		} `xml:"http://search.yahoo.com/mrss/ community"`
	} `xml:"http://search.yahoo.com/mrss/ group"`
}

// feedURL is rss_base_url/feeds/videos.xml?channel_id=<id>.
func (c *Collector) feedURL(channelID string) string {
	return c.rssBase + "/feeds/videos.xml?channel_id=" + url.QueryEscape(channelID)
}

// fetchFeed reads and parses a channel's feed. It costs no API quota.
func (c *Collector) fetchFeed(ctx context.Context, channelID string) (*feed, error) {
	const what = "feeds/videos.xml"
	h := http.Header{"Accept": {"application/atom+xml, application/xml;q=0.9, */*;q=0.1"}}
	resp, err := c.http.Get(ctx, c.feedURL(channelID), h)
	if err != nil {
		return nil, fmt.Errorf("youtube %s of channel %s: %w", what, channelID, err)
	}
	if httpx.IsHTML(resp.Body) {
		body := strings.ToLower(string(resp.Body[:min(len(resp.Body), 4096)]))
		if strings.Contains(body, "consent.youtube.com") || strings.Contains(body, "before you continue") {
			return nil, fmt.Errorf("youtube %s of channel %s: got a consent page instead of the feed: %w", what, channelID, collectors.ErrLoginWall)
		}
		return nil, fmt.Errorf("youtube %s of channel %s: got an HTML page instead of XML: %w", what, channelID, collectors.ErrMalformed)
	}
	return parseFeed(channelID, resp.Body)
}

// parseFeed decodes a feeds/videos.xml body.
func parseFeed(channelID string, body []byte) (*feed, error) {
	var f feed
	if err := xml.Unmarshal(body, &f); err != nil {
		return nil, fmt.Errorf("youtube feeds/videos.xml of channel %s: decoding XML: %w: %v", channelID, collectors.ErrMalformed, err)
	}
	return &f, nil
}

// profileRSS builds a creator from the channel's feed: id, title and channel
// creation date only. Followers and PostsCount stay 0: the feed does not show
// them (see the package doc). Handles cannot be resolved without the API.
func (c *Collector) profileRSS(ctx context.Context, s string) (model.Creator, error) {
	if !isChannelID(s) {
		return model.Creator{}, fmt.Errorf("youtube feeds/videos.xml: %q is not a channel id (UC…); resolving a handle needs the Data API (an API key, rss_only off): %w",
			s, collectors.ErrAuthRequired)
	}
	f, err := c.fetchFeed(ctx, s)
	if err != nil {
		return model.Creator{}, err
	}
	cr := model.Creator{
		Platform:    Platform,
		ID:          s,
		Handle:      s,
		DisplayName: strings.TrimSpace(f.Title),
		URL:         channelURL(s),
		FetchedAt:   c.now().UTC(),
	}
	if cr.DisplayName == "" {
		cr.DisplayName = strings.TrimSpace(f.Author.Name)
	}
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(f.Published)); err == nil {
		cr.CreatedAt = t
	}
	c.mu.Lock()
	if len(c.feeds) >= feedCacheSize {
		clear(c.feeds)
	}
	c.feeds[s] = cachedFeed{f: f, at: c.now()}
	c.mu.Unlock()
	return cr, nil
}

// postsRSS returns the feed's entries (at most 15, newest first) as posts:
// Views from media:statistics@views, Likes from media:starRating@count,
// Comments nil (the feed does not show them). The feed has one page only.
func (c *Collector) postsRSS(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error) {
	if cursor != "" {
		return collectors.PostPage{}, nil
	}
	c.mu.Lock()
	cached, ok := c.feeds[cr.ID]
	delete(c.feeds, cr.ID)
	c.mu.Unlock()
	f := cached.f
	if !ok || c.now().Sub(cached.at) > feedCacheTTL {
		var err error
		if f, err = c.fetchFeed(ctx, cr.ID); err != nil {
			return collectors.PostPage{}, err
		}
	}
	now := c.now().UTC()
	var page collectors.PostPage
	for i, e := range f.Entries {
		p, err := feedPost(cr.ID, i, e)
		if err != nil {
			return collectors.PostPage{}, err
		}
		p.FetchedAt = now
		page.Posts = append(page.Posts, p)
	}
	return page, nil
}

func feedPost(channelID string, i int, e feedEntry) (model.Post, error) {
	const what = "feeds/videos.xml"
	id := strings.TrimSpace(e.VideoID)
	if id == "" {
		id = strings.TrimPrefix(strings.TrimSpace(e.ID), "yt:video:")
	}
	if id == "" {
		return model.Post{}, fmt.Errorf("youtube %s of channel %s: entry %d: yt:videoId is missing: %w", what, channelID, i, collectors.ErrMalformed)
	}
	published, err := time.Parse(time.RFC3339, strings.TrimSpace(e.Published))
	if err != nil {
		return model.Post{}, fmt.Errorf("youtube %s of channel %s: entry %s: published %q: %w", what, channelID, id, e.Published, collectors.ErrMalformed)
	}
	p := model.Post{
		Platform:  Platform,
		ID:        id,
		CreatorID: strings.TrimSpace(e.ChannelID),
		CreatedAt: published,
		Kind:      "video",
		Text:      joinText(e.Title, e.Group.Description),
		Hashtags:  hashtags(nil, e.Title+"\n"+e.Group.Description),
		URL:       videoURL(id),
	}
	if p.CreatorID == "" {
		p.CreatorID = channelID
	}
	if st := e.Group.Community.Statistics; st != nil {
		if p.Views, err = attrCount(st.Views, "media:statistics@views", channelID, id); err != nil {
			return model.Post{}, err
		}
	}
	if sr := e.Group.Community.StarRating; sr != nil {
		if p.Likes, err = attrCount(sr.Count, "media:starRating@count", channelID, id); err != nil {
			return model.Post{}, err
		}
	}
	return p, nil
}

// attrCount parses a count attribute; an empty one is nil (not shown).
func attrCount(v, name, channelID, videoID string) (*int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("youtube feeds/videos.xml of channel %s: entry %s: %s = %q is not a count: %w", channelID, videoID, name, v, collectors.ErrMalformed)
	}
	return &n, nil
}
