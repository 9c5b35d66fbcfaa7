package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"html"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the quota day ends at midnight America/Los_Angeles on any machine

	"github.com/nanoscout/nanoscout/model"
)

// YouTube: the Data API v3 under /youtube/youtube/v3/<resource> (a
// collector's base URL is the server URL + "/youtube", standing for
// https://www.googleapis.com) and the channel Atom feed under
// /youtube/feeds/videos.xml (standing for https://www.youtube.com), in the
// wire format of shared/fixtures/youtube.
//
// Every Data API call needs key=<any non-empty string> and costs quota units
// per key per day (Options.YouTubeQuota, default 10,000; search.list 100, the
// rest 1, also for invalid requests); a key out of quota gets Google's 403
// quotaExceeded until midnight America/Los_Angeles. The feed needs no key and
// costs nothing. Counts are strings; subscriberCount is rounded down to three
// significant figures and absent when the channel hides it; likeCount is
// absent on videos that hide likes, commentCount on videos with comments
// turned off (whose commentThreads answer 403 commentsDisabled).

func init() {
	registerPlatform(&platform{
		name:    "youtube",
		erBasis: basisViews,
		// (likes + comments) ÷ views, around configs/benchmarks.yaml:
		// nano 5.23 %, mega 1.41 %, geometric in between.
		bench: map[string][2]float64{
			model.TierBelow: {5.5, 7.5}, model.TierNano: {4.6, 5.9}, model.TierMicro: {3.3, 4.2},
			model.TierMid: {2.4, 3.0}, model.TierMacro: {1.7, 2.2}, model.TierMega: {1.2, 1.6},
		},
		replyShare: 0.05,
		reach: map[string][2]float64{
			model.TierBelow: {0.3, 1.5}, model.TierNano: {0.2, 0.9}, model.TierMicro: {0.1, 0.6},
			model.TierMid: {0.06, 0.35}, model.TierMacro: {0.04, 0.25}, model.TierMega: {0.02, 0.15},
		},
		postRate: 0.3, ownPostsOnly: true, wholeSeconds: true,
		privateShare: 0.03, likesHiddenShare: 0.03, commentsOffShare: 0.02,
		servedFollowers: floor3,
		defaultLimit:    Limit{Requests: 3000, Window: time.Minute},
		realLimit:       "10,000 quota units per day per project (search.list 100, other lists 1), reset at midnight Pacific; no published per-minute limit",
		accountID:       func(p *Population, a *account) string { return "UC" + ytChannelBody(p.keys["youtube"], a.ref) },
		handle:          func(_ *Population, a *account) string { return "@" + a.user },
		resolve:         ytResolve,
		tooMany: func(w http.ResponseWriter, r *http.Request) int {
			if strings.HasPrefix(r.URL.Path, "/feeds/") {
				w.Header().Set("Content-Type", "text/html; charset=UTF-8")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(googleErrorPage(http.StatusTooManyRequests, "Too Many Requests", "We're sorry, but you have sent too many requests to us recently.")))
				return http.StatusTooManyRequests
			}
			msg := "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'youtube.googleapis.com' for consumer 'project_number:0'."
			gError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", msg, "global", "rateLimitExceeded", "")
			return http.StatusTooManyRequests
		},
		serverError: func(r *http.Request, status int) (string, []byte) {
			if status == http.StatusBadGateway || strings.HasPrefix(r.URL.Path, "/feeds/") {
				return "text/html; charset=UTF-8", []byte(googleErrorPage(status, http.StatusText(status), "The server encountered a temporary error and could not complete your request. Please try again in 30 seconds."))
			}
			var buf bytes.Buffer
			if status == http.StatusServiceUnavailable {
				writeGoogleJSONTo(&buf, gErrBody(status, "UNAVAILABLE", "The service is currently unavailable.", "global", "backendError", ""))
			} else {
				writeGoogleJSONTo(&buf, gErrBody(status, "INTERNAL", "Internal error encountered.", "global", "backendError", ""))
			}
			return "application/json; charset=UTF-8", buf.Bytes()
		},
		notFound: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(googleErrorPage(http.StatusNotFound, "Not Found", "The requested URL "+html.EscapeString(r.URL.Path)+" was not found on this server.")))
		},
		drift: [][2]string{
			{"subscriberCount", "subscriber_count"}, {"viewCount", "view_count"}, {"likeCount", "like_count"},
			{"nextPageToken", "next_page_token"}, {"publishedAt", "published_at"}, {"commentCount", "comment_count"},
		},
		routes: func(s *site) []route {
			y := &yt{site: s, media: hashv(s.key, tagMedia), quota: newYTQuota(s.srv.opts.YouTubeQuota)}
			api := func(resource string, cost int, h func(http.ResponseWriter, *http.Request, ytParts)) route {
				return route{pattern: "GET /youtube/v3/" + resource, endpoint: "youtube/v3/" + resource, handler: y.api(cost, h)}
			}
			return []route{
				api("channels", 1, y.channels),
				api("playlistItems", 1, y.playlistItems),
				api("videos", 1, y.videos),
				api("commentThreads", 1, y.commentThreads),
				api("comments", 1, y.comments),
				api("search", 100, y.searchList),
				{pattern: "GET /feeds/videos.xml", endpoint: "feeds/videos.xml", handler: y.feed},
			}
		},
	})
}

// floor3 rounds n down to three significant figures, as YouTube shows
// subscriber counts.
func floor3(n int64) int64 {
	p := int64(1)
	for n/p >= 1000 {
		p *= 10
	}
	return n / p * p
}

// Identifiers.
//
//   - Channel ids: "UC" + 22 characters of unpadded base64url holding 16
//     bytes: a Feistel permutation (keyed by seed and platform) of
//     kind<<40|index, then a 64-bit check word. The uploads playlist is "UU"
//     + the same 22 characters. Handles are "@" + the account's name.
//   - Video ids: 11 characters of base64url holding 64 bits: a permutation
//     of (22-bit check, 22-bit account payload, 20-bit slot index).
//   - Comment thread ids: "Ug" + one of w–z + 16 characters (the 8 video id
//     bytes, the 24-bit index of the direct reply, an 8-bit check) +
//     "4AaABAg", like the real ones; reply ids are "<thread id>." + 22
//     characters.

