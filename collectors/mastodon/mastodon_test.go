package mastodon

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

const (
	testAccountID = "117020565966271181" // mastodonpy_test
	rootStatusID  = "117020583245459824" // by mastodonpy_test_2
	replyStatusID = "117020583258292382" // by admin, answering the root
	rootAuthorID  = "117020566092212359" // mastodonpy_test_2
	adminID       = "117020565693913441"
	fixtureTag    = "fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"
)

func TestRegisteredAndNewDoesNoIO(t *testing.T) {
	if !slices.Contains(collectors.Names(), Platform) {
		t.Fatalf("registry names %v lack %q", collectors.Names(), Platform)
	}
	c, err := collectors.New(Platform, collectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.(*Collector).base; got != DefaultBaseURL {
		t.Errorf("default base = %q, want %q", got, DefaultBaseURL)
	}
	if c.Platform() != "mastodon" {
		t.Errorf("Platform() = %q", c.Platform())
	}
	if s := c.(collectors.StatsReporter).Stats(); s.Requests != 0 {
		t.Errorf("New made %d requests", s.Requests)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]collectors.PlatformConfig{
		"relative base":  {BaseURL: "mastodon.social"},
		"ftp base":       {BaseURL: "ftp://mastodon.social"},
		"unknown option": {Options: map[string]string{"instnace": "x"}},
		"unknown cred":   {Credentials: map[string]string{"token": "X"}},
	} {
		if _, err := New(collectors.Env{Config: cfg}); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestProfileLookup(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path != "/api/v1/accounts/lookup" || r.URL.Query().Get("acct") != "mastodonpy_test" {
			t.Errorf("unexpected request %s", r.URL)
		}
		loadFixture(t, "accounts_lookup").serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	cr, err := c.Profile(context.Background(), "@mastodonpy_test")
	if err != nil {
		t.Fatal(err)
	}
	want := model.Creator{
		Platform:    "mastodon",
		ID:          testAccountID,
		Handle:      "mastodonpy_test",
		DisplayName: "John Lennon",
		Bio:         "I walk funny",
		AvatarURL:   "http://localhost:3000/system/accounts/avatars/117/020/565/966/271/181/original/5784df1febb9890a.jpg",
		URL:         "http://localhost:3000/@mastodonpy_test",
		Private:     true, // locked
		CreatedAt:   time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
		FetchedAt:   c.now(),
	}
	if !equalCreator(cr, want) {
		t.Errorf("Profile =\n%+v\nwant\n%+v", cr, want)
	}
	if cr.Followers != 0 || cr.Following != 0 || cr.PostsCount != 0 || cr.Links != nil {
		t.Errorf("counts/links = %d %d %d %v, want zeros and no links (plain-text fields)", cr.Followers, cr.Following, cr.PostsCount, cr.Links)
	}
	r := srv.Requests()[0]
	if ua := r.Header.Get("User-Agent"); ua != testUA {
		t.Errorf("User-Agent = %q, want %q", ua, testUA)
	}
	if a := r.Header.Get("Authorization"); a != "" {
		t.Errorf("Authorization sent without a token: %q", a)
	}
}

func equalCreator(a, b model.Creator) bool {
	return a.Platform == b.Platform && a.ID == b.ID && a.Handle == b.Handle && a.DisplayName == b.DisplayName &&
		a.Bio == b.Bio && a.AvatarURL == b.AvatarURL && a.URL == b.URL && a.Private == b.Private && a.Bot == b.Bot &&
		a.CreatedAt.Equal(b.CreatedAt) && a.FetchedAt.Equal(b.FetchedAt)
}

func TestProfileByIDWithToken(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path != "/api/v1/accounts/23634" {
			t.Errorf("unexpected request %s", r.URL)
		}
		loadFixture(t, "account_docs_example").serve(w, r)
	})
	env := testEnv(srv.URL)
	env.Config.Credentials = map[string]string{"access_token": "MASTODON_TOKEN"}
	env.Getenv = func(k string) string {
		if k == "MASTODON_TOKEN" {
			return "s3cr3t-token"
		}
		return ""
	}
	c := newTestCollector(t, env)
	cr, err := c.Profile(context.Background(), "23634")
	if err != nil {
		t.Fatal(err)
	}
	if cr.ID != "23634" || cr.Handle != "noiob@awoo.space" || cr.DisplayName != "ikea shark fan account" {
		t.Errorf("identity = %q %q %q", cr.ID, cr.Handle, cr.DisplayName)
	}
	if cr.Followers != 547 || cr.Following != 404 || cr.PostsCount != 28468 || cr.Private || cr.Bot {
		t.Errorf("counts = %+v", cr)
	}
	if !cr.CreatedAt.Equal(time.Date(2017, 2, 8, 2, 0, 53, 274e6, time.UTC)) {
		t.Errorf("CreatedAt = %v", cr.CreatedAt)
	}
	wantLinks := []string{
		"https://cybre.space/@noiob",
		"https://botsin.space/@darksouls",
		"https://botsin.space/@nierautomata",
		"https://mastodon.social/@fedi",
		"https://botsin.space/@awoobot",
		"http://shork.xyz",
	}
	if !slices.Equal(cr.Links, wantLinks) {
		t.Errorf("Links = %q\nwant %q", cr.Links, wantLinks)
	}
	if !strings.Contains(cr.Bio, "#awoo.space #admin ~ #bi ~ #nonbinary ~ compsci student") ||
		!strings.HasSuffix(cr.Bio, "avatar by @dzuk") || strings.Contains(cr.Bio, "<") {
		t.Errorf("Bio = %q", cr.Bio)
	}
	if a := srv.Requests()[0].Header.Get("Authorization"); a != "Bearer s3cr3t-token" {
		t.Errorf("Authorization = %q, want the bearer token", a)
	}
}

func TestProfileNotFound(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		loadFixture(t, "error_404_accounts_lookup").serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	_, err := c.Profile(context.Background(), "kljadklajsdkljlkjlkjlkjasdasd")
	if !errors.Is(err, collectors.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "Record not found") {
		t.Errorf("err = %v, want the server's message", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (a 404 is not retried)", n)
	}
}

func TestProfileNoindexOptedOut(t *testing.T) {
	acct := decode[map[string]any](t, "accounts_lookup")
	acct["noindex"] = true
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		jsonFixture(t, acct).serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	_, err := c.Profile(context.Background(), "mastodonpy_test")
	if !errors.Is(err, ErrOptedOut) || !errors.Is(err, collectors.ErrPrivate) {
		t.Fatalf("err = %v, want ErrOptedOut and ErrPrivate", err)
	}
}

func TestPostsPagination(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path != "/api/v1/accounts/"+testAccountID+"/statuses" {
			t.Errorf("unexpected path %s", r.URL.Path)
		}
		q := r.URL.Query()
		if q.Get("exclude_reblogs") != "true" || q.Get("exclude_replies") != "false" || q.Get("limit") != "40" {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		switch n {
		case 1:
			if q.Has("max_id") {
				t.Errorf("first page sent max_id: %s", r.URL.RawQuery)
			}
			loadFixture(t, "accounts_statuses").serve(w, r)
		default:
			if q.Get("max_id") != "117020581008555092" {
				t.Errorf("second page max_id = %q", q.Get("max_id"))
			}
			loadFixture(t, "timelines_tag_lastpage_empty").serve(w, r)
		}
	})
	c := newTestCollector(t, testEnv(srv.URL))
	cr := model.Creator{Platform: Platform, ID: testAccountID, Handle: "mastodonpy_test"}
	page, err := c.Posts(context.Background(), cr, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range page.Posts {
		ids = append(ids, p.ID)
		if p.Language != "en" { // the fixture's statuses are tagged "en"
			t.Errorf("post %s language %q", p.ID, p.Language)
		}
		if p.Platform != Platform || p.CreatorID != testAccountID || p.Kind != "post" || p.IsReply {
			t.Errorf("post %s: %+v", p.ID, p)
		}
		if p.Likes == nil || *p.Likes != 0 || p.Comments == nil || *p.Comments != 0 ||
			p.Shares == nil || *p.Shares != 0 || p.Quotes == nil || *p.Quotes != 0 || p.Views != nil || p.Saves != nil {
			t.Errorf("post %s counters = %v %v %v %v %v", p.ID, p.Likes, p.Comments, p.Shares, p.Quotes, p.Views)
		}
	}
	wantIDs := []string{"117020581038622236", "117020581031183784", "117020581023652029", "117020581016114509", "117020581008555092"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("ids = %v, want %v", ids, wantIDs)
	}
	first := page.Posts[0]
	if !first.CreatedAt.Equal(time.Date(2026, 8, 1, 13, 52, 42, 41e6, time.UTC)) {
		t.Errorf("CreatedAt = %v", first.CreatedAt)
	}
	if first.Text != "Toot number 9!" || first.URL != "http://localhost:3000/@mastodonpy_test/117020581038622236" {
		t.Errorf("Text/URL = %q %q", first.Text, first.URL)
	}
	if page.Next != "117020581008555092" {
		t.Fatalf("Next = %q, want 117020581008555092 (the Link rel=next max_id)", page.Next)
	}
	page, err = c.Posts(context.Background(), cr, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 0 || page.Next != "" {
		t.Errorf("last page = %+v, want empty with no next", page)
	}
}

// TestPostsCountersReblogsQuotes serves a page derived from the real objects:
// the docs example (non-zero counters), a boost of it, a status from an older
// server without quotes_count, and a reply with an upper-case tag.
func TestPostsCountersReblogsQuotes(t *testing.T) {
	docs := decode[map[string]any](t, "status_docs_example")
	statuses := decode[[]map[string]any](t, "accounts_statuses")
	tagged := decode[[]map[string]any](t, "timelines_tag")[0]

	boost := clone(t, statuses[0])
	boost["id"] = "900"
	boost["reblog"] = clone(t, docs)
	old := clone(t, statuses[1])
	delete(old, "quotes_count")
	reply := clone(t, tagged)
	reply["in_reply_to_id"] = rootStatusID
	reply["tags"] = []any{map[string]any{"name": "FgizTSSHwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp", "url": "x"}}

	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		jsonFixture(t, []any{docs, boost, old, reply}).serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	page, err := c.Posts(context.Background(), model.Creator{ID: "1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 3 {
		t.Fatalf("got %d posts, want 3 (the boost skipped)", len(page.Posts))
	}
	if page.Next != "" {
		t.Errorf("Next = %q without a Link header", page.Next)
	}
	p := page.Posts[0]
	if p.ID != "103270115826048975" || p.CreatorID != "1" || model.Val(p.Likes) != 11 || model.Val(p.Comments) != 5 ||
		model.Val(p.Shares) != 6 || p.Quotes == nil || *p.Quotes != 2 || p.Views != nil || p.IsReply {
		t.Errorf("docs example post = %+v", p)
	}
	wantText := "\"I lost my inheritance with one wrong digit on my sort code\"\n\n" +
		"https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
	if p.Text != wantText {
		t.Errorf("Text = %q\nwant %q", p.Text, wantText)
	}
	if p.URL != "https://mastodon.social/@Gargron/103270115826048975" {
		t.Errorf("URL = %q", p.URL)
	}
	if page.Posts[1].Quotes != nil {
		t.Errorf("Quotes = %v for a status without quotes_count, want nil", *page.Posts[1].Quotes)
	}
	r := page.Posts[2]
	if !r.IsReply || !slices.Equal(r.Hashtags, []string{fixtureTag}) {
		t.Errorf("reply: IsReply=%v Hashtags=%v", r.IsReply, r.Hashtags)
	}
	if !strings.HasPrefix(r.Text, "Toot number 29! #"+fixtureTag) {
		t.Errorf("reply text = %q", r.Text)
	}
}

func TestThread(t *testing.T) {
	ctx := context.Background()
	root := model.Post{Platform: Platform, ID: rootStatusID, CreatorID: rootAuthorID}
	creator := model.Creator{Platform: Platform, ID: rootAuthorID, Handle: "mastodonpy_test_2"}

	t.Run("context", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			if r.URL.Path != "/api/v1/statuses/"+rootStatusID+"/context" {
				t.Errorf("unexpected request %s", r.URL)
			}
			loadFixture(t, "statuses_context").serve(w, r)
		})
		cs, err := newTestCollector(t, testEnv(srv.URL)).Thread(ctx, creator, root)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 {
			t.Fatalf("got %d comments, want 1", len(cs))
		}
		c := cs[0]
		if c.ID != replyStatusID || c.PostID != rootStatusID || c.ParentID != rootStatusID || c.Depth != 1 ||
			c.ByCreator || c.AuthorID != adminID || c.AuthorHandle != "admin" || c.Platform != Platform {
			t.Errorf("comment = %+v", c)
		}
		if c.Text != "@mastodonpy_test_2 same!" || model.Val(c.Likes) != 0 {
			t.Errorf("Text = %q, Likes = %v", c.Text, c.Likes)
		}
		if !c.CreatedAt.Equal(time.Date(2026, 8, 1, 13, 53, 15, 910e6, time.UTC)) {
			t.Errorf("CreatedAt = %v", c.CreatedAt)
		}
	})

	t.Run("context of a reply", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			if r.URL.Path != "/api/v1/statuses/"+replyStatusID+"/context" {
				t.Errorf("unexpected request %s", r.URL)
			}
			loadFixture(t, "statuses_context_of_reply").serve(w, r)
		})
		admin := model.Creator{Platform: Platform, ID: adminID, Handle: "admin"}
		cs, err := newTestCollector(t, testEnv(srv.URL)).Thread(ctx, admin, model.Post{ID: replyStatusID, CreatorID: adminID, IsReply: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 0 {
			t.Errorf("got %+v, want no comments (ancestors are not replies)", cs)
		}
	})

	t.Run("nested", func(t *testing.T) {
		// Real objects rearranged into a deeper thread: the creator answers
		// admin's reply, and someone answers a reply that is not visible.
		ctxFx := decode[map[string]any](t, "statuses_context")
		reply := ctxFx["descendants"].([]any)[0].(map[string]any)
		rootStatus := decode[map[string]any](t, "statuses_context_of_reply")["ancestors"].([]any)[0].(map[string]any)
		answer := clone(t, rootStatus)
		answer["id"], answer["in_reply_to_id"], answer["content"] = "500", replyStatusID, "<p>thanks &amp; welcome!</p>"
		deeper := clone(t, reply)
		deeper["id"], deeper["in_reply_to_id"] = "600", "500"
		orphan := clone(t, reply)
		orphan["id"], orphan["in_reply_to_id"] = "700", "999"
		ctxFx["descendants"] = []any{deeper, answer, reply, orphan} // not in thread order
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			jsonFixture(t, ctxFx).serve(w, r)
		})
		cs, err := newTestCollector(t, testEnv(srv.URL)).Thread(ctx, creator, root)
		if err != nil {
			t.Fatal(err)
		}
		type got struct {
			id, parent string
			depth      int
			byCreator  bool
		}
		var gs []got
		for _, c := range cs {
			gs = append(gs, got{c.ID, c.ParentID, c.Depth, c.ByCreator})
			if c.PostID != rootStatusID {
				t.Errorf("%s: PostID = %q", c.ID, c.PostID)
			}
		}
		want := []got{
			{"600", "500", 3, false},
			{"500", replyStatusID, 2, true},
			{replyStatusID, rootStatusID, 1, false},
			{"700", "999", 2, false},
		}
		if !slices.Equal(gs, want) {
			t.Errorf("comments = %+v\nwant %+v", gs, want)
		}
		if cs[1].Text != "thanks & welcome!" || cs[1].AuthorHandle != "mastodonpy_test_2" {
			t.Errorf("answer = %+v", cs[1])
		}
	})
}

