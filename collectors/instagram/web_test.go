package instagram

import (
	"context"
	"encoding/json"
	"errors"
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
	srv := newFakeServer(t, nil)
	col, err := collectors.New(Platform, testEnv(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := col.(*Collector)
	if !ok {
		t.Fatalf("registry built %T", col)
	}
	if c.Platform() != "instagram" || c.Source() != SourceWeb || c.appID != DefaultAppID {
		t.Errorf("Platform %q Source %q appID %q", c.Platform(), c.Source(), c.appID)
	}
	if _, ok := col.(collectors.Discoverer); ok {
		t.Error("implements Discoverer; Instagram has no public discovery")
	}
	if _, ok := col.(collectors.Snowballer); ok {
		t.Error("implements Snowballer; the web profile has no related-profiles edge")
	}
	if n := len(srv.requests()); n != 0 || c.Stats().Requests != 0 {
		t.Errorf("New made %d requests", n)
	}
}

func TestNewConfig(t *testing.T) {
	cases := []struct {
		name    string
		cfg     collectors.PlatformConfig
		wantErr string
		check   func(*testing.T, *Collector)
	}{
		{name: "defaults", check: func(t *testing.T, c *Collector) {
			if c.base != DefaultBaseURL || c.graphBase != DefaultGraphBaseURL || c.graphVersion != DefaultGraphVersion ||
				c.commentPages != DefaultCommentPages || c.childThreads != DefaultChildThreads || c.mediaLimit != DefaultMediaLimit {
				t.Errorf("defaults = %+v", c)
			}
		}},
		{name: "graph", cfg: collectors.PlatformConfig{Options: map[string]string{
			"source": "graph", "ig_user_id": igUserID, "graph_version": "v24.0", "graph_base_url": "http://127.0.0.1:1/instagram/", "media_limit": "12",
		}}, check: func(t *testing.T, c *Collector) {
			if c.Source() != SourceGraph || c.graphBase != "http://127.0.0.1:1/instagram" || c.graphVersion != "v24.0" || c.mediaLimit != 12 {
				t.Errorf("graph config = %+v", c)
			}
		}},
		{name: "options", cfg: collectors.PlatformConfig{BaseURL: "http://sim:8080/instagram//", Options: map[string]string{
			"app_id": "124024574287414", "comment_pages": "7", "child_threads": "0",
		}}, check: func(t *testing.T, c *Collector) {
			if c.base != "http://sim:8080/instagram" || c.graphBase != c.base || c.appID != "124024574287414" ||
				c.commentPages != 7 || c.childThreads != 0 || !c.comments {
				t.Errorf("config = %+v", c)
			}
		}},
		{name: "graph without ig_user_id", cfg: collectors.PlatformConfig{Options: map[string]string{"source": "graph"}}, wantErr: "ig_user_id"},
		{name: "unknown source", cfg: collectors.PlatformConfig{Options: map[string]string{"source": "scrape"}}, wantErr: "source"},
		{name: "unknown option", cfg: collectors.PlatformConfig{Options: map[string]string{"appid": "1"}}, wantErr: `"appid"`},
		{name: "unknown credential", cfg: collectors.PlatformConfig{Credentials: map[string]string{"session": "X"}}, wantErr: "session"},
		{name: "bad base", cfg: collectors.PlatformConfig{BaseURL: "i.instagram.com"}, wantErr: "base_url"},
		{name: "bad app id", cfg: collectors.PlatformConfig{Options: map[string]string{"app_id": "web"}}, wantErr: "app_id"},
		{name: "bad pages", cfg: collectors.PlatformConfig{Options: map[string]string{"comment_pages": "0"}}, wantErr: "comment_pages"},
		{name: "bad version", cfg: collectors.PlatformConfig{Options: map[string]string{"graph_version": "25"}}, wantErr: "graph_version"},
		{name: "bad ig_user_id", cfg: collectors.PlatformConfig{Options: map[string]string{"ig_user_id": "me"}}, wantErr: "ig_user_id"},
		{name: "comments off", cfg: collectors.PlatformConfig{Options: map[string]string{"comments": "false"}}, check: func(t *testing.T, c *Collector) {
			if c.comments || c.graphBase != DefaultGraphBaseURL {
				t.Errorf("comments %v graphBase %q", c.comments, c.graphBase)
			}
		}},
		{name: "bad comments", cfg: collectors.PlatformConfig{Options: map[string]string{"comments": "sometimes"}}, wantErr: "comments"},
		{name: "bad media limit", cfg: collectors.PlatformConfig{Options: map[string]string{"media_limit": "500"}}, wantErr: "media_limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newCollector(collectors.Env{Config: tc.cfg})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestWebProfileAndPosts(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		profilePath: requireAppID(DefaultAppID, file(t, "web_profile_info.json", 200)),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	ctx := context.Background()
	cr, err := c.Profile(ctx, "https://www.instagram.com/Example.Brand/")
	if err != nil {
		t.Fatal(err)
	}
	want := model.Creator{
		Platform:    "instagram",
		ID:          userID,
		Handle:      userName,
		DisplayName: "Example Brand",
		Bio:         "Placeholder biography. Not a real account.",
		AvatarURL:   "https://scontent-iad3-1.cdninstagram.com/v/t51.2885-19/placeholder_profile_n.jpg?stp=dst-jpg_s150x150&_nc_ht=scontent-iad3-1.cdninstagram.com&oh=00_PLACEHOLDER&oe=66000000&_nc_sid=8b3546",
		URL:         "https://www.instagram.com/example.brand/",
		Followers:   123456,
		Following:   512,
		PostsCount:  1205,
		Verified:    true,
		Links:       []string{"https://example.com/"}, // bio_links[0].url and external_url, once
		FetchedAt:   fixedNow,
	}
	if !equalJSON(t, cr, want) {
		t.Errorf("Profile =\n%+v\nwant\n%+v", cr, want)
	}
	r := srv.requests()[0]
	if r.URL.Query().Get("username") != userName || r.Header.Get("x-ig-app-id") != DefaultAppID || r.Header.Get("User-Agent") != testUA {
		t.Errorf("request %s headers %v", r.URL, r.Header)
	}

	page, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("Posts after Profile made %d requests in all, want 1 (the posts come with the profile)", n)
	}
	if page.Next != "" {
		t.Errorf("Next = %q; the web source has no further pages", page.Next)
	}
	// The fixture holds 3 of the usual 12 edges: a reel, a photo, a carousel.
	type got struct {
		id, kind, text, url   string
		created               time.Time
		likes, comments, view any
		tags                  []string
	}
	var gs []got
	for _, p := range page.Posts {
		gs = append(gs, got{p.ID, p.Kind, p.Text, p.URL, p.CreatedAt, val(p.Likes), val(p.Comments), val(p.Views), p.Hashtags})
		if p.Platform != Platform || p.CreatorID != userID || p.IsReply || !p.FetchedAt.Equal(fixedNow) {
			t.Errorf("post %s: %+v", p.ID, p)
		}
	}
	wantPosts := []got{
		{reelPK, "reel", "Placeholder reel caption #example", "https://www.instagram.com/reel/C1AAAAAAAAA/",
			time.Unix(1718900000, 0).UTC(), int64(15230), int64(412), int64(480211), []string{"example"}},
		{photoPK, "image", "Placeholder photo caption", "https://www.instagram.com/p/C1BBBBBBBBB/",
			time.Unix(1718800000, 0).UTC(), int64(8841), int64(97), nil, nil},
		{albumPK, "carousel", "Placeholder carousel caption", "https://www.instagram.com/p/C1CCCCCCCCC/",
			time.Unix(1718700000, 0).UTC(), int64(3120), int64(0), nil, nil},
	}
	if !equalJSON(t, gs, wantPosts) {
		t.Errorf("posts =\n%+v\nwant\n%+v", gs, wantPosts)
	}

	// The cache is used once: a second Posts fetches the profile again.
	page2, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page2.Posts) != 3 || srv.count(profilePath) != 2 {
		t.Errorf("cold cache: %d posts, %d profile requests; want 3 and 2", len(page2.Posts), srv.count(profilePath))
	}
	if _, err := c.Posts(ctx, cr, "QVFEUExBQ0VIT0xERVJfQ1VSU09S"); err == nil {
		t.Error("Posts with a cursor succeeded; the web source has no further pages")
	}
}

func TestWebPostsColdCacheChecksTheAccount(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: file(t, "web_profile_info.json", 200)})
	c := newTestCollector(t, testEnv(srv.URL))
	_, err := c.Posts(context.Background(), model.Creator{Platform: Platform, ID: "999", Handle: userName}, "")
	if !errors.Is(err, collectors.ErrNotFound) || !strings.Contains(err.Error(), userID) {
		t.Errorf("err = %v, want ErrNotFound naming the new owner %s", err, userID)
	}
	page, err := c.Posts(context.Background(), model.Creator{Platform: Platform, Handle: "@" + userName}, "")
	if err != nil || len(page.Posts) != 3 {
		t.Errorf("Posts by handle only = %d posts, %v", len(page.Posts), err)
	}
}

