package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/nanoscout/nanoscout/model"
)

// Scout-side data: what talent scouts keep beside the crawled creators.
// Both backends implement every interface in this file; the conformance
// suite for them is storetest.RunScout.

// Outreach statuses of a creator on a shortlist, in the order a deal moves.
const (
	OutreachNew       = "new"
	OutreachContacted = "contacted"
	OutreachReplied   = "replied"
	OutreachSigned    = "signed"
	OutreachDeclined  = "declined"
)

// TopQuery.Hide values: what Discover can hide.
const (
	HideShortlisted = "shortlisted" // creators on any shortlist
	HideContacted   = "contacted"   // creators whose outreach moved past new on any shortlist
)

// OutreachStatuses lists the valid outreach statuses in order.
var OutreachStatuses = []string{OutreachNew, OutreachContacted, OutreachReplied, OutreachSigned, OutreachDeclined}

// ValidOutreach reports whether s is one of OutreachStatuses.
func ValidOutreach(s string) bool { return slices.Contains(OutreachStatuses, s) }

// ErrInvalid is wrapped by errors about a value the store refuses (an
// unknown outreach status, an empty name).
var ErrInvalid = errors.New("invalid")

// Shortlist is a named list of creators a scout keeps.
type Shortlist struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Count     int       `json:"count"` // creators on it (filled on read)
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ShortlistItem is one creator on a shortlist with the scout's notes and the
// outreach status.
type ShortlistItem struct {
	ShortlistID string    `json:"shortlistId"`
	CreatorKey  string    `json:"creatorKey"`
	Notes       string    `json:"notes,omitempty"`
	Status      string    `json:"status"` // one of OutreachStatuses
	AddedAt     time.Time `json:"addedAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// ItemUpdate changes a shortlist item; nil fields are left as they are.
type ItemUpdate struct {
	Notes  *string `json:"notes,omitempty"`
	Status *string `json:"status,omitempty"`
}

// Shortlists keeps the scouts' shortlists.
type Shortlists interface {
	// CreateShortlist stores a new, empty list with a generated id.
	CreateShortlist(ctx context.Context, name string) (Shortlist, error)
	// RenameShortlist renames a list; ErrNotFound when it does not exist.
	RenameShortlist(ctx context.Context, id, name string) error
	// DeleteShortlist deletes a list and its items; ErrNotFound when absent.
	DeleteShortlist(ctx context.Context, id string) error
	// Shortlist returns one list with its Count, or ErrNotFound.
	Shortlist(ctx context.Context, id string) (Shortlist, error)
	// ListShortlists returns every list with its Count, newest first.
	ListShortlists(ctx context.Context) ([]Shortlist, error)
	// AddToShortlist adds creators with status new; creators already on the
	// list keep their notes and status. ErrNotFound when the list is absent.
	AddToShortlist(ctx context.Context, id string, creatorKeys ...string) error
	// UpdateShortlistItem sets notes and/or status; ErrNotFound when the
	// creator is not on the list, ErrInvalid for an unknown status.
	UpdateShortlistItem(ctx context.Context, id, creatorKey string, u ItemUpdate) error
	// RemoveFromShortlist removes a creator (no error when it was not there).
	RemoveFromShortlist(ctx context.Context, id, creatorKey string) error
	// ShortlistItems returns a page of a list's items ordered by creator key,
	// those after afterKey ("" = from the start), at most limit (≤ 0 = 500).
	ShortlistItems(ctx context.Context, id, afterKey string, limit int) ([]ShortlistItem, error)
	// ShortlistsOf returns the items that hold creatorKey, one per list.
	ShortlistsOf(ctx context.Context, creatorKey string) ([]ShortlistItem, error)
}

// OutreachChange is one change of a creator's outreach status on a list,
// recorded when it happened.
type OutreachChange struct {
	ShortlistID string    `json:"shortlistId"`
	CreatorKey  string    `json:"creatorKey"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	At          time.Time `json:"at"`
}

