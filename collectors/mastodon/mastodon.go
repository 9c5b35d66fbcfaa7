// Package mastodon collects public creator data from one Mastodon instance
// through its REST API (/api/v1/...): account profiles, an account's own
// statuses, the replies under a status, hashtag timelines and the public
// timelines (streamed from /api/v1/streaming/public where the instance
// allows it, else polled) for discovery, and the accounts a creator follows
// for snowballing.
//
// It registers itself as "mastodon". Config:
//
//   - base_url: the instance, default https://mastodon.social (a trailing
//     slash is fine). Every other account is seen through this instance, so
//     remote accounts show only what it has federated.
//   - credentials.access_token: optional; names the environment variable
//     holding a user or app token, sent as "Authorization: Bearer …". Public
//     endpoints work without it, unless the instance runs in secure mode
//     (ErrAuthRequired); with it, rate limits are per token and the
//     statuses/:id/context caps rise.
//   - options (any other key is an error), for discovery from the public
//     timelines (the Discover queries "public" and "public:local"):
//     streaming: auto (default: listen to GET /api/v1/streaming/public
//     where the instance allows it, else poll /api/v1/timelines/public),
//     on (stream only) or off (poll only); stream_for: how long one
//     discovery listens (default 60s); stream_statuses: how many statuses
//     it reads at most (default 1000); streaming_url: the streaming server
//     (default: configuration.urls.streaming of GET /api/v2/instance, else
//     base_url). The access token, when set, is sent to the stream as a
//     bearer header, never in the URL.
//
// Native ids are Mastodon account and status ids (decimal strings, local to
// the instance); Creator.Handle is the account's acct ("user" for local
// accounts, "user@domain" for remote ones).
//
// Consent: an account whose "noindex" flag is set (the "opt out of search
// engine indexing" profile setting) is not collected: Profile returns an error
// wrapping ErrOptedOut (and collectors.ErrPrivate, so generic callers skip it
// like an account that shows nothing public), and Discover and Related leave
// such accounts out. The "indexable" flag is not used: it governs full-text
// search of posts, is off by default and is not a refusal of discovery.
package mastodon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/opts"
	"github.com/nanoscout/nanoscout/model"
)

// Platform is the registry name of this collector.
const Platform = "mastodon"

// DefaultBaseURL is the instance used when the config names none.
const DefaultBaseURL = "https://mastodon.social"

// pageLimit is the largest page Mastodon serves for account statuses and tag
// timelines; followingLimit is the largest for following lists.
const (
	pageLimit      = 40
	followingLimit = 80
)

// ErrOptedOut is returned (wrapped) by Profile for an account that opted out
// of search indexing (noindex). nanoscout only collects public data from
// accounts that consent to being discovered.
var ErrOptedOut = errors.New("account opted out of search indexing")

func init() { collectors.Register(Platform, New) }

// Collector reads one Mastodon instance's public API.
type Collector struct {
	base  string // scheme://host[/path], no trailing slash
	token string
	http  *httpx.Client
	now   func() time.Time
	// stream is the public-timeline streaming setup (options).
	stream *streamConfig
	log    *slog.Logger
}

var (
	_ collectors.Collector     = (*Collector)(nil)
	_ collectors.Discoverer    = (*Collector)(nil)
	_ collectors.Snowballer    = (*Collector)(nil)
	_ collectors.StatsReporter = (*Collector)(nil)
)

// New builds a Mastodon collector from env. It does no I/O.
func New(env collectors.Env) (collectors.Collector, error) {
	base := strings.TrimRight(strings.TrimSpace(env.Config.BaseURL), "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if _, ok := opts.HTTPURL(base); !ok {
		return nil, fmt.Errorf("mastodon base_url %q: want an http(s) URL such as %s", env.Config.BaseURL, DefaultBaseURL)
	}
	if err := opts.Known(Platform, env.Config.Options, []string{"streaming", "stream_for", "stream_statuses", "streaming_url"}); err != nil {
		return nil, err
	}
	sc, err := parseStreamOptions(env.Config.Options)
	if err != nil {
		return nil, err
	}
	if err := opts.OnlyCredential(Platform, env.Config.Credentials, "access_token"); err != nil {
		return nil, err
	}
	return &Collector{
		base:   base,
		token:  env.Secret("access_token"),
		http:   httpx.New(env.Config, env.UserAgent, env.Logger),
		now:    time.Now,
		stream: sc,
		log:    opts.Logger(env.Logger),
	}, nil
}

