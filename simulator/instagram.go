package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Instagram under /instagram (a collector's base URL is the server URL +
// "/instagram", standing for https://i.instagram.com and, for the Graph API,
// https://graph.facebook.com), in the shapes of shared/fixtures/instagram:
//
//   - /api/v1/users/web_profile_info/?username= (header x-ig-app-id:
//     936619743392459 required, else 400 "useragent mismatch"): the profile
//     with the 12 newest posts. Private accounts show is_private and no
//     posts. Unknown and deleted accounts answer 404 {"message":"User not
//     found","status":"fail"}; deactivated ones 200 {"data":{"user":null},
//     "status":"ok"} (instaloader treats both as "does not exist").
//   - /api/v1/media/<media_pk>/comments/?can_support_threading=true
//     [&min_id=<next_min_id>]: 15 comments a page, newest first.
//   - /api/v1/media/<media_pk>/comments/<comment_pk>/child_comments/.
//   - /v25.0/<ig_user_id>?fields=business_discovery.username(<u>){…}
//     &access_token=…: the Graph API's business discovery, for professional
//     accounts only (others: error 110/2207013); media pages with
//     media.limit(N).after(<cursor>).
//
// Web endpoints throttled past the window answer 429 {"message":"Please
// wait a few minutes before you try again.","status":"fail"}; the Graph API
// answers 403 with error code 4 and reports usage in x-app-usage and
// x-business-use-case-usage. Login walls (Faults.LoginWallRate) answer web
// endpoints with a 302 to /instagram/accounts/login/?next=…, which serves an
// HTML login page, as instaloader and yt-dlp see it.

// Instagram's web app ids (yt-dlp _APP_IDS: web, and iOS).
const (
	igAppIDWeb = "936619743392459"
	igAppIDIOS = "124024574287414"
)

const igRateLimited = `{"message":"Please wait a few minutes before you try again.","status":"fail"}`

func init() {
	registerPlatform(&platform{
		name: "instagram",
		// (likes + comments) ÷ followers around configs/benchmarks.yaml:
		// nano 2.71–3.86 %, mega 0.8–1.2 %, geometric in between.
		bench: map[string][2]float64{
			model.TierBelow: {3.5, 5.5}, model.TierNano: {2.71, 3.86}, model.TierMicro: {2.00, 2.88},
			model.TierMid: {1.47, 2.15}, model.TierMacro: {1.09, 1.61}, model.TierMega: {0.8, 1.2},
		},
		replyShare: 0.03,
		reach: map[string][2]float64{ // plays of videos ÷ real followers
			model.TierBelow: {0.5, 2}, model.TierNano: {0.4, 1.6}, model.TierMicro: {0.25, 1.2},
			model.TierMid: {0.2, 0.9}, model.TierMacro: {0.15, 0.7}, model.TierMega: {0.1, 0.5},
		},
		postRate: 0.6, ownPostsOnly: true, wholeSeconds: true, privateShare: 0.05,
		defaultLimit: Limit{Requests: 1800, Window: time.Minute},
		realLimit:    "web endpoints unpublished (instaloader: ~200 i.instagram.com requests per 30 min, then waits 30 min after a 429); Graph API Business Use Case limits (X-Business-Use-Case-Usage)",
		accountID: func(p *Population, a *account) string {
			return strconv.FormatUint(igUserPK(p.keys["instagram"], a.ref), 10)
		},
		handle:  func(_ *Population, a *account) string { return a.user },
		resolve: igResolve,
		rateHeaders: func(h http.Header, r *http.Request, l Limit, remaining int, reset time.Time) {
			if !isGraph(r) {
				return
			}
			pct := strconv.Itoa(100 * (l.Requests - remaining) / max(1, l.Requests))
			h.Set("X-App-Usage", `{"call_count":`+pct+`,"total_cputime":`+pct+`,"total_time":`+pct+`}`)
			wait := "0"
			if remaining == 0 {
				wait = strconv.Itoa(max(1, int(time.Until(reset).Minutes()+0.999)))
			}
			h.Set("X-Business-Use-Case-Usage", `{"`+graphCaller(r)+`":[{"type":"instagram","call_count":`+pct+`,"total_cputime":`+pct+`,"total_time":`+pct+`,"estimated_time_to_regain_access":`+wait+`}]}`)
		},
		tooMany: func(w http.ResponseWriter, r *http.Request) int {
			if isGraph(r) {
				graphError(w, http.StatusForbidden, graphErr{Message: "(#4) Application request limit reached", Type: "OAuthException", IsTransient: true, Code: 4})
				return http.StatusForbidden
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(igRateLimited))
			return http.StatusTooManyRequests
		},
		serverError: func(r *http.Request, status int) (string, []byte) {
			if isGraph(r) {
				var b bytes.Buffer
				_ = json.NewEncoder(&b).Encode(map[string]graphErr{"error": {Message: "An unexpected error has occurred. Please retry your request later.", Type: "OAuthException", IsTransient: true, Code: 2, FbtraceID: fbtrace(uint64(status))}})
				return "application/json; charset=UTF-8", bytes.TrimSpace(b.Bytes())
			}
			if status == http.StatusInternalServerError {
				return "application/json; charset=utf-8", []byte(`{"message":"Oops, an error occurred.","status":"fail"}`)
			}
			return "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><head><title>Instagram</title></head><body><h1>5xx Server Error</h1><p>Sorry, something went wrong.</p></body></html>")
		},
		notFound: func(w http.ResponseWriter, r *http.Request) {
			if isGraph(r) {
				graphError(w, http.StatusBadRequest, graphErr{Message: "Unknown path components: " + r.URL.Path, Type: "OAuthException", Code: 2500})
				return
			}
			if strings.HasPrefix(r.URL.Path, "/api/") {
				writeJSON(w, http.StatusNotFound, map[string]string{"message": "Page Not Found", "status": "fail"})
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<!DOCTYPE html><html lang=\"en\"><head><title>Page not found • Instagram</title></head><body><h2>Sorry, this page isn't available.</h2></body></html>"))
		},
		loginWall: func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
				return false
			}
			w.Header().Set("Location", "/instagram/accounts/login/?next="+url.QueryEscape("/instagram"+r.URL.RequestURI()))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusFound)
			return true
		},
		drift: [][2]string{
			{"edge_followed_by", "edge_followed"}, {"edge_liked_by", "edge_liked"}, {"taken_at_timestamp", "taken_at"},
			{"comment_like_count", "like_count"}, {"followers_count", "follower_count"}, {"next_min_id", "next_max_id"},
		},
		routes: func(s *site) []route {
			g := &ig{site: s}
			return []route{
				{pattern: "GET /api/v1/users/web_profile_info/{$}", endpoint: "api/v1/users/web_profile_info", handler: g.webProfileInfo},
				{pattern: "GET /api/v1/media/{pk}/comments/{$}", endpoint: "api/v1/media/:pk/comments", handler: g.comments},
				{pattern: "GET /api/v1/media/{pk}/comments/{cpk}/child_comments/{$}", endpoint: "api/v1/media/:pk/comments/:cpk/child_comments", handler: g.childComments},
				{pattern: "GET /accounts/login/{$}", endpoint: "accounts/login", handler: g.loginPage},
				{pattern: "GET /{version}/{id}", endpoint: "graph/:id", handler: g.graph},
			}
		},
	})
}

