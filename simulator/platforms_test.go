package simulator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tests shared by YouTube, TikTok and Instagram.

func TestNewPlatformsERMatchesTruth(t *testing.T) {
	s := newSim(t, Options{Seed: 21, Creators: 400})
	h, p := s.Handler(), s.Population()
	type erFunc func(*testing.T, http.Handler, Truth) (float64, int)
	for _, c := range []struct {
		platform string
		er       erFunc
		ok       func(i int, tr Truth) bool
	}{
		{"youtube", ytER, func(_ int, tr Truth) bool { return true }},
		{"tiktok", ttER, func(_ int, tr Truth) bool { return !tr.Private }},
		{"instagram", igER, func(i int, tr Truth) bool { return igProfessional(p, i) }},
	} {
		checked := 0
		for i := 0; i < p.Size() && checked < 25; i++ {
			tr := p.Creator(c.platform, i)
			if tr.Vanished || !c.ok(i, tr) {
				continue
			}
			checked++
			got, n := c.er(t, h, tr)
			if n != tr.SettledPosts {
				t.Errorf("%s %d: %d settled posts served, truth says %d", c.platform, i, n, tr.SettledPosts)
			}
			if math.Abs(got-tr.TrueER) > 1e-9*math.Max(1, tr.TrueER) {
				t.Errorf("%s %d: served ER %.6f, TrueER %.6f (%s)", c.platform, i, got, tr.TrueER, tr.ERBasis)
			}
		}
		if checked < 25 {
			t.Errorf("%s: only %d creators checked", c.platform, checked)
		}
	}
}

// TestTierBenchmarks checks that organic creators' ER sits around the
// published tier figures the platforms are drawn around.
func TestTierBenchmarks(t *testing.T) {
	p := newSim(t, Options{Seed: 17, Creators: 4000}).Population()
	mean := map[string]map[string][2]float64{} // platform → tier → sum, n
	for _, pl := range []string{"tiktok", "instagram", "youtube"} {
		mean[pl] = map[string][2]float64{}
		for i := range p.Size() {
			tr := p.Creator(pl, i)
			if tr.Archetype != ArchOrganic || tr.SettledPosts < 5 {
				continue
			}
			m := mean[pl][tr.Tier]
			mean[pl][tr.Tier] = [2]float64{m[0] + tr.TrueER, m[1] + 1}
		}
	}
	avg := func(pl, tier string) float64 { m := mean[pl][tier]; return m[0] / m[1] }
	for _, c := range []struct {
		pl, tier string
		lo, hi   float64
	}{
		{"tiktok", "nano", 9.3, 11.3}, {"tiktok", "mega", 6.3, 7.9},
		{"instagram", "nano", 2.71, 3.86}, {"instagram", "mega", 0.75, 1.25},
		{"youtube", "nano", 4.6, 5.9}, {"youtube", "mega", 1.1, 1.7},
	} {
		if m := avg(c.pl, c.tier); m < c.lo || m > c.hi || math.IsNaN(m) {
			t.Errorf("%s %s organic TrueER %.2f (n=%v), want %.2f–%.2f", c.pl, c.tier, m, mean[c.pl][c.tier][1], c.lo, c.hi)
		}
	}
	if avg("youtube", "nano") >= avg("tiktok", "nano") || avg("youtube", "mega") >= avg("tiktok", "mega") {
		t.Error("YouTube ER by views should be below TikTok's")
	}
	// Archetypes still show: bought likes inflate ER by views, bought
	// followers deflate ER by followers.
	var bl, org, bfF, orgF []float64
	for i := range p.Size() {
		tr := p.Creator("tiktok", i)
		if tr.Tier != "nano" || tr.SettledPosts < 5 {
			continue
		}
		switch tr.Archetype {
		case ArchBoughtLikes:
			bl = append(bl, tr.TrueER)
		case ArchOrganic:
			org = append(org, tr.TrueER)
			orgF = append(orgF, tr.ERByFollowers)
		case ArchBoughtFollowers:
			bfF = append(bfF, tr.ERByFollowers)
		}
	}
	if avgOf(bl) < 1.5*avgOf(org) || avgOf(bfF) > 0.5*avgOf(orgF) {
		t.Errorf("tiktok nano: bought_likes %.1f vs organic %.1f (views); bought_followers %.2f vs organic %.2f (followers)", avgOf(bl), avgOf(org), avgOf(bfF), avgOf(orgF))
	}
}

