package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
	"github.com/nanoscout/nanoscout/model"
)

const (
	testUA       = "nanoscout-test/1.0 (+https://example.test/bot)"
	creatorDID   = "did:plc:wpe35pganb6d4pg4ekmfy6u5"
	creatorHndl  = "chriskenny.bsky.social"
	otherDID     = "did:plc:bbvwih4x3leppgzbwclat57t"
	testPassword = "app-pass-SECRET-1234"
	testToken    = "test-access-jwt-PLACEHOLDER"
	pageOneCurs  = "2024-03-21T23:36:16.378Z"
	threadRootID = "at://did:plc:wpe35pganb6d4pg4ekmfy6u5/app.bsky.feed.post/3ll2lahbl7c22"
)

// recorded is what the fake server saw of one request.
type recorded struct {
	Method string
	Path   string
	Query  map[string][]string
	Header http.Header
	Body   []byte
}

// fakeServer serves XRPC routes ("/xrpc/<nsid>") from handlers and records
// every request.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	routes map[string]http.HandlerFunc
}

func newFakeServer(t *testing.T, routes map[string]http.HandlerFunc) *fakeServer {
	t.Helper()
	f := &fakeServer{routes: routes}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), body})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h, ok := f.routes[r.URL.Path]
		if !ok {
			http.Error(w, `{"error":"MethodNotImplemented","message":"no route"}`, http.StatusNotImplemented)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

var readTestdata = fixturetest.Read

// recordedHeaders reads a fixture *.headers.txt: the status and the headers
// worth replaying (not the transport ones).
var recordedHeaders = fixturetest.ReadHeaders

// file serves a testdata file with a status and optional recorded headers.
func file(t *testing.T, name string, status int, headersFile string) http.HandlerFunc {
	body := readTestdata(t, name)
	var hdr http.Header
	if headersFile != "" {
		_, hdr = recordedHeaders(t, headersFile)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range hdr {
			w.Header()[k] = vs
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(status)
		w.Write(body)
	}
}

// sequence answers with the handlers in turn, repeating the last.
var sequence = fixturetest.Sequence

func xrpcErr(status int, name, msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(xrpcError{Error: name, Message: msg})
	}
}

type envOption func(*collectors.Env)

func withSecrets(e *collectors.Env) {
	e.Config.Credentials = map[string]string{"identifier": "BSKY_ID", "app_password": "BSKY_PW"}
	vars := map[string]string{"BSKY_ID": "example.creator.test", "BSKY_PW": testPassword}
	e.Getenv = func(k string) string { return vars[k] }
}

func testEnv(base string, opts ...envOption) collectors.Env {
	e := fixturetest.Env(base+"/", testUA) // trailing slash must be tolerated
	e.Config.MaxRetryWait = 5 * time.Second
	for _, o := range opts {
		o(&e)
	}
	return e
}

func newTestClient(t *testing.T, env collectors.Env) *Client {
	t.Helper()
	c, err := newClient(env, httpx.WithBaseBackoff(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var testCreator = model.Creator{Platform: Platform, ID: creatorDID, Handle: creatorHndl}

func TestRegisteredAndNoIO(t *testing.T) {
	srv := newFakeServer(t, nil)
	c, err := collectors.New(Platform, testEnv(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform() != Platform {
		t.Errorf("Platform() = %q", c.Platform())
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("factory made %d requests, want 0", n)
	}
}

func TestNewConfig(t *testing.T) {
	cases := []struct {
		name            string
		base            string
		opts            map[string]string
		wantBase, wantA string
		wantErr         bool
	}{
		{name: "defaults", wantBase: DefaultBaseURL, wantA: DefaultAuthURL},
		{name: "trailing slash", base: "https://public.api.bsky.app/", wantBase: DefaultBaseURL, wantA: DefaultAuthURL},
		{name: "xrpc suffix", base: "https://api.bsky.app/xrpc/", wantBase: "https://api.bsky.app", wantA: DefaultAuthURL},
		{name: "simulator", base: "http://127.0.0.1:9999//", wantBase: "http://127.0.0.1:9999", wantA: "http://127.0.0.1:9999"},
		{name: "auth_url", opts: map[string]string{"auth_url": "https://pds.example/"}, wantBase: DefaultBaseURL, wantA: "https://pds.example"},
		{name: "bad base", base: "ftp://x", wantErr: true},
		{name: "unknown option", opts: map[string]string{"feedfilter": "posts_no_replies"}, wantErr: true},
		{name: "bad filter", opts: map[string]string{"feed_filter": "everything"}, wantErr: true},
		{name: "bad page size", opts: map[string]string{"page_size": "500"}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newClient(collectors.Env{Config: collectors.PlatformConfig{BaseURL: tc.base, Options: tc.opts}})
			if tc.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.base != tc.wantBase || c.authBase != tc.wantA {
				t.Errorf("base %q auth %q, want %q %q", c.base, c.authBase, tc.wantBase, tc.wantA)
			}
		})
	}
}

func TestProfile(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetProfile: file(t, "getProfile.json", 200, "getProfile.headers.txt"),
	})
	c := newTestClient(t, testEnv(srv.URL))
	for _, in := range []string{creatorHndl, "@" + creatorHndl, "https://bsky.app/profile/" + creatorHndl + "/post/3ll2lahbl7c22"} {
		cr, err := c.Profile(context.Background(), in)
		if err != nil {
			t.Fatalf("Profile(%q): %v", in, err)
		}
		want := model.Creator{
			Platform:    "bluesky",
			ID:          creatorDID,
			Handle:      creatorHndl,
			DisplayName: "Chris Kenny",
			Bio:         "PhD '25 Government @harvard.edu. Studies redistricting in #rstats.\nhttps://christophertkenny.com/",
			AvatarURL:   "https://cdn.bsky.app/img/avatar/plain/did:plc:wpe35pganb6d4pg4ekmfy6u5/bafkreibbgv73dk7lk4qrij5xm7vri3m6hfgfxqylxbal6yau7ssieqav3a@jpeg",
			URL:         "https://bsky.app/profile/chriskenny.bsky.social",
			Followers:   554,
			Following:   296,
			PostsCount:  65,
			Links:       []string{"https://christophertkenny.com/"},
			CreatedAt:   time.Date(2023, 9, 19, 15, 47, 1, 417e6, time.UTC),
			FetchedAt:   cr.FetchedAt,
		}
		if !equalJSON(t, cr, want) {
			t.Errorf("Profile(%q) =\n%+v\nwant\n%+v", in, cr, want)
		}
		if cr.FetchedAt.IsZero() {
			t.Error("FetchedAt not set")
		}
	}
	reqs := srv.requests()
	for _, r := range reqs {
		if r.Path != "/xrpc/app.bsky.actor.getProfile" || r.Query["actor"][0] != creatorHndl {
			t.Errorf("request %s ?%v", r.Path, r.Query)
		}
		if ua := r.Header.Get("User-Agent"); ua != testUA {
			t.Errorf("User-Agent = %q, want %q", ua, testUA)
		}
		if r.Header.Get("Authorization") != "" {
			t.Error("public call sent an Authorization header")
		}
	}
	if s := c.Stats(); s.Requests != 3 || s.ByStatus[200] != 3 {
		t.Errorf("stats = %+v, want 3 requests, 3×200", s)
	}
}

func TestProfileNotFound(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"ActorNotFound":      xrpcErr(400, "ActorNotFound", "Profile not found"),
		"InvalidRequest":     file(t, "error_400_InvalidRequest.json", 400, ""),
		"AccountTakedown":    xrpcErr(400, "AccountTakedown", "Account has been suspended"),
		"AccountDeactivated": xrpcErr(400, "AccountDeactivated", "Account is deactivated"),
		"404":                xrpcErr(404, "NotFound", ""),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, map[string]http.HandlerFunc{"/xrpc/" + nsidGetProfile: h})
			c := newTestClient(t, testEnv(srv.URL))
			_, err := c.Profile(context.Background(), "gone.bsky.social")
			if !errors.Is(err, collectors.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no retry on 4xx)", n)
			}
		})
	}
}