func TestWebAppIDHeader(t *testing.T) {
	t.Run("configured id is sent", func(t *testing.T) {
		srv := newFakeServer(t, map[string]http.HandlerFunc{
			profilePath: requireAppID("124024574287414", file(t, "web_profile_info.json", 200)),
		})
		c := newTestCollector(t, testEnv(srv.URL, withOptions("app_id", "124024574287414")))
		if _, err := c.Profile(context.Background(), userName); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("useragent mismatch", func(t *testing.T) {
		srv := newFakeServer(t, map[string]http.HandlerFunc{
			profilePath: requireAppID("1", file(t, "web_profile_info.json", 200)),
		})
		c := newTestCollector(t, testEnv(srv.URL))
		_, err := c.Profile(context.Background(), userName)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Message != "useragent mismatch" {
			t.Fatalf("err = %v, want an APIError with the message", err)
		}
		if !errors.Is(err, collectors.ErrForbidden) || !strings.Contains(err.Error(), "x-ig-app-id") || !strings.Contains(err.Error(), DefaultAppID) {
			t.Errorf("err = %v, want ErrForbidden explaining the app id", err)
		}
		if n := len(srv.requests()); n != 1 {
			t.Errorf("%d requests, want 1 (not retried)", n)
		}
	})
}

func TestWebHiddenCounts(t *testing.T) {
	m := decodeFixture(t, "web_profile_info.json")
	nodes := fixtureNodes(m)
	nodes[0]["like_and_view_counts_disabled"] = true // the reel: likes and views hidden
	obj(nodes[1]["edge_liked_by"])["count"] = -1     // the photo: -1
	obj(nodes[1]["edge_media_preview_like"])["count"] = -1
	delete(nodes[2], "edge_liked_by") // the carousel: no like edge at all
	delete(nodes[2], "edge_media_preview_like")
	srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: jsonBody(t, m, 200)})
	c := newTestCollector(t, testEnv(srv.URL))
	if _, err := c.Profile(context.Background(), userName); err != nil {
		t.Fatal(err)
	}
	page, err := c.Posts(context.Background(), model.Creator{ID: userID, Handle: userName}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Posts {
		if p.Likes != nil || p.Views != nil {
			t.Errorf("post %s: likes %v views %v, want nil (hidden, not zero)", p.ID, val(p.Likes), val(p.Views))
		}
		if p.Comments == nil {
			t.Errorf("post %s: comments hidden too", p.ID)
		}
	}
}

func TestWebPrivate(t *testing.T) {
	m := decodeFixture(t, "web_profile_info.json")
	u := fixtureUser(m)
	u["is_private"] = true
	obj(u["edge_owner_to_timeline_media"])["edges"] = []any{}
	srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: jsonBody(t, m, 200)})
	c := newTestCollector(t, testEnv(srv.URL))
	ctx := context.Background()
	cr, err := c.Profile(ctx, userName)
	if err != nil {
		t.Fatal(err)
	}
	if !cr.Private || cr.Followers != 123456 || cr.PostsCount != 1205 {
		t.Errorf("private profile = %+v", cr)
	}
	if _, err := c.Posts(ctx, cr, ""); !errors.Is(err, collectors.ErrPrivate) {
		t.Errorf("Posts err = %v, want ErrPrivate", err)
	}
	// Without the flag on the creator, the cached profile still knows.
	if _, err := c.Profile(ctx, userName); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Posts(ctx, model.Creator{ID: userID, Handle: userName}, ""); !errors.Is(err, collectors.ErrPrivate) {
		t.Errorf("Posts (cached) err = %v, want ErrPrivate", err)
	}
	if _, err := c.Thread(ctx, cr, model.Post{ID: photoPK}); !errors.Is(err, collectors.ErrPrivate) {
		t.Errorf("Thread err = %v, want ErrPrivate", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (the two profiles)", n)
	}
}