func avgOf(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestNewPlatformsDeterministic(t *testing.T) {
	serve := func(seed int64) map[string]string {
		s := newSim(t, Options{Seed: seed, Creators: 300})
		h, p := s.Handler(), s.Population()
		y := creatorWith(t, p, "youtube", func(tr Truth) bool { return !tr.Vanished && tr.SettledPosts > 5 })
		tk := creatorWith(t, p, "tiktok", func(tr Truth) bool { return !tr.Vanished && !tr.Private && tr.SettledPosts > 5 })
		in := creatorWith(t, p, "instagram", func(tr Truth) bool { return !tr.Vanished && !tr.Private && tr.SettledPosts > 5 })
		out := map[string]string{}
		add := func(name string, r resp) resp {
			if r.status != 200 {
				t.Fatalf("%s: %d %.300s", name, r.status, r.body)
			}
			out[name] = string(r.body)
			return r
		}
		add("channel", get(h, "/youtube/youtube/v3/channels?part=snippet,statistics,contentDetails&id="+y.ID+ytKeyParam))
		pl := add("uploads", get(h, "/youtube/youtube/v3/playlistItems?part=snippet,contentDetails&maxResults=10&playlistId=UU"+y.ID[2:]+ytKeyParam))
		vid := str(pl.obj(t), "items", 0, "contentDetails", "videoId")
		add("videos", get(h, "/youtube/youtube/v3/videos?part=snippet,statistics&id="+vid+ytKeyParam))
		add("threads", get(h, "/youtube/youtube/v3/commentThreads?part=snippet,replies&videoId="+vid+ytKeyParam))
		add("feed", get(h, "/youtube/feeds/videos.xml?channel_id="+y.ID))
		prof := add("tiktok profile", get(h, "/tiktok/@"+tk.Handle))
		_ = prof
		sec := ttSecUID(p.keys["tiktok"], acctRef{kind: kindCreator, idx: mustResolve(t, p, "tiktok", tk.Handle).idx})
		items := add("item_list", get(h, "/tiktok/api/post/item_list/?secUid="+sec+"&count=10"))
		add("comments", get(h, "/tiktok/api/comment/list/?aweme_id="+str(items.obj(t), "itemList", 0, "id")))
		ip := add("ig profile", igGet(h, "/instagram/api/v1/users/web_profile_info/?username="+in.Handle))
		add("ig comments", get(h, "/instagram/api/v1/media/"+str(ip.obj(t), "data", "user", "edge_owner_to_timeline_media", "edges", 0, "node", "id")+"/comments/"))
		return out
	}
	a, b, c := serve(7), serve(7), serve(8)
	for k := range a {
		if a[k] != b[k] {
			t.Errorf("%s differs between two servers with the same seed", k)
		}
		if a[k] == c[k] {
			t.Errorf("%s is the same for seeds 7 and 8", k)
		}
	}
}

func mustResolve(t *testing.T, p *Population, platform, s string) acctRef {
	t.Helper()
	ref, ok := p.plats[platform].resolve(p, s)
	if !ok {
		t.Fatalf("%s %q does not resolve", platform, s)
	}
	return ref
}

func TestNewPlatformIDsRoundTrip(t *testing.T) {
	s := newSim(t, Options{Seed: 11, Creators: MaxCreators})
	h, p := s.Handler(), s.Population()
	now := testNow.UnixMilli()
	for _, i := range []int{0, 1, 4242, 65535, 65536, MaxCreators - 1} {
		ref := acctRef{kind: kindCreator, idx: i}
		y, tk, in := p.Creator("youtube", i), p.Creator("tiktok", i), p.Creator("instagram", i)
		for _, x := range []struct{ pl, s string }{
			{"youtube", y.ID}, {"youtube", "UU" + y.ID[2:]}, {"youtube", y.Handle}, {"youtube", strings.TrimPrefix(y.Handle, "@")},
			{"tiktok", tk.ID}, {"tiktok", "@" + tk.Handle}, {"tiktok", ttSecUID(p.keys["tiktok"], ref)},
			{"instagram", in.ID}, {"instagram", in.Handle}, {"instagram", strconv.FormatUint(igBusinessID(p.keys["instagram"], ref), 10)},
		} {
			if got := mustResolve(t, p, x.pl, x.s); got != ref {
				t.Errorf("%s %q → %+v, want %+v", x.pl, x.s, got, ref)
			}
		}
		if len(y.ID) != 24 || !strings.HasPrefix(y.ID, "UC") || strings.Trim(y.ID[2:], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != "" || !strings.ContainsAny(y.ID[23:], "AQgw") {
			t.Errorf("channel id %q", y.ID)
		}
		if len(tk.ID) != 19 {
			t.Errorf("tiktok id %q", tk.ID)
		}
		// Every upload id resolves back to its post.
		yts, tts, igs := s.sites["youtube"], s.sites["tiktok"], s.sites["instagram"]
		yy, tt0, gg := &yt{site: yts, media: hashv(yts.key, tagMedia)}, &tt{site: tts, media: hashv(tts.key, tagMedia)}, &ig{site: igs}
		for _, c := range []struct {
			pl   string
			site *site
			id   func(*account, *slot) string
			find func(string) (*account, slot, bool)
		}{
			{"youtube", yts, yy.videoID, func(id string) (*account, slot, bool) { a, s, _, ok := yy.findVideo(id, now); return a, s, ok }},
			{"tiktok", tts, func(a *account, s *slot) string { return strconv.FormatUint(tt0.itemID(a, s), 10) }, func(id string) (*account, slot, bool) { a, s, _, ok := tt0.findItem(id, now); return a, s, ok }},
			{"instagram", igs, func(a *account, s *slot) string { return strconv.FormatUint(gg.mediaPK(a, s), 10) }, func(id string) (*account, slot, bool) { a, s, _, ok := gg.findMedia(id, now); return a, s, ok }},
		} {
			a := c.site.account(ref)
			n := 0
			a.eachSlot(now, ^uint64(0), func(sl *slot) bool {
				if sl.kind != slotPost {
					return true
				}
				id := c.id(a, sl)
				b, s2, ok := c.find(id)
				if !ok || b.ref != ref || s2.m != sl.m {
					t.Errorf("%s creator %d: upload %s does not resolve", c.pl, i, id)
				}
				if n++; n%3 == 0 { // a look-alike does not resolve
					last := id[len(id)-1]
					alt := id[:len(id)-1] + map[bool]string{true: "1", false: "2"}[last != '1']
					if _, _, ok := c.find(alt); ok {
						t.Errorf("%s: look-alike %s of %s resolves", c.pl, alt, id)
					}
				}
				return n < 12
			})
		}
	}
	for _, x := range []struct{ pl, s string }{
		{"youtube", "UCaaaaaaaaaaaaaaaaaaaaaa"}, {"youtube", "@someone"}, {"youtube", "UC_x5XG1OV2P6uZZ5FSM9Ttw"},
		{"tiktok", "6800000000000000001"}, {"tiktok", "MS4wLjABAAAAExAmPlE_sEcUiD-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"}, {"tiktok", "example_creator"},
		{"instagram", "1234567890"}, {"instagram", "example.brand"}, {"instagram", "17841405309211844"},
	} {
		if _, ok := p.plats[x.pl].resolve(p, x.s); ok {
			t.Errorf("%s %q should not resolve", x.pl, x.s)
		}
	}
	// Shortcodes: Instagram's base64 alphabet, most significant digit first.
	if shortcode(0) != "A" || shortcode(64) != "BA" || shortcode(3300000000000000001) != "C3L9IQOygAB" {
		t.Errorf("shortcode %q %q %q", shortcode(0), shortcode(64), shortcode(3300000000000000001))
	}
	// Comment ids of YouTube threads round-trip.
	tr := creatorWith(t, p, "youtube", func(tr Truth) bool { return !tr.Vanished && tr.SettledPosts > 10 })
	pl := get(h, "/youtube/youtube/v3/playlistItems?part=contentDetails&maxResults=50&playlistId=UU"+tr.ID[2:]+ytKeyParam).obj(t)
	for _, it := range pl["items"].([]any) {
		for _, th := range asArr(get(h, "/youtube/youtube/v3/commentThreads?part=snippet&videoId="+str(it, "contentDetails", "videoId")+ytKeyParam).obj(t)["items"]) {
			video, k, ok := ytParseThreadID(s.sites["youtube"].key, str(th, "id"))
			if !ok || rawID(video) != str(it, "contentDetails", "videoId") || k < 0 {
				t.Errorf("thread id %s does not round-trip", str(th, "id"))
			}
		}
	}
}

func TestNewPlatformFaults(t *testing.T) {
	s := newSim(t, Options{Seed: 9, Creators: 50, Faults: Faults{DriftRate: 1}})
	h, p := s.Handler(), s.Population()
	y := creatorWith(t, p, "youtube", func(tr Truth) bool { return !tr.Vanished && !tr.Private })
	tk := creatorWith(t, p, "tiktok", func(tr Truth) bool { return !tr.Vanished && !tr.Private })
	in := creatorWith(t, p, "instagram", func(tr Truth) bool { return !tr.Vanished && !tr.Private })
	for _, c := range []struct {
		path     string
		from, to string
	}{
		{"/youtube/youtube/v3/channels?part=statistics&id=" + y.ID + ytKeyParam, "subscriberCount", "subscriber_count"},
		{"/tiktok/@" + tk.Handle, "followerCount", "follower_count"},
		{"/instagram/api/v1/users/web_profile_info/?username=" + in.Handle, "edge_followed_by", "edge_followed"},
	} {
		seen := false
		for range 30 { // each drift renames one field present in the body
			b := string(do(h, "GET", c.path, igHeader, nil).body)
			if strings.Contains(b, `"`+c.to+`":`) {
				seen = true
				if strings.Contains(b, `"`+c.from+`":`) {
					t.Errorf("%s: both %s and %s", c.path, c.from, c.to)
				}
			}
		}
		if !seen {
			t.Errorf("%s: %s never drifted to %s", c.path, c.from, c.to)
		}
	}
	// 5xx bodies in each platform's style.
	s5 := newSim(t, Options{Seed: 2, Creators: 10, Faults: Faults{ErrorRate: 1}})
	statuses := map[string]map[int]bool{}
	for range 30 {
		for _, path := range []string{"/youtube/youtube/v3/videos?part=id&id=x" + ytKeyParam, "/tiktok/@x", "/instagram/api/v1/users/web_profile_info/?username=x", "/instagram/v25.0/1?fields=id&access_token=t"} {
			r := get(s5.Handler(), path)
			if r.status < 500 {
				t.Fatalf("%s: %d", path, r.status)
			}
			pl := strings.Split(path, "/")[1]
			if statuses[pl] == nil {
				statuses[pl] = map[int]bool{}
			}
			statuses[pl][r.status] = true
			if strings.HasPrefix(path, "/youtube") && r.status == 500 && str(r.obj(t), "error", "status") != "INTERNAL" {
				t.Errorf("youtube 500: %s", r.body)
			}
			if strings.Contains(path, "v25.0") && r.status == 500 && num(r.obj(t), "error", "code") != 2 {
				t.Errorf("graph 500: %s", r.body)
			}
		}
	}
	for pl, st := range statuses {
		if len(st) != 3 {
			t.Errorf("%s: statuses %v", pl, st)
		}
	}
}

func TestNewPlatformsVanishAndStats(t *testing.T) {
	s := newSim(t, Options{Seed: 4, Creators: 300, Faults: Faults{VanishRate: 0.2}})
	h, p := s.Handler(), s.Population()
	y := creatorWith(t, p, "youtube", func(tr Truth) bool { return tr.Vanished })
	r := get(h, "/youtube/youtube/v3/channels?part=snippet&id="+y.ID+ytKeyParam)
	if r.status != 200 || dig(r.json(t), "items") != nil || num(r.json(t), "pageInfo", "totalResults") != 0 {
		t.Errorf("terminated channel: %d %s", r.status, r.body)
	}
	if r := get(h, "/youtube/youtube/v3/playlistItems?part=id&playlistId=UU"+y.ID[2:]+ytKeyParam); r.status != 404 || str(r.obj(t), "error", "errors", 0, "reason") != "playlistNotFound" {
		t.Errorf("uploads of a terminated channel: %d %s", r.status, r.body)
	}
	if get(h, "/youtube/feeds/videos.xml?channel_id="+y.ID).status != 404 {
		t.Error("feed of a terminated channel")
	}
	for _, tr := range []Truth{y} {
		for _, seed := range p.SeedHandles("youtube", 30) {
			if seed == tr.Handle {
				t.Errorf("seed %s has vanished", seed)
			}
		}
	}
	for _, pl := range []string{"youtube", "tiktok", "instagram"} {
		seeds := p.SeedHandles(pl, 20)
		if len(seeds) != 20 {
			t.Fatalf("%s: %d seeds", pl, len(seeds))
		}
		for _, sd := range seeds {
			ref := mustResolve(t, p, pl, sd)
			if tr := p.Creator(pl, ref.idx); tr.Vanished || tr.Private || tr.Handle != sd {
				t.Errorf("%s seed %s: %+v", pl, sd, tr)
			}
		}
	}
	var st Stats
	if err := json.Unmarshal(get(h, "/__stats").body, &st); err != nil {
		t.Fatal(err)
	}
	for _, pl := range []string{"bluesky", "mastodon", "youtube", "tiktok", "instagram"} {
		if _, ok := st.Platforms[pl]; !ok {
			t.Errorf("/__stats lacks %s", pl)
		}
	}
	yst := st.Platforms["youtube"]
	if yst.Vanished != 3 || yst.QuotaUnits["test…ey-1"] != 2 || yst.ByEndpoint["youtube/v3/channels"] != 1 || yst.ByEndpoint["feeds/videos.xml"] != 1 {
		t.Errorf("youtube stats %+v", yst)
	}
	root := get(h, "/").obj(t)
	for _, pl := range []string{"youtube", "tiktok", "instagram"} {
		if str(root, "platforms", pl, "prefix") != "/"+pl || str(root, "platforms", pl, "realLimit") == "" {
			t.Errorf("index: %v", dig(root, "platforms", pl))
		}
	}
	d := DefaultLimits()
	if d["youtube"] != (Limit{3000, time.Minute}) || d["tiktok"] != (Limit{1800, time.Minute}) || d["instagram"] != (Limit{1800, time.Minute}) {
		t.Errorf("default limits %+v", d)
	}
}

// TestCreatorRepliesOnNewPlatforms checks that creators answer in the
// threads, nano creators much more often than megas.
func TestCreatorRepliesOnNewPlatforms(t *testing.T) {
	s := newSim(t, Options{Seed: 5, Creators: 3000})
	p := s.Population()
	now := testNow.UnixMilli()
	for _, pl := range []string{"youtube", "tiktok", "instagram"} {
		share := map[string][2]int{}
		for i := 0; i < p.Size(); i++ {
			a := p.account(p.plats[pl], acctRef{kind: kindCreator, idx: i})
			if a.arch != ArchOrganic || (a.tier != "nano" && a.tier != "mega") || share[a.tier][1] > 1500 {
				continue
			}
			a.eachSlot(now, ^uint64(0), func(sl *slot) bool {
				if sl.kind != slotPost {
					return true
				}
				low, high := sl.listable(now)
				for k := low; k < high; k++ {
					cv := sl.convo(now, k)
					if cv.top.state != nodeShown {
						continue
					}
					x := share[a.tier]
					x[1]++
					if cv.answered() {
						x[0]++
					}
					share[a.tier] = x
				}
				return share[a.tier][1] < 1500
			})
		}
		nano, mega := share["nano"], share["mega"]
		ns, ms := float64(nano[0])/float64(nano[1]), float64(mega[0])/float64(mega[1])
		if nano[1] < 200 || mega[1] < 200 || ns < 0.3 || ms > 0.1 {
			t.Errorf("%s: answered share nano %.2f of %d, mega %.2f of %d", pl, ns, nano[1], ms, mega[1])
		}
	}
}

func TestNewPlatformsNoServerErrors(t *testing.T) {
	for _, n := range []int{1, 2, 13} {
		s := newSim(t, Options{Seed: int64(n), Creators: n, Faults: Faults{VanishRate: 0.3}})
		h, p := s.Handler(), s.Population()
		y, tk, in := p.Creator("youtube", 0), p.Creator("tiktok", 0), p.Creator("instagram", 0)
		paths := []string{
			"/youtube/", "/youtube/youtube/v3/", "/youtube/youtube/v3/nothing" + ytKeyParam,
			"/youtube/youtube/v3/channels?part=snippet" + ytKeyParam, "/youtube/youtube/v3/channels?part=snippet&id=," + ytKeyParam,
			"/youtube/youtube/v3/channels?part=snippet&id=" + strings.Repeat(y.ID+",", 51) + ytKeyParam,
			"/youtube/youtube/v3/channels?part=snippet,statistics&forHandle=%40" + ytKeyParam,
			"/youtube/youtube/v3/playlistItems?part=snippet&playlistId=" + y.ID + ytKeyParam,
			"/youtube/youtube/v3/playlistItems?part=snippet&maxResults=-1&playlistId=UU" + y.ID[2:] + ytKeyParam,
			"/youtube/youtube/v3/playlistItems?part=snippet&pageToken=CAUQAA&playlistId=UU" + y.ID[2:] + ytKeyParam,
			"/youtube/youtube/v3/playlistItems?part=snippet&pageToken=%%%&playlistId=UU" + y.ID[2:] + ytKeyParam,
			"/youtube/youtube/v3/videos?part=snippet&id=" + ytKeyParam, "/youtube/youtube/v3/videos?part=snippet&id=!!!!!!!!!!!" + ytKeyParam,
			"/youtube/youtube/v3/commentThreads?part=snippet&videoId=" + ytKeyParam,
			"/youtube/youtube/v3/comments?part=snippet&parentId=UgzAAAAAAAAAAAAAAAAA4AaABAg" + ytKeyParam,
			"/youtube/youtube/v3/comments?part=snippet" + ytKeyParam,
			"/youtube/youtube/v3/search?part=snippet" + ytKeyParam, "/youtube/youtube/v3/search?part=snippet&type=channel&q=%23" + ytKeyParam,
			"/youtube/youtube/v3/search?part=snippet&maxResults=0&q=birding" + ytKeyParam,
			"/youtube/feeds/videos.xml", "/youtube/feeds/videos.xml?channel_id=" + y.ID,
			"/tiktok/", "/tiktok/@", "/tiktok/@" + tk.Handle, "/tiktok/@" + tk.ID, "/tiktok/api/post/item_list/",
			"/tiktok/api/post/item_list/?secUid=MS4wLjABAAAA&cursor=-5&count=9999",
			"/tiktok/api/comment/list/?aweme_id=1&cursor=-1", "/tiktok/api/comment/list/?aweme_id=18446744073709551615&count=0",
			"/tiktok/api/comment/list/reply/?item_id=x&comment_id=y", "/tiktok/api/comment/list/reply/?item_id=1&comment_id=18446744073709551615",
			"/instagram/", "/instagram/api/v1/users/web_profile_info/", "/instagram/api/v1/users/web_profile_info/?username=" + in.Handle,
			"/instagram/api/v1/users/web_profile_info/?username=" + in.ID, "/instagram/api/v1/media/x/comments/",
			"/instagram/api/v1/media/18446744073709551615/comments/?min_id=%7B", "/instagram/api/v1/media/1/comments/2/child_comments/",
			"/instagram/accounts/login/", "/instagram/v25.0/", "/instagram/v25.0/abc?access_token=t",
			"/instagram/v25.0/1?access_token=t&fields=business_discovery.username(" + in.Handle + "){media.limit(x).after(!!){x,y,{}}",
			"/instagram/v25.0/1?access_token=t&fields=business_discovery", "/instagram/v25.0/1?access_token=t&fields=,,,}}{{((",
			"/instagram/x/y", "/__truth?platform=youtube,tiktok,instagram&format=csv",
		}
		for _, path := range paths {
			if r := do(h, "GET", path, igHeader, nil); r.status >= 500 {
				t.Errorf("n=%d GET %s: %d %.300s", n, path, r.status, r.body)
			}
		}
	}
}

// rss is the process's resident set size in bytes (Linux), or 0.
func rss() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize())
}

