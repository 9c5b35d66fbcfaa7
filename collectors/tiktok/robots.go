package tiktok

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/temoto/robotstxt"

	"github.com/nanoscout/nanoscout/collectors"
)

// robotsRules is a parsed robots.txt.
type robotsRules struct {
	data   *robotstxt.RobotsData
	status int // HTTP status robots.txt was served with
}

// allows reports whether agent may fetch path (below base_url, with its
// query). The group is chosen as robots.txt asks: the longest User-agent
// line that is a prefix of agent, case-insensitively, else "*".
func (r *robotsRules) allows(path, agent string) bool { return r.data.TestAgent(path, agent) }

// robotsPath is what robots rules are matched against: the path below
// base_url with the query, exactly as requested.
func robotsPath(rel string, u *url.URL) string {
	if u.RawQuery != "" {
		return rel + "?" + u.RawQuery
	}
	return rel
}

// allowed checks rawURL against {base_url}/robots.txt for the configured
// User-Agent, reading robots.txt first when it is not cached. A disallowed
// URL is an error wrapping ErrRobotsDisallowed and collectors.ErrForbidden;
// no request is made for it.
func (c *Collector) allowed(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("parsing %q: %w", rawURL, err)
	}
	rel, ok := c.relative(u)
	if !ok {
		return fmt.Errorf("%s is not below base_url %s", rawURL, c.base)
	}
	rules, err := c.robotsRules(ctx)
	if err != nil {
		return err
	}
	p := robotsPath(rel, u)
	if ua := c.http.UserAgent(); !rules.allows(p, ua) {
		return fmt.Errorf("%s/robots.txt disallows %s for User-Agent %q: %w: %w", c.base, p, ua, ErrRobotsDisallowed, collectors.ErrForbidden)
	}
	return nil
}

func (c *Collector) cachedRobots() *robotsRules {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.robots != nil && c.now().Sub(c.robotsAt) < robotsTTL {
		return c.robots
	}
	return nil
}

// robotsRules returns the cached robots.txt or reads it, through the httpx
// client (rate-limited, retried, counted). Following RFC 9309: a 4xx answer
// means no rules apply; an unreachable robots.txt (5xx or network errors
// after the retries, a 429 that outlasted them, a redirect off base_url) means
// nothing may be fetched, and is not cached, so the next request asks again.
func (c *Collector) robotsRules(ctx context.Context) (*robotsRules, error) {
	if r := c.cachedRobots(); r != nil {
		return r, nil
	}
	select {
	case c.robotsSem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for robots.txt: %w", ctx.Err())
	}
	defer func() { <-c.robotsSem }()
	if r := c.cachedRobots(); r != nil { // read while we waited
		return r, nil
	}
	rawURL := c.base + "/robots.txt"
	resp, err := c.http.Get(ctx, rawURL, http.Header{"Accept": {"text/plain"}})
	var status int
	var body []byte
	switch {
	case err == nil:
		status, body = resp.Status, resp.Body
	case resp != nil && resp.Status >= 400 && resp.Status < 500 && resp.Status != http.StatusTooManyRequests:
		status = resp.Status
	default:
		return nil, fmt.Errorf("reading %s: robots.txt is unreachable, so nothing is fetched until it can be read: %w", rawURL, err)
	}
	data, perr := robotstxt.FromStatusAndBytes(status, body)
	if perr != nil {
		return nil, fmt.Errorf("parsing %s: %w: %v", rawURL, collectors.ErrMalformed, perr)
	}
	r := &robotsRules{data: data, status: status}
	c.mu.Lock()
	c.robots, c.robotsAt = r, c.now()
	c.mu.Unlock()
	c.log.Debug("read robots.txt", "url", rawURL, "status", status)
	return r, nil
}
