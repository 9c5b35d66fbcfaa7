package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func TestRegisteredAndNewDoesNoIO(t *testing.T) {
	if !slices.Contains(collectors.Names(), Platform) {
		t.Fatalf("registry names %v lack %q", collectors.Names(), Platform)
	}
	col, err := collectors.New(Platform, collectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c := col.(*Collector)
	if c.base != DefaultBaseURL || c.commentPages != DefaultCommentPages || c.replyThreads != DefaultReplyThreads {
		t.Errorf("defaults: base %q, comment_pages %d, reply_threads %d", c.base, c.commentPages, c.replyThreads)
	}
	if col.Platform() != "tiktok" {
		t.Errorf("Platform() = %q", col.Platform())
	}
	if s := c.Stats(); s.Requests != 0 {
		t.Errorf("New made %d requests", s.Requests)
	}
	if _, ok := col.(collectors.Discoverer); ok {
		t.Error("tiktok claims to be a Discoverer; TikTok has no public search")
	}
	if _, ok := col.(collectors.Snowballer); ok {
		t.Error("tiktok claims to be a Snowballer; TikTok has no public related-accounts source")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]collectors.PlatformConfig{
		"relative base":       {BaseURL: "www.tiktok.com"},
		"ftp base":            {BaseURL: "ftp://www.tiktok.com"},
		"base with query":     {BaseURL: "https://www.tiktok.com/?lang=en"},
		"unknown option":      {Options: map[string]string{"comment_page": "2"}},
		"comment_pages 0":     {Options: map[string]string{"comment_pages": "0"}},
		"comment_pages words": {Options: map[string]string{"comment_pages": "two"}},
		"reply_threads -1":    {Options: map[string]string{"reply_threads": "-1"}},
		"credentials":         {Credentials: map[string]string{"session": "TIKTOK_SESSION"}},
	} {
		if _, err := New(collectors.Env{Config: cfg}); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
	c, err := newCollector(collectors.Env{Config: collectors.PlatformConfig{
		BaseURL: "http://127.0.0.1:9/tiktok/",
		Options: map[string]string{"comment_pages": "3", "reply_threads": "0"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if c.base != "http://127.0.0.1:9/tiktok" || c.basePath != "/tiktok" || c.commentPages != 3 || c.replyThreads != 0 {
		t.Errorf("base %q, path %q, options %d %d", c.base, c.basePath, c.commentPages, c.replyThreads)
	}
}

func TestParseHandle(t *testing.T) {
	for in, want := range map[string]string{
		"example_creator":                                           "example_creator",
		" @example.creator":                                         "example.creator",
		"https://www.tiktok.com/@example_creator":                   "example_creator",
		"https://www.tiktok.com/@example_creator/video/730?lang=en": "example_creator",
		"tiktok.com/@Example_Creator?is_from_webapp=1":              "Example_Creator",
	} {
		if got, err := parseHandle(in); err != nil || got != want {
			t.Errorf("parseHandle(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "@", "two words", "a/b", "../robots.txt", "name?x=1", "émilie"} {
		if got, err := parseHandle(in); err == nil {
			t.Errorf("parseHandle(%q) = %q, want an error", in, got)
		}
	}
}

func TestProfileUniversalData(t *testing.T) {
	srv := newServer(t, "robots.txt", routes(t, map[string][]byte{"/@" + handle: readFile(t, "profile_universal_data.html")}))
	c := newTestCollector(t, testEnv(srv.base))
	cr, err := c.Profile(context.Background(), "@"+handle)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Creator{
		Platform:    "tiktok",
		ID:          creatorID,
		Handle:      handle,
		DisplayName: "Example Creator",
		Bio:         "Placeholder bio line 1\nline 2",
		AvatarURL:   "https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/0000000000000000000000000000000~c5_1080x1080.jpeg?x-expires=1700000000&x-signature=PLACEHOLDER",
		URL:         "https://www.tiktok.com/@example_creator",
		Followers:   1234567,
		Following:   89,
		PostsCount:  321,
		Verified:    true,
		Links:       []string{"https://example.com"},
		Language:    "en",
		CreatedAt:   time.Unix(1580000000, 0).UTC(),
		FetchedAt:   testNow,
	}
	if !equalCreator(cr, want) {
		t.Errorf("Profile =\n%+v\nwant\n%+v", cr, want)
	}
	if got := c.secUIDs[creatorID]; got != secUID {
		t.Errorf("secUid kept = %q, want %q", got, secUID)
	}
	if _, ok := c.firstPages[creatorID]; ok {
		t.Error("an empty userInfo.itemList was kept as a first page")
	}
	reqs := srv.requests()
	if got := srv.paths(); !slices.Equal(got, []string{prefix + "/robots.txt", prefix + "/@" + handle}) {
		t.Fatalf("requests = %v, want robots.txt then the page", got)
	}
	for _, r := range reqs {
		if ua := r.header.Get("User-Agent"); ua != testUA {
			t.Errorf("%s: User-Agent = %q, want %q", r.path, ua, testUA)
		}
	}
	if a := reqs[1].header.Get("Accept"); !strings.Contains(a, "text/html") {
		t.Errorf("page Accept = %q", a)
	}
	s := c.Stats()
	if s.Requests != 2 || s.ByStatus[200] != 2 {
		t.Errorf("stats = %+v, want the robots.txt and page requests counted", s)
	}
}

func equalCreator(a, b model.Creator) bool {
	return a.Platform == b.Platform && a.ID == b.ID && a.Handle == b.Handle && a.DisplayName == b.DisplayName &&
		a.Bio == b.Bio && a.AvatarURL == b.AvatarURL && a.URL == b.URL && a.Followers == b.Followers &&
		a.Following == b.Following && a.PostsCount == b.PostsCount && a.Verified == b.Verified &&
		a.Private == b.Private && a.Bot == b.Bot && slices.Equal(a.Links, b.Links) && a.Language == b.Language &&
		a.CreatedAt.Equal(b.CreatedAt) && a.FetchedAt.Equal(b.FetchedAt)
}

func TestProfileSigiStateLegacyAndEmbeddedVideos(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case prefix + "/@" + handle:
			writeHTML(w, readFile(t, "profile_sigi_state_legacy.html"))
		case prefix + endpointItemList:
			q := r.URL.Query()
			if q.Get("secUid") != secUID || q.Get("cursor") != "1718800000000" || q.Get("count") != "30" {
				t.Errorf("item_list query = %s", r.URL.RawQuery)
			}
			v := jsonFile(t, "api_post_item_list.json")
			v["itemList"], v["hasMore"] = []any{}, false
			writeJSON(w, marshal(t, v))
		default:
			t.Errorf("unexpected request %s", r.URL)
		}
	})
	c := newTestCollector(t, testEnv(srv.base))
	ctx := context.Background()
	cr, err := c.Profile(ctx, handle)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Creator{
		Platform:    "tiktok",
		ID:          creatorID,
		Handle:      handle,
		DisplayName: "Example Creator",
		Bio:         "Placeholder bio line 1\nline 2",
		AvatarURL:   "https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/0000000000000000000000000000000~c5_1080x1080.jpeg?x-expires=1700000000&x-signature=PLACEHOLDER",
		URL:         "https://www.tiktok.com/@example_creator",
		Followers:   1234567,
		Following:   89,
		PostsCount:  321,
		Verified:    true,
		CreatedAt:   time.Unix(1580000000, 0).UTC(),
		FetchedAt:   testNow,
	}
	if !equalCreator(cr, want) {
		t.Errorf("Profile =\n%+v\nwant\n%+v", cr, want)
	}

	// The first page comes from ItemModule, in ItemList order, with no request.
	page, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.count(prefix + endpointItemList); n != 0 {
		t.Errorf("%d item_list requests for the first page, want 0 (ItemModule)", n)
	}
	if len(page.Posts) != 2 || page.Posts[0].ID != video1 || page.Posts[1].ID != video2 {
		t.Fatalf("posts = %+v", page.Posts)
	}
	p := page.Posts[0]
	if p.CreatorID != creatorID || model.Val(p.Likes) != 150200 || model.Val(p.Comments) != 3400 ||
		model.Val(p.Shares) != 2100 || model.Val(p.Views) != 2500000 || model.Val(p.Saves) != 9100 ||
		p.URL != "https://www.tiktok.com/@example_creator/video/7300000000000000001" ||
		!p.CreatedAt.Equal(time.Unix(1718900000, 0)) || !slices.Equal(p.Hashtags, []string{"example"}) {
		t.Errorf("ItemModule post = %+v", p)
	}
	if page.Next != "1718800000000" {
		t.Fatalf("Next = %q, want ItemList[\"user-post\"].cursor", page.Next)
	}
	page, err = c.Posts(ctx, cr, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 0 || page.Next != "" {
		t.Errorf("page 2 = %+v, want empty and the end", page)
	}
	if n := srv.count(prefix + endpointItemList); n != 1 {
		t.Errorf("%d item_list requests, want 1", n)
	}
}

func TestPostsItemList(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case prefix + "/@" + handle:
			writeHTML(w, readFile(t, "profile_universal_data.html"))
		case prefix + endpointItemList:
			q := r.URL.Query()
			wantCursor := map[int]string{1: "0", 2: "1718800000000"}[n]
			if q.Get("secUid") != secUID || q.Get("cursor") != wantCursor || q.Get("count") != "30" {
				t.Errorf("item_list request %d query = %s", n, r.URL.RawQuery)
			}
			if n == 1 {
				writeJSON(w, readFile(t, "api_post_item_list.json"))
				return
			}
			v := jsonFile(t, "api_post_item_list.json")
			v["itemList"] = v["itemList"].([]any)[1:]
			v["hasMore"], v["cursor"] = false, "1718700000000"
			writeJSON(w, marshal(t, v))
		default:
			t.Errorf("unexpected request %s", r.URL)
		}
	})
	c := newTestCollector(t, testEnv(srv.base))
	ctx := context.Background()
	cr, err := c.Profile(ctx, handle)
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 2 {
		t.Fatalf("got %d posts, want 2", len(page.Posts))
	}
	type counts struct{ likes, comments, shares, saves, views int64 }
	want := map[string]counts{
		video1: {150200, 3400, 2100, 9100, 2500000},
		video2: {8800, 410, 95, 520, 180000},
	}
	for i, p := range page.Posts {
		id := []string{video1, video2}[i]
		if p.ID != id || p.Platform != Platform || p.CreatorID != creatorID || p.Kind != "video" || p.IsReply {
			t.Errorf("post %d = %+v", i, p)
		}
		if p.Likes == nil || p.Comments == nil || p.Shares == nil || p.Saves == nil || p.Views == nil || p.Quotes != nil {
			t.Fatalf("post %s has nil counters: %+v", p.ID, p)
		}
		if got := (counts{*p.Likes, *p.Comments, *p.Shares, *p.Saves, *p.Views}); got != want[id] {
			t.Errorf("post %s counts = %+v, want %+v", id, got, want[id])
		}
		if p.URL != "https://www.tiktok.com/@example_creator/video/"+id || !slices.Equal(p.Hashtags, []string{"example"}) ||
			!p.FetchedAt.Equal(testNow) {
			t.Errorf("post %s URL/Hashtags/FetchedAt = %q %v %v", id, p.URL, p.Hashtags, p.FetchedAt)
		}
	}
	if p := page.Posts[0]; p.Text != "Placeholder caption 1 #example" || !p.CreatedAt.Equal(time.Date(2024, 6, 20, 16, 13, 20, 0, time.UTC)) {
		t.Errorf("post 1 Text/CreatedAt = %q %v", p.Text, p.CreatedAt)
	}
	if page.Next != "1718800000000" {
		t.Fatalf("Next = %q, want the answer's cursor while hasMore", page.Next)
	}
	page, err = c.Posts(ctx, cr, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 1 || page.Posts[0].ID != video2 || page.Next != "" {
		t.Errorf("last page = %+v, want video 2 and no next cursor", page)
	}
}

func TestPostsRereadsProfileForSecUID(t *testing.T) {
	srv := newServer(t, "robots.txt", routes(t, map[string][]byte{
		"/@" + handle:    readFile(t, "profile_universal_data.html"),
		endpointItemList: readFile(t, "api_post_item_list.json"),
	}))
	c := newTestCollector(t, testEnv(srv.base)) // a fresh collector: no secUid known
	page, err := c.Posts(context.Background(), model.Creator{Platform: Platform, ID: creatorID, Handle: handle}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 2 {
		t.Errorf("got %d posts", len(page.Posts))
	}
	want := []string{prefix + "/robots.txt", prefix + "/@" + handle, prefix + endpointItemList}
	if got := srv.paths(); !slices.Equal(got, want) {
		t.Errorf("requests = %v, want %v", got, want)
	}

	_, err = c.Posts(context.Background(), model.Creator{Platform: Platform, ID: "42"}, "")
	if err == nil || !strings.Contains(err.Error(), "no handle") {
		t.Errorf("without secUid and handle: err = %v", err)
	}
	_, err = c.Posts(context.Background(), model.Creator{Platform: Platform, ID: "42", Handle: handle}, "")
	if !errors.Is(err, collectors.ErrNotFound) || !strings.Contains(err.Error(), "changed hands") {
		t.Errorf("handle now held by another user: err = %v, want ErrNotFound", err)
	}
}

func TestThread(t *testing.T) {
	creator := model.Creator{Platform: Platform, ID: creatorID, Handle: handle}
	video := model.Post{Platform: Platform, ID: video1, CreatorID: creatorID}
	// The creator answers reply 101 (reply 102 is theirs in this variant).
	replies := strings.Replace(string(readFile(t, "api_comment_list_reply.json")),
		`"uid": "`+commenter4+`"`, `"uid": "`+creatorID+`"`, 1)

	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, _ int) {
		q := r.URL.Query()
		switch r.URL.Path {
		case prefix + endpointComments:
			if q.Get("aweme_id") != video1 || q.Get("cursor") != "0" || q.Get("count") != "50" {
				t.Errorf("comment list query = %s", r.URL.RawQuery)
			}
			writeJSON(w, readFile(t, "api_comment_list.json"))
		case prefix + endpointReplies:
			if q.Get("item_id") != video1 || q.Get("comment_id") != comment1 || q.Get("cursor") != "0" || q.Get("count") != "50" {
				t.Errorf("reply list query = %s", r.URL.RawQuery)
			}
			writeJSON(w, []byte(replies))
		default:
			t.Errorf("unexpected request %s", r.URL)
		}
	})
	c := newTestCollector(t, testEnv(srv.base))
	cs, err := c.Thread(context.Background(), creator, video)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		id, parent string
		depth      int
		byCreator  bool
		likes      int64
		author     string
	}
	var gs []got
	for _, cm := range cs {
		gs = append(gs, got{cm.ID, cm.ParentID, cm.Depth, cm.ByCreator, model.Val(cm.Likes), cm.AuthorHandle})
		if cm.PostID != video1 || cm.Platform != Platform || cm.Likes == nil {
			t.Errorf("%s: PostID %q Platform %q Likes %v", cm.ID, cm.PostID, cm.Platform, cm.Likes)
		}
	}
	want := []got{
		{comment1, video1, 1, false, 540, "commenter_1"},
		{reply101, comment1, 2, false, 12, "commenter_3"}, // inlined, and again in the reply list: kept once
		{reply102, reply101, 3, true, 1, "commenter_4"},   // reply_to_reply_id = 101
		{comment2, video1, 1, false, 3, "commenter_2"},
	}
	if !slices.Equal(gs, want) {
		t.Errorf("comments =\n%+v\nwant\n%+v", gs, want)
	}
	first := cs[0]
	if first.Text != "First placeholder comment" || first.AuthorID != "7000000000000000001" ||
		!first.CreatedAt.Equal(time.Unix(1718905000, 0)) {
		t.Errorf("first comment = %+v", first)
	}
	if cs[2].AuthorID != creatorID || cs[2].Text != "reply to a reply" {
		t.Errorf("creator's reply = %+v", cs[2])
	}
	// The commenter's profile as the comment shows it: handle, nickname and
	// an uploaded avatar (the fixture's is not TikTok's default picture);
	// TikTok shows no counts, bio or private flag, so those stay unknown.
	if a := first.Author; a == nil || a.ID != first.AuthorID || a.Handle != "commenter_1" || a.DisplayName == nil || *a.DisplayName != "Commenter 1" ||
		a.HasAvatar == nil || !*a.HasAvatar || a.Followers != nil || a.Following != nil || a.Posts != nil || a.Bio != nil || a.Private != nil {
		t.Errorf("first comment's author = %+v", a)
	}
	// The audience sample: the distinct commenters, newest first, without
	// the creator, no request made.
	s, err := c.Audience(context.Background(), creator, 10, cs)
	if err != nil || s.Requests != 0 || s.Source != model.AudienceCommenters {
		t.Fatalf("Audience = %+v, %v", s, err)
	}
	var handles []string
	for _, a := range s.Accounts {
		handles = append(handles, a.Handle)
		if a.ID == creatorID {
			t.Errorf("the creator is in its own audience sample")
		}
	}
	if len(handles) != 3 || !slices.Contains(handles, "commenter_1") || !slices.Contains(handles, "commenter_2") || !slices.Contains(handles, "commenter_3") {
		t.Errorf("sampled %v, want commenters 1–3", handles)
	}
	// comment 2 has no replies: only comment 1's were fetched, one page each
	// (comment_pages 1) although both lists say has_more.
	if n, m := srv.count(prefix+endpointComments), srv.count(prefix+endpointReplies); n != 1 || m != 1 {
		t.Errorf("%d comment list and %d reply list requests, want 1 and 1", n, m)
	}
}

func TestThreadPagesAndLimits(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, n int) {
		q := r.URL.Query()
		switch r.URL.Path {
		case prefix + endpointComments:
			if want := map[int]string{1: "0", 2: "20"}[n]; q.Get("cursor") != want {
				t.Errorf("comment page %d cursor = %q, want %q", n, q.Get("cursor"), want)
			}
			writeJSON(w, readFile(t, "api_comment_list.json")) // always cursor 20, has_more 1
		case prefix + endpointReplies:
			t.Errorf("reply list read with reply_threads 0: %s", r.URL)
		}
	})
	env := testEnv(srv.base)
	env.Config.Options = map[string]string{"comment_pages": "5", "reply_threads": "0"}
	c := newTestCollector(t, env)
	cs, err := c.Thread(context.Background(), model.Creator{ID: creatorID}, model.Post{ID: video1})
	if err != nil {
		t.Fatal(err)
	}
	// Page 2 repeats page 1 and its cursor does not move: the reading stops
	// there, and nothing is counted twice.
	if n := srv.count(prefix + endpointComments); n != 2 {
		t.Errorf("%d comment list requests, want 2 (a repeated cursor ends the list)", n)
	}
	var ids []string
	for _, cm := range cs {
		ids = append(ids, cm.ID)
	}
	if want := []string{comment1, reply101, comment2}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
}

