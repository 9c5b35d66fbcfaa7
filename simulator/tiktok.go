package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nanoscout/nanoscout/model"
)

// TikTok: the public web endpoints under /tiktok (a collector's base URL is
// the server URL + "/tiktok", standing for https://www.tiktok.com), in the
// shapes of shared/fixtures/tiktok:
//
//   - /@<uniqueId>: the profile page, with the data in
//     <script id="__UNIVERSAL_DATA_FOR_REHYDRATION__"> (or, for a fixed ~20 %
//     of creators, the legacy <script id="SIGI_STATE">), slashes escaped as
//     \u002F. statusCode 0 = ok, 10222 = private (userInfo.user only, no
//     stats), 10202 = no such account, 10221 = banned; always HTTP 200.
//   - /api/post/item_list/?secUid=&cursor=<ms>&count=(16, ≤35): videos older
//     than cursor, newest first; the next cursor is the last createTime×1000.
//   - /api/comment/list/?aweme_id=&cursor=<offset>&count=(20, ≤50) and
//     /api/comment/list/reply/?item_id=&comment_id=&cursor=&count=.
//   - /robots.txt.
//
// TikTok publishes no rate limit: past the window the simulator answers 429
// with an empty body and no rate-limit headers. Login walls (Faults.
// LoginWallRate) answer the profile and API paths with an HTML login page,
// HTTP 200.

const ttRobots = `User-agent: *
Allow: /@
Allow: /api/
Allow: /robots.txt
Disallow: /private/
Disallow: /inbox/
Disallow: /messages/
Disallow: /login/
Disallow: /auth/
Disallow: /settings/
Disallow: /upload/

Sitemap: https://www.tiktok.com/sitemap.xml
`

// Status codes of webapp.user-detail (yt-dlp tiktok.py and field reports).
const (
	ttOK       = 0
	ttNotFound = 10202 // no account by that name
	ttBanned   = 10221 // banned or deleted
	ttPrivate  = 10222
)

func init() {
	registerPlatform(&platform{
		name:    "tiktok",
		erBasis: basisViews,
		// (likes + comments + shares) ÷ views around configs/benchmarks.yaml:
		// nano 10.3 %, mega 7.1 %, geometric in between.
		bench: map[string][2]float64{
			model.TierBelow: {10, 12.5}, model.TierNano: {9.3, 11.3}, model.TierMicro: {8.5, 10.3},
			model.TierMid: {7.7, 9.4}, model.TierMacro: {7.0, 8.6}, model.TierMega: {6.4, 7.8},
		},
		replyShare: 0.015, repostShare: 0.03, quoteShare: 0.08, // quotes are saves (collectCount)
		reach: map[string][2]float64{
			model.TierBelow: {0.4, 2.0}, model.TierNano: {0.15, 0.9}, model.TierMicro: {0.1, 0.5},
			model.TierMid: {0.06, 0.3}, model.TierMacro: {0.04, 0.2}, model.TierMega: {0.03, 0.15},
		},
		ownPostsOnly: true, wholeSeconds: true, privateShare: 0.04,
		defaultLimit: Limit{Requests: 1800, Window: time.Minute},
		realLimit:    "none published for the web endpoints (bot defences instead); Research API 1,000 requests per day",
		accountID:    func(p *Population, a *account) string { return strconv.FormatUint(ttUserID(p.keys["tiktok"], a), 10) },
		handle:       func(_ *Population, a *account) string { return a.user },
		resolve:      ttResolve,
		tooMany: func(w http.ResponseWriter, _ *http.Request) int {
			w.WriteHeader(http.StatusTooManyRequests)
			return http.StatusTooManyRequests
		},
		serverError: func(_ *http.Request, status int) (string, []byte) {
			switch status {
			case http.StatusBadGateway:
				return "text/html", []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n")
			case http.StatusServiceUnavailable:
				return "text/html", nil
			}
			return "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><head><title>TikTok</title></head><body><p>Something went wrong</p></body></html>")
		},
		notFound: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page not available | TikTok</title></head><body><div id=\"app\"><p>Couldn't find this page</p></div></body></html>"))
		},
		loginWall: func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/@") && !strings.HasPrefix(r.URL.Path, "/api/") {
				return false
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(ttLoginPage))
			return true
		},
		robots: ttRobots,
		drift: [][2]string{
			{"followerCount", "follower_count"}, {"playCount", "play_count"}, {"diggCount", "digg_count"},
			{"createTime", "create_time"}, {"has_more", "hasMore"}, {"cid", "comment_id"},
		},
		routes: func(s *site) []route {
			t := &tt{site: s, media: hashv(s.key, tagMedia)}
			return []route{
				{pattern: "GET /robots.txt", endpoint: "robots.txt", handler: func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					_, _ = w.Write([]byte(ttRobots))
				}},
				{pattern: "GET /{user}", endpoint: "@user", handler: t.profile},
				{pattern: "GET /api/post/item_list/{$}", endpoint: "api/post/item_list", handler: t.itemList},
				{pattern: "GET /api/comment/list/{$}", endpoint: "api/comment/list", handler: t.commentList},
				{pattern: "GET /api/comment/list/reply/{$}", endpoint: "api/comment/list/reply", handler: t.replyList},
			}
		},
	})
}

const ttLoginPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log in | TikTok</title></head>
<body>
<div id="app"><main id="loginContainer">
<h2>Log in to TikTok</h2>
<form id="login-form" action="/login/phone-or-email/email" method="post">
<input type="text" name="username" placeholder="Email or username" autocomplete="username">
<input type="password" name="password" placeholder="Password" autocomplete="current-password">
<button type="submit" data-e2e="login-button">Log in</button>
</form>
<p>Don't have an account? <a href="/signup">Sign up</a></p>
</main></div>
</body></html>
`

// Identifiers. User and video ids are 19-digit snowflakes like the real
// ones: the creation second in the high 32 bits, the account payload (22
// bits) and a 10-bit check in the low 32 (videos: the slot follows from the
// second). secUid is "MS4wLjABAAAA" + 64 base64url characters holding a
// Feistel permutation of the account and a check word. Comment ids (cid)
// carry the second and, for direct replies, the 16-bit index of the reply
// and a check.

func ttUserID(key uint64, a *account) uint64 {
	pl := a.ref.payload()
	return uint64(floorDiv(a.createdMs, 1000))<<32 | pl<<10 | hashv(key, tagCheck, pl)&1023
}

func ttSecUID(key uint64, ref acctRef) string {
	lo := feistel(key, uint64(ref.kind)<<40|uint64(ref.idx))
	var b [48]byte
	binary.BigEndian.PutUint64(b[:8], lo)
	binary.BigEndian.PutUint64(b[8:16], hashv(key, tagCheck, lo, 1))
	for i := 16; i < 48; i += 8 {
		binary.BigEndian.PutUint64(b[i:], hashv(key, lo, uint64(i)))
	}
	return "MS4wLjABAAAA" + base64.RawURLEncoding.EncodeToString(b[:])
}

func ttParseSecUID(key uint64, s string) (acctRef, bool) {
	body, ok := strings.CutPrefix(s, "MS4wLjABAAAA")
	if !ok || len(body) != 64 {
		return acctRef{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(b) != 48 {
		return acctRef{}, false
	}
	lo := binary.BigEndian.Uint64(b[:8])
	if binary.BigEndian.Uint64(b[8:16]) != hashv(key, tagCheck, lo, 1) {
		return acctRef{}, false
	}
	v := feistelInverse(key, lo)
	if v>>40 > uint64(kindAudience) {
		return acctRef{}, false
	}
	return acctRef{kind: uint8(v >> 40), idx: int(v & (1<<40 - 1))}, true
}

// ttResolve maps a uniqueId (with or without "@", any case), a numeric user
// id or a secUid to its account.
func ttResolve(p *Population, s string) (acctRef, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "@")
	key := p.keys["tiktok"]
	if strings.HasPrefix(s, "MS4wLjABAAAA") {
		return ttParseSecUID(key, s)
	}
	if id, err := strconv.ParseUint(s, 10, 64); err == nil {
		ref := refFromPayload((id >> 10) & (1<<22 - 1))
		if !p.valid(ref) || ttUserID(key, p.account(p.plats["tiktok"], ref)) != id {
			return acctRef{}, false
		}
		return ref, true
	}
	return userRef(p, "tiktok", strings.ToLower(s))
}

type tt struct {
	*site
	media uint64
}

func (t *tt) itemID(a *account, s *slot) uint64 {
	pl := a.ref.payload()
	return uint64(s.ms/1000)<<32 | pl<<10 | hashv(t.key, tagCheck, pl, uint64(s.m))&1023
}

// findItem resolves a video id to its account and upload.
func (t *tt) findItem(id string, now int64) (*account, slot, uint64, bool) {
	x, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil, slot{}, 0, false
	}
	ref := refFromPayload((x >> 10) & (1<<22 - 1))
	if !t.pop.valid(ref) {
		return nil, slot{}, 0, false
	}
	a := t.account(ref)
	ms := int64(x>>32) * 1000
	s := a.slot(a.slotIndex(ms))
	if s.kind != slotPost || s.ms != ms || s.ms > now || s.ms < a.windowStart(now) || t.itemID(a, &s) != x {
		return nil, slot{}, 0, false
	}
	return a, s, x, true
}

func (t *tt) topCID(item uint64, n *node, k int64) uint64 {
	return uint64(n.ms/1000)<<32 | uint64(k&0xffff)<<16 | hashv(t.key, tagCheck, item, uint64(k))&0xffff
}

func replyCID(n *node) uint64 { return uint64(n.ms/1000)<<32 | hashv(n.key, 77)&0xffffffff }

// Wire types, field order as in the fixtures.

type ttBioLink struct {
	Link string `json:"link"`
	Risk int    `json:"risk"`
}

type ttCommerce struct {
	CommerceUser bool `json:"commerceUser"`
}

type ttProfileTab struct {
	ShowMusicTab    bool `json:"showMusicTab"`
	ShowQuestionTab bool `json:"showQuestionTab"`
	ShowPlayListTab bool `json:"showPlayListTab"`
}

type ttUserExtra struct {
	UniqueIDModifyTime     int64        `json:"uniqueIdModifyTime"`
	TtSeller               bool         `json:"ttSeller"`
	Region                 string       `json:"region"`
	DownloadSetting        int          `json:"downloadSetting"`
	ProfileTab             ttProfileTab `json:"profileTab"`
	FollowingVisibility    int          `json:"followingVisibility"`
	RecommendReason        string       `json:"recommendReason"`
	NowInvitationCardURL   string       `json:"nowInvitationCardUrl"`
	NickNameModifyTime     int64        `json:"nickNameModifyTime"`
	IsEmbedBanned          bool         `json:"isEmbedBanned"`
	CanExpPlaylist         bool         `json:"canExpPlaylist"`
	ProfileEmbedPermission int          `json:"profileEmbedPermission"`
	Language               string       `json:"language"`
	EventList              []any        `json:"eventList"`
	SuggestAccountBind     bool         `json:"suggestAccountBind"`
}

type ttUser struct {
	ID               string      `json:"id"`
	ShortID          string      `json:"shortId"`
	UniqueID         string      `json:"uniqueId"`
	Nickname         string      `json:"nickname"`
	AvatarLarger     string      `json:"avatarLarger"`
	AvatarMedium     string      `json:"avatarMedium"`
	AvatarThumb      string      `json:"avatarThumb"`
	Signature        string      `json:"signature"`
	CreateTime       int64       `json:"createTime"`
	Verified         bool        `json:"verified"`
	SecUID           string      `json:"secUid"`
	Ftc              bool        `json:"ftc"`
	Relation         int         `json:"relation"`
	OpenFavorite     bool        `json:"openFavorite"`
	BioLink          *ttBioLink  `json:"bioLink,omitempty"`
	CommentSetting   int         `json:"commentSetting"`
	CommerceUserInfo *ttCommerce `json:"commerceUserInfo,omitempty"`
	DuetSetting      int         `json:"duetSetting"`
	StitchSetting    int         `json:"stitchSetting"`
	PrivateAccount   bool        `json:"privateAccount"`
	Secret           bool        `json:"secret"`
	IsADVirtual      bool        `json:"isADVirtual"`
	RoomID           string      `json:"roomId"`
	*ttUserExtra
}

type ttStats struct {
	FollowerCount  int64  `json:"followerCount"`
	FollowingCount int64  `json:"followingCount"`
	Heart          int64  `json:"heart"`
	HeartCount     int64  `json:"heartCount"`
	VideoCount     int64  `json:"videoCount"`
	DiggCount      int64  `json:"diggCount"`
	FriendCount    *int64 `json:"friendCount,omitempty"`
}

type ttStatsV2 struct {
	FollowerCount  string `json:"followerCount"`
	FollowingCount string `json:"followingCount"`
	Heart          string `json:"heart"`
	HeartCount     string `json:"heartCount"`
	VideoCount     string `json:"videoCount"`
	DiggCount      string `json:"diggCount"`
	FriendCount    string `json:"friendCount"`
}

type ttUserInfo struct {
	User     *ttUser    `json:"user"`
	Stats    *ttStats   `json:"stats,omitempty"`
	StatsV2  *ttStatsV2 `json:"statsV2,omitempty"`
	ItemList []any      `json:"itemList"`
}

type ttShareMeta struct {
	Title string `json:"title"`
	Desc  string `json:"desc"`
}

type ttUserDetail struct {
	UserInfo   *ttUserInfo  `json:"userInfo,omitempty"`
	ShareMeta  *ttShareMeta `json:"shareMeta,omitempty"`
	StatusCode int          `json:"statusCode"`
	StatusMsg  string       `json:"statusMsg"`
	NeedFix    bool         `json:"needFix"`
}

type ttVideo struct {
	ID           string `json:"id"`
	Height       int    `json:"height"`
	Width        int    `json:"width"`
	Duration     int    `json:"duration"`
	Ratio        string `json:"ratio"`
	Cover        string `json:"cover"`
	OriginCover  string `json:"originCover"`
	DynamicCover string `json:"dynamicCover"`
	PlayAddr     string `json:"playAddr"`
	DownloadAddr string `json:"downloadAddr"`
	Format       string `json:"format"`
	Definition   string `json:"definition"`
	Bitrate      int    `json:"bitrate"`
	CodecType    string `json:"codecType"`
}

type ttItemAuthor struct {
	ID             string `json:"id"`
	ShortID        string `json:"shortId"`
	UniqueID       string `json:"uniqueId"`
	Nickname       string `json:"nickname"`
	AvatarThumb    string `json:"avatarThumb"`
	Signature      string `json:"signature"`
	CreateTime     int64  `json:"createTime"`
	Verified       bool   `json:"verified"`
	SecUID         string `json:"secUid"`
	PrivateAccount bool   `json:"privateAccount"`
	Secret         bool   `json:"secret"`
}

type ttMusic struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	PlayURL    string `json:"playUrl"`
	AuthorName string `json:"authorName"`
	Original   bool   `json:"original"`
	Duration   int    `json:"duration"`
	Album      string `json:"album"`
}

type ttChallenge struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	Desc          string `json:"desc"`
	ProfileLarger string `json:"profileLarger"`
	ProfileMedium string `json:"profileMedium"`
	ProfileThumb  string `json:"profileThumb"`
	CoverLarger   string `json:"coverLarger"`
	CoverMedium   string `json:"coverMedium"`
	CoverThumb    string `json:"coverThumb"`
	IsCommerce    bool   `json:"isCommerce"`
}

type ttItemStats struct {
	DiggCount    int64 `json:"diggCount"`
	ShareCount   int64 `json:"shareCount"`
	CommentCount int64 `json:"commentCount"`
	PlayCount    int64 `json:"playCount"`
	CollectCount int64 `json:"collectCount"`
}

type ttItemStatsV2 struct {
	DiggCount    string `json:"diggCount"`
	ShareCount   string `json:"shareCount"`
	CommentCount string `json:"commentCount"`
	PlayCount    string `json:"playCount"`
	CollectCount string `json:"collectCount"`
	RepostCount  string `json:"repostCount"`
}

type ttTextExtra struct {
	AwemeID      string `json:"awemeId"`
	Start        int    `json:"start"`
	End          int    `json:"end"`
	HashtagID    string `json:"hashtagId"`
	HashtagName  string `json:"hashtagName"`
	Type         int    `json:"type"`
	UserID       string `json:"userId"`
	IsCommerce   bool   `json:"isCommerce"`
	UserUniqueID string `json:"userUniqueId"`
	SecUID       string `json:"secUid"`
}

type ttDuet struct {
	DuetFromID string `json:"duetFromId"`
}

// ttItemFlags are the trailing flags of an item.
type ttItemFlags struct {
	DuetInfo          ttDuet `json:"duetInfo"`
	OriginalItem      bool   `json:"originalItem"`
	OfficalItem       bool   `json:"officalItem"`
	Secret            bool   `json:"secret"`
	ForFriend         bool   `json:"forFriend"`
	Digged            bool   `json:"digged"`
	ItemCommentStatus int    `json:"itemCommentStatus"`
	PrivateItem       bool   `json:"privateItem"`
	DuetEnabled       bool   `json:"duetEnabled"`
	StitchEnabled     bool   `json:"stitchEnabled"`
	ShareEnabled      bool   `json:"shareEnabled"`
	IsAd              bool   `json:"isAd"`
	DuetDisplay       int    `json:"duetDisplay"`
	StitchDisplay     int    `json:"stitchDisplay"`
	IndexEnabled      bool   `json:"indexEnabled"`
	LocationCreated   string `json:"locationCreated"`
	Collected         bool   `json:"collected"`
}

// ttItem is an itemList entry of /api/post/item_list/.
type ttItem struct {
	ID           string        `json:"id"`
	Desc         string        `json:"desc"`
	CreateTime   int64         `json:"createTime"`
	ScheduleTime int64         `json:"scheduleTime"`
	Video        ttVideo       `json:"video"`
	Author       ttItemAuthor  `json:"author"`
	Music        ttMusic       `json:"music"`
	Challenges   []ttChallenge `json:"challenges,omitempty"`
	Stats        ttItemStats   `json:"stats"`
	StatsV2      ttItemStatsV2 `json:"statsV2"`
	AuthorStats  ttStats       `json:"authorStats"`
	TextExtra    []ttTextExtra `json:"textExtra,omitempty"`
	ttItemFlags
}

// ttSigiItem is an ItemModule entry of the legacy SIGI_STATE page.
type ttSigiItem struct {
	ID           string        `json:"id"`
	Desc         string        `json:"desc"`
	CreateTime   int64         `json:"createTime"`
	ScheduleTime int64         `json:"scheduleTime"`
	Video        ttVideo       `json:"video"`
	Music        ttMusic       `json:"music"`
	Challenges   []ttChallenge `json:"challenges,omitempty"`
	Stats        ttItemStats   `json:"stats"`
	AuthorStats  ttStats       `json:"authorStats"`
	TextExtra    []ttTextExtra `json:"textExtra,omitempty"`
	ttItemFlags
	Author      string `json:"author"`
	AuthorID    string `json:"authorId"`
	AuthorSecID string `json:"authorSecId"`
	Nickname    string `json:"nickname"`
	AvatarThumb string `json:"avatarThumb"`
}

type ttExtra struct {
	FatalItemIDs []string `json:"fatal_item_ids"`
	Logid        string   `json:"logid"`
	Now          int64    `json:"now"`
}

type ttLogPb struct {
	ImprID string `json:"impr_id"`
}

type ttItemList struct {
	Cursor          string   `json:"cursor"`
	Extra           ttExtra  `json:"extra"`
	HasMore         bool     `json:"hasMore"`
	HasMorePrevious bool     `json:"hasMorePrevious"`
	ItemList        []ttItem `json:"itemList,omitempty"`
	LogPb           ttLogPb  `json:"log_pb"`
	StatusCode      int      `json:"statusCode"`
	StatusCode2     int      `json:"status_code"`
	StatusMsg       string   `json:"status_msg"`
}

type ttAvatar struct {
	URI       string   `json:"uri"`
	URLList   []string `json:"url_list"`
	URLPrefix any      `json:"url_prefix"`
}

type ttCommentUser struct {
	AccountLabels              any      `json:"account_labels"`
	AdCoverURL                 any      `json:"ad_cover_url"`
	AdvanceFeatureItemOrder    any      `json:"advance_feature_item_order"`
	AdvancedFeatureInfo        any      `json:"advanced_feature_info"`
	AvatarThumb                ttAvatar `json:"avatar_thumb"`
	BoldFields                 any      `json:"bold_fields"`
	CanMessageFollowStatusList any      `json:"can_message_follow_status_list"`
	CanSetGeofencing           any      `json:"can_set_geofencing"`
	ChaList                    any      `json:"cha_list"`
	CoverURL                   any      `json:"cover_url"`
	CustomVerify               string   `json:"custom_verify"`
	EnterpriseVerifyReason     string   `json:"enterprise_verify_reason"`
	Events                     any      `json:"events"`
	FollowersDetail            any      `json:"followers_detail"`
	Geofencing                 any      `json:"geofencing"`
	HomepageBottomToast        any      `json:"homepage_bottom_toast"`
	ItemList                   any      `json:"item_list"`
	MutualRelationAvatars      any      `json:"mutual_relation_avatars"`
	NeedPoints                 any      `json:"need_points"`
	Nickname                   string   `json:"nickname"`
	PlatformSyncInfo           any      `json:"platform_sync_info"`
	RelativeUsers              any      `json:"relative_users"`
	SearchHighlight            any      `json:"search_highlight"`
	SecUID                     string   `json:"sec_uid"`
	ShieldEditFieldInfo        any      `json:"shield_edit_field_info"`
	TypeLabel                  any      `json:"type_label"`
	UID                        string   `json:"uid"`
	UniqueID                   string   `json:"unique_id"`
	UserProfileGuide           any      `json:"user_profile_guide"`
	UserTags                   any      `json:"user_tags"`
	WhiteCoverURL              any      `json:"white_cover_url"`
}

type ttACL struct {
	Code  int    `json:"code"`
	Extra string `json:"extra"`
}

type ttShareInfo struct {
	ACL   ttACL  `json:"acl"`
	Desc  string `json:"desc"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

