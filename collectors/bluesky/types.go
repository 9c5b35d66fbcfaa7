package bluesky

// The subset of the app.bsky lexicons the collector reads.

// profileViewDetailed is app.bsky.actor.defs#profileViewDetailed.
type profileViewDetailed struct {
	DID            string  `json:"did"`
	Handle         string  `json:"handle"`
	DisplayName    string  `json:"displayName"`
	Description    string  `json:"description"`
	Avatar         string  `json:"avatar"`
	FollowersCount int64   `json:"followersCount"`
	FollowsCount   int64   `json:"followsCount"`
	PostsCount     int64   `json:"postsCount"`
	CreatedAt      string  `json:"createdAt"`
	Labels         []label `json:"labels"`
	Verification   *struct {
		VerifiedStatus string `json:"verifiedStatus"`
	} `json:"verification"`
}

// profileViewBasic is app.bsky.actor.defs#profileViewBasic (and the fields of
// #profileView the collector needs).
type profileViewBasic struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
}

type label struct {
	Src string `json:"src"`
	Val string `json:"val"`
	Neg bool   `json:"neg"`
}

type strongRef struct {
	URI string `json:"uri"`
}

// postRecord is an app.bsky.feed.post record.
type postRecord struct {
	Text      string `json:"text"`
	CreatedAt string `json:"createdAt"`
	Reply     *struct {
		Root   strongRef `json:"root"`
		Parent strongRef `json:"parent"`
	} `json:"reply"`
	Facets []struct {
		Features []struct {
			Type string `json:"$type"`
			Tag  string `json:"tag"`
		} `json:"features"`
	} `json:"facets"`
	Tags  []string `json:"tags"`  // extra hashtags not shown in the text
	Langs []string `json:"langs"` // the languages the author tagged
}

// postView is app.bsky.feed.defs#postView.
type postView struct {
	URI         string           `json:"uri"`
	Author      profileViewBasic `json:"author"`
	Record      postRecord       `json:"record"`
	ReplyCount  *int64           `json:"replyCount"`
	RepostCount *int64           `json:"repostCount"`
	LikeCount   *int64           `json:"likeCount"`
	QuoteCount  *int64           `json:"quoteCount"`
	IndexedAt   string           `json:"indexedAt"`
}

// feedViewPost is app.bsky.feed.defs#feedViewPost.
type feedViewPost struct {
	Post   postView `json:"post"`
	Reason *struct {
		Type string `json:"$type"`
	} `json:"reason"`
}

type authorFeedResponse struct {
	Feed   []feedViewPost `json:"feed"`
	Cursor string         `json:"cursor"`
}

// threadNode is a #threadViewPost, #notFoundPost or #blockedPost.
type threadNode struct {
	Type    string       `json:"$type"`
	URI     string       `json:"uri"` // on #notFoundPost / #blockedPost
	Post    *postView    `json:"post"`
	Replies []threadNode `json:"replies"`
}

type postThreadResponse struct {
	Thread threadNode `json:"thread"`
}

type searchPostsResponse struct {
	Posts  []postView `json:"posts"`
	Cursor string     `json:"cursor"`
}

type followsResponse struct {
	Follows []profileViewBasic `json:"follows"`
	Cursor  string             `json:"cursor"`
}

// Union $type values.
const (
	typeThreadViewPost = "app.bsky.feed.defs#threadViewPost"
	typeNotFoundPost   = "app.bsky.feed.defs#notFoundPost"
	typeBlockedPost    = "app.bsky.feed.defs#blockedPost"
	typeReasonRepost   = "app.bsky.feed.defs#reasonRepost"
	typeFacetTag       = "app.bsky.richtext.facet#tag"
)
