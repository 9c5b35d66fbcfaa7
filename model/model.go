// Package model holds the data types that collectors produce, scoring reads and
// the store keeps: creators, posts, comments, daily snapshots, scores and runs.
// It has no behaviour beyond small helpers, so every other package can import it.
package model

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Key joins a platform name and a platform-native id into the id used across
// the store, e.g. "bluesky:did:plc:abc".
func Key(platform, nativeID string) string { return platform + ":" + nativeID }

// SplitKey splits a key made by Key into platform and native id.
func SplitKey(key string) (platform, nativeID string, ok bool) {
	return strings.Cut(key, ":")
}

// N returns a pointer to n, for counts that a platform shows.
func N(n int64) *int64 { return &n }

// Val returns the count or 0 when the platform hides it. Use only where a
// hidden count really may be treated as zero.
func Val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Creator is a public profile as a platform shows it.
type Creator struct {
	Platform    string    `json:"platform" bson:"platform"`
	ID          string    `json:"id" bson:"nativeId"` // platform-native id (DID, account id, channel id…)
	Handle      string    `json:"handle" bson:"handle"`
	DisplayName string    `json:"displayName,omitempty" bson:"displayName,omitempty"`
	Bio         string    `json:"bio,omitempty" bson:"bio,omitempty"`
	AvatarURL   string    `json:"avatarUrl,omitempty" bson:"avatarUrl,omitempty"`
	URL         string    `json:"url,omitempty" bson:"url,omitempty"`
	Followers   int64     `json:"followers" bson:"followers"`
	Following   int64     `json:"following" bson:"following"`
	PostsCount  int64     `json:"postsCount" bson:"postsCount"`
	Verified    bool      `json:"verified,omitempty" bson:"verified,omitempty"`
	Private     bool      `json:"private,omitempty" bson:"private,omitempty"`
	Bot         bool      `json:"bot,omitempty" bson:"bot,omitempty"`
	Links       []string  `json:"links,omitempty" bson:"links,omitempty"`
	Language    string    `json:"language,omitempty" bson:"language,omitempty"`
	CreatedAt   time.Time `json:"createdAt,omitzero" bson:"createdAt,omitempty"`
	FetchedAt   time.Time `json:"fetchedAt,omitzero" bson:"fetchedAt"`
	// Unknown names the counts above (CountFollowers, CountFollowing,
	// CountPosts) that the source did not show or that could not be read:
	// their zero is not a measurement. A count the platform reported as 0 is
	// known and not listed. Empty for a complete profile. The store never
	// replaces a known stored count with an unknown one.
	Unknown []string `json:"unknown,omitempty" bson:"unknown,omitempty"`
}

// The counts of a Creator that may be unknown (Creator.Unknown).
const (
	CountFollowers = "followers"
	CountFollowing = "following"
	CountPosts     = "postsCount"
)

// Key is the store id of the creator.
func (c Creator) Key() string { return Key(c.Platform, c.ID) }

// Known reports whether the count named by one of the Count* constants was
// read from the platform (0 included).
func (c Creator) Known(count string) bool { return !slices.Contains(c.Unknown, count) }

// KeepKnown returns c with every count that c does not know and stored
// (the creator as stored; call it only when there is one) does taken from
// stored, and the names of the counts taken: a profile that lacks a count
// never replaces a known one with its zero.
func KeepKnown(c, stored Creator) (Creator, []string) {
	var kept []string
	var unknown []string
	for _, name := range c.Unknown {
		if slices.Contains(unknown, name) || slices.Contains(kept, name) {
			continue // listed twice
		}
		if !stored.Known(name) || !slices.Contains([]string{CountFollowers, CountFollowing, CountPosts}, name) {
			unknown = append(unknown, name)
			continue
		}
		switch name {
		case CountFollowers:
			c.Followers = stored.Followers
		case CountFollowing:
			c.Following = stored.Following
		case CountPosts:
			c.PostsCount = stored.PostsCount
		}
		kept = append(kept, name)
	}
	if kept != nil {
		c.Unknown = unknown
	}
	return c, kept
}