func TestWebNotFound(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"404 empty":           serve(nil, 404, "text/html"),
		"404 html":            file(t, "error_page.html", 404),
		"404 fail":            serve([]byte(`{"message":"User not found","status":"fail"}`), 404, "application/json"),
		"200 user null":       serve([]byte(`{"data":{"user":null},"status":"ok"}`), 200, "application/json"),
		"400 user not found":  serve([]byte(`{"message":"User not found","status":"fail"}`), 400, "application/json"),
		"200 fail not found ": serve([]byte(`{"message":"user not found","status":"fail"}`), 200, "application/json"),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: h})
			c := newTestCollector(t, testEnv(srv.URL))
			_, err := c.Profile(context.Background(), "no.such.user")
			if !errors.Is(err, collectors.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if errors.Is(err, collectors.ErrMalformed) {
				t.Errorf("err = %v is also ErrMalformed", err)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
	c := newTestCollector(t, testEnv("http://127.0.0.1:1"))
	if _, err := c.Profile(context.Background(), "not a user!"); err == nil {
		t.Error("Profile accepted an impossible username")
	}
}

func TestWebSchemaDrift(t *testing.T) {
	cases := []struct {
		field  string
		mutate func(m map[string]any)
	}{
		{"data", func(m map[string]any) { m["graphql"] = m["data"]; delete(m, "data") }},
		{"data.user", func(m map[string]any) { delete(obj(m["data"]), "user") }},
		{"data.user.id", func(m map[string]any) { delete(fixtureUser(m), "id") }},
		{"data.user.edge_followed_by.count", func(m map[string]any) {
			u := fixtureUser(m)
			u["follower_count"] = obj(u["edge_followed_by"])["count"] // renamed
			delete(u, "edge_followed_by")
		}},
		{"data.user.edge_followed_by.count", func(m map[string]any) {
			obj(fixtureUser(m)["edge_followed_by"])["total"] = 5
			delete(obj(fixtureUser(m)["edge_followed_by"]), "count")
		}},
		{"data.user.edge_follow.count", func(m map[string]any) { delete(fixtureUser(m), "edge_follow") }},
		{"data.user.edge_owner_to_timeline_media.count", func(m map[string]any) { delete(fixtureUser(m), "edge_owner_to_timeline_media") }},
		{"data.user.edge_owner_to_timeline_media.edges", func(m map[string]any) {
			delete(obj(fixtureUser(m)["edge_owner_to_timeline_media"]), "edges")
		}},
		{"data.user.edge_owner_to_timeline_media.edges[1].node.taken_at_timestamp", func(m map[string]any) {
			delete(fixtureNodes(m)[1], "taken_at_timestamp")
		}},
		{"data.user.edge_owner_to_timeline_media.edges[2].node.id", func(m map[string]any) { delete(fixtureNodes(m)[2], "id") }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			m := decodeFixture(t, "web_profile_info.json")
			tc.mutate(m)
			srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: jsonBody(t, m, 200)})
			c := newTestCollector(t, testEnv(srv.URL))
			cr, err := c.Profile(context.Background(), userName)
			if !errors.Is(err, collectors.ErrMalformed) {
				t.Fatalf("err = %v (creator %+v), want ErrMalformed", err, cr)
			}
			if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), "web_profile_info") {
				t.Errorf("err = %q, want it to name %s and the endpoint", err, tc.field)
			}
			if f, ok := collectors.DriftField(err); !ok || f != tc.field {
				t.Errorf("drift field = %q (%v), want a *collectors.DriftError naming %s", f, ok, tc.field)
			}
		})
	}
}

