package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
)

// Endpoints, named in errors as "GET <path>".
const (
	endpointItemList = "/api/post/item_list/"
	endpointComments = "/api/comment/list/"
	endpointReplies  = "/api/comment/list/reply/"
)

// Ids of the scripts that carry a profile page's data.
const (
	universalScriptID = "__UNIVERSAL_DATA_FOR_REHYDRATION__"
	sigiScriptID      = "SIGI_STATE"
)

// StatusError is a non-zero statusCode / status_code in an answer TikTok
// served with HTTP 200. It unwraps to the collectors sentinel the code stands
// for when one is known: 10222 (private account) and 10216 (private video) to
// ErrPrivate, 10202 (no such user) and 10221 (banned) to ErrNotFound, 10204
// (IP address blocked) to ErrForbidden.
type StatusError struct {
	Where string // "profile page @name" or "GET /api/comment/list/"
	Code  int
	Msg   string // statusMsg / status_msg, often empty
}

type statusMeaning struct {
	text string
	err  error
}

var statusCodes = map[int]statusMeaning{
	10202: {"user does not exist", collectors.ErrNotFound},
	10204: {"IP address blocked", collectors.ErrForbidden},
	10216: {"private video", collectors.ErrPrivate},
	10221: {"account banned", collectors.ErrNotFound},
	10222: {"private account", collectors.ErrPrivate},
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: TikTok status code %d", e.Where, e.Code)
	if m, ok := statusCodes[e.Code]; ok {
		fmt.Fprintf(&b, " (%s)", m.text)
	}
	if e.Msg != "" {
		fmt.Fprintf(&b, ": %q", e.Msg)
	}
	return b.String()
}

// Unwrap returns the sentinel the code stands for, or nil.
func (e *StatusError) Unwrap() error { return statusCodes[e.Code].err }

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil) // never fails without options
	return jar
}

// attempt receives what httpx said about one page request, so the page
// fetch can return httpx's typed errors (429 → *RateLimitError, 404 →
// ErrNotFound…) rather than colly's status text.
type attempt struct {
	resp *httpx.Response
	err  error
}

type attemptKey struct{}

// httpxTransport is colly's RoundTripper: every page request goes through the
// platform's httpx client, so it waits on the same rate.Limiter as the JSON
// calls, honours and extends the same 429 pause, is retried on 5xx and
// timeouts with the same backoff, has the same per-request timeout, and is
// counted in the same Stats.
type httpxTransport struct{ http *httpx.Client }

func (t httpxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	if req.Method != http.MethodGet {
		return nil, fmt.Errorf("tiktok: %s %s: only GET requests are made", req.Method, req.URL)
	}
	resp, err := t.http.Get(req.Context(), req.URL.String(), req.Header)
	if a, ok := req.Context().Value(attemptKey{}).(*attempt); ok {
		a.resp, a.err = resp, err
	}
	if resp == nil {
		return nil, err
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", resp.Status, http.StatusText(resp.Status)),
		StatusCode:    resp.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        resp.Header,
		Body:          io.NopCloser(bytes.NewReader(resp.Body)),
		ContentLength: int64(len(resp.Body)),
		Request:       req,
	}, nil
}

// newScraper builds the colly collector that every page fetch clones.
//
// robots.txt: colly's own check is switched off (IgnoreRobotsTxt = true; note
// that colly v2's NewCollector already defaults to true) because it reads the
// host root's /robots.txt rather than {base_url}/robots.txt, does not cover
// the JSON requests, and keeps a 5xx answer as "disallow everything" for the
// collector's lifetime. The collector checks every URL itself, pages and
// JSON alike, before requesting it (Collector.allowed).
//
// Rate: the LimitRule lets at most burst page requests be in flight, the
// same burst as the platform's rate.Limiter; the pacing itself is that
// limiter, which every request waits on inside the transport. A LimitRule
// Delay on top would pace page requests twice.
func (c *Collector) newScraper() (*colly.Collector, error) {
	sc := colly.NewCollector()
	// Set after NewCollector, which applies COLLY_* environment variables.
	sc.UserAgent = c.http.UserAgent()
	sc.IgnoreRobotsTxt = true
	sc.AllowURLRevisit = true
	sc.ParseHTTPErrorResponse = true
	sc.MaxBodySize = httpx.MaxBody
	sc.Async = false
	sc.CacheDir = ""
	sc.MaxDepth = 1
	sc.Headers = &http.Header{
		"Accept":          {"text/html,application/xhtml+xml"},
		"Accept-Language": {"en"},
	}
	// Redirects are followed, or not, by the httpx client (checkRedirect);
	// colly sees the final answer. Cookies live in the httpx client's jar.
	sc.SetClient(&http.Client{
		Transport:     httpxTransport{c.http},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	})
	if err := sc.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: max(1, c.http.Limiter().Burst())}); err != nil {
		return nil, fmt.Errorf("tiktok: colly limit rule: %w", err)
	}
	return sc, nil
}

