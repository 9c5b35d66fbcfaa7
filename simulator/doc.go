// Package simulator stands in for the social platforms in tests, benchmarks
// and `nanoscout demo`: one HTTP server, each platform on its own path
// prefix, speaking the real wire formats (same keys, nesting, value types and
// headers as the recordings in shared/fixtures), over a seeded population of
// creators whose ground truth is known.
//
// # Routes
//
//	/bluesky/xrpc/app.bsky.actor.getProfile?actor=<handle|did>
//	/bluesky/xrpc/app.bsky.actor.getProfiles?actors=…(≤25)
//	/bluesky/xrpc/app.bsky.feed.getPosts?uris=…(≤25)
//	/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor=&limit=(50, ≤100)&cursor=&filter=
//	/bluesky/xrpc/app.bsky.feed.getPostThread?uri=at://…&depth=(6)&parentHeight=(80)
//	/bluesky/xrpc/app.bsky.graph.getFollows?actor=&limit=(50, ≤100)&cursor=
//	/bluesky/xrpc/app.bsky.feed.searchPosts?q=&limit=(25, ≤100)&cursor=   (403 AuthMissing without a Bearer token)
//	/bluesky/xrpc/com.atproto.identity.resolveHandle?handle=
//	POST /bluesky/xrpc/com.atproto.server.createSession {identifier, password}
//	/mastodon/api/v1/accounts/lookup?acct=
//	/mastodon/api/v1/accounts/:id
//	/mastodon/api/v1/accounts/:id/statuses?limit=(20, ≤40)&max_id=&since_id=&min_id=&exclude_replies=&exclude_reblogs=&tagged=
//	/mastodon/api/v1/accounts/:id/following?limit=(40, ≤80)&max_id=
//	/mastodon/api/v1/statuses/:id and /mastodon/api/v1/statuses/:id/context
//	/mastodon/api/v1/timelines/tag/:hashtag?limit=(20, ≤40)&max_id=&since_id=&min_id=
//	/mastodon/api/v1/timelines/public?local=&remote=&only_media=&limit=(20, ≤40)&max_id=&since_id=&min_id=
//	/mastodon/api/v1/streaming/public                                          SSE, event: update
//	/jetstream/subscribe?wantedCollections=&wantedDids=&cursor=<µs>&maxMessageSizeBytes=&requireHello=   WebSocket (jetstream.go)
//	/youtube/youtube/v3/channels?part=&id=UC…[,UC…]|forHandle=@…&key=          1 unit
//	/youtube/youtube/v3/playlistItems?part=&playlistId=UU…&maxResults=(5, 0–50)&pageToken=&key=   1 unit
//	/youtube/youtube/v3/videos?part=&id=a,b,…(≤50)&key=                       1 unit
//	/youtube/youtube/v3/commentThreads?part=snippet,replies&videoId=&maxResults=(20, 1–100)&order=time|relevance&pageToken=&key=   1 unit
//	/youtube/youtube/v3/comments?part=snippet&parentId=<thread id>&maxResults=(20, 1–100)&pageToken=&key=   1 unit
//	/youtube/youtube/v3/search?part=snippet&q=&type=video|channel&maxResults=(5, 0–50)&pageToken=&key=   100 units
//	/youtube/feeds/videos.xml?channel_id=UC…                                  Atom, latest 15, no key
//	/tiktok/robots.txt
//	/tiktok/@<uniqueId>                                                       HTML, data in a script
//	/tiktok/api/post/item_list/?secUid=&cursor=<ms, 0 = now>&count=(16, ≤35)
//	/tiktok/api/comment/list/?aweme_id=&cursor=<offset>&count=(20, ≤50)
//	/tiktok/api/comment/list/reply/?item_id=&comment_id=&cursor=<offset>&count=(20, ≤50)
//	/instagram/api/v1/users/web_profile_info/?username=                       needs x-ig-app-id: 936619743392459
//	/instagram/api/v1/media/<media_pk>/comments/?can_support_threading=true&permalink_enabled=false[&min_id=<next_min_id>]
//	/instagram/api/v1/media/<media_pk>/comments/<comment_pk>/child_comments/
//	/instagram/v25.0/<ig_user_id>?fields=business_discovery.username(<u>){…,media.limit(N).after(C){…}}&access_token=
//	/instagram/accounts/login/                                                where login walls redirect
//	/__stats                                   counters per platform (JSON), YouTube quota units per key, Jetstream
//	/__jetstream?from=<µs>&to=<µs>&wantedCollections=&wantedDids=   the stream's log: events in a range, by collection
//	/__jetstream/events?from=<µs>&to=<µs>&…    the same range's frames, NDJSON
//	/__truth?platform=a,b&format=json|csv      ground truth
//	/robots.txt                                every platform's robots.txt rules under its prefix
//
// A collector's base URL is the server URL plus "/<platform>". YouTube's
// Data API base (real: https://www.googleapis.com) and its feed base (real:
// https://www.youtube.com) are both the server URL plus "/youtube"; TikTok's
// stands for https://www.tiktok.com; Instagram's for https://i.instagram.com
// and, for the Graph API, https://graph.facebook.com. docs/simulator.md is
// the collector-facing reference: formats, status codes, paging, limits.
//
// # Population
//
// Every account, post and comment is a pure function of (seed, platform,
// index[, post slot, comment]) through splitmix64 hashing: nothing per
// creator is kept in memory, so a server with 100,000 creators per platform
// serves from a heap of well under a megabyte. Creators are drawn in tiers
// (12 % below 1k followers, 45 % nano, 25 % micro, 10 % mid, 5 % macro, 3 %
// mega), in twelve niches and five languages (en, nl, de, fr, es), with
// archetypes organic (65 %), bought_followers, bought_likes, engagement_pod
// and sponsored_heavy. Engagement per post is drawn around per-tier
// benchmarks of the platform; bought followers inflate follower counts (with
// purchase spikes and slow purges, visible in daily snapshots) and lower ER;
// bought likes put likes far out of proportion to comments; pods get fast,
// generic, duplicated and emoji-only comments from three shared rings of ten
// bot accounts; sponsored_heavy creators post scripted brand copy with promo
// codes, affiliate links and disclosures (#ad, #sponsored, #samenwerking,
// #advertentie, #werbung, #anzeige, #pub, #publi…). Most nano creators answer
// most comments within hours; megas almost never do.
//
// Each account posts on its own lattice of time slots (see posts.go): 20–300
// feed items over 2½–6 months before Now (YouTube a third, Instagram 60 % of
// that), including on Bluesky and Mastodon a few replies to other creators
// and reposts, and for many creators a post younger than 24 hours.
// Engagement arrives over the first hours and is complete by 72 h.
//
// ER truth follows the basis of each platform's tier benchmark
// (configs/benchmarks.yaml): Truth.ERBasis is "followers" for Bluesky,
// Mastodon and Instagram and "views" for TikTok and YouTube. By followers,
// TrueER is the mean of (every count shown)/followers over the creator's own
// posts at least SettledAge old; by views it is pooled, Σ(likes + comments +
// shares)/Σ views over the same posts (TikTok saves and YouTube's hidden like
// counts left out), as scoring.Engagement computes ByViews. Both are computed
// from exactly the counts the API serves, so a correct ER computation
// reproduces them; Truth.ERByFollowers is the by-followers figure on every
// platform. On view-based platforms each post's views are drawn from the
// creator's reach (views ÷ real followers, per tier) and its engagement per
// view around the tier benchmark (TikTok nano 10.3 %, mega 7.1 %; YouTube
// nano 5.23 %, mega 1.41 %); Instagram is drawn by followers around nano
// 2.71–3.86 %, mega 0.8–1.2 %. Bought followers therefore lower ER by
// followers but not by views; bought likes raise both. IsAuthentic is true
// for organic creators only: the other archetypes buy audience or
// engagement, or (sponsored_heavy) post mostly scripted paid content.
// A few creators are private (TikTok 4 %, Instagram 5 %; YouTube 3 % hide
// their subscriber count): Truth.Private; they are never SeedHandles.
//
// Commenters are fans (audience accounts, which resolve and have profiles
// and feeds but no truth rows), peer creators of the same niche, and the pod
// rings. Follow lists are mostly creators of the same niche.
//
// # Identifiers
//
// Bluesky DIDs are did:plc: plus 24 base32 characters holding a keyed
// permutation of the account index with a check word; handles are
// "<name><niche word><index>.bsky.social" (audience: "<first>-<last><index>").
// Post rkeys are real-format TIDs of the post's creation time. Mastodon ids
// are snowflakes (unix ms << 16) whose low bits and millisecond field carry
// the account index; usernames are the handle without the domain. YouTube
// channel ids are "UC" + 22 base64url characters (a keyed permutation of the
// index and a check word; uploads "UU" + the same), handles "@<name>", video
// ids 11 base64url characters holding a permuted (check, account, slot);
// TikTok user and video ids are 19-digit snowflakes (creation second << 32,
// account and check below), secUid "MS4wLjABAAAA" + 64 characters; Instagram
// user pks 5,000,000,000 + (account << 16 | check), media pks Instagram's
// (ms since 2011-08-24 << 23 | masked account), shortcodes their base64.
// Every id and handle resolves back to its account on demand.
//
// # Real-world behaviour
//
// Rate limits are fixed windows per platform (DefaultLimits), answered with
// the platform's 429 body and headers (Bluesky RateLimit-Limit/Remaining/
// Reset (epoch seconds)/Policy, Mastodon X-RateLimit-Limit/Remaining/Reset
// (ISO 8601), YouTube Google's 429 RESOURCE_EXHAUSTED, TikTok a bare 429
// with no body and no headers, Instagram 429 {"message":"Please wait a few
// minutes…"} on the web and 403 error code 4 with X-App-Usage on the Graph
// API); like the real platforms, none sends Retry-After. YouTube also
// enforces its daily quota per API key (Options.YouTubeQuota, 403
// quotaExceeded). Opaque cursors expire after Options.CursorTTL. Faults,
// drawn per request after the rate limiter: login walls (Faults.
// LoginWallRate; TikTok and Instagram web endpoints), 500/502/503 with the
// platform's error bodies (some HTML), added latency, bodies cut in half (the
// declared Content-Length is kept, so clients see an unexpected EOF),
// malformed JSON, and schema drift (one field renamed throughout the body,
// e.g. YouTube subscriberCount → subscriber_count, TikTok followerCount →
// follower_count, Instagram edge_followed_by → edge_followed). robots.txt is
// never faulted. Accounts that vanished answer as deleted or deactivated in
// each platform's way. Everything is counted in Stats.
//
// # Adding a platform
//
// A platform is one file whose init() calls registerPlatform with its
// benchmarks and ER basis, identifiers, error and rate-limit formats, login
// wall and routes (see platform.go); population, posts, comments (with the
// flattened two-level threads of thread.go's convo), rate limiting, faults
// and stats are shared.
package simulator