func ytChannelBody(key uint64, ref acctRef) string {
	lo := feistel(key, uint64(ref.kind)<<40|uint64(ref.idx))
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], lo)
	binary.BigEndian.PutUint64(b[8:], hashv(key, tagCheck, lo))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func ytParseChannelBody(key uint64, body string) (acctRef, bool) {
	if len(body) != 22 {
		return acctRef{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(b) != 16 {
		return acctRef{}, false
	}
	lo := binary.BigEndian.Uint64(b[:8])
	if binary.BigEndian.Uint64(b[8:]) != hashv(key, tagCheck, lo) {
		return acctRef{}, false
	}
	v := feistelInverse(key, lo)
	if v>>40 > uint64(kindAudience) {
		return acctRef{}, false
	}
	return acctRef{kind: uint8(v >> 40), idx: int(v & (1<<40 - 1))}, true
}

// ytResolve maps a channel id, an uploads playlist id or a handle (with or
// without "@", any case) to its account.
func ytResolve(p *Population, s string) (acctRef, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 24 && (strings.HasPrefix(s, "UC") || strings.HasPrefix(s, "UU")) {
		if ref, ok := ytParseChannelBody(p.keys["youtube"], s[2:]); ok {
			return ref, true
		}
	}
	user := strings.ToLower(strings.TrimPrefix(s, "@"))
	return userRef(p, "youtube", user)
}

// userRef resolves an account name "<name><index>" (creators) or
// "<first>_<last><index>" (audience).
func userRef(p *Population, platform, user string) (acctRef, bool) {
	_, idx, ok := trailingNumber(user)
	if !ok {
		return acctRef{}, false
	}
	ref := acctRef{kind: kindCreator, idx: idx}
	if strings.Contains(user, "_") {
		ref.kind = kindAudience
	}
	if !p.valid(ref) || p.account(p.plats[platform], ref).user != user {
		return acctRef{}, false
	}
	return ref, true
}

const ytSlotBits = 20

func (y *yt) videoRaw(a *account, s *slot) uint64 {
	pl := a.ref.payload()
	m := uint64(s.m) & (1<<ytSlotBits - 1)
	chk := hashv(y.key, tagCheck, pl, m) & (1<<22 - 1)
	return feistel(y.media, chk<<42|pl<<ytSlotBits|m)
}

func rawID(v uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (y *yt) videoID(a *account, s *slot) string { return rawID(y.videoRaw(a, s)) }

// findVideo resolves a video id to its account and upload.
func (y *yt) findVideo(id string, now int64) (*account, slot, uint64, bool) {
	if len(id) != 11 {
		return nil, slot{}, 0, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil || len(b) != 8 {
		return nil, slot{}, 0, false
	}
	raw := binary.BigEndian.Uint64(b)
	v := feistelInverse(y.media, raw)
	chk, pl, m := v>>42, (v>>ytSlotBits)&(1<<22-1), v&(1<<ytSlotBits-1)
	if chk != hashv(y.key, tagCheck, pl, m)&(1<<22-1) {
		return nil, slot{}, 0, false
	}
	ref := refFromPayload(pl)
	if !y.pop.valid(ref) {
		return nil, slot{}, 0, false
	}
	a := y.account(ref)
	s := a.slot(int64(m))
	if s.kind != slotPost || s.ms > now || s.ms < a.windowStart(now) {
		return nil, slot{}, 0, false
	}
	return a, s, raw, true
}

func ytThreadID(key, video uint64, k int64) string {
	enc := feistel(hashv(key, tagComment, uint64(k)), video)
	mask := hashv(key, tagComment, enc)
	chk := hashv(key, tagCheck, video, uint64(k))
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], enc)
	km := uint64(k) ^ mask
	b[8], b[9], b[10], b[11] = byte(km>>16), byte(km>>8), byte(km), byte(chk)
	return "Ug" + string("wxyz"[(chk>>8)&3]) + base64.RawURLEncoding.EncodeToString(b[:]) + "4AaABAg"
}

func ytParseThreadID(key uint64, id string) (video uint64, k int64, ok bool) {
	if len(id) != 26 || !strings.HasPrefix(id, "Ug") || !strings.HasSuffix(id, "4AaABAg") {
		return 0, 0, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(id[3:19])
	if err != nil || len(b) != 12 {
		return 0, 0, false
	}
	enc := binary.BigEndian.Uint64(b[:8])
	km := uint64(b[8])<<16 | uint64(b[9])<<8 | uint64(b[10])
	k = int64((km ^ hashv(key, tagComment, enc)) & 0xffffff)
	video = feistelInverse(hashv(key, tagComment, uint64(k)), enc)
	chk := hashv(key, tagCheck, video, uint64(k))
	if b[11] != byte(chk) || id[2] != "wxyz"[(chk>>8)&3] {
		return 0, 0, false
	}
	return video, k, true
}

func ytReplyID(thread string, n *node) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hashv(n.key, 1))
	binary.BigEndian.PutUint64(b[8:], hashv(n.key, 2))
	return thread + "." + base64.RawURLEncoding.EncodeToString(b[:])
}

// etag is a current-style (unquoted) etag of v.
func etag(parts ...uint64) string {
	var b [20]byte
	h := hashv(parts...)
	for i := 0; i < 20; i += 8 {
		var x [8]byte
		binary.BigEndian.PutUint64(x[:], hashv(h, uint64(i)))
		copy(b[i:], x[:])
	}
	return base64.RawURLEncoding.EncodeToString(b[:])[:27]
}

// Page tokens. Offset tokens have the real protobuf form ("CAUQAA" is
// offset 5); comment-thread tokens are opaque and checked.

func offsetToken(n int) string {
	b := []byte{0x08}
	b = binary.AppendUvarint(b, uint64(n))
	b = append(b, 0x10, 0x00)
	return base64.RawStdEncoding.EncodeToString(b)
}

func parseOffsetToken(t string) (int, bool) {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(t, "="))
	if err != nil || len(b) < 4 || b[0] != 0x08 {
		return 0, false
	}
	n, w := binary.Uvarint(b[1:])
	if w <= 0 || len(b) != 1+w+2 || b[1+w] != 0x10 || b[2+w] != 0x00 || n > 1<<30 {
		return 0, false
	}
	return int(n), true
}

func (y *yt) threadToken(mode byte, pos int64, video uint64) string {
	var b [16]byte
	b[0] = mode
	binary.BigEndian.PutUint32(b[1:5], uint32(pos))
	binary.BigEndian.PutUint64(b[5:13], hashv(y.key, tagCursor, uint64(mode), uint64(pos), video))
	copy(b[13:], "ADS")
	return base64.StdEncoding.EncodeToString(b[:])
}

func (y *yt) parseThreadToken(t string, video uint64) (mode byte, pos int64, ok bool) {
	b, err := base64.StdEncoding.DecodeString(t)
	if err != nil || len(b) != 16 {
		return 0, 0, false
	}
	mode, pos = b[0], int64(binary.BigEndian.Uint32(b[1:5]))
	if binary.BigEndian.Uint64(b[5:13]) != hashv(y.key, tagCursor, uint64(mode), uint64(pos), video) {
		return 0, 0, false
	}
	return mode, pos, true
}

// Errors in Google's envelope.