type ttSortScore struct {
	ReplyScore    float64 `json:"reply_score"`
	ShowMoreScore float64 `json:"show_more_score"`
}

type ttComment struct {
	AllowDownloadPhoto    bool          `json:"allow_download_photo"`
	AuthorPin             bool          `json:"author_pin"`
	AwemeID               string        `json:"aweme_id"`
	CID                   string        `json:"cid"`
	CollectStat           int           `json:"collect_stat"`
	CommentLanguage       string        `json:"comment_language"`
	CommentPostItemIDs    any           `json:"comment_post_item_ids"`
	CreateTime            int64         `json:"create_time"`
	DiggCount             int64         `json:"digg_count"`
	FoldStatus            int           `json:"fold_status"`
	ImageList             any           `json:"image_list"`
	IsAuthorDigged        bool          `json:"is_author_digged"`
	IsCommentTranslatable bool          `json:"is_comment_translatable"`
	IsHighPurchaseIntent  bool          `json:"is_high_purchase_intent"`
	LabelList             any           `json:"label_list"`
	NoShow                bool          `json:"no_show"`
	ReplyComment          []ttComment   `json:"reply_comment"`
	ReplyCommentTotal     int           `json:"reply_comment_total"`
	ReplyID               string        `json:"reply_id"`
	ReplyToReplyID        string        `json:"reply_to_reply_id"`
	ShareInfo             ttShareInfo   `json:"share_info"`
	SortExtraScore        ttSortScore   `json:"sort_extra_score"`
	SortTags              string        `json:"sort_tags"`
	Status                int           `json:"status"`
	StickPosition         int           `json:"stick_position"`
	Text                  string        `json:"text"`
	TextExtra             []any         `json:"text_extra"`
	ThreadHasMore         bool          `json:"thread_has_more"`
	ThreadID              int           `json:"thread_id"`
	TransBtnStyle         int           `json:"trans_btn_style"`
	User                  ttCommentUser `json:"user"`
	UserBuried            bool          `json:"user_buried"`
	UserDigged            int           `json:"user_digged"`
}

