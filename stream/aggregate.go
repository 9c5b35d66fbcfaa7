// Package stream turns Bluesky's Jetstream into scored creators: the
// Aggregator applies events to the store (tracked creators' posts with
// running counts, reply edges, follows, handles and account status) in
// batches that carry the cursor; the Consumer keeps the Jetstream
// subscription open and resumes from the stored cursor; the Funnel hydrates
// the candidates the stream found with batched reads (getProfiles and
// getPosts, 25 per call), filters them by tier, and scores them with the
// same pure scoring function as the polling path.
package stream

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/store"
)

// AggregatorConfig bounds what the aggregator keeps.
type AggregatorConfig struct {
	Name string // the cursor's key (default "bluesky")
	// FlushEvents flushes a batch after this many events (default 50,000:
	// at the live rate the consumer's FlushInterval comes first; catching
	// up, larger batches coalesce more count updates into one write).
	FlushEvents int
	// PendingWindow is how long a poster that drew no engagement yet is
	// remembered in memory (default 6 h of stream time).
	PendingWindow time.Duration
	// MaxPendingPosts is how many recent posts are remembered per pending
	// poster (default 20), the newest by creation time.
	MaxPendingPosts int
	// MinEngagement is the first filter: engagements by others (likes,
	// reposts, replies, quotes) on a pending poster's posts that make it a
	// tracked candidate (default 1).
	MinEngagement int
	// Retention is how long tracked creators' posts and records are kept
	// (default 72 h of stream time); older state is pruned.
	Retention time.Duration
	// Disorder is how long engagement with an account that is neither
	// tracked nor pending is held, in case the post that makes it pending
	// arrives late (events delivered out of order; default 10 s).
	Disorder time.Duration
}

func (c *AggregatorConfig) defaults() {
	if c.Name == "" {
		c.Name = "bluesky"
	}
	if c.FlushEvents <= 0 {
		c.FlushEvents = 50_000
	}
	if c.PendingWindow <= 0 {
		c.PendingWindow = 6 * time.Hour
	}
	if c.MaxPendingPosts <= 0 {
		c.MaxPendingPosts = 20
	}
	if c.MinEngagement <= 0 {
		c.MinEngagement = 1
	}
	if c.Retention <= 0 {
		c.Retention = 72 * time.Hour
	}
	if c.Disorder <= 0 {
		c.Disorder = 10 * time.Second
	}
}

// held is engagement with an account not known yet.
type held struct {
	us      int64
	creator string
	rec     store.StreamRecord
	counts  bool
}

// pending is a poster not tracked yet: its recent top-level posts and the
// engagement they drew, kept in memory only.
type pending struct {
	handle  string
	first   time.Time
	last    time.Time
	posts   []store.StreamPost
	records []store.StreamRecord
}

// Aggregator applies Jetstream events to a store.StreamStore in batches. It
// is safe for concurrent use (the consumer's reader and a flush ticker).
type Aggregator struct {
	cfg AggregatorConfig
	st  store.StreamStore

	mu        sync.Mutex
	tracked   map[string]time.Time // DID → stream time of its last post
	pending   map[string]*pending
	pendRecs  map[string]string // pending record uri → the pending poster it counts for
	held      []held            // engagement with unknown accounts, oldest first (Disorder)
	heldBy    map[string]int    // creator → its entries in held
	batch     store.StreamBatch
	inBatch   int
	now       int64 // time_us of the event being applied
	cursor    int64 // time_us of the last event applied (in memory)
	flushed   int64 // cursor of the last flushed batch
	lastPrune time.Time
	stats     Stats
}

// Stats are the aggregator's counters.
type Stats struct {
	Events   map[string]int64 // by collection, or by kind for identity/account
	Applied  int64            // events that changed or may change the store
	Stored   int64            // events that added to a batch (when applied or, for a pending poster's, when promoted)
	Promoted int64            // pending posters that became tracked
	Tracked  int              // tracked creators in memory
	Pending  int              // pending posters in memory
	Flushes  int64
	Pruned   int64
	Cursor   int64 // last event applied
	Flushed  int64 // last cursor stored
}