// Post is one piece of the creator's own content with its latest metrics.
// Counts a platform hides are nil, never zero.
type Post struct {
	Platform  string    `json:"platform" bson:"platform"`
	ID        string    `json:"id" bson:"nativeId"`
	CreatorID string    `json:"creatorId" bson:"creatorId"` // native id of the author
	CreatedAt time.Time `json:"createdAt" bson:"createdAt"`
	Kind      string    `json:"kind,omitempty" bson:"kind,omitempty"` // post, video, reel, image…
	Text      string    `json:"text,omitempty" bson:"text,omitempty"`
	Hashtags  []string  `json:"hashtags,omitempty" bson:"hashtags,omitempty"`
	Language  string    `json:"language,omitempty" bson:"language,omitempty"` // as the platform tags it (BCP-47), "" when untagged
	URL       string    `json:"url,omitempty" bson:"url,omitempty"`
	Likes     *int64    `json:"likes,omitempty" bson:"likes,omitempty"`
	Comments  *int64    `json:"comments,omitempty" bson:"comments,omitempty"`
	Shares    *int64    `json:"shares,omitempty" bson:"shares,omitempty"`
	Quotes    *int64    `json:"quotes,omitempty" bson:"quotes,omitempty"`
	Saves     *int64    `json:"saves,omitempty" bson:"saves,omitempty"`
	Views     *int64    `json:"views,omitempty" bson:"views,omitempty"`
	IsReply   bool      `json:"isReply,omitempty" bson:"isReply,omitempty"` // a reply in someone's thread, not a top-level post
	FetchedAt time.Time `json:"fetchedAt,omitzero" bson:"fetchedAt"`
}

// Key is the store id of the post.
func (p Post) Key() string { return Key(p.Platform, p.ID) }

// CreatorKey is the store id of the post's author.
func (p Post) CreatorKey() string { return Key(p.Platform, p.CreatorID) }

// Comment is a reply under a post, possibly nested, possibly by the creator.
type Comment struct {
	Platform     string    `json:"platform" bson:"platform"`
	ID           string    `json:"id" bson:"nativeId"`
	PostID       string    `json:"postId" bson:"postId"`     // native id of the root post
	ParentID     string    `json:"parentId" bson:"parentId"` // native id of the post or comment answered
	AuthorID     string    `json:"authorId" bson:"authorId"`
	AuthorHandle string    `json:"authorHandle,omitempty" bson:"authorHandle,omitempty"`
	Text         string    `json:"text" bson:"text"`
	CreatedAt    time.Time `json:"createdAt" bson:"createdAt"`
	Depth        int       `json:"depth" bson:"depth"` // 1 = direct reply to the post
	ByCreator    bool      `json:"byCreator,omitempty" bson:"byCreator,omitempty"`
	Likes        *int64    `json:"likes,omitempty" bson:"likes,omitempty"`
	// Author is the commenter's profile as the comment payload shows it
	// (TikTok, Instagram: handle, display name, avatar, private; never
	// counts), with a field the payload does not show left nil (unknown).
	// nil when the payload shows no profile. It is what the audience
	// sample of those platforms reads, without another request.
	Author *AudienceAccount `json:"author,omitempty" bson:"author,omitempty"`
}

// Key is the store id of the comment.
func (c Comment) Key() string { return Key(c.Platform, c.ID) }

// Snapshot is one day of a creator's history: the numbers growth and spike
// detection read.
type Snapshot struct {
	CreatorKey string    `json:"creatorKey" bson:"creatorKey"`
	Day        string    `json:"day" bson:"day"` // YYYY-MM-DD (UTC)
	Followers  int64     `json:"followers" bson:"followers"`
	Following  int64     `json:"following" bson:"following"`
	PostsCount int64     `json:"postsCount" bson:"postsCount"`
	ER         float64   `json:"er" bson:"er"`
	TakenAt    time.Time `json:"takenAt" bson:"takenAt"`
}

// Tier names, by follower count.
const (
	TierNano  = "nano"  // 1k–10k
	TierMicro = "micro" // 10k–100k
	TierMid   = "mid"   // 100k–500k
	TierMacro = "macro" // 500k–1M
	TierMega  = "mega"  // 1M+
	TierBelow = "below" // under 1k: not yet a creator brands buy
)

// Tiers lists the tiers from the smallest to the largest.
var Tiers = []string{TierBelow, TierNano, TierMicro, TierMid, TierMacro, TierMega}

