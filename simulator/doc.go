// Package simulator stands in for the social platforms in tests, benchmarks
// and `nanoscout demo`: one HTTP server, each platform on its own path
// prefix, speaking the real wire formats (same keys, nesting, value types and
// headers as the recordings in shared/fixtures), over a seeded population of
// creators whose ground truth is known.
//
// # Routes
//
//	/bluesky/xrpc/app.bsky.actor.getProfile?actor=<handle|did>
//	/bluesky/xrpc/app.bsky.actor.getProfiles?actors=…
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
//	/__stats                                   counters per platform (JSON)
//	/__truth?platform=a,b&format=json|csv      ground truth
//
// A collector's base URL is the server URL plus "/bluesky" or "/mastodon".
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
// feed items over 2½–6 months before Now, including a few replies to other
// creators and reposts, and for many creators a post younger than 24 hours.
// Engagement arrives over the first hours and is complete by 72 h. Truth's
// TrueER is the mean of (likes+replies+reposts+quotes)/followers over the
// creator's own posts at least SettledAge old, computed from exactly the
// counts the API serves, so a correct ER computation reproduces it.
// IsAuthentic is true for organic creators only: the other archetypes buy
// audience or engagement, or (sponsored_heavy) post mostly scripted paid
// content.
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
// the account index; usernames are the handle without the domain. Every id
// and handle resolves back to its account on demand.
//
// # Real-world behaviour
//
// Rate limits are fixed windows per platform (DefaultLimits), answered with
// the platform's 429 body and headers (Bluesky RateLimit-Limit/Remaining/
// Reset (epoch seconds)/Policy, Mastodon X-RateLimit-Limit/Remaining/Reset
// (ISO 8601)), which are also sent on every other response; like the real
// platforms, neither sends Retry-After. Opaque cursors expire after
// Options.CursorTTL. Faults, drawn per request after the rate limiter:
// 500/502/503 with the platform's error bodies (some HTML), added latency,
// bodies cut in half (the declared Content-Length is kept, so clients see an
// unexpected EOF), malformed JSON, and schema drift (one field renamed
// throughout the body). Accounts that vanished answer as deleted or
// deactivated. Everything is counted in Stats.
//
// # Adding a platform
//
// A platform is one file whose init() calls registerPlatform with its
// benchmarks, identifiers, error and rate-limit formats and routes (see
// platform.go); population, posts, comments, rate limiting, faults and stats
// are shared.
package simulator