func TestRobotsDisallowsProfiles(t *testing.T) {
	srv := newServer(t, "robots_disallow_profiles.txt", func(w http.ResponseWriter, r *http.Request, _ int) {
		t.Errorf("request despite robots.txt: %s", r.URL)
	})
	c := newTestCollector(t, testEnv(srv.base))
	_, err := c.Profile(context.Background(), handle)
	if !errors.Is(err, ErrRobotsDisallowed) || !errors.Is(err, collectors.ErrForbidden) {
		t.Fatalf("err = %v, want ErrRobotsDisallowed and ErrForbidden", err)
	}
	if !strings.Contains(err.Error(), "/@example_creator") || !strings.Contains(err.Error(), "robots.txt") {
		t.Errorf("err = %v, want the path and robots.txt named", err)
	}
	// Posts of a known creator must not read the page either.
	_, err = c.Posts(context.Background(), model.Creator{ID: creatorID, Handle: handle}, "")
	if !errors.Is(err, ErrRobotsDisallowed) {
		t.Errorf("Posts err = %v, want ErrRobotsDisallowed", err)
	}
	if got := srv.paths(); !slices.Equal(got, []string{prefix + "/robots.txt"}) {
		t.Errorf("requests = %v, want robots.txt only (read once)", got)
	}
}

