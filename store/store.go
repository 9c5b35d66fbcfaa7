// Package store defines the Store interface nanoscout keeps its data behind,
// and the types of its queries. Two backends implement it and pass the same
// conformance suite (store/storetest): the embedded default on SQLite
// (store/sqlite) and MongoDB (store/mongo). Open picks one from config.
package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// SchemaVersion is the core schema version. The MongoDB backend records it;
// the SQLite backend records one version per migration (see store/sqlite).
const SchemaVersion = 1

// ErrNotFound is returned when a document does not exist.
var ErrNotFound = errors.New("not found")

// CreatorRecord is a creator as stored: the latest profile, the latest score
// and the collection status.
type CreatorRecord struct {
	Key           string        `json:"key"`
	Creator       model.Creator `json:"creator"`
	Score         *model.Score  `json:"score,omitempty"`
	Status        string        `json:"status"` // model.StatusOK, StatusStale, StatusGone
	StatusReason  string        `json:"statusReason,omitempty"`
	LastCollected time.Time     `json:"lastCollected,omitzero"`
	LastScored    time.Time     `json:"lastScored,omitzero"`
	UpdatedAt     time.Time     `json:"updatedAt"`
}

// CreatorUpdate is everything one collection of one creator produced. It is
// written atomically: posts and comments first, then the creator with its
// score, so a reader never sees a score its posts do not support.
type CreatorUpdate struct {
	Creator  model.Creator
	Posts    []model.Post
	Comments []model.Comment
	Score    *model.Score // nil keeps the stored score
	Snapshot *model.Snapshot
	At       time.Time // collection time
}

// Guard applies the rule every backend keeps when it writes a creator over a
// stored one: a count the new profile does not know (model.Creator.Unknown)
// never replaces a known stored count, and while the follower count is
// unknown the stored score stays (an ER by followers needs followers) and
// the creator is marked stale with the reason. found says whether stored
// exists; without it the new values are written as they are. It returns the
// profile, the score (nil: keep the stored one), the status and its reason.
func Guard(stored CreatorRecord, found bool, c model.Creator, score *model.Score) (model.Creator, *model.Score, string, string) {
	if !found || len(c.Unknown) == 0 {
		return c, score, model.StatusOK, ""
	}
	followersUnknown := !c.Known(model.CountFollowers)
	c, kept := model.KeepKnown(c, stored.Creator)
	if !followersUnknown || stored.Score == nil && len(kept) == 0 {
		return c, score, model.StatusOK, ""
	}
	if stored.Score != nil {
		kept = append(kept, "score")
	}
	return c, nil, model.StatusStale, "the new profile lacks the follower count: stored " + strings.Join(kept, ", ") + " kept"
}

// TopQuery selects a ranked page of creators.
type TopQuery struct {
	Platform     string  // "" = all
	Tier         string  // "" = all
	MinER        float64 // in %, 0 = no filter
	MinFollowers int64
	MaxFollowers int64  // 0 = no limit
	Status       string // "" = any
	// Scout filters (see store/scout.go); zero values filter nothing.
	MinBenchmarkIndex float64 // ER ÷ the tier's benchmark
	MinAuthenticity   float64 // 0..1
	MinReply          float64 // reply-depth score, 0..1
	MinAudience       float64 // audience quality (real, active share of the sampled audience), 0..1; creators without a sample do not pass
	Language          string  // profile language, e.g. "en"
	Keyword           string  // words (the last a prefix) in the handle, name, bio or recent posts' text; taken literally (store.KeywordTokens)
	HasContact        bool    // only creators with a public email, web address or profile link (store.HasPublicContact)
	// MinGrowth keeps creators whose follower growth in % over
	// GrowthWindowDays (store.Growth) is at least this; nil = no filter.
	// Creators without a growth figure are left out when it is set.
	MinGrowth *float64
	// Hide leaves out creators a scout already has: HideShortlisted (on any
	// shortlist) or HideContacted (on a list with an outreach status past
	// new). "" hides nothing.
	Hide string
	// ProvenConverter keeps creators whose measured CPA on a campaign is at
	// or under the campaign's median over at least campaign.MinSales sales
	// (store.Campaigns.SetConverters); kept apart from the score.
	ProvenConverter bool
	SortBy          string // "composite" (default), "er", "followers", "reply", "authenticity", "growth" (creators without growth last), "audience" (creators without a sample last), "cpa" (lowest measured CPA first, creators without one last)
	Limit           int    // default 50
	Offset          int
	// WithoutBreakdown leaves each score's breakdown out of the records
	// (Score.Breakdown nil), for list pages that send summaries; MongoDB
	// does not even send it (a projection).
	WithoutBreakdown bool
}

