package simulator

import (
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Mastodon: one simulated instance under /mastodon/api/v1/..., in the wire
// format of the recorded responses in shared/fixtures/mastodon.

func init() {
	registerPlatform(&platform{
		name: "mastodon",
		bench: map[string][2]float64{
			model.TierBelow: {2.5, 5}, model.TierNano: {2.0, 3.5}, model.TierMicro: {1.2, 2.2},
			model.TierMid: {0.7, 1.3}, model.TierMacro: {0.4, 0.9}, model.TierMega: {0.2, 0.6},
		},
		replyShare: 0.15, repostShare: 0.20, quoteShare: 0.01,
		defaultLimit: Limit{Requests: 1500, Window: time.Minute},
		realLimit:    "300 per 5 minutes per IP or token; paging 300 per 15 minutes",
		accountID:    func(_ *Population, a *account) string { return strconv.FormatUint(mastoAccountID(a), 10) },
		handle:       func(_ *Population, a *account) string { return a.user },
		resolve:      mastoResolve,
		rateHeaders: func(h http.Header, _ *http.Request, l Limit, remaining int, reset time.Time) {
			h.Set("X-RateLimit-Limit", strconv.Itoa(l.Requests))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
			h.Set("X-RateLimit-Reset", reset.UTC().Format("2006-01-02T15:04:05.000000Z"))
		},
		tooMany: func(w http.ResponseWriter, _ *http.Request) int {
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too many requests"})
			return http.StatusTooManyRequests
		},
		serverError: func(_ *http.Request, status int) (string, []byte) {
			switch status {
			case http.StatusBadGateway:
				return "text/html", []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
			case http.StatusServiceUnavailable:
				return "application/json; charset=utf-8", []byte(`{"error":"Service Unavailable"}`)
			}
			return "application/json; charset=utf-8", []byte(`{"error":"We're sorry, but something went wrong on our end."}`)
		},
		notFound: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
		},
		drift: [][2]string{
			{"followers_count", "followersCount"}, {"favourites_count", "favorites_count"}, {"replies_count", "reply_count"},
			{"created_at", "createdAt"}, {"in_reply_to_id", "inReplyToId"}, {"statuses_count", "posts_count"},
		},
		routes: func(s *site) []route {
			m := &masto{s}
			return []route{
				{"GET /api/v1/accounts/lookup", "accounts/lookup", m.lookupAcct},
				{"GET /api/v1/accounts/{id}", "accounts/:id", m.getAccount},
				{"GET /api/v1/accounts/{id}/statuses", "accounts/:id/statuses", m.statuses},
				{"GET /api/v1/accounts/{id}/following", "accounts/:id/following", m.following},
				{"GET /api/v1/accounts/{id}/followers", "accounts/:id/followers", m.followers},
				{"GET /api/v1/statuses/{id}", "statuses/:id", m.getStatus},
				{"GET /api/v1/statuses/{id}/context", "statuses/:id/context", m.context},
				{"GET /api/v1/timelines/tag/{hashtag}", "timelines/tag/:hashtag", m.tagTimeline},
				{"GET /api/v1/timelines/public", "timelines/public", m.publicTimeline},
				{"GET /api/v2/instance", "instance", m.instanceV2},
			}
		},
	})
}

// Account ids are snowflakes of the account's creation second; usernames
// are "<name><niche word><index>" (creators) or "<first>_<last><index>".
func mastoAccountID(a *account) uint64 {
	ms := floorDiv(a.createdMs, 1000)*1000 + msCode(a.ref.payload(), a.key)
	return snowflake(ms, a.ref.payload())
}

func mastoResolve(p *Population, s string) (acctRef, bool) {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	pl := p.plats["mastodon"]
	if id, err := strconv.ParseUint(s, 10, 64); err == nil {
		ref := refFromPayload(payloadFromSnowflake(id))
		if !p.valid(ref) || mastoAccountID(p.account(pl, ref)) != id {
			return acctRef{}, false
		}
		return ref, true
	}
	user, _, _ := strings.Cut(s, "@")
	_, idx, ok := trailingNumber(user)
	if !ok {
		return acctRef{}, false
	}
	ref := acctRef{kind: kindCreator, idx: idx}
	if strings.Contains(user, "_") {
		ref.kind = kindAudience
	}
	if !p.valid(ref) || p.account(pl, ref).user != user {
		return acctRef{}, false
	}
	return ref, true
}

