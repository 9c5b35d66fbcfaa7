package youtube

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func TestRegisteredAndNewDoesNoIO(t *testing.T) {
	if !slices.Contains(collectors.Names(), Platform) {
		t.Fatalf("registry names %v lack %q", collectors.Names(), Platform)
	}
	c, err := collectors.New(Platform, collectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	yc := c.(*Collector)
	if yc.base != DefaultBaseURL || yc.rssBase != DefaultRSSBaseURL || yc.rssOnly || yc.key != "" {
		t.Errorf("defaults = %q %q rssOnly=%v", yc.base, yc.rssBase, yc.rssOnly)
	}
	if used, limit := yc.Quota(); used != 0 || limit != DefaultDailyQuota {
		t.Errorf("Quota() = %d, %d; want 0, %d", used, limit, DefaultDailyQuota)
	}
	if yc.searchCost != 100 || yc.threadPages != 3 || yc.replyPages != 10 {
		t.Errorf("option defaults = %d %d %d", yc.searchCost, yc.threadPages, yc.replyPages)
	}
	if c.Platform() != "youtube" {
		t.Errorf("Platform() = %q", c.Platform())
	}
	if s := c.(collectors.StatsReporter).Stats(); s.Requests != 0 {
		t.Errorf("New made %d requests", s.Requests)
	}
}

func TestNewOptions(t *testing.T) {
	bad := map[string]collectors.PlatformConfig{
		"relative base":     {BaseURL: "www.googleapis.com"},
		"ftp rss":           {Options: map[string]string{"rss_base_url": "ftp://www.youtube.com"}},
		"unknown option":    {Options: map[string]string{"daily_qouta": "5"}},
		"zero quota":        {Options: map[string]string{"daily_quota": "0"}},
		"quota not int":     {Options: map[string]string{"daily_quota": "10k"}},
		"rss_only not bool": {Options: map[string]string{"rss_only": "maybe"}},
		"thread_pages 0":    {Options: map[string]string{"thread_pages": "0"}},
		"reply_pages -1":    {Options: map[string]string{"reply_pages": "-1"}},
		"search_cost 0":     {Options: map[string]string{"search_cost": "0"}},
		"unknown cred":      {Credentials: map[string]string{"token": "YT"}},
	}
	for name, cfg := range bad {
		if _, err := New(collectors.Env{Config: cfg}); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
	c, err := newCollector(collectors.Env{Config: collectors.PlatformConfig{
		BaseURL: "http://127.0.0.1:9/sim/",
		Options: map[string]string{"daily_quota": "500", "search_cost": "1", "rss_only": "true",
			"thread_pages": "1", "reply_pages": "0", "rss_base_url": "http://127.0.0.1:9/rss/"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, limit := c.Quota(); limit != 500 || c.searchCost != 1 || !c.RSSOnly() || c.threadPages != 1 || c.replyPages != 0 {
		t.Errorf("options not applied: %+v", c)
	}
	if c.base != "http://127.0.0.1:9/sim" || c.rssBase != "http://127.0.0.1:9/rss" {
		t.Errorf("base = %q, rss = %q", c.base, c.rssBase)
	}
}

func TestIsChannelID(t *testing.T) {
	for s, want := range map[string]bool{
		gdChannel:                   true,
		dfChannel:                   true,
		"@googledevelopers":         false,
		"googledevelopers":          false,
		"UCshort":                   false,
		"UU_x5XG1OV2P6uZZ5FSM9Ttw":  false,
		"UC_x5XG1OV2P6uZZ5FSM9Tt!":  false,
		"UC_x5XG1OV2P6uZZ5FSM9Ttww": false,
	} {
		if got := isChannelID(s); got != want {
			t.Errorf("isChannelID(%q) = %v", s, got)
		}
	}
}

func TestProfileChannelsList(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{"channels": fixture(t, "channels.list.json")}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	cr, err := c.Profile(context.Background(), gdChannel)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Platform != "youtube" || cr.ID != gdChannel || cr.Handle != "googledevelopers" || cr.DisplayName != "Google Developers" {
		t.Errorf("identity = %q %q %q %q", cr.Platform, cr.ID, cr.Handle, cr.DisplayName)
	}
	if cr.Followers != 1927873 || cr.PostsCount != 5026 || cr.Following != 0 {
		t.Errorf("counts = followers %d, posts %d, following %d; want 1927873, 5026, 0", cr.Followers, cr.PostsCount, cr.Following)
	}
	if !strings.HasPrefix(cr.Bio, "The Google Developers channel features talks from events") {
		t.Errorf("Bio = %q", cr.Bio)
	}
	if cr.URL != "https://www.youtube.com/channel/"+gdChannel {
		t.Errorf("URL = %q", cr.URL)
	}
	if !cr.CreatedAt.Equal(time.Date(2007, 8, 23, 0, 34, 43, 0, time.UTC)) || !cr.FetchedAt.Equal(testNow) {
		t.Errorf("CreatedAt = %v, FetchedAt = %v", cr.CreatedAt, cr.FetchedAt)
	}
	if !strings.HasSuffix(cr.AvatarURL, "=s800-c-k-c0xffffffff-no-rj-mo") || cr.Links != nil {
		t.Errorf("AvatarURL = %q, Links = %v", cr.AvatarURL, cr.Links)
	}
	// The fixture was requested without contentDetails: the uploads playlist is derived.
	if got := c.uploads[gdChannel]; got != gdUploads {
		t.Errorf("uploads playlist = %q, want %q", got, gdUploads)
	}
	r := srv.Requests()[0]
	q := r.URL.Query()
	if r.URL.Path != "/youtube/v3/channels" || q.Get("part") != "snippet,statistics,contentDetails" || q.Get("id") != gdChannel || q.Has("forHandle") {
		t.Errorf("request = %s", r.URL)
	}
	if q.Get("key") != testKey || r.Header.Get("User-Agent") != testUA {
		t.Errorf("key = %q, UA = %q", q.Get("key"), r.Header.Get("User-Agent"))
	}
	if used, limit := c.Quota(); used != 1 || limit != 10000 {
		t.Errorf("Quota() = %d, %d; want 1, 10000", used, limit)
	}
}

func TestProfileByHandleAndUploadsFromContentDetails(t *testing.T) {
	resp := decode[map[string]any](t, "channels.list.json")
	item := resp["items"].([]any)[0].(map[string]any)
	item["contentDetails"] = map[string]any{"relatedPlaylists": map[string]any{"likes": "", "uploads": "UUcustomUploads"}}
	srv := newServer(t, routes(t, map[string][]byte{"channels": mustJSON(t, resp)}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	for _, h := range []string{"@googledevelopers", " googledevelopers "} {
		cr, err := c.Profile(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		if cr.ID != gdChannel {
			t.Errorf("ID = %q", cr.ID)
		}
	}
	for _, r := range srv.Requests() {
		if q := r.URL.Query(); q.Get("forHandle") != "@googledevelopers" || q.Has("id") {
			t.Errorf("request = %s, want forHandle=@googledevelopers", r.URL.RawQuery)
		}
	}
	if got := c.uploads[gdChannel]; got != "UUcustomUploads" {
		t.Errorf("uploads = %q, want the contentDetails value", got)
	}
	srv2 := newServer(t, routes(t, map[string][]byte{"playlistItems": []byte(`{"items":[]}`)}))
	c.base = srv2.URL
	c.apiHost = strings.TrimPrefix(srv2.URL, "http://")
	if _, err := c.Posts(context.Background(), model.Creator{ID: gdChannel}, ""); err != nil {
		t.Fatal(err)
	}
	if got := srv2.Requests()[0].URL.Query().Get("playlistId"); got != "UUcustomUploads" {
		t.Errorf("Posts read playlist %q, want the one Profile saw", got)
	}
}

func TestProfileNotFound(t *testing.T) {
	empty := []byte(`{"kind":"youtube#channelListResponse","etag":"x","pageInfo":{"totalResults":0,"resultsPerPage":5}}`)
	srv := newServer(t, routes(t, map[string][]byte{"channels": empty}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	_, err := c.Profile(context.Background(), "@nobody-here")
	if !errors.Is(err, collectors.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestProfileHiddenSubscribers(t *testing.T) {
	resp := decode[map[string]any](t, "channels.list.json")
	stats := resp["items"].([]any)[0].(map[string]any)["statistics"].(map[string]any)
	delete(stats, "subscriberCount")
	stats["hiddenSubscriberCount"] = true
	srv := newServer(t, routes(t, map[string][]byte{"channels": mustJSON(t, resp)}))
	cr, err := newTestCollector(t, testEnv(srv.URL, testKey, nil)).Profile(context.Background(), gdChannel)
	if !errors.Is(err, ErrSubscribersHidden) || !errors.Is(err, collectors.ErrPrivate) {
		t.Fatalf("err = %v, want ErrSubscribersHidden and ErrPrivate", err)
	}
	if cr.ID != gdChannel || cr.Followers != 0 || cr.PostsCount != 5026 {
		t.Errorf("creator returned with the error = %+v", cr)
	}
	if cr.Known(model.CountFollowers) {
		t.Errorf("hidden subscriber count not marked unknown: %+v", cr)
	}
}

func TestProfileSchemaDrift(t *testing.T) {
	cases := map[string]struct {
		edit func(item map[string]any)
		want []string
	}{
		"renamed subscriberCount": {
			edit: func(item map[string]any) {
				st := item["statistics"].(map[string]any)
				st["subscriber_count"] = st["subscriberCount"]
				delete(st, "subscriberCount")
			},
			want: []string{"statistics.subscriberCount", `"subscriber_count"`, gdChannel},
		},
		"subscriberCount gone, not hidden": {
			edit: func(item map[string]any) { delete(item["statistics"].(map[string]any), "subscriberCount") },
			want: []string{"statistics.subscriberCount is missing"},
		},
		"statistics gone": {
			edit: func(item map[string]any) { delete(item, "statistics") },
			want: []string{"statistics is missing"},
		},
		"videoCount not a number": {
			edit: func(item map[string]any) { item["statistics"].(map[string]any)["videoCount"] = "5k" },
			want: []string{"statistics.videoCount", "5k"},
		},
		"snippet gone": {
			edit: func(item map[string]any) { delete(item, "snippet") },
			want: []string{"snippet is missing"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := decode[map[string]any](t, "channels.list.json")
			tc.edit(resp["items"].([]any)[0].(map[string]any))
			srv := newServer(t, routes(t, map[string][]byte{"channels": mustJSON(t, resp)}))
			cr, err := newTestCollector(t, testEnv(srv.URL, testKey, nil)).Profile(context.Background(), gdChannel)
			if !errors.Is(err, collectors.ErrMalformed) {
				t.Fatalf("err = %v (creator %+v), want ErrMalformed", err, cr)
			}
			if _, ok := collectors.DriftField(err); !ok {
				t.Errorf("err = %v, want a *collectors.DriftError naming the field", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "channels.list") {
				t.Errorf("error %q does not name the endpoint", err)
			}
		})
	}
}

// playlistWith returns playlistItems.list.json with item i pointing at
// videoID (the only video videos.list.json holds).
func playlistWith(t *testing.T, i int, videoID string) map[string]any {
	pl := decode[map[string]any](t, "playlistItems.list.json")
	item := pl["items"].([]any)[i].(map[string]any)
	item["snippet"].(map[string]any)["resourceId"].(map[string]any)["videoId"] = videoID
	return pl
}

var playlistIDs = []string{"CvTApw9X8aA", "Yh4EKaUY3gg", "S-MbpQiwfls", "BBjVl1EETb0", "h8CnO-oqqSs",
	"2cHddIA4EvY", "kTJUt9CmTXg", "o7_oJYZw2Hg", "vN6uK5Qm23c", "o5LP2xzKkpg"}

func TestPostsVerbatimPlaylistPaging(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{
		"playlistItems": fixture(t, "playlistItems.list.json"),
		"videos":        fixture(t, "videos.list.json"),
	}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	cr := model.Creator{Platform: Platform, ID: gdChannel}
	page, err := c.Posts(context.Background(), cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if page.Next != "CAoQAA" {
		t.Errorf("Next = %q, want CAoQAA", page.Next)
	}
	// videos.list.json holds another video than the page lists: the page's
	// videos count as private or deleted and are left out.
	if len(page.Posts) != 0 {
		t.Errorf("posts = %+v, want none", page.Posts)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want playlistItems + one videos.list", len(reqs))
	}
	q := reqs[0].URL.Query()
	if resourceOf(reqs[0]) != "playlistItems" || q.Get("part") != "snippet,contentDetails" || q.Get("playlistId") != gdUploads ||
		q.Get("maxResults") != "50" || q.Has("pageToken") {
		t.Errorf("playlistItems request = %s", reqs[0].URL.RawQuery)
	}
	q = reqs[1].URL.Query()
	if resourceOf(reqs[1]) != "videos" || q.Get("part") != "snippet,statistics,contentDetails" || q.Get("id") != strings.Join(playlistIDs, ",") {
		t.Errorf("videos request = %s", reqs[1].URL.RawQuery)
	}

	if _, err := c.Posts(context.Background(), cr, page.Next); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()[2].URL.Query().Get("pageToken"); got != "CAoQAA" {
		t.Errorf("page 2 pageToken = %q", got)
	}
	if used := c.QuotaUsed(); used != 4 {
		t.Errorf("QuotaUsed = %d, want 4", used)
	}
}

func TestPostsVideosList(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{
		"playlistItems": mustJSON(t, playlistWith(t, 1, gdVideo)),
		"videos":        fixture(t, "videos.list.json"),
	}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	page, err := c.Posts(context.Background(), model.Creator{Platform: Platform, ID: gdChannel}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 1 {
		t.Fatalf("got %d posts, want 1", len(page.Posts))
	}
	p := page.Posts[0]
	if p.Platform != Platform || p.ID != gdVideo || p.CreatorID != gdChannel || p.Kind != "video" || p.IsReply {
		t.Errorf("post = %+v", p)
	}
	if !p.CreatedAt.Equal(time.Date(2019, 3, 21, 20, 37, 49, 0, time.UTC)) {
		t.Errorf("CreatedAt = %v", p.CreatedAt)
	}
	if model.Val(p.Views) != 7920 || model.Val(p.Likes) != 190 || model.Val(p.Comments) != 32 || p.Shares != nil || p.Saves != nil {
		t.Errorf("counts = views %v likes %v comments %v", p.Views, p.Likes, p.Comments)
	}
	if !strings.HasPrefix(p.Text, "What are Actions on Google (Assistant on Air)\nIn the first episode of Assistant on Air") ||
		!strings.HasSuffix(p.Text, "https://bit.ly/googledevs") {
		t.Errorf("Text = %q", p.Text)
	}
	if p.URL != "https://www.youtube.com/watch?v=D-lhorsDlUQ" {
		t.Errorf("URL = %q", p.URL)
	}
	// 20 tags, "Actions on Google" and "actions on google" folded into one.
	if len(p.Hashtags) != 19 || p.Hashtags[0] != "google" || p.Hashtags[3] != "actions on google" ||
		p.Hashtags[18] != "actions on google how to" {
		t.Errorf("Hashtags = %q", p.Hashtags)
	}
	if got := srv.Requests()[1].URL.Query().Get("id"); !strings.HasPrefix(got, "CvTApw9X8aA,"+gdVideo+",S-MbpQiwfls") {
		t.Errorf("videos.list id = %q", got)
	}
}

func TestPostsHiddenCountsAndDrift(t *testing.T) {
	videos := func(edit func(st map[string]any)) []byte {
		v := decode[map[string]any](t, "videos.list.json")
		edit(v["items"].([]any)[0].(map[string]any)["statistics"].(map[string]any))
		return mustJSON(t, v)
	}
	run := func(t *testing.T, body []byte) (collectors.PostPage, error) {
		srv := newServer(t, routes(t, map[string][]byte{
			"playlistItems": mustJSON(t, playlistWith(t, 0, gdVideo)),
			"videos":        body,
		}))
		return newTestCollector(t, testEnv(srv.URL, testKey, nil)).Posts(context.Background(), model.Creator{ID: gdChannel}, "")
	}

	t.Run("likes hidden, comments disabled", func(t *testing.T) {
		page, err := run(t, videos(func(st map[string]any) { delete(st, "likeCount"); delete(st, "commentCount") }))
		if err != nil {
			t.Fatal(err)
		}
		p := page.Posts[0]
		if p.Likes != nil || p.Comments != nil || model.Val(p.Views) != 7920 {
			t.Errorf("likes %v comments %v views %v; want nil, nil, 7920", p.Likes, p.Comments, p.Views)
		}
	})
	t.Run("likeCount renamed", func(t *testing.T) {
		_, err := run(t, videos(func(st map[string]any) { st["like_count"] = st["likeCount"]; delete(st, "likeCount") }))
		if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "statistics.likeCount") ||
			!strings.Contains(err.Error(), "like_count") || !strings.Contains(err.Error(), "videos.list") {
			t.Errorf("err = %v, want ErrMalformed naming statistics.likeCount and like_count", err)
		}
	})
	t.Run("publishedAt renamed", func(t *testing.T) {
		// Read as a zero time, every video would sort as the oldest and
		// the stored dates (and so the posts ER is measured on) would move.
		v := decode[map[string]any](t, "videos.list.json")
		sn := v["items"].([]any)[0].(map[string]any)["snippet"].(map[string]any)
		sn["published_at"] = sn["publishedAt"]
		delete(sn, "publishedAt")
		_, err := run(t, mustJSON(t, v))
		if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "snippet.publishedAt") {
			t.Errorf("err = %v, want ErrMalformed naming snippet.publishedAt", err)
		}
	})
	t.Run("statistics missing", func(t *testing.T) {
		v := decode[map[string]any](t, "videos.list.json")
		delete(v["items"].([]any)[0].(map[string]any), "statistics")
		_, err := run(t, mustJSON(t, v))
		if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "video "+gdVideo+": statistics is missing") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("counts as JSON numbers", func(t *testing.T) {
		page, err := run(t, videos(func(st map[string]any) { st["viewCount"] = 7921 }))
		if err != nil || model.Val(page.Posts[0].Views) != 7921 {
			t.Errorf("err = %v, views = %v", err, page.Posts[0].Views)
		}
	})
}

func TestPostsNoUploadsPlaylist(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, http.StatusNotFound, []byte(`{"error":{"code":404,"message":"The playlist identified with the request's <code>playlistId</code> parameter cannot be found.","errors":[{"message":"x","domain":"youtube.playlistItem","reason":"playlistNotFound","location":"playlistId","locationType":"parameter"}]}}`))
	})
	page, err := newTestCollector(t, testEnv(srv.URL, testKey, nil)).Posts(context.Background(), model.Creator{ID: gdChannel}, "")
	if err != nil || len(page.Posts) != 0 || page.Next != "" {
		t.Errorf("page = %+v, err = %v; want an empty last page", page, err)
	}
}

func TestDiscoverSearchList(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{"search": fixture(t, "search.list.json")}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	page, err := c.Discover(context.Background(), " surfing ", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"UCo_q6aOlvPH7M-j_XGWVgXg", "UC_F4Iy5korq2mEWZDQhG07w", "UChuLeaTGRcfzo0UjL-2qSbQ", "UCqhnX4jA0A5paNd1v-zEysw",
		"UCHeaHzQFLElUw__yG3SSzMg", "UC1Ho5YvHCtyReazatbhBowA", "UCnJ0mt5Cgx4ER_LhTijG_4A", "UCuZSTHZf3vd7eVehhnotcsg",
		"UCiiFGfvlKvX3uzMovO3unaw", "UCJBWZDkunrjWh50Etxdys2g", "UCKo-NbWOxnxBnU41b-AoKeA", "UCzcQOTuXYGuCvTekySb_CeQ",
		"UCVk7uRN7g-q_uHMaAjHxk8A", "UCuwdplPbuTFZj_64d03tSBA", "UCq650FWunrqAhM6pV5sncCg", "UCf5CA0OsvhhU-6AcSjT1oKQ",
		"UCsG5dkqFUHZO6eY9uOzQqow", "UCeYue9Nbodzg3T1Nt88E3fg"}
	if !slices.Equal(page.Candidates, want) {
		t.Errorf("Candidates = %q\nwant %q", page.Candidates, want)
	}
	if page.Next != "CBkQAA" {
		t.Errorf("Next = %q, want CBkQAA", page.Next)
	}
	q := srv.Requests()[0].URL.Query()
	if q.Get("part") != "snippet" || q.Get("q") != "surfing" || q.Get("type") != "channel" || q.Get("maxResults") != "50" || q.Has("pageToken") {
		t.Errorf("search request = %s", srv.Requests()[0].URL.RawQuery)
	}
	if used := c.QuotaUsed(); used != 100 {
		t.Errorf("QuotaUsed = %d after one search, want 100", used)
	}
	if _, err := c.Discover(context.Background(), "surfing", "CBkQAA"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()[1].URL.Query().Get("pageToken"); got != "CBkQAA" {
		t.Errorf("page 2 pageToken = %q", got)
	}
	// A channel result carries its id in id.channelId.
	sr := decode[map[string]any](t, "search.list.json")
	item := sr["items"].([]any)[0].(map[string]any)
	item["id"] = map[string]any{"kind": "youtube#channel", "channelId": "UCchannelResult00000000"}
	sr["items"] = []any{item}
	delete(sr, "nextPageToken")
	srv2 := newServer(t, routes(t, map[string][]byte{"search": mustJSON(t, sr)}))
	page, err = newTestCollector(t, testEnv(srv2.URL, testKey, nil)).Discover(context.Background(), "x", "")
	if err != nil || !slices.Equal(page.Candidates, []string{"UCchannelResult00000000"}) || page.Next != "" {
		t.Errorf("channel result: %+v, %v", page, err)
	}
}

type cmt struct {
	id, parent, author string
	depth              int
	byCreator          bool
}

func summarize(cs []model.Comment) []cmt {
	var out []cmt
	for _, c := range cs {
		out = append(out, cmt{c.ID, c.ParentID, c.AuthorID, c.Depth, c.ByCreator})
	}
	return out
}

func TestThreadWithReplies(t *testing.T) {
	const (
		thread   = "UgydxWWoeA7F1OdqypJ4AaABAg"
		reply    = "UgydxWWoeA7F1OdqypJ4AaABAg.8wWQ3tdHcFx8xcDheui-qb"
		topAuth  = "UCe9i1nJCcevTa6KJa55KYog"
		replyAut = "UCsl2A_QzcSnFD2hpCyVwXxA"
	)
	for _, tc := range []struct {
		creator string
		want    []cmt
	}{
		{gdChannel, []cmt{{thread, gdVideo, topAuth, 1, false}, {reply, thread, replyAut, 2, false}}},
		// The same thread seen as the replying channel's: its answer is the creator's.
		{replyAut, []cmt{{thread, gdVideo, topAuth, 1, false}, {reply, thread, replyAut, 2, true}}},
	} {
		srv := newServer(t, routes(t, map[string][]byte{"commentThreads": fixture(t, "commentThreads.list_with_replies.json")}))
		c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
		cs, err := c.Thread(context.Background(), model.Creator{ID: tc.creator}, model.Post{ID: gdVideo, CreatorID: tc.creator})
		if err != nil {
			t.Fatal(err)
		}
		if got := summarize(cs); !slices.Equal(got, tc.want) {
			t.Errorf("creator %s: comments = %+v\nwant %+v", tc.creator, got, tc.want)
		}
		if len(srv.Requests()) != 1 {
			t.Errorf("%d requests, want 1 (totalReplyCount 1 = replies embedded, no next page)", len(srv.Requests()))
		}
		q := srv.Requests()[0].URL.Query()
		if q.Get("part") != "snippet,replies" || q.Get("videoId") != gdVideo || q.Get("maxResults") != "100" || q.Get("order") != "time" {
			t.Errorf("commentThreads request = %s", srv.Requests()[0].URL.RawQuery)
		}
		top, r := cs[0], cs[1]
		if top.Text != "Actions.ai" || top.AuthorHandle != "Loren Robilio" || model.Val(top.Likes) != 0 || top.Likes == nil || top.PostID != gdVideo ||
			!top.CreatedAt.Equal(time.Date(2019, 6, 23, 8, 24, 24, 0, time.UTC)) {
			t.Errorf("top-level = %+v", top)
		}
		if r.Text != "#" || r.AuthorHandle != "Dian Anggraeni" || model.Val(r.Likes) != 1 || r.PostID != gdVideo ||
			!r.CreatedAt.Equal(time.Date(2019, 7, 20, 20, 22, 27, 0, time.UTC)) {
			t.Errorf("reply = %+v", r)
		}
	}
}

// commentsListFor builds a comments.list response for thread from the real
// reply object of commentThreads.list_with_replies.json (no comments.list
// capture exists): n replies, the first by author.
func commentsListFor(t *testing.T, thread, author string, n int) []byte {
	src := decode[map[string]any](t, "commentThreads.list_with_replies.json")
	real := src["items"].([]any)[0].(map[string]any)["replies"].(map[string]any)["comments"].([]any)[0].(map[string]any)
	var items []any
	for i := range n {
		r := clone(t, real)
		r["id"] = thread + ".r" + string(rune('1'+i))
		sn := r["snippet"].(map[string]any)
		sn["parentId"] = thread
		if i == 0 {
			sn["authorChannelId"] = map[string]any{"value": author}
		}
		items = append(items, r)
	}
	return mustJSON(t, map[string]any{"kind": "youtube#commentListResponse", "etag": "RECONSTRUCTED", "items": items})
}

func TestThreadPagesAndReplyFetch(t *testing.T) {
	const creator = "UCACHW4qVHoE4zqhHxcVE3Kw" // the author of thread UgwI…: answers in its own thread
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		q := r.URL.Query()
		switch {
		case resourceOf(r) == "commentThreads" && !q.Has("pageToken"):
			writeJSON(w, 200, fixture(t, "commentThreads.list.json"))
		case resourceOf(r) == "commentThreads" && q.Get("pageToken") == ctToken:
			writeJSON(w, 200, fixture(t, "commentThreads.list_with_replies.json"))
		case resourceOf(r) == "comments" && q.Get("parentId") == replyThread && q.Get("part") == "snippet" && q.Get("maxResults") == "100":
			writeJSON(w, 200, commentsListFor(t, replyThread, creator, 2))
		default:
			t.Errorf("unexpected request %s?%s", r.URL.Path, r.URL.RawQuery)
			http.NotFound(w, r)
		}
	})
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	cs, err := c.Thread(context.Background(), model.Creator{ID: creator}, model.Post{ID: ctVideo})
	if err != nil {
		t.Fatal(err)
	}
	want := []cmt{
		{"UgyZ1jqkHKYvi1-ruOZ4AaABAg", ctVideo, "UCzj-CjKYmGlZ7vTL-vOe57A", 1, false},
		{"Ugy4OzAuz5uJuFt3FH54AaABAg", ctVideo, "UCGBUkig1Ala-Z2gF73WSTdw", 1, false},
		{"UgysQP-vp089eFP0Stl4AaABAg", ctVideo, "UCzZ87J8wYVpOADFviqyFKhw", 1, false},
		{"UgyKv8ziPYFJDGytM_J4AaABAg", ctVideo, "UCHJQ8PHPGprvhKdLVHLwRPA", 1, false},
		{replyThread, ctVideo, creator, 1, true},
		// page 2 (the with_replies fixture, about another video, served as page 2)
		{"UgydxWWoeA7F1OdqypJ4AaABAg", ctVideo, "UCe9i1nJCcevTa6KJa55KYog", 1, false},
		{"UgydxWWoeA7F1OdqypJ4AaABAg.8wWQ3tdHcFx8xcDheui-qb", "UgydxWWoeA7F1OdqypJ4AaABAg", "UCsl2A_QzcSnFD2hpCyVwXxA", 2, false},
		// comments.list for the thread whose 2 replies were not embedded
		{replyThread + ".r1", replyThread, creator, 2, true},
		{replyThread + ".r2", replyThread, "UCsl2A_QzcSnFD2hpCyVwXxA", 2, false},
	}
	if got := summarize(cs); !slices.Equal(got, want) {
		t.Errorf("comments =\n%+v\nwant\n%+v", got, want)
	}
	var likes []int64
	for _, cm := range cs[:5] {
		likes = append(likes, model.Val(cm.Likes))
	}
	if !slices.Equal(likes, []int64{0, 1, 4, 1, 0}) {
		t.Errorf("likes = %v", likes)
	}
	if cs[0].Text != "Google.com" || cs[2].Text != "Funny that they use heroku to show a demo instead of google cloud" ||
		!strings.HasPrefix(cs[4].Text, "Lot's of good light coming in from here #ChromeDevSummit") ||
		!cs[0].CreatedAt.Equal(time.Date(2019, 11, 26, 15, 51, 44, 0, time.UTC)) || cs[1].AuthorHandle != "el bojo loco" {
		t.Errorf("texts = %q / %q / %q", cs[0].Text, cs[2].Text, cs[4].Text)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests, want 2 commentThreads pages + 1 comments.list", n)
	}
	if used := c.QuotaUsed(); used != 3 {
		t.Errorf("QuotaUsed = %d, want 3", used)
	}
}

func TestThreadCaps(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if resourceOf(r) != "commentThreads" {
			t.Errorf("unexpected request %s", r.URL.Path)
		}
		writeJSON(w, 200, fixture(t, "commentThreads.list.json")) // always has a next page
	})
	c := newTestCollector(t, testEnv(srv.URL, testKey, map[string]string{"thread_pages": "2", "reply_pages": "0"}))
	cs, err := c.Thread(context.Background(), model.Creator{ID: gdChannel}, model.Post{ID: ctVideo})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want thread_pages = 2 and no comments.list", n)
	}
	if len(cs) != 10 {
		t.Errorf("%d comments, want 10 (two pages of 5)", len(cs))
	}
}

// commentsDisabled403 is the error commentThreads.list returns for a video
// with comments turned off (reason name as documented for the method; body
// reconstructed in the Google error envelope).
var commentsDisabled403 = []byte(`{"error":{"code":403,"message":"The video identified by the \u003ccode\u003e\u003ca href=\"/youtube/v3/docs/commentThreads/list#videoId\"\u003evideoId\u003c/a\u003e\u003c/code\u003e parameter has disabled comments.","errors":[{"message":"The video identified by the videoId parameter has disabled comments.","domain":"youtube.commentThread","reason":"commentsDisabled","location":"videoId","locationType":"parameter"}]}}`)

// TestThreadCommentDateRenamed: a reply whose snippet.publishedAt is
// renamed is a named drift, not a comment dated year 1.
func TestThreadCommentDateRenamed(t *testing.T) {
	v := decode[map[string]any](t, "commentThreads.list_with_replies.json")
	th := v["items"].([]any)[0].(map[string]any)
	sn := th["replies"].(map[string]any)["comments"].([]any)[0].(map[string]any)["snippet"].(map[string]any)
	sn["published_at"] = sn["publishedAt"]
	delete(sn, "publishedAt")
	srv := newServer(t, routes(t, map[string][]byte{"commentThreads": mustJSON(t, v)}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	_, err := c.Thread(context.Background(), model.Creator{ID: gdChannel}, model.Post{ID: gdVideo, CreatorID: gdChannel})
	if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "snippet.publishedAt") {
		t.Errorf("err = %v, want ErrMalformed naming snippet.publishedAt", err)
	}
}

func TestThreadCommentsDisabled(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, http.StatusForbidden, commentsDisabled403)
	})
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	cs, err := c.Thread(context.Background(), model.Creator{ID: gdChannel}, model.Post{ID: gdVideo})
	if err != nil || len(cs) != 0 {
		t.Errorf("comments = %v, err = %v; want none and no error", cs, err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (a 403 is not retried)", n)
	}
}

func TestQuotaExceeded403(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, http.StatusForbidden, fixture(t, "error_403_quotaExceeded.json"))
	})
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	_, err := c.Profile(context.Background(), gdChannel)
	if !errors.Is(err, collectors.ErrQuota) {
		t.Fatalf("err = %v, want ErrQuota", err)
	}
	if !strings.Contains(err.Error(), "quotaExceeded") || !strings.Contains(err.Error(), "channels.list") {
		t.Errorf("err = %v, want the reason and the endpoint", err)
	}
	if used, limit := c.Quota(); used != limit {
		t.Errorf("Quota() = %d, %d; the API's refusal should use up the local count", used, limit)
	}
	// Further calls fail at once, without a request, until the Pacific day changes.
	_, err = c.Posts(context.Background(), model.Creator{ID: gdChannel}, "")
	if !errors.Is(err, collectors.ErrQuota) || len(srv.Requests()) != 1 {
		t.Errorf("second call: err = %v, %d requests; want ErrQuota and no new request", err, len(srv.Requests()))
	}
	if s := c.Stats(); s.Throttled != 1 || s.ByStatus[403] != 1 {
		t.Errorf("stats = %+v", s)
	}
	c.now = func() time.Time { return testNow.Add(24 * time.Hour) }
	if used, _ := c.Quota(); used != 0 {
		t.Errorf("after the reset QuotaUsed = %d", used)
	}
	if _, err := c.Profile(context.Background(), gdChannel); !errors.Is(err, collectors.ErrQuota) || len(srv.Requests()) != 2 {
		t.Errorf("after the reset: err = %v, %d requests; want a new request", err, len(srv.Requests()))
	}
}

func TestDailyQuotaStopsBeforeTheLimit(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{
		"channels": fixture(t, "channels.list.json"),
		"search":   fixture(t, "search.list.json"),
	}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, map[string]string{"daily_quota": "3"}))
	for i := range 3 {
		if _, err := c.Profile(context.Background(), gdChannel); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, err := c.Profile(context.Background(), gdChannel)
	if !errors.Is(err, collectors.ErrQuota) {
		t.Fatalf("4th call: err = %v, want ErrQuota", err)
	}
	if !strings.Contains(err.Error(), "daily_quota of 3") {
		t.Errorf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 (the 4th refused before sending)", n)
	}
	if used, limit := c.Quota(); used != 3 || limit != 3 {
		t.Errorf("Quota() = %d, %d", used, limit)
	}

	// search.list costs search_cost units: 100 of 150 fit once, not twice.
	c = newTestCollector(t, testEnv(srv.URL, testKey, map[string]string{"daily_quota": "150"}))
	if _, err := c.Discover(context.Background(), "surf", ""); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Requests())
	if _, err := c.Discover(context.Background(), "surf", "CBkQAA"); !errors.Is(err, collectors.ErrQuota) || len(srv.Requests()) != before {
		t.Errorf("second search: err = %v; want ErrQuota without a request", err)
	}
	if _, err := c.Profile(context.Background(), gdChannel); err != nil {
		t.Errorf("a 1-unit call still fits: %v", err)
	}
}

func TestMissingKey(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		t.Errorf("unexpected request %s", r.URL)
	})
	c := newTestCollector(t, testEnv(srv.URL, "", nil))
	ctx := context.Background()
	cr := model.Creator{ID: gdChannel}
	calls := map[string]func() error{
		"Profile":  func() error { _, err := c.Profile(ctx, gdChannel); return err },
		"Posts":    func() error { _, err := c.Posts(ctx, cr, ""); return err },
		"Thread":   func() error { _, err := c.Thread(ctx, cr, model.Post{ID: gdVideo}); return err },
		"Discover": func() error { _, err := c.Discover(ctx, "surf", ""); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, collectors.ErrAuthRequired) || !strings.Contains(err.Error(), "rss_only") {
			t.Errorf("%s: err = %v, want ErrAuthRequired pointing at rss_only", name, err)
		}
	}
	if used := c.QuotaUsed(); used != 0 {
		t.Errorf("QuotaUsed = %d", used)
	}
}