func TestPosts(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetAuthorFeed: file(t, "getAuthorFeed.json", 200, "getAuthorFeed.headers.txt"),
	})
	c := newTestClient(t, testEnv(srv.URL))
	page, err := c.Posts(context.Background(), testCreator, "")
	if err != nil {
		t.Fatal(err)
	}
	// getAuthorFeed.json: 25 items, 2 of them reposts of other accounts
	// (3lnneysi3ps2c by mickael.canouil.fr, 3ll242ifkjk2q by coatless);
	// of the 23 own posts, 13 are replies (record.reply set).
	if len(page.Posts) != 23 {
		t.Fatalf("%d posts, want 23", len(page.Posts))
	}
	if page.Next != pageOneCurs {
		t.Errorf("Next = %q, want %q", page.Next, pageOneCurs)
	}
	replies := 0
	seen := map[string]bool{}
	for _, p := range page.Posts {
		if p.CreatorID != creatorDID || !strings.HasPrefix(p.ID, "at://"+creatorDID+"/app.bsky.feed.post/") {
			t.Errorf("post %s by %s is not the creator's", p.ID, p.CreatorID)
		}
		if seen[p.ID] {
			t.Errorf("duplicate %s", p.ID)
		}
		if p.Language != "en" { // every record in the fixture has langs ["en"]
			t.Errorf("post %s language %q, want en", p.ID, p.Language)
		}
		seen[p.ID] = true
		if p.IsReply {
			replies++
		}
		if p.Views != nil || p.Likes == nil || p.Comments == nil || p.Shares == nil || p.Quotes == nil {
			t.Errorf("post %s counts: %v %v %v %v views %v", p.ID, p.Likes, p.Comments, p.Shares, p.Quotes, p.Views)
		}
		if p.CreatedAt.IsZero() || p.Platform != "bluesky" || p.Kind != "post" {
			t.Errorf("post %s: %+v", p.ID, p)
		}
	}
	if replies != 13 {
		t.Errorf("%d replies, want 13", replies)
	}
	for _, repost := range []string{"3lnneysi3ps2c", "3ll242ifkjk2q"} {
		for id := range seen {
			if strings.HasSuffix(id, repost) {
				t.Errorf("repost %s kept", repost)
			}
		}
	}

	first := page.Posts[1] // feed[1]: the bskyr 0.3.0 announcement
	want := model.Post{
		Platform:  "bluesky",
		ID:        "at://did:plc:wpe35pganb6d4pg4ekmfy6u5/app.bsky.feed.post/3loagm2phgk2t",
		CreatorID: creatorDID,
		CreatedAt: time.Date(2025, 5, 3, 3, 48, 32, 922e6, time.UTC),
		Kind:      "post",
		Text:      first.Text,
		Hashtags:  []string{"rstats"},
		Language:  "en",
		URL:       "https://bsky.app/profile/chriskenny.bsky.social/post/3loagm2phgk2t",
		Likes:     model.N(3),
		Comments:  model.N(0),
		Shares:    model.N(2),
		Quotes:    model.N(0),
		FetchedAt: first.FetchedAt,
	}
	if !equalJSON(t, first, want) {
		t.Errorf("post =\n%+v\nwant\n%+v", first, want)
	}
	if !strings.HasPrefix(first.Text, "#rstats `bskyr` 0.3.0 is now on CRAN.") {
		t.Errorf("text = %q", first.Text)
	}
	// feed[8] has tag facets Typst, rstats, quartopub, lower-cased.
	if got := strings.Join(page.Posts[7].Hashtags, ","); got != "typst,rstats,quartopub" {
		t.Errorf("hashtags of %s = %s", page.Posts[7].ID, got)
	}

	r := srv.requests()[0]
	wantQ := map[string]string{"actor": creatorDID, "limit": "50", "filter": "posts_no_replies"}
	for k, v := range wantQ {
		if got := r.Query[k]; len(got) != 1 || got[0] != v {
			t.Errorf("query %s = %v, want %s", k, got, v)
		}
	}
	if _, ok := r.Query["cursor"]; ok {
		t.Error("first page sent a cursor")
	}
}

