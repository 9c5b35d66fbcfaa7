package simulator

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Bluesky: the AppView XRPC API under /bluesky/xrpc/<nsid>, in the wire
// format of the recorded responses in shared/fixtures/bluesky.

func init() {
	registerPlatform(&platform{
		name: "bluesky",
		bench: map[string][2]float64{
			model.TierBelow: {3.5, 6}, model.TierNano: {2.5, 4.5}, model.TierMicro: {1.5, 2.8},
			model.TierMid: {0.9, 1.6}, model.TierMacro: {0.6, 1.1}, model.TierMega: {0.3, 0.8},
		},
		replyShare: 0.12, repostShare: 0.12, quoteShare: 0.02,
		defaultLimit: Limit{Requests: 3000, Window: time.Minute},
		realLimit:    "3000 per 5 minutes per IP (PDS/entryway); AppView unpublished",
		accountID:    func(p *Population, a *account) string { return did(p.platformKey(a.pl), a.ref) },
		handle:       bskyHandle,
		resolve:      bskyResolve,
		rateHeaders: func(h http.Header, _ *http.Request, l Limit, remaining int, reset time.Time) {
			h.Set("RateLimit-Limit", strconv.Itoa(l.Requests))
			h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
			h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			h.Set("RateLimit-Policy", strconv.Itoa(l.Requests)+";w="+strconv.Itoa(int(l.Window.Seconds())))
		},
		tooMany: func(w http.ResponseWriter, _ *http.Request) int {
			xrpcError(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
			return http.StatusTooManyRequests
		},
		serverError: func(_ *http.Request, status int) (string, []byte) {
			switch status {
			case http.StatusBadGateway:
				return "text/html", []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
			case http.StatusServiceUnavailable:
				return "text/plain", []byte("upstream connect error or disconnect/reset before headers. reset reason: connection failure")
			}
			return "application/json; charset=utf-8", []byte(`{"error":"InternalServerError","message":"Internal Server Error"}`)
		},
		notFound: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/xrpc/com.atproto.server.createSession" {
				xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Incorrect HTTP method ("+r.Method+") expected POST")
				return
			}
			if strings.HasPrefix(r.URL.Path, "/xrpc/") {
				xrpcError(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
				return
			}
			xrpcError(w, http.StatusNotFound, "NotFound", "Not Found")
		},
		drift: [][2]string{
			{"followersCount", "followers_count"}, {"likeCount", "like_count"}, {"replyCount", "reply_count"},
			{"createdAt", "created_at"}, {"repostCount", "reposts"}, {"cursor", "nextCursor"},
		},
		routes: func(s *site) []route {
			b := &bsky{s}
			x := func(method, nsid string, h http.HandlerFunc) route {
				return route{pattern: method + " /xrpc/" + nsid, endpoint: nsid, handler: h}
			}
			return []route{
				x("GET", "app.bsky.actor.getProfile", b.getProfile),
				x("GET", "app.bsky.actor.getProfiles", b.getProfiles),
				x("GET", "app.bsky.feed.getAuthorFeed", b.getAuthorFeed),
				x("GET", "app.bsky.feed.getPosts", b.getPosts),
				x("GET", "app.bsky.feed.getPostThread", b.getPostThread),
				x("GET", "app.bsky.graph.getFollows", b.getFollows),
				x("GET", "app.bsky.graph.getFollowers", b.getFollowers),
				x("GET", "app.bsky.feed.searchPosts", b.searchPosts),
				x("GET", "com.atproto.identity.resolveHandle", b.resolveHandle),
				x("POST", "com.atproto.server.createSession", b.createSession),
			}
		},
	})
}

const bskyDomain = ".bsky.social"

// Handles: creators "<name><niche word><index>.bsky.social", audience
// "<first>-<last><index>.bsky.social"; the trailing number is the index.
func bskyHandle(_ *Population, a *account) string {
	return strings.ReplaceAll(a.user, "_", "-") + bskyDomain
}

func bskyResolve(p *Population, s string) (acctRef, bool) {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	if strings.HasPrefix(s, "did:") {
		return parseDID(p.keys["bluesky"], s)
	}
	label, ok := strings.CutSuffix(s, bskyDomain)
	if !ok {
		return acctRef{}, false
	}
	_, idx, ok := trailingNumber(label)
	if !ok {
		return acctRef{}, false
	}
	ref := acctRef{kind: kindCreator, idx: idx}
	if strings.Contains(label, "-") {
		ref.kind = kindAudience
	}
	if !p.valid(ref) || bskyHandle(p, p.account(p.plats["bluesky"], ref)) != s {
		return acctRef{}, false
	}
	return ref, true
}

func xrpcError(w http.ResponseWriter, status int, name, msg string) {
	writeJSON(w, status, map[string]string{"error": name, "message": msg})
}