func TestRobotsDisallowsTheAPIForOurAgent(t *testing.T) {
	srv := newServer(t, "robots_disallow_api_for_nanoscout.txt", routes(t, map[string][]byte{
		"/@" + handle: readFile(t, "profile_universal_data.html"),
	}))
	c := newTestCollector(t, testEnv(srv.base))
	ctx := context.Background()
	cr, err := c.Profile(ctx, handle)
	if err != nil {
		t.Fatalf("the page is allowed: %v", err)
	}
	_, err = c.Posts(ctx, cr, "")
	if !errors.Is(err, ErrRobotsDisallowed) || !strings.Contains(err.Error(), endpointItemList) {
		t.Errorf("Posts err = %v, want ErrRobotsDisallowed naming the endpoint", err)
	}
	_, err = c.Thread(ctx, cr, model.Post{ID: video1})
	if !errors.Is(err, ErrRobotsDisallowed) {
		t.Errorf("Thread err = %v, want ErrRobotsDisallowed", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests, want robots.txt and the page only", n)
	}
}

func TestRobotsMissingOrUnreachable(t *testing.T) {
	t.Run("404 allows everything", func(t *testing.T) {
		srv := newServer(t, "", func(w http.ResponseWriter, r *http.Request, _ int) {
			if r.URL.Path == prefix+"/robots.txt" {
				http.NotFound(w, r)
				return
			}
			writeHTML(w, readFile(t, "profile_universal_data.html"))
		})
		if _, err := newTestCollector(t, testEnv(srv.base)).Profile(context.Background(), handle); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("5xx disallows everything and is asked again", func(t *testing.T) {
		var robotsUp atomic.Bool
		srv := newServer(t, "", func(w http.ResponseWriter, r *http.Request, _ int) {
			if r.URL.Path == prefix+"/robots.txt" {
				if !robotsUp.Load() {
					http.Error(w, "unavailable", http.StatusServiceUnavailable)
					return
				}
				w.Write(readFile(t, "robots.txt"))
				return
			}
			writeHTML(w, readFile(t, "profile_universal_data.html"))
		})
		env := testEnv(srv.base)
		env.Config.MaxRetries = 1
		c := newTestCollector(t, env)
		_, err := c.Profile(context.Background(), handle)
		if err == nil || !strings.Contains(err.Error(), "robots.txt is unreachable") {
			t.Fatalf("err = %v, want robots.txt unreachable", err)
		}
		if n := srv.count(prefix + "/@" + handle); n != 0 {
			t.Errorf("%d page requests without a readable robots.txt", n)
		}
		if n := srv.count(prefix + "/robots.txt"); n != 2 {
			t.Errorf("robots.txt asked %d times, want 2 (one retry)", n)
		}
		robotsUp.Store(true)
		if _, err := c.Profile(context.Background(), handle); err != nil {
			t.Fatalf("after robots.txt came back: %v", err)
		}
	})
}

func TestLoginWallsAndEmptyPages(t *testing.T) {
	loginRedirect := func(w http.ResponseWriter, r *http.Request, _ int) {
		if strings.HasPrefix(r.URL.Path, prefix+"/login") {
			t.Errorf("the login page was fetched: %s", r.URL)
		}
		http.Redirect(w, r, prefix+"/login?redirect_url="+url.QueryEscape(r.URL.String()), http.StatusFound)
	}
	for name, tc := range map[string]struct {
		serve func(http.ResponseWriter, *http.Request, int)
		want  []error
		text  string
	}{
		"login page":         {htmlFile(t, "login_wall.html"), []error{collectors.ErrLoginWall}, `title "Log in | TikTok"`},
		"captcha":            {htmlFile(t, "challenge.html"), []error{collectors.ErrLoginWall}, "captcha"},
		"redirect to /login": {loginRedirect, []error{collectors.ErrLoginWall}, "redirected to the login page /login"},
		"empty 200": {func(w http.ResponseWriter, _ *http.Request, _ int) { writeHTML(w, nil) },
			[]error{collectors.ErrLoginWall, ErrEmptyPage}, "empty page"},
		"unknown layout": {htmlFile(t, "no_data.html"), []error{collectors.ErrMalformed}, "layout changed"},
		"403 login page": {func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			w.Write(readFile(t, "login_wall.html"))
		}, []error{collectors.ErrLoginWall, collectors.ErrForbidden}, "HTTP 403"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, "robots.txt", tc.serve)
			_, err := newTestCollector(t, testEnv(srv.base)).Profile(context.Background(), handle)
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want %v", err, w)
				}
			}
			if name == "unknown layout" && errors.Is(err, collectors.ErrLoginWall) {
				t.Errorf("an unknown layout was taken for a login wall: %v", err)
			}
			if err != nil && !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %v, want it to say %q", err, tc.text)
			}
		})
	}
}