func TestDiscoverPagination(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path != "/api/v1/timelines/tag/"+fixtureTag || r.URL.Query().Get("limit") != "40" {
			t.Errorf("unexpected request %s", r.URL)
		}
		if n == 1 {
			loadFixture(t, "timelines_tag").serve(w, r)
			return
		}
		if got := r.URL.Query().Get("max_id"); got != "117020581339834938" {
			t.Errorf("max_id = %q", got)
		}
		loadFixture(t, "timelines_tag_lastpage_empty").serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	page, err := c.Discover(context.Background(), " #FGIZTSSHWIAQQIZTPMMJBTVMESCSCULUVMGJGOPWOEIDBCRIXP ", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(page.Candidates, []string{rootAuthorID}) {
		t.Errorf("Candidates = %v, want the one distinct account id", page.Candidates)
	}
	if page.Next != "117020581339834938" {
		t.Fatalf("Next = %q", page.Next)
	}
	page, err = c.Discover(context.Background(), fixtureTag, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Candidates) != 0 || page.Next != "" {
		t.Errorf("last page = %+v, want empty and the end", page)
	}
}

func TestDiscoverRejectsNonHashtags(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		t.Errorf("unexpected request %s", r.URL)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	for _, q := range []string{"indie games", "#", "", "c++", "2024"} {
		if _, err := c.Discover(context.Background(), q, ""); err == nil {
			t.Errorf("Discover(%q) accepted a non-hashtag", q)
		}
	}
	for q, want := range map[string]string{"#Café": "café", "##go_lang": "go_lang", "IndieDev": "indiedev", "2024art": "2024art"} {
		if got, err := hashtag(q); err != nil || got != want {
			t.Errorf("hashtag(%q) = %q, %v; want %q", q, got, err, want)
		}
	}
}

func TestRelated(t *testing.T) {
	lookup := decode[map[string]any](t, "accounts_lookup")
	docs := decode[map[string]any](t, "account_docs_example")
	hidden := clone(t, lookup)
	hidden["id"], hidden["noindex"] = "42", true
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path != "/api/v1/accounts/1/following" {
			t.Errorf("unexpected path %s", r.URL.Path)
		}
		q := r.URL.Query()
		switch n {
		case 1:
			if q.Get("limit") != "3" || q.Has("max_id") {
				t.Errorf("page 1 query = %s", r.URL.RawQuery)
			}
			fx := jsonFixture(t, []any{lookup, hidden})
			fx.header.Set("Link", `<`+recordedHost+`/api/v1/accounts/1/following?limit=3&max_id=777>; rel="next", <`+recordedHost+`/api/v1/accounts/1/following?limit=3&since_id=779>; rel="prev"`)
			fx.serve(w, r)
		default:
			if q.Get("limit") != "2" || q.Get("max_id") != "777" {
				t.Errorf("page 2 query = %s", r.URL.RawQuery)
			}
			jsonFixture(t, []any{docs, lookup}).serve(w, r)
		}
	})
	c := newTestCollector(t, testEnv(srv.URL))
	ids, err := c.Related(context.Background(), model.Creator{ID: "1"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{testAccountID, "23634"}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func rateLimited(t *testing.T, reset time.Time) fixture {
	fx := loadFixture(t, "error_429")
	fx.header.Set("X-Ratelimit-Reset", reset.UTC().Format("2006-01-02T15:04:05.000000Z"))
	return fx
}

func Test429ThenSuccess(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			rateLimited(t, time.Now().Add(time.Second)).serve(w, r)
			return
		}
		loadFixture(t, "accounts_lookup").serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	start := time.Now()
	cr, err := c.Profile(context.Background(), "mastodonpy_test")
	if err != nil {
		t.Fatal(err)
	}
	if cr.ID != testAccountID {
		t.Errorf("ID = %q", cr.ID)
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("retried after %v, before X-RateLimit-Reset", d)
	}
	s := c.Stats()
	if s.Throttled != 1 || s.Requests != 2 || s.ByStatus[429] != 1 || s.ByStatus[200] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func Test429BeyondMaxRetryWait(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		rateLimited(t, time.Now().Add(time.Hour)).serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	_, err := c.Posts(context.Background(), model.Creator{ID: testAccountID}, "")
	var rl *collectors.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want *collectors.RateLimitError", err)
	}
	if rl.RetryAfter < 59*time.Minute {
		t.Errorf("RetryAfter = %v, want about an hour", rl.RetryAfter)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func Test500ThenSuccessTokenNotLogged(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":"Internal server error"}`))
			return
		}
		loadFixture(t, "statuses_context").serve(w, r)
	})
	var logs bytes.Buffer
	env := testEnv(srv.URL)
	env.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env.Config.Credentials = map[string]string{"access_token": "MASTODON_TOKEN"}
	env.Getenv = func(string) string { return "s3cr3t-token" }
	c := newTestCollector(t, env)
	cs, err := c.Thread(context.Background(), model.Creator{ID: rootAuthorID}, model.Post{ID: rootStatusID})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Errorf("got %d comments", len(cs))
	}
	if s := c.Stats(); s.Retries != 1 || s.ByStatus[500] != 1 {
		t.Errorf("stats = %+v", s)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("expected a retry log line, got %q", logs.String())
	}
	if strings.Contains(logs.String(), "s3cr3t") {
		t.Errorf("token logged: %s", logs.String())
	}
	for _, r := range srv.Requests() {
		if r.Header.Get("Authorization") != "Bearer s3cr3t-token" {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
	}
}

