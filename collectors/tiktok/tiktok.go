// Package tiktok collects public creator data from TikTok's web site: the
// profile page https://www.tiktok.com/@<uniqueId>, scraped with colly for the
// JSON the page embeds (the current <script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">
// and the legacy <script id="SIGI_STATE">), and the JSON endpoints the web app
// calls for a creator's videos (/api/post/item_list/), the comments under a
// video (/api/comment/list/) and the replies to a comment
// (/api/comment/list/reply/). It registers itself as "tiktok".
//
// Every request, HTML or JSON, goes through the shared httpx client: one
// rate.Limiter, one 429 pause, one set of retries and counters for the whole
// platform (colly's transport is the httpx client; see fetch.go). Before any
// request the collector reads {base_url}/robots.txt and refuses URLs it
// disallows for the configured User-Agent, with an error wrapping
// ErrRobotsDisallowed and collectors.ErrForbidden.
//
// TikTok has no public search or related-accounts source, so the collector
// implements neither collectors.Discoverer nor collectors.Snowballer:
// creators come from the configured seeds (and later from links found on
// other platforms).
//
// Config:
//
//   - base_url: the web root, default https://www.tiktok.com. A path is
//     allowed (a simulator serving TikTok under /tiktok); robots.txt is read
//     from {base_url}/robots.txt and its rules apply to paths below base_url.
//   - credentials: none; any key is an error. Nothing is logged in.
//
// Options (strings; unknown keys are an error):
//
//   - comment_pages: pages of 50 comments read per video, and of 50 replies
//     per comment, 1–20, default 1.
//   - reply_threads: comments per video whose replies beyond those TikTok
//     inlines are fetched from /api/comment/list/reply/, 0–100, default 3.
//
// Native ids are TikTok's numeric user, video and comment ids (as strings);
// Creator.Handle is the uniqueId (the @name). Profile needs the handle: the
// public page is addressed by @name only. The secUid the JSON endpoints need
// is kept in memory per user id; Posts reads the profile page again when it
// does not know it.
package tiktok

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/opts"
)

// Platform is the registry name of this collector.
const Platform = "tiktok"

// Defaults for the config and options.
const (
	DefaultBaseURL      = "https://www.tiktok.com"
	DefaultCommentPages = 1
	DefaultReplyThreads = 3
)

// WebURL is the public site used for Creator.URL and Post.URL, whatever
// base_url points at.
const WebURL = "https://www.tiktok.com"

// Page sizes sent to the JSON endpoints.
const (
	videoPageSize   = 30
	commentPageSize = 50
)

const (
	// robotsTTL is how long a fetched robots.txt is trusted (RFC 9309 §2.4
	// asks crawlers not to cache it for more than 24 hours).
	robotsTTL = 24 * time.Hour
	// firstPageTTL bounds how long the videos embedded in a profile page are
	// served as the first page of Posts instead of calling item_list.
	firstPageTTL = 10 * time.Minute
	// maxRemembered caps the secUid and first-page caches; when full they
	// are emptied (a lost secUid costs one profile page).
	maxRemembered = 10_000
)

// Errors of this package; both are also wrapped together with a collectors
// sentinel, so generic callers need not know them.
var (
	// ErrRobotsDisallowed: robots.txt forbids the URL. Wrapped together with
	// collectors.ErrForbidden.
	ErrRobotsDisallowed = errors.New("disallowed by robots.txt")
	// ErrEmptyPage: TikTok answered 200 with an empty body, which is how its
	// bot defence refuses requests. Wrapped together with
	// collectors.ErrLoginWall, since the data sits behind a check nanoscout
	// does not pass.
	ErrEmptyPage = errors.New("empty page")
)

var knownOptions = []string{"comment_pages", "reply_threads"}

func init() { collectors.Register(Platform, New) }

var (
	_ collectors.Collector     = (*Collector)(nil)
	_ collectors.StatsReporter = (*Collector)(nil)
)

// Collector is the TikTok collector. It is safe for concurrent use.
type Collector struct {
	base     string   // web root, no trailing slash
	baseURL  *url.URL // base, parsed
	basePath string   // base's path ("" or "/tiktok"): robots rules apply below it
	http     *httpx.Client
	scraper  *colly.Collector // template; each page fetch uses a clone
	log      *slog.Logger
	now      func() time.Time

	commentPages int
	replyThreads int

	robotsSem chan struct{} // one robots.txt fetch at a time

	mu         sync.Mutex
	robots     *robotsRules // nil until fetched
	robotsAt   time.Time
	secUIDs    map[string]string    // user id → secUid
	firstPages map[string]firstPage // user id → videos embedded in the profile page
}

// New builds the collector from env. It does no I/O; it fails on an invalid
// base_url, on credentials and on unknown or invalid options.
func New(env collectors.Env) (collectors.Collector, error) {
	return newCollector(env)
}

func newCollector(env collectors.Env, hopts ...httpx.Option) (*Collector, error) {
	cfg := env.Config
	if err := opts.Known(Platform, cfg.Options, knownOptions); err != nil {
		return nil, err
	}
	if len(cfg.Credentials) > 0 {
		return nil, fmt.Errorf("tiktok credentials: unknown keys %v (none are used: only public pages are read)", slices.Sorted(maps.Keys(cfg.Credentials)))
	}
	raw := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, ok := opts.HTTPURL(raw)
	if !ok || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("tiktok base_url %q: want an http(s) URL such as %s", cfg.BaseURL, DefaultBaseURL)
	}
	commentPages, err := opts.Int(Platform, cfg.Options, "comment_pages", DefaultCommentPages, 1, 20)
	if err != nil {
		return nil, err
	}
	replyThreads, err := opts.Int(Platform, cfg.Options, "reply_threads", DefaultReplyThreads, 0, 100)
	if err != nil {
		return nil, err
	}
	log := opts.Logger(env.Logger)
	c := &Collector{
		base:         raw,
		baseURL:      u,
		basePath:     strings.TrimRight(u.EscapedPath(), "/"),
		log:          log.With("platform", Platform),
		now:          time.Now,
		commentPages: commentPages,
		replyThreads: replyThreads,
		robotsSem:    make(chan struct{}, 1),
		secUIDs:      map[string]string{},
		firstPages:   map[string]firstPage{},
	}
	// One http.Client for pages and JSON: it keeps the cookies TikTok sets on
	// anonymous visitors and decides which redirects to follow.
	hc := &http.Client{Jar: newJar(), CheckRedirect: c.checkRedirect}
	c.http = httpx.New(cfg, env.UserAgent, log, append([]httpx.Option{httpx.WithHTTPClient(hc)}, hopts...)...)
	if c.scraper, err = c.newScraper(); err != nil {
		return nil, err
	}
	return c, nil
}

// Platform returns "tiktok".
func (c *Collector) Platform() string { return Platform }

// Stats returns the request counters of every request the collector made:
// robots.txt, profile pages (through colly) and the JSON endpoints.
func (c *Collector) Stats() collectors.RequestStats { return c.http.Stats() }