// Platform returns "mastodon".
func (c *Collector) Platform() string { return Platform }

// Stats returns the HTTP counters.
func (c *Collector) Stats() collectors.RequestStats { return c.http.Stats() }

// Profile fetches an account. A string of digits is an account id
// (GET /api/v1/accounts/:id); anything else is a handle, with or without a
// leading '@' and with or without a domain (GET /api/v1/accounts/lookup?acct=).
// Write "@12345" for an account whose username is all digits.
func (c *Collector) Profile(ctx context.Context, handleOrID string) (model.Creator, error) {
	s := strings.TrimSpace(handleOrID)
	var what, path string
	var q url.Values
	switch {
	case s == "" || s == "@":
		return model.Creator{}, fmt.Errorf("mastodon profile: empty handle or id")
	case isDigits(s):
		what, path = fmt.Sprintf("fetching account %s", s), "/api/v1/accounts/"+s
	default:
		acct := strings.TrimPrefix(s, "@")
		what, path, q = fmt.Sprintf("looking up account %q", acct), "/api/v1/accounts/lookup", url.Values{"acct": {acct}}
	}
	body, _, err := c.fetch(ctx, what, path, q)
	if err != nil {
		return model.Creator{}, err
	}
	a, err := parseAccount(what, path, body)
	if err != nil {
		return model.Creator{}, err
	}
	if a.ID == "" {
		return model.Creator{}, fmt.Errorf("account %q: response has no id: %w", s, collectors.ErrMalformed)
	}
	if a.Noindex {
		return model.Creator{}, fmt.Errorf("account %s (%s): %w: %w", a.Acct, a.ID, ErrOptedOut, collectors.ErrPrivate)
	}
	return c.creator(a), nil
}

func (c *Collector) creator(a account) model.Creator {
	cr := model.Creator{
		Platform:    Platform,
		ID:          a.ID,
		Handle:      a.Acct,
		DisplayName: a.DisplayName,
		Bio:         HTMLToText(a.Note),
		AvatarURL:   a.Avatar,
		URL:         a.URL,
		Followers:   a.FollowersCount,
		Following:   a.FollowingCount,
		PostsCount:  a.StatusesCount,
		Private:     a.Locked,
		Bot:         a.Bot,
		CreatedAt:   a.CreatedAt,
		FetchedAt:   c.now().UTC(),
	}
	if cr.Handle == "" {
		cr.Handle = a.Username
	}
	for _, f := range a.Fields {
		for _, h := range hrefs(f.Value) {
			if !slices.Contains(cr.Links, h) {
				cr.Links = append(cr.Links, h)
			}
		}
	}
	return cr
}

// Posts returns one page (up to 40) of the creator's statuses, newest first,
// replies included and boosts left out:
// GET /api/v1/accounts/:id/statuses?exclude_reblogs=true&exclude_replies=false&limit=40[&max_id=cursor].
// The next cursor is the max_id of the Link header's rel="next".
func (c *Collector) Posts(ctx context.Context, cr model.Creator, cursor string) (collectors.PostPage, error) {
	if cr.ID == "" {
		return collectors.PostPage{}, fmt.Errorf("mastodon posts of %q: creator has no account id", cr.Handle)
	}
	q := url.Values{
		"exclude_reblogs": {"true"},
		"exclude_replies": {"false"},
		"limit":           {strconv.Itoa(pageLimit)},
	}
	if cursor != "" {
		q.Set("max_id", cursor)
	}
	what, path := fmt.Sprintf("fetching statuses of account %s", cr.ID), "/api/v1/accounts/"+url.PathEscape(cr.ID)+"/statuses"
	body, h, err := c.fetch(ctx, what, path, q)
	if err != nil {
		return collectors.PostPage{}, err
	}
	sts, err := parseStatuses(what, path, body)
	if err != nil {
		return collectors.PostPage{}, err
	}
	page := collectors.PostPage{Next: next(h, cursor)}
	now := c.now().UTC()
	for _, s := range sts {
		if s.isReblog() {
			continue
		}
		page.Posts = append(page.Posts, c.post(s, now))
	}
	return page, nil
}

