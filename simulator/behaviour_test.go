package simulator

import (
	"math"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// erFromBluesky computes ER the way a collector should: own posts (no
// reposts, no replies) at least 24 h old, (likes+replies+reposts+quotes) /
// followersCount, averaged, in %.
func erFromBluesky(t *testing.T, h http.Handler, tr Truth) (float64, int) {
	t.Helper()
	prof := get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+tr.ID).obj(t)
	followers := num(prof, "followersCount")
	sum, n, cursor := 0.0, 0, ""
	for {
		page := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=100&filter=posts_no_replies&actor="+tr.ID+"&cursor="+cursor).obj(t)
		for _, it := range page["feed"].([]any) {
			if dig(it, "reason") != nil || dig(it, "post", "record", "reply") != nil {
				continue
			}
			created, err := time.Parse(time.RFC3339, str(it, "post", "record", "createdAt"))
			if err != nil {
				t.Fatal(err)
			}
			if testNow.Sub(created) < SettledAge {
				continue
			}
			p := dig(it, "post")
			sum += (num(p, "likeCount") + num(p, "replyCount") + num(p, "repostCount") + num(p, "quoteCount")) / followers
			n++
		}
		if cursor = str(page, "cursor"); cursor == "" {
			break
		}
	}
	return 100 * sum / float64(max(n, 1)), n
}

func TestERMatchesTruth(t *testing.T) {
	s := newSim(t, Options{Seed: 21, Creators: 400})
	h, p := s.Handler(), s.Population()
	var sumTrue, sumGot float64
	for i := range 200 {
		tr := p.Creator("bluesky", i)
		got, n := erFromBluesky(t, h, tr)
		if n != tr.SettledPosts {
			t.Errorf("creator %d: %d settled posts served, truth says %d", i, n, tr.SettledPosts)
		}
		if math.Abs(got-tr.TrueER) > 1e-9*math.Max(1, tr.TrueER) {
			t.Errorf("creator %d: served ER %.6f, TrueER %.6f", i, got, tr.TrueER)
		}
		sumTrue += tr.TrueER
		sumGot += got
	}
	if math.Abs(sumGot-sumTrue)/sumTrue > 0.01 {
		t.Errorf("mean ER %.4f vs TrueER %.4f", sumGot/200, sumTrue/200)
	}
	// Mastodon, through the statuses endpoint.
	for i := range 30 {
		tr := p.Creator("mastodon", i)
		acct := get(h, "/mastodon/api/v1/accounts/"+tr.ID).obj(t)
		followers := num(acct, "followers_count")
		sum, n, next := 0.0, 0, "/mastodon/api/v1/accounts/"+tr.ID+"/statuses?limit=40&exclude_replies=true&exclude_reblogs=true"
		for next != "" {
			r := get(h, next)
			for _, st := range r.arr(t) {
				created, _ := time.Parse(time.RFC3339, str(st, "created_at"))
				if testNow.Sub(created) < SettledAge {
					continue
				}
				sum += (num(st, "favourites_count") + num(st, "replies_count") + num(st, "reblogs_count") + num(st, "quotes_count")) / followers
				n++
			}
			next = nextLink(r.header.Get("Link"))
		}
		if got := 100 * sum / float64(max(n, 1)); math.Abs(got-tr.TrueER) > 1e-9*math.Max(1, tr.TrueER) || n != tr.SettledPosts {
			t.Errorf("mastodon creator %d: ER %.6f over %d, truth %.6f over %d", i, got, n, tr.TrueER, tr.SettledPosts)
		}
	}
}

var linkNext = regexp.MustCompile(`<http://sim\.test(/[^>]+)>; rel="next"`)

func nextLink(h string) string {
	if m := linkNext.FindStringSubmatch(h); m != nil {
		return m[1]
	}
	return ""
}