func TestKeyRefused(t *testing.T) {
	bodies := map[string][]byte{
		// Google's answer to a bad key (400 keyInvalid).
		"keyInvalid": []byte(`{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","errors":[{"message":"API key not valid. Please pass a valid API key.","domain":"global","reason":"badRequest"}],"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`),
		// No key at all: 403 forbidden in domain global (as quoted in
		// Benjamin-Loison/YouTube-operational-API#229).
		"unregistered": []byte(`{"error":{"code":403,"message":"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.","errors":[{"message":"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.","domain":"global","reason":"forbidden"}],"status":"PERMISSION_DENIED"}}`),
	}
	for name, body := range bodies {
		status := http.StatusForbidden
		if name == "keyInvalid" {
			status = http.StatusBadRequest
		}
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, status, body) })
		_, err := newTestCollector(t, testEnv(srv.URL, testKey, nil)).Profile(context.Background(), gdChannel)
		if !errors.Is(err, collectors.ErrAuthRequired) {
			t.Errorf("%s: err = %v, want ErrAuthRequired", name, err)
		}
	}
}

func TestMalformedResponses(t *testing.T) {
	ctx := context.Background()
	cr := model.Creator{ID: gdChannel}
	calls := map[string]func(*Collector) error{
		"channels.list":       func(c *Collector) error { _, err := c.Profile(ctx, gdChannel); return err },
		"playlistItems.list":  func(c *Collector) error { _, err := c.Posts(ctx, cr, ""); return err },
		"commentThreads.list": func(c *Collector) error { _, err := c.Thread(ctx, cr, model.Post{ID: gdVideo}); return err },
		"search.list":         func(c *Collector) error { _, err := c.Discover(ctx, "surf", ""); return err },
	}
	bodies := map[string][]byte{
		"truncated JSON": fixture(t, "channels.list.json")[:300],
		"wrong shape":    []byte(`{"items": {"id": 5}}`),
		"HTML page":      htmlPage,
	}
	for bname, body := range bodies {
		for what, call := range calls {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Content-Type", "text/html")
				w.Write(body)
			})
			err := call(newTestCollector(t, testEnv(srv.URL, testKey, nil)))
			if !errors.Is(err, collectors.ErrMalformed) {
				t.Errorf("%s from %s: err = %v, want ErrMalformed", bname, what, err)
				continue
			}
			if !strings.Contains(err.Error(), what) {
				t.Errorf("%s: error %q does not name %s", bname, err, what)
			}
		}
	}
	// videos.list, after a good playlist page.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeJSON(w, 200, fixture(t, "playlistItems.list.json"))
			return
		}
		writeJSON(w, 200, []byte(`{"items": [`))
	})
	_, err := newTestCollector(t, testEnv(srv.URL, testKey, nil)).Posts(ctx, cr, "")
	if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "videos.list") {
		t.Errorf("videos.list: err = %v", err)
	}
}

