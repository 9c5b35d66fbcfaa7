// Package jetstream consumes Bluesky's Jetstream: the whole network's
// public repository commits (posts, likes, reposts, follows), identity
// (handle) and account (active, deactivated, deleted) events, one JSON event
// per WebSocket message, replayable from a cursor of unix microseconds.
//
// The package knows the wire format and nothing about the store or scores:
// Parse turns one message into a typed Event, and Client keeps a connection
// open (reconnecting with backoff and jitter, across alternate hosts,
// resuming from the cursor it is given) and hands every event to a Handler.
package jetstream

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Collections Jetstream serves that nanoscout reads.
const (
	CollectionPost   = "app.bsky.feed.post"
	CollectionLike   = "app.bsky.feed.like"
	CollectionRepost = "app.bsky.feed.repost"
	CollectionFollow = "app.bsky.graph.follow"
)

// DefaultCollections are the wantedCollections asked for by default.
var DefaultCollections = []string{CollectionPost, CollectionLike, CollectionRepost, CollectionFollow}

// Event kinds.
const (
	KindCommit   = "commit"
	KindIdentity = "identity"
	KindAccount  = "account"
)

// Commit operations.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

// Errors of Parse. Each is a reason to count and skip the message.
var (
	ErrMalformed = errors.New("malformed jetstream event")
	ErrUnknown   = errors.New("unknown jetstream event")
	ErrOversized = errors.New("oversized jetstream event")
)

// Event is one Jetstream event, typed. Exactly one of Commit, Identity and
// Account is set, as Kind says.
type Event struct {
	DID      string
	TimeUS   int64 // the replay cursor: unix microseconds at the service
	Kind     string
	Commit   *Commit
	Identity *Identity
	Account  *Account
}

// Time is TimeUS as a time.
func (e Event) Time() time.Time { return time.UnixMicro(e.TimeUS).UTC() }

// Commit is a create, update or delete of one record in a repository. A
// delete carries no record: only the collection and the rkey.
type Commit struct {
	Operation  string
	Collection string
	RKey       string
	CID        string
	// Record fields nanoscout reads; empty on deletes.
	CreatedAt   time.Time // zero when the record has none or an unparsable one
	Text        string
	Langs       []string
	Tags        []string // hashtags from facets and the record's tags
	ReplyRoot   string   // at-uri of the thread's root post (posts that are replies)
	ReplyParent string   // at-uri of the post answered
	QuoteURI    string   // at-uri of a quoted post (embed record / recordWithMedia)
	SubjectURI  string   // at-uri of the liked or reposted post
	SubjectDID  string   // the followed account (follows), or the author of SubjectURI
}

// Identity is a handle change (or a refresh of the DID document).
type Identity struct {
	Handle string // "" when the event carries none
	Time   time.Time
}

// Account is an account's hosting status.
type Account struct {
	Active bool
	Status string // deactivated, deleted, suspended, takendown… ("" when active)
	Time   time.Time
}

// Key is the idempotency key of a commit: DID + collection + rkey.
func (e Event) Key() string {
	if e.Commit == nil {
		return ""
	}
	return RecordURI(e.DID, e.Commit.Collection, e.Commit.RKey)
}

// RecordURI is the at-uri of a record: at://did/collection/rkey.
func RecordURI(did, collection, rkey string) string {
	return "at://" + did + "/" + collection + "/" + rkey
}

// SplitURI returns the DID, collection and rkey of an at-uri, and false
// when it is not one.
func SplitURI(uri string) (did, collection, rkey string, ok bool) {
	rest, found := strings.CutPrefix(uri, "at://")
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// wire types (bluesky-social/jetstream README).
type wireEvent struct {
	DID      string        `json:"did"`
	TimeUS   int64         `json:"time_us"`
	Kind     string        `json:"kind"`
	Commit   *wireCommit   `json:"commit"`
	Identity *wireIdentity `json:"identity"`
	Account  *wireAccount  `json:"account"`
}

type wireCommit struct {
	Operation  string      `json:"operation"`
	Collection string      `json:"collection"`
	RKey       string      `json:"rkey"`
	Record     *wireRecord `json:"record"`
	CID        string      `json:"cid"`
}

type ref struct {
	URI string `json:"uri"`
}

// wireRecord is the union of the post, like, repost and follow records'
// fields nanoscout reads (decodeWire fills it). subject is a strong ref on
// likes and reposts and a DID string on follows.
type wireRecord struct {
	CreatedAt string
	Text      string
	Langs     []string
	Tags      []string
	Subject   wireSubject
	Reply     *wireReply
	Embed     *wireEmbed
	Facets    []wireFacet
}

type wireSubject struct {
	Present  bool
	IsRef    bool   // an object: Ref
	Ref      ref    //
	IsString bool   // a string: String
	String   string //
	Raw      string // anything else, as sent
}

func (s wireSubject) text() string {
	switch {
	case !s.Present:
		return "(none)"
	case s.IsRef:
		return fmt.Sprintf("{uri: %q}", s.Ref.URI)
	case s.IsString:
		return strconv.Quote(s.String)
	}
	return s.Raw
}

type wireReply struct {
	Root, Parent ref
}

type wireEmbed struct {
	Record *wireEmbedRecord
}

type wireEmbedRecord struct {
	URI    string
	Record *ref // recordWithMedia nests the strong ref once more
}

type wireFacet struct {
	Features []wireFeature
}

type wireFeature struct {
	Type string
	Tag  string
}

type wireIdentity struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
	Time   string `json:"time"`
}