func TestTruthTracksArchetypes(t *testing.T) {
	p := newSim(t, Options{Seed: 2, Creators: 2000}).Population()
	byArch := map[string][]float64{}
	for i := range p.Size() {
		tr := p.Creator("bluesky", i)
		if tr.Tier == "nano" {
			byArch[tr.Archetype] = append(byArch[tr.Archetype], tr.TrueER)
		}
	}
	mean := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	org, bf, bl := mean(byArch[ArchOrganic]), mean(byArch[ArchBoughtFollowers]), mean(byArch[ArchBoughtLikes])
	if org < 2 || org > 5 || bf > org/2 || bl < org*1.5 {
		t.Errorf("nano TrueER: organic %.2f, bought_followers %.2f, bought_likes %.2f", org, bf, bl)
	}
}

func TestPostsSpreadAndFresh(t *testing.T) {
	s := newSim(t, Options{Seed: 8, Creators: 300})
	p := s.Population()
	pl := p.plats["bluesky"]
	now := testNow.UnixMilli()
	fresh, wide := 0, 0
	for i := range 200 {
		a := p.account(pl, acctRef{kind: kindCreator, idx: i})
		var newest, oldest int64
		n := 0
		a.eachSlot(now, ^uint64(0), func(s *slot) bool {
			if newest == 0 {
				newest = s.ms
			}
			oldest = s.ms
			n++
			return true
		})
		if n < 10 || n > 340 {
			t.Errorf("creator %d has %d feed items", i, n)
		}
		if now-newest < 24*3600*1000 {
			fresh++
		}
		if newest-oldest > 60*dayMs {
			wide++
		}
	}
	if fresh < 40 || wide < 180 {
		t.Errorf("%d of 200 posted in the last 24 h, %d span over two months", fresh, wide)
	}
}

func TestThreadsAndReplyBehaviour(t *testing.T) {
	s := newSim(t, Options{Seed: 5, Creators: 3000})
	h, p := s.Handler(), s.Population()
	answered := map[string][2]int{} // tier → answered, comments
	var delays []float64
	checked, counted, shown := 0, 0.0, 0.0
	for i := 0; i < p.Size() && checked < 120; i++ {
		tr := p.Creator("bluesky", i)
		if tr.Archetype != ArchOrganic || (tr.Tier != "nano" && tr.Tier != "mega") {
			continue
		}
		checked++
		feed := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=15&filter=posts_no_replies&actor="+tr.ID).obj(t)
		for _, it := range feed["feed"].([]any) {
			if dig(it, "reason") != nil {
				continue
			}
			rc := num(it, "post", "replyCount")
			th := get(h, "/bluesky/xrpc/app.bsky.feed.getPostThread?uri="+q(str(it, "post", "uri"))).obj(t)
			top := dig(th, "thread", "replies").([]any)
			if float64(len(top)) > rc {
				t.Errorf("replyCount %v but %d shown", rc, len(top))
			}
			if rc <= bskyMaxThreadTops {
				counted += rc
				shown += float64(len(top))
			}
			for _, c := range top {
				if dig(c, "post") == nil {
					continue
				}
				a := answered[tr.Tier]
				a[1]++
				for _, r := range dig(c, "replies").([]any) {
					if str(r, "post", "author", "did") == tr.ID {
						a[0]++
						t0, _ := time.Parse(time.RFC3339, str(c, "post", "record", "createdAt"))
						t1, _ := time.Parse(time.RFC3339, str(r, "post", "record", "createdAt"))
						if !t1.After(t0) {
							t.Errorf("answer before the comment")
						}
						if tr.Tier == "nano" {
							delays = append(delays, t1.Sub(t0).Hours())
						}
						break
					}
				}
				answered[tr.Tier] = a
			}
		}
	}
	if hidden := 1 - shown/counted; hidden < 0.01 || hidden > 0.06 {
		t.Errorf("%.0f of %.0f counted replies hidden", counted-shown, counted)
	}
	nano, mega := answered["nano"], answered["mega"]
	if nano[1] < 100 || mega[1] < 100 {
		t.Fatalf("too few comments seen: %v", answered)
	}
	ns, ms := float64(nano[0])/float64(nano[1]), float64(mega[0])/float64(mega[1])
	if ns < 0.35 || ms > 0.08 {
		t.Errorf("answered share: nano %.2f, mega %.2f", ns, ms)
	}
	within := 0
	for _, d := range delays {
		if d < 12 {
			within++
		}
	}
	if float64(within) < 0.6*float64(len(delays)) {
		t.Errorf("only %d of %d nano answers within 12 h", within, len(delays))
	}
}