var graphVersion = regexp.MustCompile(`^/v\d+\.\d+/`)

func isGraph(r *http.Request) bool { return graphVersion.MatchString(r.URL.Path) }

// graphCaller is the IG user id of a Graph request, for usage headers.
func graphCaller(r *http.Request) string {
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(p) >= 2 {
		if _, err := strconv.ParseUint(p[1], 10, 64); err == nil {
			return p[1]
		}
	}
	return "0"
}

// Identifiers.
//
//   - User pk: 5,000,000,000 + (22-bit account payload << 16 | 16-bit
//     check); the Graph API's business account id is 17841400000000000 + the
//     same bits.
//   - Media pk: Instagram's own layout, milliseconds since 2011-08-24 << 23,
//     with the account payload and a check bit in the low 23 bits; the slot
//     follows from the time. The shortcode is the pk in Instagram's base64
//     alphabet.
//   - Comment pk: 17-digit numbers; a direct reply's carries the low 16
//     bits of its index and a 33-bit check, a child comment's is a hash.

const (
	igUserBase     = 5_000_000_000
	igBusinessBase = 17_841_400_000_000_000
	igEpochMs      = 1_314_220_021_721
	igTopBase      = 17_000_000_000_000_000
	igChildBase    = 18_000_000_000_000_000
	igGraphMedia   = 17_800_000_000_000_000
	igShortcode    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

func igBits(key uint64, ref acctRef) uint64 {
	pl := ref.payload()
	return pl<<16 | hashv(key, tagCheck, pl)&0xffff
}

func igUserPK(key uint64, ref acctRef) uint64 { return igUserBase + igBits(key, ref) }

func igBusinessID(key uint64, ref acctRef) uint64 { return igBusinessBase + igBits(key, ref) }

// igResolve maps a username (with or without "@", any case) or a numeric
// user pk or business account id to its account.
func igResolve(p *Population, s string) (acctRef, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "@")
	key := p.keys["instagram"]
	if id, err := strconv.ParseUint(s, 10, 64); err == nil {
		base := uint64(igUserBase)
		if id >= igBusinessBase {
			base = igBusinessBase
		}
		if id < base {
			return acctRef{}, false
		}
		ref := refFromPayload((id - base) >> 16)
		if !p.valid(ref) || base+igBits(key, ref) != id {
			return acctRef{}, false
		}
		return ref, true
	}
	return userRef(p, "instagram", strings.ToLower(s))
}

func shortcode(pk uint64) string {
	var b [11]byte
	i := len(b)
	for {
		i--
		b[i] = igShortcode[pk&63]
		pk >>= 6
		if pk == 0 {
			break
		}
	}
	return string(b[i:])
}

type ig struct{ *site }

func (g *ig) pk(a *account) string { return strconv.FormatUint(igUserPK(g.key, a.ref), 10) }

func (g *ig) mediaPK(a *account, s *slot) uint64 {
	pl := a.ref.payload()
	t := uint64(s.ms - igEpochMs)
	low := (pl<<1 | hashv(g.key, tagCheck, pl, uint64(s.m))&1) ^ hashv(g.key, tagMedia, t)&(1<<23-1)
	return t<<23 | low
}

func (g *ig) findMedia(pkStr string, now int64) (*account, slot, uint64, bool) {
	pk, err := strconv.ParseUint(strings.SplitN(pkStr, "_", 2)[0], 10, 64)
	if err != nil {
		return nil, slot{}, 0, false
	}
	low := pk&(1<<23-1) ^ hashv(g.key, tagMedia, pk>>23)&(1<<23-1)
	ref := refFromPayload(low >> 1)
	if !g.pop.valid(ref) {
		return nil, slot{}, 0, false
	}
	a := g.account(ref)
	ms := int64(pk>>23) + igEpochMs
	s := a.slot(a.slotIndex(ms))
	if s.kind != slotPost || s.ms != ms || s.ms > now || s.ms < a.windowStart(now) || g.mediaPK(a, &s) != pk {
		return nil, slot{}, 0, false
	}
	return a, s, pk, true
}

func (g *ig) topPK(media uint64, k int64) uint64 {
	return igTopBase + ((hashv(g.key, tagCheck, media, uint64(k))&(1<<33-1))<<16 | uint64(k)&0xffff)
}

func childPK(n *node) uint64 { return igChildBase + hashv(n.key, 78)&(1<<49-1) }

// findTop finds the shown direct reply whose pk is cpk.
func (g *ig) findTop(s *slot, media, cpk uint64, now int64) (convo, bool) {
	if cpk < igTopBase || cpk >= igChildBase {
		return convo{}, false
	}
	low, high := s.listable(now)
	for k := int64((cpk - igTopBase) & 0xffff); k < high; k += 1 << 16 {
		if k < low || g.topPK(media, k) != cpk {
			continue
		}
		if c := s.convo(now, k); c.top.state == nodeShown {
			return c, true
		}
	}
	return convo{}, false
}

// Wire types, field order as in the fixtures.

type igCount struct {
	Count int64 `json:"count"`
}

type igPageInfo struct {
	HasNextPage bool    `json:"has_next_page"`
	EndCursor   *string `json:"end_cursor"`
}

type igEdges struct {
	Count    int64      `json:"count"`
	PageInfo igPageInfo `json:"page_info"`
	Edges    []igEdge   `json:"edges"`
}

type igEdge struct {
	Node igNode `json:"node"`
}

