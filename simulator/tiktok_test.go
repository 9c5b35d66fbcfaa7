package simulator

import (
	"encoding/json"
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

// scriptJSON extracts and decodes the JSON of <script id="id"> in a page.
func scriptJSON(t testing.TB, page []byte, id string) (any, bool) {
	t.Helper()
	re := regexp.MustCompile(`<script id="` + regexp.QuoteMeta(id) + `" type="application/json">(.*?)</script>`)
	m := re.FindSubmatch(page)
	if m == nil {
		return nil, false
	}
	var v any
	if err := json.Unmarshal(m[1], &v); err != nil {
		t.Fatalf("script %s: %v", id, err)
	}
	return v, true
}

func fixtureScript(t *testing.T, name, id string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	v, ok := scriptJSON(t, b, id)
	if !ok {
		t.Fatalf("%s has no script %s", name, id)
	}
	return v
}

// byIDs folds objects keyed by ids (ItemModule, UserModule.users…) into
// {"*": [values]} so that shapes compare across ids.
func byIDs(v any, paths ...[]string) any {
	for _, p := range paths {
		parent, _ := dig(v, toAny(p[:len(p)-1])...).(map[string]any)
		m, ok := parent[p[len(p)-1]].(map[string]any)
		if !ok {
			continue
		}
		var vals []any
		for _, x := range m {
			vals = append(vals, x)
		}
		parent[p[len(p)-1]] = map[string]any{"*": vals}
	}
	return v
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func ttProfile(t *testing.T, h http.Handler, handle string) (resp, any) {
	t.Helper()
	r := get(h, "/tiktok/@"+handle)
	if r.status != 200 {
		t.Fatalf("profile %s: %d", handle, r.status)
	}
	d, ok := scriptJSON(t, r.body, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
	if !ok {
		return r, nil
	}
	return r, dig(d, "__DEFAULT_SCOPE__", "webapp.user-detail")
}

func TestTikTokStructureMatchesFixtures(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 600})
	h, p := s.Handler(), s.Population()
	pl := p.plats["tiktok"]
	var uni, sigi Truth
	for i := range p.Size() {
		tr := p.Creator("tiktok", i)
		a := p.account(pl, acctRef{kind: kindCreator, idx: i})
		if tr.Vanished || tr.Private || tr.Tier != "nano" || tr.SettledPosts < 40 {
			continue
		}
		if (&tt{}).sigi(a) {
			if sigi.ID == "" {
				sigi = tr
			}
		} else if uni.ID == "" && a.hasSite() {
			uni = tr
		}
	}
	if uni.ID == "" || sigi.ID == "" {
		t.Fatal("no creators for both page layouts")
	}
	r, detail := ttProfile(t, h, uni.Handle)
	if detail == nil {
		t.Fatalf("no universal data: %.300s", r.body)
	}
	fx := fixtureScript(t, "tiktok/profile_universal_data.html", "__UNIVERSAL_DATA_FOR_REHYDRATION__")
	got, _ := scriptJSON(t, r.body, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
	assertShape(t, "profile (universal)", fx, got, keyRules{})
	if !strings.Contains(string(r.body), `https:\u002F\u002Fp16-sign-va.tiktokcdn.com`) || strings.Contains(string(r.body), "https://") {
		t.Error("slashes in the page data should be escaped as \\u002F")
	}
	if num(detail, "statusCode") != 0 || str(detail, "userInfo", "user", "id") != uni.ID || str(detail, "userInfo", "statsV2", "followerCount") != strconv.FormatInt(int64(num(detail, "userInfo", "stats", "followerCount")), 10) {
		t.Errorf("user detail %v", detail)
	}
	if int64(num(detail, "userInfo", "stats", "followerCount")) != uni.Followers {
		t.Errorf("followerCount %v, truth %d", num(detail, "userInfo", "stats", "followerCount"), uni.Followers)
	}

	rs := get(h, "/tiktok/@"+sigi.Handle)
	if _, ok := scriptJSON(t, rs.body, "__UNIVERSAL_DATA_FOR_REHYDRATION__"); ok {
		t.Fatal("legacy creator served universal data")
	}
	st, ok := scriptJSON(t, rs.body, "SIGI_STATE")
	if !ok {
		t.Fatalf("no SIGI_STATE: %.300s", rs.body)
	}
	fxs := fixtureScript(t, "tiktok/profile_sigi_state_legacy.html", "SIGI_STATE")
	folds := [][]string{{"ItemModule"}, {"UserModule", "users"}, {"UserModule", "stats"}}
	assertShape(t, "profile (SIGI_STATE)", byIDs(fxs, folds...), byIDs(st, folds...), keyRules{})
	if str(dig(st, "UserModule", "users", "*").([]any)[0], "secUid") == "" {
		t.Error("SIGI user without secUid")
	}

	secUID := str(detail, "userInfo", "user", "secUid")
	items := get(h, "/tiktok/api/post/item_list/?secUid="+secUID+"&cursor=0&count=30")
	assertShape(t, "item_list", loadFixture(t, "tiktok/api_post_item_list.json"), items.json(t), keyRules{optional: []string{"textExtra", "challenges"}})
	list := items.obj(t)["itemList"].([]any)
	if len(list) != 30 || dig(items.obj(t), "hasMore") != true || str(items.obj(t), "cursor") != strconv.FormatInt(int64(num(list[29], "createTime"))*1000, 10) {
		t.Fatalf("item_list: %d items, hasMore %v, cursor %q", len(list), dig(items.obj(t), "hasMore"), str(items.obj(t), "cursor"))
	}

	// A video with comments and a creator reply in a preview.
	var aweme string
	var withReplies any
	for _, it := range list {
		if num(it, "stats", "commentCount") < 3 {
			continue
		}
		cl := get(h, "/tiktok/api/comment/list/?aweme_id="+str(it, "id")+"&cursor=0&count=20").obj(t)
		for _, c := range cl["comments"].([]any) {
			if rc := asArr(dig(c, "reply_comment")); len(rc) > 0 && str(rc[0], "user", "uid") == uni.ID {
				aweme, withReplies = str(it, "id"), c
				assertShape(t, "comment/list", loadFixture(t, "tiktok/api_comment_list.json"), cl, keyRules{})
				break
			}
		}
		if aweme != "" {
			break
		}
	}
	if aweme == "" {
		t.Fatal("no comment with a creator reply preview")
	}
	rl := get(h, "/tiktok/api/comment/list/reply/?item_id="+aweme+"&comment_id="+str(withReplies, "cid")+"&cursor=0&count=20").obj(t)
	assertShape(t, "comment/list/reply", loadFixture(t, "tiktok/api_comment_list_reply.json"), rl, keyRules{})
	replies := rl["comments"].([]any)
	if len(replies) != int(num(withReplies, "reply_comment_total")) || int(num(rl, "total")) != len(replies) {
		t.Errorf("%d replies, reply_comment_total %v, total %v", len(replies), num(withReplies, "reply_comment_total"), num(rl, "total"))
	}
	for _, rp := range replies {
		if str(rp, "reply_id") != str(withReplies, "cid") || str(rp, "aweme_id") != aweme {
			t.Errorf("reply_id %s, parent %s", str(rp, "reply_id"), str(withReplies, "cid"))
		}
	}
}

func TestTikTokStatusCodesAndForms(t *testing.T) {
	s := newSim(t, Options{Seed: 4, Creators: 1000, Faults: Faults{VanishRate: 0.05}})
	h, p := s.Handler(), s.Population()
	forms := map[string]int{}
	codes := map[float64]int{}
	for i := range 400 {
		tr := p.Creator("tiktok", i)
		r, detail := ttProfile(t, h, tr.Handle)
		if detail == nil {
			if _, ok := scriptJSON(t, r.body, "SIGI_STATE"); !ok {
				t.Fatalf("%s: neither layout", tr.Handle)
			}
			forms["sigi"]++
			if tr.Private || tr.Vanished {
				t.Errorf("%s: private or gone accounts are served in the current layout", tr.Handle)
			}
			continue
		}
		forms["universal"]++
		code := num(detail, "statusCode")
		codes[code]++
		switch {
		case tr.Vanished:
			if (code != ttNotFound && code != ttBanned) || dig(detail, "userInfo") != nil {
				t.Errorf("%s vanished: %v", tr.Handle, detail)
			}
		case tr.Private:
			if code != ttPrivate || dig(detail, "userInfo", "stats") != nil || dig(detail, "userInfo", "user", "privateAccount") != true {
				t.Errorf("%s private: %v", tr.Handle, detail)
			}
		default:
			if code != 0 || dig(detail, "userInfo", "stats") == nil {
				t.Errorf("%s: %v", tr.Handle, detail)
			}
		}
	}
	if share := float64(forms["sigi"]) / 400; share < 0.12 || share > 0.28 {
		t.Errorf("SIGI_STATE share %.2f, want about 0.2 (%v)", share, forms)
	}
	if codes[ttPrivate] < 4 || codes[ttNotFound]+codes[ttBanned] < 8 {
		t.Errorf("status codes %v", codes)
	}
	_, d := ttProfile(t, h, "nobody_here")
	if num(d, "statusCode") != ttNotFound {
		t.Errorf("unknown: %v", d)
	}
	// The same page for /@uniqueId, /@UniqueId and the numeric id.
	tr := creatorWith(t, p, "tiktok", func(tr Truth) bool { return !tr.Vanished && !tr.Private })
	a := get(h, "/tiktok/@"+tr.Handle).body
	for _, alt := range []string{strings.ToUpper(tr.Handle), tr.ID} {
		if b := get(h, "/tiktok/@"+alt).body; string(b) != string(a) {
			t.Errorf("/@%s differs from /@%s", alt, tr.Handle)
		}
	}
	if r := get(h, "/tiktok/"+tr.Handle); r.status != 404 {
		t.Errorf("profile path without @: %d", r.status)
	}
	st := s.Stats().Platforms["tiktok"]
	if st.Private == 0 || st.Vanished == 0 {
		t.Errorf("stats %+v", st)
	}
}

// robotsAllowed applies robots.txt rules for user agent * the way Google
// documents it: the longest matching rule wins, Allow on a tie.
func robotsAllowed(robots, path string) bool {
	best, allow := -1, true
	for _, line := range strings.Split(robots, "\n") {
		k, v, ok := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		if !ok || v == "" {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if (k == "allow" || k == "disallow") && strings.HasPrefix(path, v) && (len(v) > best || len(v) == best && k == "allow") {
			best, allow = len(v), k == "allow"
		}
	}
	return allow
}

func TestTikTokRobotsTxt(t *testing.T) {
	s := newSim(t, Options{Seed: 1, Creators: 10, Faults: Faults{ErrorRate: 0.5, LoginWallRate: 0.5}})
	h := s.Handler()
	for range 20 { // never faulted or walled
		r := get(h, "/tiktok/robots.txt")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || string(r.body) != ttRobots {
			t.Fatalf("robots.txt: %d %q", r.status, r.body)
		}
	}
	robots := string(get(h, "/tiktok/robots.txt").body)
	if !strings.Contains(robots, "User-agent: *") {
		t.Error("no group for all user agents")
	}
	for path, want := range map[string]bool{
		"/@someone": true, "/api/post/item_list/": true, "/api/comment/list/reply/": true,
		"/private/x": false, "/inbox/": false, "/": true,
	} {
		if robotsAllowed(robots, path) != want {
			t.Errorf("%s allowed = %v, want %v", path, !want, want)
		}
	}
	root := string(get(h, "/robots.txt").body)
	for path, want := range map[string]bool{"/tiktok/@someone": true, "/tiktok/api/comment/list/": true, "/tiktok/private/": false, "/youtube/youtube/v3/videos": true} {
		if robotsAllowed(root, path) != want {
			t.Errorf("root robots.txt: %s allowed = %v, want %v", path, !want, want)
		}
	}
}

func TestLoginWallRate(t *testing.T) {
	s := newSim(t, Options{Seed: 2, Creators: 100, Faults: Faults{LoginWallRate: 0.25}})
	h, p := s.Handler(), s.Population()
	tr := creatorWith(t, p, "tiktok", func(tr Truth) bool { return !tr.Vanished && !tr.Private })
	ig := creatorWith(t, p, "instagram", func(tr Truth) bool { return !tr.Vanished && !tr.Private })
	const n = 800
	walls := map[string]int{}
	for i := range n {
		r := get(h, "/tiktok/@"+tr.Handle)
		if strings.Contains(string(r.body), "<title>Log in | TikTok</title>") {
			walls["tiktok"]++
			if r.status != 200 || !strings.Contains(string(r.body), "<form") || strings.Contains(string(r.body), "<script id=") {
				t.Fatalf("tiktok wall: %d %s", r.status, r.body)
			}
		}
		if i%2 == 0 {
			r := do(h, "GET", "/tiktok/api/post/item_list/?secUid=x", nil, nil)
			if strings.Contains(string(r.body), "Log in | TikTok") {
				walls["tiktok"]++
			}
		}
		r = do(h, "GET", "/instagram/api/v1/users/web_profile_info/?username="+ig.Handle, http.Header{"X-Ig-App-Id": {igAppIDWeb}}, nil)
		if r.status == http.StatusFound {
			walls["instagram"]++
			loc := r.header.Get("Location")
			if !strings.HasPrefix(loc, "/instagram/accounts/login/?next=") {
				t.Fatalf("instagram wall Location %q", loc)
			}
			page := get(h, loc)
			if page.status != 200 || !strings.Contains(string(page.body), "<title>Login • Instagram</title>") || !strings.Contains(string(page.body), "<form") {
				t.Fatalf("login page: %d %.200s", page.status, page.body)
			}
		}
		// Neither the Graph API nor other platforms have a wall.
		if r := get(h, "/instagram/v25.0/1?fields=id&access_token=x"); r.status != 200 {
			t.Fatalf("graph: %d %s", r.status, r.body)
		}
		if r := get(h, "/mastodon/api/v1/accounts/lookup?acct=nobody"); r.status != 404 {
			t.Fatalf("mastodon: %d", r.status)
		}
	}
	want := map[string]float64{"tiktok": 1.5 * n * 0.25, "instagram": n * 0.25}
	for pl, w := range want {
		sd := math.Sqrt(w * 0.75)
		if got := float64(walls[pl]); math.Abs(got-w) > 4*sd {
			t.Errorf("%s: %v login walls, want about %v", pl, got, w)
		}
	}
	st := s.Stats().Platforms
	if st["tiktok"].LoginWalls != int64(walls["tiktok"]) || st["instagram"].LoginWalls != int64(walls["instagram"]) {
		t.Errorf("stats %d/%d, seen %v", st["tiktok"].LoginWalls, st["instagram"].LoginWalls, walls)
	}
}

func TestTikTokRateLimitIsBare429(t *testing.T) {
	s := newSim(t, Options{Seed: 1, Creators: 10, Limits: map[string]Limit{"tiktok": {Requests: 3, Window: time.Minute}}})
	h := s.Handler()
	for range 3 {
		if r := get(h, "/tiktok/@nobody"); r.status != 200 {
			t.Fatalf("%d", r.status)
		}
	}
	r := get(h, "/tiktok/@nobody")
	if r.status != 429 || len(r.body) != 0 {
		t.Fatalf("over the window: %d %q", r.status, r.body)
	}
	for k := range r.header {
		if k != "Content-Length" {
			t.Errorf("429 carries header %s", k)
		}
	}
	if st := s.Stats().Platforms["tiktok"]; st.Rejected != 1 {
		t.Errorf("rejected %d", st.Rejected)
	}
}

// ttER computes ER by views the way a collector should: every video through
// item_list, settled, pooled Σ(digg+comment+share)/Σplay.
func ttER(t *testing.T, h http.Handler, tr Truth) (float64, int) {
	t.Helper()
	r, d := ttProfile(t, h, tr.Handle)
	sec := str(d, "userInfo", "user", "secUid")
	if d == nil { // the legacy layout
		st, _ := scriptJSON(t, r.body, "SIGI_STATE")
		sec = str(dig(st, "UserModule", "users", tr.Handle), "secUid")
	}
	var inter, views float64
	n := 0
	cursor := "0"
	for range 100 {
		r := get(h, "/tiktok/api/post/item_list/?secUid="+sec+"&count=35&cursor="+cursor).obj(t)
		for _, it := range asArr(r["itemList"]) {
			if testNow.Sub(time.Unix(int64(num(it, "createTime")), 0)) < SettledAge {
				continue
			}
			n++
			inter += num(it, "stats", "diggCount") + num(it, "stats", "commentCount") + num(it, "stats", "shareCount")
			views += num(it, "stats", "playCount")
		}
		if r["hasMore"] != true {
			break
		}
		cursor = str(r, "cursor")
	}
	return 100 * inter / math.Max(views, 1), n
}
