package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/store"
)

func TestRequireToken(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": false, "127.0.0.2:80": false, "[::1]:8080": false, "localhost:8080": false,
		"0.0.0.0:8080": true, ":8080": true, "[::]:8080": true, "192.168.1.5:8080": true, "example.com:443": true,
	} {
		if got := RequireToken(addr); got != want {
			t.Errorf("RequireToken(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestInjectionAttempts sends query strings and bodies that would be
// injections if user input reached SQL or a MongoDB filter. Each is refused
// as a bad parameter or taken as literal text; the store stays whole.
func TestInjectionAttempts(t *testing.T) {
	e := newEnv(t, 20, withConfig(func(c *config.Server) { c.MaxPageSize = 10 }))
	total := len(e.top(store.TopQuery{Limit: 1000}))
	refused := []string{
		"platform[$ne]=x",
		"platform[%24ne]=x",
		"tier[$gt]=",
		"$where=sleep(1000)",
		"filter=%7B%22%24where%22%3A%221%22%7D",
		"platform=%24ne",
		"platform=bluesky%27%20OR%20%271%27%3D%271",
		"tier=nano%27%20OR%201%3D1--",
		"sort=composite%3BDROP%20TABLE%20creators",
		"sort=%24natural",
		"lang=en%27)%20OR%20(%271",
		"min_er=1%20OR%201%3D1",
		"min_er[$gt]=0",
		"offset=99999999999",
		"limit=-1",
		"platform=bluesky&platform=mastodon",
	}
	for _, q := range refused {
		code, body := e.status(http.MethodGet, "/api/creators?"+q, nil)
		if code != http.StatusBadRequest || !strings.Contains(body, "parameter") {
			t.Errorf("?%s: %d %s; want 400 naming the parameter", q, code, body)
		}
	}
	// Keywords are text: SQL and MongoDB syntax in them matches literally
	// (nothing in the seeded bios), never as syntax.
	for _, kw := range []string{`' OR 1=1 --`, `{"$where": "sleep(100)"}`, `{"$ne": null}`, `.*`, `"); DROP TABLE creators; --`, `NEAR(a b)`, `*`} {
		var page creatorsPage
		e.json(http.MethodGet, "/api/creators?"+url.Values{"q": {kw}}.Encode(), nil, http.StatusOK, &page)
		if len(page.Items) != 0 {
			t.Errorf("q=%s matched %d creators", kw, len(page.Items))
		}
	}
	// A huge limit is capped.
	var page creatorsPage
	e.json(http.MethodGet, "/api/creators?limit=100000000", nil, http.StatusOK, &page)
	if len(page.Items) != 10 || page.Limit != 10 {
		t.Errorf("limit=100000000: %d items, limit %d; want capped at 10", len(page.Items), page.Limit)
	}
	// JSON bodies: unknown fields and wrong types are refused.
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "ok"}, http.StatusCreated, &l)
	key := e.top(store.TopQuery{Limit: 1})[0].Key
	bodies := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/shortlists", `{"name": "x", "$where": "1"}`, 400},
		{"POST", "/api/shortlists", `{"name": {"$ne": null}}`, 400},
		{"POST", "/api/shortlists", `{"name": "a"} {"name": "b"}`, 400},
		{"POST", "/api/shortlists/" + l.ID + "/items", `{"keys": {"$gt": ""}}`, 400},
		{"POST", "/api/shortlists/" + l.ID + "/items", `{"keys": ["' OR 1=1 --"]}`, 400},
		{"PATCH", "/api/shortlists/" + l.ID + "/items/" + key, `{"status": {"$ne": "new"}}`, 400},
		{"PATCH", "/api/shortlists/" + l.ID + "/items/" + key, `{"status": "signed", "$set": {"x": 1}}`, 400},
		{"POST", "/api/push", `{"webhook": "x", "filter": {"$where": "sleep(100)"}}`, 400},
		{"POST", "/api/push", `{"webhook": "x", "filter": {"min_er": {"$gt": 0}}}`, 400},
		{"POST", "/api/alerts/check", `{"baseline": true, "$where": "1"}`, 400},
	}
	for _, b := range bodies {
		code, resp := e.status(b.method, b.path, b.body)
		if code != b.want {
			t.Errorf("%s %s %s: %d %s; want %d", b.method, b.path, b.body, code, resp, b.want)
		}
	}
	// Writes must be JSON: a form-encoded or text body is refused (a
	// cross-site form can send those without a preflight).
	if code, _ := e.status(http.MethodPost, "/api/shortlists", `name=x`, "Content-Type", "text/plain"); code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain API write: %d", code)
	}
	if got := len(e.top(store.TopQuery{Limit: 1000})); got != total {
		t.Errorf("the store has %d creators after the attempts, had %d", got, total)
	}
}

