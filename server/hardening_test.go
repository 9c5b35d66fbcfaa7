package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/nanoscout/nanoscout/store"
)

// TestLocalPath is the open-redirect table (#10.4): every target a browser
// could read as another origin falls back; same-origin paths are kept
// (cleaned).
func TestLocalPath(t *testing.T) {
	const fb = "/fallback"
	cases := []struct{ in, want string }{
		{"/runs", "/runs"},
		{"/discover?tier=nano&sort=er", "/discover?tier=nano&sort=er"},
		{"/creators/bluesky:did:plc:abc", "/creators/bluesky:did:plc:abc"},
		{"/shortlists/a/../b", "/shortlists/b"},
		{"/", "/"},
		// The reported case and its relatives: tab, newline, CR, encoded.
		{"/%09/evil.example/x", fb},
		{"/\t/evil.example/x", fb},
		{"/%0a/evil.example", fb},
		{"/%0d%0a/evil.example", fb},
		{"/\n/evil.example", fb},
		{"/%00/evil.example", fb},
		{"/%E2%80%8B/evil.example", fb}, // zero-width space
		// Backslashes, raw and encoded.
		{"/\\evil.example", fb},
		{"\\\\evil.example", fb},
		{"/%5Cevil.example", fb},
		{"/%5C%5Cevil.example", fb},
		{"/\\/evil.example", fb},
		// Slashes: protocol-relative, encoded, after cleaning.
		{"//evil.example/x", fb},
		{"///evil.example/x", fb},
		{"/%2F/evil.example", "/evil.example"}, // cleaned to a same-origin path
		{"/%2f%2fevil.example", "/evil.example"},
		{"/./\\evil.example", fb},
		// Schemes and anything not starting with one slash.
		{"https://evil.example/x", fb},
		{"javascript:alert(1)", fb},
		{"data:text/html,x", fb},
		{"evil.example", fb},
		{" /runs", fb},
		{"", fb},
		{"/runs#frag", "/runs"},
	}
	for _, c := range cases {
		got := localPath(c.in, fb)
		if got != c.want {
			t.Errorf("localPath(%q) = %q, want %q", c.in, got, c.want)
		}
		// Whatever comes out, a browser reads it as this origin.
		if len(got) > 1 && (got[1] == '/' || got[1] == '\\') || strings.ContainsFunc(got, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
			t.Errorf("localPath(%q) = %q leaves this origin", c.in, got)
		}
	}
}

// TestLoginRedirectStaysLocal posts the reported login (#10.4) end to end.
func TestLoginRedirectStaysLocal(t *testing.T) {
	e := newEnv(t, 1, func(o *Options) { o.Token = "s3cret-token" })
	tok := e.csrf("/login")
	for _, next := range []string{"/%09/evil.example/x", "/\\evil.example", "/%5C/evil.example", "//evil.example"} {
		resp := e.form("/login", url.Values{"csrf": {tok}, "token": {"s3cret-token"}, "next": {next}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/discover" {
			t.Errorf("login next=%q: %d → %q, want /discover", next, resp.StatusCode, loc)
		}
	}
	// The login page's hidden field is cleaned too.
	_, body := e.status(http.MethodGet, "/login?next="+url.QueryEscape("/%09/evil.example/x"), nil)
	if strings.Contains(body, "evil.example") {
		t.Errorf("the login form carries the foreign next")
	}
}

// junk is n throw-away query parameters.
func junk(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("&j")
		b.WriteString(strconv.Itoa(i))
		b.WriteString("=1")
	}
	return b.String()
}