func TestPostsPagination(t *testing.T) {
	page1 := file(t, "getAuthorFeed.json", 200, "")
	page2 := file(t, "getAuthorFeed_page2.json", 200, "")
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetAuthorFeed: func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Query().Get("cursor") {
			case "":
				page1(w, r)
			case pageOneCurs:
				page2(w, r)
			default:
				http.Error(w, `{"error":"InvalidRequest","message":"bad cursor"}`, 400)
			}
		},
	})
	c := newTestClient(t, testEnv(srv.URL))
	var all []model.Post
	cursor, pages := "", 0
	for {
		page, err := c.Posts(context.Background(), testCreator, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, page.Posts...)
		if page.Next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		cursor = page.Next
	}
	if pages != 2 || len(all) != 25 {
		t.Fatalf("%d pages, %d posts; want 2 pages, 23+2 posts", pages, len(all))
	}
	if got := all[23].ID; !strings.HasSuffix(got, "3kzzpage2aa2a") {
		t.Errorf("first post of page 2 = %s", got)
	}
	reqs := srv.requests()
	if got := reqs[1].Query["cursor"]; len(got) != 1 || got[0] != pageOneCurs {
		t.Errorf("page 2 cursor = %v", got)
	}
}

func TestThread(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetPostThread: file(t, "getPostThread.json", 200, ""),
	})
	c := newTestClient(t, testEnv(srv.URL))
	post := model.Post{Platform: Platform, ID: threadRootID, CreatorID: creatorDID}
	comments, err := c.Thread(context.Background(), testCreator, post)
	if err != nil {
		t.Fatal(err)
	}
	const (
		ryan = "at://did:plc:bbvwih4x3leppgzbwclat57t/app.bsky.feed.post/"
		chr  = "at://did:plc:wpe35pganb6d4pg4ekmfy6u5/app.bsky.feed.post/"
	)
	type row struct {
		id, parent string
		depth      int
		byCreator  bool
		author     string
	}
	want := []row{
		{ryan + "3ll2nk33dwk2l", threadRootID, 1, false, "ryanenos.bsky.social"},
		{chr + "3ll2qwaexys2u", ryan + "3ll2nk33dwk2l", 2, true, creatorHndl},
		{ryan + "3ll2r4pesvc2l", chr + "3ll2qwaexys2u", 3, false, "ryanenos.bsky.social"},
		{chr + "3ll2rqh5jhk22", ryan + "3ll2r4pesvc2l", 4, true, creatorHndl},
		{chr + "3ll2quy7ib22u", ryan + "3ll2nk33dwk2l", 2, true, creatorHndl},
	}
	if len(comments) != len(want) {
		t.Fatalf("%d comments, want %d: %+v", len(comments), len(want), comments)
	}
	for i, w := range want {
		got := comments[i]
		if got.ID != w.id || got.ParentID != w.parent || got.Depth != w.depth || got.ByCreator != w.byCreator || got.AuthorHandle != w.author {
			t.Errorf("comment %d = %s parent %s depth %d byCreator %v %s; want %+v", i, got.ID, got.ParentID, got.Depth, got.ByCreator, got.AuthorHandle, w)
		}
		if got.PostID != threadRootID || got.Platform != "bluesky" || got.CreatedAt.IsZero() || got.Text == "" || got.Likes == nil {
			t.Errorf("comment %d: %+v", i, got)
		}
	}
	if comments[0].AuthorID != otherDID {
		t.Errorf("AuthorID = %s", comments[0].AuthorID)
	}
	if got := model.Val(comments[4].Likes); got != 1 {
		t.Errorf("likes of 3ll2quy7ib22u = %d, want 1", got)
	}
	if !comments[1].CreatedAt.Equal(time.Date(2025, 3, 23, 17, 21, 38, 520e6, time.UTC)) {
		t.Errorf("CreatedAt = %v", comments[1].CreatedAt)
	}
	q := srv.requests()[0].Query
	if q["uri"][0] != threadRootID || q["depth"][0] != "6" || q["parentHeight"][0] != "0" {
		t.Errorf("query = %v", q)
	}
}

