package tiktok

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// handleRE is what TikTok allows in a uniqueId: letters, digits, '_' and '.'.
// The limit is generous (TikTok's own is 24) but keeps anything that is not a
// handle out of the URL.
var handleRE = regexp.MustCompile(`^[A-Za-z0-9_.]{1,64}$`)

// parseHandle accepts "name", "@name" or a profile or video URL
// (https://www.tiktok.com/@name/video/…) and returns the uniqueId.
func parseHandle(in string) (string, error) {
	s := strings.TrimSpace(in)
	if i := strings.Index(s, "tiktok.com/@"); i >= 0 {
		s = s[i+len("tiktok.com/"):]
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.TrimPrefix(s, "@")
	if s == "" {
		return "", fmt.Errorf("tiktok profile: empty handle")
	}
	if !handleRE.MatchString(s) {
		return "", fmt.Errorf("tiktok profile %q: not a TikTok handle (letters, digits, '_' and '.'); Profile needs the @name, the public page is not addressed by numeric id", in)
	}
	return s, nil
}

// profile is a parsed profile page.
type profile struct {
	creator model.Creator
	secUID  string
	first   *firstPage // videos the page embedded, if any
}

// firstPage is the list of videos a profile page embedded (legacy
// SIGI_STATE ItemModule, or userInfo.itemList): it serves as the first page
// of Posts without an item_list request.
type firstPage struct {
	where  string // where the items came from, for errors
	items  []json.RawMessage
	next   string
	handle string
	at     time.Time
}

// Profile reads https://www.tiktok.com/@<handle> (base_url/@<handle>) with
// colly and parses the JSON it embeds: __UNIVERSAL_DATA_FOR_REHYDRATION__
// (__DEFAULT_SCOPE__["webapp.user-detail"]) or, on the legacy layout,
// SIGI_STATE (UserModule). handleOrID is a handle, with or without '@', or a
// profile URL.
//
// Errors: robots.txt disallowing the page → ErrRobotsDisallowed and
// collectors.ErrForbidden, without a request; statusCode 10222 or
// privateAccount → collectors.ErrPrivate; statusCode 10202/10221 or an empty
// userInfo → collectors.ErrNotFound; a login, captcha or challenge page, a
// redirect to /login or an empty 200 page → collectors.ErrLoginWall; a page
// without either script, or counters missing → collectors.ErrMalformed.
func (c *Collector) Profile(ctx context.Context, handleOrID string) (model.Creator, error) {
	handle, err := parseHandle(handleOrID)
	if err != nil {
		return model.Creator{}, err
	}
	pr, err := c.readProfile(ctx, handle)
	if err != nil {
		return model.Creator{}, err
	}
	c.remember(pr)
	return pr.creator, nil
}

func (c *Collector) readProfile(ctx context.Context, handle string) (profile, error) {
	what := "profile page @" + handle
	pageURL := c.base + "/@" + handle
	if err := c.allowed(ctx, pageURL); err != nil {
		return profile{}, fmt.Errorf("%s: %w", what, err)
	}
	pg, err := c.fetchPage(ctx, pageURL)
	if err != nil {
		return profile{}, c.pageError(what, pg, err)
	}
	return c.parseProfilePage(what, handle, pg)
}

// pageError explains a failed page request.
func (c *Collector) pageError(what string, pg *page, err error) error {
	if pg == nil || pg.status == 0 {
		return fmt.Errorf("%s: %w", what, err)
	}
	if rerr := c.redirectError(what, pg.status, pg.header, err); rerr != nil {
		return rerr
	}
	if pg.wall != "" && !pg.hasUniv && !pg.hasSigi {
		return fmt.Errorf("%s: HTTP %d with %s: %w: %w", what, pg.status, pg.wall, collectors.ErrLoginWall, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

var errNoUserDetail = errors.New(`no __DEFAULT_SCOPE__["webapp.user-detail"]`)

func (c *Collector) parseProfilePage(what, handle string, pg *page) (profile, error) {
	if len(bytes.TrimSpace(pg.body)) == 0 {
		return profile{}, fmt.Errorf("%s: HTTP %d with an empty page (TikTok's bot defence answers refused requests this way): %w: %w",
			what, pg.status, ErrEmptyPage, collectors.ErrLoginWall)
	}
	if pg.hasUniv {
		pr, err := c.parseUniversal(what, pg.universal)
		if !errors.Is(err, errNoUserDetail) {
			return pr, err
		}
		if !pg.hasSigi {
			if pg.wall != "" {
				return profile{}, fmt.Errorf("%s: %s: %w", what, pg.wall, collectors.ErrLoginWall)
			}
			return profile{}, fmt.Errorf("%s: %s script: %w: %w", what, universalScriptID, err, collectors.ErrMalformed)
		}
	}
	if pg.hasSigi {
		return c.parseSigi(what, handle, pg.sigi)
	}
	if pg.wall != "" {
		return profile{}, fmt.Errorf("%s: %s: %w", what, pg.wall, collectors.ErrLoginWall)
	}
	return profile{}, fmt.Errorf("%s: no %s or %s script in the page (title %q); the page layout changed: %w",
		what, universalScriptID, sigiScriptID, pg.title, collectors.ErrMalformed)
}

// user is the part of TikTok's user object the collector reads.
type user struct {
	ID             flexString `json:"id"`
	UniqueID       string     `json:"uniqueId"`
	SecUID         string     `json:"secUid"`
	Nickname       string     `json:"nickname"`
	Signature      string     `json:"signature"`
	AvatarLarger   string     `json:"avatarLarger"`
	AvatarMedium   string     `json:"avatarMedium"`
	AvatarThumb    string     `json:"avatarThumb"`
	Verified       bool       `json:"verified"`
	PrivateAccount bool       `json:"privateAccount"`
	CreateTime     flexInt    `json:"createTime"`
	CreateTimeAlt  flexInt    `json:"create_time"` // only to name a rename in errors
	Language       string     `json:"language"`
	BioLink        *struct {
		Link string `json:"link"`
	} `json:"bioLink"`
}

// userDetail is __DEFAULT_SCOPE__["webapp.user-detail"].
type userDetail struct {
	StatusCode flexInt `json:"statusCode"`
	StatusMsg  string  `json:"statusMsg"`
	UserInfo   *struct {
		User     json.RawMessage            `json:"user"`
		Stats    map[string]json.RawMessage `json:"stats"`
		StatsV2  map[string]json.RawMessage `json:"statsV2"`
		ItemList []json.RawMessage          `json:"itemList"`
	} `json:"userInfo"`
}

func (c *Collector) parseUniversal(what, text string) (profile, error) {
	src := what + ": " + universalScriptID
	var root struct {
		Scope map[string]json.RawMessage `json:"__DEFAULT_SCOPE__"`
	}
	if err := json.Unmarshal([]byte(text), &root); err != nil {
		return profile{}, fmt.Errorf("%s: decoding JSON: %w: %v", src, collectors.ErrMalformed, err)
	}
	raw, ok := root.Scope["webapp.user-detail"]
	if !ok {
		return profile{}, errNoUserDetail
	}
	var d userDetail
	if err := json.Unmarshal(raw, &d); err != nil {
		return profile{}, fmt.Errorf("%s: decoding webapp.user-detail: %w: %v", src, collectors.ErrMalformed, err)
	}
	if d.StatusCode.n != 0 {
		return profile{}, &StatusError{Where: what, Code: int(d.StatusCode.n), Msg: d.StatusMsg}
	}
	if d.UserInfo == nil || isEmptyJSON(d.UserInfo.User) {
		return profile{}, fmt.Errorf("%s: webapp.user-detail has no userInfo (TikTok serves it empty for accounts that do not exist): %w",
			what, collectors.ErrNotFound)
	}
	var u user
	if err := json.Unmarshal(d.UserInfo.User, &u); err != nil {
		return profile{}, fmt.Errorf("%s: decoding userInfo.user: %w: %v", src, collectors.ErrMalformed, err)
	}
	if d.UserInfo.Stats == nil && d.UserInfo.StatsV2 == nil {
		return profile{}, &collectors.DriftError{Where: src, Field: "userInfo.stats"}
	}
	pr, err := c.profileOf(what, "userInfo.user", u, counters{where: src + ": userInfo.stats", stats: d.UserInfo.Stats, statsV2: d.UserInfo.StatsV2})
	if err != nil {
		return profile{}, err
	}
	if len(d.UserInfo.ItemList) > 0 {
		pr.first = &firstPage{
			where:  src + ": userInfo.itemList",
			items:  d.UserInfo.ItemList,
			next:   cursorAfter(d.UserInfo.ItemList),
			handle: pr.creator.Handle,
		}
	}
	return pr, nil
}

func isEmptyJSON(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null" || s == "{}"
}

// cursorAfter returns the item_list cursor that follows a list of videos:
// the last one's createTime in milliseconds (as TikTok's own cursors are),
// or "" when it cannot be read.
func cursorAfter(items []json.RawMessage) string {
	var last struct {
		CreateTime flexInt `json:"createTime"`
	}
	if json.Unmarshal(items[len(items)-1], &last) != nil || !last.CreateTime.set || last.CreateTime.n <= 0 {
		return ""
	}
	return fmt.Sprint(last.CreateTime.n * 1000)
}

// sigiState is the legacy SIGI_STATE layout.
type sigiState struct {
	UserModule *struct {
		Users map[string]json.RawMessage            `json:"users"`
		Stats map[string]map[string]json.RawMessage `json:"stats"`
	} `json:"UserModule"`
	ItemModule map[string]json.RawMessage `json:"ItemModule"`
	ItemList   map[string]struct {
		List    []flexString `json:"list"`
		HasMore flexInt      `json:"hasMore"`
		Cursor  flexString   `json:"cursor"`
	} `json:"ItemList"`
}

func (c *Collector) parseSigi(what, handle, text string) (profile, error) {
	src := what + ": " + sigiScriptID
	var st sigiState
	if err := json.Unmarshal([]byte(text), &st); err != nil {
		return profile{}, fmt.Errorf("%s: decoding JSON: %w: %v", src, collectors.ErrMalformed, err)
	}
	if st.UserModule == nil {
		return profile{}, fmt.Errorf("%s: UserModule is missing: %w", src, collectors.ErrMalformed)
	}
	key := handle
	if _, ok := st.UserModule.Users[key]; !ok {
		key = ""
		for k := range st.UserModule.Users {
			if strings.EqualFold(k, handle) {
				key = k
				break
			}
		}
	}
	if key == "" {
		return profile{}, fmt.Errorf("%s: UserModule.users has no %q: %w", what, handle, collectors.ErrNotFound)
	}
	var u user
	if err := json.Unmarshal(st.UserModule.Users[key], &u); err != nil {
		return profile{}, fmt.Errorf("%s: decoding UserModule.users[%q]: %w: %v", src, key, collectors.ErrMalformed, err)
	}
	stats, ok := st.UserModule.Stats[key]
	if !ok {
		return profile{}, &collectors.DriftError{Where: src, Field: fmt.Sprintf("UserModule.stats[%q]", key)}
	}
	pr, err := c.profileOf(what, fmt.Sprintf("UserModule.users[%q]", key), u, counters{where: fmt.Sprintf("%s: UserModule.stats[%q]", src, key), stats: stats})
	if err != nil {
		return profile{}, err
	}
	if items, next := sigiItems(st, pr.creator); len(items) > 0 {
		pr.first = &firstPage{where: src + ": ItemModule", items: items, next: next, handle: pr.creator.Handle}
	}
	return pr, nil
}

// sigiItems returns the creator's videos from ItemModule in the order of
// ItemList["user-post"].list (newest first), and the next item_list cursor.
func sigiItems(st sigiState, cr model.Creator) ([]json.RawMessage, string) {
	type head struct {
		Author     json.RawMessage `json:"author"`
		AuthorID   flexString      `json:"authorId"`
		CreateTime flexInt         `json:"createTime"`
	}
	mine := func(raw json.RawMessage) bool {
		var h head
		if json.Unmarshal(raw, &h) != nil {
			return true // let Posts report it
		}
		if h.AuthorID != "" {
			return string(h.AuthorID) == cr.ID
		}
		name, id := authorOf(h.Author)
		return (id == "" || id == cr.ID) && (name == "" || strings.EqualFold(name, cr.Handle))
	}
	var items []json.RawMessage
	list, hasList := st.ItemList["user-post"]
	if hasList && len(list.List) > 0 {
		for _, id := range list.List {
			if raw, ok := st.ItemModule[string(id)]; ok && mine(raw) {
				items = append(items, raw)
			}
		}
	} else {
		type entry struct {
			raw json.RawMessage
			t   int64
		}
		var es []entry
		for _, raw := range st.ItemModule {
			if !mine(raw) {
				continue
			}
			var h head
			_ = json.Unmarshal(raw, &h)
			es = append(es, entry{raw, h.CreateTime.n})
		}
		slices.SortStableFunc(es, func(a, b entry) int { return cmp.Compare(b.t, a.t) })
		for _, e := range es {
			items = append(items, e.raw)
		}
	}
	if len(items) == 0 {
		return nil, ""
	}
	next := ""
	switch {
	case hasList && list.HasMore.set:
		if list.HasMore.n != 0 && list.Cursor != "" && list.Cursor != "0" {
			next = string(list.Cursor)
		}
	default:
		next = cursorAfter(items)
	}
	return items, next
}

// profileOf builds the creator from a user object and its counters. where
// names the user object in errors.
func (c *Collector) profileOf(what, where string, u user, st counters) (profile, error) {
	id := string(u.ID)
	if id == "" {
		return profile{}, &collectors.DriftError{Where: what, Field: where + ".id"}
	}
	if u.UniqueID == "" {
		return profile{}, &collectors.DriftError{Where: what, Field: where + ".uniqueId"}
	}
	if u.PrivateAccount {
		return profile{}, fmt.Errorf("%s: user %s is a private account (privateAccount): %w", what, id, collectors.ErrPrivate)
	}
	if u.SecUID == "" {
		return profile{}, &collectors.DriftError{Where: what, Field: where + ".secUid"}
	}
	if !u.CreateTime.set { // 0 is allowed (unknown); an absent key is drift
		return profile{}, missingField(what+": "+where, "createTime", "create_time", u.CreateTimeAlt.set)
	}
	followers, err := st.required("followerCount")
	if err != nil {
		return profile{}, err
	}
	following, err := st.required("followingCount")
	if err != nil {
		return profile{}, err
	}
	videos, err := st.required("videoCount")
	if err != nil {
		return profile{}, err
	}
	cr := model.Creator{
		Platform:    Platform,
		ID:          id,
		Handle:      u.UniqueID,
		DisplayName: u.Nickname,
		Bio:         u.Signature,
		AvatarURL:   firstNonEmpty(u.AvatarLarger, u.AvatarMedium, u.AvatarThumb),
		URL:         WebURL + "/@" + u.UniqueID,
		Followers:   followers,
		Following:   following,
		PostsCount:  videos,
		Verified:    u.Verified,
		Language:    u.Language,
		FetchedAt:   c.now().UTC(),
	}
	if u.CreateTime.n > 0 {
		cr.CreatedAt = time.Unix(u.CreateTime.n, 0).UTC()
	}
	if u.BioLink != nil {
		if l := normaliseLink(u.BioLink.Link); l != "" {
			cr.Links = []string{l}
		}
	}
	return profile{creator: cr, secUID: u.SecUID}, nil
}

// normaliseLink turns the bio link TikTok stores without a scheme
// ("example.com") into a URL.
func normaliseLink(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.String()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// remember keeps a profile's secUid and embedded videos for Posts.
func (c *Collector) remember(pr profile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.secUIDs) >= maxRemembered {
		clear(c.secUIDs)
	}
	if len(c.firstPages) >= maxRemembered {
		clear(c.firstPages)
	}
	c.secUIDs[pr.creator.ID] = pr.secUID
	if pr.first != nil {
		fp := *pr.first
		fp.at = c.now()
		c.firstPages[pr.creator.ID] = fp
	} else {
		delete(c.firstPages, pr.creator.ID)
	}
}
