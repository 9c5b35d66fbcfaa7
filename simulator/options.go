package simulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Options configure a Server.
type Options struct {
	Seed     int64
	Creators int              // per platform; default 1000, at most MaxCreators
	Faults   Faults           // injected per request; VanishRate marks accounts as gone
	Limits   map[string]Limit // per platform; nil = DefaultLimits(); a missing platform gets its default
	Now      func() time.Time // default time.Now; posts are placed relative to it
	// CursorTTL is how long an opaque cursor (Bluesky getAuthorFeed,
	// getFollows) stays valid; older ones get 400 InvalidRequest "Cursor
	// expired". 0 means DefaultCursorTTL; negative means cursors never expire.
	CursorTTL time.Duration
	// FaultSeed varies which requests the injected faults hit, without
	// changing the population: the same seed with another FaultSeed is the
	// same world on a different bad day. 0 keeps the faults of earlier
	// versions.
	FaultSeed int64
	// YouTubeQuota is the YouTube Data API quota in units per API key per
	// day (days end at midnight America/Los_Angeles, as Google's do). 0
	// means DefaultYouTubeQuota; negative means no quota.
	YouTubeQuota int
	// Jetstream configures the /jetstream/subscribe endpoint.
	Jetstream JetstreamOptions
	// PerClientLimits gives every client its own rate-limit window per
	// platform instead of one shared by all requests: the client is named
	// by the X-Nanoscout-Client header, else by its bearer token, else it
	// is "anonymous" (see ClientOf). It stands in for the per-IP limits of
	// the real platforms when several workers share one simulator. YouTube
	// quota stays per API key, as Google's is.
	PerClientLimits bool
	// MastodonPublic says whether the Mastodon public timelines need a
	// token: MastodonPublicOpen (""), MastodonPublicPreviewOff or
	// MastodonPublicAuthorized (see mastodon_public.go).
	MastodonPublic string
	// MastodonStream configures the Mastodon streaming server
	// (/api/v1/streaming/public; see mastodon_public.go).
	MastodonStream MastodonStreamOptions
}

// MastodonStreamOptions configure the simulated Mastodon streaming server.
// It is served under /mastodon-streaming (the streaming host that
// /api/v2/instance names in configuration.urls.streaming) and, as on
// instances that proxy it on the API host, under /mastodon.
type MastodonStreamOptions struct {
	// Off: no streaming server answers (404 on /api/v1/streaming/...), as
	// on an instance whose proxy does not route it.
	Off bool
	// NeedsToken: the streaming server answers 401 "Missing access token"
	// without a token even when the REST timeline is open.
	NeedsToken bool
	// DropAfter closes a stream connection after that many update events
	// (0: never), as a proxy or a restarting streaming server does.
	DropAfter int
	// MalformedEvery sends a malformed update event (its JSON cut short)
	// after every that many real ones (0: never); the real ones are all
	// sent, so nothing is lost.
	MalformedEvery int
	// Heartbeat is how often ":thump" is sent; 0 means 15 s (Mastodon's).
	Heartbeat time.Duration
}

// JetstreamOptions configure the simulated Jetstream.
type JetstreamOptions struct {
	// Retention is how far back a cursor can replay; an older cursor starts
	// at the oldest retained event, as the real service does. 0 means
	// DefaultJetstreamRetention.
	Retention time.Duration
	// Rate caps the events per second sent on one connection (the real
	// service caps each subscriber too); 0 means as fast as the client
	// reads (flat out, for benchmarks). Live tail is further bounded by the
	// simulated clock (Options.Now): events are sent when their time comes.
	Rate float64
	// Poll is how often a connection at the live edge looks at the clock
	// again; 0 means 20 ms.
	Poll time.Duration
}

// DefaultJetstreamRetention is how much history the simulated Jetstream
// replays (the public instances keep about three days).
const DefaultJetstreamRetention = 72 * time.Hour

// DefaultYouTubeQuota is Google's default allocation: 10,000 units per day.
const DefaultYouTubeQuota = 10_000

// DefaultCursorTTL is the default lifetime of an opaque cursor.
const DefaultCursorTTL = 15 * time.Minute

// Limit is a fixed-window rate limit over a whole platform: Requests per
// Window, windows aligned to multiples of Window. Requests <= 0 means no limit.
type Limit struct {
	Requests int
	Window   time.Duration
}

// DefaultLimits returns the simulator's default limits: generous enough for a
// two-minute demo, same order as the real ones. The real published limits:
//
//   - bluesky: 3000 requests per 5 minutes per IP on the PDS / entryway
//     (createSession 30 per 5 minutes); the AppView publishes none.
//   - mastodon: 300 requests per 5 minutes per IP or token (1500 per 5
//     minutes per user; paging requests 300 per 15 minutes).
//   - youtube: a quota, not a rate: 10,000 units per day per project (most
//     list calls 1 unit, search.list 100), reset at midnight Pacific time;
//     Google publishes no per-minute limit for API keys. The simulator
//     enforces the quota per key (Options.YouTubeQuota) besides this limit.
//   - tiktok: none published for the web endpoints, which sit behind bot
//     defences instead (the official Research API allows 1,000 requests a
//     day).
//   - instagram: none published for the web endpoints (instaloader keeps
//     itself to about 200 i.instagram.com requests per 30 minutes and waits
//     30 minutes after a 429); the Graph API has Business Use Case limits
//     reported in X-Business-Use-Case-Usage.
//
// Defaults: bluesky 3000 per 60 s, mastodon 1500 per 60 s, youtube 3000 per
// 60 s, tiktok 1800 per 60 s, instagram 1800 per 60 s.
func DefaultLimits() map[string]Limit {
	out := map[string]Limit{}
	for name, p := range registry {
		out[name] = p.defaultLimit
	}
	return out
}

