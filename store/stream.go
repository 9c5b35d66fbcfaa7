package store

import (
	"context"
	"time"
)

// Kinds of StreamRecord.
const (
	RecordLike   = "like"
	RecordRepost = "repost"
	RecordReply  = "reply"
	RecordQuote  = "quote"
	RecordFollow = "follow"
)

// Funnel stages of a StreamCreator.
const (
	StageCandidate = "candidate" // passed the stream's first filter, not hydrated yet
	StageFiltered  = "filtered"  // hydrated and outside the tiers scored (Reason says why)
	StageScored    = "scored"    // hydrated, counted and scored like any other creator
)

// StreamPost is a post by a tracked creator seen on the stream, with the
// running counts of the interactions stored for it. The counts are the
// numbers of distinct stored records (a replayed or duplicated like counts
// once; a deleted one no longer counts).
type StreamPost struct {
	URI        string    `json:"uri" bson:"_id"`
	CreatorDID string    `json:"creatorDid" bson:"creatorDid"`
	CreatedAt  time.Time `json:"createdAt" bson:"createdAt"` // the record's createdAt, else the event time
	SeenAt     time.Time `json:"seenAt" bson:"seenAt"`       // the event time (time_us)
	IsReply    bool      `json:"isReply,omitempty" bson:"isReply,omitempty"`
	Text       string    `json:"text,omitempty" bson:"text,omitempty"`
	Langs      []string  `json:"langs,omitempty" bson:"langs,omitempty"`
	Tags       []string  `json:"tags,omitempty" bson:"tags,omitempty"`
	Likes      int64     `json:"likes" bson:"likes"`
	Reposts    int64     `json:"reposts" bson:"reposts"`
	Replies    int64     `json:"replies" bson:"replies"` // direct replies
	Quotes     int64     `json:"quotes" bson:"quotes"`
}

// StreamRecord is one interaction with a tracked creator: a like, repost,
// reply or quote of one of its posts, or a follow of the creator. It is
// keyed by its own at-uri (author DID + collection + rkey), which makes
// applying it idempotent.
type StreamRecord struct {
	URI        string    `json:"uri" bson:"_id"`
	Kind       string    `json:"kind" bson:"kind"` // RecordLike, …
	AuthorDID  string    `json:"authorDid" bson:"authorDid"`
	CreatorDID string    `json:"creatorDid" bson:"creatorDid"`                     // the tracked creator concerned (the thread root's author for replies)
	SubjectURI string    `json:"subjectUri,omitempty" bson:"subjectUri,omitempty"` // the post liked, reposted, quoted or answered ("" for follows)
	RootURI    string    `json:"rootUri,omitempty" bson:"rootUri,omitempty"`       // replies: the thread's root post
	Text       string    `json:"text,omitempty" bson:"text,omitempty"`             // replies and quotes
	At         time.Time `json:"at" bson:"at"`                                     // the record's createdAt, else the event time
}

// StreamCreatorUpdate changes what the stream knows about one account.
// Empty fields are left as stored.
type StreamCreatorUpdate struct {
	DID       string
	Handle    string // from identity events
	Status    string // "" = unchanged; "active", or the account event's status (deactivated, deleted…)
	Track     bool   // the account passed the first filter: create its row as a candidate if new
	FirstSeen time.Time
}

// StreamBatch is what the consumer flushes at once. A backend applies it
// idempotently: records and posts already stored are left alone, deletes of
// unknown keys do nothing, and the counts of every touched post are
// recomputed from the stored records. Cursor is stored with it (in the same
// transaction where the backend has them, last otherwise), so a resumed
// consumer replays at most the events after the last applied batch.
type StreamBatch struct {
	Name     string // consumer name (the cursor's key), e.g. "bluesky"
	Cursor   int64  // time_us of the last event in the batch; 0 leaves the stored cursor
	Creators []StreamCreatorUpdate
	Posts    []StreamPost   // new posts of tracked creators (counts are ignored)
	Records  []StreamRecord // new interactions
	Deletes  []string       // at-uris of deleted records or posts
	// Pending are top-level posts of posters not tracked yet, kept (for
	// the aggregator's pending window) so that a restarted consumer still
	// knows them; PendingBefore, when set, drops pending posts created
	// before it.
	Pending       []StreamPost
	PendingBefore time.Time
}

