package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// env is a running server over a real SQLite store seeded with creators.
type env struct {
	t   *testing.T
	st  *sqlite.Store
	srv *Server
	ts  *httptest.Server
	c   *http.Client // keeps cookies
	n   int
}

type envOption func(*Options)

func withConfig(f func(*config.Server)) envOption { return func(o *Options) { f(&o.Config) } }

// newEnv seeds n creators (exporttest.Seed) into a SQLite store in a temp
// dir and serves it.
func newEnv(t *testing.T, n int, opts ...envOption) *env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := exporttest.Seed(t.Context(), st, n); err != nil {
		t.Fatal(err)
	}
	o := Options{Store: st, Platforms: []string{"bluesky", "mastodon"}}
	for _, f := range opts {
		f(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &env{t: t, st: st, srv: srv, ts: ts, c: c, n: n}
}

// do sends a request; body, when not nil, is sent as JSON.
func (e *env) do(method, path string, body any, header ...string) *http.Response {
	e.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// json sends a request and decodes the JSON answer, checking the status.
func (e *env) json(method, path string, body any, wantStatus int, out any) {
	e.t.Helper()
	resp := e.do(method, path, body)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
}

// status sends a request and returns its status and body.
func (e *env) status(method, path string, body any, header ...string) (int, string) {
	e.t.Helper()
	resp := e.do(method, path, body, header...)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf loads a page and returns its form token (the cookie stays in the jar).
func (e *env) csrf(page string) string {
	e.t.Helper()
	_, body := e.status(http.MethodGet, page, nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no CSRF token on %s", page)
	}
	return m[1]
}

// form posts a form and returns the response.
func (e *env) form(path string, v url.Values, header ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.ts.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) top(q store.TopQuery) []store.CreatorRecord {
	e.t.Helper()
	recs, err := e.st.Top(e.t.Context(), q)
	if err != nil {
		e.t.Fatal(err)
	}
	return recs
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
