package classify

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Account is one public profile as any platform shows it. Every field a
// platform may not show is a pointer (or, for ObservedAt, a zero time):
// nil means UNKNOWN — the platform did not show it or it was not fetched —
// and is never read as zero or empty. A non-nil pointer to "" or 0 means
// the platform showed it and it was empty or zero.
//
// Per platform, for instance: Bluesky shows counts, avatar, bio (description),
// handle, display name and createdAt, but no private flag and no link field;
// YouTube channels show no following count; Instagram and TikTok commenters
// often come with little more than the handle and the avatar.
type Account struct {
	Followers *int64 // accounts that follow it
	Following *int64 // accounts it follows
	Posts     *int64 // posts, statuses, videos

	HasAvatar   *bool   // has a profile picture (not the platform's default one)
	Bio         *string // bio / description / note, as plain text
	Username    *string // handle; a leading @ and an @instance part are dropped; drop Bluesky's domain suffix (.bsky.social) before
	DisplayName *string // full / display name
	Private     *bool   // private / locked account
	HasLink     *bool   // an external link in the profile (website field, link in bio)
	// DeclaredBot is the platform's "automated account" flag (Mastodon's
	// bot). A declared bot is not a real person in an audience, so it is
	// classed fake with certainty; false or nil changes nothing.
	DeclaredBot *bool

	CreatedAt  *time.Time // account creation, where shown
	LastPostAt *time.Time // time of the latest post, where shown (Mastodon last_status_at)
	// ObservedAt is when the profile was read; account age and the time since
	// the last post are unknown when it is zero.
	ObservedAt time.Time
}

// Field is one input of the account model; a Field set (bit mask) says which
// inputs are known.
type Field uint16

// The model's inputs. FieldsTrained are the ones the training data shows;
// account age and the last post only enter the inactive rule.
const (
	FieldFollowers Field = 1 << iota
	FieldFollowing
	FieldPosts
	FieldAvatar
	FieldBio
	FieldUsername
	FieldDisplayName
	FieldPrivate
	FieldLink
	FieldAge
	FieldLastPost

	FieldsTrained = FieldFollowers | FieldFollowing | FieldPosts | FieldAvatar | FieldBio |
		FieldUsername | FieldDisplayName | FieldPrivate | FieldLink
	FieldsAll = FieldsTrained | FieldAge | FieldLastPost
)

var fieldNames = []string{"followers", "following", "posts", "avatar", "bio", "username", "display_name", "private", "link", "age", "last_post"}

