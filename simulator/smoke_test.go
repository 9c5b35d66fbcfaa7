package simulator

import (
	"net/http"
	"strings"
	"testing"
)

// TestNoServerErrors hits every route with tiny populations and odd input:
// the simulator itself must never answer 5xx (only injected faults do).
func TestNoServerErrors(t *testing.T) {
	for _, n := range []int{1, 2, 13} {
		s := newSim(t, Options{Seed: int64(n), Creators: n, Faults: Faults{VanishRate: 0.3}})
		h, p := s.Handler(), s.Population()
		b, m := p.Creator("bluesky", 0), p.Creator("mastodon", 0)
		feed := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor="+b.ID).body
		post := ""
		if i := strings.Index(string(feed), `"uri":"at://`); i > 0 {
			post = string(feed[i+7 : i+7+strings.Index(string(feed[i+7:]), `"`)])
		}
		paths := []string{
			"/", "/nope", "/bluesky/", "/bluesky/xrpc/", "/bluesky/xrpc/app.bsky.nothing",
			"/bluesky/xrpc/app.bsky.actor.getProfile", "/bluesky/xrpc/app.bsky.actor.getProfile?actor=" + b.Handle,
			"/bluesky/xrpc/app.bsky.actor.getProfile?actor=did:plc:%00", "/bluesky/xrpc/app.bsky.actor.getProfiles?actors=" + b.ID + "&actors=x",
			"/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor=" + b.ID + "&limit=0", "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor=" + b.ID + "&limit=101",
			"/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor=" + b.ID + "&limit=x", "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor=" + b.ID + "&filter=bogus",
			"/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor=" + b.ID + "&filter=posts_with_media&cursor=zzzzzzzzzzzzzzzzzzzzzzzzzz",
			"/bluesky/xrpc/app.bsky.feed.getPostThread", "/bluesky/xrpc/app.bsky.feed.getPostThread?uri=garbage",
			"/bluesky/xrpc/app.bsky.feed.getPostThread?uri=at://" + b.ID + "/app.bsky.feed.post/3zzzzzzzzzzzz",
			"/bluesky/xrpc/app.bsky.feed.getPostThread?uri=" + q(post) + "&depth=1&parentHeight=0",
			"/bluesky/xrpc/app.bsky.feed.getPostThread?uri=" + q(post) + "&depth=-1",
			"/bluesky/xrpc/app.bsky.graph.getFollows?actor=" + b.Handle + "&limit=100",
			"/bluesky/xrpc/com.atproto.identity.resolveHandle?handle=" + b.ID,
			"/bluesky/xrpc/com.atproto.server.createSession",
			"/mastodon/api/v1/accounts/lookup", "/mastodon/api/v1/accounts/lookup?acct=" + m.Handle, "/mastodon/api/v1/accounts/lookup?acct=" + m.ID,
			"/mastodon/api/v1/accounts/abc", "/mastodon/api/v1/accounts/" + m.ID + "/statuses?limit=-4&max_id=x&pinned=true",
			"/mastodon/api/v1/accounts/" + m.ID + "/statuses?min_id=1&since_id=99999999999999999999",
			"/mastodon/api/v1/accounts/" + m.ID + "/statuses?tagged=sourdough&exclude_replies=1",
			"/mastodon/api/v1/accounts/" + m.ID + "/following?max_id=5", "/mastodon/api/v1/accounts/" + m.ID + "/following?max_id=99999999999",
			"/mastodon/api/v1/statuses/1/context", "/mastodon/api/v1/statuses/18446744073709551615", "/mastodon/api/v1/statuses/abc/context",
			"/mastodon/api/v1/timelines/tag/", "/mastodon/api/v1/timelines/tag/%23Sourdough?limit=400", "/mastodon/api/v1/timelines/tag/ad?max_id=0",
			"/__stats", "/__truth?platform=nope", "/__truth?platform=bluesky&format=csv",
		}
		for _, path := range paths {
			for _, auth := range []bool{false, true} {
				var hdr http.Header
				if auth {
					hdr = http.Header{"Authorization": {"Bearer x"}}
				}
				// 501 is the real answer to an unknown XRPC method.
				if r := do(h, "GET", path, hdr, nil); r.status >= 500 && r.status != http.StatusNotImplemented {
					t.Errorf("n=%d GET %s: %d %s", n, path, r.status, r.body)
				}
			}
		}
		for _, body := range []string{"", "{", `{"identifier":"` + b.Handle + `","password":"p"}`} {
			if r := do(h, "POST", "/bluesky/xrpc/com.atproto.server.createSession", nil, strings.NewReader(body)); r.status >= 500 {
				t.Errorf("createSession %q: %d", body, r.status)
			}
		}
		if st := s.Stats(); st.Platforms["bluesky"].ByStatus["500"] != 0 {
			t.Errorf("stats show 500s: %+v", st)
		}
	}
}