type bsky struct{ *site }

// Wire types, field order as in the recordings.

type bskyViewer struct {
	Muted     bool `json:"muted"`
	BlockedBy bool `json:"blockedBy"`
}

type bskyChat struct {
	AllowIncoming string `json:"allowIncoming"`
}

type bskyAssocBasic struct {
	Chat bskyChat `json:"chat"`
}

type bskyAssocFull struct {
	Lists        int      `json:"lists"`
	Feedgens     int      `json:"feedgens"`
	StarterPacks int      `json:"starterPacks"`
	Labeler      bool     `json:"labeler"`
	Chat         bskyChat `json:"chat"`
}

type bskyProfile struct {
	DID            string     `json:"did"`
	Handle         string     `json:"handle"`
	DisplayName    string     `json:"displayName"`
	Avatar         string     `json:"avatar,omitempty"`
	Associated     any        `json:"associated,omitempty"`
	Viewer         bskyViewer `json:"viewer"`
	Labels         []any      `json:"labels"`
	CreatedAt      string     `json:"createdAt"`
	Description    *string    `json:"description,omitempty"`
	IndexedAt      string     `json:"indexedAt,omitempty"`
	Banner         string     `json:"banner,omitempty"`
	FollowersCount *int64     `json:"followersCount,omitempty"`
	FollowsCount   *int64     `json:"followsCount,omitempty"`
	PostsCount     *int64     `json:"postsCount,omitempty"`
}

type bskyStrongRef struct {
	CID string `json:"cid"`
	URI string `json:"uri"`
}

type bskyReplyRef struct {
	Parent bskyStrongRef `json:"parent"`
	Root   bskyStrongRef `json:"root"`
}

type bskyIndex struct {
	ByteEnd   int `json:"byteEnd"`
	ByteStart int `json:"byteStart"`
}

type bskyFeature struct {
	Type string `json:"$type"`
	Tag  string `json:"tag,omitempty"`
	URI  string `json:"uri,omitempty"`
}

type bskyFacet struct {
	Features []bskyFeature `json:"features"`
	Index    bskyIndex     `json:"index"`
}

type bskyRecord struct {
	Type      string        `json:"$type"`
	CreatedAt string        `json:"createdAt"`
	Embed     any           `json:"embed,omitempty"`
	Facets    []bskyFacet   `json:"facets,omitempty"`
	Langs     []string      `json:"langs,omitempty"`
	Reply     *bskyReplyRef `json:"reply,omitempty"`
	Text      string        `json:"text"`
}

type bskyPostViewer struct {
	ThreadMuted       bool `json:"threadMuted"`
	EmbeddingDisabled bool `json:"embeddingDisabled"`
}

type bskyPostView struct {
	URI         string         `json:"uri"`
	CID         string         `json:"cid"`
	Author      bskyProfile    `json:"author"`
	Record      bskyRecord     `json:"record"`
	Embed       any            `json:"embed,omitempty"`
	ReplyCount  int64          `json:"replyCount"`
	RepostCount int64          `json:"repostCount"`
	LikeCount   int64          `json:"likeCount"`
	QuoteCount  int64          `json:"quoteCount"`
	IndexedAt   string         `json:"indexedAt"`
	Viewer      bskyPostViewer `json:"viewer"`
	Labels      []any          `json:"labels"`
	Type        string         `json:"$type,omitempty"`
}

type bskyNotFound struct {
	Type     string `json:"$type"`
	URI      string `json:"uri"`
	NotFound bool   `json:"notFound"`
}

type bskyBlocked struct {
	Type    string `json:"$type"`
	URI     string `json:"uri"`
	Blocked bool   `json:"blocked"`
	Author  struct {
		DID    string     `json:"did"`
		Viewer bskyViewer `json:"viewer"`
	} `json:"author"`
}

type bskyFeedReply struct {
	Root   any `json:"root"`
	Parent any `json:"parent"`
}

type bskyReason struct {
	Type      string      `json:"$type"`
	By        bskyProfile `json:"by"`
	IndexedAt string      `json:"indexedAt"`
}

type bskyFeedItem struct {
	Post   bskyPostView   `json:"post"`
	Reply  *bskyFeedReply `json:"reply,omitempty"`
	Reason *bskyReason    `json:"reason,omitempty"`
}

type bskyThreadNode struct {
	Type          string        `json:"$type"`
	Post          *bskyPostView `json:"post"`
	Parent        any           `json:"parent,omitempty"`
	Replies       *[]any        `json:"replies,omitempty"`
	ThreadContext *struct{}     `json:"threadContext,omitempty"`
}