// TierOf is the tier of a follower count: nano 1k–10k, micro 10k–100k, mid
// 100k–500k, macro 500k–1M, mega 1M and up, TierBelow under 1,000. Lower
// bounds are inclusive: 10,000 followers is micro. The one definition:
// scoring, planning, the simulator and test fixtures all call it.
func TierOf(followers int64) string {
	switch {
	case followers >= 1_000_000:
		return TierMega
	case followers >= 500_000:
		return TierMacro
	case followers >= 100_000:
		return TierMid
	case followers >= 10_000:
		return TierMicro
	case followers >= 1_000:
		return TierNano
	default:
		return TierBelow
	}
}

// Component is one line of a score's breakdown: what was measured, how much it
// weighs, and why it came out as it did.
type Component struct {
	Name   string  `json:"name" bson:"name"`
	Value  float64 `json:"value" bson:"value"`   // normalised 0..1 where it enters the composite
	Raw    float64 `json:"raw" bson:"raw"`       // the measured figure (ER in %, hours, share…)
	Weight float64 `json:"weight" bson:"weight"` // weight in the composite; 0 = shown only
	Reason string  `json:"reason" bson:"reason"`
}

// ReplyDepth says how much the creator talks with the audience.
type ReplyDepth struct {
	CommentsSeen       int     `json:"commentsSeen" bson:"commentsSeen"`
	Commenters         int     `json:"commenters" bson:"commenters"`
	AnsweredCommenters int     `json:"answeredCommenters" bson:"answeredCommenters"`
	AnsweredShare      float64 `json:"answeredShare" bson:"answeredShare"`           // answered commenters ÷ commenters
	MedianHoursToReply float64 `json:"medianHoursToReply" bson:"medianHoursToReply"` // -1 when never answered
	MeanDepth          float64 `json:"meanDepth" bson:"meanDepth"`                   // mean conversation depth per thread
	Score              float64 `json:"score" bson:"score"`                           // 0..1
}

// Score is the scored state of one creator at one time.
type Score struct {
	Tier           string      `json:"tier" bson:"tier"`
	PostsUsed      int         `json:"postsUsed" bson:"postsUsed"`
	ER             float64     `json:"er" bson:"er"`             // mean ER by followers over settled posts, in %
	ERMedian       float64     `json:"erMedian" bson:"erMedian"` // median, in %
	ERByViews      *float64    `json:"erByViews,omitempty" bson:"erByViews,omitempty"`
	Benchmark      float64     `json:"benchmark" bson:"benchmark"`           // the tier's benchmark ER for the platform, in %
	BenchmarkIndex float64     `json:"benchmarkIndex" bson:"benchmarkIndex"` // ER ÷ benchmark
	ReplyDepth     ReplyDepth  `json:"replyDepth" bson:"replyDepth"`
	Authenticity   float64     `json:"authenticity" bson:"authenticity"`     // 0..1, 1 = looks genuine
	Composite      float64     `json:"composite" bson:"composite"`           // 0..100
	Rank           int         `json:"rank,omitempty" bson:"rank,omitempty"` // within platform × tier, 1 = best
	Flags          []string    `json:"flags,omitempty" bson:"flags,omitempty"`
	Breakdown      []Component `json:"breakdown" bson:"breakdown"`
	ComputedAt     time.Time   `json:"computedAt" bson:"computedAt"`
	// Audience is the audience quality of the latest sample; nil until one
	// was taken and judged.
	Audience *AudienceQuality `json:"audience,omitempty" bson:"audience,omitempty"`
}

// AudienceQuality is the judged audience sample of a creator: the share of
// real, active accounts with its 90 % interval.
type AudienceQuality struct {
	Source     string    `json:"source" bson:"source"`         // AudienceFollowers or AudienceCommenters
	Sampled    int       `json:"sampled" bson:"sampled"`       // accounts in the sample
	Judged     int       `json:"judged" bson:"judged"`         // accounts with enough known fields to judge
	Share      float64   `json:"share" bson:"share"`           // real and active, 0..1
	Low        float64   `json:"low" bson:"low"`               // 90 % interval (Wilson)
	High       float64   `json:"high" bson:"high"`             //
	Fake       float64   `json:"fake" bson:"fake"`             // share judged fake or bot
	Inactive   float64   `json:"inactive" bson:"inactive"`     // share judged inactive
	MassFollow int       `json:"massFollow" bson:"massFollow"` // accounts with no posts following thousands
	SampledAt  time.Time `json:"sampledAt" bson:"sampledAt"`
}

