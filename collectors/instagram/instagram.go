// Package instagram collects public creator data from Instagram through one
// of two sources, chosen by the option "source":
//
//   - "web" (the default): the endpoints the instagram.com web app calls
//     without a login. GET /api/v1/users/web_profile_info/?username=<u>
//     (with the header x-ig-app-id) returns the profile together with the
//     12 most recent posts; GET /api/v1/media/<pk>/comments/ and
//     /api/v1/media/<pk>/comments/<comment pk>/child_comments/ return the
//     comments under a post. Posts returns the posts that came with the
//     profile and never more: later pages need the GraphQL endpoint with a
//     doc_id, which changes without notice and in practice needs a session.
//     Twelve posts is also Instagram's own convention for engagement rate.
//   - "graph": the official Instagram Graph API, business_discovery on your
//     own business or creator account (option ig_user_id, credential
//     access_token). It sees only business and creator accounts, shows no
//     comments (Thread returns none) and no view counts.
//
// It registers itself as "instagram". There is no public discovery: no
// hashtag or keyword search works without a login, and the web profile
// carries no related-profiles edge, so the collector implements neither
// collectors.Discoverer nor collectors.Snowballer; creators come from seeds.
//
// Config:
//
//   - base_url: the web API root, default https://i.instagram.com.
//   - credentials.access_token: names the environment variable holding a
//     Graph API access token (graph source only). It is sent as the
//     access_token query parameter and never written to logs or errors.
//
// Options (all strings, unknown keys are an error):
//
//   - source: "web" (default) or "graph".
//   - app_id: the x-ig-app-id header of the web source, default
//     936619743392459 (the instagram.com web app).
//   - comments: "false" makes Thread return no comments without a request.
//     Instagram serves comments to logged-out clients only sporadically; off,
//     a login wall on comments cannot fail every creator. Default true.
//   - comment_pages: pages of comments read per post, and of replies per
//     comment, 1–100, default 2 (web source).
//   - child_threads: comments per post whose hidden replies are fetched
//     from child_comments, 0–100, default 5; 0 keeps to the replies
//     Instagram previews inline (web source).
//   - graph_base_url: default https://graph.facebook.com, or base_url when
//     base_url is not an instagram.com host (the simulator serves both
//     sources under one root).
//   - graph_version: default v25.0.
//   - ig_user_id: the id of your Instagram business or creator account;
//     required with source graph.
//   - media_limit: posts per business_discovery page, 1–100, default 25.
//
// Native ids are Instagram's numeric user and media ids (pk) in the web
// source, and the Graph API's ids (a different id space) in the graph
// source; Creator.Handle is the username. Counts Instagram hides (likes on a
// post whose owner hid them) are nil, never zero.
package instagram

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/opts"
	"github.com/nanoscout/nanoscout/collectors/internal/redact"
	"github.com/nanoscout/nanoscout/model"
)

// Platform is the registry name of this collector.
const Platform = "instagram"

// Sources.
const (
	SourceWeb   = "web"
	SourceGraph = "graph"
)

// Defaults for the config and options.
const (
	DefaultBaseURL      = "https://i.instagram.com"
	DefaultGraphBaseURL = "https://graph.facebook.com"
	DefaultGraphVersion = "v25.0"
	// DefaultAppID is the instagram.com web app's id (yt-dlp, instaloader).
	// web_profile_info answers "useragent mismatch" without it.
	DefaultAppID        = "936619743392459"
	DefaultCommentPages = 2
	DefaultChildThreads = 5
	DefaultMediaLimit   = 25
)

// cacheTTL bounds how long the posts that came with a profile are served
// from memory instead of fetching the profile again.
const cacheTTL = 10 * time.Minute

var knownOptions = []string{
	"source", "app_id", "comments", "comment_pages", "child_threads",
	"graph_base_url", "graph_version", "ig_user_id", "media_limit",
}

func init() { collectors.Register(Platform, New) }

var (
	_ collectors.Collector     = (*Collector)(nil)
	_ collectors.StatsReporter = (*Collector)(nil)
)