func TestThreadNoReplies(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetPostThread: file(t, "getPostThread_noReplies.json", 200, "getPostThread_noReplies.headers.txt"),
	})
	c := newTestClient(t, testEnv(srv.URL))
	post := model.Post{ID: "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s"}
	comments, err := c.Thread(context.Background(), model.Creator{ID: "did:plc:ic6zqvuw5ulmfpjiwnhsr2ns"}, post)
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 0 {
		t.Errorf("%d comments, want 0", len(comments))
	}
}

// TestThreadSkipsMissingNodes adds #notFoundPost and #blockedPost nodes to
// the fixture's tree, at the top and nested.
func TestThreadSkipsMissingNodes(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(readTestdata(t, "getPostThread.json"), &doc); err != nil {
		t.Fatal(err)
	}
	notFound := map[string]any{"$type": typeNotFoundPost, "uri": "at://did:plc:gone/app.bsky.feed.post/x", "notFound": true}
	blocked := map[string]any{"$type": typeBlockedPost, "uri": "at://did:plc:blk/app.bsky.feed.post/y", "blocked": true,
		"author": map[string]any{"did": "did:plc:blk"}}
	thread := doc["thread"].(map[string]any)
	top := thread["replies"].([]any)
	thread["replies"] = append([]any{notFound}, append(top, blocked)...)
	first := top[0].(map[string]any)
	first["replies"] = append(first["replies"].([]any), notFound, blocked)
	// Without record.reply the parent comes from the tree.
	second := first["replies"].([]any)[0].(map[string]any)
	delete(second["post"].(map[string]any)["record"].(map[string]any), "reply")
	body, _ := json.Marshal(doc)

	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetPostThread: func(w http.ResponseWriter, r *http.Request) { w.Write(body) },
	})
	c := newTestClient(t, testEnv(srv.URL))
	comments, err := c.Thread(context.Background(), testCreator, model.Post{ID: threadRootID})
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 5 {
		t.Fatalf("%d comments, want the fixture's 5", len(comments))
	}
	if got := comments[1].ParentID; got != comments[0].ID {
		t.Errorf("parent of %s = %s, want %s", comments[1].ID, got, comments[0].ID)
	}
}