type gErrItem struct {
	Message      string `json:"message"`
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

type gErrInner struct {
	Code    int        `json:"code"`
	Message string     `json:"message"`
	Errors  []gErrItem `json:"errors"`
	Status  string     `json:"status,omitempty"`
}

type gErr struct {
	Error gErrInner `json:"error"`
}

func gErrBody(code int, status, msg, domain, reason, param string) gErr {
	it := gErrItem{Message: msg, Domain: domain, Reason: reason}
	if param != "" {
		it.Location, it.LocationType = param, "parameter"
	}
	return gErr{Error: gErrInner{Code: code, Message: msg, Errors: []gErrItem{it}, Status: status}}
}

func gError(w http.ResponseWriter, code int, status, msg, domain, reason, param string) {
	writeGoogleJSON(w, code, gErrBody(code, status, msg, domain, reason, param))
}

// ytQuotaExceeded is Google's body, verbatim as in
// shared/fixtures/youtube/error_403_quotaExceeded.json.
const ytQuotaExceeded = `{
  "error": {
    "code": 403,
    "message": "The request cannot be completed because you have exceeded your \u003ca href=\"/youtube/v3/getting-started#quota\"\u003equota\u003c/a\u003e.",
    "errors": [
      {
        "message": "The request cannot be completed because you have exceeded your \u003ca href=\"/youtube/v3/getting-started#quota\"\u003equota\u003c/a\u003e.",
        "domain": "youtube.quota",
        "reason": "quotaExceeded"
      }
    ]
  }
}
`

const ytMissingKey = "The request is missing a valid API key."

// writeGoogleJSON writes v as Google's APIs do: indented by two spaces, with
// < and > escaped.
func writeGoogleJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := writeGoogleJSONTo(&buf, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Vary", "Origin, X-Origin, Referer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func writeGoogleJSONTo(buf *bytes.Buffer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	// Google escapes < and > but leaves & as it is.
	buf.Write(bytes.ReplaceAll(bytes.ReplaceAll(b.Bytes(), []byte("<"), []byte(`\u003c`)), []byte(">"), []byte(`\u003e`)))
	return nil
}

func googleErrorPage(code int, title, msg string) string {
	return "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error " + strconv.Itoa(code) + " (" + title + ")!!1</title>\n" +
		"  <p><b>" + strconv.Itoa(code) + ".</b> <ins>That’s an error.</ins>\n  <p>" + msg + "  <ins>That’s all we know.</ins>\n"
}

// Quota: units per key per Pacific day.

type ytQuota struct {
	mu    sync.Mutex
	limit int
	loc   *time.Location
	used  map[string]ytUse
}

type ytUse struct {
	day   string
	units int
}

func newYTQuota(limit int) *ytQuota {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		loc = time.FixedZone("PST", -8*3600)
	}
	return &ytQuota{limit: limit, loc: loc, used: map[string]ytUse{}}
}

// take charges cost units to key at now, or refuses when the day's quota
// would be exceeded.
func (q *ytQuota) take(key string, cost int, now time.Time) bool {
	if q.limit < 0 {
		return true
	}
	day := now.In(q.loc).Format("2006-01-02")
	q.mu.Lock()
	defer q.mu.Unlock()
	u := q.used[key]
	if u.day != day {
		u = ytUse{day: day}
	}
	if u.units+cost > q.limit {
		q.used[key] = u
		return false
	}
	u.units += cost
	q.used[key] = u
	return true
}

type yt struct {
	*site
	media uint64
	quota *ytQuota
}

// ytParts is the request's part parameter.
type ytParts map[string]bool

// api wraps a Data API handler with the key check, the quota and the part
// parameter.
func (y *yt) api(cost int, h func(http.ResponseWriter, *http.Request, ytParts)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		if strings.TrimSpace(key) == "" {
			gError(w, http.StatusForbidden, "PERMISSION_DENIED", ytMissingKey, "global", "forbidden", "")
			return
		}
		if !y.quota.take(key, cost, y.now()) {
			y.st.quota(key, 0)
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(ytQuotaExceeded))
			return
		}
		y.st.quota(key, int64(cost))
		part := r.URL.Query().Get("part")
		if part == "" {
			gError(w, http.StatusBadRequest, "", "Required parameter: part", "global", "required", "part")
			return
		}
		parts := ytParts{}
		for p := range strings.SplitSeq(part, ",") {
			parts[strings.TrimSpace(p)] = true
		}
		h(w, r, parts)
	}
}

// maxResults reads maxResults in [lo, hi], default def.
func (y *yt) maxResults(w http.ResponseWriter, r *http.Request, def, lo, hi int) (int, bool) {
	n, ok := intParam(r, "maxResults", def)
	if !ok || n < lo || n > hi {
		msg := "Invalid value '" + r.URL.Query().Get("maxResults") + "'. Values must be within the range: [" + strconv.Itoa(lo) + ", " + strconv.Itoa(hi) + "]"
		gError(w, http.StatusBadRequest, "INVALID_ARGUMENT", msg, "youtube.parameter", "invalidParameter", "maxResults")
		return 0, false
	}
	return n, true
}

func (y *yt) badToken(w http.ResponseWriter) {
	gError(w, http.StatusBadRequest, "", "The request specifies an invalid page token.", "youtube.parameter", "invalidPageToken", "pageToken")
}

// Wire types, field order as in the recordings.

type ytPageInfo struct {
	TotalResults   int `json:"totalResults"`
	ResultsPerPage int `json:"resultsPerPage"`
}

type ytThumb struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type ytThumbs struct {
	Default  ytThumb  `json:"default"`
	Medium   ytThumb  `json:"medium"`
	High     ytThumb  `json:"high"`
	Standard *ytThumb `json:"standard,omitempty"`
	Maxres   *ytThumb `json:"maxres,omitempty"`
}

type ytLocalized struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

type ytChannelSnippet struct {
	Title       string      `json:"title"`
	Description string      `json:"description"`
	CustomURL   string      `json:"customUrl"`
	PublishedAt string      `json:"publishedAt"`
	Thumbnails  ytThumbs    `json:"thumbnails"`
	Localized   ytLocalized `json:"localized"`
	Country     string      `json:"country,omitempty"`
}

type ytChannelStats struct {
	ViewCount             string  `json:"viewCount"`
	SubscriberCount       *string `json:"subscriberCount,omitempty"`
	HiddenSubscriberCount bool    `json:"hiddenSubscriberCount"`
	VideoCount            string  `json:"videoCount"`
}

type ytRelated struct {
	Likes   string `json:"likes"`
	Uploads string `json:"uploads"`
}

type ytChannelDetails struct {
	RelatedPlaylists ytRelated `json:"relatedPlaylists"`
}