// serveRandom serves n random creators of every platform: profile, posts
// and one thread each.
func serveRandom(t testing.TB, s *Server, n int, seed uint64) int {
	h, p := s.Handler(), s.Population()
	r := newRNG(seed)
	requests := 0
	gt := func(path string, hdr http.Header) resp {
		requests++
		return do(h, "GET", path, hdr, nil)
	}
	for range n {
		b := p.Creator("bluesky", r.intn(p.Size()))
		gt("/bluesky/xrpc/app.bsky.actor.getProfile?actor="+b.Handle, nil)
		gt("/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=30&actor="+b.ID, nil)
		m := p.Creator("mastodon", r.intn(p.Size()))
		gt("/mastodon/api/v1/accounts/"+m.ID+"/statuses?limit=20", nil)
		y := p.Creator("youtube", r.intn(p.Size()))
		gt("/youtube/youtube/v3/channels?part=snippet,statistics,contentDetails&id="+y.ID+ytKeyParam, nil)
		if y.Vanished {
			continue
		}
		pl := gt("/youtube/youtube/v3/playlistItems?part=contentDetails&maxResults=20&playlistId=UU"+y.ID[2:]+ytKeyParam, nil)
		var ids []string
		var pj map[string]any
		if json.Unmarshal(pl.body, &pj) == nil {
			for _, it := range asArr(pj["items"]) {
				ids = append(ids, str(it, "contentDetails", "videoId"))
			}
		}
		if len(ids) > 0 {
			gt("/youtube/youtube/v3/videos?part=snippet,statistics&id="+strings.Join(ids, ","), nil)
			gt("/youtube/youtube/v3/commentThreads?part=snippet,replies&videoId="+ids[0]+ytKeyParam, nil)
		}
		tk := p.Creator("tiktok", r.intn(p.Size()))
		gt("/tiktok/@"+tk.Handle, nil)
		ref, _ := p.plats["tiktok"].resolve(p, tk.ID)
		il := gt("/tiktok/api/post/item_list/?count=30&secUid="+ttSecUID(p.keys["tiktok"], ref), nil)
		var ij map[string]any
		if json.Unmarshal(il.body, &ij) == nil {
			if id := str(ij, "itemList", 0, "id"); id != "" {
				gt("/tiktok/api/comment/list/?aweme_id="+id, nil)
			}
		}
		in := p.Creator("instagram", r.intn(p.Size()))
		pr := gt("/instagram/api/v1/users/web_profile_info/?username="+in.Handle, igHeader)
		var pj2 map[string]any
		if json.Unmarshal(pr.body, &pj2) == nil {
			if id := str(pj2, "data", "user", "edge_owner_to_timeline_media", "edges", 0, "node", "id"); id != "" {
				gt("/instagram/api/v1/media/"+id+"/comments/", nil)
			}
		}
	}
	return requests
}

