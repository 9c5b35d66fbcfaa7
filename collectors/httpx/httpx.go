// Package httpx is the HTTP layer every collector shares: one rate limiter per
// platform, a per-request timeout, a configurable User-Agent, retries with
// exponential backoff and jitter on 5xx and timeouts, and pauses on 429 that
// honour Retry-After, RateLimit-Reset (Bluesky, epoch seconds) and
// X-RateLimit-Reset (Mastodon, ISO time). It counts every request.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/internal/backoff"
)

// MaxBody is the largest response body read; larger bodies are an error.
const MaxBody = 16 << 20

// Response is a fully read HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	URL    string
}

// Client performs rate-limited, retried GET requests for one platform.
type Client struct {
	hc           *http.Client
	limiter      *rate.Limiter
	userAgent    string
	clientID     string
	timeout      time.Duration
	maxRetries   int
	maxRetryWait time.Duration
	baseBackoff  time.Duration
	log          *slog.Logger
	now          func() time.Time

	mu          sync.Mutex
	pausedUntil time.Time
	stats       collectors.RequestStats
}

// ClientHeader carries PlatformConfig.ClientID: the name rate limiters that
// tell clients apart (the simulator with per-client limits) count a worker's
// requests by.
const ClientHeader = "X-Nanoscout-Client"

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the underlying http.Client (its Timeout is ignored;
// the per-request timeout applies).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithBaseBackoff sets the first retry delay (default 250 ms); tests shorten it.
func WithBaseBackoff(d time.Duration) Option { return func(c *Client) { c.baseBackoff = d } }

// WithClock injects the time source used to read reset headers.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New builds a client from a platform config. Zero values get defaults:
// 5 req/s, burst 5, 20 s timeout, 4 retries, 2 min max wait on a 429.
func New(cfg collectors.PlatformConfig, userAgent string, log *slog.Logger, opts ...Option) *Client {
	rps, burst := cfg.RatePerSecond, cfg.Burst
	if rps <= 0 {
		rps = 5
	}
	if burst <= 0 {
		burst = max(1, int(rps))
	}
	c := &Client{
		hc:           &http.Client{},
		limiter:      rate.NewLimiter(rate.Limit(rps), burst),
		userAgent:    userAgent,
		clientID:     cfg.ClientID,
		timeout:      cfg.Timeout,
		maxRetries:   cfg.MaxRetries,
		maxRetryWait: cfg.MaxRetryWait,
		baseBackoff:  250 * time.Millisecond,
		log:          log,
		now:          time.Now,
		stats:        collectors.RequestStats{ByStatus: map[int]int64{}},
	}
	if c.timeout <= 0 {
		c.timeout = 20 * time.Second
	}
	if c.maxRetries <= 0 {
		c.maxRetries = 4
	}
	if c.maxRetryWait <= 0 {
		c.maxRetryWait = 2 * time.Minute
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.userAgent == "" {
		c.userAgent = "nanoscout"
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Limiter exposes the platform's limiter (colly's LimitRule is kept in step with it).
func (c *Client) Limiter() *rate.Limiter { return c.limiter }

// UserAgent is the configured User-Agent.
func (c *Client) UserAgent() string { return c.userAgent }

// Stats returns a copy of the counters.
func (c *Client) Stats() collectors.RequestStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.ByStatus = make(map[int]int64, len(c.stats.ByStatus))
	for k, v := range c.stats.ByStatus {
		s.ByStatus[k] = v
	}
	return s
}

// Get fetches rawURL with extra headers. On a non-2xx status it returns the
// response (for callers that read error bodies) together with an error:
// collectors.ErrNotFound for 404/410, ErrAuthRequired for 401, ErrForbidden
// for 403, *collectors.RateLimitError when 429s outlast the retries, and
// *collectors.HTTPError otherwise.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := c.waitTurn(ctx); err != nil {
			return nil, err
		}
		resp, err := c.once(ctx, rawURL, header)
		if err == nil && resp.Status >= 200 && resp.Status < 300 {
			return resp, nil
		}
		retryable, wait := false, time.Duration(0)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, fmt.Errorf("GET %s: %w", redact(rawURL), ctx.Err())
			}
			lastErr = fmt.Errorf("GET %s: %w", redact(rawURL), err)
			retryable, wait = true, c.backoff(attempt)
		case resp.Status == http.StatusTooManyRequests:
			c.count(func(s *collectors.RequestStats) { s.Throttled++ })
			wait = c.retryAfter(resp.Header)
			lastErr = &collectors.RateLimitError{RetryAfter: wait}
			if wait > c.maxRetryWait {
				return resp, lastErr
			}
			c.pause(wait)
			retryable, wait = true, 0 // waitTurn sleeps until the pause ends
		case resp.Status >= 500:
			lastErr = httpError(resp)
			retryable, wait = true, c.backoff(attempt)
		default:
			return resp, statusError(resp)
		}
		if !retryable || attempt >= c.maxRetries {
			return resp, lastErr
		}
		c.count(func(s *collectors.RequestStats) { s.Retries++ })
		c.log.Debug("retrying", "url", redact(rawURL), "attempt", attempt+1, "wait", wait, "err", lastErr)
		if err := backoff.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func (c *Client) once(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(rctx, rawURL, header, "application/json")
	if err != nil {
		return nil, err
	}
	c.count(func(s *collectors.RequestStats) { s.Requests++ })
	hr, err := c.hc.Do(req)
	if err != nil {
		return nil, redactURLError(err)
	}
	defer hr.Body.Close()
	body, err := io.ReadAll(io.LimitReader(hr.Body, MaxBody+1))
	c.count(func(s *collectors.RequestStats) { s.ByStatus[hr.StatusCode]++ })
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("body over %d bytes: %w", MaxBody, collectors.ErrMalformed)
	}
	return &Response{Status: hr.StatusCode, Header: hr.Header, Body: body, URL: rawURL}, nil
}