type ytChannel struct {
	Kind           string            `json:"kind"`
	Etag           string            `json:"etag"`
	ID             string            `json:"id"`
	Snippet        *ytChannelSnippet `json:"snippet,omitempty"`
	ContentDetails *ytChannelDetails `json:"contentDetails,omitempty"`
	Statistics     *ytChannelStats   `json:"statistics,omitempty"`
}

type ytVideoSnippet struct {
	PublishedAt          string      `json:"publishedAt"`
	ChannelID            string      `json:"channelId"`
	Title                string      `json:"title"`
	Description          string      `json:"description"`
	Thumbnails           ytThumbs    `json:"thumbnails"`
	ChannelTitle         string      `json:"channelTitle"`
	Tags                 []string    `json:"tags,omitempty"`
	CategoryID           string      `json:"categoryId"`
	LiveBroadcastContent string      `json:"liveBroadcastContent"`
	DefaultLanguage      string      `json:"defaultLanguage,omitempty"`
	Localized            ytLocalized `json:"localized"`
	DefaultAudioLanguage string      `json:"defaultAudioLanguage,omitempty"`
}

type ytVideoDetails struct {
	Duration        string `json:"duration"`
	Dimension       string `json:"dimension"`
	Definition      string `json:"definition"`
	Caption         string `json:"caption"`
	LicensedContent bool   `json:"licensedContent"`
	Projection      string `json:"projection"`
}

type ytVideoStatus struct {
	UploadStatus        string `json:"uploadStatus"`
	PrivacyStatus       string `json:"privacyStatus"`
	License             string `json:"license"`
	Embeddable          bool   `json:"embeddable"`
	PublicStatsViewable bool   `json:"publicStatsViewable"`
}

type ytVideoStats struct {
	ViewCount     string  `json:"viewCount"`
	LikeCount     *string `json:"likeCount,omitempty"`
	FavoriteCount string  `json:"favoriteCount"`
	CommentCount  *string `json:"commentCount,omitempty"`
}

type ytVideo struct {
	Kind           string          `json:"kind"`
	Etag           string          `json:"etag"`
	ID             string          `json:"id"`
	Snippet        *ytVideoSnippet `json:"snippet,omitempty"`
	ContentDetails *ytVideoDetails `json:"contentDetails,omitempty"`
	Status         *ytVideoStatus  `json:"status,omitempty"`
	Statistics     *ytVideoStats   `json:"statistics,omitempty"`
}

type ytResourceID struct {
	Kind      string `json:"kind"`
	VideoID   string `json:"videoId,omitempty"`
	ChannelID string `json:"channelId,omitempty"`
}

type ytItemSnippet struct {
	PublishedAt  string       `json:"publishedAt"`
	ChannelID    string       `json:"channelId"`
	Title        string       `json:"title"`
	Description  string       `json:"description"`
	Thumbnails   ytThumbs     `json:"thumbnails"`
	ChannelTitle string       `json:"channelTitle"`
	PlaylistID   string       `json:"playlistId"`
	Position     int          `json:"position"`
	ResourceID   ytResourceID `json:"resourceId"`
}

type ytItemDetails struct {
	VideoID          string `json:"videoId"`
	VideoPublishedAt string `json:"videoPublishedAt"`
}

type ytPlaylistItem struct {
	Kind           string         `json:"kind"`
	Etag           string         `json:"etag"`
	ID             string         `json:"id"`
	Snippet        *ytItemSnippet `json:"snippet,omitempty"`
	ContentDetails *ytItemDetails `json:"contentDetails,omitempty"`
}

type ytList struct {
	Kind          string     `json:"kind"`
	Etag          string     `json:"etag"`
	NextPageToken string     `json:"nextPageToken,omitempty"`
	PrevPageToken string     `json:"prevPageToken,omitempty"`
	RegionCode    string     `json:"regionCode,omitempty"`
	PageInfo      ytPageInfo `json:"pageInfo"`
	Items         any        `json:"items,omitempty"`
}

type ytValue struct {
	Value string `json:"value"`
}

type ytCommentSnippet struct {
	AuthorDisplayName     string  `json:"authorDisplayName"`
	AuthorProfileImageURL string  `json:"authorProfileImageUrl"`
	AuthorChannelURL      string  `json:"authorChannelUrl"`
	AuthorChannelID       ytValue `json:"authorChannelId"`
	VideoID               string  `json:"videoId"`
	TextDisplay           string  `json:"textDisplay"`
	TextOriginal          string  `json:"textOriginal"`
	ParentID              string  `json:"parentId,omitempty"`
	CanRate               bool    `json:"canRate"`
	ViewerRating          string  `json:"viewerRating"`
	LikeCount             int64   `json:"likeCount"`
	PublishedAt           string  `json:"publishedAt"`
	UpdatedAt             string  `json:"updatedAt"`
}

type ytComment struct {
	Kind    string           `json:"kind"`
	Etag    string           `json:"etag"`
	ID      string           `json:"id"`
	Snippet ytCommentSnippet `json:"snippet"`
}

type ytThreadSnippet struct {
	VideoID         string    `json:"videoId"`
	TopLevelComment ytComment `json:"topLevelComment"`
	CanReply        bool      `json:"canReply"`
	TotalReplyCount int       `json:"totalReplyCount"`
	IsPublic        bool      `json:"isPublic"`
}

type ytReplies struct {
	Comments []ytComment `json:"comments"`
}

type ytThread struct {
	Kind    string          `json:"kind"`
	Etag    string          `json:"etag"`
	ID      string          `json:"id"`
	Snippet ytThreadSnippet `json:"snippet"`
	Replies *ytReplies      `json:"replies,omitempty"`
}

type ytSearchID struct {
	Kind      string `json:"kind"`
	VideoID   string `json:"videoId,omitempty"`
	ChannelID string `json:"channelId,omitempty"`
}

type ytSearchSnippet struct {
	PublishedAt          string   `json:"publishedAt"`
	ChannelID            string   `json:"channelId"`
	Title                string   `json:"title"`
	Description          string   `json:"description"`
	Thumbnails           ytThumbs `json:"thumbnails"`
	ChannelTitle         string   `json:"channelTitle"`
	LiveBroadcastContent string   `json:"liveBroadcastContent"`
}

type ytSearchResult struct {
	Kind    string          `json:"kind"`
	Etag    string          `json:"etag"`
	ID      ytSearchID      `json:"id"`
	Snippet ytSearchSnippet `json:"snippet"`
}

// Rendering.

// ytTime is YouTube's timestamp format.
func ytTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z") }

func (y *yt) channelID(a *account) string { return "UC" + ytChannelBody(y.key, a.ref) }

func (y *yt) avatar(a *account, size int) string {
	return "https://yt3.ggpht.com/" + rawID(hashv(a.key, 1)) + rawID(hashv(a.key, 2)) + "=s" + strconv.Itoa(size) + "-c-k-c0x00ffffff-no-rj"
}