func TestProfileStatusCodes(t *testing.T) {
	universal := func(mod func(detail map[string]any)) []byte {
		v := pageJSON(t, "profile_universal_data.html")
		mod(userDetailOf(v))
		return withJSON(t, "profile_universal_data.html", v)
	}
	for name, tc := range map[string]struct {
		page []byte
		want error
		code int
	}{
		"private 10222": {universal(func(d map[string]any) { d["statusCode"] = 10222 }), collectors.ErrPrivate, 10222},
		"not found 10202": {universal(func(d map[string]any) {
			d["statusCode"], d["statusMsg"], d["userInfo"] = 10202, "user not exist", map[string]any{}
		}), collectors.ErrNotFound, 10202},
		"banned 10221":   {universal(func(d map[string]any) { d["statusCode"], d["userInfo"] = 10221, map[string]any{} }), collectors.ErrNotFound, 10221},
		"ip blocked":     {universal(func(d map[string]any) { d["statusCode"] = 10204 }), collectors.ErrForbidden, 10204},
		"empty userInfo": {universal(func(d map[string]any) { d["userInfo"] = map[string]any{} }), collectors.ErrNotFound, 0},
		"no userInfo":    {universal(func(d map[string]any) { delete(d, "userInfo") }), collectors.ErrNotFound, 0},
		"privateAccount": {universal(func(d map[string]any) {
			d["userInfo"].(map[string]any)["user"].(map[string]any)["privateAccount"] = true
		}), collectors.ErrPrivate, 0},
		"unknown code": {universal(func(d map[string]any) { d["statusCode"] = 10299 }), nil, 10299},
		"sigi user missing": {withJSON(t, "profile_sigi_state_legacy.html", func() any {
			v := pageJSON(t, "profile_sigi_state_legacy.html")
			v["UserModule"] = map[string]any{"users": map[string]any{}, "stats": map[string]any{}}
			return v
		}()), collectors.ErrNotFound, 0},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, "robots.txt", func(w http.ResponseWriter, _ *http.Request, _ int) { writeHTML(w, tc.page) })
			_, err := newTestCollector(t, testEnv(srv.base)).Profile(context.Background(), handle)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			var se *StatusError
			if tc.code != 0 && (!errors.As(err, &se) || se.Code != tc.code) {
				t.Errorf("err = %v, want a StatusError with code %d", err, tc.code)
			}
			if tc.want == nil && (errors.Is(err, collectors.ErrNotFound) || errors.Is(err, collectors.ErrPrivate)) {
				t.Errorf("an unknown code was mapped to a sentinel: %v", err)
			}
		})
	}
	t.Run("HTTP 404", func(t *testing.T) {
		srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, _ int) { http.NotFound(w, r) })
		_, err := newTestCollector(t, testEnv(srv.base)).Profile(context.Background(), handle)
		if !errors.Is(err, collectors.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestProfileSchemaDrift(t *testing.T) {
	drift := func(mod func(info map[string]any)) []byte {
		v := pageJSON(t, "profile_universal_data.html")
		mod(userDetailOf(v)["userInfo"].(map[string]any))
		return withJSON(t, "profile_universal_data.html", v)
	}
	rename := func(m map[string]any, from, to string) {
		m[to] = m[from]
		delete(m, from)
	}
	for name, tc := range map[string]struct {
		page  []byte
		wants []string // in the error
	}{
		"followerCount renamed": {drift(func(info map[string]any) {
			rename(info["stats"].(map[string]any), "followerCount", "follower_count")
			rename(info["statsV2"].(map[string]any), "followerCount", "follower_count")
		}), []string{"userInfo.stats.followerCount is missing", `"follower_count" is there instead`}},
		"stats missing": {drift(func(info map[string]any) {
			delete(info, "stats")
			delete(info, "statsV2")
		}), []string{"userInfo.stats is missing"}},
		"videoCount missing": {drift(func(info map[string]any) {
			delete(info["stats"].(map[string]any), "videoCount")
			delete(info["statsV2"].(map[string]any), "videoCount")
		}), []string{"videoCount is missing"}},
		"counter not a number": {drift(func(info map[string]any) {
			info["stats"].(map[string]any)["followingCount"] = "many"
		}), []string{"userInfo.stats.followingCount"}},
		"user createTime renamed": {drift(func(info map[string]any) {
			rename(info["user"].(map[string]any), "createTime", "create_time")
		}), []string{`userInfo.user.createTime is missing ("create_time" is there instead`}},
		"secUid missing": {drift(func(info map[string]any) {
			delete(info["user"].(map[string]any), "secUid")
		}), []string{"userInfo.user.secUid is missing"}},
		"truncated JSON": {[]byte(strings.Replace(string(readFile(t, "profile_universal_data.html")), `"statusCode":0`, `"statusCode":0,`, 1)),
			[]string{"__UNIVERSAL_DATA_FOR_REHYDRATION__: decoding JSON"}},
		"sigi stats missing": {withJSON(t, "profile_sigi_state_legacy.html", func() any {
			v := pageJSON(t, "profile_sigi_state_legacy.html")
			delete(v["UserModule"].(map[string]any), "stats")
			return v
		}()), []string{`UserModule.stats["example_creator"] is missing`}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, "robots.txt", func(w http.ResponseWriter, _ *http.Request, _ int) { writeHTML(w, tc.page) })
			cr, err := newTestCollector(t, testEnv(srv.base)).Profile(context.Background(), handle)
			if !errors.Is(err, collectors.ErrMalformed) {
				t.Fatalf("err = %v (creator %+v), want ErrMalformed", err, cr)
			}
			if _, ok := collectors.DriftField(err); !ok && name != "truncated JSON" {
				t.Errorf("err = %v, want a *collectors.DriftError naming the field", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
		})
	}
	t.Run("statsV2 fills in", func(t *testing.T) {
		page := drift(func(info map[string]any) { delete(info["stats"].(map[string]any), "followerCount") })
		srv := newServer(t, "robots.txt", func(w http.ResponseWriter, _ *http.Request, _ int) { writeHTML(w, page) })
		cr, err := newTestCollector(t, testEnv(srv.base)).Profile(context.Background(), handle)
		if err != nil || cr.Followers != 1234567 {
			t.Errorf("Followers = %d, %v; want 1234567 from statsV2", cr.Followers, err)
		}
	})
}

// itemListServer serves the profile page and an item_list answer derived
// from the fixture.
func itemListServer(t *testing.T, body []byte) *server {
	return newServer(t, "robots.txt", routes(t, map[string][]byte{
		"/@" + handle:    readFile(t, "profile_universal_data.html"),
		endpointItemList: body,
		endpointComments: readFile(t, "api_comment_list.json"),
	}))
}

func TestPostsSchemaDrift(t *testing.T) {
	variant := func(mod func(item map[string]any)) []byte {
		v := jsonFile(t, "api_post_item_list.json")
		mod(v["itemList"].([]any)[1].(map[string]any))
		return marshal(t, v)
	}
	for name, tc := range map[string]struct {
		body  []byte
		wants []string
	}{
		"stats missing": {variant(func(it map[string]any) { delete(it, "stats"); delete(it, "statsV2") }),
			[]string{"GET /api/post/item_list/: itemList[1] (video 7300000000000000002): stats is missing"}},
		"playCount missing": {variant(func(it map[string]any) {
			delete(it["stats"].(map[string]any), "playCount")
			delete(it["statsV2"].(map[string]any), "playCount")
		}), []string{"stats.playCount is missing"}},
		"diggCount renamed": {variant(func(it map[string]any) {
			st := it["stats"].(map[string]any)
			st["digg_count"] = st["diggCount"]
			delete(st, "diggCount")
			delete(it["statsV2"].(map[string]any), "diggCount")
		}), []string{"stats.diggCount is missing", `"digg_count" is there instead`}},
		"id missing":         {variant(func(it map[string]any) { delete(it, "id") }), []string{"itemList[1].id is missing"}},
		"createTime missing": {variant(func(it map[string]any) { delete(it, "createTime") }), []string{"createTime is missing"}},
		"truncated":          {readFile(t, "api_post_item_list.json")[:500], []string{"GET /api/post/item_list/: decoding JSON"}},
		"not JSON":           {[]byte("<p>oops</p>"), []string{"GET /api/post/item_list/: got an HTML page instead of JSON"}},
		"no status code": {func() []byte {
			v := jsonFile(t, "api_post_item_list.json")
			delete(v, "statusCode")
			delete(v, "status_code")
			return marshal(t, v)
		}(), []string{"statusCode is missing"}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := itemListServer(t, tc.body)
			c := newTestCollector(t, testEnv(srv.base))
			cr, err := c.Profile(context.Background(), handle)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Posts(context.Background(), cr, "")
			if !errors.Is(err, collectors.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if _, ok := collectors.DriftField(err); !ok && name != "not JSON" && name != "truncated" {
				t.Errorf("err = %v, want a *collectors.DriftError naming the field", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
		})
	}
	t.Run("statsV2 strings fill in, collectCount optional", func(t *testing.T) {
		srv := itemListServer(t, variant(func(it map[string]any) {
			delete(it["stats"].(map[string]any), "playCount")
			delete(it["stats"].(map[string]any), "collectCount")
			delete(it["statsV2"].(map[string]any), "collectCount")
		}))
		c := newTestCollector(t, testEnv(srv.base))
		cr, _ := c.Profile(context.Background(), handle)
		page, err := c.Posts(context.Background(), cr, "")
		if err != nil {
			t.Fatal(err)
		}
		p := page.Posts[1]
		if p.Views == nil || *p.Views != 180000 || p.Saves != nil {
			t.Errorf("Views %v Saves %v, want 180000 from statsV2 and nil", p.Views, p.Saves)
		}
	})
}

func TestAPIRefusals(t *testing.T) {
	cr := model.Creator{Platform: Platform, ID: creatorID, Handle: handle}
	itemList := func(mod func(v map[string]any)) []byte {
		v := jsonFile(t, "api_post_item_list.json")
		mod(v)
		return marshal(t, v)
	}
	commentList := func(mod func(v map[string]any)) []byte {
		v := jsonFile(t, "api_comment_list.json")
		mod(v)
		return marshal(t, v)
	}
	posts := func(c *Collector) error { _, err := c.Posts(context.Background(), cr, ""); return err }
	thread := func(c *Collector) error {
		_, err := c.Thread(context.Background(), cr, model.Post{ID: video1})
		return err
	}
	for name, tc := range map[string]struct {
		path  string
		serve func(http.ResponseWriter, *http.Request)
		call  func(*Collector) error
		want  []error
		text  string
	}{
		"item_list login page": {endpointItemList, func(w http.ResponseWriter, _ *http.Request) { writeHTML(w, readFile(t, "login_wall.html")) },
			posts, []error{collectors.ErrLoginWall}, "GET /api/post/item_list/: got a login page"},
		"item_list empty body": {endpointItemList, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, nil) },
			posts, []error{collectors.ErrLoginWall, ErrEmptyPage}, "empty body"},
		"item_list redirect to login": {endpointItemList, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, prefix+"/login", http.StatusFound)
		}, posts, []error{collectors.ErrLoginWall}, "redirected to the login page"},
		"item_list private": {endpointItemList, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, itemList(func(v map[string]any) { v["statusCode"], v["status_code"], v["itemList"] = 10222, 10222, []any{} }))
		}, posts, []error{collectors.ErrPrivate}, "status code 10222 (private account)"},
		"comments ip blocked": {endpointComments, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, commentList(func(v map[string]any) { v["status_code"], v["status_msg"] = 10204, "blocked" }))
		}, thread, []error{collectors.ErrForbidden}, `GET /api/comment/list/: TikTok status code 10204 (IP address blocked): "blocked"`},
		"comments unknown code": {endpointComments, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, commentList(func(v map[string]any) { v["status_code"] = 5 }))
		}, thread, nil, "TikTok status code 5"},
		"comments has_more renamed": {endpointComments, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, []byte(strings.ReplaceAll(string(readFile(t, "api_comment_list.json")), `"has_more":`, `"hasMore":`)))
		}, thread, []error{collectors.ErrMalformed}, `answer.has_more is missing ("hasMore" is there instead`},
		"comments cid renamed": {endpointComments, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, []byte(strings.ReplaceAll(string(readFile(t, "api_comment_list.json")), `"cid":`, `"comment_id":`)))
		}, thread, []error{collectors.ErrMalformed}, `comments[0].cid is missing ("comment_id" is there instead`},
		"item_list hasMore missing": {endpointItemList, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, itemList(func(v map[string]any) { delete(v, "hasMore") }))
		}, posts, []error{collectors.ErrMalformed}, "answer.hasMore is missing"},
		"item_list createTime renamed": {endpointItemList, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, []byte(strings.ReplaceAll(string(readFile(t, "api_post_item_list.json")), `"createTime":`, `"create_time":`)))
		}, posts, []error{collectors.ErrMalformed}, `item.createTime is missing ("create_time" is there instead`},
		"comments no status_code": {endpointComments, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, []byte(`{}`)) },
			thread, []error{collectors.ErrMalformed}, "status_code is missing"},
		"comment digg_count missing": {endpointComments, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, commentList(func(v map[string]any) {
				delete(v["comments"].([]any)[1].(map[string]any), "digg_count")
			}))
		}, thread, []error{collectors.ErrMalformed}, "GET /api/comment/list/: comments[1].digg_count is missing"},
		"inline reply uid missing": {endpointComments, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, commentList(func(v map[string]any) {
				r := v["comments"].([]any)[0].(map[string]any)["reply_comment"].([]any)[0].(map[string]any)
				delete(r["user"].(map[string]any), "uid")
			}))
		}, thread, []error{collectors.ErrMalformed}, "comments[0].reply_comment[0].user.uid is missing"},
		"comments captcha": {endpointComments, func(w http.ResponseWriter, _ *http.Request) { writeHTML(w, readFile(t, "challenge.html")) },
			thread, []error{collectors.ErrLoginWall}, "captcha"},
		"replies 404": {endpointReplies, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			thread, []error{collectors.ErrNotFound}, "GET /api/comment/list/reply/"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, _ int) {
				switch strings.TrimPrefix(r.URL.Path, prefix) {
				case tc.path:
					tc.serve(w, r)
				case "/@" + handle:
					writeHTML(w, readFile(t, "profile_universal_data.html"))
				case endpointComments:
					writeJSON(w, readFile(t, "api_comment_list.json"))
				case "/login":
					t.Errorf("the login page was fetched")
				default:
					t.Errorf("unexpected request %s", r.URL)
				}
			})
			err := tc.call(newTestCollector(t, testEnv(srv.base)))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want %v", err, w)
				}
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %v, want it to contain %q", err, tc.text)
			}
		})
	}
}

