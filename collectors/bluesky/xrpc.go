package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
)

// XRPC method ids used by the collector.
const (
	nsidGetProfile    = "app.bsky.actor.getProfile"
	nsidGetPosts      = "app.bsky.feed.getPosts"
	nsidGetAuthorFeed = "app.bsky.feed.getAuthorFeed"
	nsidGetPostThread = "app.bsky.feed.getPostThread"
	nsidSearchPosts   = "app.bsky.feed.searchPosts"
	nsidGetFollows    = "app.bsky.graph.getFollows"
	nsidGetFollowers  = "app.bsky.graph.getFollowers"
	nsidGetProfiles   = "app.bsky.actor.getProfiles"
	nsidCreateSession = "com.atproto.server.createSession"
)

// xrpcError is the body of an XRPC error response.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// XRPC error names that mean the actor or record is gone.
var notFoundErrors = map[string]bool{
	"InvalidRequest":     true, // getProfile: "Profile not found", bad handle
	"ActorNotFound":      true,
	"AccountTakedown":    true,
	"AccountDeactivated": true,
	"NotFound":           true, // getPostThread
	"RepoNotFound":       true,
	"RepoTakendown":      true,
	"RepoDeactivated":    true,
	"RepoSuspended":      true,
}

// XRPC error names that mean the request needs a (fresh) session.
var authErrors = map[string]bool{
	"AuthMissing":            true,
	"AuthenticationRequired": true,
	"ExpiredToken":           true,
	"InvalidToken":           true,
}

// xrpcURL builds root/xrpc/nsid?q.
func xrpcURL(root, nsid string, q url.Values) string {
	u := root + "/xrpc/" + nsid
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// get performs one XRPC query through httpx and decodes the JSON body into
// out. Errors wrap the collectors sentinels.
func (c *Client) get(ctx context.Context, root, nsid string, q url.Values, header http.Header, out any) error {
	body, err := c.fetch(ctx, root, nsid, q, header)
	if err != nil {
		return err
	}
	return decode(nsid, body, out)
}

// fetch performs one XRPC query through httpx and returns the body of a
// successful answer. Errors wrap the collectors sentinels.
func (c *Client) fetch(ctx context.Context, root, nsid string, q url.Values, header http.Header) ([]byte, error) {
	resp, err := c.http.Get(ctx, xrpcURL(root, nsid, q), header)
	if err != nil {
		return nil, mapError(nsid, resp, err)
	}
	return resp.Body, nil
}

// decode unmarshals an XRPC JSON body; an HTML page or invalid JSON is
// collectors.ErrMalformed naming the endpoint, and a field of the wrong type
// a *collectors.DriftError naming the field.
func decode(nsid string, body []byte, out any) error {
	if httpx.IsHTML(body) {
		return fmt.Errorf("%s: got an HTML page instead of JSON: %w", nsid, collectors.ErrMalformed)
	}
	if err := json.Unmarshal(body, out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &collectors.DriftError{Where: nsid, Field: te.Field, Got: "a " + te.Value}
		}
		return fmt.Errorf("%s: decoding JSON: %w: %w", nsid, collectors.ErrMalformed, err)
	}
	return nil
}

// mapError turns an httpx error on a non-2xx response into the sentinel the
// XRPC error name implies, keeping the httpx error in the chain.
func mapError(nsid string, resp *httpx.Response, err error) error {
	if resp == nil {
		return fmt.Errorf("%s: %w", nsid, err)
	}
	xe := parseXRPCError(resp.Body)
	detail := xe.Error
	if xe.Message != "" {
		detail += " (" + xe.Message + ")"
	}
	switch resp.Status {
	case http.StatusBadRequest:
		switch {
		case notFoundErrors[xe.Error] && !(nsid == nsidSearchPosts && xe.Error == "InvalidRequest"):
			return fmt.Errorf("%s: %s: %w: %w", nsid, detail, collectors.ErrNotFound, err)
		case authErrors[xe.Error]:
			return fmt.Errorf("%s: %s: %w: %w", nsid, detail, collectors.ErrAuthRequired, err)
		case xe.Error == "BlockedActor" || xe.Error == "BlockedByActor":
			return fmt.Errorf("%s: %s: %w: %w", nsid, detail, collectors.ErrForbidden, err)
		}
	case http.StatusForbidden:
		// Unauthenticated searchPosts on the public AppView: JSON AuthMissing,
		// or an HTML page "Request forbidden by administrative rules."
		if authErrors[xe.Error] || strings.Contains(string(resp.Body), "administrative rules") {
			return fmt.Errorf("%s: %s: %w: %w", nsid, firstNonEmpty(detail, "request forbidden by administrative rules"), collectors.ErrAuthRequired, err)
		}
	}
	return fmt.Errorf("%s: %w", nsid, err)
}

func parseXRPCError(body []byte) xrpcError {
	var xe xrpcError
	if httpx.IsHTML(body) {
		return xe
	}
	_ = json.Unmarshal(body, &xe) // best effort: not every error body is JSON
	return xe
}