func TestWebMalformed(t *testing.T) {
	body := readTestdata(t, "web_profile_info.json")
	for name, h := range map[string]http.HandlerFunc{
		"truncated": serve(body[:500], 200, "application/json"),
		"html":      file(t, "error_page.html", 200),
		"wrong id":  serve([]byte(`{"data":{"user":{"id":true}},"status":"ok"}`), 200, "application/json"),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: h, commentsPath: h})
			c := newTestCollector(t, testEnv(srv.URL))
			_, err := c.Profile(context.Background(), userName)
			if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "/api/v1/users/web_profile_info/") {
				t.Errorf("Profile err = %v, want ErrMalformed naming the endpoint", err)
			}
			if errors.Is(err, collectors.ErrLoginWall) {
				t.Errorf("an error page is not a login wall: %v", err)
			}
			_, err = c.Thread(context.Background(), model.Creator{ID: userID}, model.Post{ID: photoPK})
			if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "/api/v1/media/"+photoPK+"/comments/") {
				t.Errorf("Thread err = %v, want ErrMalformed naming the endpoint", err)
			}
		})
	}
}

func TestWebLoginWall(t *testing.T) {
	loginRedirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/accounts/login/?next=%2Fexample.brand%2F", http.StatusFound)
	}
	for name, h := range map[string]http.HandlerFunc{
		"html 200":       file(t, "login_wall.html", 200),
		"html 403":       file(t, "login_wall.html", 403),
		"redirect":       loginRedirect,
		"require_login":  serve([]byte(`{"message":"Please wait a few minutes before you try again.","require_login":true,"status":"fail"}`), 401, "application/json"),
		"login_required": serve([]byte(`{"message":"login_required","status":"fail"}`), 200, "application/json"),
		"checkpoint":     serve([]byte(`{"message":"checkpoint_required","checkpoint_url":"https://www.instagram.com/challenge/","lock":true,"status":"fail"}`), 400, "application/json"),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, map[string]http.HandlerFunc{
				profilePath:        h,
				"/accounts/login/": file(t, "login_wall.html", 200),
			})
			c := newTestCollector(t, testEnv(srv.URL))
			_, err := c.Profile(context.Background(), userName)
			if !errors.Is(err, collectors.ErrLoginWall) {
				t.Fatalf("err = %v, want ErrLoginWall", err)
			}
			if n := srv.count("/accounts/login/"); n != 0 {
				t.Errorf("followed the redirect to the login page (%d requests)", n)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestWebOrdinaryRedirectFollowed(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		profilePath: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, prefix+"/moved/?"+r.URL.RawQuery, http.StatusMovedPermanently)
		},
		prefix + "/moved/": file(t, "web_profile_info.json", 200),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	if _, err := c.Profile(context.Background(), userName); err != nil {
		t.Fatal(err)
	}
}