func TestTokenRequired(t *testing.T) {
	e := newEnv(t, 3, func(o *Options) { o.Token = "s3cret-token" })
	cases := []struct {
		path, auth string
		want       int
	}{
		{"/api/creators", "", http.StatusUnauthorized},
		{"/api/creators", "Bearer wrong", http.StatusUnauthorized},
		{"/api/creators", "Basic czNjcmV0LXRva2Vu", http.StatusUnauthorized},
		{"/api/creators", "Bearer s3cret-token", http.StatusOK},
		{"/api/shortlists", "", http.StatusUnauthorized},
		{"/export?format=csv", "", http.StatusSeeOther},
		{"/discover?tier=nano", "", http.StatusSeeOther},
		{"/creators/bluesky:x", "", http.StatusSeeOther},
		{"/discover?tier=nano", "Bearer s3cret-token", http.StatusOK},
		{"/static/app.css", "", http.StatusOK},
		{"/healthz", "", http.StatusOK},
		{"/login", "", http.StatusOK},
	}
	for _, c := range cases {
		var h []string
		if c.auth != "" {
			h = []string{"Authorization", c.auth}
		}
		code, _ := e.status(http.MethodGet, c.path, nil, h...)
		if code != c.want {
			t.Errorf("GET %s (%q): %d, want %d", c.path, c.auth, code, c.want)
		}
	}
	resp := e.do(http.MethodGet, "/api/creators", nil)
	if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without WWW-Authenticate: %v", resp.Header)
	}
	if code, _ := e.status(http.MethodPost, "/api/shortlists", map[string]string{"name": "x"}); code != http.StatusUnauthorized {
		t.Errorf("API write without a token: %d", code)
	}
	// A browser signs in once; the session cookie then opens every page.
	tok := e.csrf("/login")
	resp = e.form("/login", url.Values{"csrf": {tok}, "token": {"wrong"}, "next": {"/runs"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("login with a wrong token: %d", resp.StatusCode)
	}
	resp = e.form("/login", url.Values{"csrf": {tok}, "token": {"s3cret-token"}, "next": {"//evil.example/x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/discover" {
		t.Errorf("login: %d → %q (an outside next must not be followed)", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code, _ := e.status(http.MethodGet, "/discover?tier=nano", nil); code != http.StatusOK {
		t.Errorf("page after sign-in: %d", code)
	}
	if code, _ := e.status(http.MethodGet, "/api/creators", nil); code != http.StatusOK {
		t.Errorf("API from the signed-in browser: %d", code)
	}
}

func TestLoopbackHostsOnlyWithoutToken(t *testing.T) {
	e := newEnv(t, 1)
	for host, want := range map[string]int{"evil.example": 421, "evil.example:8080": 421, "10.0.0.1": 421, "localhost:8080": 200, "127.0.0.1": 200, "[::1]:80": 200} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, e.ts.URL+"/api/shortlists", nil)
		req.Host = host
		resp, err := e.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d (DNS rebinding)", host, resp.StatusCode, want)
		}
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, 3)
	key := e.top(store.TopQuery{Limit: 1})[0].Key
	// No token, a wrong token: refused.
	if resp := e.form("/shortlists", url.Values{"name": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("form without a CSRF token: %d", resp.StatusCode)
	}
	tok := e.csrf("/shortlists")
	if resp := e.form("/shortlists", url.Values{"name": {"x"}, "csrf": {tok + "0"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("form with a wrong CSRF token: %d", resp.StatusCode)
	}
	// A cross-site browser post is refused even with a token.
	if resp := e.form("/shortlists", url.Values{"name": {"x"}, "csrf": {tok}}, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form: %d", resp.StatusCode)
	}
	if resp := e.form("/shortlists", url.Values{"name": {"x"}, "csrf": {tok}}, "Origin", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("form from another origin: %d", resp.StatusCode)
	}
	if code, _ := e.status(http.MethodPost, "/api/shortlists", map[string]string{"name": "x"}, "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
		t.Errorf("cross-site API write: %d", code)
	}
	lists, _ := e.st.ListShortlists(t.Context())
	if len(lists) != 0 {
		t.Fatalf("a refused form created %d lists", len(lists))
	}
	// The same-origin form with its token works, and a foreign "back" is
	// not followed.
	resp := e.form("/shortlist-add", url.Values{"csrf": {tok}, "shortlist": {"new"}, "new_name": {"Spring"}, "key": {key},
		"back": {"//evil.example/phish"}}, "Sec-Fetch-Site", "same-origin")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/shortlists/") {
		t.Fatalf("add to a new shortlist: %d → %q", resp.StatusCode, loc)
	}
	lists, _ = e.st.ListShortlists(t.Context())
	if len(lists) != 1 || lists[0].Name != "Spring" || lists[0].Count != 1 {
		t.Errorf("lists: %+v", lists)
	}
	id := lists[0].ID
	for _, f := range []struct {
		path string
		v    url.Values
	}{
		{"/shortlists/" + id + "/items", url.Values{"key": {key}, "status": {"replied"}, "notes": {"=cmd|' /C calc'!A0"}}},
		{"/shortlists/" + id + "/rename", url.Values{"name": {"Spring 2026"}}},
		{"/shortlists/" + id + "/remove", url.Values{"key": {key}}},
		{"/shortlists/" + id + "/delete", nil},
	} {
		if f.v == nil {
			f.v = url.Values{}
		}
		if resp := e.form(f.path, f.v); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without a token: %d", f.path, resp.StatusCode)
		}
		f.v.Set("csrf", tok)
		if resp := e.form(f.path, f.v); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s with its token: %d", f.path, resp.StatusCode)
		}
	}
	if lists, _ = e.st.ListShortlists(t.Context()); len(lists) != 0 {
		t.Errorf("the list survived its delete form: %+v", lists)
	}
	// Runs are a form too, and are off by default.
	if resp := e.form("/runs", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("start a run with runs off: %d", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, 1)
	resp := e.do(http.MethodGet, "/discover?tier=nano", nil)
	h := resp.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", h)
	}
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie && (!c.HttpOnly || c.SameSite != http.SameSiteStrictMode) {
			t.Errorf("CSRF cookie %+v", c)
		}
	}
}
