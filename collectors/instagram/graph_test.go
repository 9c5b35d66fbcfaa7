package instagram

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

const wantFields = "business_discovery.username(bluebottle){followers_count,follows_count,media_count,username,name,biography,website," +
	"media.limit(25){id,caption,comments_count,like_count,timestamp,media_type,permalink,media_product_type}}"

func TestGraphProfileAndPosts(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: file(t, "graph_business_discovery.json", 200)})
	c := newTestCollector(t, testEnv(srv.URL, withGraph(srv.URL)))
	ctx := context.Background()
	cr, err := c.Profile(ctx, "@BlueBottle")
	if err != nil {
		t.Fatal(err)
	}
	want := model.Creator{
		Platform:   "instagram",
		ID:         bdID,
		Handle:     "bluebottle", // the fixture has no username field: the one asked for
		URL:        "https://www.instagram.com/bluebottle/",
		Followers:  267793,
		PostsCount: 1205,
		FetchedAt:  fixedNow,
		Unknown:    []string{model.CountFollowing}, // the fixture has no follows_count: unknown, not 0
	}
	if !equalJSON(t, cr, want) {
		t.Errorf("Profile =\n%+v\nwant\n%+v", cr, want)
	}
	r := srv.requests()[0]
	q := r.URL.Query()
	if q.Get("fields") != wantFields || q.Get("access_token") != testToken {
		t.Errorf("query fields=%q access_token=%q\nwant fields=%q", q.Get("fields"), q.Get("access_token"), wantFields)
	}
	if r.Header.Get("x-ig-app-id") != "" {
		t.Error("graph request sent the web app id")
	}

	page, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (media come with the profile)", n)
	}
	if page.Next != "" {
		t.Errorf("Next = %q after a short page", page.Next)
	}
	type got struct {
		id, kind, text, url string
		created             time.Time
		likes, comments     any
		views               any
	}
	var gs []got
	for _, p := range page.Posts {
		gs = append(gs, got{p.ID, p.Kind, p.Text, p.URL, p.CreatedAt, val(p.Likes), val(p.Comments), val(p.Views)})
		if p.CreatorID != bdID || p.Platform != Platform {
			t.Errorf("post %s: %+v", p.ID, p)
		}
	}
	wantPosts := []got{
		{"17800000000000001", "image", "Placeholder caption one", "https://www.instagram.com/p/C1BBBBBBBBB/",
			time.Date(2024, 6, 19, 17, 5, 12, 0, time.UTC), int64(345), int64(12), nil},
		{"17800000000000002", "video", "Placeholder caption two", "https://www.instagram.com/reel/C1AAAAAAAAA/",
			time.Date(2024, 6, 18, 16, 40, 0, 0, time.UTC), int64(67), int64(3), nil},
	}
	if !equalJSON(t, gs, wantPosts) {
		t.Errorf("posts =\n%+v\nwant\n%+v", gs, wantPosts)
	}

	cs, err := c.Thread(ctx, cr, page.Posts[0])
	if err != nil || cs != nil {
		t.Errorf("Thread = %v, %v; the graph source shows no comments", cs, err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestGraphBaseDefaultsToSimulatorRoot(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: file(t, "graph_business_discovery.json", 200)})
	env := testEnv(srv.URL, withGraph(srv.URL))
	delete(env.Config.Options, "graph_base_url")
	c := newTestCollector(t, env)
	if cr, err := c.Profile(context.Background(), "bluebottle"); err != nil || cr.Followers != 267793 {
		t.Errorf("Profile = %+v, %v", cr, err)
	}
}