func TestPodsAndSponsoredContent(t *testing.T) {
	s := newSim(t, Options{Seed: 6, Creators: 1500})
	h, p := s.Handler(), s.Population()
	// Pod creators share a small ring of commenters and generic texts.
	commenters, texts, total := map[string]bool{}, map[string]int{}, 0
	pods := 0
	for i := 0; i < p.Size() && pods < 6; i++ {
		tr := p.Creator("mastodon", i)
		if tr.Archetype != ArchPod || tr.Tier != "nano" {
			continue
		}
		pods++
		for _, st := range get(h, "/mastodon/api/v1/accounts/"+tr.ID+"/statuses?limit=10&exclude_replies=1&exclude_reblogs=1").arr(t) {
			ctx := get(h, "/mastodon/api/v1/statuses/"+str(st, "id")+"/context").obj(t)
			for _, d := range ctx["descendants"].([]any) {
				if str(d, "in_reply_to_id") != str(st, "id") {
					continue
				}
				total++
				commenters[str(d, "account", "acct")] = true
				texts[regexp.MustCompile(`^<p><span.*?</span> `).ReplaceAllString(str(d, "content"), "")]++
			}
		}
	}
	ring := 0
	for c := range commenters {
		if strings.HasSuffix(strings.TrimRight(c, "0123456789"), "hub") {
			ring++
		}
	}
	dups := 0
	for _, n := range texts {
		dups += n - 1
	}
	if total < 50 || ring == 0 || ring > podRings*podRingSize || float64(dups) < 0.3*float64(total) {
		t.Errorf("pods: %d comments, %d ring accounts, %d duplicate texts", total, ring, dups)
	}
	// Sponsored captions carry disclosures in several languages.
	found := map[string]bool{}
	for i := 0; i < p.Size(); i++ {
		tr := p.Creator("bluesky", i)
		if tr.Archetype != ArchSponsoredHeavy {
			continue
		}
		for _, it := range get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=20&filter=posts_no_replies&actor="+tr.ID).obj(t)["feed"].([]any) {
			text := str(it, "post", "record", "text")
			for _, tag := range []string{"#ad", "#samenwerking", "#advertentie", "#werbung", "#anzeige", "#pub", "#publi"} {
				if strings.Contains(text, tag+" ") || strings.HasSuffix(text, tag) || strings.Contains(text, tag+"\n") {
					found[tag] = true
				}
			}
			if strings.Contains(text, "code ") || strings.Contains(text, "Code ") {
				found["code"] = true
			}
		}
	}
	if len(found) < 7 {
		t.Errorf("disclosures found: %v", found)
	}
}