type masto struct{ *site }

// Wire types, field order as in the recordings.

type mApproval struct {
	Automatic   []string `json:"automatic"`
	Manual      []string `json:"manual"`
	CurrentUser string   `json:"current_user"`
}

type mField struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	VerifiedAt *string `json:"verified_at"`
}

type mAccount struct {
	ID                string    `json:"id"`
	Username          string    `json:"username"`
	Acct              string    `json:"acct"`
	DisplayName       string    `json:"display_name"`
	Locked            bool      `json:"locked"`
	Bot               bool      `json:"bot"`
	Discoverable      *bool     `json:"discoverable"`
	Indexable         bool      `json:"indexable"`
	Group             bool      `json:"group"`
	CreatedAt         string    `json:"created_at"`
	Note              string    `json:"note"`
	URL               string    `json:"url"`
	URI               string    `json:"uri"`
	Avatar            string    `json:"avatar"`
	AvatarStatic      string    `json:"avatar_static"`
	AvatarDescription string    `json:"avatar_description"`
	Header            string    `json:"header"`
	HeaderStatic      string    `json:"header_static"`
	HeaderDescription string    `json:"header_description"`
	FollowersCount    int64     `json:"followers_count"`
	FollowingCount    int64     `json:"following_count"`
	StatusesCount     int64     `json:"statuses_count"`
	LastStatusAt      *string   `json:"last_status_at"`
	HideCollections   bool      `json:"hide_collections"`
	ShowMedia         bool      `json:"show_media"`
	ShowMediaReplies  bool      `json:"show_media_replies"`
	ShowFeatured      bool      `json:"show_featured"`
	Noindex           bool      `json:"noindex"`
	FeatureApproval   mApproval `json:"feature_approval"`
	Emojis            []any     `json:"emojis"`
	Roles             []any     `json:"roles"`
	Fields            []mField  `json:"fields"`
}

type mApp struct {
	Name    string  `json:"name"`
	Website *string `json:"website"`
}

type mMention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

type mTag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type mCard struct {
	URL          string  `json:"url"`
	Title        string  `json:"title"`
	Description  string  `json:"description"`
	Type         string  `json:"type"`
	AuthorName   string  `json:"author_name"`
	AuthorURL    string  `json:"author_url"`
	ProviderName string  `json:"provider_name"`
	ProviderURL  string  `json:"provider_url"`
	HTML         string  `json:"html"`
	Width        int     `json:"width"`
	Height       int     `json:"height"`
	Image        *string `json:"image"`
	EmbedURL     string  `json:"embed_url"`
}

type mStatus struct {
	ID                 string     `json:"id"`
	CreatedAt          string     `json:"created_at"`
	InReplyToID        *string    `json:"in_reply_to_id"`
	InReplyToAccountID *string    `json:"in_reply_to_account_id"`
	Sensitive          bool       `json:"sensitive"`
	SpoilerText        string     `json:"spoiler_text"`
	Visibility         string     `json:"visibility"`
	Language           *string    `json:"language"`
	URI                string     `json:"uri"`
	URL                *string    `json:"url"`
	RepliesCount       int64      `json:"replies_count"`
	ReblogsCount       int64      `json:"reblogs_count"`
	FavouritesCount    int64      `json:"favourites_count"`
	QuotesCount        int64      `json:"quotes_count"`
	EditedAt           *string    `json:"edited_at"`
	Favourited         *bool      `json:"favourited,omitempty"`
	Reblogged          *bool      `json:"reblogged,omitempty"`
	Muted              *bool      `json:"muted,omitempty"`
	Bookmarked         *bool      `json:"bookmarked,omitempty"`
	Pinned             *bool      `json:"pinned,omitempty"`
	Content            string     `json:"content"`
	Filtered           *[]any     `json:"filtered,omitempty"`
	Reblog             *mStatus   `json:"reblog"`
	Application        *mApp      `json:"application"`
	Account            *mAccount  `json:"account"`
	MediaAttachments   []any      `json:"media_attachments"`
	Mentions           []mMention `json:"mentions"`
	Tags               []mTag     `json:"tags"`
	Emojis             []any      `json:"emojis"`
	TaggedCollections  []any      `json:"tagged_collections"`
	Quote              any        `json:"quote"`
	Card               *mCard     `json:"card"`
	Poll               any        `json:"poll"`
	QuoteApproval      mApproval  `json:"quote_approval"`
}