func TestRetry500Then200(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeJSON(w, http.StatusInternalServerError, []byte(`{"error":{"code":500,"message":"Internal error encountered.","errors":[{"message":"Internal error encountered.","domain":"global","reason":"backendError"}],"status":"INTERNAL"}}`))
			return
		}
		writeJSON(w, 200, fixture(t, "channels.list.json"))
	})
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	cr, err := c.Profile(context.Background(), gdChannel)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Followers != 1927873 {
		t.Errorf("Followers = %d", cr.Followers)
	}
	if s := c.Stats(); s.Requests != 2 || s.Retries != 1 || s.ByStatus[500] != 1 || s.ByStatus[200] != 1 {
		t.Errorf("stats = %+v", s)
	}
	if used := c.QuotaUsed(); used != 2 {
		t.Errorf("QuotaUsed = %d, want 2 (the retried attempt is charged)", used)
	}
	for _, r := range srv.Requests() {
		if r.URL.Query().Get("key") != testKey {
			t.Errorf("attempt without the key: %s", r.URL.Path)
		}
	}
}

func Test429(t *testing.T) {
	t.Run("then success", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, http.StatusTooManyRequests, []byte(`{"error":{"code":429,"message":"Too Many Requests","status":"RESOURCE_EXHAUSTED"}}`))
				return
			}
			writeJSON(w, 200, fixture(t, "search.list.json"))
		})
		c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
		page, err := c.Discover(context.Background(), "surf", "")
		if err != nil || len(page.Candidates) != 18 {
			t.Fatalf("page = %+v, err = %v", page, err)
		}
		if s := c.Stats(); s.Throttled != 1 || s.Requests != 2 {
			t.Errorf("stats = %+v", s)
		}
	})
	t.Run("longer than max_retry_wait", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "3600")
			writeJSON(w, http.StatusTooManyRequests, []byte(`{}`))
		})
		_, err := newTestCollector(t, testEnv(srv.URL, testKey, nil)).Profile(context.Background(), gdChannel)
		var rl *collectors.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter < 59*time.Minute {
			t.Errorf("err = %v, want a RateLimitError of about an hour", err)
		}
		if len(srv.Requests()) != 1 {
			t.Errorf("%d requests", len(srv.Requests()))
		}
	})
	t.Run("403 rateLimitExceeded", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			writeJSON(w, http.StatusForbidden, []byte(`{"error":{"code":403,"message":"Rate Limit Exceeded","errors":[{"message":"Rate Limit Exceeded","domain":"usageLimits","reason":"rateLimitExceeded"}]}}`))
		})
		_, err := newTestCollector(t, testEnv(srv.URL, testKey, nil)).Profile(context.Background(), gdChannel)
		var rl *collectors.RateLimitError
		if !errors.As(err, &rl) || errors.Is(err, collectors.ErrQuota) {
			t.Errorf("err = %v, want a RateLimitError", err)
		}
	})
}