// String lists the fields, comma-separated, or "none".
func (f Field) String() string {
	var s []string
	for i, n := range fieldNames {
		if f&(1<<i) != 0 {
			s = append(s, n)
		}
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// ParseFields reads field names as Field.String writes them
// ("bio,display_name" or separate names); an unknown name is an error.
func ParseFields(names ...string) (Field, error) {
	var out Field
	for _, list := range names {
		for _, s := range strings.Split(list, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			i := slices.Index(fieldNames, s)
			if i < 0 {
				return 0, fmt.Errorf("unknown field %q (want one of %s)", s, strings.Join(fieldNames, ", "))
			}
			out |= 1 << i
		}
	}
	return out, nil
}

// Has reports whether every field of g is in f.
func (f Field) Has(g Field) bool { return f&g == g }

// Profile is the model's view of an account: the derived inputs and the set
// of those that are known. Values of unknown fields are ignored (they are
// zero, but nothing reads them).
type Profile struct {
	Known Field

	Followers, Following, Posts int64
	HasAvatar                   bool
	BioLength                   int     // characters
	HandleDigitsRatio           float64 // digits in the handle ÷ its length, two decimals
	NameWords                   int     // words in the display name
	NameDigitsRatio             float64 // digits in the display name ÷ its length, two decimals
	NameIsHandle                bool    // display name equals the handle (needs both known)
	Private                     bool
	HasLink                     bool
	DeclaredBot                 bool    // the platform flags it as automated (not a Field: false when not shown)
	AgeDays                     float64 // account age in days at observation (FieldAge)
	DaysSinceLastPost           float64 // FieldLastPost
}

// Profile derives the model inputs from a. Lengths count characters
// (runes), words are separated by white space, digit ratios are rounded to
// two decimals as in the training data, counts below zero are taken as 0.
func (a Account) Profile() Profile {
	var p Profile
	count := func(v *int64, f Field, dst *int64) {
		if v != nil {
			p.Known |= f
			*dst = max(*v, 0)
		}
	}
	flag := func(v *bool, f Field, dst *bool) {
		if v != nil {
			p.Known |= f
			*dst = *v
		}
	}
	count(a.Followers, FieldFollowers, &p.Followers)
	count(a.Following, FieldFollowing, &p.Following)
	count(a.Posts, FieldPosts, &p.Posts)
	flag(a.HasAvatar, FieldAvatar, &p.HasAvatar)
	flag(a.Private, FieldPrivate, &p.Private)
	flag(a.HasLink, FieldLink, &p.HasLink)
	if a.Bio != nil {
		p.Known |= FieldBio
		p.BioLength = utf8.RuneCountInString(strings.TrimSpace(*a.Bio))
	}
	var handle, name string
	if a.Username != nil {
		p.Known |= FieldUsername
		handle = strings.TrimPrefix(strings.TrimSpace(*a.Username), "@")
		if i := strings.IndexByte(handle, '@'); i >= 0 {
			handle = handle[:i] // user@instance (Mastodon)
		}
		p.HandleDigitsRatio = digitsRatio(handle)
	}
	if a.DisplayName != nil {
		p.Known |= FieldDisplayName
		name = strings.TrimSpace(*a.DisplayName)
		p.NameWords = len(strings.Fields(name))
		p.NameDigitsRatio = digitsRatio(name)
	}
	p.DeclaredBot = a.DeclaredBot != nil && *a.DeclaredBot
	if a.Username != nil && a.DisplayName != nil {
		p.NameIsHandle = name != "" && name == handle
	}
	if !a.ObservedAt.IsZero() {
		if a.CreatedAt != nil && !a.CreatedAt.After(a.ObservedAt) {
			p.Known |= FieldAge
			p.AgeDays = a.ObservedAt.Sub(*a.CreatedAt).Hours() / 24
		}
		if a.LastPostAt != nil && !a.LastPostAt.After(a.ObservedAt) {
			p.Known |= FieldLastPost
			p.DaysSinceLastPost = a.ObservedAt.Sub(*a.LastPostAt).Hours() / 24
		}
	}
	return p
}

// digitsRatio is digits ÷ characters, rounded to two decimals as in the
// dataset; 0 for the empty string.
func digitsRatio(s string) float64 {
	n, d := 0, 0
	for _, r := range s {
		n++
		if unicode.IsDigit(r) {
			d++
		}
	}
	if n == 0 {
		return 0
	}
	return math.Round(100*float64(d)/float64(n)) / 100
}

// AccountClass is the model's decision for one account.
type AccountClass string

// The three classes.
const (
	ClassReal     AccountClass = "real"     // a real, active account
	ClassFake     AccountClass = "fake"     // fake, bought, bot or spam account
	ClassInactive AccountClass = "inactive" // a real account that does not post (see InactiveRule)
)

// Reason is one input that pushed the verdict, for a sentence a scout can
// read ("no posts", "follows 30× more accounts than follow it").
type Reason struct {
	Code string `json:"code"` // stable, e.g. "no_posts", "mass_follow", "no_avatar"
	Text string `json:"text"` // short English phrase
	// Logit is the push toward fake in log-odds, relative to the average
	// training account (0 for the inactive rule's reasons).
	Logit float64 `json:"logit"`
}

// Reason codes.
const (
	ReasonNoPosts       = "no_posts"       // posts known and 0
	ReasonFewPosts      = "few_posts"      // few posts
	ReasonMassFollow    = "mass_follow"    // follows many more accounts than follow it
	ReasonFewFollowers  = "few_followers"  // few followers
	ReasonNoAvatar      = "no_avatar"      // no profile picture
	ReasonNoBio         = "no_bio"         // empty or very short bio
	ReasonHandleDigits  = "handle_digits"  // digits in the handle
	ReasonNameSignal    = "display_name"   // no display name, or it equals the handle, or holds digits
	ReasonNoLink        = "no_link"        // no external link
	ReasonPrivate       = "private"        // private account (or public, when that pushed)
	ReasonDeclaredBot   = "declared_bot"   // the platform flags the account as automated
	ReasonStalePosting  = "stale"          // inactive: no post for a long time
	ReasonRarelyPosting = "rarely_posting" // inactive: under one post a year of account age
)

// AccountVerdict is the model's answer for one account. PReal + PFake +
// PInactive = 1.
type AccountVerdict struct {
	PReal, PFake, PInactive float64
	Class                   AccountClass
	// Reasons are at most three inputs that pushed toward the class, the
	// strongest first; for ClassReal they are empty.
	Reasons []Reason
	// Known are the inputs the verdict used (the account's known fields).
	Known Field
}