func TestPage500ThenSuccess(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			http.Error(w, "<html><title>Internal error</title></html>", http.StatusInternalServerError)
			return
		}
		writeHTML(w, readFile(t, "profile_universal_data.html"))
	})
	c := newTestCollector(t, testEnv(srv.base))
	cr, err := c.Profile(context.Background(), handle)
	if err != nil {
		t.Fatal(err)
	}
	if cr.ID != creatorID {
		t.Errorf("ID = %q", cr.ID)
	}
	s := c.Stats()
	if s.Requests != 3 || s.Retries != 1 || s.ByStatus[500] != 1 || s.ByStatus[200] != 2 {
		t.Errorf("stats = %+v, want robots + two page attempts, one retry", s)
	}
}

func TestPage429ThenSuccess(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "0.3")
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		writeHTML(w, readFile(t, "profile_universal_data.html"))
	})
	c := newTestCollector(t, testEnv(srv.base))
	start := time.Now()
	if _, err := c.Profile(context.Background(), handle); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("retried after %v, before Retry-After", d)
	}
	if s := c.Stats(); s.Throttled != 1 || s.ByStatus[429] != 1 || s.Retries != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestAPI429BeyondMaxRetryWait(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case prefix + "/@" + handle:
			writeHTML(w, readFile(t, "profile_universal_data.html"))
		default:
			w.Header().Set("Retry-After", "3600")
			http.Error(w, `{"status_code":429}`, http.StatusTooManyRequests)
		}
	})
	c := newTestCollector(t, testEnv(srv.base))
	cr, err := c.Profile(context.Background(), handle)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Posts(context.Background(), cr, "")
	var rl *collectors.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter < 59*time.Minute {
		t.Fatalf("err = %v, want a RateLimitError of about an hour", err)
	}
	if !strings.Contains(err.Error(), endpointItemList) {
		t.Errorf("err = %v, want the endpoint named", err)
	}
	if n := srv.count(prefix + endpointItemList); n != 1 {
		t.Errorf("%d item_list requests, want 1", n)
	}
}