// TestKeyNeverInErrorsOrLogs drives every error path with a logger at debug
// level and checks that the key shows up in neither.
func TestKeyNeverInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch resourceOf(r) {
		case "channels": // a 5xx that echoes the request URL, key included, then 404
			if n == 1 {
				writeJSON(w, http.StatusServiceUnavailable, []byte(`{"error":{"code":503,"message":"backend failed for `+r.URL.String()+`"}}`))
				return
			}
			writeJSON(w, http.StatusNotFound, []byte(`{"error":{"code":404,"message":"not found: key=`+r.URL.Query().Get("key")+`"}}`))
		case "search":
			writeJSON(w, http.StatusForbidden, fixture(t, "error_403_quotaExceeded.json"))
		default:
			writeJSON(w, http.StatusBadRequest, []byte(`{"error":{"code":400,"message":"API key not valid: `+r.URL.Query().Get("key")+`","errors":[{"reason":"keyInvalid","domain":"usageLimits"}]}}`))
		}
	})
	env := testEnv(srv.URL, testKey, nil)
	env.Logger = logger
	env.Config.MaxRetries = 1
	c := newTestCollector(t, env)
	ctx := context.Background()
	var errs []error
	_, err := c.Profile(ctx, gdChannel)
	errs = append(errs, err)
	_, err = c.Thread(ctx, model.Creator{ID: gdChannel}, model.Post{ID: gdVideo})
	errs = append(errs, err)
	_, err = c.Discover(ctx, "surf", "")
	errs = append(errs, err)
	_, err = c.Posts(ctx, model.Creator{ID: gdChannel}, "") // refused locally after the quota 403
	errs = append(errs, err)

	// A connection error: net/http puts the URL in *url.Error.
	dead := newServer(t, func(http.ResponseWriter, *http.Request, int) {})
	dead.Close()
	env = testEnv(dead.URL, testKey, nil)
	env.Logger = logger
	env.Config.MaxRetries = 1
	_, err = newTestCollector(t, env).Profile(ctx, gdChannel)
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d succeeded", i)
		}
		if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("error %d contains the key: %v", i, err)
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("expected retry log lines, got %q", logs.String())
	}
	if strings.Contains(logs.String(), "s3cr3t") {
		t.Errorf("key logged:\n%s", logs.String())
	}
	if !errors.Is(errs[0], collectors.ErrNotFound) || !errors.Is(errs[1], collectors.ErrAuthRequired) || !errors.Is(errs[2], collectors.ErrQuota) {
		t.Errorf("errs = %v", errs)
	}
}