const (
	bskyPostViewType  = "app.bsky.feed.defs#postView"
	bskyThreadType    = "app.bsky.feed.defs#threadViewPost"
	bskyNotFoundType  = "app.bsky.feed.defs#notFoundPost"
	bskyBlockedType   = "app.bsky.feed.defs#blockedPost"
	bskyRepostType    = "app.bsky.feed.defs#reasonRepost"
	bskyPostNSID      = "app.bsky.feed.post"
	bskyMaxThreadTops = 200
)

// Profiles.

func (b *bsky) did(a *account) string { return did(b.key, a.ref) }

func (b *bsky) avatar(a *account, kind string) string {
	if a.noAvatar {
		return ""
	}
	tag := uint64(1)
	if kind == "banner" {
		tag = 2
	}
	return "https://cdn.bsky.app/img/" + kind + "/plain/" + b.did(a) + "/" + cid("bafkrei", hashv(a.key, tag)) + "@jpeg"
}

func (a *account) chatSetting() string {
	return []string{"following", "following", "all", "none"}[a.key%4]
}

// basic is a profileViewBasic (post authors).
func (b *bsky) basic(a *account) bskyProfile {
	p := bskyProfile{
		DID: b.did(a), Handle: bskyHandle(b.pop, a), DisplayName: a.displayName(), Avatar: b.avatar(a, "avatar"),
		Labels: []any{}, CreatedAt: isoMs(a.createdMs),
	}
	if a.ref.kind == kindCreator || a.key%3 != 0 {
		p.Associated = bskyAssocBasic{Chat: bskyChat{AllowIncoming: a.chatSetting()}}
	}
	return p
}

// view is a profileView (follow lists).
func (b *bsky) view(a *account, now int64) bskyProfile {
	p := b.basic(a)
	if desc := a.bio(); desc != "" {
		p.Description = &desc
	}
	p.IndexedAt = isoMs(a.profileIndexedAt(now))
	return p
}

func (a *account) profileIndexedAt(now int64) int64 {
	day := floorDiv(now, dayMs) * dayMs
	if day <= a.createdMs {
		return a.createdMs
	}
	return a.createdMs + int64(unit(hashv(a.key, tagName, 2))*float64(day-a.createdMs))
}

// detailed is a profileViewDetailed (getProfile).
func (b *bsky) detailed(a *account, now time.Time) bskyProfile {
	ms := now.UnixMilli()
	p := b.view(a, ms)
	r := newRNG(hashv(a.key, tagName, 3))
	p.Associated = bskyAssocFull{Lists: r.intn(3), Feedgens: r.intn(2) * r.intn(2), StarterPacks: r.intn(2), Chat: bskyChat{AllowIncoming: a.chatSetting()}}
	if r.chance(0.8) {
		p.Banner = b.avatar(a, "banner")
	}
	followers, follows := a.followersAt(now), int64(a.following)
	var posts int64
	a.eachSlot(ms, ^uint64(0), func(s *slot) bool {
		if s.kind != slotRepost {
			posts++
		}
		return true
	})
	p.FollowersCount, p.FollowsCount, p.PostsCount = &followers, &follows, &posts
	return p
}

// gone answers for an account that vanished, as the AppView does.
func (b *bsky) gone(w http.ResponseWriter, a *account) bool {
	if !a.vanished {
		return false
	}
	b.st.gone()
	if a.deactivated {
		xrpcError(w, http.StatusBadRequest, "AccountDeactivated", "Account is deactivated")
	} else {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
	}
	return true
}

