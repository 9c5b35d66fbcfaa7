// Package youtube collects public creator data from YouTube. With an API key
// it reads the YouTube Data API v3 (/youtube/v3/...): channels.list for
// profiles, the channel's uploads playlist (playlistItems.list) and
// videos.list for posts, commentThreads.list and comments.list for the
// comments under a video, and search.list (type=channel) for discovery.
// Without a key it can fall back, when asked to, to the channel's public RSS
// feed (/feeds/videos.xml?channel_id=), which shows the latest 15 videos with
// their views and likes and nothing else.
//
// It registers itself as "youtube". Every request goes through the shared
// httpx layer (rate limiter, retries, 429 pauses, counters).
//
// Config:
//
//   - base_url: the Data API root, default https://www.googleapis.com; the
//     collector appends /youtube/v3/<resource>.
//   - credentials.api_key: names the environment variable holding a Data API
//     key (e.g. YOUTUBE_API_KEY). The key is added to the query string by the
//     transport only, below httpx, so it never appears in a URL that httpx
//     logs or puts in an error; errors and log lines are scrubbed of it as
//     well.
//
// Options:
//
//   - daily_quota: Data API units this collector may spend per Pacific day,
//     default 10000 (the default Google allocation). A call that would pass
//     the limit is not made: it fails with an error wrapping
//     collectors.ErrQuota. A 403 quotaExceeded/dailyLimitExceeded from the
//     API also wraps ErrQuota and blocks further calls until the next
//     midnight Pacific time.
//   - search_cost: units charged per search.list call, default 100 (Google's
//     documented cost; some projects now see 1 per call in a separate bucket).
//   - rss_base_url: the feed host, default https://www.youtube.com.
//   - rss_only: "true" reads only the RSS feeds, never the Data API, even when
//     a key is set. Without a key and without rss_only, Profile, Posts,
//     Thread and Discover fail with collectors.ErrAuthRequired.
//   - thread_pages: commentThreads.list pages (of 100 threads) read per
//     video, default 3.
//   - reply_pages: comments.list pages (of 100 replies) read per video, over
//     all threads whose replies the thread listing cut short (it embeds at
//     most 5), default 10; 0 keeps only the embedded replies.
//
// Quota costs: channels.list, playlistItems.list, videos.list,
// commentThreads.list and comments.list 1 unit each, search.list
// search_cost; an attempt retried after a 5xx, timeout or 429 is charged
// again. Quota and QuotaUsed report the running count.
//
// RSS mode reads only channel ids (no handles), shows no subscriber count
// (Followers and PostsCount stay 0, so follower-based ER and tiers are
// unavailable; ER by views still works), only the latest 15 videos (Views
// from media:statistics, Likes from media:starRating, Comments nil), no
// comments (Thread returns none) and no search (Discover fails with
// ErrAuthRequired). It costs no quota.
//
// Native ids are channel ids ("UC" + 22 characters) and video ids;
// Creator.Handle is the channel's handle without '@' (snippet.customUrl).
// Counts YouTube hides are nil (likes, comments) or an error
// (ErrSubscribersHidden), never a made-up zero.
package youtube

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
const Platform = "youtube"

// Defaults for the config and options.
const (
	DefaultBaseURL     = "https://www.googleapis.com"
	DefaultRSSBaseURL  = "https://www.youtube.com"
	DefaultDailyQuota  = 10000
	DefaultSearchCost  = 100
	DefaultThreadPages = 3
	DefaultReplyPages  = 10
)

// Page sizes: the largest the API serves.
const (
	playlistPageSize = 50  // playlistItems.list, search.list
	videosPerCall    = 50  // videos.list?id=
	commentPageSize  = 100 // commentThreads.list, comments.list
)

// uploadsCacheSize bounds the uploads playlist ids remembered from Profile.
const uploadsCacheSize = 10000

// ErrSubscribersHidden is returned (wrapped, with collectors.ErrPrivate) by
// Profile for a channel that hides its subscriber count: it cannot be put in
// a follower tier, and a zero would rank it wrongly.
var ErrSubscribersHidden = errors.New("channel hides its subscriber count")

var knownOptions = []string{"daily_quota", "search_cost", "rss_base_url", "rss_only", "thread_pages", "reply_pages"}

func init() { collectors.Register(Platform, New) }

var (
	_ collectors.Collector     = (*Collector)(nil)
	_ collectors.Discoverer    = (*Collector)(nil)
	_ collectors.StatsReporter = (*Collector)(nil)
)

// Collector is the YouTube collector. It is safe for concurrent use.
type Collector struct {
	http        *httpx.Client
	base        string // Data API root, no trailing slash
	apiHost     string // host the key may be sent to
	rssBase     string // feed host root, no trailing slash
	key         string
	rssOnly     bool
	searchCost  int
	threadPages int
	replyPages  int
	log         *slog.Logger
	now         func() time.Time

	quota *quota

	mu       sync.Mutex
	uploads  map[string]string     // channel id → uploads playlist id, from Profile
	feeds    map[string]cachedFeed // channel id → feed read by Profile, consumed by Posts (RSS mode)
	quota403 int64                 // quota refusals received from the API
}