// StreamCreator is a tracked account with its funnel state and its rolling
// activity over the window asked for.
type StreamCreator struct {
	DID        string    `json:"did" bson:"_id"`
	Handle     string    `json:"handle,omitempty" bson:"handle,omitempty"`
	Status     string    `json:"status,omitempty" bson:"status,omitempty"`
	Stage      string    `json:"stage" bson:"stage"`
	Reason     string    `json:"reason,omitempty" bson:"reason,omitempty"`
	Followers  *int64    `json:"followers,omitempty" bson:"followers,omitempty"` // unknown until hydrated
	FirstSeen  time.Time `json:"firstSeen" bson:"firstSeen"`
	HydratedAt time.Time `json:"hydratedAt,omitzero" bson:"hydratedAt,omitempty"`
	ScoredAt   time.Time `json:"scoredAt,omitzero" bson:"scoredAt,omitempty"`
	// Rolling activity (computed by StreamCreators over Since):
	Posts      int       `json:"posts" bson:"-"`      // own posts in the window
	Engagement int64     `json:"engagement" bson:"-"` // likes+reposts+replies+quotes on them
	LastPost   time.Time `json:"lastPost,omitzero" bson:"-"`
}

// StreamCreatorQuery selects tracked creators.
type StreamCreatorQuery struct {
	Stage         string    // "" = any
	Since         time.Time // activity window start; only creators with a post since then
	MinEngagement int64     // only creators whose posts in the window drew at least this much
	ScoredBefore  time.Time // zero = no filter; else only creators never scored or scored before it
	Limit         int       // 0 = all
}

// StreamStage is the funnel's verdict on one creator.
type StreamStage struct {
	Stage      string
	Reason     string
	Followers  *int64
	HydratedAt time.Time
	ScoredAt   time.Time
}

// StreamStore keeps what the Jetstream consumer aggregates: the cursor,
// tracked creators, their posts with running counts, and the interactions
// (reply edges with their times among them). Both backends implement it.
type StreamStore interface {
	// StreamCursor returns the stored cursor of the named consumer (0 = none).
	StreamCursor(ctx context.Context, name string) (int64, error)
	// ApplyStream applies one batch idempotently (see StreamBatch).
	ApplyStream(ctx context.Context, b StreamBatch) error
	// StreamCreators lists tracked creators with their activity, most
	// engaged first.
	StreamCreators(ctx context.Context, q StreamCreatorQuery) ([]StreamCreator, error)
	// StreamCreator returns one tracked creator (activity since since), or ErrNotFound.
	StreamCreator(ctx context.Context, did string, since time.Time) (StreamCreator, error)
	// SetStreamStage records the funnel's verdict on a tracked creator.
	SetStreamStage(ctx context.Context, did string, s StreamStage) error
	// StreamPosts returns a creator's stored posts created since since, newest first.
	StreamPosts(ctx context.Context, did string, since time.Time) ([]StreamPost, error)
	// StreamRecords returns the replies, quotes and follows concerning a
	// creator since since, oldest first; kind "" = all three. Likes and
	// reposts are only counted on their posts (they are most of the
	// traffic), not listed.
	StreamRecords(ctx context.Context, did, kind string, since time.Time) ([]StreamRecord, error)
	// StreamPending returns the pending posts created since since, oldest first.
	StreamPending(ctx context.Context, since time.Time) ([]StreamPost, error)
	// PruneStream deletes posts and records older than before and tracked
	// creators with no post left that were first seen before it; it returns
	// how many documents it removed.
	PruneStream(ctx context.Context, before time.Time) (int64, error)
}