type igBioLink struct {
	Title    string `json:"title"`
	LynxURL  string `json:"lynx_url"`
	URL      string `json:"url"`
	LinkType string `json:"link_type"`
}

type igBioEntities struct {
	RawText  string `json:"raw_text"`
	Entities []any  `json:"entities"`
}

type igMutual struct {
	Count int64 `json:"count"`
	Edges []any `json:"edges"`
}

type igUser struct {
	AiAgentType                    any           `json:"ai_agent_type"`
	Biography                      string        `json:"biography"`
	BioLinks                       []igBioLink   `json:"bio_links"`
	FbProfileBiolink               any           `json:"fb_profile_biolink"`
	BiographyWithEntities          igBioEntities `json:"biography_with_entities"`
	BlockedByViewer                bool          `json:"blocked_by_viewer"`
	RestrictedByViewer             any           `json:"restricted_by_viewer"`
	CountryBlock                   bool          `json:"country_block"`
	EimuID                         string        `json:"eimu_id"`
	ExternalURL                    *string       `json:"external_url"`
	ExternalURLLinkshimmed         *string       `json:"external_url_linkshimmed"`
	EdgeFollowedBy                 igCount       `json:"edge_followed_by"`
	Fbid                           string        `json:"fbid"`
	FollowedByViewer               bool          `json:"followed_by_viewer"`
	EdgeFollow                     igCount       `json:"edge_follow"`
	FollowsViewer                  bool          `json:"follows_viewer"`
	FullName                       string        `json:"full_name"`
	GroupMetadata                  any           `json:"group_metadata"`
	HasArEffects                   bool          `json:"has_ar_effects"`
	HasClips                       bool          `json:"has_clips"`
	HasGuides                      bool          `json:"has_guides"`
	HasChannel                     bool          `json:"has_channel"`
	HasBlockedViewer               bool          `json:"has_blocked_viewer"`
	HighlightReelCount             int           `json:"highlight_reel_count"`
	HasRequestedViewer             bool          `json:"has_requested_viewer"`
	HideLikeAndViewCounts          bool          `json:"hide_like_and_view_counts"`
	ID                             string        `json:"id"`
	IsBusinessAccount              bool          `json:"is_business_account"`
	IsProfessionalAccount          bool          `json:"is_professional_account"`
	IsSupervisionEnabled           bool          `json:"is_supervision_enabled"`
	IsGuardianOfViewer             bool          `json:"is_guardian_of_viewer"`
	IsSupervisedByViewer           bool          `json:"is_supervised_by_viewer"`
	IsSupervisedUser               bool          `json:"is_supervised_user"`
	IsEmbedsDisabled               bool          `json:"is_embeds_disabled"`
	IsJoinedRecently               bool          `json:"is_joined_recently"`
	GuardianID                     any           `json:"guardian_id"`
	BusinessAddressJSON            any           `json:"business_address_json"`
	BusinessContactMethod          string        `json:"business_contact_method"`
	BusinessEmail                  any           `json:"business_email"`
	BusinessPhoneNumber            any           `json:"business_phone_number"`
	BusinessCategoryName           *string       `json:"business_category_name"`
	OverallCategoryName            any           `json:"overall_category_name"`
	CategoryEnum                   any           `json:"category_enum"`
	CategoryName                   *string       `json:"category_name"`
	IsPrivate                      bool          `json:"is_private"`
	IsVerified                     bool          `json:"is_verified"`
	IsVerifiedByMv4b               bool          `json:"is_verified_by_mv4b"`
	IsRegulatedC18                 bool          `json:"is_regulated_c18"`
	EdgeMutualFollowedBy           igMutual      `json:"edge_mutual_followed_by"`
	PinnedChannelsListCount        int           `json:"pinned_channels_list_count"`
	ProfilePicURL                  string        `json:"profile_pic_url"`
	ProfilePicURLHD                string        `json:"profile_pic_url_hd"`
	RequestedByViewer              bool          `json:"requested_by_viewer"`
	ShouldShowCategory             bool          `json:"should_show_category"`
	ShouldShowPublicContacts       bool          `json:"should_show_public_contacts"`
	ShowAccountTransparencyDetails bool          `json:"show_account_transparency_details"`
	TransparencyLabel              any           `json:"transparency_label"`
	TransparencyProduct            any           `json:"transparency_product"`
	Username                       string        `json:"username"`
	ConnectedFbPage                any           `json:"connected_fb_page"`
	Pronouns                       []string      `json:"pronouns"`
	EdgeFelixVideoTimeline         igEdges       `json:"edge_felix_video_timeline"`
	EdgeOwnerToTimelineMedia       igEdges       `json:"edge_owner_to_timeline_media"`
	EdgeSavedMedia                 igEdges       `json:"edge_saved_media"`
	EdgeMediaCollections           igEdges       `json:"edge_media_collections"`
}

type igDimensions struct {
	Height int `json:"height"`
	Width  int `json:"width"`
}

type igOwner struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type igCaptionNode struct {
	Text string `json:"text"`
}

type igCaptionEdge struct {
	Node igCaptionNode `json:"node"`
}

type igCaptionEdges struct {
	Edges []igCaptionEdge `json:"edges"`
}

type igFriction struct {
	ShouldHaveSharingFriction bool `json:"should_have_sharing_friction"`
	BloksAppURL               any  `json:"bloks_app_url"`
}

type igThumb struct {
	Src          string `json:"src"`
	ConfigWidth  int    `json:"config_width"`
	ConfigHeight int    `json:"config_height"`
}

type igMusic struct {
	ArtistName            string `json:"artist_name"`
	SongName              string `json:"song_name"`
	UsesOriginalAudio     bool   `json:"uses_original_audio"`
	ShouldMuteAudio       bool   `json:"should_mute_audio"`
	ShouldMuteAudioReason string `json:"should_mute_audio_reason"`
	AudioID               string `json:"audio_id"`
}