// Creator status values kept in the store.
const (
	StatusOK    = "ok"
	StatusStale = "stale" // last collection failed; data is from an earlier run
	StatusGone  = "gone"  // the platform says the account no longer exists
)

// Run status values.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunPartial   = "partial"
	RunFailed    = "failed"
	RunAbandoned = "abandoned"
)

// PlatformStats are one platform's counters in a run.
type PlatformStats struct {
	Discovered    int              `json:"discovered" bson:"discovered"`
	Seen          int              `json:"seen" bson:"seen"`
	Collected     int              `json:"collected" bson:"collected"`
	Failed        int              `json:"failed" bson:"failed"`
	Skipped       int              `json:"skipped" bson:"skipped"` // fresh enough: not due for refresh
	Scored        int              `json:"scored" bson:"scored"`
	Requests      int64            `json:"requests" bson:"requests"`
	ByStatus      map[string]int64 `json:"byStatus,omitempty" bson:"byStatus,omitempty"`
	Throttled     int64            `json:"throttled" bson:"throttled"` // 429s received
	Retries       int64            `json:"retries" bson:"retries"`
	LimiterWaitMS int64            `json:"limiterWaitMs" bson:"limiterWaitMs"`
	Paused        string           `json:"paused,omitempty" bson:"paused,omitempty"` // why the platform stopped early
	// Discovery says how discovery queries were read where a platform has
	// more than one way, and why (Mastodon's public timeline: streaming, or
	// polling because the instance refused the stream), one line per query.
	Discovery []string `json:"discovery,omitempty" bson:"discovery,omitempty"`
	// Audience sampling (refreshed on its own cadence): creators sampled in
	// this run, accounts sampled, and the requests the samples cost (also
	// counted in Requests).
	AudienceSampled  int   `json:"audienceSampled,omitempty" bson:"audienceSampled,omitempty"`
	AudienceAccounts int   `json:"audienceAccounts,omitempty" bson:"audienceAccounts,omitempty"`
	AudienceRequests int64 `json:"audienceRequests,omitempty" bson:"audienceRequests,omitempty"`
	// RequestsPerScored is Requests ÷ Scored (the cost of one scored
	// creator), set when something was scored.
	RequestsPerScored float64 `json:"requestsPerScored,omitempty" bson:"requestsPerScored,omitempty"`
}

// Add adds d's counters to s: creators, requests by status, 429s, retries,
// limiter wait and audience sampling. Paused, Discovery and
// RequestsPerScored are not counters and are left as they are. The one definition of summing
// platform stats (a run's totals, a worker's batches, a distributed run).
func (s *PlatformStats) Add(d PlatformStats) {
	s.Discovered += d.Discovered
	s.Seen += d.Seen
	s.Collected += d.Collected
	s.Failed += d.Failed
	s.Skipped += d.Skipped
	s.Scored += d.Scored
	s.Requests += d.Requests
	s.Throttled += d.Throttled
	s.Retries += d.Retries
	s.LimiterWaitMS += d.LimiterWaitMS
	s.AudienceSampled += d.AudienceSampled
	s.AudienceAccounts += d.AudienceAccounts
	s.AudienceRequests += d.AudienceRequests
	for k, v := range d.ByStatus {
		if s.ByStatus == nil {
			s.ByStatus = map[string]int64{}
		}
		s.ByStatus[k] += v
	}
}

// Totals sums the run's per-platform counters (ByStatus merged; Paused
// lists the paused platforms). The one definition of a run's totals: the
// CLI, the pages, the daemon's log and the run status all read it.
func (r Run) Totals() PlatformStats {
	var t PlatformStats
	names := make([]string, 0, len(r.Platforms))
	for name := range r.Platforms {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := r.Platforms[name]
		if s == nil {
			continue
		}
		t.Add(*s)
		if s.Paused != "" {
			if t.Paused != "" {
				t.Paused += "; "
			}
			t.Paused += name + ": " + s.Paused
		}
	}
	return t
}