// OutreachLog is the history of outreach statuses: UpdateShortlistItem
// records a change whenever it changes an item's status (insert-only, so
// nothing is lost to a later change); DeleteShortlist drops the list's
// history with it.
type OutreachLog interface {
	// OutreachHistory returns a list's status changes, newest first, at
	// most limit (≤ 0 = 500); creatorKey "" returns every item's.
	OutreachHistory(ctx context.Context, id, creatorKey string, limit int) ([]OutreachChange, error)
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one webhook push as the delivery log keeps it. ID is the
// idempotency key sent with every attempt.
type Delivery struct {
	ID         string    `json:"id"`
	Webhook    string    `json:"webhook"` // configured webhook name
	Event      string    `json:"event"`   // export, alert
	Subject    string    `json:"subject"` // what was sent: a shortlist, a filter, an alert and creator
	Items      int       `json:"items"`   // creators in the body
	Bytes      int       `json:"bytes"`
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	StatusCode int       `json:"statusCode,omitempty"` // of the last attempt
	Error      string    `json:"error,omitempty"`      // of the last failed attempt
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Deliveries is the webhook delivery log.
type Deliveries interface {
	// SaveDelivery upserts a delivery by ID.
	SaveDelivery(ctx context.Context, d Delivery) error
	// Delivery returns one delivery, or ErrNotFound.
	Delivery(ctx context.Context, id string) (Delivery, error)
	// Deliveries lists deliveries, newest first, at most limit (≤ 0 = 100).
	Deliveries(ctx context.Context, limit int) ([]Delivery, error)
}

// AlertState remembers which creators each alert has fired for, so an
// alert fires once per creator.
type AlertState interface {
	// Alerted returns the subset of creatorKeys alert has fired for.
	Alerted(ctx context.Context, alert string, creatorKeys []string) (map[string]bool, error)
	// MarkAlerted records that alert fired for creatorKey (idempotent).
	MarkAlerted(ctx context.Context, alert, creatorKey, deliveryID string, at time.Time) error
}

// GrowthWindowDays is the window of the growth figure: follower growth from
// the oldest snapshot at most this many days before the newest one.
const GrowthWindowDays = 30

// GrowthReader reads the stored follower growth of creators.
type GrowthReader interface {
	// Growth returns the follower growth in % over GrowthWindowDays (see
	// Growth) of each of keys that has one; creators without it are absent.
	Growth(ctx context.Context, keys []string) (map[string]float64, error)
	// TopWithGrowth is Store.Top with each creator's growth (as Growth
	// gives it) read in the same query: what a list page shows.
	TopWithGrowth(ctx context.Context, q TopQuery) ([]ListRow, error)
}

// ListRow is a creator of a list page: its record and its follower growth
// in % (nil when it has none: unknown, not zero).
type ListRow struct {
	Record CreatorRecord
	Growth *float64
}

// Scout is everything scout-side a backend keeps.
type Scout interface {
	Shortlists
	OutreachLog
	Deliveries
	AlertState
	GrowthReader
}

// Growth computes follower growth in % from a creator's snapshots (any
// order): from the oldest snapshot at most GrowthWindowDays before the newest
// to the newest. ok is false with fewer than two days of history or a zero
// base. Both backends compute the stored figure this way; SQLite does it in
// SQL, and the conformance suite checks them against this function.
func Growth(snaps []model.Snapshot) (growth float64, ok bool) {
	if len(snaps) < 2 {
		return 0, false
	}
	latest := snaps[0]
	for _, s := range snaps[1:] {
		if s.Day > latest.Day {
			latest = s
		}
	}
	end, err := time.Parse(time.DateOnly, latest.Day)
	if err != nil {
		return 0, false
	}
	from := end.AddDate(0, 0, -GrowthWindowDays).Format(time.DateOnly)
	var base *model.Snapshot
	for i, s := range snaps {
		if s.Day >= from && s.Day < latest.Day && (base == nil || s.Day < base.Day) {
			base = &snaps[i]
		}
	}
	if base == nil || base.Followers <= 0 {
		return 0, false
	}
	return 100 * float64(latest.Followers-base.Followers) / float64(base.Followers), true
}

// Contact patterns. They are written in the syntax Go's regexp and MongoDB's
// PCRE share, so the MongoDB backend filters with the same patterns: an
// email address not preceded by '@' (a fediverse handle such as
// @me@example.social is not an email address), and a web address.
const (
	EmailPattern   = `(?:^|[^@A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})`
	WebsitePattern = `(?i)(?:https?://|\bwww\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*[^\s<>"]*`
)

var (
	emailRe   = regexp.MustCompile(EmailPattern)
	websiteRe = regexp.MustCompile(WebsitePattern)
)

// PublicContact finds a public email address and a website in a creator's
// bio and profile links (the first of each; links before the bio for the
// website).
//
// A list page finds these for every row it sends, so the patterns run only
// on bios that have what each needs: an '@' for an email address (searched
// from where a match can start, emailFrom), "://" or "www." (any case) for
// a web address.
func PublicContact(c model.Creator) (email, website string) {
	if from := emailFrom(c.Bio); from >= 0 {
		if m := emailRe.FindStringSubmatch(c.Bio[from:]); m != nil {
			email = m[1]
		}
	}
	for _, l := range c.Links {
		if l = strings.TrimSpace(l); l != "" {
			website = l
			break
		}
	}
	if website == "" && mayHaveWebAddress(c.Bio) {
		website = strings.TrimRight(websiteRe.FindString(c.Bio), ".,;:!?)]}'")
	}
	return email, website
}

// emailFrom is where in s EmailPattern's leftmost match can start: -1
// without an '@'; else the character before the run of local-part
// characters that ends at the first '@' (a match's local part is such a run
// before an '@', and no run crosses the first '@'). Searching from there
// finds the same match, without trying every earlier position.
func emailFrom(s string) int {
	at := strings.IndexByte(s, '@')
	if at < 0 {
		return -1
	}
	r := at
	for r > 0 && isLocalPart(s[r-1]) {
		r--
	}
	return max(r-1, 0)
}

// isLocalPart reports whether b is in EmailPattern's local-part class
// [A-Za-z0-9._%+-].
func isLocalPart(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("._%+-", b) >= 0
}

// mayHaveWebAddress reports whether s has what every match of
// WebsitePattern has: "://" (after http or https, in any case) or "www."
// in any case ('w' has no case folds beyond 'W').
func mayHaveWebAddress(s string) bool {
	if strings.Contains(s, "://") {
		return true
	}
	for i := 3; i < len(s); i++ {
		if s[i] == '.' && (s[i-1]|0x20) == 'w' && (s[i-2]|0x20) == 'w' && (s[i-3]|0x20) == 'w' {
			return true
		}
	}
	return false
}

// HasPublicContact reports whether the creator shows a public email address,
// a web address in the bio, or a profile link: the TopQuery.HasContact filter.
func HasPublicContact(c model.Creator) bool {
	email, website := PublicContact(c)
	return email != "" || website != ""
}

// MaxKeywordTokens bounds how many words a keyword filter matches on.
const MaxKeywordTokens = 8

// KeywordTokens splits a keyword filter into the words both backends match:
// runs of letters and digits, lower-cased, at most MaxKeywordTokens. The
// words must appear in this order, separated only by non-word characters;
// the last one may be a prefix. A keyword with no words matches nothing.
func KeywordTokens(keyword string) []string {
	fields := strings.FieldsFunc(strings.ToLower(keyword), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	if len(fields) > MaxKeywordTokens {
		fields = fields[:MaxKeywordTokens]
	}
	return fields
}

// NewID returns a random id (16 hex digits) for a shortlist or an outreach
// event; both backends use it.
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ShortlistName is a shortlist's name as stored: trimmed; an empty one is
// ErrInvalid.
func ShortlistName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("shortlist name is empty: %w", ErrInvalid)
	}
	return name, nil
}

// ScoutNow is the scout data's clock, in the milliseconds MongoDB keeps, so
// that both backends return the same times.
func ScoutNow() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