func (y *yt) channelThumbs(a *account) ytThumbs {
	return ytThumbs{
		Default: ytThumb{y.avatar(a, 88), 88, 88}, Medium: ytThumb{y.avatar(a, 240), 240, 240}, High: ytThumb{y.avatar(a, 800), 800, 800},
	}
}

func videoThumbs(id string, full bool) ytThumbs {
	t := ytThumbs{
		Default: ytThumb{"https://i.ytimg.com/vi/" + id + "/default.jpg", 120, 90},
		Medium:  ytThumb{"https://i.ytimg.com/vi/" + id + "/mqdefault.jpg", 320, 180},
		High:    ytThumb{"https://i.ytimg.com/vi/" + id + "/hqdefault.jpg", 480, 360},
	}
	if full {
		t.Standard = &ytThumb{"https://i.ytimg.com/vi/" + id + "/sddefault.jpg", 640, 480}
		t.Maxres = &ytThumb{"https://i.ytimg.com/vi/" + id + "/maxresdefault.jpg", 1280, 720}
	}
	return t
}

var langCountry = map[string]string{"en": "US", "nl": "NL", "de": "DE", "fr": "FR", "es": "ES"}

// uploads counts an account's uploads and their views at now.
func uploads(a *account, now int64) (n, views int64) {
	a.eachSlot(now, ^uint64(0), func(s *slot) bool {
		if s.kind == slotPost {
			n++
			views += s.metrics(now).views
		}
		return true
	})
	return n, views
}

func (y *yt) channel(a *account, now time.Time, parts ytParts) ytChannel {
	id := y.channelID(a)
	c := ytChannel{Kind: "youtube#channel", Etag: etag(a.key, uint64(now.Unix()/3600)), ID: id}
	if parts["snippet"] {
		title, desc := a.displayName(), a.bio()
		c.Snippet = &ytChannelSnippet{
			Title: title, Description: desc, CustomURL: "@" + a.user, PublishedAt: isoMs(a.createdMs),
			Thumbnails: y.channelThumbs(a), Localized: ytLocalized{title, desc},
		}
		if a.key%5 < 3 {
			c.Snippet.Country = langCountry[a.lang]
		}
	}
	if parts["contentDetails"] {
		c.ContentDetails = &ytChannelDetails{RelatedPlaylists: ytRelated{Likes: "", Uploads: "UU" + id[2:]}}
	}
	if parts["statistics"] {
		n, views := uploads(a, now.UnixMilli())
		st := &ytChannelStats{ViewCount: strconv.FormatInt(views, 10), HiddenSubscriberCount: a.private, VideoCount: strconv.FormatInt(n, 10)}
		if !a.private {
			subs := strconv.FormatInt(a.shownFollowers(now), 10)
			st.SubscriberCount = &subs
		}
		c.Statistics = st
	}
	return c
}

// title and description of an upload: the caption's first paragraph (at
// most 100 characters) and the whole caption.
func ytTitle(text string) string {
	t, _, _ := strings.Cut(text, "\n\n")
	if r := []rune(t); len(r) > 100 {
		t = strings.TrimSpace(string(r[:99])) + "…"
	}
	return t
}

func (y *yt) video(a *account, s *slot, now int64, parts ytParts) ytVideo {
	id := y.videoID(a, s)
	v := ytVideo{Kind: "youtube#video", Etag: etag(s.key, uint64(now/3_600_000)), ID: id}
	ct := s.content()
	r := newRNG(hashv(s.key, tagMedia))
	if parts["snippet"] {
		title := ytTitle(ct.text)
		v.Snippet = &ytVideoSnippet{
			PublishedAt: ytTime(s.ms), ChannelID: y.channelID(a), Title: title, Description: ct.text,
			Thumbnails: videoThumbs(id, true), ChannelTitle: a.displayName(), Tags: ct.tags,
			CategoryID: []string{"22", "26", "24", "17", "19"}[r.intn(5)], LiveBroadcastContent: "none",
			Localized: ytLocalized{title, ct.text},
		}
		if r.chance(0.6) {
			v.Snippet.DefaultLanguage = ct.lang
		}
		if r.chance(0.7) {
			v.Snippet.DefaultAudioLanguage = a.lang
		}
	}
	if parts["contentDetails"] {
		secs := 60 + r.intn(25*60)
		d := "PT"
		if secs >= 60 {
			d += strconv.Itoa(secs/60) + "M"
		}
		if secs%60 > 0 {
			d += strconv.Itoa(secs%60) + "S"
		}
		v.ContentDetails = &ytVideoDetails{Duration: d, Dimension: "2d", Definition: []string{"hd", "hd", "sd"}[r.intn(3)],
			Caption: strconv.FormatBool(r.chance(0.2)), LicensedContent: r.chance(0.5), Projection: "rectangular"}
	}
	if parts["status"] {
		v.Status = &ytVideoStatus{UploadStatus: "processed", PrivacyStatus: "public", License: "youtube", Embeddable: true, PublicStatsViewable: true}
	}
	if parts["statistics"] {
		m := s.metrics(now)
		st := &ytVideoStats{ViewCount: strconv.FormatInt(m.views, 10), FavoriteCount: "0"}
		if !m.likesHidden {
			l := strconv.FormatInt(m.likes, 10)
			st.LikeCount = &l
		}
		if !m.commentsOff {
			c := strconv.FormatInt(m.replies, 10)
			st.CommentCount = &c
		}
		v.Statistics = st
	}
	return v
}

// Handlers.

func (y *yt) channels(w http.ResponseWriter, r *http.Request, parts ytParts) {
	q := r.URL.Query()
	var found []*account
	requested := 0
	switch {
	case q.Get("id") != "":
		ids := strings.Split(q.Get("id"), ",")
		requested = len(ids)
		if len(ids) > 50 {
			gError(w, http.StatusBadRequest, "", "The request specifies an invalid filter parameter.", "youtube.parameter", "invalidFilters", "")
			return
		}
		for _, id := range ids {
			id = strings.TrimSpace(id)
			if !strings.HasPrefix(id, "UC") {
				continue
			}
			if a, ok := y.lookup(id); ok {
				found = append(found, a)
			}
		}
	case q.Get("forHandle") != "" || q.Get("forUsername") != "":
		requested = 1
		h := q.Get("forHandle")
		if h == "" {
			h = q.Get("forUsername")
		}
		if a, ok := y.lookup("@" + strings.TrimPrefix(strings.TrimSpace(h), "@")); ok {
			found = append(found, a)
		}
	default:
		gError(w, http.StatusBadRequest, "", "No filter selected. Expected one of: forUsername, id, managedByMe, categoryId, mine, mySubscribers, forHandle", "youtube.parameter", "missingRequiredParameter", "parameters.")
		return
	}
	now := y.now()
	var items []ytChannel
	for _, a := range found {
		if a.vanished {
			y.st.gone()
			continue
		}
		if a.private {
			y.st.privateAccount()
		}
		items = append(items, y.channel(a, now, parts))
	}
	out := ytList{Kind: "youtube#channelListResponse", Etag: etag(y.key, strHash(r.URL.RawQuery)), PageInfo: ytPageInfo{len(items), max(requested, len(items))}}
	if len(items) > 0 {
		out.Items = items
	} else {
		out.PageInfo.ResultsPerPage = 5
	}
	writeGoogleJSON(w, http.StatusOK, out)
}

