package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/redact"
)

// assumedPause is the RetryAfter given to a web refusal that asks us to
// "wait a few minutes" without saying how long. instaloader waits 30 minutes
// after such a refusal.
const assumedPause = 30 * time.Minute

// graphThrottlePause is the RetryAfter given to a Graph API throttling error
// without an X-Business-Use-Case-Usage estimate: the app and user limits are
// counted over a rolling hour.
const graphThrottlePause = time.Hour

// APIError is a refusal Instagram or the Graph API explained in the body:
// the web's {"status":"fail","message":…} or the Graph error envelope. It
// unwraps to the collectors sentinel it stands for (ErrLoginWall,
// ErrNotFound, ErrAuthRequired, ErrForbidden, ErrQuota and a
// *collectors.RateLimitError) or, when none applies, to the HTTP error.
type APIError struct {
	Endpoint string // e.g. "GET /api/v1/users/web_profile_info/"
	Status   int    // HTTP status
	Message  string // the platform's message
	Code     int    // Graph API error code; 0 for the web source
	Subcode  int    // Graph API error_subcode
	Hint     string // what to do about it, when known

	wrapped []error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Endpoint, e.Status)
	if e.Code != 0 {
		fmt.Fprintf(&b, ", graph error %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, "/%d", e.Subcode)
		}
	}
	fmt.Fprintf(&b, ": %q", e.Message)
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	for _, w := range e.wrapped {
		if isSentinel(w) {
			b.WriteString(": " + w.Error())
		}
	}
	return b.String()
}

// Unwrap returns the sentinels and errors the refusal stands for.
func (e *APIError) Unwrap() []error { return e.wrapped }

func isSentinel(err error) bool {
	for _, s := range []error{collectors.ErrLoginWall, collectors.ErrNotFound, collectors.ErrAuthRequired,
		collectors.ErrForbidden, collectors.ErrQuota, collectors.ErrPrivate} {
		if err == s {
			return true
		}
	}
	var rl *collectors.RateLimitError
	return errors.As(err, &rl)
}

// webFail is the web API's refusal body.
type webFail struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	RequireLogin  bool   `json:"require_login"`
	ErrorType     string `json:"error_type"`
	CheckpointURL string `json:"checkpoint_url"`
}

// graphErrorBody is the Graph API error envelope.
type graphErrorBody struct {
	Error *struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
		Subcode int    `json:"error_subcode"`
		UserMsg string `json:"error_user_msg"`
	} `json:"error"`
}

// getWeb fetches a web API URL with the app id header and returns the JSON
// body of a successful answer. endpoint names the call in errors.
func (c *Collector) getWeb(ctx context.Context, endpoint, rawURL string) ([]byte, error) {
	h := http.Header{}
	h.Set("x-ig-app-id", c.appID)
	resp, err := c.http.Get(ctx, rawURL, h)
	if err != nil {
		return nil, c.webError(endpoint, resp, err)
	}
	if httpx.IsHTML(resp.Body) {
		if isLoginPage(resp.Body) {
			return nil, fmt.Errorf("%s: got Instagram's login page instead of JSON: %w", endpoint, collectors.ErrLoginWall)
		}
		return nil, fmt.Errorf("%s: got an HTML page instead of JSON: %w", endpoint, collectors.ErrMalformed)
	}
	if f, ok := parseWebFail(resp.Body); ok {
		return nil, c.webRefusal(endpoint, resp.Status, f, nil)
	}
	return resp.Body, nil
}

// webError explains a failed web request: a redirect to the login page or
// an HTML login page is ErrLoginWall, a fail body becomes an APIError, and
// anything else keeps the httpx error (404 → ErrNotFound, 429s that outlast
// the retries → *RateLimitError, …).
func (c *Collector) webError(endpoint string, resp *httpx.Response, err error) error {
	if resp == nil {
		return fmt.Errorf("%s: %w", endpoint, err)
	}
	if resp.Status >= 300 && resp.Status < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			if u, perr := url.Parse(loc); perr == nil && isLoginPath(u.Path) {
				return fmt.Errorf("%s: redirected to %s: %w", endpoint, u.Path, collectors.ErrLoginWall)
			}
		}
	}
	var rl *collectors.RateLimitError
	if errors.As(err, &rl) || resp.Status == http.StatusNotFound || resp.Status == http.StatusGone {
		if f, ok := parseWebFail(resp.Body); ok && f.Message != "" {
			return fmt.Errorf("%s: %w (%q)", endpoint, err, f.Message)
		}
		return fmt.Errorf("%s: %w", endpoint, err)
	}
	if httpx.IsHTML(resp.Body) && isLoginPage(resp.Body) {
		return fmt.Errorf("%s: HTTP %d with Instagram's login page: %w", endpoint, resp.Status, collectors.ErrLoginWall)
	}
	if f, ok := parseWebFail(resp.Body); ok {
		return c.webRefusal(endpoint, resp.Status, f, err)
	}
	return fmt.Errorf("%s: %w", endpoint, err)
}