func TestPageTimeoutIsRetried(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
			return
		}
		writeHTML(w, readFile(t, "profile_universal_data.html"))
	})
	env := testEnv(srv.base)
	env.Config.Timeout = 150 * time.Millisecond
	c := newTestCollector(t, env)
	if _, err := c.Profile(context.Background(), handle); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Retries != 1 {
		t.Errorf("stats = %+v, want one retry after the timeout", s)
	}
}

// TestLimiterPacesHTMLAndJSON: at 10 requests/s with a burst of 1, the six
// requests of one creator (robots.txt, the page, two item_list pages, the
// comments and one reply list) share one budget and take at least 0.5 s.
func TestLimiterPacesHTMLAndJSON(t *testing.T) {
	srv := newServer(t, "robots.txt", func(w http.ResponseWriter, r *http.Request, n int) {
		switch strings.TrimPrefix(r.URL.Path, prefix) {
		case "/@" + handle:
			writeHTML(w, readFile(t, "profile_universal_data.html"))
		case endpointItemList:
			if n == 1 {
				writeJSON(w, readFile(t, "api_post_item_list.json"))
				return
			}
			v := jsonFile(t, "api_post_item_list.json")
			v["hasMore"] = false
			writeJSON(w, marshal(t, v))
		case endpointComments:
			writeJSON(w, readFile(t, "api_comment_list.json"))
		case endpointReplies:
			writeJSON(w, readFile(t, "api_comment_list_reply.json"))
		default:
			t.Errorf("unexpected request %s", r.URL)
		}
	})
	env := testEnv(srv.base)
	env.Config.RatePerSecond, env.Config.Burst = 10, 1
	c := newTestCollector(t, env)
	ctx := context.Background()
	start := time.Now()
	cr, err := c.Profile(ctx, handle)
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Posts(ctx, cr, page.Next); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Thread(ctx, cr, page.Posts[0]); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	reqs := srv.requests()
	if len(reqs) != 6 {
		t.Fatalf("%d requests (%v), want 6", len(reqs), srv.paths())
	}
	if elapsed < 500*time.Millisecond {
		t.Errorf("6 requests at 10/s (burst 1) took %v, want ≥ 0.5 s", elapsed)
	}
	s := c.Stats()
	if s.Requests != 6 || s.ByStatus[200] != 6 {
		t.Errorf("stats = %+v, want all 6 requests counted", s)
	}
	if s.LimiterWait < 350*time.Millisecond {
		t.Errorf("LimiterWait = %v, want about 0.5 s", s.LimiterWait)
	}
	for _, r := range reqs {
		if ua := r.header.Get("User-Agent"); ua != testUA {
			t.Errorf("%s: User-Agent = %q", r.path, ua)
		}
	}
}