// mreq is one request's rendering context: base URL, viewer and caches.
type mreq struct {
	m        *masto
	base     string
	authed   bool
	now      int64
	c        *accounts
	rendered map[acctRef]*mAccount
}

func (m *masto) req(r *http.Request) *mreq {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = p
	}
	return &mreq{m: m, base: scheme + "://" + r.Host + m.prefix, authed: bearer(r), now: m.now().UnixMilli(), c: m.cache(), rendered: map[acctRef]*mAccount{}}
}

func mErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (q *mreq) accountID(a *account) string { return strconv.FormatUint(mastoAccountID(a), 10) }

func mediaPath(id string) string {
	id = strings.Repeat("0", max(0, 18-len(id))) + id
	var parts []string
	for i := 0; i < len(id); i += 3 {
		parts = append(parts, id[i:i+3])
	}
	return strings.Join(parts, "/")
}

// account renders a, counting its statuses in the current window.
func (q *mreq) account(a *account) *mAccount {
	if x, ok := q.rendered[a.ref]; ok {
		return x
	}
	id := q.accountID(a)
	r := newRNG(hashv(a.key, tagName, 4))
	avatar := q.base + "/avatars/original/missing.png"
	if !a.noAvatar {
		avatar = q.base + "/system/accounts/avatars/" + mediaPath(id) + "/original/" + hex16(hashv(a.key, 1)) + ".jpg"
	}
	header := q.base + "/headers/original/missing.png"
	if r.chance(0.7) {
		header = q.base + "/system/accounts/headers/" + mediaPath(id) + "/original/" + hex16(hashv(a.key, 2)) + ".jpg"
	}
	var count int64
	var last int64
	a.eachSlot(q.now, ^uint64(0), func(s *slot) bool {
		if s.kind == slotRepost {
			if _, _, ok := s.target(); !ok {
				return true // a reblog of a deleted status is not listed
			}
		}
		if last == 0 {
			last = s.ms
		}
		count++
		return true
	})
	var lastAt *string
	if last > 0 {
		d := time.UnixMilli(last).UTC().Format("2006-01-02")
		lastAt = &d
	}
	disc := a.ref.kind == kindCreator || r.chance(0.5)
	fields := []mField{}
	if a.ref.kind == kindCreator && r.chance(0.6) {
		site := "https://" + a.user + ".example.net"
		fields = append(fields, mField{Name: "Website", Value: `<a href="` + site + `" target="_blank" rel="nofollow noopener me" translate="no"><span class="invisible">https://</span><span class="">` + a.user + `.example.net</span><span class="invisible"></span></a>`})
	}
	if a.arch == ArchSponsoredHeavy || a.arch == ArchBoughtFollowers {
		fields = append(fields, mField{Name: "Promo", Value: a.code})
	}
	note := ""
	if bio := a.bio(); bio != "" {
		note = "<p>" + html.EscapeString(bio) + "</p>"
	}
	created := floorDiv(a.createdMs, dayMs) * dayMs
	x := &mAccount{
		ID: id, Username: a.user, Acct: a.user, DisplayName: a.displayName(), Bot: a.arch == archBot && r.chance(0.3),
		Discoverable: &disc, Indexable: !a.hideCollections, CreatedAt: isoMs(created), Note: note,
		URL: q.base + "/@" + a.user, URI: q.base + "/ap/users/" + id,
		Avatar: avatar, AvatarStatic: avatar, Header: header, HeaderStatic: header,
		FollowersCount: a.followersAt(time.UnixMilli(q.now)), FollowingCount: int64(a.following), StatusesCount: count,
		LastStatusAt: lastAt, HideCollections: a.hideCollections, ShowMedia: true, ShowMediaReplies: true, ShowFeatured: true,
		Noindex:         a.hideCollections && r.chance(0.5),
		FeatureApproval: mApproval{Automatic: []string{}, Manual: []string{}, CurrentUser: "denied"},
		Emojis:          []any{}, Roles: []any{}, Fields: fields,
	}
	q.rendered[a.ref] = x
	return x
}