// NewAggregator loads the tracked creators of the retention window from st.
func NewAggregator(ctx context.Context, st store.StreamStore, cfg AggregatorConfig, now time.Time) (*Aggregator, error) {
	cfg.defaults()
	a := &Aggregator{
		cfg: cfg, st: st,
		tracked:  map[string]time.Time{},
		pending:  map[string]*pending{},
		pendRecs: map[string]string{},
		heldBy:   map[string]int{},
		stats:    Stats{Events: map[string]int64{}},
	}
	a.batch.Name = cfg.Name
	cs, err := st.StreamCreators(ctx, store.StreamCreatorQuery{Since: now.Add(-cfg.Retention)})
	if err != nil {
		return nil, fmt.Errorf("loading tracked creators: %w", err)
	}
	for _, c := range cs {
		a.tracked[c.DID] = c.LastPost
	}
	// The pending posters of the window, so a restart forgets nobody.
	pend, err := st.StreamPending(ctx, now.Add(-cfg.PendingWindow))
	if err != nil {
		return nil, fmt.Errorf("loading pending posts: %w", err)
	}
	for _, p := range pend {
		if _, ok := a.tracked[p.CreatorDID]; ok {
			continue
		}
		pe := a.pending[p.CreatorDID]
		if pe == nil {
			pe = &pending{first: p.CreatedAt}
			a.pending[p.CreatorDID] = pe
		}
		pe.last = maxTime(pe.last, p.CreatedAt)
		keepPending(pe, p, cfg.MaxPendingPosts)
	}
	if a.flushed, err = st.StreamCursor(ctx, cfg.Name); err != nil {
		return nil, err
	}
	a.cursor = a.flushed
	return a, nil
}

// Cursor is the time_us of the last event applied (flushed or not), or the
// stored cursor before any event.
func (a *Aggregator) Cursor() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cursor
}

// Snapshot returns a copy of the counters.
func (a *Aggregator) Snapshot() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.stats
	s.Events = make(map[string]int64, len(a.stats.Events))
	for k, v := range a.stats.Events {
		s.Events[k] = v
	}
	s.Tracked, s.Pending, s.Cursor, s.Flushed = len(a.tracked), len(a.pending), a.cursor, a.flushed
	return s
}

// Apply adds one event to the current batch and flushes it when it is full.
func (a *Aggregator) Apply(ctx context.Context, ev jetstream.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	before := a.batchLen()
	a.apply(ev)
	if a.batchLen() != before {
		a.stats.Stored++
	}
	if ev.TimeUS > a.cursor {
		a.cursor = ev.TimeUS
	}
	a.inBatch++
	if a.inBatch >= a.cfg.FlushEvents {
		return a.flushLocked(ctx)
	}
	return nil
}

func (a *Aggregator) batchLen() int {
	b := &a.batch
	return len(b.Posts) + len(b.Records) + len(b.Deletes) + len(b.Creators) + len(b.Pending)
}

// Flush writes the current batch with the cursor.
func (a *Aggregator) Flush(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.flushLocked(ctx)
}

func (a *Aggregator) flushLocked(ctx context.Context) error {
	if a.inBatch == 0 && a.cursor == a.flushed {
		return nil
	}
	a.batch.Cursor = a.cursor
	now := time.UnixMicro(a.cursor).UTC()
	prune := now.Sub(a.lastPrune) >= time.Hour/4
	if prune {
		a.batch.PendingBefore = now.Add(-a.cfg.PendingWindow)
	}
	if err := a.st.ApplyStream(ctx, a.batch); err != nil {
		return fmt.Errorf("flushing %d stream events: %w", a.inBatch, err)
	}
	a.flushed = a.cursor
	a.stats.Flushes++
	// The slices are reused; what they held is let go.
	clear(a.batch.Posts)
	clear(a.batch.Records)
	clear(a.batch.Deletes)
	clear(a.batch.Creators)
	clear(a.batch.Pending)
	a.batch = store.StreamBatch{Name: a.cfg.Name,
		Posts:    a.batch.Posts[:0],
		Records:  a.batch.Records[:0],
		Deletes:  a.batch.Deletes[:0],
		Creators: a.batch.Creators[:0],
		Pending:  a.batch.Pending[:0]}
	a.inBatch = 0
	if prune {
		a.lastPrune = now
		a.pruneMemory(now)
		n, err := a.st.PruneStream(ctx, now.Add(-a.cfg.Retention))
		if err != nil {
			return err
		}
		a.stats.Pruned += n
	}
	return nil
}

// pruneMemory forgets pending posters older than the pending window and
// tracked creators that have not posted within the retention window.
func (a *Aggregator) pruneMemory(now time.Time) {
	for did, p := range a.pending {
		if now.Sub(p.last) > a.cfg.PendingWindow {
			a.dropPending(did, p)
		}
	}
	for did, last := range a.tracked {
		if now.Sub(last) > a.cfg.Retention {
			delete(a.tracked, did)
		}
	}
}

func (a *Aggregator) dropPending(did string, p *pending) {
	for _, r := range p.records {
		delete(a.pendRecs, r.URI)
	}
	delete(a.pending, did)
}

