// Package collectors defines what a platform collector is, the errors it
// reports, and the registry the pipeline looks collectors up in. Each platform
// lives in its own sub-package and registers itself from init(); the package
// collectors/all imports them all. No code switches over platform names.
package collectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Collector reads one platform's public data. Methods take a context first and
// return typed errors (see the sentinels below); cursors are opaque strings,
// empty for the first page, and an empty next cursor means the end.
type Collector interface {
	// Platform is the registry name, e.g. "bluesky".
	Platform() string
	// Profile fetches a creator's public profile by handle or native id.
	Profile(ctx context.Context, handleOrID string) (model.Creator, error)
	// Posts returns one page of the creator's own posts, newest first.
	Posts(ctx context.Context, c model.Creator, cursor string) (PostPage, error)
	// Thread returns the comments under one of the creator's posts, with the
	// creator's own answers marked ByCreator.
	Thread(ctx context.Context, c model.Creator, p model.Post) ([]model.Comment, error)
}

// Discoverer is implemented by collectors that can find new creators from a
// keyword or hashtag query.
type Discoverer interface {
	Discover(ctx context.Context, query string, cursor string) (DiscoverPage, error)
}

// Snowballer is implemented by collectors that can find new creators from a
// known one (accounts it follows, accounts that reply to it).
type Snowballer interface {
	Related(ctx context.Context, c model.Creator, limit int) ([]string, error)
}

// BatchProfiler is implemented by collectors that read several profiles in
// one request (Bluesky's getProfiles: 25 per call).
type BatchProfiler interface {
	// BatchSize is the most names one ProfileBatch request takes.
	BatchSize() int
	// ProfileBatch fetches the profiles named by handles or native ids and
	// maps each name asked for to its profile. A name missing from the
	// result was not returned (unknown, gone, or not resolvable): ask for it
	// with Profile to learn why.
	ProfileBatch(ctx context.Context, names []string) (map[string]model.Creator, error)
}

// StatsReporter is implemented by collectors that count their requests.
type StatsReporter interface {
	Stats() RequestStats
}

// Closer is implemented by collectors that hold resources.
type Closer interface {
	Close() error
}

// PostPage is one page of posts.
type PostPage struct {
	Posts []model.Post
	Next  string
}

// DiscoverPage is one page of discovery results: handles or native ids of
// candidate creators.
type DiscoverPage struct {
	Candidates []string
	Next       string
	// Via says how the page was read, and why, when a collector has more
	// than one way (Mastodon's public timeline: streaming, or polling when
	// the instance refuses the stream); the pipeline records it on the run
	// (PlatformStats.Discovery). Empty otherwise.
	Via string
}

// RequestStats are the HTTP counters of one collector.
type RequestStats struct {
	Requests    int64
	ByStatus    map[int]int64
	Throttled   int64 // 429s (and quota refusals) received
	Retries     int64
	LimiterWait time.Duration
}

// Errors a collector returns; check them with errors.Is / errors.As.
var (
	ErrNotFound     = errors.New("not found")          // the account or post does not exist (any more)
	ErrPrivate      = errors.New("account is private") // exists, but shows nothing public
	ErrLoginWall    = errors.New("login wall")         // an HTML login/challenge page instead of data
	ErrAuthRequired = errors.New("authentication required")
	ErrQuota        = errors.New("quota exhausted")
	ErrMalformed    = errors.New("malformed response")
	ErrForbidden    = errors.New("forbidden")
)

// RateLimitError is returned when the platform throttled us and retries ran out.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited (retry after %s)", e.RetryAfter.Round(time.Second))
}

// HTTPError is a non-success status that is not one of the sentinels above.
type HTTPError struct {
	Status int
	URL    string // without query secrets
	Body   string // first bytes of the body
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("HTTP %d from %s: %s", e.Status, e.URL, e.Body)
}

// Env is what a collector factory receives: its platform's config and the
// shared pieces it may use. Factories do no I/O.
type Env struct {
	Config    PlatformConfig
	UserAgent string
	Logger    *slog.Logger
	Getenv    func(string) string // os.Getenv in production, a map in tests
	// SharedBudget, when set, returns the daily budget of a credential that
	// several processes spend together (YouTube's quota units per API key):
	// limit units a day, reserved in chunks through the store. Nil: the
	// budget is this process's alone.
	SharedBudget func(platform, credential string, limit int) (SharedBudget, error)
}

// SharedBudget hands out a daily budget shared across processes, a chunk at
// a time: Reserve returns the units of the next chunk of the day of now, or
// ok false when the day's budget is all reserved.
type SharedBudget interface {
	Reserve(ctx context.Context, now time.Time) (units int, ok bool, err error)
}

// AudienceSampler is implemented by collectors that can sample a creator's
// audience: the newest n followers where the platform lists them, else the
// accounts among comments (already collected) with the profile fields the
// platform shows. Requests in the sample counts the calls it made.
type AudienceSampler interface {
	Audience(ctx context.Context, c model.Creator, n int, comments []model.Comment) (model.AudienceSample, error)
}