func (b *bsky) actor(w http.ResponseWriter, r *http.Request) (*account, bool) {
	q := r.URL.Query().Get("actor")
	if q == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Error: Params must have the property "actor"`)
		return nil, false
	}
	a, ok := b.lookup(q)
	if !ok {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
		return nil, false
	}
	if b.gone(w, a) {
		return nil, false
	}
	return a, true
}

func (b *bsky) limit(w http.ResponseWriter, r *http.Request, def int) (int, bool) {
	n, ok := intParam(r, "limit", def)
	switch {
	case !ok:
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: limit must be an integer")
	case n < 1:
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: limit can not be less than 1")
	case n > 100:
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: limit can not be greater than 100")
	default:
		return n, true
	}
	return 0, false
}

func (b *bsky) cursor(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return ^uint64(0), true
	}
	pos, err := b.decodeCursor(c)
	if err != nil {
		msg := "Malformed cursor"
		if errors.Is(err, errCursorExpired) {
			msg = "Cursor expired"
		}
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", msg)
		return 0, false
	}
	return pos, true
}

func (b *bsky) getProfile(w http.ResponseWriter, r *http.Request) {
	a, ok := b.actor(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, b.detailed(a, b.now()))
}

func (b *bsky) getProfiles(w http.ResponseWriter, r *http.Request) {
	actors := r.URL.Query()["actors"]
	if len(actors) > 25 {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: actors must not have more than 25 elements")
		return
	}
	out := []bskyProfile{}
	for _, q := range actors {
		if a, ok := b.lookup(q); ok && !a.vanished {
			out = append(out, b.detailed(a, b.now()))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"profiles": out})
}

// getPosts answers app.bsky.feed.getPosts?uris=…: the postViews of up to
// 25 posts, in the order asked, as getPostThread shows them; posts that do
// not exist (deleted, never made, of a vanished account) are left out, as
// the AppView does.
func (b *bsky) getPosts(w http.ResponseWriter, r *http.Request) {
	uris := r.URL.Query()["uris"]
	if len(uris) > 25 {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: uris must not have more than 25 elements")
		return
	}
	for _, u := range uris {
		if _, _, _, ok := parseAtURI(u); !ok {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: uris/"+strconv.Itoa(slices.Index(uris, u))+" must be a valid at-uri")
			return
		}
	}
	now := b.now().UnixMilli()
	c := b.cache()
	out := []bskyPostView{}
	for _, u := range uris {
		a, s, ok := b.findPost(u)
		if !ok || s.ms > now || a.vanished {
			continue
		}
		c.put(a)
		out = append(out, b.postView(c, a, &s, now))
	}
	writeJSON(w, http.StatusOK, map[string]any{"posts": out})
}

func (b *bsky) resolveHandle(w http.ResponseWriter, r *http.Request) {
	a, ok := b.lookup(r.URL.Query().Get("handle"))
	if !ok || a.vanished || strings.HasPrefix(r.URL.Query().Get("handle"), "did:") {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Unable to resolve handle")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"did": b.did(a)})
}

// Posts.

func (b *bsky) postURI(a *account, s *slot) string {
	return "at://" + b.did(a) + "/" + bskyPostNSID + "/" + tid(s.us, s.clock)
}

func (b *bsky) nodeURI(c *accounts, n *node) string {
	return "at://" + b.did(c.get(n.author)) + "/" + bskyPostNSID + "/" + tid(n.ms*1000+int64(n.key%1000), n.key>>10)
}

// facets marks hashtags and links by UTF-8 byte offsets.
func facets(text, link string) []bskyFacet {
	var out []bskyFacet
	for i := 0; i < len(text); i++ {
		if text[i] != '#' || (i > 0 && isTagByte(text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(text) && isTagByte(text[j]) {
			j++
		}
		if j > i+1 {
			out = append(out, bskyFacet{Features: []bskyFeature{{Type: "app.bsky.richtext.facet#tag", Tag: text[i+1 : j]}}, Index: bskyIndex{ByteStart: i, ByteEnd: j}})
		}
		i = j - 1
	}
	if link != "" {
		if i := strings.Index(text, link); i >= 0 {
			out = append(out, bskyFacet{Features: []bskyFeature{{Type: "app.bsky.richtext.facet#link", URI: link}}, Index: bskyIndex{ByteStart: i, ByteEnd: i + len(link)}})
		}
	}
	sort.SliceStable(out, func(x, y int) bool { return out[x].Index.ByteStart < out[y].Index.ByteStart })
	return out
}

// embeds returns the record embed and its view for an own post.
func (b *bsky) embeds(a *account, s *slot, c *content) (any, any) {
	r := newRNG(hashv(s.key, tagCID, 1))
	if s.image {
		blob := cid("bafkrei", hashv(s.key, 5))
		w, h := 1200, []int{800, 900, 1200, 1500, 1600}[r.intn(5)]
		alt := ""
		if r.chance(0.6) {
			alt = capitalise(pick(&r, niches[a.niche].topics))
		}
		ratio := map[string]int{"height": h, "width": w}
		base := "https://cdn.bsky.app/img/feed_%s/plain/" + b.did(a) + "/" + blob + "@jpeg"
		rec := map[string]any{"$type": "app.bsky.embed.images", "images": []any{map[string]any{
			"alt": alt, "aspectRatio": ratio,
			"image": map[string]any{"$type": "blob", "ref": map[string]string{"$link": blob}, "mimeType": "image/jpeg", "size": 80_000 + r.intn(700_000)},
		}}}
		view := map[string]any{"$type": "app.bsky.embed.images#view", "images": []any{map[string]any{
			"thumb": strings.Replace(base, "%s", "thumbnail", 1), "fullsize": strings.Replace(base, "%s", "fullsize", 1), "alt": alt, "aspectRatio": ratio,
		}}}
		return rec, view
	}
	if c.link != "" {
		blob := cid("bafkrei", hashv(s.key, 6))
		desc := c.brand + " official shop"
		ext := map[string]any{"description": desc, "thumb": map[string]any{"$type": "blob", "ref": map[string]string{"$link": blob}, "mimeType": "image/jpeg", "size": 40_000 + r.intn(200_000)}, "title": c.brand, "uri": c.link}
		rec := map[string]any{"$type": "app.bsky.embed.external", "external": ext}
		thumb := "https://cdn.bsky.app/img/feed_thumbnail/plain/" + b.did(a) + "/" + blob + "@jpeg"
		view := map[string]any{"$type": "app.bsky.embed.external#view", "external": map[string]string{"uri": c.link, "title": c.brand, "description": desc, "thumb": thumb}}
		return rec, view
	}
	return nil, nil
}

// postView renders an own post or a reply slot.
func (b *bsky) postView(c *accounts, a *account, s *slot, now int64) bskyPostView {
	pv := bskyPostView{
		URI: b.postURI(a, s), CID: cid("bafyrei", s.key), Author: b.basic(a),
		IndexedAt: isoMs(s.ms + int64(s.key%1500)), Labels: []any{},
	}
	pv.Record, pv.Embed = b.postRecord(c, a, s)
	switch s.kind {
	case slotPost:
		m := s.metrics(now)
		pv.LikeCount, pv.ReplyCount, pv.RepostCount, pv.QuoteCount = m.likes, m.replies, m.reposts, m.quotes
	case slotReply:
		pv.LikeCount = int64(s.key % 4)
	}
	return pv
}

// postRecord is the app.bsky.feed.post record of an own post or a reply
// slot (as getPosts and the Jetstream show it), and the embed's view.
func (b *bsky) postRecord(c *accounts, a *account, s *slot) (bskyRecord, any) {
	rec := bskyRecord{Type: bskyPostNSID, CreatedAt: isoMs(s.ms), Langs: []string{a.lang}}
	var view any
	switch s.kind {
	case slotPost:
		ct := s.content()
		rec.Text = ct.text
		rec.Facets = facets(ct.text, ct.link)
		rec.Langs = []string{ct.lang}
		rec.Embed, view = b.embeds(a, s, &ct)
	case slotReply:
		rec.Text = s.replyText()
		ref := b.replyTarget(c, s)
		rec.Reply = &bskyReplyRef{Parent: ref, Root: ref}
	}
	return rec, view
}

// replyTarget is the strong ref of the post a reply slot answers.
func (b *bsky) replyTarget(c *accounts, s *slot) bskyStrongRef {
	if ta, ts, ok := s.target(); ok {
		c.put(ta)
		return bskyStrongRef{CID: cid("bafyrei", ts.key), URI: b.postURI(ta, &ts)}
	}
	return bskyStrongRef{CID: cid("bafyrei", hashv(s.key, 77)), URI: "at://" + did(b.key, acctRef{kind: kindAudience, idx: int(s.key % uint64(b.pop.audience))}) + "/" + bskyPostNSID + "/" + tid(s.us-3_600_000_000, 0)}
}

// parentView renders the target of a reply slot for feed "reply" and thread
// "parent".
func (b *bsky) parentView(c *accounts, s *slot, now int64) (any, *bskyPostView) {
	ta, ts, ok := s.target()
	if !ok || ts.gone(now) {
		ref := b.replyTarget(c, s)
		return bskyNotFound{Type: bskyNotFoundType, URI: ref.URI, NotFound: true}, nil
	}
	pv := b.postView(c, ta, &ts, now)
	return nil, &pv
}

// feedItem renders one slot of an author feed; ok is false for reposts of
// posts that cannot be found (the AppView drops those).
func (b *bsky) feedItem(c *accounts, a *account, s *slot, now int64) (bskyFeedItem, bool) {
	switch s.kind {
	case slotRepost:
		ta, ts, ok := s.target()
		if !ok || ts.gone(now) {
			return bskyFeedItem{}, false
		}
		return bskyFeedItem{Post: b.postView(c, ta, &ts, now), Reason: &bskyReason{Type: bskyRepostType, By: b.basic(a), IndexedAt: isoMs(s.ms)}}, true
	case slotReply:
		item := bskyFeedItem{Post: b.postView(c, a, s, now)}
		nf, pv := b.parentView(c, s, now)
		if pv != nil {
			pv.Type = bskyPostViewType
			item.Reply = &bskyFeedReply{Root: pv, Parent: pv}
		} else {
			item.Reply = &bskyFeedReply{Root: nf, Parent: nf}
		}
		return item, true
	}
	return bskyFeedItem{Post: b.postView(c, a, s, now)}, true
}

var bskyFilters = map[string]bool{"posts_with_replies": true, "posts_no_replies": true, "posts_with_media": true, "posts_and_author_threads": true, "posts_with_video": true}

func (b *bsky) getAuthorFeed(w http.ResponseWriter, r *http.Request) {
	a, ok := b.actor(w, r)
	if !ok {
		return
	}
	limit, ok := b.limit(w, r, 50)
	if !ok {
		return
	}
	before, ok := b.cursor(w, r)
	if !ok {
		return
	}
	filter := r.URL.Query().Get("filter")
	if filter == "" {
		filter = "posts_with_replies"
	}
	if !bskyFilters[filter] {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Error: filter must be one of (string) "posts_with_replies"|"posts_no_replies"|"posts_with_media"|"posts_and_author_threads"|"posts_with_video"`)
		return
	}
	now := b.now().UnixMilli()
	c := b.cache()
	c.put(a)
	items := []bskyFeedItem{}
	var last uint64
	more := false
	a.eachSlot(now, before, func(s *slot) bool {
		switch filter {
		case "posts_no_replies", "posts_and_author_threads":
			if s.kind == slotReply {
				return true
			}
		case "posts_with_media":
			if s.kind != slotPost || !s.image {
				return true
			}
		case "posts_with_video":
			return false
		}
		if len(items) == limit {
			more = true
			return false
		}
		if it, ok := b.feedItem(c, a, s, now); ok {
			items = append(items, it)
			last = s.id()
		}
		return true
	})
	out := map[string]any{"feed": items}
	if more {
		out["cursor"] = b.encodeCursor(last)
	}
	writeJSON(w, http.StatusOK, out)
}

