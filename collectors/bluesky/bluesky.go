// Package bluesky collects public creator data from Bluesky through the AT
// Protocol XRPC API: profiles (app.bsky.actor.getProfile), the creator's own
// posts (app.bsky.feed.getAuthorFeed), the replies under a post
// (app.bsky.feed.getPostThread), discovery by search (app.bsky.feed.searchPosts,
// which needs an app-password session) and snowballing through the accounts a
// creator follows (app.bsky.graph.getFollows). It registers itself as
// "bluesky".
//
// Every request goes through the shared httpx layer, so the platform's rate
// limit, retries and 429 handling (RateLimit-Reset, epoch seconds) apply.
//
// Config:
//
//   - base_url: the AppView root, default https://public.api.bsky.app; the
//     collector appends /xrpc/<nsid>.
//   - credentials: identifier and app_password name the environment variables
//     holding the account handle (or email) and an app password. They are only
//     used for Discover.
//
// Options:
//
//   - auth_url: the PDS or entryway that issues sessions and serves the
//     authenticated search. Default https://bsky.social, or base_url when
//     base_url points somewhere other than a *.bsky.app host (a simulator).
//   - feed_filter: the getAuthorFeed filter, default posts_no_replies (see
//     DefaultFeedFilter).
//   - page_size: limit sent on paged calls, 1–100, default 50.
//   - thread_depth: depth sent to getPostThread, 1–1000, default 6.
package bluesky

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/opts"
)

// Platform is the registry name of this collector.
const Platform = "bluesky"

// Defaults for the config and options.
const (
	DefaultBaseURL = "https://public.api.bsky.app"
	DefaultAuthURL = "https://bsky.social"
	// DefaultFeedFilter keeps only top-level posts (and reposts, which the
	// collector drops). Engagement rate and reply depth are measured on the
	// creator's top-level posts; self-thread continuations and replies in
	// other people's threads draw a fraction of the engagement, would drag the
	// rate down and would use up page slots, so they are not fetched.
	DefaultFeedFilter  = "posts_no_replies"
	DefaultPageSize    = 50
	DefaultThreadDepth = 6
)

var feedFilters = map[string]bool{
	"posts_with_replies":       true,
	"posts_no_replies":         true,
	"posts_with_media":         true,
	"posts_and_author_threads": true,
	"posts_with_video":         true,
}

var knownOptions = []string{"auth_url", "feed_filter", "page_size", "thread_depth"}

func init() {
	collectors.Register(Platform, New)
}

var (
	_ collectors.Collector     = (*Client)(nil)
	_ collectors.Discoverer    = (*Client)(nil)
	_ collectors.Snowballer    = (*Client)(nil)
	_ collectors.StatsReporter = (*Client)(nil)
	_ collectors.BatchProfiler = (*Client)(nil)
)

// Client is the Bluesky collector. It is safe for concurrent use.
type Client struct {
	http        *httpx.Client
	base        string // AppView root, no trailing slash
	authBase    string // PDS/entryway root for sessions and search
	feedFilter  string
	pageSize    int
	threadDepth int
	timeout     time.Duration
	hc          *http.Client // for the session POST only
	log         *slog.Logger
	now         func() time.Time

	identifier, password string

	sessionSem chan struct{} // one session creation at a time
	mu         sync.Mutex
	accessJwt  string
	post       postStats // counters of the POST requests httpx does not make
}

// New builds the collector from env. It does no I/O; it fails on an invalid
// base_url or auth_url and on unknown or invalid options.
func New(env collectors.Env) (collectors.Collector, error) {
	return newClient(env)
}

func newClient(env collectors.Env, hopts ...httpx.Option) (*Client, error) {
	cfg := env.Config
	if err := opts.Known(Platform, cfg.Options, knownOptions); err != nil {
		return nil, err
	}
	base, err := rootURL("base_url", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	authDefault := DefaultAuthURL
	if cfg.BaseURL != "" && !isBskyApp(base) {
		authDefault = base
	}
	authBase, err := rootURL("options.auth_url", cfg.Options["auth_url"], authDefault)
	if err != nil {
		return nil, err
	}
	filter := cfg.Options["feed_filter"]
	if filter == "" {
		filter = DefaultFeedFilter
	}
	if !feedFilters[filter] {
		return nil, fmt.Errorf("bluesky option feed_filter: unknown filter %q", filter)
	}
	pageSize, err := opts.Int(Platform, cfg.Options, "page_size", DefaultPageSize, 1, 100)
	if err != nil {
		return nil, err
	}
	depth, err := opts.Int(Platform, cfg.Options, "thread_depth", DefaultThreadDepth, 1, 1000)
	if err != nil {
		return nil, err
	}
	log := opts.Logger(env.Logger)
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	return &Client{
		http:        httpx.New(cfg, env.UserAgent, log, hopts...),
		base:        base,
		authBase:    authBase,
		feedFilter:  filter,
		pageSize:    pageSize,
		threadDepth: depth,
		timeout:     timeout,
		hc:          &http.Client{},
		log:         log.With("platform", Platform),
		now:         time.Now,
		identifier:  env.Secret("identifier"),
		password:    env.Secret("app_password"),
		sessionSem:  make(chan struct{}, 1),
		post:        postStats{byStatus: map[int]int64{}},
	}, nil
}

// Platform returns "bluesky".
func (c *Client) Platform() string { return Platform }

// Stats returns the request counters: the shared httpx client's plus the
// session POSTs made by this package.
func (c *Client) Stats() collectors.RequestStats {
	s := c.http.Stats()
	c.mu.Lock()
	defer c.mu.Unlock()
	s.Requests += c.post.requests
	s.Throttled += c.post.throttled
	s.LimiterWait += c.post.limiterWait
	for k, v := range c.post.byStatus {
		s.ByStatus[k] += v
	}
	return s
}

// rootURL validates an API root and drops trailing slashes and a trailing
// /xrpc, so "https://host/", "https://host" and "https://host/xrpc" agree.
func rootURL(name, raw, def string) (string, error) {
	raw = strings.TrimSuffix(opts.CleanRoot(raw, def), "/xrpc")
	if _, ok := opts.HTTPURL(raw); !ok {
		return "", fmt.Errorf("bluesky %s %q: want an http(s) URL", name, raw)
	}
	return raw, nil
}

func isBskyApp(root string) bool {
	u, err := url.Parse(root)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "bsky.app" || strings.HasSuffix(h, ".bsky.app")
}

// errEmptyActor is returned for an empty handle.
var errEmptyActor = errors.New("empty handle or did")