func TestGraphHiddenLikesAndPaging(t *testing.T) {
	m := decodeFixture(t, "graph_business_discovery.json")
	media := obj(obj(m["business_discovery"])["media"])
	delete(obj(media["data"].([]any)[1]), "like_count") // the owner hid likes
	page2 := decodeFixture(t, "graph_business_discovery.json")
	p2media := obj(obj(page2["business_discovery"])["media"])
	p2media["data"] = p2media["data"].([]any)[:1]
	srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: sequence(jsonBody(t, m, 200), jsonBody(t, page2, 200))})
	c := newTestCollector(t, testEnv(srv.URL, withGraph(srv.URL), withOptions("media_limit", "2")))
	ctx := context.Background()
	cr, err := c.Profile(ctx, "bluebottle")
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Posts(ctx, cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 2 || page.Posts[1].Likes != nil || val(page.Posts[1].Comments) != int64(3) {
		t.Errorf("posts = %+v, want the second with nil likes", page.Posts)
	}
	if page.Next != bdCursor {
		t.Fatalf("Next = %q, want the after cursor of a full page", page.Next)
	}
	page, err = c.Posts(ctx, cr, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 1 || page.Next != "" {
		t.Errorf("page 2 = %+v, want one post and the end", page)
	}
	f := srv.requests()[1].URL.Query().Get("fields")
	if f != "business_discovery.username(bluebottle){media.after("+bdCursor+").limit(2){"+graphMediaFields+"}}" {
		t.Errorf("page 2 fields = %q", f)
	}
	if _, err := c.Posts(ctx, cr, "a).x{"); err == nil {
		t.Error("accepted a cursor that would break the field expansion")
	}
}

func TestGraphNoToken(t *testing.T) {
	srv := newFakeServer(t, nil)
	env := testEnv(srv.URL, withGraph(srv.URL))
	env.Getenv = func(string) string { return "" }
	c := newTestCollector(t, env)
	if _, err := c.Profile(context.Background(), "bluebottle"); !errors.Is(err, collectors.ErrAuthRequired) {
		t.Errorf("Profile err = %v, want ErrAuthRequired", err)
	}
	if _, err := c.Posts(context.Background(), model.Creator{ID: bdID, Handle: "bluebottle"}, ""); !errors.Is(err, collectors.ErrAuthRequired) {
		t.Errorf("Posts err = %v, want ErrAuthRequired", err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests without a token", n)
	}
}

func TestGraphRateLimit(t *testing.T) {
	buc := `{"17841405309211844":[{"type":"instagram","call_count":100,"total_cputime":12,"total_time":30,"estimated_time_to_regain_access":15}]}`
	for name, tc := range map[string]struct {
		header http.Header
		want   time.Duration
	}{
		"no usage header": {nil, graphThrottlePause},
		"BUC header":      {http.Header{"X-Business-Use-Case-Usage": {buc}}, 15 * time.Minute},
	} {
		t.Run(name, func(t *testing.T) {
			body := readTestdata(t, "error_graph_rate_limit.json")
			srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header()[k] = v
				}
				serve(body, 400, "application/json")(w, r)
			}})
			c := newTestCollector(t, testEnv(srv.URL, withGraph(srv.URL)))
			_, err := c.Profile(context.Background(), "bluebottle")
			var rl *collectors.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter != tc.want {
				t.Fatalf("err = %v, want a RateLimitError after %v", err, tc.want)
			}
			if !errors.Is(err, collectors.ErrQuota) {
				t.Errorf("err = %v, want ErrQuota too (the pipeline pauses the platform)", err)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != 4 || ae.Message != "(#4) Application request limit reached" {
				t.Errorf("APIError = %+v", ae)
			}
			if s := c.Stats(); s.Throttled != 1 || s.Requests != 1 {
				t.Errorf("stats = %+v, want 1 request counted as throttled, no retry", s)
			}
		})
	}
}