type igNode struct {
	Typename                  string         `json:"__typename"`
	ID                        string         `json:"id"`
	Shortcode                 string         `json:"shortcode"`
	Dimensions                igDimensions   `json:"dimensions"`
	DisplayURL                string         `json:"display_url"`
	EdgeMediaToTaggedUser     igCaptionEdges `json:"edge_media_to_tagged_user"`
	FactCheckOverallRating    any            `json:"fact_check_overall_rating"`
	FactCheckInformation      any            `json:"fact_check_information"`
	GatingInfo                any            `json:"gating_info"`
	SharingFrictionInfo       igFriction     `json:"sharing_friction_info"`
	MediaOverlayInfo          any            `json:"media_overlay_info"`
	MediaPreview              any            `json:"media_preview"`
	Owner                     igOwner        `json:"owner"`
	IsVideo                   bool           `json:"is_video"`
	HasUpcomingEvent          bool           `json:"has_upcoming_event"`
	AccessibilityCaption      *string        `json:"accessibility_caption"`
	EdgeMediaToCaption        igCaptionEdges `json:"edge_media_to_caption"`
	EdgeMediaToComment        igCount        `json:"edge_media_to_comment"`
	CommentsDisabled          bool           `json:"comments_disabled"`
	TakenAtTimestamp          int64          `json:"taken_at_timestamp"`
	EdgeLikedBy               igCount        `json:"edge_liked_by"`
	EdgeMediaPreviewLike      igCount        `json:"edge_media_preview_like"`
	Location                  any            `json:"location"`
	NftAssetInfo              any            `json:"nft_asset_info"`
	ThumbnailSrc              string         `json:"thumbnail_src"`
	ThumbnailResources        []igThumb      `json:"thumbnail_resources"`
	CoauthorProducers         []any          `json:"coauthor_producers"`
	PinnedForUsers            []any          `json:"pinned_for_users"`
	ViewerCanReshare          bool           `json:"viewer_can_reshare"`
	VideoViewCount            *int64         `json:"video_view_count,omitempty"`
	ProductType               string         `json:"product_type,omitempty"`
	ClipsMusicAttributionInfo *igMusic       `json:"clips_music_attribution_info,omitempty"`
}

type igCommentUser struct {
	PK            string `json:"pk"`
	PKID          string `json:"pk_id,omitempty"`
	ID            string `json:"id,omitempty"`
	Username      string `json:"username"`
	FullName      string `json:"full_name"`
	IsPrivate     bool   `json:"is_private"`
	IsVerified    bool   `json:"is_verified"`
	ProfilePicID  string `json:"profile_pic_id,omitempty"`
	ProfilePicURL string `json:"profile_pic_url"`
}

type igComment struct {
	PK                             string        `json:"pk"`
	UserID                         string        `json:"user_id"`
	Type                           int           `json:"type"`
	DidReportAsSpam                bool          `json:"did_report_as_spam"`
	CreatedAt                      int64         `json:"created_at"`
	CreatedAtUTC                   int64         `json:"created_at_utc"`
	CreatedAtForFbApp              int64         `json:"created_at_for_fb_app"`
	ContentType                    string        `json:"content_type"`
	Status                         string        `json:"status"`
	BitFlags                       int           `json:"bit_flags"`
	ShareEnabled                   bool          `json:"share_enabled"`
	IsRankedComment                bool          `json:"is_ranked_comment"`
	MediaID                        string        `json:"media_id"`
	Text                           string        `json:"text"`
	IsCovered                      bool          `json:"is_covered"`
	HasLikedComment                bool          `json:"has_liked_comment"`
	CommentLikeCount               int64         `json:"comment_like_count"`
	User                           igCommentUser `json:"user"`
	PrivateReplyStatus             int           `json:"private_reply_status"`
	ParentCommentID                string        `json:"parent_comment_id,omitempty"`
	ChildCommentCount              *int          `json:"child_comment_count,omitempty"`
	PreviewChildComments           *[]igComment  `json:"preview_child_comments,omitempty"`
	HasMoreHeadChildComments       *bool         `json:"has_more_head_child_comments,omitempty"`
	HasMoreTailChildComments       *bool         `json:"has_more_tail_child_comments,omitempty"`
	InlineComposerDisplayCondition string        `json:"inline_composer_display_condition,omitempty"`
	OtherPreviewUsers              *[]any        `json:"other_preview_users,omitempty"`
}

type igCaption struct {
	PK              string        `json:"pk"`
	UserID          string        `json:"user_id"`
	Text            string        `json:"text"`
	Type            int           `json:"type"`
	CreatedAt       int64         `json:"created_at"`
	CreatedAtUTC    int64         `json:"created_at_utc"`
	ContentType     string        `json:"content_type"`
	Status          string        `json:"status"`
	BitFlags        int           `json:"bit_flags"`
	DidReportAsSpam bool          `json:"did_report_as_spam"`
	ShareEnabled    bool          `json:"share_enabled"`
	User            igCommentUser `json:"user"`
	MediaID         string        `json:"media_id"`
}

type igComments struct {
	CommentLikesEnabled        bool        `json:"comment_likes_enabled"`
	Comments                   []igComment `json:"comments"`
	CommentCount               int64       `json:"comment_count"`
	Caption                    igCaption   `json:"caption"`
	CaptionIsEdited            bool        `json:"caption_is_edited"`
	HasMoreComments            bool        `json:"has_more_comments"`
	HasMoreHeadloadComments    bool        `json:"has_more_headload_comments"`
	ThreadingEnabled           bool        `json:"threading_enabled"`
	MediaHeaderDisplay         string      `json:"media_header_display"`
	InitiateAtTop              bool        `json:"initiate_at_top"`
	InsertNewCommentToTop      bool        `json:"insert_new_comment_to_top"`
	PreviewComments            []any       `json:"preview_comments"`
	CanViewMorePreviewComments bool        `json:"can_view_more_preview_comments"`
	NextMinID                  string      `json:"next_min_id,omitempty"`
	Status                     string      `json:"status"`
}

type igChildComments struct {
	ChildCommentCount        int         `json:"child_comment_count"`
	ChildComments            []igComment `json:"child_comments"`
	HasMoreHeadChildComments bool        `json:"has_more_head_child_comments"`
	HasMoreTailChildComments bool        `json:"has_more_tail_child_comments"`
	NextMaxChildCursor       *string     `json:"next_max_child_cursor"`
	NextMinChildCursor       *string     `json:"next_min_child_cursor"`
	ParentComment            igComment   `json:"parent_comment"`
	NumTailChildComments     int         `json:"num_tail_child_comments"`
	Status                   string      `json:"status"`
}

func igFail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg, "status": "fail"})
}

// Rendering.