// RunError records one failure in a run: which creator, which stage, why.
type RunError struct {
	Platform string    `json:"platform" bson:"platform"`
	Creator  string    `json:"creator,omitempty" bson:"creator,omitempty"`
	Stage    string    `json:"stage" bson:"stage"` // discover, profile, posts, thread, score, store
	Reason   string    `json:"reason" bson:"reason"`
	At       time.Time `json:"at" bson:"at"`
}

// Run is the record of one pipeline run.
type Run struct {
	ID         string                    `json:"id" bson:"_id"`
	Job        string                    `json:"job" bson:"job"`
	Status     string                    `json:"status" bson:"status"`
	StartedAt  time.Time                 `json:"startedAt" bson:"startedAt"`
	FinishedAt time.Time                 `json:"finishedAt,omitzero" bson:"finishedAt,omitempty"`
	DurationMS int64                     `json:"durationMs" bson:"durationMs"`
	Owner      string                    `json:"owner,omitempty" bson:"owner,omitempty"` // host:pid
	Platforms  map[string]*PlatformStats `json:"platforms" bson:"platforms"`
	Errors     []RunError                `json:"errors,omitempty" bson:"errors,omitempty"`
	Done       []string                  `json:"done,omitempty" bson:"done,omitempty"` // creator keys finished
	// Checkpoint lets a killed run be resumed: per platform, the candidates
	// accepted and those finished.
	Checkpoint  *Checkpoint `json:"checkpoint,omitempty" bson:"checkpoint,omitempty"`
	ResumedFrom string      `json:"resumedFrom,omitempty" bson:"resumedFrom,omitempty"`
	ResumedBy   string      `json:"resumedBy,omitempty" bson:"resumedBy,omitempty"`
	// Gaps are the stretches of a stream the service could not replay that
	// a round of job "stream" handled, each with the creators polled instead.
	Gaps []StreamGap `json:"gaps,omitempty" bson:"gaps,omitempty"`
	// Workers are the processes that collected a distributed run
	// (distributed.enabled), by name.
	Workers []RunWorker `json:"workers,omitempty" bson:"workers,omitempty"`
}

// StreamGap is a stretch of the Jetstream the service could not replay (the
// stored cursor was older than its retention): the events between From and
// To are lost. The creators the stream was following (Affected) are
// collected by the polling pipeline instead (PollRun, Polled of them
// scored); Error says why that failed, and the gap is tried again next round.
type StreamGap struct {
	From     time.Time `json:"from" bson:"from"`
	To       time.Time `json:"to" bson:"to"`
	Affected int       `json:"affected" bson:"affected"`
	Polled   int       `json:"polled" bson:"polled"`
	PollRun  string    `json:"pollRun,omitempty" bson:"pollRun,omitempty"`
	Error    string    `json:"error,omitempty" bson:"error,omitempty"`
}

// RunWorker is what one worker did in a distributed run.
type RunWorker struct {
	Name   string `json:"name" bson:"name"`                         // host:pid
	Client string `json:"client,omitempty" bson:"client,omitempty"` // the client identity its requests were counted as
	// Batches it finished; Lost: batches it claimed and another worker
	// finished after its claim lapsed (it died, hung or lost the store).
	Batches       int   `json:"batches" bson:"batches"`
	Lost          int   `json:"lost,omitempty" bson:"lost,omitempty"`
	Creators      int   `json:"creators" bson:"creators"`
	Skipped       int   `json:"skipped" bson:"skipped"`
	Failed        int   `json:"failed" bson:"failed"`
	Duplicates    int   `json:"duplicates,omitempty" bson:"duplicates,omitempty"`
	Requests      int64 `json:"requests" bson:"requests"`
	Throttled     int64 `json:"throttled" bson:"throttled"`
	LimiterWaitMS int64 `json:"limiterWaitMs" bson:"limiterWaitMs"`
}

// Checkpoint is a run's progress: per platform, the creators it set out to
// collect (handles or ids, in order) and those it finished.
type Checkpoint struct {
	Frontier map[string][]string `json:"frontier" bson:"frontier"`
	Finished map[string][]string `json:"finished" bson:"finished"`
}

