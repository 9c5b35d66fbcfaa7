package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/fields"
)

// Data API resources and their names in errors.
const (
	resChannels       = "channels"
	resPlaylistItems  = "playlistItems"
	resVideos         = "videos"
	resCommentThreads = "commentThreads"
	resComments       = "comments"
	resSearch         = "search"
)

// errCommentsDisabled marks a commentThreads.list refused because the video
// has comments turned off; Thread turns it into "no comments".
var errCommentsDisabled = errors.New("comments are disabled on this video")

// Google error reasons (error.errors[].reason and error.details[].reason).
var (
	quotaReasons = []string{"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
	rateReasons  = []string{"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
	authReasons  = []string{
		"keyInvalid", "keyExpired", "ipRefererBlocked", "accessNotConfigured", "authError",
		"API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED", "API_KEY_HTTP_REFERRER_BLOCKED",
		"API_KEY_IP_ADDRESS_BLOCKED", "SERVICE_DISABLED",
	}
)

// googleError is the Google JSON error envelope.
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Message string `json:"message"`
			Domain  string `json:"domain"`
			Reason  string `json:"reason"`
		} `json:"errors"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

func parseGoogleError(body []byte) googleError {
	var ge googleError
	if !httpx.IsHTML(body) {
		_ = json.Unmarshal(body, &ge) // best effort: not every error body is JSON
	}
	return ge
}

func (ge googleError) reasons() []string {
	var out []string
	for _, e := range ge.Error.Errors {
		if e.Reason != "" && !slices.Contains(out, e.Reason) {
			out = append(out, e.Reason)
		}
	}
	for _, d := range ge.Error.Details {
		if d.Reason != "" && !slices.Contains(out, d.Reason) {
			out = append(out, d.Reason)
		}
	}
	return out
}

func (ge googleError) has(reasons []string) bool {
	for _, r := range ge.reasons() {
		if slices.Contains(reasons, r) {
			return true
		}
	}
	return false
}

// globalForbidden is reason "forbidden" in domain "global": the request as a
// whole was refused (no key, "unregistered callers", a blocked referer), as
// opposed to one resource being off limits.
func (ge googleError) globalForbidden() bool {
	for _, e := range ge.Error.Errors {
		if e.Reason == "forbidden" && e.Domain == "global" {
			return true
		}
	}
	return false
}

// detail is "reason[,reason]: message" for errors, HTML tags removed.
func (ge googleError) detail() string {
	msg := stripTags(ge.Error.Message)
	rs := strings.Join(ge.reasons(), ",")
	switch {
	case rs != "" && msg != "":
		return rs + ": " + msg
	case rs != "":
		return rs
	}
	return msg
}

// apiCall travels in a request's context from get to keyTransport: it marks
// a Data API request and counts its attempts, so retries are charged.
type apiCall struct {
	cost     int
	attempts atomic.Int32
}

type callKey struct{}

// keyTransport adds the API key to Data API requests below httpx, so the key
// is in no URL that httpx logs or reports, and charges the quota for each
// attempt after the first (httpx retries 5xx, timeouts and 429s).
type keyTransport struct {
	c    *Collector
	next http.RoundTripper
}

func (t *keyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	call, _ := req.Context().Value(callKey{}).(*apiCall)
	if call == nil {
		return t.next.RoundTrip(req) // an RSS request
	}
	if call.attempts.Add(1) > 1 {
		t.c.quota.charge(call.cost)
	}
	if t.c.key == "" || req.URL.Host != t.c.apiHost {
		return t.next.RoundTrip(req)
	}
	r2 := req.Clone(req.Context())
	k := "key=" + url.QueryEscape(t.c.key)
	if r2.URL.RawQuery == "" {
		r2.URL.RawQuery = k
	} else {
		r2.URL.RawQuery += "&" + k
	}
	return t.next.RoundTrip(r2)
}

// apiName is the method name used in errors, e.g. "channels.list".
func apiName(resource string) string { return resource + ".list" }

// get performs one Data API list call: it charges the quota first (failing
// with ErrQuota, without a request, when the call would pass daily_quota),
// then GETs base/youtube/v3/<resource>?q through httpx and decodes the JSON
// into out. Errors name the method and wrap the collectors sentinels.
func (c *Collector) get(ctx context.Context, resource string, q url.Values, out any) error {
	what := apiName(resource)
	if c.key == "" {
		return c.needKey(what)
	}
	cost := 1
	if resource == resSearch {
		cost = c.searchCost
	}
	if err := c.quota.reserve(ctx, what, cost); err != nil {
		c.log.Debug("youtube call refused by the local quota", "call", what, "err", err)
		return err
	}
	call := &apiCall{cost: cost}
	u := c.base + "/youtube/v3/" + resource + "?" + q.Encode()
	resp, err := c.http.Get(context.WithValue(ctx, callKey{}, call), u, nil)
	if call.attempts.Load() == 0 {
		c.quota.refund(cost) // nothing reached the API (cancelled while waiting)
	}
	if err != nil {
		return c.scrub(c.mapError(what, resp, err))
	}
	return c.scrub(decodeAPI(resource, resp.Body, out))
}

// decodeAPI decodes the JSON answer of a list call on resource into out: an
// HTML page or invalid JSON is collectors.ErrMalformed, a field of the wrong
// type a *collectors.DriftError naming it.
func decodeAPI(resource string, body []byte, out any) error {
	what := apiName(resource)
	if httpx.IsHTML(body) {
		return fmt.Errorf("youtube %s (GET /youtube/v3/%s): got an HTML page instead of JSON: %w", what, resource, collectors.ErrMalformed)
	}
	if err := json.Unmarshal(body, out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &collectors.DriftError{Where: "youtube " + what, Field: te.Field, Got: "a " + te.Value}
		}
		return fmt.Errorf("youtube %s (GET /youtube/v3/%s): decoding JSON: %w: %v", what, resource, collectors.ErrMalformed, err)
	}
	return nil
}

func (c *Collector) needKey(what string) error {
	return fmt.Errorf("youtube %s: no Data API key (set the environment variable that credentials.api_key names, or options.rss_only: true for the RSS-only mode): %w",
		what, collectors.ErrAuthRequired)
}

// mapError turns an httpx error on a non-2xx response into the sentinel the
// Google error reason implies, keeping the httpx error in the chain.
func (c *Collector) mapError(what string, resp *httpx.Response, err error) error {
	if resp == nil {
		return fmt.Errorf("youtube %s: %w", what, err)
	}
	ge := parseGoogleError(resp.Body)
	detail := ge.detail()
	switch {
	case ge.has(quotaReasons):
		c.quota.exhaust()
		c.mu.Lock()
		c.quota403++
		c.mu.Unlock()
		c.log.Warn("youtube daily quota exhausted; no more Data API calls until midnight Pacific time", "call", what)
		return fmt.Errorf("youtube %s: %s: %w: %w", what, detail, collectors.ErrQuota, err)
	case ge.has(rateReasons):
		return fmt.Errorf("youtube %s: %s: %w: %w", what, detail, &collectors.RateLimitError{RetryAfter: 100 * time.Second}, err)
	case ge.has(authReasons) || ge.globalForbidden():
		return fmt.Errorf("youtube %s: the API key was refused (%s): %w: %w", what, detail, collectors.ErrAuthRequired, err)
	case ge.has([]string{"commentsDisabled"}):
		return fmt.Errorf("youtube %s: %w: %w", what, errCommentsDisabled, err)
	case detail != "":
		return fmt.Errorf("youtube %s: %s: %w", what, detail, err)
	}
	return fmt.Errorf("youtube %s: %w", what, err)
}

// scrub removes the API key from an error's text (a server may echo it),
// keeping the chain for errors.Is/As.
func (c *Collector) scrub(err error) error {
	if err == nil || c.key == "" || !strings.Contains(err.Error(), c.key) {
		return err
	}
	return &scrubbed{err: err, secret: c.key}
}

type scrubbed struct {
	err    error
	secret string
}

func (s *scrubbed) Error() string { return strings.ReplaceAll(s.err.Error(), s.secret, "REDACTED") }
func (s *scrubbed) Unwrap() error { return s.err }

// quota counts Data API units per Pacific day.
type quota struct {
	mu        sync.Mutex
	limit     int
	used      int
	day       string
	exhausted bool // the API said so; cleared at the next reset
	now       func() time.Time
	loc       *time.Location
	// shared, when set, is the key's budget shared with other workers:
	// units are spent only out of chunks granted by it today.
	shared  collectors.SharedBudget
	granted int
	spent   bool // the shared budget is all reserved today
}

func newQuota(limit int, now func() time.Time) *quota {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil { // no tz database: Pacific standard time is close enough
		loc = time.FixedZone("PST", -8*3600)
	}
	return &quota{limit: limit, now: now, loc: loc}
}

// roll resets the count when the Pacific day changed. Callers hold mu.
func (q *quota) roll() {
	day := q.now().In(q.loc).Format(time.DateOnly)
	if day != q.day {
		q.day, q.used, q.exhausted, q.granted, q.spent = day, 0, false, 0, false
	}
}

// reserve charges cost units, or fails with ErrQuota when that would pass
// the limit or the API already reported the quota exhausted today. With a
// shared budget it first reserves chunks of it until the units granted to
// this process cover the call, and fails with ErrQuota when the key's day
// is all reserved (by all the workers using the key).
func (q *quota) reserve(ctx context.Context, what string, cost int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll()
	if q.exhausted {
		return fmt.Errorf("youtube %s: the API reported the daily quota exhausted; it resets at midnight Pacific time: %w", what, collectors.ErrQuota)
	}
	if q.used+cost > q.limit {
		return fmt.Errorf("youtube %s: needs %d units, %d of the daily_quota of %d are used; it resets at midnight Pacific time: %w",
			what, cost, q.used, q.limit, collectors.ErrQuota)
	}
	for q.shared != nil && q.used+cost > q.granted {
		if q.spent {
			return fmt.Errorf("youtube %s: the daily_quota of %d shared by the workers using this key is all reserved; it resets at midnight Pacific time: %w",
				what, q.limit, collectors.ErrQuota)
		}
		units, ok, err := q.shared.Reserve(ctx, q.now())
		if err != nil {
			return fmt.Errorf("youtube %s: reserving shared quota: %w", what, err)
		}
		if !ok {
			q.spent = true
			continue
		}
		q.granted += units
	}
	q.used += cost
	return nil
}

// charge adds units for a retried attempt; it may pass the limit, since the
// attempt is already under way.
func (q *quota) charge(cost int) {
	q.mu.Lock()
	q.roll()
	q.used += cost
	q.mu.Unlock()
}

func (q *quota) refund(cost int) {
	q.mu.Lock()
	q.used = max(0, q.used-cost)
	q.mu.Unlock()
}

func (q *quota) exhaust() {
	q.mu.Lock()
	q.roll()
	q.exhausted = true
	q.used = max(q.used, q.limit)
	q.mu.Unlock()
}

// grantedUnits is how many units of the shared budget this process reserved
// today (0 without one).
func (q *quota) grantedUnits() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll()
	return q.granted
}

func (q *quota) get() (used, limit int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll()
	return q.used, q.limit
}

// Wire types: the parts of the Data API resources the collector reads.
// Statistics are kept raw so a missing or renamed count is told apart from a
// hidden one.

type thumbnail struct {
	URL string `json:"url"`
}

type channelListResponse struct {
	Items []channelResource `json:"items"`
}

type channelResource struct {
	ID      string `json:"id"`
	Snippet *struct {
		Title           string               `json:"title"`
		Description     string               `json:"description"`
		CustomURL       string               `json:"customUrl"`
		PublishedAt     time.Time            `json:"publishedAt"`
		DefaultLanguage string               `json:"defaultLanguage"`
		Thumbnails      map[string]thumbnail `json:"thumbnails"`
	} `json:"snippet"`
	Statistics     map[string]json.RawMessage `json:"statistics"`
	ContentDetails *struct {
		RelatedPlaylists struct {
			Uploads string `json:"uploads"`
		} `json:"relatedPlaylists"`
	} `json:"contentDetails"`
}

type playlistItemListResponse struct {
	NextPageToken string `json:"nextPageToken"`
	Items         []struct {
		Snippet struct {
			ResourceID struct {
				VideoID string `json:"videoId"`
			} `json:"resourceId"`
		} `json:"snippet"`
		ContentDetails struct {
			VideoID string `json:"videoId"`
		} `json:"contentDetails"`
	} `json:"items"`
}

type videoListResponse struct {
	Items []videoResource `json:"items"`
}

type videoResource struct {
	ID      string `json:"id"`
	Snippet *struct {
		PublishedAt time.Time `json:"publishedAt"`
		ChannelID   string    `json:"channelId"`
		Title       string    `json:"title"`
		Description string    `json:"description"`
		Tags        []string  `json:"tags"`
	} `json:"snippet"`
	Statistics map[string]json.RawMessage `json:"statistics"`
}

type commentThreadListResponse struct {
	NextPageToken string          `json:"nextPageToken"`
	Items         []commentThread `json:"items"`
}

type commentThread struct {
	ID      string `json:"id"`
	Snippet struct {
		VideoID         string          `json:"videoId"`
		TopLevelComment commentResource `json:"topLevelComment"`
		TotalReplyCount int64           `json:"totalReplyCount"`
	} `json:"snippet"`
	Replies *struct {
		Comments []commentResource `json:"comments"`
	} `json:"replies"`
}

type commentListResponse struct {
	NextPageToken string            `json:"nextPageToken"`
	Items         []commentResource `json:"items"`
}

type commentResource struct {
	ID      string `json:"id"`
	Snippet struct {
		AuthorDisplayName string `json:"authorDisplayName"`
		AuthorChannelID   *struct {
			Value string `json:"value"`
		} `json:"authorChannelId"`
		TextOriginal string    `json:"textOriginal"`
		TextDisplay  string    `json:"textDisplay"`
		ParentID     string    `json:"parentId"`
		LikeCount    *int64    `json:"likeCount"`
		PublishedAt  time.Time `json:"publishedAt"`
	} `json:"snippet"`
}

type searchListResponse struct {
	NextPageToken string `json:"nextPageToken"`
	Items         []struct {
		ID struct {
			Kind      string `json:"kind"`
			ChannelID string `json:"channelId"`
		} `json:"id"`
		Snippet struct {
			ChannelID string `json:"channelId"`
		} `json:"snippet"`
	} `json:"items"`
}

// statCount reads one count of a statistics object. Counts are JSON strings
// ("1927873"); a JSON number is accepted too. An absent count is nil (hidden)
// unless a differently spelt key of the same name is present (schema drift,
// e.g. like_count for likeCount), which is an error naming the field. what
// names the call and owner the resource, for errors.
func statCount(stats map[string]json.RawMessage, field, what, owner string) (*int64, error) {
	raw, ok := stats[field]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		if k := fields.SimilarKey(stats, field); k != "" {
			return nil, drift(what, owner, "statistics."+field, k, "")
		}
		return nil, nil
	}
	s := string(bytes.TrimSpace(raw))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, drift(what, owner, "statistics."+field, "", fmt.Sprintf("%.40q", raw))
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return nil, drift(what, owner, "statistics."+field, "", fmt.Sprintf("%.40q", s))
	}
	return &n, nil
}

// drift is the collectors.DriftError for field of owner in the answer of
// call what: missing (with alt, a similarly spelt key found instead, when
// not empty) or, when got is not empty, of the wrong type.
func drift(what, owner, field, alt, got string) error {
	return &collectors.DriftError{Where: "youtube " + what + ": " + owner, Field: field, Alt: alt, Got: got}
}

// statBool reads a boolean of a statistics object (hiddenSubscriberCount);
// absent is false.
func statBool(stats map[string]json.RawMessage, field string) bool {
	var b bool
	if raw, ok := stats[field]; ok {
		_ = json.Unmarshal(raw, &b)
	}
	return b
}