func TestGraphErrors(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		sentinel error
		contains string
	}{
		{"expired token", 400, `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"X"}}`, collectors.ErrAuthRequired, "expired"},
		{"unknown user", 400, `{"error":{"message":"Invalid user id","type":"OAuthException","code":110,"error_subcode":2207013,"is_transient":false,"error_user_title":"Cannot find User","error_user_msg":"The user with username: nobody cannot be found.","fbtrace_id":"X"}}`, collectors.ErrNotFound, "cannot be found"},
		{"code 100 unknown user", 400, `{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"error_subcode":2207013,"fbtrace_id":"X"}}`, collectors.ErrNotFound, "Invalid parameter"},
		{"permission", 403, `{"error":{"message":"(#10) Application does not have permission for this action","type":"OAuthException","code":10,"fbtrace_id":"X"}}`, collectors.ErrForbidden, "permission"},
		{"bad ig_user_id", 400, `{"error":{"message":"Unsupported get request. Object with ID '17841405309211844' does not exist","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"X"}}`, nil, "ig_user_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: serve([]byte(tc.body), tc.status, "application/json")})
			c := newTestCollector(t, testEnv(srv.URL, withGraph(srv.URL)))
			_, err := c.Profile(context.Background(), "nobody")
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.contains)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("err = %v, want %v", err, tc.sentinel)
			}
			if tc.sentinel == nil && errors.Is(err, collectors.ErrNotFound) {
				t.Errorf("err = %v: a bad ig_user_id must not mark creators gone", err)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestGraphSchemaDrift(t *testing.T) {
	cases := []struct {
		field  string
		mutate func(map[string]any)
	}{
		{"business_discovery", func(m map[string]any) { delete(m, "business_discovery") }},
		{"business_discovery.followers_count", func(m map[string]any) {
			bd := obj(m["business_discovery"])
			bd["follower_count"] = bd["followers_count"]
			delete(bd, "followers_count")
		}},
		{"business_discovery.media_count", func(m map[string]any) { delete(obj(m["business_discovery"]), "media_count") }},
		{"business_discovery.media.data", func(m map[string]any) { delete(obj(m["business_discovery"]), "media") }},
		{"business_discovery.media.data[0].timestamp", func(m map[string]any) {
			obj(obj(obj(m["business_discovery"])["media"])["data"].([]any)[0])["timestamp"] = "yesterday"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			m := decodeFixture(t, "graph_business_discovery.json")
			tc.mutate(m)
			srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: jsonBody(t, m, 200)})
			c := newTestCollector(t, testEnv(srv.URL, withGraph(srv.URL)))
			_, err := c.Profile(context.Background(), "bluebottle")
			if !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err = %v, want ErrMalformed naming %s", err, tc.field)
			}
			if _, ok := collectors.DriftField(err); !ok {
				t.Errorf("err = %v, want a *collectors.DriftError", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("token in error: %v", err)
			}
		})
	}
	srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: file(t, "login_wall.html", 200)})
	c := newTestCollector(t, testEnv(srv.URL, withGraph(srv.URL)))
	if _, err := c.Profile(context.Background(), "bluebottle"); !errors.Is(err, collectors.ErrMalformed) || !strings.Contains(err.Error(), "/v25.0/"+igUserID) {
		t.Errorf("HTML from the Graph API: err = %v, want ErrMalformed naming the endpoint", err)
	}
}

// TestGraphTokenNeverLeaks captures every log line and error of failing
// graph calls: a 500 then success (httpx logs the retry), a transport error
// (whose *url.Error quotes the full URL), and a 400.
func TestGraphTokenNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	newC := func(base string) *Collector {
		env := testEnv(base, withGraph(base))
		env.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		return newTestCollector(t, env)
	}
	var errs []error

	srv := newFakeServer(t, map[string]http.HandlerFunc{graphPath: sequence(
		serve([]byte(`{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","is_transient":true,"code":2}}`), 500, "application/json"),
		file(t, "graph_business_discovery.json", 200),
	)})
	c := newC(srv.URL)
	if _, err := c.Profile(context.Background(), "bluebottle"); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Retries != 1 || s.ByStatus[500] != 1 {
		t.Errorf("stats = %+v, want one retry after the 500", s)
	}

	closed := newFakeServer(t, nil)
	closed.Close()
	_, err := newC(closed.URL).Profile(context.Background(), "bluebottle")
	if err == nil {
		t.Fatal("a closed server answered")
	}
	errs = append(errs, err)

	bad := newFakeServer(t, map[string]http.HandlerFunc{graphPath: serve([]byte(`{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`), 401, "application/json")})
	_, err = newC(bad.URL).Profile(context.Background(), "bluebottle")
	if !errors.Is(err, collectors.ErrAuthRequired) {
		t.Errorf("err = %v, want ErrAuthRequired", err)
	}
	errs = append(errs, err)

	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("expected httpx retry lines in the log, got %s", logs.String())
	}
	for _, secret := range secretForms(testToken) {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("token %q logged:\n%s", secret, logs.String())
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("token %q in error: %v", secret, err)
			}
		}
	}
}