// Stats are collection sizes, for `nanoscout db stats`.
type Stats map[string]int64

// Store is nanoscout's persistence. All writes are idempotent upserts keyed by
// platform-native ids.
type Store interface {
	// Leaser grants one lease per job (the daemon, and pipeline runs
	// outside it).
	Leaser
	// FireClaimer records each scheduled fire of a job once (the daemon).
	FireClaimer
	// Pruner deletes old data by a retention.
	Pruner
	// SaveCreator writes one creator's collection atomically (see
	// CreatorUpdate). Counts the new profile does not know never replace
	// known stored ones (see Guard).
	SaveCreator(ctx context.Context, u CreatorUpdate) error
	// UpsertPosts writes posts in bulk (idempotent), without touching creators.
	UpsertPosts(ctx context.Context, posts []model.Post) error
	// UpsertCreators writes profiles in bulk without touching scores or
	// status; counts a profile does not know keep their stored values.
	UpsertCreators(ctx context.Context, cs []model.Creator, at time.Time) error
	// MarkStatus sets a creator's status (stale, gone) and reason without
	// touching its stored metrics. ErrNotFound when the creator is unknown.
	MarkStatus(ctx context.Context, key, status, reason string) error
	// Creator returns one stored creator, or ErrNotFound.
	Creator(ctx context.Context, key string) (CreatorRecord, error)
	// CreatorByHandle returns the stored creator of a platform by its handle
	// (handles can change; the newest match wins), or ErrNotFound.
	CreatorByHandle(ctx context.Context, platform, handle string) (CreatorRecord, error)
	// Posts returns a creator's stored posts, newest first, at most limit (0 = all).
	Posts(ctx context.Context, creatorKey string, limit int) ([]model.Post, error)
	// Comments returns the stored comments under one post, oldest first.
	Comments(ctx context.Context, postKey string) ([]model.Comment, error)
	// Top returns a ranked, filtered page of scored creators.
	Top(ctx context.Context, q TopQuery) ([]CreatorRecord, error)
	// CountTop counts the scored creators q's filters select (its sort,
	// limit and offset ignored): the total behind Top's pages.
	CountTop(ctx context.Context, q TopQuery) (int64, error)
	// Rerank recomputes Score.Rank within each tier of a platform, by composite.
	Rerank(ctx context.Context, platform string) error
	// PutSnapshot upserts the creator's snapshot for its day.
	PutSnapshot(ctx context.Context, s model.Snapshot) error
	// Snapshots returns a creator's snapshots since a day (YYYY-MM-DD, "" = all), oldest first.
	Snapshots(ctx context.Context, creatorKey, sinceDay string) ([]model.Snapshot, error)
	// SaveRun upserts a run document.
	SaveRun(ctx context.Context, r model.Run) error
	// Run returns one run, or ErrNotFound.
	Run(ctx context.Context, id string) (model.Run, error)
	// Runs lists runs, newest first.
	Runs(ctx context.Context, limit int) ([]model.Run, error)
	// Stats counts the documents of each collection.
	Stats(ctx context.Context) (Stats, error)
	// AudienceStore keeps audience samples (store/audience.go).
	AudienceStore
	// Scout keeps shortlists, the outreach log, webhook deliveries, alert
	// state and follower growth (store/scout.go).
	Scout
	// LLMCache keeps the LLM judge's verdicts (store/llmcache.go).
	LLMCache
	// PostSnapshotter keeps per-post metric snapshots (store/poststats.go).
	PostSnapshotter
	// StreamStore keeps what the Jetstream consumer aggregates
	// (store/stream.go).
	StreamStore
	// Campaigns keeps campaigns, their codes and conversions
	// (store/campaign.go).
	Campaigns
	// Markers are insert-only documents with unique ids: claims, collected
	// creators, quota reservations (store/markers.go).
	Markers
	// Close releases the backend.
	Close() error
}