func TestRSSOnly(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{"feed": fixture(t, "feeds_videos.xml")}))
	// rss_only wins over a configured key: no Data API call is made.
	c := newTestCollector(t, testEnv(srv.URL, testKey, map[string]string{"rss_only": "true"}))
	ctx := context.Background()
	cr, err := c.Profile(ctx, dfChannel)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Platform != Platform || cr.ID != dfChannel || cr.DisplayName != "Digital Foundry" || cr.Handle != dfChannel ||
		cr.URL != "https://www.youtube.com/channel/"+dfChannel {
		t.Errorf("creator = %+v", cr)
	}
	if cr.Followers != 0 || cr.PostsCount != 0 {
		t.Errorf("followers %d, posts %d: the feed shows neither", cr.Followers, cr.PostsCount)
	}
	if !cr.CreatedAt.Equal(time.Date(2008, 2, 16, 12, 15, 11, 0, time.UTC)) {
		t.Errorf("CreatedAt = %v", cr.CreatedAt)
	}
	page, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 15 || page.Next != "" {
		t.Fatalf("got %d posts, next %q; want the feed's 15 and no next page", len(page.Posts), page.Next)
	}
	type vl struct {
		id           string
		views, likes int64
	}
	var got []vl
	for _, p := range page.Posts {
		got = append(got, vl{p.ID, model.Val(p.Views), model.Val(p.Likes)})
		if p.Comments != nil || p.Views == nil || p.Likes == nil || p.CreatorID != dfChannel || p.Kind != "video" {
			t.Errorf("post %s = %+v", p.ID, p)
		}
	}
	want := []vl{
		{"W_S7iKZZdHw", 23088, 1580}, {"U-AfiD2NgYg", 86887, 3272}, {"7vihrmynaRI", 219415, 6931},
		{"xYA53I_GoFI", 92296, 3169}, {"VAkyg8r3A_A", 137560, 4579}, {"VOBmvk-VIS8", 156430, 7325},
		{"hP7UpXSc1xs", 141315, 4032}, {"2F-0xB-Km_Q", 90144, 3464}, {"k2SBZSm2mOw", 84857, 3286},
		{"3O5gFNwdcV4", 99353, 3744}, {"-CYtXmoYb1I", 153299, 5085}, {"E1EhcFMKoIU", 163787, 10100},
		{"sWaa0xNuelI", 124392, 4188}, {"_W5xqyxI7MM", 176531, 5020}, {"araZUoSOPmM", 193479, 8340},
	}
	if !slices.Equal(got, want) {
		t.Errorf("posts =\n%v\nwant\n%v", got, want)
	}
	first := page.Posts[0]
	if !first.CreatedAt.Equal(time.Date(2025, 1, 1, 16, 7, 24, 0, time.UTC)) || first.URL != "https://www.youtube.com/watch?v=W_S7iKZZdHw" ||
		!strings.HasPrefix(first.Text, "Digital Foundry Games of 2024: The Oliver Mackenzie Collection!\nAs the holiday period begins") {
		t.Errorf("first post = %+v", first)
	}
	if first.Hashtags != nil { // "#5:", "#4:"… are list numbers
		t.Errorf("Hashtags = %q", first.Hashtags)
	}
	cs, err := c.Thread(ctx, cr, first)
	if err != nil || cs != nil {
		t.Errorf("Thread = %v, %v; want nothing in RSS mode", cs, err)
	}
	if _, err := c.Discover(ctx, "surf", ""); !errors.Is(err, collectors.ErrAuthRequired) {
		t.Errorf("Discover err = %v", err)
	}
	if _, err := c.Profile(ctx, "@digitalfoundry"); !errors.Is(err, collectors.ErrAuthRequired) {
		t.Errorf("handle in RSS mode: err = %v, want ErrAuthRequired", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Errorf("%d requests, want 1 (Posts reuses the feed Profile read)", len(reqs))
	}
	if q := reqs[0].URL.Query(); q.Get("channel_id") != dfChannel || q.Has("key") {
		t.Errorf("feed request = %s", reqs[0].URL.RawQuery)
	}
	if used := c.QuotaUsed(); used != 0 {
		t.Errorf("QuotaUsed = %d, feeds cost no quota", used)
	}
	// Posts without a preceding Profile fetches the feed itself.
	if page, err := c.Posts(ctx, cr, ""); err != nil || len(page.Posts) != 15 || len(srv.Requests()) != 2 {
		t.Errorf("second Posts: %d posts, err %v, %d requests", len(page.Posts), err, len(srv.Requests()))
	}
	// So does a Posts call long after the Profile.
	if _, err := c.Profile(ctx, dfChannel); err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return testNow.Add(feedCacheTTL + time.Second) }
	if _, err := c.Posts(ctx, cr, ""); err != nil || len(srv.Requests()) != 4 {
		t.Errorf("stale cache: err %v, %d requests; want a fresh feed", err, len(srv.Requests()))
	}
	if page, err := c.Posts(ctx, cr, "x"); err != nil || len(page.Posts) != 0 || page.Next != "" {
		t.Errorf("page 2 of a feed = %+v, %v; want empty", page, err)
	}
}