// Collector is the Instagram collector. It is safe for concurrent use.
type Collector struct {
	source string
	http   *httpx.Client
	log    *slog.Logger
	now    func() time.Time

	// web source
	base         string // web API root, no trailing slash
	appID        string
	comments     bool
	commentPages int
	childThreads int

	// graph source
	graphBase    string // Graph API root, no trailing slash
	graphVersion string // e.g. v25.0
	igUserID     string
	token        string
	mediaLimit   int

	mu        sync.Mutex
	cache     map[string]cached // by native user id
	throttled int64             // refusals that were not 429s (httpx counts those)
}

// cached is what came with a profile: its first page of posts.
type cached struct {
	posts   []model.Post
	next    string
	private bool
	at      time.Time
}

// New builds the collector from env. It does no I/O; it fails on an invalid
// URL, an unknown or invalid option, an unknown credential, or source graph
// without ig_user_id. A missing access token is reported by the first call
// (collectors.ErrAuthRequired), not here.
func New(env collectors.Env) (collectors.Collector, error) {
	return newCollector(env)
}

func newCollector(env collectors.Env, hopts ...httpx.Option) (*Collector, error) {
	cfg := env.Config
	if err := opts.Known(Platform, cfg.Options, knownOptions); err != nil {
		return nil, err
	}
	if err := opts.OnlyCredential(Platform, cfg.Credentials, "access_token"); err != nil {
		return nil, err
	}
	o := cfg.Options
	source := strings.TrimSpace(o["source"])
	if source == "" {
		source = SourceWeb
	}
	if source != SourceWeb && source != SourceGraph {
		return nil, fmt.Errorf("instagram option source %q: want %q or %q", source, SourceWeb, SourceGraph)
	}
	base, err := rootURL("base_url", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	graphDefault := DefaultGraphBaseURL
	if strings.TrimSpace(cfg.BaseURL) != "" && !isInstagramHost(base) {
		graphDefault = base // a simulator serves both sources under one root
	}
	graphBase, err := rootURL("options.graph_base_url", o["graph_base_url"], graphDefault)
	if err != nil {
		return nil, err
	}
	version := strings.Trim(strings.TrimSpace(o["graph_version"]), "/")
	if version == "" {
		version = DefaultGraphVersion
	}
	if !graphVersionRe.MatchString(version) {
		return nil, fmt.Errorf("instagram option graph_version %q: want a version such as %s", version, DefaultGraphVersion)
	}
	appID := strings.TrimSpace(o["app_id"])
	if appID == "" {
		appID = DefaultAppID
	}
	if !isDigits(appID) {
		return nil, fmt.Errorf("instagram option app_id %q: want a numeric app id such as %s", appID, DefaultAppID)
	}
	igUserID := strings.TrimSpace(o["ig_user_id"])
	if igUserID != "" && !isDigits(igUserID) {
		return nil, fmt.Errorf("instagram option ig_user_id %q: want the numeric id of your Instagram business account", igUserID)
	}
	if source == SourceGraph && igUserID == "" {
		return nil, fmt.Errorf("instagram source graph needs option ig_user_id (the id of your Instagram business or creator account)")
	}
	commentPages, err := opts.Int(Platform, o, "comment_pages", DefaultCommentPages, 1, 100)
	if err != nil {
		return nil, err
	}
	childThreads, err := opts.Int(Platform, o, "child_threads", DefaultChildThreads, 0, 100)
	if err != nil {
		return nil, err
	}
	mediaLimit, err := opts.Int(Platform, o, "media_limit", DefaultMediaLimit, 1, 100)
	if err != nil {
		return nil, err
	}
	comments, err := opts.Bool(Platform, o, "comments", true)
	if err != nil {
		return nil, err
	}

	token := env.Secret("access_token")
	log := opts.Logger(env.Logger)
	if token != "" {
		// httpx redacts access_token= in the URLs it logs; scrub every log
		// line anyway, so no error text that quotes a URL (a transport
		// *url.Error, say) can carry the token out.
		log = slog.New(redact.NewHandler(log.Handler(), secretForms(token)))
	}
	// Follow ordinary redirects, but stop at a login or challenge page so
	// that it is seen as what it is (ErrLoginWall).
	hc := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if isLoginPath(req.URL.Path) {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after 10 redirects")
		}
		return nil
	}}
	hopts = append([]httpx.Option{httpx.WithHTTPClient(hc)}, hopts...)
	return &Collector{
		source:       source,
		http:         httpx.New(cfg, env.UserAgent, log, hopts...),
		log:          log.With("platform", Platform),
		now:          time.Now,
		base:         base,
		appID:        appID,
		comments:     comments,
		commentPages: commentPages,
		childThreads: childThreads,
		graphBase:    graphBase,
		graphVersion: version,
		igUserID:     igUserID,
		token:        token,
		mediaLimit:   mediaLimit,
		cache:        map[string]cached{},
	}, nil
}