type ttCommentExtra struct {
	APIDebugInfo any   `json:"api_debug_info"`
	FatalItemIDs any   `json:"fatal_item_ids"`
	Now          int64 `json:"now"`
}

type ttCommentList struct {
	AliasCommentDeleted bool           `json:"alias_comment_deleted"`
	Comments            []ttComment    `json:"comments"`
	Cursor              int64          `json:"cursor"`
	Extra               ttCommentExtra `json:"extra"`
	HasFilteredComments int            `json:"has_filtered_comments"`
	HasMore             int            `json:"has_more"`
	LogPb               ttLogPb        `json:"log_pb"`
	ReplyStyle          int            `json:"reply_style"`
	StatusCode          int            `json:"status_code"`
	StatusMsg           string         `json:"status_msg"`
	TopGifts            any            `json:"top_gifts"`
	Total               int64          `json:"total"`
}

type ttReplyList struct {
	Comments   []ttComment    `json:"comments"`
	Cursor     int64          `json:"cursor"`
	Extra      ttCommentExtra `json:"extra"`
	HasMore    int            `json:"has_more"`
	LogPb      ttLogPb        `json:"log_pb"`
	StatusCode int            `json:"status_code"`
	StatusMsg  string         `json:"status_msg"`
	Total      int64          `json:"total"`
}