func TestWeb429ThenSuccess(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		profilePath: sequence(file(t, "error_rate_limited.json", 429), file(t, "web_profile_info.json", 200)),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	start := time.Now()
	cr, err := c.Profile(context.Background(), userName)
	if err != nil {
		t.Fatal(err)
	}
	if cr.ID != userID {
		t.Errorf("ID = %q", cr.ID)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("retried after %v; a 429 without headers waits 1 s", d)
	}
	s := c.Stats()
	if s.Throttled != 1 || s.Requests != 2 || s.ByStatus[429] != 1 || s.ByStatus[200] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestWeb429Exhausted(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: file(t, "error_rate_limited.json", 429)})
	env := testEnv(srv.URL)
	env.Config.MaxRetryWait = 500 * time.Millisecond // less than the 1 s a bare 429 asks for
	c := newTestCollector(t, env)
	_, err := c.Profile(context.Background(), userName)
	var rl *collectors.RateLimitError
	if !errors.As(err, &rl) || !strings.Contains(err.Error(), "Please wait a few minutes") {
		t.Fatalf("err = %v, want a RateLimitError with Instagram's message", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestWebPleaseWaitWithout429(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{profilePath: file(t, "error_rate_limited.json", 403)})
	c := newTestCollector(t, testEnv(srv.URL))
	_, err := c.Profile(context.Background(), userName)
	var rl *collectors.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != assumedPause || !strings.Contains(err.Error(), "Please wait a few minutes") {
		t.Fatalf("err = %v, want a RateLimitError with the message", err)
	}
	if s := c.Stats(); s.Throttled != 1 || s.Requests != 1 {
		t.Errorf("stats = %+v, want the refusal counted as throttled", s)
	}
}

func TestWebFailBodyMessage(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		profilePath: serve([]byte(`{"message":"Something unusual happened","status":"fail"}`), 200, "application/json"),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	_, err := c.Profile(context.Background(), userName)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Message != "Something unusual happened" || !strings.Contains(err.Error(), "Something unusual happened") {
		t.Errorf("err = %v, want an APIError with the message", err)
	}
}

func TestWeb500ThenSuccess(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		profilePath: sequence(serve([]byte(`{"message":"","status":"fail"}`), 500, "application/json"), file(t, "web_profile_info.json", 200)),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	if _, err := c.Profile(context.Background(), userName); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Retries != 1 || s.ByStatus[500] != 1 || s.ByStatus[200] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

// childPage is api_v1_media_child_comments.json with the creator's own
// answer added.
func childPageWithCreatorReply(t *testing.T) map[string]any {
	m := decodeFixture(t, "api_v1_media_child_comments.json")
	children := m["child_comments"].([]any)
	reply := clone(t, obj(children[0]))
	reply["pk"], reply["user_id"], reply["text"] = "17900000000000102", userID, "@commenter_1 thank you!"
	reply["created_at"], reply["created_at_utc"], reply["comment_like_count"] = 1718811000, 1718811000, 1
	reply["user"] = map[string]any{"pk": userID, "id": userID, "username": userName}
	m["child_comments"] = append(children, reply)
	return m
}

// commentsPage2 is a last page holding one top-level comment by the creator.
func commentsPage2(t *testing.T) map[string]any {
	m := decodeFixture(t, "api_v1_media_comments.json")
	own := clone(t, obj(m["comments"].([]any)[1]))
	own["pk"], own["user_id"], own["text"] = "17900000000000003", userID, "Thanks for all the love"
	own["created_at"], own["created_at_utc"], own["comment_like_count"] = 1718807000, 1718807000, 5
	own["user"] = map[string]any{"pk": userID, "id": userID, "username": userName}
	m["comments"] = []any{own}
	m["has_more_comments"] = false
	m["next_min_id"] = nil
	return m
}

func clone(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

type commentRow struct {
	ID, Parent, Author, Handle, Text string
	Depth                            int
	ByCreator                        bool
	Likes                            any
	Created                          time.Time
}

func rows(cs []model.Comment) []commentRow {
	var out []commentRow
	for _, c := range cs {
		out = append(out, commentRow{c.ID, c.ParentID, c.AuthorID, c.AuthorHandle, c.Text, c.Depth, c.ByCreator, val(c.Likes), c.CreatedAt})
	}
	return out
}

// fixtureRows are the comments of the two fixture files.
var fixtureRows = []commentRow{
	{topPK, photoPK, "5000000001", "commenter_1", "Placeholder top-level comment", 1, false, int64(41), time.Unix(1718805000, 0).UTC()},
	{childPK, topPK, "5000000003", "commenter_3", "@commenter_1 same here", 2, false, int64(2), time.Unix(1718810000, 0).UTC()},
	{otherPK, photoPK, "5000000002", "commenter_2", "Another placeholder comment", 1, false, int64(0), time.Unix(1718806000, 0).UTC()},
}

var photo = model.Post{Platform: Platform, ID: photoPK, CreatorID: userID}
var creator = model.Creator{Platform: Platform, ID: userID, Handle: userName}

func TestThreadFixtures(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		commentsPath: requireAppID(DefaultAppID, file(t, "api_v1_media_comments.json", 200)),
		childPath:    requireAppID(DefaultAppID, file(t, "api_v1_media_child_comments.json", 200)),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	cs, err := c.Thread(context.Background(), creator, photo)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(cs); !equalJSON(t, got, fixtureRows) {
		t.Errorf("comments =\n%+v\nwant\n%+v", got, fixtureRows)
	}
	for _, cm := range cs {
		if cm.Platform != Platform || cm.PostID != photoPK {
			t.Errorf("comment %s: %+v", cm.ID, cm)
		}
	}
	// The commenter's profile as the comment shows it; no counts.
	if a := cs[0].Author; a == nil || a.Handle != "commenter_1" || a.DisplayName == nil || *a.DisplayName != "Commenter 1" ||
		a.Private == nil || *a.Private || a.HasAvatar == nil || !*a.HasAvatar || a.Followers != nil || a.Posts != nil || a.Bio != nil {
		t.Errorf("first comment's author = %+v", a)
	}
	s, err := c.Audience(context.Background(), creator, 2, cs)
	if err != nil || s.Requests != 0 || len(s.Accounts) != 2 || s.Accounts[0].ID == s.Accounts[1].ID {
		t.Errorf("Audience(n=2) = %+v, %v", s, err)
	}
	// Page 1, page 2 (the fixture again: same next_min_id, so the end), and
	// the replies of the one comment with more replies than previewed.
	reqs := srv.requests()
	if len(reqs) != 3 || srv.count(commentsPath) != 2 || srv.count(childPath) != 1 {
		t.Fatalf("%d requests: %v", len(reqs), reqs)
	}
	q1, q2 := reqs[0].URL.Query(), reqs[1].URL.Query()
	if q1.Get("can_support_threading") != "true" || q1.Get("permalink_enabled") != "false" || q1.Has("min_id") {
		t.Errorf("page 1 query = %s", reqs[0].URL.RawQuery)
	}
	if q2.Get("min_id") != nextMinID || q2.Get("can_support_threading") != "true" {
		t.Errorf("page 2 min_id = %q, want the fixture's next_min_id", q2.Get("min_id"))
	}
}

func TestThreadCreatorRepliesAndPaging(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		commentsPath: sequence(file(t, "api_v1_media_comments.json", 200), jsonBody(t, commentsPage2(t), 200)),
		childPath:    jsonBody(t, childPageWithCreatorReply(t), 200),
	})
	c := newTestCollector(t, testEnv(srv.URL, withOptions("comment_pages", "5")))
	cs, err := c.Thread(context.Background(), creator, photo)
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(fixtureRows),
		commentRow{"17900000000000003", photoPK, userID, userName, "Thanks for all the love", 1, true, int64(5), time.Unix(1718807000, 0).UTC()},
		commentRow{"17900000000000102", topPK, userID, userName, "@commenter_1 thank you!", 2, true, int64(1), time.Unix(1718811000, 0).UTC()},
	)
	if got := rows(cs); !equalJSON(t, got, want) {
		t.Errorf("comments =\n%+v\nwant\n%+v", got, want)
	}
	if n := srv.count(commentsPath); n != 2 {
		t.Errorf("%d comment pages read, want 2 (page 2 says has_more_comments false)", n)
	}
}