func (c *Collector) post(s status, now time.Time) model.Post {
	p := model.Post{
		Platform:  Platform,
		ID:        s.ID,
		CreatorID: s.Account.ID,
		CreatedAt: s.CreatedAt,
		Kind:      "post",
		Text:      HTMLToText(s.Content),
		URL:       s.link(),
		Likes:     model.N(s.FavouritesCount),
		Comments:  model.N(s.RepliesCount),
		Shares:    model.N(s.ReblogsCount),
		IsReply:   s.InReplyToID != nil && *s.InReplyToID != "",
		FetchedAt: now,
	}
	if s.QuotesCount != nil {
		p.Quotes = model.N(*s.QuotesCount)
	}
	if s.Language != nil {
		p.Language = *s.Language
	}
	for _, t := range s.Tags {
		if tag := strings.ToLower(t.Name); tag != "" && !slices.Contains(p.Hashtags, tag) {
			p.Hashtags = append(p.Hashtags, tag)
		}
	}
	return p
}

// Thread returns the replies under p from GET /api/v1/statuses/:id/context.
// Mastodon returns descendants as a flat list; the depth of each reply is
// rebuilt from its in_reply_to_id chain (a direct reply to p has depth 1). A
// reply whose parent is missing from the list (hidden or deleted) is counted
// as answering a depth-1 reply. Unauthenticated, Mastodon returns at most 60
// descendants to a depth of 20.
func (c *Collector) Thread(ctx context.Context, cr model.Creator, p model.Post) ([]model.Comment, error) {
	if p.ID == "" {
		return nil, fmt.Errorf("mastodon thread: post has no id")
	}
	what, path := fmt.Sprintf("fetching context of status %s", p.ID), "/api/v1/statuses/"+url.PathEscape(p.ID)+"/context"
	body, _, err := c.fetch(ctx, what, path, nil)
	if err != nil {
		return nil, err
	}
	sc, err := parseContext(what, path, body)
	if err != nil {
		return nil, err
	}
	if sc.Descendants == nil { // "descendants": null
		return nil, fmt.Errorf("%s (GET %s): descendants is null: %w", what, path, collectors.ErrMalformed)
	}
	return contextComments(sc, cr, p), nil
}

// contextComments turns a decoded context into the replies under p, with
// depths rebuilt from the in_reply_to_id chains.
func contextComments(sc statusContext, cr model.Creator, p model.Post) []model.Comment {
	parent := make(map[string]string, len(sc.Descendants))
	for _, s := range sc.Descendants {
		if s.InReplyToID != nil {
			parent[s.ID] = *s.InReplyToID
		}
	}
	depth := collectors.ReplyDepths(p.ID, 0, parent)
	out := make([]model.Comment, 0, len(sc.Descendants))
	for _, s := range sc.Descendants {
		if s.isReblog() || s.ID == "" || s.ID == p.ID {
			continue
		}
		cm := model.Comment{
			Platform:     Platform,
			ID:           s.ID,
			PostID:       p.ID,
			AuthorID:     s.Account.ID,
			AuthorHandle: s.Account.Acct,
			Text:         HTMLToText(s.Content),
			CreatedAt:    s.CreatedAt,
			Depth:        depth(s.ID),
			ByCreator:    cr.ID != "" && s.Account.ID == cr.ID,
			Likes:        model.N(s.FavouritesCount),
		}
		if s.InReplyToID != nil {
			cm.ParentID = *s.InReplyToID
		}
		out = append(out, cm)
	}
	return out
}