// Rendering.

func (t *tt) userID(a *account) string { return strconv.FormatUint(ttUserID(t.key, a), 10) }

// ttDefaultAvatar is TikTok's default profile picture, the one object every
// account without an uploaded picture shows (musically-maliva-obj/1594805258216454).
const ttDefaultAvatar = "musically-maliva-obj/1594805258216454"

// avatarURI is the avatar's object: the account's own upload, or TikTok's
// default picture when it uploaded none.
func (t *tt) avatarURI(a *account) string {
	if a.noAvatar {
		return ttDefaultAvatar
	}
	return "tos-maliva-avt-0068/" + hex16(hashv(a.key, 1)) + hex16(hashv(a.key, 2))
}

func (t *tt) avatar(a *account, size int) string {
	return "https://p16-sign-va.tiktokcdn.com/" + t.avatarURI(a) +
		"~c5_" + strconv.Itoa(size) + "x" + strconv.Itoa(size) + ".jpeg?x-expires=" + strconv.FormatInt(t.now().Unix()/86400*86400+172800, 10) + "&x-signature=" + rawID(hashv(a.key, 3))
}

func (t *tt) logid(parts ...uint64) string {
	return t.now().UTC().Format("20060102150405") + strings.ToUpper(hex16(hashv(parts...)))[:16]
}

// profileStats are the profile counters at now.
func (t *tt) profileStats(a *account, now time.Time, sigi bool) ttStats {
	var videos, hearts int64
	ms := now.UnixMilli()
	a.eachSlot(ms, ^uint64(0), func(s *slot) bool {
		if s.kind == slotPost {
			videos++
			hearts += s.metrics(ms).likes
		}
		return true
	})
	r := newRNG(hashv(a.key, tagName, 5))
	st := ttStats{FollowerCount: a.followersAt(now), FollowingCount: int64(a.following), Heart: hearts, HeartCount: hearts,
		VideoCount: videos, DiggCount: int64(r.logUniform(20, 20000, 1))}
	if !sigi {
		friends := int64(r.intn(max(1, a.following/4)))
		st.FriendCount = &friends
	}
	return st
}

func statsV2(s ttStats) *ttStatsV2 {
	f := func(n int64) string { return strconv.FormatInt(n, 10) }
	return &ttStatsV2{f(s.FollowerCount), f(s.FollowingCount), f(s.Heart), f(s.HeartCount), f(s.VideoCount), f(s.DiggCount), f(*s.FriendCount)}
}

func (t *tt) user(a *account, universal bool) *ttUser {
	r := newRNG(hashv(a.key, tagName, 6))
	u := &ttUser{
		ID: t.userID(a), UniqueID: a.user, Nickname: a.displayName(),
		AvatarLarger: t.avatar(a, 1080), AvatarMedium: t.avatar(a, 720), AvatarThumb: t.avatar(a, 100),
		Signature: a.bio(), CreateTime: floorDiv(a.createdMs, 1000), Verified: a.tier == model.TierMega && r.chance(0.5),
		SecUID: ttSecUID(t.key, a.ref), PrivateAccount: a.private, Secret: a.private,
	}
	if universal {
		if a.hasSite() {
			u.BioLink = &ttBioLink{Link: a.user + ".example.net"}
		}
		u.CommerceUserInfo = &ttCommerce{CommerceUser: a.arch == ArchSponsoredHeavy || r.chance(0.1)}
		u.ttUserExtra = &ttUserExtra{
			Region: langCountry[a.lang], ProfileTab: ttProfileTab{ShowQuestionTab: true, ShowPlayListTab: true},
			FollowingVisibility: 1, IsEmbedBanned: false, CanExpPlaylist: true, ProfileEmbedPermission: 1,
			Language: a.lang, EventList: []any{},
		}
	}
	return u
}