func eventTime(ev jetstream.Event, c *jetstream.Commit) time.Time {
	// The record's own time, unless it is missing or claims the future
	// (clients set createdAt; the service sets time_us).
	t := ev.Time()
	if c != nil && !c.CreatedAt.IsZero() && !c.CreatedAt.After(t.Add(5*time.Minute)) {
		return c.CreatedAt
	}
	return t
}

func (a *Aggregator) apply(ev jetstream.Event) {
	a.now = ev.TimeUS
	// Forget held engagement older than the disorder window.
	cut := ev.TimeUS - a.cfg.Disorder.Microseconds()
	i := 0
	for i < len(a.held) && a.held[i].us < cut {
		if a.heldBy[a.held[i].creator]--; a.heldBy[a.held[i].creator] <= 0 {
			delete(a.heldBy, a.held[i].creator)
		}
		i++
	}
	if i > 0 {
		a.held = slices.Delete(a.held, 0, i)
	}
	switch ev.Kind {
	case jetstream.KindIdentity:
		a.stats.Events["identity"]++
		if ev.Identity.Handle == "" {
			return
		}
		if p := a.pending[ev.DID]; p != nil {
			p.handle = ev.Identity.Handle
		}
		if _, ok := a.tracked[ev.DID]; ok {
			a.batch.Creators = append(a.batch.Creators, store.StreamCreatorUpdate{DID: ev.DID, Handle: ev.Identity.Handle})
			a.stats.Applied++
		}
		return
	case jetstream.KindAccount:
		a.stats.Events["account"]++
		status := "active"
		if !ev.Account.Active {
			status = ev.Account.Status
			if status == "" {
				status = "inactive"
			}
			if p := a.pending[ev.DID]; p != nil {
				a.dropPending(ev.DID, p)
			}
		}
		if _, ok := a.tracked[ev.DID]; ok {
			a.batch.Creators = append(a.batch.Creators, store.StreamCreatorUpdate{DID: ev.DID, Status: status})
			a.stats.Applied++
		}
		return
	}
	c := ev.Commit
	a.stats.Events[c.Collection]++
	if c.Operation == jetstream.OpDelete {
		a.delete(ev)
		return
	}
	switch c.Collection {
	case jetstream.CollectionPost:
		a.post(ev, c)
	case jetstream.CollectionLike, jetstream.CollectionRepost:
		kind := store.RecordLike
		if c.Collection == jetstream.CollectionRepost {
			kind = store.RecordRepost
		}
		if c.SubjectDID == ev.DID {
			return // own posts' likes are no audience
		}
		a.engage(c.SubjectDID, store.StreamRecord{URI: ev.Key(), Kind: kind, AuthorDID: ev.DID, CreatorDID: c.SubjectDID,
			SubjectURI: c.SubjectURI, At: eventTime(ev, c)}, true)
	case jetstream.CollectionFollow:
		if _, ok := a.tracked[c.SubjectDID]; ok && c.SubjectDID != ev.DID {
			a.batch.Records = append(a.batch.Records, store.StreamRecord{URI: ev.Key(), Kind: store.RecordFollow,
				AuthorDID: ev.DID, CreatorDID: c.SubjectDID, At: eventTime(ev, c)})
			a.stats.Applied++
		}
	}
}

func didOf(uri string) string {
	did, _, _, _ := jetstream.SplitURI(uri)
	return did
}

func (a *Aggregator) post(ev jetstream.Event, c *jetstream.Commit) {
	at := eventTime(ev, c)
	p := store.StreamPost{URI: ev.Key(), CreatorDID: ev.DID, CreatedAt: at, SeenAt: ev.Time(),
		IsReply: c.ReplyParent != "", Text: c.Text, Langs: c.Langs, Tags: c.Tags}
	if _, ok := a.tracked[ev.DID]; ok {
		a.tracked[ev.DID] = maxTime(a.tracked[ev.DID], at)
		a.batch.Posts = append(a.batch.Posts, p)
		a.stats.Applied++
	} else {
		// Any own post, replies included, makes a poster pending: creators
		// answering their audience under older posts are active too.
		pe := a.pending[ev.DID]
		if pe == nil {
			pe = &pending{first: at}
			a.pending[ev.DID] = pe
			defer a.release(ev.DID)
		}
		pe.last = maxTime(pe.last, at)
		if keepPending(pe, p, a.cfg.MaxPendingPosts) {
			lean := p
			lean.Text = ""
			a.batch.Pending = append(a.batch.Pending, lean)
		}
	}
	if c.ReplyParent != "" {
		parent, root := didOf(c.ReplyParent), didOf(c.ReplyRoot)
		if parent != ev.DID { // answering someone (self-threads are no conversation)
			creator := root
			if _, ok := a.tracked[root]; !ok && a.pending[root] == nil {
				creator = parent
			}
			if creator != ev.DID || root == ev.DID {
				a.engage(creator, store.StreamRecord{URI: ev.Key(), Kind: store.RecordReply, AuthorDID: ev.DID, CreatorDID: creator,
					SubjectURI: c.ReplyParent, RootURI: c.ReplyRoot, Text: c.Text, At: at}, creator != ev.DID)
			}
		}
	}
	if c.QuoteURI != "" {
		if q := didOf(c.QuoteURI); q != ev.DID {
			a.engage(q, store.StreamRecord{URI: ev.Key(), Kind: store.RecordQuote, AuthorDID: ev.DID, CreatorDID: q,
				SubjectURI: c.QuoteURI, Text: c.Text, At: at}, true)
		}
	}
}

