package instagram

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
)

// Values verified in the fixture files.
const (
	testUA = "nanoscout-test/1.0 (+https://example.invalid)"
	// prefix is where the simulator serves Instagram; the tests use it too,
	// so base URLs with a path are covered.
	prefix = "/instagram"

	userID    = "1234567890"    // web_profile_info data.user.id
	userName  = "example.brand" // data.user.username
	reelPK    = "3300000000000000001"
	photoPK   = "3300000000000000002"
	albumPK   = "3300000000000000003"
	topPK     = "17900000000000001" // commenter_1, 3 replies, 1 previewed
	otherPK   = "17900000000000002" // commenter_2, no replies
	childPK   = "17900000000000101" // commenter_3 answering topPK
	nextMinID = `{"cached_comments_cursor": "17900000000000002", "bifilter_token": "PLACEHOLDER=="}`

	igUserID  = "17841405309211844" // graph_business_discovery top-level id (ours)
	bdID      = "17841401441775531" // business_discovery.id (theirs)
	bdCursor  = "QVFIUlBMQUNFSE9MREVS"
	testToken = "EAAtest+SECRET/token=="

	profilePath = prefix + "/api/v1/users/web_profile_info/"
	graphPath   = prefix + "/v25.0/" + igUserID
)

var (
	commentsPath = prefix + "/api/v1/media/" + photoPK + "/comments/"
	childPath    = prefix + "/api/v1/media/" + photoPK + "/comments/" + topPK + "/child_comments/"
	fixedNow     = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

// fakeServer serves routes by path and records every request.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []*http.Request
	routes map[string]http.HandlerFunc
}

func newFakeServer(t *testing.T, routes map[string]http.HandlerFunc) *fakeServer {
	t.Helper()
	f := &fakeServer{routes: routes}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Clone(r.Context()))
		f.mu.Unlock()
		h, ok := f.routes[r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s", r.URL)
			w.WriteHeader(http.StatusTeapot)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

func (f *fakeServer) count(path string) int {
	n := 0
	for _, r := range f.requests() {
		if r.URL.Path == path {
			n++
		}
	}
	return n
}

var readTestdata = fixturetest.Read

// serve answers with a body, a status and a content type.
func serve(body []byte, status int, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write(body)
	}
}

// file serves a testdata file (JSON unless it ends in .html).
func file(t *testing.T, name string, status int) http.HandlerFunc {
	ct := "application/json; charset=utf-8"
	if filepath.Ext(name) == ".html" {
		ct = "text/html; charset=utf-8"
	}
	return serve(readTestdata(t, name), status, ct)
}

// jsonBody serves a value as JSON.
func jsonBody(t *testing.T, v any, status int) http.HandlerFunc {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return serve(b, status, "application/json; charset=utf-8")
}

// sequence answers with the handlers in turn, repeating the last.
var sequence = fixturetest.Sequence

// requireAppID answers like Instagram when the x-ig-app-id header is
// missing or wrong: 400 "useragent mismatch".
func requireAppID(want string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-ig-app-id") != want {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"message":"useragent mismatch","status":"fail"}`))
			return
		}
		h(w, r)
	}
}

// decodeFixture reads a testdata JSON file into generic values, for
// variants derived from the fixtures.
func decodeFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readTestdata(t, name), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func obj(v any) map[string]any { return v.(map[string]any) }

// fixtureUser returns data.user of a decoded web_profile_info.
func fixtureUser(m map[string]any) map[string]any { return obj(obj(m["data"])["user"]) }

// fixtureNodes returns the timeline nodes of a decoded web_profile_info.
func fixtureNodes(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, e := range obj(fixtureUser(m)["edge_owner_to_timeline_media"])["edges"].([]any) {
		out = append(out, obj(obj(e)["node"]))
	}
	return out
}

type envOption func(*collectors.Env)

func withOptions(kv ...string) envOption {
	return func(e *collectors.Env) {
		if e.Config.Options == nil {
			e.Config.Options = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			e.Config.Options[kv[i]] = kv[i+1]
		}
	}
}

// withGraph selects the graph source on the test server with a token.
func withGraph(base string) envOption {
	return func(e *collectors.Env) {
		withOptions("source", "graph", "graph_base_url", base+prefix, "ig_user_id", igUserID)(e)
		e.Config.Credentials = map[string]string{"access_token": "INSTAGRAM_GRAPH_TOKEN"}
		e.Getenv = func(k string) string {
			if k == "INSTAGRAM_GRAPH_TOKEN" {
				return testToken
			}
			return ""
		}
	}
}

// testEnv is a fast config pointed at the test server.
func testEnv(base string, opts ...envOption) collectors.Env {
	e := fixturetest.Env(base+prefix+"/", testUA) // trailing slash on purpose
	for _, o := range opts {
		o(&e)
	}
	return e
}

func newTestCollector(t *testing.T, env collectors.Env) *Collector {
	t.Helper()
	c, err := newCollector(env, httpx.WithBaseBackoff(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return fixedNow }
	return c
}

func val(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