// webRefusal maps a {"status":"fail"} body to an APIError. cause is the
// httpx error of a non-2xx answer, nil for a 200.
func (c *Collector) webRefusal(endpoint string, status int, f webFail, cause error) error {
	e := &APIError{Endpoint: endpoint, Status: status, Message: f.Message}
	msg := strings.ToLower(f.Message)
	typ := strings.ToLower(f.ErrorType)
	switch {
	case f.RequireLogin || msg == "login_required" || strings.Contains(msg, "checkpoint") ||
		strings.Contains(msg, "challenge") || strings.Contains(typ, "checkpoint") || f.CheckpointURL != "":
		e.wrapped = []error{collectors.ErrLoginWall}
	case strings.Contains(msg, "useragent mismatch"):
		e.Hint = fmt.Sprintf("the x-ig-app-id header is missing or not a web app id; option app_id is %q", c.appID)
		e.wrapped = []error{collectors.ErrForbidden}
	case strings.Contains(msg, "wait a few minutes") || strings.Contains(msg, "rate limit") || strings.Contains(typ, "rate_limit"):
		c.countThrottled()
		e.Hint = "Instagram gives no wait; assuming " + assumedPause.String()
		e.wrapped = []error{&collectors.RateLimitError{RetryAfter: assumedPause}}
	case status < 500 && (strings.Contains(msg, "not found") || strings.Contains(msg, "does not exist")):
		// "User not found", "Media not found or unavailable"
		e.wrapped = []error{collectors.ErrNotFound}
	case cause != nil:
		e.wrapped = []error{cause}
	}
	return e
}

// parseWebFail reads a {"status":"fail","message":…} body.
func parseWebFail(body []byte) (webFail, bool) {
	var f webFail
	if !strings.HasPrefix(strings.TrimSpace(string(body[:min(len(body), 64)])), "{") {
		return f, false
	}
	if json.Unmarshal(body, &f) != nil || f.Status != "fail" {
		return f, false
	}
	return f, true
}

// getGraph fetches a Graph API URL (which carries the access token) and
// returns the JSON body of a successful answer. Errors never contain the
// token.
func (c *Collector) getGraph(ctx context.Context, endpoint, rawURL string) ([]byte, error) {
	body, err := c.getGraphRaw(ctx, endpoint, rawURL)
	return body, c.scrub(err)
}

func (c *Collector) getGraphRaw(ctx context.Context, endpoint, rawURL string) ([]byte, error) {
	resp, err := c.http.Get(ctx, rawURL, nil)
	if err != nil {
		if resp == nil {
			return nil, fmt.Errorf("%s: %w", endpoint, err)
		}
		if ge := c.graphError(endpoint, resp); ge != nil {
			return nil, ge
		}
		return nil, fmt.Errorf("%s: %w", endpoint, err)
	}
	if httpx.IsHTML(resp.Body) {
		return nil, fmt.Errorf("%s: got an HTML page instead of JSON: %w", endpoint, collectors.ErrMalformed)
	}
	if ge := c.graphError(endpoint, resp); ge != nil {
		return nil, ge
	}
	return resp.Body, nil
}