// TestPostsSkipsOwnReposts: a repost of the creator's own post is a
// duplicate, not a new post.
func TestPostsSkipsOwnReposts(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(readTestdata(t, "getAuthorFeed.json"), &doc); err != nil {
		t.Fatal(err)
	}
	doc["feed"].([]any)[1].(map[string]any)["reason"] = map[string]any{"$type": typeReasonRepost,
		"by": map[string]any{"did": creatorDID}, "indexedAt": "2025-05-04T00:00:00.000Z"}
	body, _ := json.Marshal(doc)
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetAuthorFeed: func(w http.ResponseWriter, r *http.Request) { w.Write(body) },
	})
	c := newTestClient(t, testEnv(srv.URL))
	page, err := c.Posts(context.Background(), testCreator, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 22 {
		t.Errorf("%d posts, want 23-1", len(page.Posts))
	}
	for _, p := range page.Posts {
		if strings.HasSuffix(p.ID, "3loagm2phgk2t") {
			t.Error("reposted own post kept")
		}
	}
}

func TestDiscoverWithoutCredentials(t *testing.T) {
	srv := newFakeServer(t, nil)
	c := newTestClient(t, testEnv(srv.URL))
	_, err := c.Discover(context.Background(), "#rstats", "")
	if !errors.Is(err, collectors.ErrAuthRequired) {
		t.Fatalf("err = %v, want ErrAuthRequired", err)
	}
	if n := len(srv.requests()); n != 0 || c.Stats().Requests != 0 {
		t.Errorf("%d requests (stats %d), want 0", n, c.Stats().Requests)
	}
}

// sessionRoute checks the createSession body and counts sessions.
func sessionRoute(t *testing.T, sessions *int, mu *sync.Mutex) http.HandlerFunc {
	ok := file(t, "session.json", 200, "")
	return func(w http.ResponseWriter, r *http.Request) {
		var in sessionRequest
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&in) != nil ||
			in.Identifier != "example.creator.test" || in.Password != testPassword {
			xrpcErr(401, "AuthenticationRequired", "Invalid identifier or password")(w, r)
			return
		}
		mu.Lock()
		*sessions++
		mu.Unlock()
		ok(w, r)
	}
}

func requireBearer(t *testing.T, next http.HandlerFunc) http.HandlerFunc {
	denied := file(t, "error_403_searchPosts_AuthMissing.json", 403, "")
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			denied(w, r)
			return
		}
		next(w, r)
	}
}