func TestThreadNumericIDsAndHiddenCommentLikes(t *testing.T) {
	// The private API also sends pks as JSON numbers larger than 2^53.
	body := strings.NewReplacer(
		`"pk": "17900000000000001"`, `"pk": 17900000000000001`,
		`"pk": "5000000001"`, `"pk": 5000000001`,
		`"comment_likes_enabled": true`, `"comment_likes_enabled": false`,
	).Replace(string(readTestdata(t, "api_v1_media_comments.json")))
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		commentsPath: serve([]byte(body), 200, "application/json"),
		childPath:    file(t, "api_v1_media_child_comments.json", 200),
	})
	c := newTestCollector(t, testEnv(srv.URL, withOptions("comment_pages", "1")))
	cs, err := c.Thread(context.Background(), creator, photo)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 || cs[0].ID != topPK || cs[0].AuthorID != "5000000001" || cs[1].ParentID != topPK {
		t.Fatalf("comments = %+v", rows(cs))
	}
	for _, cm := range cs {
		if cm.Likes != nil {
			t.Errorf("comment %s likes = %v with comment likes disabled, want nil", cm.ID, *cm.Likes)
		}
	}
}

func TestThreadCaps(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		commentsPath: file(t, "api_v1_media_comments.json", 200),
		childPath:    file(t, "api_v1_media_child_comments.json", 200),
	})
	c := newTestCollector(t, testEnv(srv.URL, withOptions("comment_pages", "1", "child_threads", "0")))
	cs, err := c.Thread(context.Background(), creator, photo)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(cs); !equalJSON(t, got, fixtureRows) {
		t.Errorf("comments = %+v (the previewed reply must still be there)", got)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestThreadCommentsOff(t *testing.T) {
	srv := newFakeServer(t, nil)
	c := newTestCollector(t, testEnv(srv.URL, withOptions("comments", "false")))
	cs, err := c.Thread(context.Background(), creator, photo)
	if err != nil || cs != nil || len(srv.requests()) != 0 {
		t.Errorf("Thread = %v, %v with %d requests; want nothing", cs, err, len(srv.requests()))
	}
}

func TestWeb5xxFailBodyIsNotGone(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		profilePath: serve([]byte(`{"message":"Service unavailable, user data not found in cache","status":"fail"}`), 503, "application/json"),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	_, err := c.Profile(context.Background(), userName)
	var he *collectors.HTTPError
	if errors.Is(err, collectors.ErrNotFound) || !errors.As(err, &he) || he.Status != 503 {
		t.Errorf("err = %v, want the HTTP 503, not ErrNotFound", err)
	}
	if n := len(srv.requests()); n != 3 {
		t.Errorf("%d requests, want 3 (retried)", n)
	}
}

func TestThreadDrift(t *testing.T) {
	cases := []struct {
		field string
		path  string
		body  func() map[string]any
	}{
		{"comments", commentsPath, func() map[string]any {
			m := decodeFixture(t, "api_v1_media_comments.json")
			m["items"] = m["comments"]
			delete(m, "comments")
			return m
		}},
		{"comments[1].pk", commentsPath, func() map[string]any {
			m := decodeFixture(t, "api_v1_media_comments.json")
			delete(obj(m["comments"].([]any)[1]), "pk")
			return m
		}},
		{"comments[0].preview_child_comments[0].created_at", commentsPath, func() map[string]any {
			m := decodeFixture(t, "api_v1_media_comments.json")
			ch := obj(obj(m["comments"].([]any)[0])["preview_child_comments"].([]any)[0])
			delete(ch, "created_at")
			delete(ch, "created_at_utc")
			return m
		}},
		{"child_comments", childPath, func() map[string]any {
			m := decodeFixture(t, "api_v1_media_child_comments.json")
			delete(m, "child_comments")
			return m
		}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			routes := map[string]http.HandlerFunc{
				commentsPath: file(t, "api_v1_media_comments.json", 200),
				childPath:    file(t, "api_v1_media_child_comments.json", 200),
			}
			routes[tc.path] = jsonBody(t, tc.body(), 200)
			srv := newFakeServer(t, routes)
			c := newTestCollector(t, testEnv(srv.URL, withOptions("comment_pages", "1")))
			_, err := c.Thread(context.Background(), creator, photo)
			if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err = %v, want ErrMalformed naming %s", err, tc.field)
			}
		})
	}
}