func (y *yt) playlistItems(w http.ResponseWriter, r *http.Request, parts ytParts) {
	q := r.URL.Query()
	pid := q.Get("playlistId")
	if pid == "" {
		gError(w, http.StatusBadRequest, "", "No filter selected. Expected one of: id, playlistId", "youtube.parameter", "missingRequiredParameter", "parameters.")
		return
	}
	a, ok := y.lookup(pid)
	if !ok || !strings.HasPrefix(pid, "UU") || a.vanished {
		if ok && a.vanished {
			y.st.gone()
		}
		gError(w, http.StatusNotFound, "", "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.", "youtube.playlistItem", "playlistNotFound", "playlistId")
		return
	}
	limit, ok := y.maxResults(w, r, 5, 0, 50)
	if !ok {
		return
	}
	offset := 0
	if t := q.Get("pageToken"); t != "" {
		if offset, ok = parseOffsetToken(t); !ok {
			y.badToken(w)
			return
		}
	}
	now := y.now().UnixMilli()
	var items []ytPlaylistItem
	total := 0
	cid := y.channelID(a)
	a.eachSlot(now, ^uint64(0), func(s *slot) bool {
		if s.kind != slotPost {
			return true
		}
		if total >= offset && len(items) < limit {
			vid := y.videoID(a, s)
			it := ytPlaylistItem{Kind: "youtube#playlistItem", Etag: etag(s.key, 7), ID: base64.StdEncoding.EncodeToString([]byte(pid + "." + hex16(s.key)))}
			if parts["snippet"] {
				ct := s.content()
				it.Snippet = &ytItemSnippet{PublishedAt: ytTime(s.ms), ChannelID: cid, Title: ytTitle(ct.text), Description: ct.text,
					Thumbnails: videoThumbs(vid, true), ChannelTitle: a.displayName(), PlaylistID: pid, Position: total,
					ResourceID: ytResourceID{Kind: "youtube#video", VideoID: vid}}
			}
			if parts["contentDetails"] {
				it.ContentDetails = &ytItemDetails{VideoID: vid, VideoPublishedAt: ytTime(s.ms)}
			}
			items = append(items, it)
		}
		total++
		return true
	})
	out := ytList{Kind: "youtube#playlistItemListResponse", Etag: etag(y.key, strHash(r.URL.RawQuery), uint64(now/60000)),
		PageInfo: ytPageInfo{total, limit}, Items: nonNil(items)}
	if offset+limit < total && limit > 0 {
		out.NextPageToken = offsetToken(offset + limit)
	}
	if offset > 0 {
		out.PrevPageToken = offsetToken(max(0, offset-limit))
	}
	writeGoogleJSON(w, http.StatusOK, out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (y *yt) videos(w http.ResponseWriter, r *http.Request, parts ytParts) {
	idp := r.URL.Query().Get("id")
	if idp == "" {
		gError(w, http.StatusBadRequest, "", "No filter selected. Expected one of: chart, id, myRating", "youtube.parameter", "missingRequiredParameter", "parameters.")
		return
	}
	ids := strings.Split(idp, ",")
	if len(ids) > 50 {
		gError(w, http.StatusBadRequest, "", "The request specifies an invalid filter parameter.", "youtube.parameter", "invalidFilters", "")
		return
	}
	now := y.now().UnixMilli()
	items := []ytVideo{}
	for _, id := range ids {
		a, s, _, ok := y.findVideo(strings.TrimSpace(id), now)
		if !ok {
			continue
		}
		if a.vanished {
			y.st.gone()
			continue
		}
		items = append(items, y.video(a, &s, now, parts))
	}
	writeGoogleJSON(w, http.StatusOK, ytList{Kind: "youtube#videoListResponse", Etag: etag(y.key, strHash(idp), uint64(now/60000)),
		PageInfo: ytPageInfo{len(items), len(items)}, Items: items})
}

// videoForComments resolves the video of a comment request or answers the
// error.
func (y *yt) videoForComments(w http.ResponseWriter, id string, now int64) (*account, slot, uint64, bool) {
	a, s, raw, ok := y.findVideo(id, now)
	if !ok || a.vanished {
		if ok {
			y.st.gone()
		}
		gError(w, http.StatusNotFound, "", `The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code> parameter could not be found.`, "youtube.commentThread", "videoNotFound", "videoId")
		return nil, slot{}, 0, false
	}
	if s.commentsOff {
		gError(w, http.StatusForbidden, "", `The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code> parameter has disabled comments.`, "youtube.commentThread", "commentsDisabled", "videoId")
		return nil, slot{}, 0, false
	}
	return a, s, raw, true
}

// comment renders a comment node; to is the account it answers (for the
// "@handle " YouTube puts before answers within a conversation).
func (y *yt) comment(c *accounts, id, videoID, parentID string, n *node, to *account, plain bool) ytComment {
	author := c.get(n.author)
	text := n.text
	if to != nil {
		text = "@" + to.user + " " + text
	}
	display := text
	if !plain {
		display = strings.ReplaceAll(html.EscapeString(text), "\n", "<br>")
		if to != nil {
			display = `<a href="https://www.youtube.com/@` + to.user + `">@` + to.user + `</a> ` + strings.ReplaceAll(html.EscapeString(n.text), "\n", "<br>")
		}
	}
	ts := ytTime(n.ms)
	return ytComment{Kind: "youtube#comment", Etag: etag(n.key, 3), ID: id, Snippet: ytCommentSnippet{
		AuthorDisplayName: "@" + author.user, AuthorProfileImageURL: y.avatar(author, 48), AuthorChannelURL: "http://www.youtube.com/@" + author.user,
		AuthorChannelID: ytValue{y.channelID(author)}, VideoID: videoID, TextDisplay: display, TextOriginal: text, ParentID: parentID,
		CanRate: true, ViewerRating: "none", LikeCount: n.likes, PublishedAt: ts, UpdatedAt: ts,
	}}
}

// replies renders a conversation's replies from..to-1.
func (y *yt) replies(c *accounts, cv *convo, thread, videoID string, from, to int, plain bool) []ytComment {
	out := []ytComment{}
	for i := from; i < to && i < len(cv.replies); i++ {
		var ans *account
		if j := cv.replyTo[i]; j >= 0 {
			ans = c.get(cv.replies[j].author)
		}
		out = append(out, y.comment(c, ytReplyID(thread, &cv.replies[i]), videoID, thread, &cv.replies[i], ans, plain))
	}
	return out
}

func (y *yt) commentThreads(w http.ResponseWriter, r *http.Request, parts ytParts) {
	q := r.URL.Query()
	videoID := q.Get("videoId")
	if videoID == "" {
		gError(w, http.StatusBadRequest, "", "No filter selected. Expected one of: allThreadsRelatedToChannelId, id, videoId", "youtube.parameter", "missingRequiredParameter", "parameters.")
		return
	}
	limit, ok := y.maxResults(w, r, 20, 1, 100)
	if !ok {
		return
	}
	order := q.Get("order")
	if order == "" {
		order = "time"
	}
	if order != "time" && order != "relevance" {
		gError(w, http.StatusBadRequest, "", "Invalid value for order: "+order, "youtube.parameter", "invalidParameter", "order")
		return
	}
	now := y.now().UnixMilli()
	a, s, raw, ok := y.videoForComments(w, videoID, now)
	if !ok {
		return
	}
	var mode byte = 't'
	if order == "relevance" {
		mode = 'r'
	}
	low, high := s.listable(now)
	pos := high - 1
	if mode == 'r' {
		pos = 0
	}
	if t := q.Get("pageToken"); t != "" {
		m, p, ok := y.parseThreadToken(t, raw)
		if !ok || m != mode {
			y.badToken(w)
			return
		}
		pos = p
	}
	var page []convo
	next := ""
	if mode == 't' {
		var nk int64
		page, nk, _ = s.newestConvos(now, pos, limit)
		if nk >= 0 {
			next = y.threadToken(mode, nk, raw)
		}
	} else {
		var all []convo
		for k := high - 1; k >= low; k-- {
			if cv := s.convo(now, k); cv.top.state == nodeShown {
				all = append(all, cv)
			}
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].top.likes > all[j].top.likes })
		if int(pos) < len(all) {
			page = all[pos:min(len(all), int(pos)+limit)]
			if int(pos)+limit < len(all) {
				next = y.threadToken(mode, pos+int64(limit), raw)
			}
		}
	}
	c := y.cache()
	c.put(a)
	plain := q.Get("textFormat") == "plainText"
	items := []ytThread{}
	for i := range page {
		cv := &page[i]
		id := ytThreadID(y.key, raw, cv.k)
		th := ytThread{Kind: "youtube#commentThread", Etag: etag(cv.top.key, 4), ID: id, Snippet: ytThreadSnippet{
			VideoID: videoID, TopLevelComment: y.comment(c, id, videoID, "", &cv.top, nil, plain),
			CanReply: true, TotalReplyCount: len(cv.replies), IsPublic: true,
		}}
		if parts["replies"] && len(cv.replies) > 0 {
			th.Replies = &ytReplies{Comments: y.replies(c, cv, id, videoID, 0, 5, plain)}
		}
		items = append(items, th)
	}
	writeGoogleJSON(w, http.StatusOK, ytList{Kind: "youtube#commentThreadListResponse", Etag: etag(y.key, raw, uint64(pos), uint64(now/60000)),
		NextPageToken: next, PageInfo: ytPageInfo{len(items), limit}, Items: items})
}