// contentHTML renders text as Mastodon does: escaped, paragraphs, hashtag
// and link anchors, and an h-card mention of the account answered.
func (q *mreq) contentHTML(text string, mention *account) string {
	var b strings.Builder
	b.WriteString("<p>")
	if mention != nil {
		b.WriteString(`<span class="h-card" translate="no"><a href="` + q.base + "/@" + mention.user + `" class="u-url mention">@<span>` + mention.user + `</span></a></span> `)
	}
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], "\n\n"):
			b.WriteString("</p><p>")
			i += 2
		case text[i] == '\n':
			b.WriteString("<br />")
			i++
		case text[i] == '#' && (i == 0 || !isTagByte(text[i-1])) && i+1 < len(text) && isTagByte(text[i+1]):
			j := i + 1
			for j < len(text) && isTagByte(text[j]) {
				j++
			}
			tag := text[i+1 : j]
			b.WriteString(`<a href="` + q.base + "/tags/" + strings.ToLower(tag) + `" class="mention hashtag" rel="tag">#<span>` + tag + `</span></a>`)
			i = j
		case strings.HasPrefix(text[i:], "https://"):
			j := i
			for j < len(text) && text[j] != ' ' && text[j] != '\n' {
				j++
			}
			link := text[i:j]
			b.WriteString(`<a href="` + html.EscapeString(link) + `" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="">` + html.EscapeString(link[len("https://"):]) + `</span><span class="invisible"></span></a>`)
			i = j
		default:
			j := i + 1
			for j < len(text) && text[j] != '\n' && text[j] != '#' && text[j] != 'h' {
				j++
			}
			b.WriteString(html.EscapeString(text[i:j]))
			i = j
		}
	}
	b.WriteString("</p>")
	return b.String()
}

func strp(s string) *string { return &s }

func hex16(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b[:])
}

func (q *mreq) base0(a *account, id string) *mStatus {
	st := &mStatus{
		ID: id, Visibility: "public", URI: q.base + "/ap/users/" + q.accountID(a) + "/statuses/" + id,
		URL: strp(q.base + "/@" + a.user + "/" + id), Application: &mApp{Name: "Web"}, Account: q.account(a),
		MediaAttachments: []any{}, Mentions: []mMention{}, Tags: []mTag{}, Emojis: []any{}, TaggedCollections: []any{},
		QuoteApproval: mApproval{Automatic: []string{"public"}, Manual: []string{}, CurrentUser: "automatic"},
	}
	if q.authed {
		f := false
		st.Favourited, st.Reblogged, st.Muted, st.Bookmarked, st.Pinned = &f, &f, &f, &f, &f
		st.Filtered = &[]any{}
	}
	return st
}

func (q *mreq) mention(a *account) mMention {
	return mMention{ID: q.accountID(a), Username: a.user, URL: q.base + "/@" + a.user, Acct: a.user}
}

// status renders a slot: an own post, a reply to another creator, or a reblog.
func (q *mreq) status(a *account, s *slot) *mStatus {
	id := strconv.FormatUint(s.id(), 10)
	st := q.base0(a, id)
	st.CreatedAt = isoMs(s.ms)
	switch s.kind {
	case slotPost:
		ct := s.content()
		st.Language = strp(ct.lang)
		st.Content = q.contentHTML(ct.text, nil)
		for _, t := range ct.tags {
			t = strings.ToLower(t)
			st.Tags = append(st.Tags, mTag{Name: t, URL: q.base + "/tags/" + t})
		}
		if ct.link != "" {
			st.Card = &mCard{URL: ct.link, Title: ct.brand, Description: ct.brand + " official shop", Type: "link"}
		}
		m := s.metrics(q.now)
		st.RepliesCount, st.ReblogsCount, st.FavouritesCount, st.QuotesCount = m.replies, m.reposts, m.likes, m.quotes
		if unit(hashv(s.key, 11)) < 0.03 {
			st.EditedAt = strp(isoMs(s.ms + int64(60_000+s.key%3_600_000)))
		}
	case slotReply:
		st.Language = strp(s.a.lang)
		st.FavouritesCount = int64(s.key % 4)
		if ta, ts, ok := s.target(); ok {
			q.c.put(ta)
			st.InReplyToID = strp(strconv.FormatUint(ts.id(), 10))
			st.InReplyToAccountID = strp(q.accountID(ta))
			st.Mentions = append(st.Mentions, q.mention(ta))
			st.Content = q.contentHTML(s.replyText(), ta)
		} else {
			gone := q.c.get(acctRef{kind: kindAudience, idx: int(s.key % uint64(q.m.pop.audience))})
			st.InReplyToID = strp(strconv.FormatUint(snowflake(s.ms-3_600_000, s.key), 10))
			st.InReplyToAccountID = strp(q.accountID(gone))
			st.Content = q.contentHTML(s.replyText(), nil)
		}
	case slotRepost:
		ta, ts, ok := s.target()
		if !ok {
			return nil
		}
		st.URI += "/activity"
		st.Application = nil
		st.Reblog = q.status(ta, &ts)
	}
	return st
}