func TestSearchPostsNeedsAuth(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 500})
	h := s.Handler()
	if r := get(h, "/bluesky/xrpc/app.bsky.feed.searchPosts?q=plantcare"); r.status != 403 {
		t.Fatalf("without auth: %d", r.status)
	}
	sess := do(h, "POST", "/bluesky/xrpc/com.atproto.server.createSession", http.Header{"Content-Type": {"application/json"}},
		strings.NewReader(`{"identifier":"scout.bsky.social","password":"app-pass-word"}`)).obj(t)
	tok := str(sess, "accessJwt")
	if strings.Count(tok, ".") != 2 || str(sess, "did") == "" || str(sess, "refreshJwt") == "" {
		t.Fatalf("session %v", sess)
	}
	auth := http.Header{"Authorization": {"Bearer " + tok}}
	r := do(h, "GET", "/bluesky/xrpc/app.bsky.feed.searchPosts?q=%23monstera", auth, nil).obj(t)
	posts := r["posts"].([]any)
	if len(posts) != 25 || str(r, "cursor") != "25" {
		t.Fatalf("%d posts, cursor %q", len(posts), str(r, "cursor"))
	}
	for _, p := range posts {
		if !strings.Contains(strings.ToLower(str(p, "record", "text")), "#monstera") {
			t.Errorf("hit without the tag: %q", str(p, "record", "text"))
		}
	}
	r2 := do(h, "GET", "/bluesky/xrpc/app.bsky.feed.searchPosts?q=%23monstera&cursor=25", auth, nil).obj(t)
	if str(dig(r2, "posts", 0), "uri") == str(posts[0], "uri") || str(r2, "cursor") != "50" {
		t.Errorf("second page repeats the first")
	}
	for _, body := range []string{`{"identifier":"x"}`, `{"password":"x"}`} {
		if r := do(h, "POST", "/bluesky/xrpc/com.atproto.server.createSession", nil, strings.NewReader(body)); r.status/100 != 4 {
			t.Errorf("createSession %s: %d", body, r.status)
		}
	}
	if r := do(h, "GET", "/bluesky/xrpc/app.bsky.feed.searchPosts?q=zzzunknownterm", auth, nil).obj(t); len(r["posts"].([]any)) != 0 || r["cursor"] != nil {
		t.Errorf("nonsense query found %v", r)
	}
}

func TestMastodonPaginationWalksEverything(t *testing.T) {
	s := newSim(t, Options{Seed: 12, Creators: 300})
	h, p := s.Handler(), s.Population()
	tr := creatorWith(t, p, "mastodon", func(tr Truth) bool { return tr.SettledPosts > 120 && !tr.Vanished })
	want := int(num(get(h, "/mastodon/api/v1/accounts/"+tr.ID).obj(t), "statuses_count"))
	seen := map[string]bool{}
	last := ""
	next := "/mastodon/api/v1/accounts/" + tr.ID + "/statuses?limit=40"
	pages := 0
	for next != "" {
		r := get(h, next)
		pages++
		arr := r.arr(t)
		if len(arr) == 0 && r.header.Get("Link") != "" {
			t.Error("empty page with a Link header")
		}
		for _, st := range arr {
			id := str(st, "id")
			if seen[id] {
				t.Fatalf("status %s twice", id)
			}
			if last != "" && (len(id) < len(last) || len(id) == len(last) && id >= last) {
				t.Fatalf("ids not descending: %s after %s", id, last)
			}
			seen[id], last = true, id
		}
		next = nextLink(r.header.Get("Link"))
	}
	if len(seen) != want {
		t.Errorf("walked %d statuses in %d pages, statuses_count %d", len(seen), pages, want)
	}
	// min_id walks back up.
	r := get(h, "/mastodon/api/v1/accounts/"+tr.ID+"/statuses?limit=5&min_id="+last)
	if arr := r.arr(t); len(arr) != 5 || str(arr[4], "id") <= last {
		t.Errorf("min_id page: %d", len(arr))
	}
	// Hashtag timelines end with an empty page and no Link.
	next, total := "/mastodon/api/v1/timelines/tag/birding?limit=40", 0
	for i := 0; next != "" && i < 500; i++ {
		r := get(h, next)
		total += len(r.arr(t))
		next = nextLink(r.header.Get("Link"))
		if len(r.arr(t)) == 0 && r.header.Get("Link") != "" {
			t.Error("empty tag page with Link")
		}
	}
	if next != "" || total < 100 {
		t.Errorf("tag timeline: %d statuses, unfinished %q", total, next)
	}
}