type wireAccount struct {
	Active bool   `json:"active"`
	DID    string `json:"did"`
	Status string `json:"status"`
	Time   string `json:"time"`
}

// MaxEventBytes is the default largest message Parse accepts. Real events
// are well under 10 KiB (a post's text is at most 3,000 bytes).
const MaxEventBytes = 64 << 10

// Parse decodes one Jetstream message. Messages over max bytes (0 =
// MaxEventBytes) fail with ErrOversized, undecodable or incomplete ones with
// ErrMalformed, and kinds, operations or collections it does not know with
// ErrUnknown; the returned event still carries what could be read (the
// cursor, when present), so a caller can advance past it.
func Parse(msg []byte, max int) (Event, error) {
	if max <= 0 {
		max = MaxEventBytes
	}
	if len(msg) > max {
		return Event{}, fmt.Errorf("%w: %d bytes (limit %d)", ErrOversized, len(msg), max)
	}
	var w wireEvent
	if err := decodeWire(msg, &w); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	ev := Event{DID: w.DID, TimeUS: w.TimeUS, Kind: w.Kind}
	if w.TimeUS <= 0 {
		return ev, fmt.Errorf("%w: no time_us", ErrMalformed)
	}
	if !strings.HasPrefix(w.DID, "did:") {
		return ev, fmt.Errorf("%w: did %q", ErrMalformed, w.DID)
	}
	switch w.Kind {
	case KindCommit:
		c, err := parseCommit(w.DID, w.Commit)
		if err != nil {
			return ev, err
		}
		ev.Commit = c
	case KindIdentity:
		if w.Identity == nil {
			return ev, fmt.Errorf("%w: identity event without identity", ErrMalformed)
		}
		ev.Identity = &Identity{Handle: w.Identity.Handle, Time: parseTime(w.Identity.Time)}
	case KindAccount:
		if w.Account == nil {
			return ev, fmt.Errorf("%w: account event without account", ErrMalformed)
		}
		ev.Account = &Account{Active: w.Account.Active, Status: w.Account.Status, Time: parseTime(w.Account.Time)}
	default:
		return ev, fmt.Errorf("%w: kind %q", ErrUnknown, w.Kind)
	}
	return ev, nil
}

func parseCommit(did string, w *wireCommit) (*Commit, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: commit event without commit", ErrMalformed)
	}
	c := &Commit{Operation: w.Operation, Collection: w.Collection, RKey: w.RKey, CID: w.CID}
	if w.Collection == "" || w.RKey == "" || strings.Contains(w.RKey, "/") {
		return nil, fmt.Errorf("%w: commit without collection or rkey", ErrMalformed)
	}
	switch w.Operation {
	case OpDelete:
		return c, nil
	case OpCreate, OpUpdate:
	default:
		return nil, fmt.Errorf("%w: operation %q", ErrUnknown, w.Operation)
	}
	r := w.Record
	if r == nil {
		return nil, fmt.Errorf("%w: %s without record", ErrMalformed, w.Operation)
	}
	c.CreatedAt = parseTime(r.CreatedAt)
	switch w.Collection {
	case CollectionPost:
		c.Text, c.Langs = r.Text, r.Langs
		c.Tags = tags(r)
		if r.Reply != nil {
			c.ReplyRoot, c.ReplyParent = r.Reply.Root.URI, r.Reply.Parent.URI
			if _, _, _, ok := SplitURI(c.ReplyParent); !ok {
				return nil, fmt.Errorf("%w: reply parent %q", ErrMalformed, c.ReplyParent)
			}
			if _, _, _, ok := SplitURI(c.ReplyRoot); !ok {
				c.ReplyRoot = c.ReplyParent
			}
		}
		if e := r.Embed; e != nil && e.Record != nil {
			uri := e.Record.URI
			if e.Record.Record != nil {
				uri = e.Record.Record.URI
			}
			if _, col, _, ok := SplitURI(uri); ok && col == CollectionPost {
				c.QuoteURI = uri
			}
		}
	case CollectionLike, CollectionRepost:
		if !r.Subject.IsRef {
			return nil, fmt.Errorf("%w: %s subject %s is not a strong ref", ErrMalformed, w.Collection, r.Subject.text())
		}
		s := r.Subject.Ref
		sdid, _, _, ok := SplitURI(s.URI)
		if !ok {
			return nil, fmt.Errorf("%w: %s subject %q", ErrMalformed, w.Collection, s.URI)
		}
		c.SubjectURI, c.SubjectDID = s.URI, sdid
	case CollectionFollow:
		if s := r.Subject.String; !r.Subject.IsString || !strings.HasPrefix(s, "did:") {
			return nil, fmt.Errorf("%w: follow subject %s", ErrMalformed, r.Subject.text())
		}
		c.SubjectDID = r.Subject.String
	default:
		return nil, fmt.Errorf("%w: collection %q", ErrUnknown, w.Collection)
	}
	return c, nil
}

func tags(r *wireRecord) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		t = strings.ToLower(strings.TrimPrefix(t, "#"))
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, f := range r.Facets {
		for _, ft := range f.Features {
			if ft.Type == "app.bsky.richtext.facet#tag" {
				add(ft.Tag)
			}
		}
	}
	for _, t := range r.Tags {
		add(t)
	}
	return out
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