// comment renders a thread node as a status.
func (q *mreq) comment(a *account, s *slot, nodes []node, n *node) *mStatus {
	author := q.c.get(n.author)
	st := q.base0(author, strconv.FormatUint(q.nodeID(n), 10))
	st.CreatedAt = isoMs(n.ms)
	st.Language = strp(n.lang)
	parentAuthor := a
	parentID := s.id()
	if n.parent >= 0 {
		p := &nodes[n.parent]
		parentAuthor = q.c.get(p.author)
		parentID = q.nodeID(p)
	}
	st.InReplyToID = strp(strconv.FormatUint(parentID, 10))
	st.InReplyToAccountID = strp(q.accountID(parentAuthor))
	st.Mentions = []mMention{q.mention(parentAuthor)}
	st.Content = q.contentHTML(n.text, parentAuthor)
	st.RepliesCount = int64(len(n.children))
	st.FavouritesCount = n.likes
	return st
}

func (q *mreq) nodeID(n *node) uint64 { return snowflake(n.ms, n.key) }

// findStatus resolves a status id to its account and slot.
func (m *masto) findStatus(id string) (*account, slot, bool) {
	x, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil, slot{}, false
	}
	ref := refFromPayload(payloadFromSnowflake(x))
	if !m.pop.valid(ref) {
		return nil, slot{}, false
	}
	a := m.account(ref)
	s := a.slot(a.slotIndex(int64(x >> 16)))
	if s.id() != x || s.kind == slotEmpty || s.ms < a.createdMs || s.ms > m.now().UnixMilli() {
		return nil, slot{}, false
	}
	return a, s, true
}

func (m *masto) byID(w http.ResponseWriter, r *http.Request) (*account, bool) {
	a, ok := m.lookup(r.PathValue("id"))
	if !ok || a.vanished {
		if ok {
			m.st.gone()
		}
		mErr(w, http.StatusNotFound, "Record not found")
		return nil, false
	}
	return a, true
}

func (m *masto) lookupAcct(w http.ResponseWriter, r *http.Request) {
	acct := r.URL.Query().Get("acct")
	a, ok := m.lookup(acct)
	if _, err := strconv.ParseUint(strings.TrimPrefix(acct, "@"), 10, 64); err == nil {
		ok = false // lookup takes a username, not an id
	}
	if !ok || a.vanished {
		if ok {
			m.st.gone()
		}
		mErr(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, m.req(r).account(a))
}

func (m *masto) getAccount(w http.ResponseWriter, r *http.Request) {
	if a, ok := m.byID(w, r); ok {
		writeJSON(w, http.StatusOK, m.req(r).account(a))
	}
}

// limitParam reads limit as Mastodon does: default def, capped at most.
func limitParam(r *http.Request, def, most int) int {
	n, ok := intParam(r, "limit", def)
	if !ok || n < 1 {
		return def
	}
	return min(n, most)
}

func idParam(r *http.Request, name string) (uint64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, false
	}
	x, err := strconv.ParseUint(v, 10, 64)
	return x, err == nil
}

// link builds a Link header from the request path and kept parameters.
func (q *mreq) link(r *http.Request, keep []string, next, prev string, nextKey, prevKey string) string {
	mk := func(key, val string) string {
		v := url.Values{}
		for _, k := range keep {
			if x := r.URL.Query().Get(k); x != "" {
				v.Set(k, x)
			}
		}
		v.Set(key, val)
		return "<" + q.base + r.URL.Path + "?" + encodeOrdered(v, append(keep, key)) + ">"
	}
	var parts []string
	if next != "" {
		parts = append(parts, mk(nextKey, next)+`; rel="next"`)
	}
	if prev != "" {
		parts = append(parts, mk(prevKey, prev)+`; rel="prev"`)
	}
	return strings.Join(parts, ", ")
}