// TestTooManyParametersRefused is #10.5: past Go's 10,000-parameter limit
// the query fails to parse; it must be refused, not read as "no filter".
func TestTooManyParametersRefused(t *testing.T) {
	e := newEnv(t, 30)
	for _, path := range []string{
		"/api/export?format=json&tier=mega",
		"/api/creators?tier=mega",
		"/api/creators?platform[$ne]=x",
		"/export?tier=mega",
		"/discover?tier=mega",
		"/api/runs?limit=1",
		"/api/plan?source=filter&tier=mega",
	} {
		code, body := e.status(http.MethodGet, path+junk(10_001), nil)
		if code != http.StatusBadRequest || !strings.Contains(body, "query") {
			t.Errorf("%s + 10,001 junk parameters: %d %.200s; want 400 about the query", path, code, body)
		}
	}
	// A semicolon separator (which Go also refuses to parse) is not dropped
	// silently either.
	if code, _ := e.status(http.MethodGet, "/api/creators?tier=mega;platform=bluesky", nil); code != http.StatusBadRequest {
		t.Errorf("semicolon in the query: %d, want 400", code)
	}
	// A form body over the limit is refused too.
	tok := e.csrf("/shortlists")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.ts.URL+"/shortlists",
		strings.NewReader("csrf="+tok+"&name=y"+junk(10_001)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r2, err := e.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusBadRequest {
		t.Errorf("form with 10,001 junk fields: %d", r2.StatusCode)
	}
	lists, _ := e.st.ListShortlists(t.Context())
	for _, l := range lists {
		if l.Name == "y" {
			t.Errorf("the refused form created a list")
		}
	}
}

// TestBearerSchemeCaseInsensitive: RFC 9110 auth schemes are
// case-insensitive.
func TestBearerSchemeCaseInsensitive(t *testing.T) {
	e := newEnv(t, 1, func(o *Options) { o.Token = "s3cret-token" })
	for auth, want := range map[string]int{
		"Bearer s3cret-token": 200, "bearer s3cret-token": 200, "BEARER s3cret-token": 200, "bEaReR   s3cret-token": 200,
		"bearer wrong": 401, "Bearers3cret-token": 401, "Basic s3cret-token": 401, "s3cret-token": 401,
	} {
		if code, _ := e.status(http.MethodGet, "/api/shortlists", nil, "Authorization", auth); code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, code, want)
		}
	}
}

// TestOversizedJSONBody is answered 413, and nothing is written.
func TestOversizedJSONBody(t *testing.T) {
	e := newEnv(t, 1)
	big := `{"name": "` + strings.Repeat("x", maxBody) + `"}`
	code, body := e.status(http.MethodPost, "/api/shortlists", big)
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d %.200s, want 413", code, body)
	}
	keys := `{"keys": [` + strings.Repeat(`"bluesky:x",`, maxBody/12) + `"y"]}`
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "ok"}, http.StatusCreated, &l)
	if code, _ := e.status(http.MethodPost, "/api/shortlists/"+l.ID+"/items", keys); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized add: %d, want 413", code)
	}
	lists, _ := e.st.ListShortlists(t.Context())
	if len(lists) != 1 {
		t.Errorf("lists after refused bodies: %+v", lists)
	}
	// An oversized form is 413 as well.
	tok := e.csrf("/shortlists")
	resp := e.form("/shortlists", url.Values{"csrf": {tok}, "name": {strings.Repeat("x", maxBody)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d, want 413", resp.StatusCode)
	}
}

// TestLoginThrottledPerClient: failed sign-ins are counted per client
// address, so parallel guesses do not multiply the rate; other clients are
// not locked out, and the budget refills with time.
func TestLoginThrottledPerClient(t *testing.T) {
	e := newEnv(t, 1, func(o *Options) { o.Token = "s3cret-token" })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e.srv.logins.now = func() time.Time { return now }
	tok := e.csrf("/login")
	try := func(token, addr string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "/login",
			strings.NewReader(url.Values{"csrf": {tok}, "token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range e.c.Jar.Cookies(mustURL(t, e.ts.URL)) {
			req.AddCookie(c)
		}
		req.RemoteAddr = addr
		req.Host = "127.0.0.1"
		w := newRecorder()
		e.srv.Handler().ServeHTTP(w, req)
		return w.Code
	}
	for i := range loginBurst {
		if code := try("wrong", "192.0.2.7:1000"); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, code)
		}
	}
	// Another port of the same address is the same client; even the right
	// token waits (an attacker cannot tell a hit while throttled).
	for _, token := range []string{"wrong", "s3cret-token"} {
		if code := try(token, "192.0.2.7:2000"); code != http.StatusTooManyRequests {
			t.Errorf("guess past the budget (%s): %d, want 429", token, code)
		}
	}
	if code := try("s3cret-token", "198.51.100.1:1000"); code != http.StatusSeeOther {
		t.Errorf("another client: %d, want 303", code)
	}
	now = now.Add(loginRefill)
	if code := try("s3cret-token", "192.0.2.7:3000"); code != http.StatusSeeOther {
		t.Errorf("after %v: %d, want 303", loginRefill, code)
	}
}