func (y *yt) comments(w http.ResponseWriter, r *http.Request, _ ytParts) {
	q := r.URL.Query()
	parent := q.Get("parentId")
	if parent == "" {
		gError(w, http.StatusBadRequest, "", "No filter selected. Expected one of: id, parentId", "youtube.parameter", "missingRequiredParameter", "parameters.")
		return
	}
	limit, ok := y.maxResults(w, r, 20, 1, 100)
	if !ok {
		return
	}
	offset := 0
	if t := q.Get("pageToken"); t != "" {
		if offset, ok = parseOffsetToken(t); !ok {
			y.badToken(w)
			return
		}
	}
	notFound := func() {
		gError(w, http.StatusNotFound, "", "The comment identified by the <code>parentId</code> parameter could not be found.", "youtube.comment", "commentNotFound", "parentId")
	}
	raw, k, ok := ytParseThreadID(y.key, parent)
	if !ok {
		notFound()
		return
	}
	now := y.now().UnixMilli()
	videoID := rawID(raw)
	a, s, _, ok := y.findVideo(videoID, now)
	if !ok || a.vanished || k >= s.visible(now) {
		if ok && a.vanished {
			y.st.gone()
		}
		notFound()
		return
	}
	cv := s.convo(now, k)
	if cv.top.state != nodeShown {
		notFound()
		return
	}
	c := y.cache()
	c.put(a)
	items := y.replies(c, &cv, parent, videoID, offset, offset+limit, q.Get("textFormat") == "plainText")
	out := ytList{Kind: "youtube#commentListResponse", Etag: etag(cv.top.key, uint64(offset), uint64(now/60000)),
		PageInfo: ytPageInfo{len(items), limit}, Items: items}
	if offset+limit < len(cv.replies) {
		out.NextPageToken = offsetToken(offset + limit)
	}
	writeGoogleJSON(w, http.StatusOK, out)
}

// searchList finds videos (type=video, the default) or channels
// (type=channel) matching every term of q, among the discovery pools of the
// niches the terms name.
func (y *yt) searchList(w http.ResponseWriter, r *http.Request, _ ytParts) {
	q := r.URL.Query()
	limit, ok := y.maxResults(w, r, 5, 0, 50)
	if !ok {
		return
	}
	offset := 0
	if t := q.Get("pageToken"); t != "" {
		if offset, ok = parseOffsetToken(t); !ok {
			y.badToken(w)
			return
		}
	}
	typ := q.Get("type")
	terms := strings.Fields(strings.ToLower(q.Get("q")))
	now := y.now().UnixMilli()
	items := []ytSearchResult{}
	more := false
	switch {
	case strings.Contains(typ, "channel") && !strings.Contains(typ, "video"):
		var matched []*account
		for _, i := range y.searchPool(terms) {
			a := y.account(acctRef{kind: kindCreator, idx: i})
			if a.vanished || !channelMatches(a, terms) {
				continue
			}
			matched = append(matched, a)
			if len(matched) > offset+limit {
				break
			}
		}
		for i := offset; i < len(matched) && len(items) < limit; i++ {
			a := matched[i]
			id := y.channelID(a)
			items = append(items, ytSearchResult{Kind: "youtube#searchResult", Etag: etag(a.key, 5), ID: ytSearchID{Kind: "youtube#channel", ChannelID: id},
				Snippet: ytSearchSnippet{PublishedAt: isoMs(a.createdMs), ChannelID: id, Title: a.displayName(), Description: snip(a.bio()),
					Thumbnails: y.channelThumbs(a), ChannelTitle: a.displayName(), LiveBroadcastContent: "none"}})
		}
		more = len(matched) > offset+limit
	default:
		hits := y.searchVideos(terms, now, offset, limit+1)
		for i := range hits[:min(limit, len(hits))] {
			s := &hits[i]
			vid := y.videoID(s.a, s)
			ct := s.content()
			items = append(items, ytSearchResult{Kind: "youtube#searchResult", Etag: etag(s.key, 5), ID: ytSearchID{Kind: "youtube#video", VideoID: vid},
				Snippet: ytSearchSnippet{PublishedAt: ytTime(s.ms), ChannelID: y.channelID(s.a), Title: ytTitle(ct.text), Description: snip(ct.text),
					Thumbnails: videoThumbs(vid, false), ChannelTitle: s.a.displayName(), LiveBroadcastContent: "none"}})
		}
		more = len(hits) > limit
	}
	out := ytList{Kind: "youtube#searchListResponse", Etag: etag(y.key, strHash(r.URL.RawQuery), uint64(now/60000)), RegionCode: "US",
		PageInfo: ytPageInfo{offset + len(items), limit}, Items: items}
	if more && limit > 0 {
		out.NextPageToken = offsetToken(offset + limit)
		out.PageInfo.TotalResults = (offset + limit) * 20
	}
	if offset > 0 {
		out.PrevPageToken = offsetToken(max(0, offset-limit))
	}
	writeGoogleJSON(w, http.StatusOK, out)
}