func (g *ig) cdn(kind string, h uint64, size string) string {
	return "https://scontent-iad3-1.cdninstagram.com/v/t51.2885-" + kind + "/" + hex16(h) + "_n.jpg?stp=dst-jpg_" + size +
		"&_nc_ht=scontent-iad3-1.cdninstagram.com&oh=00_" + rawID(hashv(h, 1)) + "&oe=" + strconv.FormatInt(g.now().Unix()/86400*86400+4*86400, 16) + "&_nc_sid=8b3546"
}

// igDefaultPic is the file of Instagram's one default profile picture (the
// grey silhouette), served with ig_cache_key "anonymous_profile_pic".
const igDefaultPic = "44884218_345707102882519_2446069589734326272_n.jpg"

// pic is the profile picture's URL: the account's upload, or Instagram's
// default picture when it uploaded none.
func (g *ig) pic(a *account) string {
	if a.noAvatar {
		return "https://scontent-iad3-1.cdninstagram.com/v/t51.2885-19/" + igDefaultPic +
			"?efg=eyJybWQiOiJpZ19hbmRyb2lkLW1vYmlsZS1uYXRpdmUifQ&_nc_ht=scontent-iad3-1.cdninstagram.com&_nc_cat=1&_nc_ohc=" + rawID(hashv(a.key, 4))[:11] +
			"&edm=AId3EpQBAAAA&ccb=7-5&ig_cache_key=YW5vbnltb3VzX3Byb2ZpbGVfcGlj.3-ccb7-5&oh=00_" + rawID(hashv(a.key, 5)) +
			"&oe=" + strconv.FormatInt(g.now().Unix()/86400*86400+4*86400, 16) + "&_nc_sid=8b3546"
	}
	return g.cdn("19", hashv(a.key, 1), "s150x150")
}

// picHD is the large profile picture (the default one is the same file).
func (g *ig) picHD(a *account) string {
	if a.noAvatar {
		return g.pic(a)
	}
	return g.cdn("19", hashv(a.key, 1), "s320x320")
}

// hasSite reports whether a creator links a website from the profile.
func (a *account) hasSite() bool {
	return a.ref.kind == kindCreator && unit(hashv(a.key, tagName, 8)) < 0.6
}

// professional reports whether the account is a business or creator
// account (private accounts never are), and business whether it is a
// business one.
func (a *account) professional() bool { return !a.private && unit(hashv(a.key, tagForm)) < 0.85 }
func (a *account) business() bool     { return a.professional() && unit(hashv(a.key, tagForm, 1)) < 0.3 }

var igCategories = []string{"Digital creator", "Blogger", "Artist", "Personal blog", "Content creator", "Education"}

func (g *ig) commentUser(a *account, full bool) igCommentUser {
	pk := g.pk(a)
	u := igCommentUser{PK: pk, Username: a.user, FullName: a.displayName(), IsPrivate: a.private, ProfilePicURL: g.pic(a)}
	if full {
		u.PKID, u.ID, u.ProfilePicID = pk, pk, strconv.FormatUint(3_000_000_000_000_000_000+hashv(a.key, 3)%100_000_000_000_000_000, 10)+"_"+pk
	}
	return u
}

// posts counts the account's uploads at now.
func ownPosts(a *account, now int64) int64 {
	var n int64
	a.eachSlot(now, ^uint64(0), func(s *slot) bool {
		if s.kind == slotPost {
			n++
		}
		return true
	})
	return n
}

func (g *ig) mediaKind(s *slot) (typename string, video bool) {
	switch {
	case !s.image:
		return "GraphVideo", true
	case unit(hashv(s.key, tagMedia, 1)) < 0.35:
		return "GraphSidecar", false
	}
	return "GraphImage", false
}

func (g *ig) node(a *account, s *slot, now int64) igNode {
	pk := g.mediaPK(a, s)
	id := strconv.FormatUint(pk, 10)
	typename, video := g.mediaKind(s)
	ct := s.content()
	m := s.metrics(now)
	h := hashv(s.key, tagMedia)
	n := igNode{
		Typename: typename, ID: id, Shortcode: shortcode(pk), Dimensions: igDimensions{1350, 1080},
		DisplayURL: g.cdn("15", h, "e35"), EdgeMediaToTaggedUser: igCaptionEdges{Edges: []igCaptionEdge{}},
		Owner: igOwner{ID: g.pk(a), Username: a.user}, IsVideo: video,
		EdgeMediaToCaption: igCaptionEdges{Edges: []igCaptionEdge{{Node: igCaptionNode{Text: ct.text}}}},
		EdgeMediaToComment: igCount{m.replies}, TakenAtTimestamp: s.ms / 1000,
		EdgeLikedBy: igCount{m.likes}, EdgeMediaPreviewLike: igCount{m.likes},
		ThumbnailSrc: g.cdn("15", h, "e35_s640x640"),
		ThumbnailResources: []igThumb{
			{g.cdn("15", h, "e35_s150x150"), 150, 150}, {g.cdn("15", h, "e35_s640x640"), 640, 640},
		},
		CoauthorProducers: []any{}, PinnedForUsers: []any{}, ViewerCanReshare: true,
	}
	if video {
		views := m.views
		n.VideoViewCount, n.ProductType = &views, "clips"
		n.ClipsMusicAttributionInfo = &igMusic{ArtistName: a.user, SongName: "Original audio", UsesOriginalAudio: true,
			AudioID: strconv.FormatUint(hashv(s.key, 10)%9_000_000_000_000_000+1_000_000_000_000_000, 10)}
	} else {
		r := newRNG(h)
		cap := "Photo by " + a.displayName() + " on " + time.UnixMilli(s.ms).UTC().Format("January 2, 2006") + "."
		if r.chance(0.7) {
			cap += " May be an image of " + pick(&r, niches[a.niche].topics) + "."
		}
		n.AccessibilityCaption = &cap
	}
	return n
}

func emptyEdges() igEdges { return igEdges{Edges: []igEdge{}} }