// isStaleSession reports whether an authenticated request failed because the
// access token is missing, expired or invalid.
func isStaleSession(err error) bool {
	return errors.Is(err, collectors.ErrAuthRequired)
}

// postStats counts the POSTs made outside httpx.
type postStats struct {
	requests    int64
	throttled   int64
	limiterWait time.Duration
	byStatus    map[int]int64
}

type sessionRequest struct {
	Identifier string `json:"identifier"`
	Password   string `json:"password"`
}

type sessionResponse struct {
	AccessJwt string `json:"accessJwt"`
	DID       string `json:"did"`
	Handle    string `json:"handle"`
}

// createSession logs in with the app password. It is a single POST: no
// retries, since createSession is limited to 30 per 5 minutes per account.
// Neither the password nor the token ever reaches a log line or an error.
func (c *Client) createSession(ctx context.Context) (string, error) {
	payload, err := json.Marshal(sessionRequest{Identifier: c.identifier, Password: c.password})
	if err != nil {
		return "", fmt.Errorf("%s: encoding request: %w", nsidCreateSession, err)
	}
	rawURL := xrpcURL(c.authBase, nsidCreateSession, nil)

	start := time.Now()
	err = c.http.Limiter().Wait(ctx)
	wait := time.Since(start)
	c.countPost(func(s *postStats) { s.limiterWait += wait })
	if err != nil {
		return "", fmt.Errorf("%s: waiting for rate limiter: %w", nsidCreateSession, err)
	}

	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, rawURL, bytes.NewReader(payload))
	if err != nil {
		return "", fmt.Errorf("%s: building request: %w", nsidCreateSession, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.http.UserAgent())
	c.countPost(func(s *postStats) { s.requests++ })
	hr, err := c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("POST %s: %w", rawURL, err)
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, 1<<20))
	hr.Body.Close()
	c.countPost(func(s *postStats) { s.byStatus[hr.StatusCode]++ })
	if err != nil {
		return "", fmt.Errorf("POST %s: reading body: %w", rawURL, err)
	}

	switch {
	case hr.StatusCode >= 200 && hr.StatusCode < 300:
		var s sessionResponse
		if err := decode(nsidCreateSession, body, &s); err != nil {
			return "", err
		}
		if s.AccessJwt == "" {
			return "", fmt.Errorf("%s: no accessJwt in response: %w", nsidCreateSession, collectors.ErrMalformed)
		}
		c.log.Debug("created bluesky session", "did", s.DID)
		return s.AccessJwt, nil
	case hr.StatusCode == http.StatusTooManyRequests:
		c.countPost(func(s *postStats) { s.throttled++ })
		return "", fmt.Errorf("%s: %w", nsidCreateSession, &collectors.RateLimitError{RetryAfter: resetWait(hr.Header, c.now())})
	case hr.StatusCode == http.StatusUnauthorized || hr.StatusCode == http.StatusBadRequest:
		xe := parseXRPCError(body)
		return "", fmt.Errorf("%s: the identifier or app password was refused (%s %s): %w",
			nsidCreateSession, xe.Error, xe.Message, collectors.ErrAuthRequired)
	default:
		return "", fmt.Errorf("%s: %w", nsidCreateSession,
			&collectors.HTTPError{Status: hr.StatusCode, URL: rawURL, Body: snippet(body)})
	}
}

func (c *Client) countPost(f func(*postStats)) {
	c.mu.Lock()
	f(&c.post)
	c.mu.Unlock()
}

// token returns the session's access token, creating the session on first
// use. stale, when not empty, is a token that was just refused: it is
// dropped and a new session created.
func (c *Client) token(ctx context.Context, stale string) (string, error) {
	select {
	case c.sessionSem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.sessionSem }()

	c.mu.Lock()
	tok := c.accessJwt
	if stale != "" && tok == stale {
		tok, c.accessJwt = "", ""
	}
	c.mu.Unlock()
	if tok != "" {
		return tok, nil
	}
	tok, err := c.createSession(ctx)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.accessJwt = tok
	c.mu.Unlock()
	return tok, nil
}

// authedGet is get with a Bearer token against the session host, creating
// the session lazily and once re-creating it when the token is refused.
func (c *Client) authedGet(ctx context.Context, nsid string, q url.Values, out any) error {
	stale := ""
	for attempt := 0; ; attempt++ {
		tok, err := c.token(ctx, stale)
		if err != nil {
			return err
		}
		h := http.Header{"Authorization": {"Bearer " + tok}}
		err = c.get(ctx, c.authBase, nsid, q, h, out)
		if err == nil || attempt > 0 || !isStaleSession(err) {
			return err
		}
		c.log.Debug("bluesky session refused; creating a new one", "endpoint", nsid)
		stale = tok
	}
}

// resetWait reads RateLimit-Reset (epoch seconds, or delta seconds when
// small) or Retry-After; one second when neither is usable.
func resetWait(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return max(0, time.Duration(n*float64(time.Second)))
		}
	}
	if v := strings.TrimSpace(h.Get("RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			if n < 1e9 {
				return time.Duration(max(0, n)) * time.Second
			}
			return max(0, time.Unix(n, 0).Sub(now))
		}
	}
	return time.Second
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