// snip shortens a description as search results do.
func snip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		return string(r[:157]) + " ..."
	}
	return s
}

// searchPool lists the creators search looks at for terms.
func (y *yt) searchPool(terms []string) []int {
	seen := map[int]bool{}
	var pool []int
	for _, t := range terms {
		for _, c := range nichesOfWord(strings.TrimPrefix(t, "#")) {
			if !seen[c] {
				seen[c] = true
				pool = append(pool, y.pop.pool(y.pl, c)...)
			}
		}
	}
	if len(pool) == 0 {
		pool = y.pop.pool(y.pl, -1)
	}
	return pool
}

// channelMatches reports whether every term names the channel's niche or
// occurs in its handle or title.
func channelMatches(a *account, terms []string) bool {
	n := &niches[a.niche]
	for _, t := range terms {
		t = strings.TrimPrefix(t, "#")
		hit := strings.Contains(a.user, t) || strings.Contains(strings.ToLower(a.displayName()), t)
		for _, c := range nichesOfWord(t) {
			hit = hit || &niches[c] == n
		}
		if !hit {
			return false
		}
	}
	return len(terms) > 0
}

// searchVideos is site.search without channels that are gone.
func (y *yt) searchVideos(terms []string, now int64, offset, limit int) []slot {
	if len(terms) == 0 {
		return nil
	}
	match := matchTerms(terms)
	var its []*slotIter
	for _, i := range y.searchPool(terms) {
		a := y.account(acctRef{kind: kindCreator, idx: i})
		if !a.vanished {
			its = append(its, newSlotIter(a, now, ^uint64(0), match))
		}
	}
	return mergeNewest(its, offset, limit)
}

// feed serves the channel's Atom feed: its latest 15 uploads.
func (y *yt) feed(w http.ResponseWriter, r *http.Request) {
	cid := r.URL.Query().Get("channel_id")
	a, ok := y.lookup(cid)
	if !ok || !strings.HasPrefix(cid, "UC") || a.vanished {
		if ok && a.vanished {
			y.st.gone()
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(googleErrorPage(http.StatusNotFound, "Not Found", "The requested URL was not found on this server.")))
		return
	}
	now := y.now().UnixMilli()
	name := xmlEscape(a.displayName())
	chURL := "https://www.youtube.com/channel/" + cid
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">` + "\n")
	b.WriteString(` <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=` + cid + `"/>` + "\n")
	b.WriteString(" <id>yt:channel:" + cid[2:] + "</id>\n <yt:channelId>" + cid[2:] + "</yt:channelId>\n <title>" + name + "</title>\n")
	b.WriteString(` <link rel="alternate" href="` + chURL + `"/>` + "\n")
	b.WriteString(" <author>\n  <name>" + name + "</name>\n  <uri>" + chURL + "</uri>\n </author>\n")
	b.WriteString(" <published>" + atomTime(a.createdMs) + "</published>\n")
	n := 0
	a.eachSlot(now, ^uint64(0), func(s *slot) bool {
		if s.kind != slotPost {
			return true
		}
		vid := y.videoID(a, s)
		ct := s.content()
		m := s.metrics(now)
		title := xmlEscape(ytTitle(ct.text))
		likes := m.likes
		if m.likesHidden {
			likes = 0
		}
		updated := s.ms + int64(hashv(s.key, 9)%uint64(max(1, now-s.ms)))
		b.WriteString(" <entry>\n  <id>yt:video:" + vid + "</id>\n  <yt:videoId>" + vid + "</yt:videoId>\n  <yt:channelId>" + cid + "</yt:channelId>\n")
		b.WriteString("  <title>" + title + "</title>\n")
		b.WriteString(`  <link rel="alternate" href="https://www.youtube.com/watch?v=` + vid + `"/>` + "\n")
		b.WriteString("  <author>\n   <name>" + name + "</name>\n   <uri>" + chURL + "</uri>\n  </author>\n")
		b.WriteString("  <published>" + atomTime(s.ms) + "</published>\n  <updated>" + atomTime(updated) + "</updated>\n")
		b.WriteString("  <media:group>\n   <media:title>" + title + "</media:title>\n")
		b.WriteString(`   <media:content url="https://www.youtube.com/v/` + vid + `?version=3" type="application/x-shockwave-flash" width="640" height="390"/>` + "\n")
		b.WriteString(`   <media:thumbnail url="https://i` + strconv.Itoa(1+int(s.key%4)) + `.ytimg.com/vi/` + vid + `/hqdefault.jpg" width="480" height="360"/>` + "\n")
		b.WriteString("   <media:description>" + xmlEscape(ct.text) + "</media:description>\n")
		b.WriteString("   <media:community>\n")
		b.WriteString(`    <media:starRating count="` + strconv.FormatInt(likes, 10) + `" average="5.00" min="1" max="5"/>` + "\n")
		b.WriteString(`    <media:statistics views="` + strconv.FormatInt(m.views, 10) + `"/>` + "\n")
		b.WriteString("   </media:community>\n  </media:group>\n </entry>\n")
		n++
		return n < 15
	})
	b.WriteString("</feed>\n")
	w.Header().Set("Content-Type", "application/atom+xml; charset=UTF-8")
	_, _ = w.Write([]byte(b.String()))
}

func atomTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05+00:00") }

func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