func TestConcurrentProfilesReadRobotsOnce(t *testing.T) {
	srv := newServer(t, "robots.txt", routes(t, map[string][]byte{"/@" + handle: readFile(t, "profile_universal_data.html")}))
	c := newTestCollector(t, testEnv(srv.base))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.Profile(context.Background(), handle)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := srv.count(prefix + "/robots.txt"); n != 1 {
		t.Errorf("robots.txt read %d times, want once", n)
	}
	if n := srv.count(prefix + "/@" + handle); n != 8 {
		t.Errorf("%d page requests, want 8", n)
	}
}

func TestCancelledContext(t *testing.T) {
	srv := newServer(t, "robots.txt", htmlFile(t, "profile_universal_data.html"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newTestCollector(t, testEnv(srv.base)).Profile(ctx, handle)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]int64{`12`: 12, `"12"`: 12, `true`: 1, `false`: 0, `1.7e3`: 1700} {
		if n, ok, err := parseInt([]byte(in)); err != nil || !ok || n != want {
			t.Errorf("parseInt(%s) = %d %v %v, want %d", in, n, ok, err, want)
		}
	}
	for _, in := range []string{`null`, `""`, ``} {
		if _, ok, err := parseInt([]byte(in)); ok || err != nil {
			t.Errorf("parseInt(%s): ok %v err %v, want unset", in, ok, err)
		}
	}
	for _, in := range []string{`"many"`, `1.5`, `{}`} {
		if _, _, err := parseInt([]byte(in)); err == nil {
			t.Errorf("parseInt(%s) accepted", in)
		}
	}
	if got := snakeCase("followerCount"); got != "follower_count" {
		t.Errorf("snakeCase = %q", got)
	}
	it := item{Desc: "Day 3 #SkateLife #café and #skatelife again", TextExtra: []struct {
		HashtagName string `json:"hashtagName"`
	}{{"skatelife"}}, Challenges: []struct {
		Title string `json:"title"`
	}{{"Tricks"}}}
	if got := hashtags(it); !slices.Equal(got, []string{"skatelife", "tricks", "café"}) {
		t.Errorf("hashtags = %v", got)
	}
	for in, want := range map[string]string{"example.com": "https://example.com", "http://a.b/c": "http://a.b/c", " ": ""} {
		if got := normaliseLink(in); got != want {
			t.Errorf("normaliseLink(%q) = %q, want %q", in, got, want)
		}
	}
	se := &StatusError{Where: "GET /x", Code: 10222}
	if !errors.Is(se, collectors.ErrPrivate) || se.Error() != "GET /x: TikTok status code 10222 (private account)" {
		t.Errorf("StatusError = %q", se.Error())
	}
	if (&StatusError{Code: 1}).Unwrap() != nil {
		t.Error("an unknown code unwraps to a sentinel")
	}
}

// avatar_thumb: TikTok's default picture is no avatar, any other picture an
// uploaded one, and a payload that names none leaves it unknown.
func TestCommentAvatar(t *testing.T) {
	def := "https://p16-sign-va.tiktokcdn.com/musically-maliva-obj/1594805258216454~c5_100x100.jpeg?x-expires=1700000000&x-signature=x"
	own := "https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/0a1b2c3d~c5_100x100.jpeg?x-expires=1700000000&x-signature=y"
	for _, tc := range []struct {
		name string
		json string
		want *bool
	}{
		{"default picture by URL", `{"avatar_thumb":{"uri":"","url_list":["` + def + `"]}}`, model.B(false)},
		{"default picture by uri", `{"avatar_thumb":{"uri":"musically-maliva-obj/1594805258216454","url_list":[]}}`, model.B(false)},
		{"uploaded", `{"avatar_thumb":{"uri":"tos-maliva-avt-0068/0a1b2c3d","url_list":["` + own + `"]}}`, model.B(true)},
		{"no avatar_thumb", `{}`, nil},
		{"avatar_thumb null", `{"avatar_thumb":null}`, nil},
		{"empty avatar_thumb", `{"avatar_thumb":{"uri":"","url_list":[""]}}`, nil},
	} {
		var cm comment
		if err := json.Unmarshal([]byte(`{"cid":"1","user":`+tc.json+`}`), &cm); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := commentAuthor(cm).HasAvatar
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s: HasAvatar %v, want %v", tc.name, fmtB(got), fmtB(tc.want))
		}
	}
}

func fmtB(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return strconv.FormatBool(*b)
}