func (g *ig) user(a *account, now time.Time) igUser {
	ms := now.UnixMilli()
	r := newRNG(hashv(a.key, tagName, 7))
	bio := a.bio()
	pk := g.pk(a)
	u := igUser{
		Biography: bio, BioLinks: []igBioLink{}, BiographyWithEntities: igBioEntities{RawText: bio, Entities: []any{}},
		EimuID:         strconv.FormatUint(100_000_000_000_000+hashv(a.key, 4)%900_000_000_000_000, 10),
		EdgeFollowedBy: igCount{a.followersAt(now)}, Fbid: strconv.FormatUint(igBusinessID(g.key, a.ref), 10),
		EdgeFollow: igCount{int64(a.following)}, FullName: a.displayName(), HasClips: true,
		HighlightReelCount: r.intn(8), ID: pk, IsBusinessAccount: a.business(), IsProfessionalAccount: a.professional(),
		BusinessContactMethod: "UNKNOWN", IsPrivate: a.private, IsVerified: a.tier == model.TierMega && r.chance(0.6),
		EdgeMutualFollowedBy: igMutual{Edges: []any{}}, ProfilePicURL: g.pic(a), ProfilePicURLHD: g.picHD(a),
		ShouldShowCategory: a.professional(), ShowAccountTransparencyDetails: true, Username: a.user, Pronouns: []string{},
		EdgeFelixVideoTimeline: emptyEdges(), EdgeSavedMedia: emptyEdges(), EdgeMediaCollections: emptyEdges(),
	}
	if a.hasSite() {
		site := "https://" + a.user + ".example.net/"
		shim := "https://l.instagram.com/?u=" + url.QueryEscape(site) + "&e=" + rawID(hashv(a.key, 5))
		u.ExternalURL, u.ExternalURLLinkshimmed = &site, &shim
		u.BioLinks = []igBioLink{{LynxURL: shim, URL: site, LinkType: "external"}}
	}
	if a.professional() {
		cat := pick(&r, igCategories)
		u.CategoryName = &cat
		if a.business() {
			bc := "Creators & Celebrities"
			u.BusinessCategoryName = &bc
		}
	}
	media := igEdges{Count: ownPosts(a, ms), Edges: []igEdge{}}
	if !a.private {
		a.eachSlot(ms, ^uint64(0), func(s *slot) bool {
			if s.kind != slotPost {
				return true
			}
			if len(media.Edges) == 12 {
				media.PageInfo.HasNextPage = true
				c := base64.StdEncoding.EncodeToString([]byte("AQ" + hex16(hashv(g.key, tagCursor, uint64(s.ms))) + strconv.FormatInt(s.ms, 36)))
				media.PageInfo.EndCursor = &c
				return false
			}
			media.Edges = append(media.Edges, igEdge{Node: g.node(a, s, ms)})
			return true
		})
	}
	u.EdgeOwnerToTimelineMedia = media
	return u
}

// Handlers.

func (g *ig) webProfileInfo(w http.ResponseWriter, r *http.Request) {
	if id := r.Header.Get("X-IG-App-ID"); id != igAppIDWeb && id != igAppIDIOS {
		igFail(w, http.StatusBadRequest, "useragent mismatch")
		return
	}
	name := r.URL.Query().Get("username")
	a, ok := g.lookup(name)
	if _, err := strconv.ParseUint(name, 10, 64); err == nil {
		ok = false // a username, not an id
	}
	if !ok || (a.vanished && !a.deactivated) {
		if ok {
			g.st.gone()
		}
		igFail(w, http.StatusNotFound, "User not found")
		return
	}
	if a.vanished {
		g.st.gone()
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"user": nil}, "status": "ok"})
		return
	}
	if a.private {
		g.st.privateAccount()
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"user": g.user(a, g.now())}, "status": "ok"})
}

// media resolves the media of a comments request, or answers the error.
func (g *ig) media(w http.ResponseWriter, r *http.Request, now int64) (*account, slot, uint64, bool) {
	a, s, pk, ok := g.findMedia(r.PathValue("pk"), now)
	if !ok || a.vanished || a.private {
		switch {
		case ok && a.vanished:
			g.st.gone()
		case ok && a.private:
			g.st.privateAccount()
		}
		igFail(w, http.StatusBadRequest, "Media not found or unavailable")
		return nil, slot{}, 0, false
	}
	return a, s, pk, true
}

func (g *ig) comment(c *accounts, media string, pk uint64, n *node, prefix string, top bool) igComment {
	author := c.get(n.author)
	t := n.ms / 1000
	cm := igComment{
		PK: strconv.FormatUint(pk, 10), UserID: g.pk(author), CreatedAt: t, CreatedAtUTC: t, CreatedAtForFbApp: t,
		ContentType: "comment", Status: "Active", ShareEnabled: true, IsRankedComment: true, MediaID: media,
		Text: prefix + n.text, CommentLikeCount: n.likes, User: g.commentUser(author, true),
	}
	if !top {
		cm.Type = 2
	}
	return cm
}

// child renders reply i of a conversation as a child comment.
func (g *ig) child(c *accounts, media string, parent string, cv *convo, i int) igComment {
	prefix := ""
	if j := cv.replyTo[i]; j >= 0 {
		prefix = "@" + c.get(cv.replies[j].author).user + " "
	}
	cm := g.comment(c, media, childPK(&cv.replies[i]), &cv.replies[i], prefix, false)
	cm.ParentCommentID = parent
	return cm
}

// top renders a direct reply with up to two child comments as preview.
func (g *ig) top(c *accounts, media string, pk uint64, cv *convo) igComment {
	cm := g.comment(c, media, pk, &cv.top, "", true)
	n := len(cv.replies)
	f, more := false, n > 2
	cm.ChildCommentCount, cm.HasMoreHeadChildComments, cm.HasMoreTailChildComments = &n, &f, &more
	preview := []igComment{}
	for i := 0; i < n && i < 2; i++ {
		preview = append(preview, g.child(c, media, cm.PK, cv, i))
	}
	cm.PreviewChildComments, cm.OtherPreviewUsers = &preview, &[]any{}
	cm.InlineComposerDisplayCondition = "impression_trigger"
	return cm
}

const igCommentsPage = 15