// encodeOrdered encodes v in the order of keys (limit first, like Rails).
func encodeOrdered(v url.Values, keys []string) string {
	var parts []string
	for _, k := range keys {
		if x := v.Get(k); x != "" {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(x))
		}
	}
	return strings.Join(parts, "&")
}

func (m *masto) statuses(w http.ResponseWriter, r *http.Request) {
	a, ok := m.byID(w, r)
	if !ok {
		return
	}
	q := m.req(r)
	q.c.put(a)
	limit := limitParam(r, 20, 40)
	exReplies, exReblogs := boolParam(r, "exclude_replies"), boolParam(r, "exclude_reblogs")
	tagged := strings.ToLower(strings.TrimPrefix(r.URL.Query().Get("tagged"), "#"))
	keep := func(s *slot) bool {
		switch {
		case s.kind == slotReply && exReplies, s.kind == slotRepost && exReblogs:
			return false
		case tagged != "":
			return matchTerms([]string{"#" + tagged})(s)
		}
		return true
	}
	var slots []slot
	switch {
	case boolParam(r, "pinned"), boolParam(r, "only_media"):
		// nothing pinned, no media on this instance
	case r.URL.Query().Get("min_id") != "":
		after, _ := idParam(r, "min_id")
		a.eachSlotAfter(q.now, after, func(s *slot) bool {
			if keep(s) {
				slots = append(slots, *s)
			}
			return len(slots) < limit
		})
		for i, j := 0, len(slots)-1; i < j; i, j = i+1, j-1 {
			slots[i], slots[j] = slots[j], slots[i]
		}
	default:
		before := ^uint64(0)
		if x, ok := idParam(r, "max_id"); ok {
			before = x
		}
		since, _ := idParam(r, "since_id")
		a.eachSlot(q.now, before, func(s *slot) bool {
			if s.id() <= since {
				return false
			}
			if keep(s) {
				slots = append(slots, *s)
			}
			return len(slots) < limit
		})
	}
	out := []*mStatus{}
	for i := range slots {
		if st := q.status(a, &slots[i]); st != nil {
			out = append(out, st)
		}
	}
	if len(slots) > 0 {
		next := ""
		if len(slots) == limit {
			next = strconv.FormatUint(slots[len(slots)-1].id(), 10)
		}
		w.Header().Set("Link", q.link(r, []string{"limit", "exclude_replies", "exclude_reblogs", "tagged"}, next, strconv.FormatUint(slots[0].id(), 10), "max_id", "min_id"))
	}
	writeJSON(w, http.StatusOK, out)
}