// Platform returns "instagram".
func (c *Collector) Platform() string { return Platform }

// Source returns the configured source, "web" or "graph".
func (c *Collector) Source() string { return c.source }

// Stats returns the request counters. Throttled also counts refusals that
// did not come as a 429: Graph API throttling errors and the web's 401/403
// "Please wait a few minutes" answers.
func (c *Collector) Stats() collectors.RequestStats {
	s := c.http.Stats()
	c.mu.Lock()
	s.Throttled += c.throttled
	c.mu.Unlock()
	return s
}

func (c *Collector) countThrottled() {
	c.mu.Lock()
	c.throttled++
	c.mu.Unlock()
}

// remember keeps the posts that came with a profile for the Posts call that
// follows, and drops entries older than cacheTTL.
func (c *Collector) remember(userID string, e cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for k, v := range c.cache {
		if now.Sub(v.at) > cacheTTL {
			delete(c.cache, k)
		}
	}
	e.at = now
	c.cache[userID] = e
}

// take returns and forgets the cached first page of a user's posts.
func (c *Collector) take(userID string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.cache[userID]
	if !ok {
		return cached{}, false
	}
	delete(c.cache, userID)
	if c.now().Sub(e.at) > cacheTTL {
		return cached{}, false
	}
	return e, true
}

var (
	graphVersionRe = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	// usernameRe is what Instagram allows in a username.
	usernameRe = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)
)

// normalizeUsername turns "@name", "name", "https://www.instagram.com/name/"
// and the like into the lower-case username, or "" when it is not one.
func normalizeUsername(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	for _, p := range []string{"www.instagram.com/", "instagram.com/", "m.instagram.com/"} {
		if rest, ok := strings.CutPrefix(strings.ToLower(s), p); ok {
			s, _, _ = strings.Cut(rest, "/")
			s, _, _ = strings.Cut(s, "?")
			break
		}
	}
	s = strings.TrimPrefix(s, "@")
	if !usernameRe.MatchString(s) {
		return ""
	}
	return strings.ToLower(s)
}

// isInstagramHost reports whether an API root is Instagram's own.
func isInstagramHost(root string) bool {
	u, err := url.Parse(root)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "instagram.com" || strings.HasSuffix(h, ".instagram.com")
}

// profileURL is the public address of a profile.
func profileURL(username string) string {
	if username == "" {
		return ""
	}
	return "https://www.instagram.com/" + username + "/"
}

// rootURL validates an API root and drops trailing slashes.
func rootURL(name, raw, def string) (string, error) {
	raw = opts.CleanRoot(raw, def)
	if _, ok := opts.HTTPURL(raw); !ok {
		return "", fmt.Errorf("instagram %s %q: want an http(s) URL such as %s", name, raw, def)
	}
	return raw, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

var (
	// hashtagRe finds #tags in a caption: not inside a word, at least one
	// character that is not a digit.
	hashtagRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])[#＃]([\p{L}\p{M}\p{N}_]+)`)
)

// hashtags returns the caption's #tags, lower-cased, without duplicates.
func hashtags(text string) []string {
	var out []string
	for _, m := range hashtagRe.FindAllStringSubmatch(text, -1) {
		tag := strings.ToLower(m[1])
		if isDigits(tag) || slices.Contains(out, tag) {
			continue
		}
		out = append(out, tag)
	}
	return out
}

// nonNegative returns the count, or nil when it is absent or negative
// (Instagram sends -1 for a count it hides).
func nonNegative(n *int64) *int64 {
	if n == nil || *n < 0 {
		return nil
	}
	return model.N(*n)
}
