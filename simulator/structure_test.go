package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Viewer state that only an authenticated viewer sees, present in the
// recordings (made with a logged-in client) and absent from public answers.
var bskyViewerOnly = []string{
	"viewer.following", "viewer.followedBy", "viewer.knownFollowers", "viewer.like", "viewer.repost",
	"avatar", "banner", "associated", // accounts without them omit the keys
}

// findFeedPage finds a creator whose first feed page is full and has an own
// post, a reply with its parent (none to deleted posts) and a repost.
func findFeedPage(t *testing.T, h http.Handler, p *Population) map[string]any {
	t.Helper()
	for i := range 200 {
		tr := p.Creator("bluesky", i)
		page := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor="+tr.Handle).obj(t)
		var post, reply, repost, deleted bool
		for _, it := range page["feed"].([]any) {
			switch {
			case dig(it, "reason") != nil:
				repost = true
			case str(dig(it, "reply", "parent"), "$type") == bskyPostViewType:
				reply = true
			case dig(it, "reply") != nil:
				deleted = true
			default:
				post = true
			}
		}
		if post && reply && repost && !deleted && page["cursor"] != nil {
			return page
		}
	}
	t.Fatal("no creator with posts, replies and reposts on the first page")
	return nil
}

// findDeepThread finds a post whose thread has a conversation at least
// three levels deep.
func findDeepThread(t *testing.T, h http.Handler, p *Population) map[string]any {
	t.Helper()
	var depth func(n any) int
	depth = func(n any) int {
		d := 0
		for _, r := range dig(n, "replies").([]any) {
			if dig(r, "replies") != nil {
				d = max(d, depth(r))
			}
		}
		return d + 1
	}
	for i := range 100 {
		tr := p.Creator("bluesky", i)
		page := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?filter=posts_no_replies&limit=20&actor="+tr.Handle).obj(t)
		for _, it := range page["feed"].([]any) {
			if dig(it, "reason") != nil || num(it, "post", "replyCount") < 3 {
				continue
			}
			th := get(h, "/bluesky/xrpc/app.bsky.feed.getPostThread?uri="+q(str(it, "post", "uri"))).obj(t)
			if depth(th["thread"]) >= 4 {
				return th
			}
		}
	}
	t.Fatal("no thread with a conversation three levels deep")
	return nil
}

func TestBlueskyStructureMatchesFixtures(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 500})
	h, p := s.Handler(), s.Population()
	tr := creatorWith(t, p, "bluesky", func(tr Truth) bool { return tr.Tier == "nano" })

	prof := get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+tr.Handle)
	if prof.status != 200 {
		t.Fatalf("getProfile: %d %s", prof.status, prof.body)
	}
	assertShape(t, "getProfile", loadFixture(t, "bluesky/getProfile.json"), prof.json(t), keyRules{optional: bskyViewerOnly})

	// Union members (embed and facet kinds) and optional lexicon fields that a
	// recording may happen to show always, or never.
	unions := []string{"post.embed", "record.embed", "embed.images", "embed.external", "features[].uri", "features[].tag", "images[].aspectRatio", "external.thumb"}

	feed := findFeedPage(t, h, p)
	assertShape(t, "getAuthorFeed", loadFixture(t, "bluesky/getAuthorFeed.json"), feed, keyRules{optional: append(append(bskyViewerOnly, unions...), "reply.grandparentAuthor"), extra: unions})

	// Replies may be notFound/blocked placeholders, which the recording lacks.
	thread := findDeepThread(t, h, p)
	rules := keyRules{
		optional: append(append(bskyViewerOnly, unions...), "replies[].post", "replies[].replies"),
		extra:    append(unions, "replies[].uri", "replies[].notFound", "replies[].blocked", "replies[].author"),
	}
	assertShape(t, "getPostThread", loadFixture(t, "bluesky/getPostThread.json"), thread, rules)
	noReplies := get(h, "/bluesky/xrpc/app.bsky.feed.getPostThread?depth=0&uri="+q(str(thread, "thread", "post", "uri"))).obj(t)
	assertShape(t, "getPostThread depth=0", loadFixture(t, "bluesky/getPostThread_noReplies.json"), noReplies, keyRules{optional: append(append(bskyViewerOnly, unions...), "thread.replies"), extra: unions})

	search := getAuth(h, "/bluesky/xrpc/app.bsky.feed.searchPosts?q=sourdough")
	assertShape(t, "searchPosts", loadFixture(t, "bluesky/searchPosts.json"), search.json(t), keyRules{optional: append(bskyViewerOnly, unions...), extra: unions})

	for name, r := range map[string]resp{
		"bluesky/error_400_InvalidRequest.json":          get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor=nobody.bsky.social"),
		"bluesky/error_403_searchPosts_AuthMissing.json": get(h, "/bluesky/xrpc/app.bsky.feed.searchPosts?q=sourdough"),
	} {
		assertShape(t, name, loadFixture(t, name), r.json(t), keyRules{})
	}
	if b := string(get(h, "/bluesky/xrpc/app.bsky.feed.searchPosts?q=x").body); b != `{"error":"AuthMissing","message":"Authentication Required"}` {
		t.Errorf("searchPosts without auth: %s", b)
	}
	if b := string(prof.body); strings.Contains(b, `\u003c`) || strings.HasSuffix(b, "\n") {
		t.Errorf("JSON should be unescaped and end without a newline")
	}
}