func TestRSSErrors(t *testing.T) {
	ctx := context.Background()
	feed := string(fixture(t, "feeds_videos.xml"))
	for name, tc := range map[string]struct {
		status int
		body   string
		want   error
	}{
		"truncated XML": {200, feed[:2000], collectors.ErrMalformed},
		"HTML page":     {200, string(htmlPage), collectors.ErrMalformed},
		"consent page":  {200, `<!DOCTYPE html><html><head><title>Before you continue to YouTube</title></head><body><form action="https://consent.youtube.com/save"></form></body></html>`, collectors.ErrLoginWall},
		"JSON not XML":  {200, `{"items":[]}`, collectors.ErrMalformed},
		"bad views":     {200, strings.Replace(feed, `views="23088"`, `views="23k"`, 1), collectors.ErrMalformed},
		"no video id":   {200, strings.Replace(strings.Replace(feed, "<yt:videoId>W_S7iKZZdHw</yt:videoId>", "", 1), "<id>yt:video:W_S7iKZZdHw</id>", "", 1), collectors.ErrMalformed},
		"unknown (404)": {404, "", collectors.ErrNotFound},
		"bad published": {200, strings.Replace(feed, "2025-01-01T16:07:24+00:00", "yesterday", 1), collectors.ErrMalformed},
	} {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		})
		c := newTestCollector(t, testEnv(srv.URL, "", map[string]string{"rss_only": "true"}))
		_, err := c.Posts(ctx, model.Creator{ID: dfChannel}, "")
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), "feeds/videos.xml") {
			t.Errorf("%s: error %q does not name the feed", name, err)
		}
	}
}