// graphError maps a Graph API error envelope to an APIError:
//
//   - codes 4, 17, 32, 613 and 80000–80014 (throttling): a
//     *collectors.RateLimitError (RetryAfter from X-Business-Use-Case-Usage,
//     else an hour) and collectors.ErrQuota, so the pipeline pauses the
//     platform when they keep coming; not retried, since every call made
//     while throttled counts against the limit;
//   - 190 and 102 (invalid or expired token): ErrAuthRequired;
//   - 10 and 200–299 (missing permission): ErrForbidden;
//   - 110, and 100 with subcode 2207013 or 2207006 (no such business or
//     creator account; personal accounts look the same): ErrNotFound;
//   - 100 with subcode 33 (ig_user_id is not an object the token can see):
//     an error naming the option.
//
// It returns nil when the body is not a Graph error envelope.
func (c *Collector) graphError(endpoint string, resp *httpx.Response) error {
	var b graphErrorBody
	if httpx.IsHTML(resp.Body) || json.Unmarshal(resp.Body, &b) != nil || b.Error == nil {
		return nil
	}
	ge := b.Error
	e := &APIError{Endpoint: endpoint, Status: resp.Status, Message: ge.Message, Code: ge.Code, Subcode: ge.Subcode}
	if ge.UserMsg != "" && !strings.Contains(e.Message, ge.UserMsg) {
		e.Message += ": " + ge.UserMsg
	}
	switch code := ge.Code; {
	case code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80000 && code <= 80014):
		c.countThrottled()
		wait := bucRegainTime(resp.Header)
		if wait <= 0 {
			wait = graphThrottlePause
		}
		e.Hint = "Graph API throttling"
		e.wrapped = []error{&collectors.RateLimitError{RetryAfter: wait}, collectors.ErrQuota}
	case code == 190 || code == 102:
		e.Hint = "the access token is invalid or expired"
		e.wrapped = []error{collectors.ErrAuthRequired}
	case code == 10 || (code >= 200 && code <= 299):
		e.Hint = "the token lacks a permission business_discovery needs (instagram_basic, pages_read_engagement…)"
		e.wrapped = []error{collectors.ErrForbidden}
	case code == 110 || (code == 100 && (ge.Subcode == 2207013 || ge.Subcode == 2207006)):
		e.Hint = "no business or creator account by that name"
		e.wrapped = []error{collectors.ErrNotFound}
	case code == 100 && ge.Subcode == 33:
		e.Hint = fmt.Sprintf("check option ig_user_id %q: the token cannot see that account", c.igUserID)
	}
	if e.wrapped == nil && (resp.Status < 200 || resp.Status >= 300) {
		e.wrapped = []error{&collectors.HTTPError{Status: resp.Status, URL: httpx.Redact(resp.URL), Body: "graph error"}}
	}
	return e
}

// bucRegainTime reads the longest estimated_time_to_regain_access (minutes)
// from the X-Business-Use-Case-Usage header.
func bucRegainTime(h http.Header) time.Duration {
	v := h.Get("X-Business-Use-Case-Usage")
	if v == "" {
		return 0
	}
	var usage map[string][]struct {
		Minutes float64 `json:"estimated_time_to_regain_access"`
	}
	if json.Unmarshal([]byte(v), &usage) != nil {
		return 0
	}
	var longest time.Duration
	for _, entries := range usage {
		for _, u := range entries {
			longest = max(longest, time.Duration(u.Minutes*float64(time.Minute)))
		}
	}
	return longest
}

// isLoginPath reports whether a URL path is Instagram's login or challenge
// page.
func isLoginPath(p string) bool {
	p = strings.ToLower(p)
	return strings.HasPrefix(p, "/accounts/login") || strings.HasPrefix(p, "/challenge") ||
		strings.HasPrefix(p, "/accounts/suspended")
}

// isLoginPage reports whether an HTML body is Instagram's login page.
func isLoginPage(body []byte) bool {
	s := strings.ToLower(string(body[:min(len(body), 256<<10)]))
	for _, marker := range []string{"login • instagram", "/accounts/login", "loginform", `name="password"`, "/challenge/"} {
		if strings.Contains(s, marker) {
			return true
		}
	}
	return false
}

// secretForms are the spellings of a secret that may appear in text: as is
// and URL-escaped.
func secretForms(secret string) []string {
	forms := []string{secret}
	for _, f := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms
}

// scrubbedError hides a secret in an error's text and keeps the chain for
// errors.Is/As.
type scrubbedError struct {
	err error
	msg string
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrub returns err with the access token taken out of its text.
func (c *Collector) scrub(err error) error {
	if err == nil || c.token == "" {
		return err
	}
	msg := err.Error()
	clean := redact.String(msg, secretForms(c.token))
	if clean == msg {
		return err
	}
	return &scrubbedError{err: err, msg: clean}
}