func (g *ig) comments(w http.ResponseWriter, r *http.Request) {
	now := g.now().UnixMilli()
	a, s, pk, ok := g.media(w, r, now)
	if !ok {
		return
	}
	_, high := s.listable(now)
	from := high - 1
	if mid := r.URL.Query().Get("min_id"); mid != "" {
		var cur struct {
			Cursor string `json:"cached_comments_cursor"`
		}
		if json.Unmarshal([]byte(mid), &cur) != nil {
			cur.Cursor = mid
		}
		cpk, err := strconv.ParseUint(cur.Cursor, 10, 64)
		cv, found := g.findTop(&s, pk, cpk, now)
		if err != nil || !found {
			igFail(w, http.StatusBadRequest, "Invalid min_id")
			return
		}
		from = cv.k - 1
	}
	page, next, _ := s.newestConvos(now, from, igCommentsPage)
	c := g.cache()
	c.put(a)
	media := strconv.FormatUint(pk, 10)
	ct := s.content()
	t := s.ms / 1000
	out := igComments{
		CommentLikesEnabled: true, Comments: []igComment{}, CommentCount: s.metrics(now).replies,
		Caption: igCaption{PK: strconv.FormatUint(igTopBase-1-hashv(s.key, 79)%(1<<40), 10), UserID: g.pk(a), Text: ct.text, Type: 1,
			CreatedAt: t, CreatedAtUTC: t, ContentType: "comment", Status: "Active", User: g.commentUser(a, false), MediaID: media},
		ThreadingEnabled: true, MediaHeaderDisplay: "none", InitiateAtTop: true, PreviewComments: []any{}, Status: "ok",
	}
	for i := range page {
		out.Comments = append(out.Comments, g.top(c, media, g.topPK(pk, page[i].k), &page[i]))
	}
	if next >= 0 && len(page) > 0 {
		out.HasMoreComments = true
		last := out.Comments[len(out.Comments)-1].PK
		out.NextMinID = `{"cached_comments_cursor": "` + last + `", "bifilter_token": "` + base64.StdEncoding.EncodeToString([]byte(hex16(hashv(pk, uint64(next))))) + `"}`
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *ig) childComments(w http.ResponseWriter, r *http.Request) {
	now := g.now().UnixMilli()
	a, s, pk, ok := g.media(w, r, now)
	if !ok {
		return
	}
	cpk, err := strconv.ParseUint(r.PathValue("cpk"), 10, 64)
	cv, found := g.findTop(&s, pk, cpk, now)
	if err != nil || !found {
		igFail(w, http.StatusBadRequest, "Comment not found")
		return
	}
	c := g.cache()
	c.put(a)
	media := strconv.FormatUint(pk, 10)
	parent := g.top(c, media, cpk, &cv)
	out := igChildComments{ChildCommentCount: len(cv.replies), ChildComments: []igComment{}, ParentComment: parent, Status: "ok"}
	for i := range cv.replies {
		out.ChildComments = append(out.ChildComments, g.child(c, media, parent.PK, &cv, i))
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *ig) loginPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!DOCTYPE html>
<html lang="en" class="no-js not-logged-in"><head><meta charset="utf-8"><title>Login • Instagram</title></head>
<body>
<div id="react-root"><section><main>
<form id="loginForm" method="post" action="/accounts/login/ajax/">
<input aria-label="Phone number, username, or email" name="username" type="text">
<input aria-label="Password" name="password" type="password">
<button type="submit">Log in</button>
</form>
<p>Don't have an account? <a href="/accounts/emailsignup/">Sign up</a></p>
</main></section></div>
</body></html>
`))
}

// Graph API.

type graphErr struct {
	Message        string `json:"message"`
	Type           string `json:"type"`
	IsTransient    bool   `json:"is_transient"`
	Code           int    `json:"code"`
	ErrorSubcode   int    `json:"error_subcode,omitempty"`
	ErrorUserTitle string `json:"error_user_title,omitempty"`
	ErrorUserMsg   string `json:"error_user_msg,omitempty"`
	FbtraceID      string `json:"fbtrace_id"`
}

func fbtrace(h uint64) string {
	return base64.RawStdEncoding.EncodeToString([]byte(hex16(hashv(h, 3)))[:8])
}

func graphError(w http.ResponseWriter, status int, e graphErr) {
	if e.FbtraceID == "" {
		e.FbtraceID = fbtrace(uint64(e.Code))
	}
	w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_request" "`+e.Message+`"`)
	writeJSON(w, status, map[string]graphErr{"error": e})
}

// gfield is one field of a Graph fields expression: name, modifiers such as
// username(x), limit(5) or after(c), and subfields in braces.
type gfield struct {
	name string
	mods map[string]string
	sub  []gfield
}

// parseFields parses a fields expression loosely: unknown syntax ends the
// list where it is.
func parseFields(s string) []gfield {
	p := &fieldParser{s: s}
	return p.list()
}

type fieldParser struct {
	s string
	i int
}

func (p *fieldParser) list() []gfield {
	var out []gfield
	for p.i < len(p.s) {
		if f, ok := p.field(); ok {
			out = append(out, f)
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		break
	}
	return out
}

func (p *fieldParser) name() string {
	j := p.i
	for p.i < len(p.s) && strings.IndexByte("{}(),.", p.s[p.i]) < 0 {
		p.i++
	}
	return strings.TrimSpace(p.s[j:p.i])
}

func (p *fieldParser) field() (gfield, bool) {
	f := gfield{name: p.name(), mods: map[string]string{}}
	for p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		m := p.name()
		if p.i < len(p.s) && p.s[p.i] == '(' {
			end := strings.IndexByte(p.s[p.i:], ')')
			if end < 0 {
				p.i = len(p.s)
				break
			}
			f.mods[m] = p.s[p.i+1 : p.i+end]
			p.i += end + 1
		}
	}
	if p.i < len(p.s) && p.s[p.i] == '{' {
		p.i++
		f.sub = p.list()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
		}
	}
	return f, f.name != ""
}

// ordered is a JSON object with keys in insertion order.
type ordered []okv