func TestThreadDeletedPost(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		commentsPath: serve([]byte(`{"message":"Media not found or unavailable","status":"fail"}`), 400, "application/json"),
	})
	c := newTestCollector(t, testEnv(srv.URL))
	if _, err := c.Thread(context.Background(), creator, photo); !errors.Is(err, collectors.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
	if _, err := c.Thread(context.Background(), creator, model.Post{ID: "C1BBBBBBBBB"}); !errors.Is(err, collectors.ErrNotFound) {
		t.Errorf("shortcode as id: err = %v, want ErrNotFound without a request", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestGraphQLShortcodeMediaAgrees parses graphql_shortcode_media_comments.json
// (the logged-in GraphQL view of the same post, which the collector does not
// call) and checks that it tells the same story as the comments endpoints
// Thread reads: the same comments, parents, authors, likes and times.
func TestGraphQLShortcodeMediaAgrees(t *testing.T) {
	type node struct {
		ID        string `json:"id"`
		Text      string `json:"text"`
		CreatedAt int64  `json:"created_at"`
		Owner     struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"owner"`
		LikedBy countEdge `json:"edge_liked_by"`
	}
	var doc struct {
		Data struct {
			Media struct {
				ID        string              `json:"id"`
				Shortcode string              `json:"shortcode"`
				Owner     struct{ ID string } `json:"owner"`
				Likes     countEdge           `json:"edge_media_preview_like"`
				Comments  struct {
					Count    int64 `json:"count"`
					PageInfo struct {
						HasNextPage bool   `json:"has_next_page"`
						EndCursor   string `json:"end_cursor"`
					} `json:"page_info"`
					Edges []struct {
						Node struct {
							node
							Threaded struct {
								Count int64 `json:"count"`
								Edges []struct {
									Node node `json:"node"`
								} `json:"edges"`
							} `json:"edge_threaded_comments"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"edge_media_to_parent_comment"`
			} `json:"xdt_shortcode_media"`
		} `json:"data"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(readTestdata(t, "graphql_shortcode_media_comments.json"), &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Data.Media
	if doc.Status != "ok" || m.ID != photoPK || m.Shortcode != "C1BBBBBBBBB" || m.Owner.ID != userID ||
		val(m.Likes.Count) != int64(8841) || m.Comments.Count != 97 || !m.Comments.PageInfo.HasNextPage {
		t.Fatalf("shortcode media = %+v", m)
	}
	if !strings.Contains(m.Comments.PageInfo.EndCursor, "17900000000000002") {
		t.Errorf("end_cursor = %q", m.Comments.PageInfo.EndCursor)
	}
	row := func(n node, parent string, depth int) commentRow {
		return commentRow{n.ID, parent, n.Owner.ID, n.Owner.Username, n.Text, depth, n.Owner.ID == userID, val(n.LikedBy.Count), time.Unix(n.CreatedAt, 0).UTC()}
	}
	var got []commentRow
	for _, e := range m.Comments.Edges {
		got = append(got, row(e.Node.node, m.ID, 1))
		for _, r := range e.Node.Threaded.Edges {
			got = append(got, row(r.Node, e.Node.ID, 2))
		}
	}
	if !equalJSON(t, got, fixtureRows) {
		t.Errorf("GraphQL comments =\n%+v\nwant (as from the comments endpoints)\n%+v", got, fixtureRows)
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func TestHasProfilePic(t *testing.T) {
	for _, c := range []struct {
		url  *string
		want *bool
	}{
		{nil, nil},
		{model.S(""), model.B(false)},
		{model.S("https://scontent-iad3-1.cdninstagram.com/v/t51.2885-19/44884218_345707102882519_2446069589734326272_n.jpg?_nc_ht=x"), model.B(false)},
		{model.S("https://instagram.fxyz1-1.fna.fbcdn.net/v/t51.2885-19/s150x150/abc.jpg?ig_cache_key=YW5vbnltb3VzX3Byb2ZpbGVfcGlj.2"), model.B(false)},
		{model.S("https://scontent-iad3-1.cdninstagram.com/v/t51.2885-19/placeholder_commenter1_n.jpg"), model.B(true)},
	} {
		got := hasProfilePic(c.url)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("hasProfilePic(%v) = %v, want %v", c.url, got, c.want)
		}
	}
}