func TestDiscoverWithSession(t *testing.T) {
	var mu sync.Mutex
	sessions := 0
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidCreateSession: sessionRoute(t, &sessions, &mu),
		"/xrpc/" + nsidSearchPosts:   requireBearer(t, file(t, "searchPosts.json", 200, "searchPosts.headers.txt")),
	})
	var logs bytes.Buffer
	env := testEnv(srv.URL, withSecrets)
	env.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, env)

	page, err := c.Discover(context.Background(), "redistricting", "")
	if err != nil {
		t.Fatal(err)
	}
	// searchPosts.json: 25 posts by 18 distinct authors, cursor "25".
	if len(page.Candidates) != 18 || page.Next != "25" {
		t.Fatalf("%d candidates, next %q; want 18, \"25\"", len(page.Candidates), page.Next)
	}
	if page.Candidates[0] != "did:plc:kkergqgbhb56ptpwj2wenkje" || page.Candidates[2] != "did:plc:7nagdvjqrzaquzk7mueohne5" {
		t.Errorf("candidates = %v", page.Candidates[:3])
	}
	seen := map[string]bool{}
	for _, d := range page.Candidates {
		if seen[d] || !strings.HasPrefix(d, "did:") {
			t.Errorf("candidate %q duplicate or not a DID", d)
		}
		seen[d] = true
	}
	if _, err := c.Discover(context.Background(), "redistricting", page.Next); err != nil {
		t.Fatal(err)
	}

	reqs := srv.requests()
	if len(reqs) != 3 || sessions != 1 {
		t.Fatalf("%d requests, %d sessions; want 3 and 1 (session reused)", len(reqs), sessions)
	}
	if reqs[0].Path != "/xrpc/com.atproto.server.createSession" || reqs[0].Header.Get("User-Agent") != testUA {
		t.Errorf("first request %s UA %q", reqs[0].Path, reqs[0].Header.Get("User-Agent"))
	}
	for _, r := range reqs[1:] {
		if r.Header.Get("Authorization") != "Bearer "+testToken || r.Query["q"][0] != "redistricting" || r.Query["limit"][0] != "50" {
			t.Errorf("search request: auth %q query %v", r.Header.Get("Authorization"), r.Query)
		}
	}
	if got := reqs[2].Query["cursor"]; len(got) != 1 || got[0] != "25" {
		t.Errorf("cursor = %v", got)
	}
	if s := c.Stats(); s.Requests != 3 || s.ByStatus[200] != 3 {
		t.Errorf("stats = %+v, want 3 requests counted, POST included", s)
	}
	if strings.Contains(logs.String(), testPassword) || strings.Contains(logs.String(), testToken) {
		t.Errorf("secret in logs: %s", logs.String())
	}
}

func TestDiscoverAuthMissing(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"json": file(t, "error_403_searchPosts_AuthMissing.json", 403, ""),
		"html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(403)
			w.Write(readTestdata(t, "forbidden_admin.html"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			sessions := 0
			srv := newFakeServer(t, map[string]http.HandlerFunc{
				"/xrpc/" + nsidCreateSession: sessionRoute(t, &sessions, &mu),
				"/xrpc/" + nsidSearchPosts:   h,
			})
			c := newTestClient(t, testEnv(srv.URL, withSecrets))
			_, err := c.Discover(context.Background(), "redistricting", "")
			if !errors.Is(err, collectors.ErrAuthRequired) {
				t.Fatalf("err = %v, want ErrAuthRequired", err)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), testPassword) {
				t.Errorf("secret in error: %v", err)
			}
		})
	}
}

func TestDiscoverExpiredTokenRenewsSession(t *testing.T) {
	var mu sync.Mutex
	sessions := 0
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidCreateSession: sessionRoute(t, &sessions, &mu),
		"/xrpc/" + nsidSearchPosts: sequence(
			xrpcErr(400, "ExpiredToken", "Token has expired"),
			file(t, "searchPosts.json", 200, ""),
		),
	})
	c := newTestClient(t, testEnv(srv.URL, withSecrets))
	page, err := c.Discover(context.Background(), "redistricting", "")
	if err != nil {
		t.Fatal(err)
	}
	if sessions != 2 || len(page.Candidates) != 18 {
		t.Errorf("%d sessions, %d candidates; want 2, 18", sessions, len(page.Candidates))
	}
}

func TestDiscoverBadPassword(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidCreateSession: xrpcErr(401, "AuthenticationRequired", "Invalid identifier or password"),
	})
	env := testEnv(srv.URL, withSecrets)
	c := newTestClient(t, env)
	_, err := c.Discover(context.Background(), "redistricting", "")
	if !errors.Is(err, collectors.ErrAuthRequired) {
		t.Fatalf("err = %v, want ErrAuthRequired", err)
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("password in error: %v", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (no search without a session)", n)
	}
}

// rateLimited serves the fixture 429 with its recorded headers, the reset
// moved to now+d.
func rateLimited(t *testing.T, d time.Duration) http.HandlerFunc {
	body := readTestdata(t, "error_429_RateLimitExceeded.json")
	status, hdr := recordedHeaders(t, "error_429_RateLimitExceeded.headers.txt")
	if status != 429 || hdr.Get("RateLimit-Reset") == "" {
		t.Fatalf("fixture headers: %d %v", status, hdr)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range hdr {
			w.Header()[k] = vs
		}
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(d).Unix(), 10))
		w.WriteHeader(status)
		w.Write(body)
	}
}