func (t *tt) itemAuthor(a *account) ttItemAuthor {
	return ttItemAuthor{ID: t.userID(a), UniqueID: a.user, Nickname: a.displayName(), AvatarThumb: t.avatar(a, 100),
		Signature: a.bio(), CreateTime: floorDiv(a.createdMs, 1000), SecUID: ttSecUID(t.key, a.ref),
		PrivateAccount: a.private, Secret: a.private}
}

func hashtagID(tag string) string {
	return strconv.FormatUint(strHash(strings.ToLower(tag))%9_000_000_000+1_000_000_000, 10)
}

// ttParts renders the parts of an upload both item layouts share.
type ttParts struct {
	id         string
	desc       string
	video      ttVideo
	music      ttMusic
	challenges []ttChallenge
	stats      ttItemStats
	statsV2    ttItemStatsV2
	textExtra  []ttTextExtra
	flags      ttItemFlags
}

func (t *tt) parts(a *account, s *slot, now int64) ttParts {
	id := strconv.FormatUint(t.itemID(a, s), 10)
	ct := s.content()
	r := newRNG(hashv(s.key, tagMedia))
	dur := 8 + r.intn(170)
	exp := strconv.FormatInt(now/1000/86400*86400+172800, 10)
	sig := "&x-signature=" + rawID(hashv(s.key, 4))
	cdn := "https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/" + hex16(hashv(s.key, 5))
	play := "https://v16-webapp-prime.tiktok.com/video/tos/maliva/tos-maliva-ve-0068c799-us/" + hex16(hashv(s.key, 6)) + "/?a=1988&bti=" + rawID(hashv(s.key, 7))
	p := ttParts{id: id, desc: ct.text}
	p.video = ttVideo{ID: id, Height: 1024, Width: 576, Duration: dur, Ratio: "540p",
		Cover: cdn + "?x-expires=" + exp + sig, OriginCover: cdn + "_o?x-expires=" + exp + sig, DynamicCover: cdn + "_d?x-expires=" + exp + sig,
		PlayAddr: play, DownloadAddr: play + "&dl=1", Format: "mp4", Definition: "540p", Bitrate: 600_000 + r.intn(1_200_000), CodecType: "h264"}
	p.music = ttMusic{ID: strconv.FormatUint(7_200_000_000_000_000_000+hashv(s.key, 8)%100_000_000_000_000_000, 10), Title: "original sound",
		PlayURL:    "https://sf16-ies-music-va.tiktokcdn.com/obj/ies-music-ttp-dup-us/" + hex16(hashv(s.key, 9)) + ".mp3",
		AuthorName: a.displayName(), Original: true, Duration: dur}
	for _, tag := range ct.tags {
		p.challenges = append(p.challenges, ttChallenge{ID: hashtagID(tag), Title: tag})
	}
	// Positions of hashtags in runes (TikTok counts UTF-16 units; the texts
	// here have no characters outside the BMP before their hashtags).
	for i := 0; i < len(ct.text); i++ {
		if ct.text[i] != '#' || (i > 0 && isTagByte(ct.text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(ct.text) && isTagByte(ct.text[j]) {
			j++
		}
		if j > i+1 {
			start := utf8.RuneCountInString(ct.text[:i])
			tag := ct.text[i+1 : j]
			p.textExtra = append(p.textExtra, ttTextExtra{Start: start, End: start + j - i, HashtagID: hashtagID(tag), HashtagName: tag, Type: 1})
		}
		i = j - 1
	}
	m := s.metrics(now)
	p.stats = ttItemStats{DiggCount: m.likes, ShareCount: m.reposts, CommentCount: m.replies, PlayCount: m.views, CollectCount: m.quotes}
	f := func(n int64) string { return strconv.FormatInt(n, 10) }
	p.statsV2 = ttItemStatsV2{f(m.likes), f(m.reposts), f(m.replies), f(m.views), f(m.quotes), "0"}
	p.flags = ttItemFlags{DuetInfo: ttDuet{"0"}, DuetEnabled: true, StitchEnabled: true, ShareEnabled: true, IndexEnabled: true,
		LocationCreated: langCountry[a.lang]}
	return p
}

func (t *tt) item(a *account, s *slot, now int64, authorStats ttStats) ttItem {
	p := t.parts(a, s, now)
	return ttItem{ID: p.id, Desc: p.desc, CreateTime: s.ms / 1000, Video: p.video, Author: t.itemAuthor(a), Music: p.music,
		Challenges: p.challenges, Stats: p.stats, StatsV2: p.statsV2, AuthorStats: authorStats, TextExtra: p.textExtra, ttItemFlags: p.flags}
}

// webJSON marshals v as the pages embed it: no HTML escaping, but every
// slash escaped as \u002F (so "</script>" cannot occur).
func webJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("/"), []byte(`\u002F`))
	return bytes.ReplaceAll(b, []byte("<"), []byte(`\u003C`))
}

// abbrev renders a count as TikTok's share text does: 1.2m, 98.8m, 12.3k.
func abbrev(n int64) string {
	switch {
	case n >= 1_000_000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".0") + "m"
	case n >= 10_000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64), ".0") + "k"
	}
	return strconv.FormatInt(n, 10)
}