// newRequest builds a GET carrying header, the crawler's User-Agent, the
// client id (when set) and accept unless header names its own Accept.
func (c *Client) newRequest(ctx context.Context, rawURL string, header http.Header, accept string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", c.userAgent)
	if c.clientID != "" {
		req.Header.Set(ClientHeader, c.clientID)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", accept)
	}
	return req, nil
}

// redactURLError hides secrets in the URL net/http puts in its errors.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redact(ue.URL)
	}
	return err
}

// waitTurn blocks while the platform is paused by a 429, then on the limiter,
// and adds the time spent to the stats.
func (c *Client) waitTurn(ctx context.Context) error {
	start := time.Now()
	defer func() {
		d := time.Since(start)
		c.count(func(s *collectors.RequestStats) { s.LimiterWait += d })
	}()
	c.mu.Lock()
	until := c.pausedUntil
	c.mu.Unlock()
	if d := until.Sub(c.now()); d > 0 {
		if err := backoff.Sleep(ctx, d); err != nil {
			return err
		}
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return fmt.Errorf("waiting for rate limiter: %w", err)
	}
	return nil
}

func (c *Client) pause(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.now().Add(d); t.After(c.pausedUntil) {
		c.pausedUntil = t
	}
}

func (c *Client) count(f func(*collectors.RequestStats)) {
	c.mu.Lock()
	f(&c.stats)
	c.mu.Unlock()
}

// backoff is exponential with jitter, capped at 10 s (package backoff).
func (c *Client) backoff(attempt int) time.Duration {
	return backoff.Jittered(c.baseBackoff, 10*time.Second, attempt)
}

// retryAfter reads how long to wait from a 429's headers. It understands
// Retry-After (seconds or HTTP date), RateLimit-Reset (epoch seconds, or
// seconds from now when small) and X-RateLimit-Reset (ISO-8601 or epoch).
// Without any, it waits one second.
func (c *Client) retryAfter(h http.Header) time.Duration {
	now := c.now()
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return max(0, time.Duration(n*float64(time.Second)))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(0, t.Sub(now))
		}
	}
	for _, name := range []string{"RateLimit-Reset", "X-RateLimit-Reset"} {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			if n < 1e9 { // delta seconds (IETF draft) rather than an epoch
				return max(0, time.Duration(n*float64(time.Second)))
			}
			return max(0, time.Unix(int64(n), 0).Sub(now))
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return max(0, t.Sub(now))
		}
	}
	return time.Second
}

func statusError(r *Response) error {
	switch r.Status {
	case http.StatusNotFound, http.StatusGone:
		return fmt.Errorf("GET %s: %w", redact(r.URL), collectors.ErrNotFound)
	case http.StatusUnauthorized:
		return fmt.Errorf("GET %s: %w", redact(r.URL), collectors.ErrAuthRequired)
	case http.StatusForbidden:
		return fmt.Errorf("GET %s: %w: %s", redact(r.URL), collectors.ErrForbidden, snippet(r.Body))
	}
	return httpError(r)
}

func httpError(r *Response) error {
	return &collectors.HTTPError{Status: r.Status, URL: redact(r.URL), Body: snippet(r.Body)}
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// secretParams are query parameters never written to logs or errors.
var secretParams = []string{"key", "access_token", "token", "api_key", "apikey", "password"}

// redact removes secret query parameters from a URL for logs and errors.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	q := u.Query()
	changed := false
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, "REDACTED")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Redact is redact for callers outside the package.
func Redact(raw string) string { return redact(raw) }

// IsHTML reports whether a body looks like an HTML page (a login wall, an
// error page) rather than the JSON an API promised.
func IsHTML(body []byte) bool {
	s := strings.TrimSpace(string(body[:min(len(body), 512)]))
	s = strings.ToLower(s)
	return strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") || strings.HasPrefix(s, "<head") || strings.HasPrefix(s, "<body")
}