// mastoViewerOnly lists the keys Mastodon adds for an authenticated viewer.
var mastoViewerOnly = []string{"favourited", "reblogged", "muted", "bookmarked", "pinned", "filtered"}

func TestMastodonStructureMatchesFixtures(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 500})
	h, p := s.Handler(), s.Population()
	tr := creatorWith(t, p, "mastodon", func(tr Truth) bool { return tr.Tier == "nano" && tr.SettledPosts > 30 })

	acct := get(h, "/mastodon/api/v1/accounts/lookup?acct="+tr.Handle)
	if acct.status != 200 {
		t.Fatalf("lookup: %d %s", acct.status, acct.body)
	}
	assertShape(t, "accounts/lookup", loadFixture(t, "mastodon/accounts_lookup.json"), acct.json(t), keyRules{})
	assertShape(t, "accounts/:id", loadFixture(t, "mastodon/accounts_lookup.json"), get(h, "/mastodon/api/v1/accounts/"+tr.ID).json(t), keyRules{})

	authed := getAuth(h, "/mastodon/api/v1/accounts/"+tr.ID+"/statuses?limit=40")
	assertShape(t, "statuses (token)", loadFixture(t, "mastodon/accounts_statuses.json"), authed.json(t), keyRules{})
	public := get(h, "/mastodon/api/v1/accounts/"+tr.ID+"/statuses?limit=40")
	assertShape(t, "statuses (public)", loadFixture(t, "mastodon/accounts_statuses.json"), public.json(t), keyRules{optional: mastoViewerOnly})
	if public.header.Get("Link") == "" {
		t.Error("statuses: no Link header")
	}

	tag := getAuth(h, "/mastodon/api/v1/timelines/tag/sourdough?limit=10")
	assertShape(t, "timelines/tag", loadFixture(t, "mastodon/timelines_tag.json"), tag.json(t), keyRules{})

	// Context of an own post with comments, and of a reply to another creator.
	var postID, replyID string
	for i := 0; i < p.Size() && (postID == "" || replyID == ""); i++ {
		c := p.Creator("mastodon", i)
		for _, st := range get(h, "/mastodon/api/v1/accounts/"+c.ID+"/statuses?limit=40").arr(t) {
			switch {
			case dig(st, "reblog") == nil && dig(st, "in_reply_to_id") == nil && num(st, "replies_count") > 2 && postID == "":
				postID = str(st, "id")
			case dig(st, "in_reply_to_id") != nil && replyID == "":
				if r := get(h, "/mastodon/api/v1/statuses/"+str(st, "id")+"/context"); len(dig(r.json(t), "ancestors").([]any)) == 1 {
					replyID = str(st, "id")
				}
			}
		}
	}
	if postID == "" || replyID == "" {
		t.Fatalf("no post with comments (%q) or reply (%q)", postID, replyID)
	}
	ctx := getAuth(h, "/mastodon/api/v1/statuses/"+postID+"/context").obj(t)
	if len(ctx["descendants"].([]any)) == 0 {
		t.Fatal("context: no descendants")
	}
	assertShape(t, "context", loadFixture(t, "mastodon/statuses_context.json"), ctx, keyRules{})
	ctxReply := getAuth(h, "/mastodon/api/v1/statuses/"+replyID+"/context").obj(t)
	assertShape(t, "context of reply", loadFixture(t, "mastodon/statuses_context_of_reply.json"), ctxReply, keyRules{})

	// Link cards against the documentation example.
	sponsor := creatorWith(t, p, "mastodon", func(tr Truth) bool { return tr.Archetype == ArchSponsoredHeavy })
	var card any
	for _, st := range get(h, "/mastodon/api/v1/accounts/"+sponsor.ID+"/statuses?limit=40").arr(t) {
		if c := dig(st, "card"); c != nil {
			card = c
			break
		}
	}
	if card == nil {
		t.Fatal("no status with a link card")
	}
	assertShape(t, "card", dig(loadFixture(t, "mastodon/status_docs_example.json"), "card"), card, keyRules{})

	assertShape(t, "404", loadFixture(t, "mastodon/error_404_accounts_lookup.json"), get(h, "/mastodon/api/v1/accounts/lookup?acct=nobody").json(t), keyRules{})
	if b := string(get(h, "/mastodon/api/v1/accounts/lookup?acct=nobody").body); b != `{"error":"Record not found"}` {
		t.Errorf("404 body %s", b)
	}
}