func (m *masto) getStatus(w http.ResponseWriter, r *http.Request) {
	a, s, ok := m.findStatus(r.PathValue("id"))
	if !ok || a.vanished {
		if ok {
			m.st.gone()
		}
		mErr(w, http.StatusNotFound, "Record not found")
		return
	}
	q := m.req(r)
	st := q.status(a, &s)
	if st == nil {
		mErr(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// Context caps, per the Mastodon docs: without a token at most 60
// descendants (and 40 ancestors); with one, 4096.
const (
	mastoDescendantsPublic = 60
	mastoDescendantsAuthed = 4096
)

func (m *masto) context(w http.ResponseWriter, r *http.Request) {
	a, s, ok := m.findStatus(r.PathValue("id"))
	if !ok || a.vanished || s.kind == slotRepost {
		if ok && a.vanished {
			m.st.gone()
		}
		mErr(w, http.StatusNotFound, "Record not found")
		return
	}
	q := m.req(r)
	q.c.put(a)
	ancestors, descendants := []*mStatus{}, []*mStatus{}
	switch s.kind {
	case slotReply:
		if ta, ts, ok := s.target(); ok {
			ancestors = append(ancestors, q.status(ta, &ts))
		}
	case slotPost:
		most := mastoDescendantsPublic
		if q.authed {
			most = mastoDescendantsAuthed
		}
		nodes := s.thread(q.now, most)
		var walk func(i int)
		walk = func(i int) {
			if len(descendants) >= most {
				return
			}
			n := &nodes[i]
			if n.state != nodeShown {
				return
			}
			descendants = append(descendants, q.comment(a, &s, nodes, n))
			for _, c := range n.children {
				walk(c)
			}
		}
		for i := range nodes {
			if nodes[i].parent < 0 {
				walk(i)
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ancestors": ancestors, "descendants": descendants})
}

func (m *masto) tagTimeline(w http.ResponseWriter, r *http.Request) {
	tag := strings.ToLower(strings.TrimPrefix(r.PathValue("hashtag"), "#"))
	q := m.req(r)
	limit := limitParam(r, 20, 40)
	before := ^uint64(0)
	if x, ok := idParam(r, "max_id"); ok {
		before = x
	}
	since, _ := idParam(r, "since_id")
	if x, ok := idParam(r, "min_id"); ok {
		since = max(since, x)
	}
	pools := []int{}
	for _, c := range nichesOfWord(tag) {
		pools = append(pools, m.pop.pool(m.pl, c)...)
	}
	if len(pools) == 0 {
		pools = m.pop.pool(m.pl, -1)
	}
	match := matchTerms([]string{"#" + tag})
	its := make([]*slotIter, 0, len(pools))
	for _, i := range pools {
		it := newSlotIter(q.c.get(acctRef{kind: kindCreator, idx: i}), q.now, before, func(s *slot) bool { return s.id() > since && match(s) })
		its = append(its, it)
	}
	slots := mergeNewest(its, 0, limit)
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].id() > slots[j].id() })
	out := []*mStatus{}
	for i := range slots {
		out = append(out, q.status(slots[i].a, &slots[i]))
	}
	if len(slots) > 0 {
		next := ""
		if len(slots) == limit {
			next = strconv.FormatUint(slots[len(slots)-1].id(), 10)
		}
		w.Header().Set("Link", q.link(r, []string{"limit"}, next, strconv.FormatUint(slots[0].id(), 10), "max_id", "min_id"))
	}
	writeJSON(w, http.StatusOK, out)
}

// followRelID numbers a's k-th follow relationship so that newer follows have
// larger ids, as max_id paging expects.
func followRelID(a *account, k int) uint64 { return 10_000_000 + uint64(a.following-k) }

func (m *masto) following(w http.ResponseWriter, r *http.Request) {
	a, ok := m.byID(w, r)
	if !ok {
		return
	}
	q := m.req(r)
	limit := limitParam(r, 40, 80)
	out := []*mAccount{}
	if a.hideCollections {
		writeJSON(w, http.StatusOK, out)
		return
	}
	start := 0
	if x, ok := idParam(r, "max_id"); ok {
		start = max(0, min(a.following, a.following-int(int64(x)-10_000_000)+1))
	}
	end := min(start+limit, a.following)
	for k := start; k < end; k++ {
		out = append(out, q.account(q.c.get(m.pop.follow(a, k))))
	}
	if end > start {
		next := ""
		if end-start == limit && end < a.following {
			next = strconv.FormatUint(followRelID(a, end-1), 10)
		}
		w.Header().Set("Link", q.link(r, []string{"limit"}, next, strconv.FormatUint(followRelID(a, start), 10), "max_id", "since_id"))
	}
	writeJSON(w, http.StatusOK, out)
}

// followers serves the account's follower list, newest first, 40 full
// accounts a page by default (80 at most), paginated by max_id in the Link
// header as Mastodon does; hidden when the account hides its collections.
func (m *masto) followers(w http.ResponseWriter, r *http.Request) {
	a, ok := m.byID(w, r)
	if !ok {
		return
	}
	q := m.req(r)
	limit := limitParam(r, 40, 80)
	out := []*mAccount{}
	if a.hideCollections {
		writeJSON(w, http.StatusOK, out)
		return
	}
	total := a.followerCount(time.UnixMilli(q.now))
	relID := func(k int) uint64 { return 10_000_000 + uint64(total-k) }
	start := 0
	if x, ok := idParam(r, "max_id"); ok {
		start = max(0, min(total, total-int(int64(x)-10_000_000)+1))
	}
	end := min(start+limit, total)
	for k := start; k < end; k++ {
		out = append(out, q.account(q.c.get(m.pop.follower(a, k))))
	}
	if end > start {
		next := ""
		if end-start == limit && end < total {
			next = strconv.FormatUint(relID(end-1), 10)
		}
		w.Header().Set("Link", q.link(r, []string{"limit"}, next, strconv.FormatUint(relID(start), 10), "max_id", "since_id"))
	}
	writeJSON(w, http.StatusOK, out)
}