func TestRateLimitThenSuccess(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetProfile: sequence(rateLimited(t, time.Second), file(t, "getProfile.json", 200, "")),
	})
	c := newTestClient(t, testEnv(srv.URL))
	start := time.Now()
	cr, err := c.Profile(context.Background(), creatorHndl)
	if err != nil {
		t.Fatal(err)
	}
	if cr.ID != creatorDID {
		t.Errorf("ID = %s", cr.ID)
	}
	s := c.Stats()
	if s.Throttled != 1 || s.Requests != 2 || s.ByStatus[429] != 1 {
		t.Errorf("stats = %+v, want Throttled 1, 2 requests", s)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestRateLimitBeyondMaxWait(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetAuthorFeed: rateLimited(t, time.Hour),
	})
	c := newTestClient(t, testEnv(srv.URL))
	_, err := c.Posts(context.Background(), testCreator, "")
	var rl *collectors.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
	if rl.RetryAfter < 50*time.Minute {
		t.Errorf("RetryAfter = %s, want about 1h", rl.RetryAfter)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestServerErrorRetried(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetPostThread: sequence(
			xrpcErr(500, "InternalServerError", "Internal Server Error"),
			file(t, "getPostThread.json", 200, ""),
		),
	})
	c := newTestClient(t, testEnv(srv.URL))
	comments, err := c.Thread(context.Background(), testCreator, model.Post{ID: threadRootID})
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 5 {
		t.Errorf("%d comments", len(comments))
	}
	if s := c.Stats(); s.Retries != 1 || s.ByStatus[500] != 1 || s.ByStatus[200] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestMalformed(t *testing.T) {
	html := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html><html><body>Bluesky</body></html>"))
	}
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetAuthorFeed: file(t, "malformed.json", 200, ""),
		"/xrpc/" + nsidGetProfile:    html,
		"/xrpc/" + nsidGetPostThread: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"thread":{}}`)) },
	})
	c := newTestClient(t, testEnv(srv.URL))
	checks := map[string]error{}
	_, checks[nsidGetAuthorFeed] = c.Posts(context.Background(), testCreator, "")
	_, checks[nsidGetProfile] = c.Profile(context.Background(), creatorHndl)
	_, checks[nsidGetPostThread] = c.Thread(context.Background(), testCreator, model.Post{ID: threadRootID})
	for nsid, err := range checks {
		if !errors.Is(err, collectors.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", nsid, err)
			continue
		}
		if !strings.Contains(err.Error(), nsid) {
			t.Errorf("%s: error does not name the endpoint: %v", nsid, err)
		}
	}
}

func TestRelated(t *testing.T) {
	page1 := file(t, "getFollows.json", 200, "")
	page2 := file(t, "getFollows_page2.json", 200, "")
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetFollows: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("cursor") == "3kfollowcursor" {
				page2(w, r)
				return
			}
			page1(w, r)
		},
	})
	c := newTestClient(t, testEnv(srv.URL))
	dids, err := c.Related(context.Background(), testCreator, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dids) != 5 || dids[0] != otherDID || dids[4] != "did:plc:s7savtl25cqhm3ddqc7jeljx" {
		t.Errorf("dids = %v", dids)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[0].Query["actor"][0] != creatorDID || reqs[0].Query["limit"][0] != "10" {
		t.Errorf("requests = %+v", reqs)
	}

	dids, err = c.Related(context.Background(), testCreator, 2)
	if err != nil || len(dids) != 2 {
		t.Errorf("limit 2: %v %v", dids, err)
	}
}

func TestHashtagsAndLinks(t *testing.T) {
	r := postRecord{Text: "Hi #Go and #go, not#this, #2024 alone is no tag, #día1 ok", Tags: []string{"extra"}}
	if got := strings.Join(hashtags(r), ","); got != "extra,go,día1" {
		t.Errorf("hashtags = %s", got)
	}
	if got := findLinks("see https://a.example/x. and (http://b.example/y)"); strings.Join(got, " ") != "https://a.example/x http://b.example/y" {
		t.Errorf("links = %v", got)
	}
}

func equalJSON(t *testing.T, got, want any) bool {
	t.Helper()
	a, err1 := json.Marshal(got)
	b, err2 := json.Marshal(want)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return bytes.Equal(a, b)
}