func TestBaseURLWithPathPrefix(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path != "/sim/youtube/v3/channels" {
			t.Errorf("path = %s", r.URL.Path)
		}
		writeJSON(w, 200, fixture(t, "channels.list.json"))
	})
	env := testEnv(srv.URL, testKey, nil)
	env.Config.BaseURL = srv.URL + "/sim/"
	if _, err := newTestCollector(t, env).Profile(context.Background(), gdChannel); err != nil {
		t.Fatal(err)
	}
}

func TestTextHelpers(t *testing.T) {
	if got := links("Docs → http://bit.ly/2YabdS5\n\nSubscribe →  https://bit.ly/googledevs. Again: http://bit.ly/2YabdS5"); !slices.Equal(got, []string{"http://bit.ly/2YabdS5", "https://bit.ly/googledevs"}) {
		t.Errorf("links = %q", got)
	}
	got := hashtags([]string{"Go", " #GoLang ", "go"}, "#Café time&#39;s #2024 #5: a#b https://x.y/#frag (#Tag_1)")
	if want := []string{"go", "golang", "café", "tag_1"}; !slices.Equal(got, want) {
		t.Errorf("hashtags = %q, want %q", got, want)
	}
	if got := htmlText(`Lot&#39;s of <a href="http://x">#ChromeDevSummit</a><br>next`); got != "Lot's of #ChromeDevSummit\nnext" {
		t.Errorf("htmlText = %q", got)
	}
}