// parseAtURI splits at://authority/collection/rkey.
func parseAtURI(uri string) (authority, collection, rkey string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "at://")
	if !ok {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// findPost resolves an at-uri to an account and an own post or reply slot.
func (b *bsky) findPost(uri string) (*account, slot, bool) {
	auth, coll, rkey, ok := parseAtURI(uri)
	if !ok || coll != bskyPostNSID {
		return nil, slot{}, false
	}
	a, ok := b.lookup(auth)
	if !ok {
		return nil, slot{}, false
	}
	us, clock, ok := parseTID(rkey)
	if !ok {
		return nil, slot{}, false
	}
	s := a.slot(a.slotIndex(floorDiv(us, 1000)))
	if s.us != us || s.clock != clock || (s.kind != slotPost && s.kind != slotReply) || s.ms < a.createdMs || s.gone(b.now().UnixMilli()) {
		return nil, slot{}, false
	}
	return a, s, true
}

func (b *bsky) getPostThread(w http.ResponseWriter, r *http.Request) {
	uri := r.URL.Query().Get("uri")
	if uri == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Error: Params must have the property "uri"`)
		return
	}
	if _, _, _, ok := parseAtURI(uri); !ok {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: uri must be a valid at-uri")
		return
	}
	depth, ok1 := intParam(r, "depth", 6)
	height, ok2 := intParam(r, "parentHeight", 80)
	if !ok1 || !ok2 || depth < 0 || depth > 1000 || height < 0 || height > 1000 {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Error: depth and parentHeight must be integers between 0 and 1000")
		return
	}
	now := b.now().UnixMilli()
	a, s, ok := b.findPost(uri)
	if !ok || s.ms > now {
		xrpcError(w, http.StatusBadRequest, "NotFound", "Post not found: "+uri)
		return
	}
	if a.vanished {
		b.st.gone()
		xrpcError(w, http.StatusBadRequest, "NotFound", "Post not found: "+uri)
		return
	}
	c := b.cache()
	c.put(a)
	pv := b.postView(c, a, &s, now)
	root := &bskyThreadNode{Type: bskyThreadType, Post: &pv, ThreadContext: &struct{}{}}
	if s.kind == slotReply {
		if height > 0 {
			nf, parent := b.parentView(c, &s, now)
			if parent != nil {
				root.Parent = &bskyThreadNode{Type: bskyThreadType, Post: parent}
			} else {
				root.Parent = nf
			}
		}
		if depth > 0 {
			root.Replies = &[]any{}
		}
	} else if depth > 0 {
		nodes := s.thread(now, bskyMaxThreadTops)
		replies := b.replies(c, a, &s, nodes, -1, 1, depth)
		root.Replies = &replies
	}
	writeJSON(w, http.StatusOK, map[string]any{"thread": root})
}

// replies renders the children of parent (-1 = the post) at level.
func (b *bsky) replies(c *accounts, a *account, s *slot, nodes []node, parent, level, depth int) []any {
	var kids []int
	if parent < 0 {
		for i := range nodes {
			if nodes[i].parent < 0 {
				kids = append(kids, i)
			}
		}
		sort.SliceStable(kids, func(x, y int) bool {
			nx, ny := &nodes[kids[x]], &nodes[kids[y]]
			if nx.likes != ny.likes {
				return nx.likes > ny.likes
			}
			return nx.ms < ny.ms
		})
	} else {
		kids = nodes[parent].children
		sort.SliceStable(kids, func(x, y int) bool { return nodes[kids[x]].byCreator && !nodes[kids[y]].byCreator })
	}
	out := []any{}
	rootRef := bskyStrongRef{CID: cid("bafyrei", s.key), URI: b.postURI(a, s)}
	for _, i := range kids {
		n := &nodes[i]
		switch n.state {
		case nodeHidden:
			continue
		case nodeNotFound:
			out = append(out, bskyNotFound{Type: bskyNotFoundType, URI: b.nodeURI(c, n), NotFound: true})
			continue
		case nodeBlocked:
			bl := bskyBlocked{Type: bskyBlockedType, URI: b.nodeURI(c, n), Blocked: true}
			bl.Author.DID = b.did(c.get(n.author))
			out = append(out, bl)
			continue
		}
		parentRef := rootRef
		if n.parent >= 0 {
			p := &nodes[n.parent]
			parentRef = bskyStrongRef{CID: cid("bafyrei", p.key), URI: b.nodeURI(c, p)}
		}
		author := c.get(n.author)
		pv := bskyPostView{
			URI: b.nodeURI(c, n), CID: cid("bafyrei", n.key), Author: b.basic(author),
			Record: bskyRecord{Type: bskyPostNSID, CreatedAt: isoMs(n.ms), Langs: []string{n.lang},
				Reply: &bskyReplyRef{Parent: parentRef, Root: rootRef}, Text: n.text},
			ReplyCount: int64(len(n.children)), LikeCount: n.likes,
			IndexedAt: isoMs(n.ms + int64(n.key%900)), Labels: []any{},
		}
		node := &bskyThreadNode{Type: bskyThreadType, Post: &pv}
		if level < depth {
			sub := b.replies(c, a, s, nodes, i, level+1, depth)
			node.Replies = &sub
		}
		out = append(out, node)
	}
	return out
}

// Follows.

// follow is the k-th account a follows, newest first, without repeats: of
// every 20 follows, 12 are creators of the same niche, 5 creators of other
// niches and 3 fans; each pool is walked in a permuted order and, once
// exhausted, spills over to fans.
func (p *Population) follow(a *account, k int) acctRef {
	pr := newRNG(hashv(a.key, tagFollow))
	offN, stN, offO, stO, offF, stF := pr.next(), pr.next(), pr.next(), pr.next(), pr.next(), pr.next()
	nn := len(niches)
	first := (a.niche - p.nicheOffset(a.pl) + 2*nn) % nn
	cnt := p.nicheCount(a.pl, a.niche)
	others := p.size - cnt
	fans := p.audience - podRings*podRingSize
	fan := func(j int) acctRef {
		return acctRef{kind: kindAudience, idx: podRings*podRingSize + int((offF+uint64(j)*coprime(stF, fans))%uint64(fans))}
	}
	spill := a.following + k // fan indexes no branch below uses
	block, r := k/20, k%20
	switch {
	case r < 12:
		j := block*12 + r
		if j >= cnt {
			return fan(spill)
		}
		ref := acctRef{kind: kindCreator, idx: p.nicheMember(a.pl, a.niche, int((offN+uint64(j)*coprime(stN, cnt))%uint64(cnt)))}
		if ref == a.ref {
			return fan(spill)
		}
		return ref
	case r < 17:
		j := block*5 + r - 12
		if j >= others {
			return fan(spill)
		}
		o := int((offO + uint64(j)*coprime(stO, others)) % uint64(others))
		res := o % (nn - 1)
		if res >= first {
			res++
		}
		idx := (o/(nn-1))*nn + res
		if idx >= p.size {
			return fan(spill)
		}
		return acctRef{kind: kindCreator, idx: idx}
	}
	return fan(block*3 + r - 17)
}

func coprime(x uint64, n int) uint64 {
	if n <= 1 {
		return 1
	}
	s := x%uint64(n) | 1
	for gcd(s, uint64(n)) != 1 {
		s++
	}
	return s
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func (b *bsky) getFollows(w http.ResponseWriter, r *http.Request) {
	a, ok := b.actor(w, r)
	if !ok {
		return
	}
	limit, ok := b.limit(w, r, 50)
	if !ok {
		return
	}
	pos, ok := b.cursor(w, r)
	if !ok {
		return
	}
	start := 0
	if pos != ^uint64(0) {
		start = int(min(pos, uint64(a.following)))
	}
	now := b.now().UnixMilli()
	c := b.cache()
	follows := []bskyProfile{}
	end := min(start+limit, a.following)
	for k := start; k < end; k++ {
		follows = append(follows, b.view(c.get(b.pop.follow(a, k)), now))
	}
	out := map[string]any{"subject": b.view(a, now), "follows": follows}
	if end < a.following {
		out["cursor"] = b.encodeCursor(uint64(end))
	}
	writeJSON(w, http.StatusOK, out)
}

// getFollowers serves the creator's follower list, newest first, as
// profileViews (no counts: a client asks getProfiles for those).
func (b *bsky) getFollowers(w http.ResponseWriter, r *http.Request) {
	a, ok := b.actor(w, r)
	if !ok {
		return
	}
	limit, ok := b.limit(w, r, 50)
	if !ok {
		return
	}
	pos, ok := b.cursor(w, r)
	if !ok {
		return
	}
	now := b.now()
	total := a.followerCount(now)
	start := 0
	if pos != ^uint64(0) {
		start = int(min(pos, uint64(total)))
	}
	ms := now.UnixMilli()
	c := b.cache()
	followers := []bskyProfile{}
	end := min(start+limit, total)
	for k := start; k < end; k++ {
		followers = append(followers, b.view(c.get(b.pop.follower(a, k)), ms))
	}
	out := map[string]any{"subject": b.view(a, ms), "followers": followers}
	if end < total {
		out["cursor"] = b.encodeCursor(uint64(end))
	}
	writeJSON(w, http.StatusOK, out)
}

// Search and sessions.

func (b *bsky) searchPosts(w http.ResponseWriter, r *http.Request) {
	if !bearer(r) {
		xrpcError(w, http.StatusForbidden, "AuthMissing", "Authentication Required")
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Error: Params must have the property "q"`)
		return
	}
	limit, ok := b.limit(w, r, 25)
	if !ok {
		return
	}
	offset := 0
	if cur := r.URL.Query().Get("cursor"); cur != "" {
		n, err := strconv.Atoi(cur)
		if err != nil || n < 0 {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Malformed cursor")
			return
		}
		offset = n
	}
	now := b.now().UnixMilli()
	hits := b.search(strings.Fields(strings.ToLower(q)), now, offset, limit+1)
	c := b.cache()
	posts := []bskyPostView{}
	for i := range hits[:min(limit, len(hits))] {
		s := &hits[i]
		c.put(s.a)
		posts = append(posts, b.postView(c, s.a, s, now))
	}
	out := map[string]any{"posts": posts}
	if len(hits) > limit {
		out["cursor"] = strconv.Itoa(offset + limit)
	}
	writeJSON(w, http.StatusOK, out)
}