func TestMalformedResponses(t *testing.T) {
	ctx := context.Background()
	cr := model.Creator{ID: testAccountID}
	calls := map[string]func(*Collector) error{
		"/api/v1/accounts/lookup": func(c *Collector) error { _, err := c.Profile(ctx, "x"); return err },
		"/api/v1/accounts/" + testAccountID + "/statuses": func(c *Collector) error {
			_, err := c.Posts(ctx, cr, "")
			return err
		},
		"/api/v1/statuses/5/context": func(c *Collector) error {
			_, err := c.Thread(ctx, cr, model.Post{ID: "5"})
			return err
		},
		"/api/v1/timelines/tag/art": func(c *Collector) error { _, err := c.Discover(ctx, "#art", ""); return err },
		"/api/v1/accounts/" + testAccountID + "/following": func(c *Collector) error {
			_, err := c.Related(ctx, cr, 10)
			return err
		},
	}
	bodies := map[string][]byte{
		"truncated JSON": loadFixture(t, "accounts_statuses").body[:300],
		"wrong shape":    []byte(`{"id": 5}`), // a number where a string id is expected
		"HTML page":      htmlPage,
	}
	for bname, body := range bodies {
		for path, call := range calls {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Content-Type", "text/html")
				w.Write(body)
			})
			err := call(newTestCollector(t, testEnv(srv.URL)))
			if !errors.Is(err, collectors.ErrMalformed) {
				t.Errorf("%s from %s: err = %v, want ErrMalformed", bname, path, err)
				continue
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("%s: error %q does not name the endpoint %s", bname, err, path)
			}
		}
	}
}

func TestNextMaxID(t *testing.T) {
	h := loadFixture(t, "accounts_statuses").header
	if got := nextMaxID(h); got != "117020581008555092" {
		t.Errorf("nextMaxID = %q", got)
	}
	for _, v := range []string{
		"",
		`<http://x/api/v1/timelines/tag/a?min_id=5>; rel="prev"`,
		`<http://x/api/v1/timelines/tag/a?max_id=5>; rel=nextish`,
	} {
		if got := nextMaxID(http.Header{"Link": {v}}); got != "" {
			t.Errorf("nextMaxID(%q) = %q, want empty", v, got)
		}
	}
	if got := nextMaxID(http.Header{"Link": {`<http://x/a?min_id=9>; rel="prev",<http://x/a?limit=1&max_id=7>;rel=next`}}); got != "7" {
		t.Errorf("unquoted rel: %q", got)
	}
}