// New builds the collector from env. It does no I/O; it fails on an invalid
// URL, an unknown credential or an unknown or invalid option.
func New(env collectors.Env) (collectors.Collector, error) {
	return newCollector(env)
}

func newCollector(env collectors.Env, hopts ...httpx.Option) (*Collector, error) {
	cfg := env.Config
	if err := opts.Known(Platform, cfg.Options, knownOptions); err != nil {
		return nil, err
	}
	if err := opts.OnlyCredential(Platform, cfg.Credentials, "api_key"); err != nil {
		return nil, err
	}
	base, err := rootURL("base_url", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	rss, err := rootURL("options.rss_base_url", cfg.Options["rss_base_url"], DefaultRSSBaseURL)
	if err != nil {
		return nil, err
	}
	daily, err := opts.Int(Platform, cfg.Options, "daily_quota", DefaultDailyQuota, 1, 1<<30)
	if err != nil {
		return nil, err
	}
	searchCost, err := opts.Int(Platform, cfg.Options, "search_cost", DefaultSearchCost, 1, 10000)
	if err != nil {
		return nil, err
	}
	threadPages, err := opts.Int(Platform, cfg.Options, "thread_pages", DefaultThreadPages, 1, 100)
	if err != nil {
		return nil, err
	}
	replyPages, err := opts.Int(Platform, cfg.Options, "reply_pages", DefaultReplyPages, 0, 1000)
	if err != nil {
		return nil, err
	}
	rssOnly, err := opts.Bool(Platform, cfg.Options, "rss_only", false)
	if err != nil {
		return nil, err
	}
	key := strings.TrimSpace(env.Secret("api_key"))
	log := redactLogger(opts.Logger(env.Logger), key)
	u, _ := url.Parse(base) // validated by rootURL
	c := &Collector{
		base:        base,
		apiHost:     u.Host,
		rssBase:     rss,
		key:         key,
		rssOnly:     rssOnly,
		searchCost:  searchCost,
		threadPages: threadPages,
		replyPages:  replyPages,
		log:         log.With("platform", Platform),
		now:         time.Now,
		uploads:     map[string]string{},
		feeds:       map[string]cachedFeed{},
	}
	c.quota = newQuota(daily, func() time.Time { return c.now() })
	if env.SharedBudget != nil && key != "" && !rssOnly {
		b, err := env.SharedBudget(Platform, key, daily)
		if err != nil {
			return nil, fmt.Errorf("youtube: shared quota: %w", err)
		}
		c.quota.shared = b
	}
	hc := &http.Client{Transport: &keyTransport{c: c, next: http.DefaultTransport}}
	c.http = httpx.New(cfg, env.UserAgent, log, append([]httpx.Option{httpx.WithHTTPClient(hc)}, hopts...)...)
	return c, nil
}

// Platform returns "youtube".
func (c *Collector) Platform() string { return Platform }

// Stats returns the HTTP counters of the Data API and RSS requests. Quota
// refusals received from the API (403 quotaExceeded) are counted in
// Throttled; quota units are reported by Quota, not here.
func (c *Collector) Stats() collectors.RequestStats {
	s := c.http.Stats()
	c.mu.Lock()
	s.Throttled += c.quota403
	c.mu.Unlock()
	return s
}

// Quota returns the Data API units charged since the last midnight Pacific
// time (the API's reset) and the daily_quota limit. The count is this
// process's own: units spent by other programs on the same key are not seen.
func (c *Collector) Quota() (used, limit int) { return c.quota.get() }

// QuotaGranted returns the units of the key's shared daily quota this
// process reserved today (Env.SharedBudget; 0 without one).
func (c *Collector) QuotaGranted() int { return c.quota.grantedUnits() }

// QuotaUsed returns the units charged today (see Quota).
func (c *Collector) QuotaUsed() int {
	used, _ := c.quota.get()
	return used
}

// RSSOnly reports whether the collector reads only the RSS feeds.
func (c *Collector) RSSOnly() bool { return c.rssOnly }

// rootURL validates a root URL and drops trailing slashes.
func rootURL(name, raw, def string) (string, error) {
	raw = opts.CleanRoot(raw, def)
	if u, ok := opts.HTTPURL(raw); !ok || u.RawQuery != "" {
		return "", fmt.Errorf("youtube %s %q: want an http(s) URL such as %s", name, raw, def)
	}
	return raw, nil
}

// isChannelID reports whether s has the form of a channel id: "UC" and 22
// characters of the URL-safe base64 alphabet.
func isChannelID(s string) bool {
	if len(s) != 24 || !strings.HasPrefix(s, "UC") {
		return false
	}
	for _, r := range s[2:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// uploadsPlaylist derives a channel's uploads playlist id: "UC…" → "UU…".
func uploadsPlaylist(channelID string) string {
	if strings.HasPrefix(channelID, "UC") {
		return "UU" + channelID[2:]
	}
	return ""
}