// page is what one profile-page request returned.
type page struct {
	status    int
	header    http.Header
	body      []byte
	universal string // text of the __UNIVERSAL_DATA_FOR_REHYDRATION__ script
	sigi      string // text of the SIGI_STATE script
	hasUniv   bool
	hasSigi   bool
	title     string
	wall      string // why the page looks like a login or challenge page; "" if it does not
}

// fetchPage requests an HTML page through a clone of the scraper. On a
// non-2xx answer it returns the page (headers and body, for the caller to
// recognise a login redirect) together with httpx's error.
func (c *Collector) fetchPage(ctx context.Context, rawURL string) (*page, error) {
	a := &attempt{}
	sc := c.scraper.Clone()
	sc.Context = context.WithValue(ctx, attemptKey{}, a)
	p := &page{}
	sc.OnResponse(func(r *colly.Response) {
		p.status, p.body = r.StatusCode, r.Body
		if r.Headers != nil {
			p.header = *r.Headers
		}
	})
	sc.OnHTML("script#"+universalScriptID, func(e *colly.HTMLElement) {
		if !p.hasUniv {
			p.universal, p.hasUniv = e.Text, true
		}
	})
	sc.OnHTML("script#"+sigiScriptID, func(e *colly.HTMLElement) {
		if !p.hasSigi {
			p.sigi, p.hasSigi = e.Text, true
		}
	})
	sc.OnHTML("html", func(e *colly.HTMLElement) {
		p.title = strings.TrimSpace(e.DOM.Find("title").First().Text())
		p.wall = wallReason(e.DOM)
	})
	err := sc.Visit(rawURL)
	if a.err != nil {
		return p, a.err
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("GET %s: %w", httpx.Redact(rawURL), ctx.Err())
		}
		return nil, fmt.Errorf("GET %s: %w", httpx.Redact(rawURL), err)
	}
	if a.resp == nil {
		return nil, fmt.Errorf("GET %s: no response", httpx.Redact(rawURL))
	}
	return p, nil
}

// checkRedirect decides which redirects the shared http.Client follows: at
// most 5, only below base_url, never to a login page (the 3xx itself is the
// answer: a login wall) and never to a URL robots.txt disallows.
func (c *Collector) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("stopped after %d redirects", len(via))
	}
	rel, ok := c.relative(req.URL)
	if !ok || isLoginPath(rel) {
		return http.ErrUseLastResponse
	}
	c.mu.Lock()
	rules := c.robots
	c.mu.Unlock()
	if rules != nil && rel != "/robots.txt" && !rules.allows(robotsPath(rel, req.URL), c.http.UserAgent()) {
		return http.ErrUseLastResponse
	}
	return nil
}

// relative returns u's path below base_url ("/@name"), and false when u is
// on another host or outside base_url's path.
func (c *Collector) relative(u *url.URL) (string, bool) {
	if !strings.EqualFold(u.Host, c.baseURL.Host) || u.Scheme != c.baseURL.Scheme {
		return "", false
	}
	p := u.EscapedPath()
	if c.basePath != "" {
		if p != c.basePath && !strings.HasPrefix(p, c.basePath+"/") {
			return "", false
		}
		p = strings.TrimPrefix(p, c.basePath)
	}
	if p == "" {
		p = "/"
	}
	return p, true
}

// isLoginPath reports whether a path below base_url is TikTok's login or
// sign-up page.
func isLoginPath(rel string) bool {
	p := strings.ToLower(rel)
	for _, prefix := range []string{"/login", "/signup", "/auth"} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") || strings.HasPrefix(p, prefix+"?") {
			return true
		}
	}
	return false
}

// redirectError explains a redirect the client did not follow, or returns
// nil when resp is not a redirect.
func (c *Collector) redirectError(what string, status int, h http.Header, err error) error {
	if status < 300 || status >= 400 {
		return nil
	}
	loc := h.Get("Location")
	target, perr := c.baseURL.Parse(loc)
	if perr != nil {
		return fmt.Errorf("%s: HTTP %d redirect to an unparsable Location %q: %w", what, status, loc, err)
	}
	rel, ok := c.relative(target)
	switch {
	case ok && isLoginPath(rel):
		return fmt.Errorf("%s: redirected to the login page %s: %w", what, rel, collectors.ErrLoginWall)
	case ok:
		return fmt.Errorf("%s: redirected to %s, which robots.txt disallows (not followed): %w: %w",
			what, rel, ErrRobotsDisallowed, collectors.ErrForbidden)
	default:
		return fmt.Errorf("%s: redirected off %s to %s (not followed): %w", what, c.base, httpx.Redact(target.String()), err)
	}
}