func TestFollowsStayInNiche(t *testing.T) {
	s := newSim(t, Options{Seed: 13, Creators: 1200})
	h, p := s.Handler(), s.Population()
	tr := creatorWith(t, p, "bluesky", func(tr Truth) bool { return tr.Tier == "nano" && !tr.Vanished })
	seen, same, creators := map[string]bool{}, 0, 0
	cursor := ""
	for range 3 {
		r := get(h, "/bluesky/xrpc/app.bsky.graph.getFollows?limit=100&actor="+tr.Handle+"&cursor="+cursor).obj(t)
		if str(r, "subject", "did") != tr.ID {
			t.Fatalf("subject %v", dig(r, "subject"))
		}
		for _, f := range r["follows"].([]any) {
			d := str(f, "did")
			if seen[d] {
				t.Errorf("follow %s twice", d)
			}
			seen[d] = true
			ref, ok := p.plats["bluesky"].resolve(p, d)
			if !ok {
				t.Fatalf("followed %s does not resolve", d)
			}
			if ref.kind == kindCreator {
				creators++
				if p.Creator("bluesky", ref.idx).Niche == tr.Niche {
					same++
				}
			}
		}
		if cursor = str(r, "cursor"); cursor == "" {
			break
		}
	}
	if creators == 0 || float64(same) < 0.5*float64(creators) {
		t.Errorf("%d of %d followed creators share the niche", same, creators)
	}
	m := creatorWith(t, p, "mastodon", func(tr Truth) bool { return !tr.Vanished })
	r := get(h, "/mastodon/api/v1/accounts/"+m.ID+"/following?limit=80")
	if len(r.arr(t)) == 0 && !p.account(p.plats["mastodon"], acctRef{idx: 0}).hideCollections {
		t.Errorf("mastodon following empty")
	}
}

// TestMemoryAt100k serves random creators of a 100,000-creator population
// and checks the heap stays small: nothing per creator is kept.
func TestMemoryAt100k(t *testing.T) {
	s := newSim(t, Options{Seed: 99, Creators: MaxCreators})
	h, p := s.Handler(), s.Population()
	r := newRNG(42)
	start := time.Now()
	requests := 0
	for range 150 {
		i := r.intn(p.Size())
		b := p.Creator("bluesky", i)
		get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+b.Handle)
		feed := get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=30&actor="+b.ID).obj(t)
		if it := dig(feed, "feed", 0, "post", "uri"); it != nil {
			get(h, "/bluesky/xrpc/app.bsky.feed.getPostThread?uri="+q(it.(string)))
		}
		m := p.Creator("mastodon", r.intn(p.Size()))
		sts := get(h, "/mastodon/api/v1/accounts/"+m.ID+"/statuses?limit=20")
		if arr, ok := sts.json(t).([]any); ok && len(arr) > 0 {
			get(h, "/mastodon/api/v1/statuses/"+str(arr[0], "id")+"/context")
		}
		requests += 5
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("100k creators: %d requests in %v, heap in use %.1f MB, sys %.1f MB", requests, time.Since(start).Round(time.Millisecond), float64(ms.HeapAlloc)/1e6, float64(ms.Sys)/1e6)
	if ms.HeapAlloc > 100e6 {
		t.Errorf("heap %d bytes after serving a 100k population", ms.HeapAlloc)
	}
}

func BenchmarkProfileAndFeed100k(b *testing.B) {
	s := newSim(b, Options{Seed: 99, Creators: MaxCreators})
	h, p := s.Handler(), s.Population()
	r := newRNG(1)
	b.ResetTimer()
	for range b.N {
		tr := p.Creator("bluesky", r.intn(p.Size()))
		get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+tr.Handle)
		get(h, "/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor="+tr.ID)
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/1e6, "heapMB")
}