type memPoint struct {
	size          int
	heapMB, rssMB float64
	requests      int
	elapsed       time.Duration
}

func measureMemory(t testing.TB, size, n int) memPoint {
	s := New(Options{Seed: 99, Creators: size, Now: func() time.Time { return testNow }, Limits: map[string]Limit{
		"bluesky": {}, "mastodon": {}, "youtube": {}, "tiktok": {}, "instagram": {}}, YouTubeQuota: -1})
	start := time.Now()
	req := serveRandom(t, s, n, uint64(size))
	el := time.Since(start)
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(s)
	return memPoint{size: size, heapMB: float64(ms.HeapAlloc) / 1e6, rssMB: rss() / 1e6, requests: req, elapsed: el}
}

// TestMemoryFlat serves random creators of populations of 1k, 10k and 100k
// on every platform and checks the live heap does not grow with the size.
func TestMemoryFlat(t *testing.T) {
	var pts []memPoint
	for _, size := range []int{1_000, 10_000, 100_000} {
		pt := measureMemory(t, size, 40)
		pts = append(pts, pt)
		t.Logf("%6d creators/platform: %d requests in %v, heap in use %.2f MB, RSS %.1f MB", pt.size, pt.requests, pt.elapsed.Round(time.Millisecond), pt.heapMB, pt.rssMB)
	}
	if pts[2].heapMB > pts[0].heapMB+2 || pts[2].heapMB > 20 {
		t.Errorf("heap grows with the population: %.2f MB at 1k, %.2f MB at 100k", pts[0].heapMB, pts[2].heapMB)
	}
}

// BenchmarkMemoryFlat reports heap and RSS after serving random creators of
// every platform from populations of 1k, 10k and 100k per platform.
func BenchmarkMemoryFlat(b *testing.B) {
	for _, size := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("creators=%d", size), func(b *testing.B) {
			var pt memPoint
			for range b.N {
				pt = measureMemory(b, size, 100)
			}
			b.ReportMetric(pt.heapMB, "heapMB")
			b.ReportMetric(pt.rssMB, "rssMB")
			b.ReportMetric(float64(pt.requests), "requests")
		})
	}
}