// Discover finds candidate creators on a hashtag timeline, or, for the
// queries "public" and "public:local", on the instance's public timeline
// (see discoverPublic):
// GET /api/v1/timelines/tag/:hashtag?limit=40[&max_id=cursor]. The query is
// one hashtag, with or without '#', matched case-insensitively; a query of
// several words is an error rather than a guess (Mastodon has no public
// keyword search). Candidates are distinct account ids, in timeline order,
// since ids are what Profile needs without a second lookup and they stay
// valid when a handle changes; accounts with noindex set are left out. The
// next cursor is the max_id of the Link header's rel="next"; an empty page
// without a Link header is the end.
func (c *Collector) Discover(ctx context.Context, query string, cursor string) (collectors.DiscoverPage, error) {
	if isPublicQuery(query) {
		return c.discoverPublic(ctx, query, cursor)
	}
	tag, err := hashtag(query)
	if err != nil {
		return collectors.DiscoverPage{}, err
	}
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
	if cursor != "" {
		q.Set("max_id", cursor)
	}
	var sts []status
	h, err := c.get(ctx, fmt.Sprintf("fetching hashtag timeline #%s", tag),
		"/api/v1/timelines/tag/"+url.PathEscape(tag), q, &sts)
	if err != nil {
		return collectors.DiscoverPage{}, err
	}
	page := collectors.DiscoverPage{Next: next(h, cursor)}
	for _, s := range sts {
		if s.isReblog() || s.Account.ID == "" || s.Account.Noindex {
			continue
		}
		if !slices.Contains(page.Candidates, s.Account.ID) {
			page.Candidates = append(page.Candidates, s.Account.ID)
		}
	}
	return page, nil
}

// Related returns the ids of up to limit accounts the creator follows
// (default 40), following the Link header across pages of 80:
// GET /api/v1/accounts/:id/following?limit=n[&max_id=…]. Accounts with
// noindex set are left out. Accounts that hide their follows return none.
func (c *Collector) Related(ctx context.Context, cr model.Creator, limit int) ([]string, error) {
	if cr.ID == "" {
		return nil, fmt.Errorf("mastodon related of %q: creator has no account id", cr.Handle)
	}
	if limit <= 0 {
		limit = pageLimit
	}
	var ids []string
	cursor := ""
	for len(ids) < limit {
		q := url.Values{"limit": {strconv.Itoa(min(limit-len(ids), followingLimit))}}
		if cursor != "" {
			q.Set("max_id", cursor)
		}
		var accts []account
		h, err := c.get(ctx, fmt.Sprintf("fetching accounts followed by %s", cr.ID),
			"/api/v1/accounts/"+url.PathEscape(cr.ID)+"/following", q, &accts)
		if err != nil {
			return ids, err
		}
		for _, a := range accts {
			if a.ID != "" && !a.Noindex && a.ID != cr.ID && !slices.Contains(ids, a.ID) && len(ids) < limit {
				ids = append(ids, a.ID)
			}
		}
		cursor = next(h, cursor)
		if cursor == "" || len(accts) == 0 {
			break
		}
	}
	return ids, nil
}

// hashtag turns a Discover query into a hashtag name: trimmed, without a
// leading '#', lower-case. It rejects several words and characters Mastodon
// does not allow in hashtags.
func hashtag(query string) (string, error) {
	q := strings.TrimSpace(query)
	if strings.ContainsFunc(q, unicode.IsSpace) {
		return "", fmt.Errorf("mastodon discover %q: a query must be one hashtag (Mastodon has no public keyword search); use e.g. %q", query, "#"+strings.Fields(q)[0])
	}
	tag := strings.ToLower(strings.TrimLeft(q, "#"))
	if tag == "" {
		return "", fmt.Errorf("mastodon discover: empty hashtag")
	}
	allDigits := true
	for _, r := range tag {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_' || r == '·' || r == '\u200c'
		if !ok {
			return "", fmt.Errorf("mastodon discover %q: %q is not allowed in a hashtag", query, r)
		}
		if !unicode.IsDigit(r) {
			allDigits = false
		}
	}
	if allDigits {
		return "", fmt.Errorf("mastodon discover %q: a hashtag cannot be only digits", query)
	}
	return tag, nil
}

// next returns the next cursor from a Link header, or "" at the end. A next
// cursor equal to the current one is treated as the end, so a server that
// repeats itself cannot loop the caller forever.
func next(h http.Header, cursor string) string {
	n := nextMaxID(h)
	if n == cursor {
		return ""
	}
	return n
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