func (t *tt) page(w http.ResponseWriter, title string, scriptID string, data []byte) {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title></head>\n<body>\n<div id=\"app\"></div>\n<script id=\"")
	b.WriteString(scriptID)
	b.WriteString("\" type=\"application/json\">")
	b.Write(data)
	b.WriteString("</script>\n</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

func (t *tt) userDetail(w http.ResponseWriter, d ttUserDetail, title string) {
	t.page(w, title, "__UNIVERSAL_DATA_FOR_REHYDRATION__", webJSON(map[string]any{"__DEFAULT_SCOPE__": map[string]any{"webapp.user-detail": d}}))
}

// sigiShare is the share of creators served in the legacy SIGI_STATE layout.
const sigiShare = 0.2

func (t *tt) sigi(a *account) bool { return unit(hashv(a.key, tagForm)) < sigiShare }

func (t *tt) profile(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("user")
	name, ok := strings.CutPrefix(seg, "@")
	if !ok || name == "" {
		t.pl.notFound(w, r)
		return
	}
	const generic = "TikTok - Make Your Day"
	a, ok := t.lookup(name)
	if !ok {
		t.userDetail(w, ttUserDetail{StatusCode: ttNotFound}, generic)
		return
	}
	if a.vanished {
		t.st.gone()
		code := ttNotFound
		if a.deactivated {
			code = ttBanned
		}
		t.userDetail(w, ttUserDetail{StatusCode: code}, generic)
		return
	}
	title := a.displayName() + " (@" + a.user + ") | TikTok"
	if a.private {
		t.st.privateAccount()
		t.userDetail(w, ttUserDetail{UserInfo: &ttUserInfo{User: t.user(a, true), ItemList: []any{}}, StatusCode: ttPrivate}, title)
		return
	}
	now := t.now()
	if t.sigi(a) {
		t.sigiPage(w, a, now, title)
		return
	}
	st := t.profileStats(a, now, false)
	d := ttUserDetail{
		UserInfo:  &ttUserInfo{User: t.user(a, true), Stats: &st, StatsV2: statsV2(st), ItemList: []any{}},
		ShareMeta: &ttShareMeta{Title: a.displayName() + " on TikTok", Desc: "@" + a.user + " " + abbrev(st.FollowerCount) + " Followers, " + abbrev(st.FollowingCount) + " Following, " + abbrev(st.HeartCount) + " Likes - Watch awesome short videos created by " + a.displayName()},
	}
	t.userDetail(w, d, title)
}

// sigiPage serves the pre-2023 layout: UserModule, ItemModule (the latest
// uploads) and ItemList["user-post"].
func (t *tt) sigiPage(w http.ResponseWriter, a *account, now time.Time, title string) {
	ms := now.UnixMilli()
	st := t.profileStats(a, now, true)
	authorStats := t.profileStats(a, now, false)
	items := map[string]ttSigiItem{}
	list := []string{}
	var last int64
	more := false
	a.eachSlot(ms, ^uint64(0), func(s *slot) bool {
		if s.kind != slotPost {
			return true
		}
		if len(list) == 8 {
			more = true
			return false
		}
		p := t.parts(a, s, ms)
		items[p.id] = ttSigiItem{ID: p.id, Desc: p.desc, CreateTime: s.ms / 1000, Video: p.video, Music: p.music, Challenges: p.challenges,
			Stats: p.stats, AuthorStats: authorStats, TextExtra: p.textExtra, ttItemFlags: p.flags,
			Author: a.user, AuthorID: t.userID(a), AuthorSecID: ttSecUID(t.key, a.ref), Nickname: a.displayName(), AvatarThumb: t.avatar(a, 100)}
		list = append(list, p.id)
		last = s.ms
		return true
	})
	cursor := "0"
	if last > 0 {
		cursor = strconv.FormatInt(last, 10)
	}
	state := map[string]any{
		"AppContext": map[string]any{"appContext": map[string]string{"language": a.lang, "region": langCountry[a.lang]}},
		"ItemModule": items,
		"ItemList": map[string]any{"user-post": map[string]any{
			"list": list, "browserList": list, "loading": false, "statusCode": 0, "hasMore": more, "cursor": cursor,
		}},
		"UserModule": map[string]any{
			"users": map[string]any{a.user: t.user(a, false)},
			"stats": map[string]any{a.user: st},
		},
	}
	t.page(w, title, "SIGI_STATE", webJSON(state))
}

func (t *tt) itemList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := t.now().UnixMilli()
	out := ttItemList{Cursor: "0", Extra: ttExtra{FatalItemIDs: []string{}, Logid: t.logid(t.key, strHash(r.URL.RawQuery)), Now: now},
		LogPb: ttLogPb{ImprID: t.logid(t.key, strHash(r.URL.RawQuery))}}
	ref, ok := ttParseSecUID(t.key, q.Get("secUid"))
	if !ok || !t.pop.valid(ref) {
		out.StatusCode, out.StatusCode2 = ttNotFound, ttNotFound
		writeJSON(w, http.StatusOK, out)
		return
	}
	a := t.account(ref)
	switch {
	case a.vanished:
		t.st.gone()
		out.StatusCode = ttNotFound
		if a.deactivated {
			out.StatusCode = ttBanned
		}
		out.StatusCode2 = out.StatusCode
		writeJSON(w, http.StatusOK, out)
		return
	case a.private:
		t.st.privateAccount()
		out.StatusCode, out.StatusCode2 = ttPrivate, ttPrivate
		writeJSON(w, http.StatusOK, out)
		return
	}
	count, _ := intParam(r, "count", 16)
	count = min(max(count, 1), 35)
	cursor, _ := strconv.ParseInt(q.Get("cursor"), 10, 64)
	if cursor <= 0 || cursor > now {
		cursor = now + 1
	}
	authorStats := t.profileStats(a, t.now(), false)
	a.eachSlot(now, uint64(cursor)<<16, func(s *slot) bool {
		if s.kind != slotPost {
			return true
		}
		if len(out.ItemList) == count {
			out.HasMore = true
			return false
		}
		out.ItemList = append(out.ItemList, t.item(a, s, now, authorStats))
		out.Cursor = strconv.FormatInt(s.ms, 10)
		return true
	})
	writeJSON(w, http.StatusOK, out)
}