// engage records an interaction concerning creator: in the batch when the
// creator is tracked; with the pending poster's state when it is pending
// (promoting it once it drew enough engagement, when counts is set).
func (a *Aggregator) engage(creator string, r store.StreamRecord, counts bool) {
	if _, ok := a.tracked[creator]; ok {
		a.batch.Records = append(a.batch.Records, r)
		a.stats.Applied++
		return
	}
	pe := a.pending[creator]
	if pe == nil {
		// Perhaps the post that makes the creator pending comes late.
		a.held = append(a.held, held{us: a.now, creator: creator, rec: r, counts: counts})
		a.heldBy[creator]++
		return
	}
	if _, dup := a.pendRecs[r.URI]; dup {
		return
	}
	pe.records = append(pe.records, r)
	a.pendRecs[r.URI] = creator
	if !counts {
		return
	}
	n := 0
	for _, x := range pe.records {
		if x.AuthorDID != creator {
			n++
		}
	}
	if n >= a.cfg.MinEngagement {
		a.promote(creator, pe)
	}
}

// release applies the engagement held for a creator that just became pending.
func (a *Aggregator) release(did string) {
	if a.heldBy[did] == 0 {
		return
	}
	delete(a.heldBy, did)
	var mine []held
	a.held = slices.DeleteFunc(a.held, func(h held) bool {
		if h.creator == did {
			mine = append(mine, h)
			return true
		}
		return false
	})
	for _, h := range mine {
		a.engage(did, h.rec, h.counts)
	}
}

func (a *Aggregator) promote(did string, pe *pending) {
	a.tracked[did] = pe.last
	a.batch.Creators = append(a.batch.Creators, store.StreamCreatorUpdate{DID: did, Track: true, FirstSeen: pe.first, Handle: pe.handle})
	a.batch.Posts = append(a.batch.Posts, pe.posts...)
	a.batch.Records = append(a.batch.Records, pe.records...)
	a.dropPending(did, pe)
	a.stats.Promoted++
	a.stats.Applied++
}

func (a *Aggregator) delete(ev jetstream.Event) {
	uri := ev.Key()
	if owner, ok := a.pendRecs[uri]; ok {
		if pe := a.pending[owner]; pe != nil {
			pe.records = slices.DeleteFunc(pe.records, func(r store.StreamRecord) bool { return r.URI == uri })
		}
		delete(a.pendRecs, uri)
	}
	if ev.Commit.Collection == jetstream.CollectionPost {
		if pe := a.pending[ev.DID]; pe != nil {
			pe.posts = slices.DeleteFunc(pe.posts, func(p store.StreamPost) bool { return p.URI == uri })
		}
	}
	// The store does not say which records it holds; a delete of one it
	// never stored costs one primary-key miss.
	a.batch.Deletes = append(a.batch.Deletes, uri)
	a.stats.Applied++
}

// keepPending adds p to a pending poster's posts, which hold the newest
// max posts by creation time (so duplicates and replays, which may bring
// back a post dropped earlier, leave the same set). It reports whether p
// is new.
func keepPending(pe *pending, p store.StreamPost, max int) bool {
	if slices.ContainsFunc(pe.posts, func(q store.StreamPost) bool { return q.URI == p.URI }) {
		return false
	}
	if len(pe.posts) >= max && !older(pe.posts[0], p) {
		return false // older than everything kept
	}
	i, _ := slices.BinarySearchFunc(pe.posts, p, func(a, b store.StreamPost) int {
		if older(a, b) {
			return -1
		}
		if older(b, a) {
			return 1
		}
		return 0
	})
	pe.posts = slices.Insert(pe.posts, i, p)
	if len(pe.posts) > max {
		pe.posts = pe.posts[1:]
	}
	return true
}

// older orders posts by creation time, then URI.
func older(a, b store.StreamPost) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.URI < b.URI
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