// The comparison itself must catch missing keys and name the path.
func TestCompareShapeReportsPath(t *testing.T) {
	fx := map[string]any{"a": []any{map[string]any{"b": 1.0, "c": "x"}}}
	got := map[string]any{"a": []any{map[string]any{"b": 2.0, "d": true}}}
	p := compareShape(fx, got, "$", keyRules{})
	want := []string{"missing key $.a[].c", "unexpected key $.a[].d"}
	if strings.Join(p, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", p, want)
	}
	if p := compareShape(fx, map[string]any{"a": "no"}, "$", keyRules{}); len(p) != 1 || !strings.HasPrefix(p[0], "$.a: string") {
		t.Fatalf("kind mismatch not reported: %q", p)
	}
}

// fixtureHeaders reads the header names of a recorded *.headers.txt that
// start with one of the prefixes, lowercased.
func fixtureHeaders(t *testing.T, name string, prefixes ...string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		k, _, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out = append(out, k)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no headers with prefixes %v", name, prefixes)
	}
	return out
}

func TestHeadersLikeFixtures(t *testing.T) {
	s := New(Options{Seed: 1, Creators: 40, Now: func() time.Time { return testNow }}) // default limits
	h, p := s.Handler(), s.Population()
	b := p.Creator("bluesky", 1)
	for fixture, r := range map[string]resp{
		"bluesky/getProfile.headers.txt":               get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+b.Handle),
		"bluesky/getAuthorFeed.headers.txt":            get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor="+b.ID),
		"bluesky/error_400_InvalidRequest.headers.txt": get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor=nobody.bsky.social"),
	} {
		for _, k := range fixtureHeaders(t, fixture, "ratelimit-", "content-type") {
			if r.header.Get(k) == "" {
				t.Errorf("%s: no %s header", fixture, k)
			}
		}
		if reset, err := strconv.ParseInt(r.header.Get("RateLimit-Reset"), 10, 64); err != nil || reset <= testNow.Unix() {
			t.Errorf("RateLimit-Reset %q is not a future epoch", r.header.Get("RateLimit-Reset"))
		}
		if !regexp.MustCompile(`^\d+;w=\d+$`).MatchString(r.header.Get("RateLimit-Policy")) {
			t.Errorf("RateLimit-Policy %q", r.header.Get("RateLimit-Policy"))
		}
	}
	m := creatorWith(t, p, "mastodon", func(tr Truth) bool { return tr.SettledPosts > 30 })
	for fixture, r := range map[string]resp{
		"mastodon/accounts_lookup.headers.txt":           get(h, "/mastodon/api/v1/accounts/lookup?acct="+m.Handle),
		"mastodon/accounts_statuses.headers.txt":         get(h, "/mastodon/api/v1/accounts/"+m.ID+"/statuses?limit=5"),
		"mastodon/timelines_tag.headers.txt":             get(h, "/mastodon/api/v1/timelines/tag/birding?limit=10"),
		"mastodon/error_404_accounts_lookup.headers.txt": get(h, "/mastodon/api/v1/accounts/lookup?acct=nobody"),
	} {
		for _, k := range fixtureHeaders(t, fixture, "x-ratelimit-", "link", "content-type") {
			if r.header.Get(k) == "" {
				t.Errorf("%s: no %s header", fixture, k)
			}
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000000Z", r.header.Get("X-RateLimit-Reset")); err != nil {
			t.Errorf("X-RateLimit-Reset %q: %v", r.header.Get("X-RateLimit-Reset"), err)
		}
		if l := r.header.Get("Link"); l != "" && !regexp.MustCompile(`^<http://sim\.test/mastodon/api/v1/[^>]+max_id=\d+>; rel="next", <http://sim\.test/mastodon/api/v1/[^>]+min_id=\d+>; rel="prev"$`).MatchString(l) {
			t.Errorf("Link %q", l)
		}
	}
	if r := get(h, "/mastodon/api/v1/timelines/tag/birding?max_id=1"); string(r.body) != "[]" || r.header.Get("Link") != "" {
		t.Errorf("last tag page: %s, Link %q", r.body, r.header.Get("Link"))
	}
}

