package simulator

import (
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var igHeader = http.Header{"X-Ig-App-Id": {igAppIDWeb}}

func igGet(h http.Handler, path string) resp { return do(h, "GET", path, igHeader, nil) }

func igProfessional(p *Population, idx int) bool {
	return p.account(p.plats["instagram"], acctRef{kind: kindCreator, idx: idx}).professional()
}

func TestInstagramStructureMatchesFixtures(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 600})
	h, p := s.Handler(), s.Population()
	var tr Truth
	var media, withKids any
	for i := 0; i < p.Size() && withKids == nil; i++ {
		c := p.Creator("instagram", i)
		if c.Vanished || c.Private || c.Tier != "nano" || c.Archetype != ArchOrganic || c.SettledPosts < 13 || !igProfessional(p, i) {
			continue
		}
		prof := igGet(h, "/instagram/api/v1/users/web_profile_info/?username="+c.Handle).obj(t)
		for _, e := range dig(prof, "data", "user", "edge_owner_to_timeline_media", "edges").([]any) {
			if num(e, "node", "edge_media_to_comment", "count") < 3 {
				continue
			}
			cm := get(h, "/instagram/api/v1/media/"+str(e, "node", "id")+"/comments/?can_support_threading=true&permalink_enabled=false").obj(t)
			for _, x := range cm["comments"].([]any) {
				if num(x, "child_comment_count") > 0 {
					tr, media, withKids = c, e, x
					break
				}
			}
			if withKids != nil {
				break
			}
		}
	}
	if withKids == nil {
		t.Fatal("no media with threaded comments")
	}
	prof := igGet(h, "/instagram/api/v1/users/web_profile_info/?username="+tr.Handle)
	if prof.status != 200 || !strings.HasPrefix(prof.header.Get("Content-Type"), "application/json") {
		t.Fatalf("web_profile_info: %d", prof.status)
	}
	assertShape(t, "web_profile_info", loadFixture(t, "instagram/web_profile_info.json"), prof.json(t), keyRules{})
	u := dig(prof.json(t), "data", "user")
	edges := dig(u, "edge_owner_to_timeline_media", "edges").([]any)
	if len(edges) != 12 || dig(u, "edge_owner_to_timeline_media", "page_info", "has_next_page") != true || int64(num(u, "edge_followed_by", "count")) != tr.Followers || str(u, "id") != tr.ID {
		t.Errorf("profile: %d edges, followers %v (truth %d), id %s", len(edges), num(u, "edge_followed_by", "count"), tr.Followers, str(u, "id"))
	}
	for _, e := range edges {
		n := dig(e, "node")
		if (dig(n, "video_view_count") != nil) != (dig(n, "is_video") == true) {
			t.Errorf("video_view_count on a non-video or missing on a video: %v", n)
		}
		if shortcode(mustUint(t, str(n, "id"))) != str(n, "shortcode") || str(n, "owner", "id") != tr.ID {
			t.Errorf("shortcode/owner of %s", str(n, "id"))
		}
	}

	pk := str(media, "node", "id")
	cm := get(h, "/instagram/api/v1/media/"+pk+"/comments/?can_support_threading=true&permalink_enabled=false")
	assertShape(t, "media comments", loadFixture(t, "instagram/api_v1_media_comments.json"), cm.json(t), keyRules{optional: []string{"next_min_id"}})
	kids := get(h, "/instagram/api/v1/media/"+pk+"/comments/"+str(withKids, "pk")+"/child_comments/")
	assertShape(t, "child comments", loadFixture(t, "instagram/api_v1_media_child_comments.json"), kids.json(t), keyRules{})
	if n := len(kids.obj(t)["child_comments"].([]any)); n != int(num(withKids, "child_comment_count")) {
		t.Errorf("%d child comments, child_comment_count %v", n, num(withKids, "child_comment_count"))
	}
	for _, c := range kids.obj(t)["child_comments"].([]any) {
		if str(c, "parent_comment_id") != str(withKids, "pk") || str(c, "media_id") != pk {
			t.Errorf("child comment %v", c)
		}
	}

	bd := get(h, "/instagram/v25.0/17841405309211844?fields=business_discovery.username("+tr.Handle+"){followers_count,media_count,media.limit(5){caption,comments_count,like_count,timestamp,media_type,permalink}}&access_token=tok")
	if bd.status != 200 {
		t.Fatalf("business_discovery: %d %s", bd.status, bd.body)
	}
	assertShape(t, "business_discovery", loadFixture(t, "instagram/graph_business_discovery.json"), bd.json(t), keyRules{})
	if bd.header.Get("X-App-Usage") == "" && s.sites["instagram"].lim.limit.Requests > 0 {
		t.Error("no x-app-usage")
	}
	if got := int64(num(bd.json(t), "business_discovery", "followers_count")); got != tr.Followers {
		t.Errorf("followers_count %d, truth %d", got, tr.Followers)
	}
	if _, err := time.Parse("2006-01-02T15:04:05-0700", str(bd.json(t), "business_discovery", "media", "data", 0, "timestamp")); err != nil {
		t.Errorf("Graph timestamp: %v", err)
	}
	// Fields come back in the order asked, with id last.
	b := string(get(h, "/instagram/v25.0/1?fields=business_discovery.username("+tr.Handle+"){media_count,followers_count}&access_token=tok").body)
	if !regexp.MustCompile(`^\{"business_discovery":\{"media_count":\d+,"followers_count":\d+,"id":"17841\d+"\},"id":"1"\}$`).MatchString(b) {
		t.Errorf("field order: %s", b)
	}
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestInstagramErrors(t *testing.T) {
	clk := &clock{t: testNow}
	s := newSim(t, Options{Seed: 5, Creators: 400, Now: clk.Now, Faults: Faults{VanishRate: 0.1},
		Limits: map[string]Limit{"instagram": {Requests: 1000, Window: time.Minute}}})
	h, p := s.Handler(), s.Population()
	ok := creatorWith(t, p, "instagram", func(tr Truth) bool { return !tr.Vanished && !tr.Private })
	path := "/instagram/api/v1/users/web_profile_info/?username=" + ok.Handle
	for _, hdr := range []http.Header{nil, {"X-Ig-App-Id": {"123"}}} {
		if r := do(h, "GET", path, hdr, nil); r.status != 400 || string(r.body) != `{"message":"useragent mismatch","status":"fail"}` {
			t.Errorf("x-ig-app-id %v: %d %s", hdr, r.status, r.body)
		}
	}
	if r := do(h, "GET", path, http.Header{"X-Ig-App-Id": {igAppIDIOS}}, nil); r.status != 200 {
		t.Errorf("iOS app id: %d", r.status)
	}
	if r := igGet(h, "/instagram/api/v1/users/web_profile_info/?username=nobody_at_all"); r.status != 404 || string(r.body) != `{"message":"User not found","status":"fail"}` {
		t.Errorf("unknown: %d %s", r.status, r.body)
	}
	gone := map[int]int{}
	for i := range p.Size() {
		if tr := p.Creator("instagram", i); tr.Vanished {
			r := igGet(h, "/instagram/api/v1/users/web_profile_info/?username="+tr.Handle)
			gone[r.status]++
			if r.status == 200 && (dig(r.json(t), "data", "user") != nil || str(r.json(t), "status") != "ok") {
				t.Errorf("deactivated: %s", r.body)
			}
		}
	}
	if gone[404] == 0 || gone[200] == 0 || len(gone) != 2 {
		t.Errorf("vanished answers %v", gone)
	}
	pr := creatorWith(t, p, "instagram", func(tr Truth) bool { return tr.Private && !tr.Vanished })
	r := igGet(h, "/instagram/api/v1/users/web_profile_info/?username="+pr.Handle)
	if r.status != 200 || dig(r.json(t), "data", "user", "is_private") != true || len(dig(r.json(t), "data", "user", "edge_owner_to_timeline_media", "edges").([]any)) != 0 ||
		num(r.json(t), "data", "user", "edge_owner_to_timeline_media", "count") == 0 {
		t.Errorf("private: %d %.300s", r.status, r.body)
	}
	bd := "/instagram/v25.0/17841405309211844?fields=business_discovery.username(" + pr.Handle + "){followers_count}&access_token=t"
	if r := get(h, bd); r.status != 400 || num(r.json(t), "error", "code") != 110 || num(r.json(t), "error", "error_subcode") != 2207013 {
		t.Errorf("private business_discovery: %d %s", r.status, r.body)
	}
	if r := get(h, "/instagram/v25.0/17841405309211844?fields=id"); r.status != 400 || num(r.json(t), "error", "code") != 190 || str(r.json(t), "error", "type") != "OAuthException" {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	if r := get(h, "/instagram/api/v1/media/123/comments/"); r.status != 400 {
		t.Errorf("unknown media: %d", r.status)
	}
	// Throttling: the web answers 429 with the recorded body, the Graph API
	// 403 code 4 with usage headers.
	for range 1000 - 7 - len(gone) - gone[200] - gone[404] {
		get(h, "/instagram/v25.0/1?fields=id&access_token=t")
	}
	for get(h, "/instagram/v25.0/1?fields=id&access_token=t").status == 200 {
	}
	web := igGet(h, path)
	fx, _ := os.ReadFile(filepath.Join("testdata", "instagram", "error_rate_limited.json"))
	if web.status != 429 || string(web.body) != string(fx) {
		t.Errorf("web throttled: %d %s", web.status, web.body)
	}
	g := get(h, "/instagram/v25.0/1?fields=id&access_token=t")
	assertShape(t, "graph throttled", loadFixture(t, "instagram/error_graph_rate_limit.json"), g.json(t), keyRules{})
	if g.status != 403 || num(g.json(t), "error", "code") != 4 || !strings.Contains(g.header.Get("X-App-Usage"), `"call_count":100`) ||
		!strings.Contains(g.header.Get("X-Business-Use-Case-Usage"), `"estimated_time_to_regain_access":1`) {
		t.Errorf("graph throttled: %d %v %s", g.status, g.header, g.body)
	}
	if web.header.Get("X-App-Usage") != "" {
		t.Error("web endpoints carry no Graph usage header")
	}
}

func TestInstagramCommentPaging(t *testing.T) {
	s := newSim(t, Options{Seed: 8, Creators: 1500})
	h, p := s.Handler(), s.Population()
	for i := range p.Size() {
		tr := p.Creator("instagram", i)
		if tr.Vanished || tr.Private || (tr.Tier != "micro" && tr.Tier != "mid") {
			continue
		}
		prof := igGet(h, "/instagram/api/v1/users/web_profile_info/?username="+tr.Handle).obj(t)
		for _, e := range dig(prof, "data", "user", "edge_owner_to_timeline_media", "edges").([]any) {
			total := num(e, "node", "edge_media_to_comment", "count")
			if total < 40 {
				continue
			}
			pk := str(e, "node", "id")
			seen := map[string]bool{}
			next := ""
			for pages := 0; ; pages++ {
				u := "/instagram/api/v1/media/" + pk + "/comments/?can_support_threading=true&permalink_enabled=false"
				if next != "" {
					u += "&min_id=" + q(next)
				}
				r := get(h, u).obj(t)
				for _, c := range r["comments"].([]any) {
					if seen[str(c, "pk")] {
						t.Fatalf("comment %s twice", str(c, "pk"))
					}
					seen[str(c, "pk")] = true
				}
				if r["has_more_comments"] != true {
					break
				}
				next = str(r, "next_min_id")
				if pages > 100 {
					t.Fatal("paging does not end")
				}
			}
			// Listed comments are the counted ones minus a few held back.
			if got := float64(len(seen)); got > total || got < 0.85*total {
				t.Errorf("listed %v of %v comments", got, total)
			}
			return
		}
	}
	t.Fatal("no post with 40 comments")
}

// igER computes ER by followers the way a collector should, through the
// Graph API: every post, settled, mean (likes+comments)/followers.
func igER(t *testing.T, h http.Handler, tr Truth) (float64, int) {
	t.Helper()
	var sum float64
	n := 0
	after := ""
	followers := 0.0
	for range 100 {
		f := "business_discovery.username(" + tr.Handle + "){followers_count,media.limit(50)"
		if after != "" {
			f += ".after(" + after + ")"
		}
		f += "{like_count,comments_count,timestamp}}"
		r := get(h, "/instagram/v25.0/1?access_token=t&fields="+q(f))
		if r.status != 200 {
			t.Fatalf("%s: %d %s", tr.Handle, r.status, r.body)
		}
		bd := dig(r.json(t), "business_discovery")
		followers = num(bd, "followers_count")
		for _, m := range dig(bd, "media", "data").([]any) {
			at, _ := time.Parse("2006-01-02T15:04:05-0700", str(m, "timestamp"))
			if testNow.Sub(at) < SettledAge {
				continue
			}
			sum += (num(m, "like_count") + num(m, "comments_count")) / followers
			n++
		}
		if after = str(bd, "media", "paging", "cursors", "after"); after == "" {
			break
		}
	}
	return 100 * sum / math.Max(float64(n), 1), n
}