// PostSnapshot is a post's metrics at one age (about 1 h, 24 h or 7 d after
// it was published): the engagement-velocity curve.
type PostSnapshot struct {
	PostKey  string    `json:"postKey" bson:"postKey"`
	Bucket   string    `json:"bucket" bson:"bucket"` // "1h", "24h", "7d"
	AgeHours float64   `json:"ageHours" bson:"ageHours"`
	Likes    *int64    `json:"likes,omitempty" bson:"likes,omitempty"`
	Comments *int64    `json:"comments,omitempty" bson:"comments,omitempty"`
	Shares   *int64    `json:"shares,omitempty" bson:"shares,omitempty"`
	Views    *int64    `json:"views,omitempty" bson:"views,omitempty"`
	TakenAt  time.Time `json:"takenAt" bson:"takenAt"`
}

// Audience sources: where a platform lets us see who the audience is.
const (
	AudienceFollowers  = "followers"  // the follower list (Bluesky, Mastodon)
	AudienceCommenters = "commenters" // the accounts that comment (YouTube, TikTok, Instagram)
)

// AudienceAccount is one sampled member of a creator's audience, with the
// public profile fields the platform showed. A field the platform does not
// show is nil (unknown), never zero or empty.
type AudienceAccount struct {
	ID          string     `json:"id" bson:"id"`
	Handle      string     `json:"handle,omitempty" bson:"handle,omitempty"`
	DisplayName *string    `json:"displayName,omitempty" bson:"displayName,omitempty"`
	Bio         *string    `json:"bio,omitempty" bson:"bio,omitempty"`
	HasAvatar   *bool      `json:"hasAvatar,omitempty" bson:"hasAvatar,omitempty"`
	Followers   *int64     `json:"followers,omitempty" bson:"followers,omitempty"`
	Following   *int64     `json:"following,omitempty" bson:"following,omitempty"`
	Posts       *int64     `json:"posts,omitempty" bson:"posts,omitempty"`
	Private     *bool      `json:"private,omitempty" bson:"private,omitempty"`
	Bot         *bool      `json:"bot,omitempty" bson:"bot,omitempty"` // the account says it is automated (Mastodon)
	HasLink     *bool      `json:"hasLink,omitempty" bson:"hasLink,omitempty"`
	CreatedAt   *time.Time `json:"createdAt,omitempty" bson:"createdAt,omitempty"`
	LastPostAt  *time.Time `json:"lastPostAt,omitempty" bson:"lastPostAt,omitempty"` // Mastodon's last_status_at
	// Comments are the texts of the account's newest comments under the
	// sampled creator (commenter samples only; at most
	// MaxCommenterTexts), and SameText the most other accounts that wrote
	// one of them word for word under the same creator (nil: not counted,
	// as in follower samples).
	Comments []string `json:"comments,omitempty" bson:"comments,omitempty"`
	SameText *int     `json:"sameText,omitempty" bson:"sameText,omitempty"`
}

// MaxCommenterTexts is how many of a commenter's texts a sample keeps.
const MaxCommenterTexts = 3

// S returns a pointer to s, for text fields that a platform shows.
func S(s string) *string { return &s }

// B returns a pointer to b, for flags that a platform shows.
func B(b bool) *bool { return &b }

// T returns a pointer to t, for times that a platform shows.
func T(t time.Time) *time.Time { return &t }

// AudienceSample is one sample of a creator's audience: who was sampled, from
// which source, when and at what cost. The pipeline refreshes it on its own
// cadence (weekly by default), not every run.
type AudienceSample struct {
	CreatorKey string            `json:"creatorKey" bson:"creatorKey"`
	Source     string            `json:"source" bson:"source"` // AudienceFollowers or AudienceCommenters
	Total      int64             `json:"total" bson:"total"`   // size of the listed audience when shown (followers), else 0
	Accounts   []AudienceAccount `json:"accounts" bson:"accounts"`
	Requests   int64             `json:"requests" bson:"requests"` // requests the sample cost
	SampledAt  time.Time         `json:"sampledAt" bson:"sampledAt"`
	// Quality is the sample as judged when it was taken; nil before.
	Quality *AudienceQuality `json:"quality,omitempty" bson:"quality,omitempty"`
}

// Key is the store id of the sample: one per creator and UTC day.
func (s AudienceSample) Key() string {
	return s.CreatorKey + ":" + s.SampledAt.UTC().Format("2006-01-02")
}