// TestBlueskyBatchEndpoints: getProfiles and getPosts in the recorded
// formats, consistent with getProfile and getPostThread, with the real
// 25-item limits.
func TestBlueskyBatchEndpoints(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 300, Faults: Faults{VanishRate: 0.1}})
	h, p := s.Handler(), s.Population()
	var actors []string
	var gone string
	for i := 0; len(actors) < 25; i++ {
		tr := p.Creator("bluesky", i)
		if tr.Vanished {
			if gone == "" {
				gone = tr.ID
			}
			continue
		}
		if i%2 == 0 {
			actors = append(actors, tr.ID)
		} else {
			actors = append(actors, tr.Handle)
		}
	}
	if gone == "" {
		t.Fatal("no vanished creator")
	}
	ask := append(append([]string(nil), actors[:23]...), gone, "nobody.bsky.social")
	res := get(h, "/bluesky/xrpc/app.bsky.actor.getProfiles?"+url.Values{"actors": ask}.Encode())
	if res.status != 200 {
		t.Fatalf("getProfiles: %d %s", res.status, res.body)
	}
	assertShape(t, "getProfiles", loadFixture(t, "bluesky/getProfiles.json"), res.json(t), keyRules{optional: bskyViewerOnly})
	profiles := res.obj(t)["profiles"].([]any)
	if len(profiles) != 23 {
		t.Fatalf("getProfiles returned %d profiles for 23 live actors, a vanished one and an unknown one", len(profiles))
	}
	for i, pr := range profiles {
		one := get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+q(actors[i])).obj(t)
		if b1, b2 := mustJSON(t, pr), mustJSON(t, one); b1 != b2 {
			t.Errorf("getProfiles[%d] differs from getProfile:\n%s\n%s", i, b1, b2)
		}
	}
	over := get(h, "/bluesky/xrpc/app.bsky.actor.getProfiles?"+url.Values{"actors": append(actors, actors[0])}.Encode())
	if over.status != 400 || str(over.json(t), "error") != "InvalidRequest" {
		t.Errorf("26 actors: %d %s", over.status, over.body)
	}

	// getPosts: the posts of a feed page, in the order asked; unknown URIs
	// are left out.
	feed := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?filter=posts_no_replies&limit=30&actor="+q(actors[0])).obj(t)
	var uris []string
	for _, it := range feed["feed"].([]any) {
		if dig(it, "reason") == nil {
			uris = append(uris, str(it, "post", "uri"))
		}
	}
	if len(uris) < 5 {
		t.Fatalf("only %d own posts", len(uris))
	}
	uris = uris[:min(24, len(uris))]
	ask = append(append([]string(nil), uris...), "at://"+str(feed["feed"].([]any)[0], "post", "author", "did")+"/app.bsky.feed.post/3zzzzzzzzzzzz")
	pr := get(h, "/bluesky/xrpc/app.bsky.feed.getPosts?"+url.Values{"uris": ask}.Encode())
	if pr.status != 200 {
		t.Fatalf("getPosts: %d %s", pr.status, pr.body)
	}
	unions := []string{"embed", "record.embed", "embed.images", "embed.external", "features[].uri", "features[].tag", "images[].aspectRatio", "external.thumb", "record.reply", "embed.media", "embed.record"}
	assertShape(t, "getPosts", loadFixture(t, "bluesky/getPosts.json"), pr.json(t), keyRules{optional: append(bskyViewerOnly, unions...), extra: unions})
	posts := pr.obj(t)["posts"].([]any)
	if len(posts) != len(uris) {
		t.Fatalf("getPosts returned %d of %d posts", len(posts), len(uris))
	}
	for i, pv := range posts {
		if str(pv, "uri") != uris[i] {
			t.Errorf("getPosts[%d] is %s, want %s", i, str(pv, "uri"), uris[i])
		}
		th := get(h, "/bluesky/xrpc/app.bsky.feed.getPostThread?depth=0&uri="+q(uris[i])).obj(t)
		want := dig(th, "thread", "post").(map[string]any)
		delete(want, "$type")
		if b1, b2 := mustJSON(t, pv), mustJSON(t, want); b1 != b2 {
			t.Errorf("getPosts[%d] differs from the thread's post:\n%s\n%s", i, b1, b2)
		}
	}
	over = get(h, "/bluesky/xrpc/app.bsky.feed.getPosts?"+url.Values{"uris": append(uris, uris[:2]...)}.Encode())
	if len(uris)+2 > 25 && (over.status != 400 || str(over.json(t), "error") != "InvalidRequest") {
		t.Errorf("%d uris: %d %s", len(uris)+2, over.status, over.body)
	}
	if bad := get(h, "/bluesky/xrpc/app.bsky.feed.getPosts?uris=nope"); bad.status != 400 {
		t.Errorf("malformed uri: %d", bad.status)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