// wallReason says why an HTML document looks like a login or challenge page
// rather than a profile, or returns "". It is only asked when the page
// carries no data, so a creator whose name contains "login" is not mistaken
// for a wall.
func wallReason(doc *goquery.Selection) string {
	title := strings.TrimSpace(doc.Find("title").First().Text())
	lt := strings.ToLower(title)
	switch {
	case containsAny(lt, "log in", "login", "sign up", "signup"):
		return fmt.Sprintf("a login page (title %q)", title)
	case containsAny(lt, "verify", "verification", "captcha", "security check", "please wait"):
		return fmt.Sprintf("a verification page (title %q)", title)
	}
	if doc.Find(`input[type="password"], form[action*="login"]`).Length() > 0 {
		return "a login form"
	}
	if s := doc.Find(`[id*="captcha"], [class*="captcha"], [id*="verify"], [class*="verify-"]`); s.Length() > 0 {
		id, _ := s.First().Attr("id")
		if id == "" {
			id, _ = s.First().Attr("class")
		}
		return fmt.Sprintf("a captcha / verification challenge (%s)", id)
	}
	if doc.Find("#cs").Length() > 0 && doc.Find("#wci").Length() > 0 {
		return "TikTok's JavaScript challenge page (#cs, #wci)"
	}
	return ""
}

// htmlWall parses an HTML body and returns wallReason for it.
func htmlWall(body []byte) string {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	return wallReason(doc.Selection)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// looksHTML reports whether a body is markup rather than JSON.
func looksHTML(body []byte) bool {
	return httpx.IsHTML(body) || bytes.HasPrefix(bytes.TrimSpace(body), []byte("<"))
}

// query builds a query string keeping the parameters in the given order
// (name, value, name, value…), as the web app sends them.
func query(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[i+1]))
	}
	return b.String()
}

// getJSON fetches base_url+endpoint?rawQuery and decodes the JSON answer into
// out. Errors name the endpoint ("GET /api/post/item_list/"): an HTML login
// or challenge page, a redirect to the login page or an empty body is
// collectors.ErrLoginWall (the empty body also ErrEmptyPage); other HTML and
// undecodable JSON are collectors.ErrMalformed; non-2xx answers keep httpx's
// typed errors.
func (c *Collector) getJSON(ctx context.Context, endpoint, rawQuery string, out any) error {
	what := "GET " + endpoint
	rawURL := c.base + endpoint
	if rawQuery != "" {
		rawURL += "?" + rawQuery
	}
	if err := c.allowed(ctx, rawURL); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	resp, err := c.http.Get(ctx, rawURL, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return c.apiError(what, resp, err)
	}
	body := bytes.TrimSpace(resp.Body)
	switch {
	case len(body) == 0:
		return fmt.Errorf("%s: HTTP %d with an empty body (TikTok's bot defence refuses unsigned web API calls this way): %w: %w",
			what, resp.Status, ErrEmptyPage, collectors.ErrLoginWall)
	case looksHTML(body):
		if reason := htmlWall(body); reason != "" {
			return fmt.Errorf("%s: got %s instead of JSON: %w", what, reason, collectors.ErrLoginWall)
		}
		return fmt.Errorf("%s: got an HTML page instead of JSON: %w", what, collectors.ErrMalformed)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: decoding JSON: %w: %v", what, collectors.ErrMalformed, err)
	}
	return nil
}

// apiError explains a failed JSON request.
func (c *Collector) apiError(what string, resp *httpx.Response, err error) error {
	if resp == nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if rerr := c.redirectError(what, resp.Status, resp.Header, err); rerr != nil {
		return rerr
	}
	if looksHTML(resp.Body) {
		if reason := htmlWall(resp.Body); reason != "" {
			return fmt.Errorf("%s: HTTP %d with %s: %w: %w", what, resp.Status, reason, collectors.ErrLoginWall, err)
		}
	}
	var st struct {
		StatusCode *int   `json:"status_code"`
		StatusMsg  string `json:"status_msg"`
	}
	if json.Unmarshal(resp.Body, &st) == nil && st.StatusCode != nil && *st.StatusCode != 0 {
		return fmt.Errorf("%s: %w (status_code %d %q)", what, err, *st.StatusCode, st.StatusMsg)
	}
	return fmt.Errorf("%s: %w", what, err)
}