type okv struct {
	k string
	v any
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv.k)
		b.Write(k)
		b.WriteByte(':')
		var vb bytes.Buffer
		enc := json.NewEncoder(&vb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(kv.v); err != nil {
			return nil, err
		}
		b.Write(bytes.TrimSuffix(vb.Bytes(), []byte("\n")))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

var defaultDiscovery = []gfield{{name: "followers_count"}, {name: "media_count"}, {name: "id"}}

func (g *ig) graph(w http.ResponseWriter, r *http.Request) {
	if !isGraph(r) {
		g.pl.notFound(w, r)
		return
	}
	caller := r.PathValue("id")
	q := r.URL.Query()
	if strings.TrimSpace(q.Get("access_token")) == "" {
		graphError(w, http.StatusBadRequest, graphErr{Message: "Invalid OAuth access token - Cannot parse access token", Type: "OAuthException", Code: 190})
		return
	}
	if _, err := strconv.ParseUint(caller, 10, 64); err != nil {
		graphError(w, http.StatusBadRequest, graphErr{Message: "(#803) Some of the aliases you requested do not exist: " + caller, Type: "OAuthException", Code: 803})
		return
	}
	out := ordered{}
	for _, f := range parseFields(q.Get("fields")) {
		if f.name != "business_discovery" {
			continue
		}
		bd, ok := g.discovery(w, f)
		if !ok {
			return
		}
		out = append(out, okv{"business_discovery", bd})
	}
	out = append(out, okv{"id", caller})
	writeJSON(w, http.StatusOK, out)
}

func (g *ig) discovery(w http.ResponseWriter, f gfield) (ordered, bool) {
	name := f.mods["username"]
	a, ok := g.lookup(name)
	if _, err := strconv.ParseUint(name, 10, 64); err == nil {
		ok = false
	}
	if !ok || a.vanished || !a.professional() {
		switch {
		case ok && a.vanished:
			g.st.gone()
		case ok && a.private:
			g.st.privateAccount()
		}
		graphError(w, http.StatusBadRequest, graphErr{Message: "Invalid user id", Type: "OAuthException", Code: 110, ErrorSubcode: 2207013,
			ErrorUserTitle: "Cannot find User", ErrorUserMsg: "The user with username: " + name + " cannot be found."})
		return nil, false
	}
	now := g.now()
	ms := now.UnixMilli()
	fields := f.sub
	if len(fields) == 0 {
		fields = defaultDiscovery
	}
	out := ordered{}
	hasID := false
	for _, sf := range fields {
		switch sf.name {
		case "followers_count":
			out = append(out, okv{sf.name, a.followersAt(now)})
		case "follows_count":
			out = append(out, okv{sf.name, a.following})
		case "media_count":
			out = append(out, okv{sf.name, ownPosts(a, ms)})
		case "username":
			out = append(out, okv{sf.name, a.user})
		case "name":
			out = append(out, okv{sf.name, a.displayName()})
		case "biography":
			out = append(out, okv{sf.name, a.bio()})
		case "website":
			if a.hasSite() {
				out = append(out, okv{sf.name, "https://" + a.user + ".example.net/"})
			}
		case "profile_picture_url":
			out = append(out, okv{sf.name, g.pic(a)})
		case "ig_id":
			id, _ := strconv.ParseUint(g.pk(a), 10, 64)
			out = append(out, okv{sf.name, id})
		case "id":
			hasID = true
		case "media":
			m, ok := g.graphMedia(w, a, sf, ms)
			if !ok {
				return nil, false
			}
			out = append(out, okv{"media", m})
		}
	}
	_ = hasID
	return append(out, okv{"id", strconv.FormatUint(igBusinessID(g.key, a.ref), 10)}), true
}

var defaultMediaFields = []gfield{{name: "id"}}

func (g *ig) graphCursor(a *account, ms int64) string {
	var b [16]byte
	copy(b[:3], "AQH")
	for i := 0; i < 6; i++ {
		b[3+i] = byte(ms >> (8 * (5 - i)))
	}
	h := hashv(g.key, tagCursor, a.key, uint64(ms))
	for i := 9; i < 16; i++ {
		b[i] = byte(h >> (8 * (i - 9)))
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (g *ig) parseGraphCursor(a *account, c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 16 || string(b[:3]) != "AQH" {
		return 0, false
	}
	var ms int64
	for i := 0; i < 6; i++ {
		ms = ms<<8 | int64(b[3+i])
	}
	h := hashv(g.key, tagCursor, a.key, uint64(ms))
	for i := 9; i < 16; i++ {
		if b[i] != byte(h>>(8*(i-9))) {
			return 0, false
		}
	}
	return ms, true
}

func (g *ig) graphMedia(w http.ResponseWriter, a *account, f gfield, now int64) (ordered, bool) {
	limit := 25
	if l, err := strconv.Atoi(f.mods["limit"]); err == nil {
		limit = min(max(l, 1), 100)
	}
	before := ^uint64(0)
	if c := f.mods["after"]; c != "" {
		ms, ok := g.parseGraphCursor(a, c)
		if !ok {
			graphError(w, http.StatusBadRequest, graphErr{Message: "(#100) The after cursor is invalid", Type: "OAuthException", Code: 100})
			return nil, false
		}
		before = uint64(ms) << 16
	}
	fields := f.sub
	if len(fields) == 0 {
		fields = defaultMediaFields
	}
	data := []ordered{}
	var last int64
	more := false
	a.eachSlot(now, before, func(s *slot) bool {
		if s.kind != slotPost {
			return true
		}
		if len(data) == limit {
			more = true
			return false
		}
		data = append(data, g.graphItem(a, s, now, fields))
		last = s.ms
		return true
	})
	out := ordered{{"data", data}}
	if more {
		out = append(out, okv{"paging", map[string]any{"cursors": map[string]string{"after": g.graphCursor(a, last)}}})
	}
	return out, true
}

func (g *ig) graphItem(a *account, s *slot, now int64, fields []gfield) ordered {
	pk := g.mediaPK(a, s)
	_, video := g.mediaKind(s)
	typename, _ := g.mediaKind(s)
	m := s.metrics(now)
	out := ordered{}
	for _, f := range fields {
		switch f.name {
		case "caption":
			out = append(out, okv{f.name, s.content().text})
		case "comments_count":
			out = append(out, okv{f.name, m.replies})
		case "like_count":
			out = append(out, okv{f.name, m.likes})
		case "timestamp":
			out = append(out, okv{f.name, time.UnixMilli(s.ms).UTC().Format("2006-01-02T15:04:05-0700")})
		case "media_type":
			t := map[string]string{"GraphVideo": "VIDEO", "GraphSidecar": "CAROUSEL_ALBUM", "GraphImage": "IMAGE"}[typename]
			out = append(out, okv{f.name, t})
		case "media_product_type":
			t := "FEED"
			if video {
				t = "REELS"
			}
			out = append(out, okv{f.name, t})
		case "permalink":
			kind := "p"
			if video {
				kind = "reel"
			}
			out = append(out, okv{f.name, "https://www.instagram.com/" + kind + "/" + shortcode(pk) + "/"})
		case "media_url":
			out = append(out, okv{f.name, g.cdn("15", hashv(s.key, tagMedia), "e35")})
		case "username":
			out = append(out, okv{f.name, a.user})
		case "view_count", "video_view_count":
			if video {
				out = append(out, okv{f.name, m.views})
			}
		}
	}
	return append(out, okv{"id", strconv.FormatUint(igGraphMedia+hashv(g.key, tagMedia, pk)%(1<<46), 10)})
}