// commentUser is the user object of a comment.
func (t *tt) commentUser(a *account) ttCommentUser {
	return ttCommentUser{
		AvatarThumb: ttAvatar{URI: t.avatarURI(a), URLList: []string{t.avatar(a, 100)}},
		Nickname:    a.displayName(), SecUID: ttSecUID(t.key, a.ref), UID: t.userID(a), UniqueID: a.user,
	}
}

func (t *tt) comment(c *accounts, item string, desc string, cid uint64, n *node, replyID, replyTo string, prefix string) ttComment {
	author := c.get(n.author)
	text := prefix + n.text
	id := strconv.FormatUint(cid, 10)
	return ttComment{
		AwemeID: item, CID: id, CommentLanguage: n.lang, CreateTime: n.ms / 1000, DiggCount: n.likes, FoldStatus: -1,
		IsCommentTranslatable: n.lang != "en", ReplyID: replyID, ReplyToReplyID: replyTo,
		ShareInfo: ttShareInfo{ACL: ttACL{Extra: "{}"}, Desc: author.displayName() + "’s comment: " + text, Title: desc,
			URL: "https://m.tiktok.com/v/" + item + ".html?share_comment_id=" + id + "&share_item_id=" + item},
		SortExtraScore: ttSortScore{ReplyScore: 0.01, ShowMoreScore: 0.001}, SortTags: `{"top_list":1}`, Status: 1,
		Text: text, TextExtra: []any{}, User: t.commentUser(author),
	}
}

// reply renders reply i of a conversation.
func (t *tt) reply(c *accounts, item, desc string, top uint64, cv *convo, i int) ttComment {
	n := &cv.replies[i]
	to, prefix := "0", ""
	if j := cv.replyTo[i]; j >= 0 {
		to = strconv.FormatUint(replyCID(&cv.replies[j]), 10)
		prefix = "@" + c.get(cv.replies[j].author).user + " "
	}
	return t.comment(c, item, desc, replyCID(n), n, strconv.FormatUint(top, 10), to, prefix)
}

func (t *tt) commentList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := t.now().UnixMilli()
	out := ttCommentList{Comments: []ttComment{}, Extra: ttCommentExtra{Now: now}, LogPb: ttLogPb{ImprID: t.logid(t.key, strHash(r.URL.RawQuery))}, ReplyStyle: 2}
	a, s, item, ok := t.findItem(q.Get("aweme_id"), now)
	if !ok || a.vanished || a.private {
		if ok && a.vanished {
			t.st.gone()
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	count, _ := intParam(r, "count", 20)
	count = min(max(count, 1), 50)
	offset, _ := strconv.ParseInt(q.Get("cursor"), 10, 64)
	offset = max(0, offset)
	_, high := s.listable(now)
	page, next, scanned := s.newestConvos(now, high-1-offset, count)
	c := t.cache()
	c.put(a)
	itemID := strconv.FormatUint(item, 10)
	desc := s.content().text
	for i := range page {
		cv := &page[i]
		top := t.topCID(item, &cv.top, cv.k)
		cm := t.comment(c, itemID, desc, top, &cv.top, "0", "0", "")
		cm.ReplyCommentTotal = len(cv.replies)
		cm.IsAuthorDigged = cv.answered()
		if len(cv.replies) > 0 {
			pick := 0
			for j := range cv.replies {
				if cv.replies[j].byCreator {
					pick = j
					break
				}
			}
			cm.ReplyComment = []ttComment{t.reply(c, itemID, desc, top, cv, pick)}
		}
		out.Comments = append(out.Comments, cm)
	}
	out.Cursor = offset + scanned
	if next >= 0 {
		out.HasMore = 1
	}
	out.Total = s.metrics(now).replies
	writeJSON(w, http.StatusOK, out)
}

func (t *tt) replyList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := t.now().UnixMilli()
	out := ttReplyList{Comments: []ttComment{}, Extra: ttCommentExtra{Now: now}, LogPb: ttLogPb{ImprID: t.logid(t.key, strHash(r.URL.RawQuery))}}
	a, s, item, ok := t.findItem(q.Get("item_id"), now)
	cid, err := strconv.ParseUint(q.Get("comment_id"), 10, 64)
	if !ok || err != nil || a.vanished || a.private {
		if ok && a.vanished {
			t.st.gone()
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	// Find the direct reply: its index is in bits 16..31, modulo 2^16.
	low, high := s.listable(now)
	var cv convo
	found := false
	for k := int64((cid >> 16) & 0xffff); k < high; k += 1 << 16 {
		if k < low {
			continue
		}
		if c := s.convo(now, k); c.top.state == nodeShown && t.topCID(item, &c.top, k) == cid {
			cv, found = c, true
			break
		}
	}
	if !found {
		writeJSON(w, http.StatusOK, out)
		return
	}
	count, _ := intParam(r, "count", 20)
	count = min(max(count, 1), 50)
	offset, _ := strconv.Atoi(q.Get("cursor"))
	offset = max(0, offset)
	c := t.cache()
	c.put(a)
	itemID := strconv.FormatUint(item, 10)
	desc := s.content().text
	for i := offset; i < len(cv.replies) && i < offset+count; i++ {
		out.Comments = append(out.Comments, t.reply(c, itemID, desc, cid, &cv, i))
	}
	out.Cursor = int64(min(len(cv.replies), offset+count))
	if offset+count < len(cv.replies) {
		out.HasMore = 1
	}
	out.Total = int64(len(cv.replies))
	writeJSON(w, http.StatusOK, out)
}