// search finds own posts containing every term, newest first, among the
// discovery pools of the niches the terms name (or a general pool).
func (s *site) search(terms []string, now int64, offset, limit int) []slot {
	if len(terms) == 0 {
		return nil
	}
	seen := map[int]bool{}
	var pools []int
	for _, t := range terms {
		for _, c := range nichesOfWord(strings.TrimPrefix(t, "#")) {
			if !seen[c] {
				seen[c] = true
				pools = append(pools, s.pop.pool(s.pl, c)...)
			}
		}
	}
	if len(pools) == 0 {
		pools = s.pop.pool(s.pl, -1)
	}
	match := matchTerms(terms)
	its := make([]*slotIter, 0, len(pools))
	for _, i := range pools {
		its = append(its, newSlotIter(s.account(acctRef{kind: kindCreator, idx: i}), now, ^uint64(0), match))
	}
	return mergeNewest(its, offset, limit)
}

func (b *bsky) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Request body must be JSON")
		return
	}
	if in.Identifier == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Error: Input must have the property "identifier"`)
		return
	}
	if in.Password == "" {
		xrpcError(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	a, ok := b.lookup(in.Identifier)
	if !ok {
		a = b.account(acctRef{kind: kindAudience, idx: podRings*podRingSize + int(strHash(in.Identifier)%uint64(b.pop.audience-podRings*podRingSize))})
	}
	d := b.did(a)
	now := b.now()
	jwt := func(scope string, ttl time.Duration) string {
		enc := base64.RawURLEncoding
		head := enc.EncodeToString([]byte(`{"typ":"at+jwt","alg":"ES256K"}`))
		claims, _ := json.Marshal(map[string]any{"scope": scope, "sub": d, "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "aud": "did:web:bsky.social"})
		sig := make([]byte, 64)
		rr := newRNG(hashv(b.key, tagToken, strHash(scope+d), uint64(now.UnixNano())))
		for i := range sig {
			sig[i] = byte(rr.next())
		}
		return head + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(sig)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"did": d, "handle": bskyHandle(b.pop, a), "email": a.user + "@example.com", "emailConfirmed": true, "emailAuthFactor": false,
		"accessJwt": jwt("com.atproto.access", 2*time.Hour), "refreshJwt": jwt("com.atproto.refresh", 90*24*time.Hour), "active": true,
	})
}