// Faults configure fault injection. Rates are probabilities per request and
// are exclusive: one request gets at most one of ErrorRate, TruncateRate,
// MalformedRate and DriftRate. Latency (mean; actual is 0.5–1.5×) is added to
// every request that passes the rate limiter. VanishRate is the share of
// creators whose accounts answer as deleted or deactivated. LoginWallRate is
// the share of requests to the web endpoints of TikTok and Instagram that
// meet a login wall instead of data (drawn before, and instead of, the other
// faults; other platforms and endpoints have no wall).
//
// The Jetstream faults are drawn per event sent on a /subscribe connection:
// StreamDropRate closes the connection right after the event without a
// close frame; StreamDupRate sends the event again a few events later;
// StreamDisorderRate holds the event back and sends it 1–5 s (of event
// time) late, after newer events; StreamMalformedRate and
// StreamOversizeRate send an extra bad frame before the event (invalid
// JSON, or a valid commit of about 1.2 MB from an account outside the
// population). None of them loses an event: a consumer that skips bad
// frames, applies duplicates idempotently and resumes from its cursor
// minus a few seconds sees every event. PostDeleteRate and UnlikeRate are
// not transport faults but Bluesky behaviour: that share of own posts (of
// likes) is deleted again later, which the stream shows as delete commits
// and the XRPC endpoints as posts gone and lower like counts.
type Faults struct {
	ErrorRate, TruncateRate, MalformedRate, DriftRate float64
	Latency                                           time.Duration
	VanishRate                                        float64
	LoginWallRate                                     float64

	StreamDropRate, StreamDupRate, StreamDisorderRate float64
	StreamMalformedRate, StreamOversizeRate           float64
	PostDeleteRate, UnlikeRate                        float64
}

var faultKeys = []string{"5xx", "latency", "truncate", "malformed", "drift", "vanish", "loginwall",
	"jsdrop", "jsdup", "jsdisorder", "jsmalformed", "jsoversize", "postdelete", "unlike"}

// ParseFaults parses "5xx=0.05,latency=20ms,truncate=0.01,malformed=0.01,
// drift=0.01,vanish=0.01,loginwall=0.02,jsdrop=0.0001,jsdup=0.001,
// jsdisorder=0.001,jsmalformed=0.001,jsoversize=0.0005,postdelete=0.02,
// unlike=0.02". The empty string means no faults. An unknown key is an
// error that names it.
func ParseFaults(s string) (Faults, error) {
	var f Faults
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return f, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok {
			return Faults{}, fmt.Errorf("fault %q: want key=value", part)
		}
		if k == "latency" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return Faults{}, fmt.Errorf("fault latency=%q: want a duration such as 20ms", v)
			}
			f.Latency = d
			continue
		}
		var dst *float64
		switch k {
		case "5xx":
			dst = &f.ErrorRate
		case "truncate":
			dst = &f.TruncateRate
		case "malformed":
			dst = &f.MalformedRate
		case "drift":
			dst = &f.DriftRate
		case "vanish":
			dst = &f.VanishRate
		case "loginwall":
			dst = &f.LoginWallRate
		case "jsdrop":
			dst = &f.StreamDropRate
		case "jsdup":
			dst = &f.StreamDupRate
		case "jsdisorder":
			dst = &f.StreamDisorderRate
		case "jsmalformed":
			dst = &f.StreamMalformedRate
		case "jsoversize":
			dst = &f.StreamOversizeRate
		case "postdelete":
			dst = &f.PostDeleteRate
		case "unlike":
			dst = &f.UnlikeRate
		default:
			return Faults{}, fmt.Errorf("unknown fault %q (known: %s)", k, strings.Join(faultKeys, ", "))
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 1 {
			return Faults{}, fmt.Errorf("fault %s=%q: want a rate between 0 and 1", k, v)
		}
		*dst = x
	}
	if sum := f.ErrorRate + f.TruncateRate + f.MalformedRate + f.DriftRate; sum > 1 {
		return Faults{}, fmt.Errorf("faults: 5xx+truncate+malformed+drift = %.3f, want at most 1", sum)
	}
	return f, nil
}

// String renders f in ParseFaults syntax.
func (f Faults) String() string {
	var parts []string
	add := func(k string, v float64) {
		if v > 0 {
			parts = append(parts, k+"="+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	add("5xx", f.ErrorRate)
	if f.Latency > 0 {
		parts = append(parts, "latency="+f.Latency.String())
	}
	add("truncate", f.TruncateRate)
	add("malformed", f.MalformedRate)
	add("drift", f.DriftRate)
	add("vanish", f.VanishRate)
	add("loginwall", f.LoginWallRate)
	add("jsdrop", f.StreamDropRate)
	add("jsdup", f.StreamDupRate)
	add("jsdisorder", f.StreamDisorderRate)
	add("jsmalformed", f.StreamMalformedRate)
	add("jsoversize", f.StreamOversizeRate)
	add("postdelete", f.PostDeleteRate)
	add("unlike", f.UnlikeRate)
	return strings.Join(parts, ",")
}

// ScaledClock is a clock for Options.Now that starts at start and runs speed
// times faster than the wall clock: the Jetstream's live tail (and
// everything else) then sees speed times as many events per second.
func ScaledClock(start time.Time, speed float64) func() time.Time {
	wall := time.Now()
	return func() time.Time {
		return start.Add(time.Duration(float64(time.Since(wall)) * speed))
	}
}
