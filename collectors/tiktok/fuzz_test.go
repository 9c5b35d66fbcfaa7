package tiktok

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
	"github.com/nanoscout/nanoscout/model"
)

// The fuzz tests run the decoders on the recorded fixtures (and drifted and
// truncated variants of them) as ordinary tests; `go test -fuzz FuzzX`
// explores further. Invariants: no panic; either an error of the decoding
// kind or a result; no negative count; and every count in a result is in
// the input at the place the collector reads it (stats, or its statsV2
// twin): a field the input lacks is never reported as 0.

func fuzzCollector(f *testing.F) *Collector {
	c, err := newCollector(testEnv("http://127.0.0.1:9"))
	if err != nil {
		f.Fatal(err)
	}
	c.now = func() time.Time { return testNow }
	return c
}

// scriptText returns the text of the script with id in an HTML fixture.
func scriptText(f *testing.F, name, id string) []byte {
	m := regexp.MustCompile(`(?s)<script id="` + id + `"[^>]*>(.*?)</script>`).FindSubmatch(fixturetest.Read(f, name))
	if m == nil {
		f.Fatalf("%s has no script #%s", name, id)
	}
	return m[1]
}

// countIn reports whether n is the count key of one of the stats objects
// at the paths.
func countIn(doc any, n int64, key string, paths ...[]string) bool {
	for _, p := range paths {
		if fixturetest.CountAt(doc, n, append(p, key)...) {
			return true
		}
	}
	return false
}

func checkTikTokErr(t *testing.T, err error) {
	t.Helper()
	var se *StatusError
	if errors.As(err, &se) {
		return // a status code the answer carried
	}
	fixturetest.CheckError(t, err, collectors.ErrNotFound, collectors.ErrPrivate)
}

func FuzzUniversalData(f *testing.F) {
	seed := scriptText(f, "profile_universal_data.html", universalScriptID)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	for _, rn := range [][2]string{{`"followerCount":`, `"follower_count":`}, {`"createTime":`, `"create_time":`}, {`"stats":`, `"stat":`}} {
		f.Add(regexp.MustCompile(regexp.QuoteMeta(rn[0])).ReplaceAll(seed, []byte(rn[1])))
	}
	c := fuzzCollector(f)
	f.Fuzz(func(t *testing.T, text []byte) {
		pr, err := c.parseUniversal("fuzz", string(text))
		if err != nil {
			if !errors.Is(err, errNoUserDetail) {
				checkTikTokErr(t, err)
			}
			return
		}
		cr := pr.creator
		fixturetest.CheckCreator(t, cr)
		doc := fixturetest.Decode(text)
		info := []string{"__DEFAULT_SCOPE__", "webapp.user-detail", "userInfo"}
		stats, statsV2 := append(info[:3:3], "stats"), append(info[:3:3], "statsV2")
		for key, n := range map[string]int64{"followerCount": cr.Followers, "followingCount": cr.Following, "videoCount": cr.PostsCount} {
			if !countIn(doc, n, key, stats, statsV2) {
				t.Errorf("creator has %s %d, which the input does not hold", key, n)
			}
		}
	})
}

func FuzzSigiState(f *testing.F) {
	seed := scriptText(f, "profile_sigi_state_legacy.html", sigiScriptID)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	c := fuzzCollector(f)
	f.Fuzz(func(t *testing.T, text []byte) {
		pr, err := c.parseSigi("fuzz", handle, string(text))
		if err != nil {
			checkTikTokErr(t, err)
			return
		}
		cr := pr.creator
		fixturetest.CheckCreator(t, cr)
		doc := fixturetest.Decode(text)
		if !fixturetest.CountAt(doc, cr.Followers, "UserModule", "stats", handle, "followerCount") {
			t.Errorf("creator has %d followers, which the input does not hold", cr.Followers)
		}
	})
}

func FuzzItemList(f *testing.F) {
	fixturetest.Seed(f, "api_post_item_list.json")
	fixturetest.SeedMutations(f, "api_post_item_list.json")
	c := fuzzCollector(f)
	cr := model.Creator{Platform: Platform, ID: "6800000000000000001", Handle: handle}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r itemListResponse
		if json.Unmarshal(body, &r) != nil {
			return // getJSON's ErrMalformed
		}
		page, err := c.itemPage(r, cr, handle, "0")
		if err != nil {
			checkTikTokErr(t, err)
			return
		}
		doc := fixturetest.Decode(body)
		list, _ := fixturetest.Lookup(doc, "itemList")
		items, _ := list.([]any)
		for _, p := range page.Posts {
			fixturetest.CheckPost(t, p)
			if p.Likes == nil || p.Comments == nil || p.Shares == nil || p.Views == nil {
				t.Errorf("video %s lacks a count without an error: %+v", p.ID, p)
				continue
			}
			found := false
			for i := range items {
				at := strconv.Itoa(i)
				st, v2 := []string{"itemList", at, "stats"}, []string{"itemList", at, "statsV2"}
				if countIn(doc, *p.Likes, "diggCount", st, v2) && countIn(doc, *p.Comments, "commentCount", st, v2) &&
					countIn(doc, *p.Shares, "shareCount", st, v2) && countIn(doc, *p.Views, "playCount", st, v2) {
					found = true
				}
			}
			if !found {
				t.Errorf("video %s has counts that no item of the input holds", p.ID)
			}
		}
	})
}

func FuzzCommentList(f *testing.F) {
	fixturetest.Seed(f, "api_comment_list.json", "api_comment_list_reply.json")
	fixturetest.SeedMutations(f, "api_comment_list.json")
	c := fuzzCollector(f)
	cr := model.Creator{Platform: Platform, ID: "6800000000000000001", Handle: handle}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r commentListResponse
		if json.Unmarshal(body, &r) != nil {
			return
		}
		if err := checkCommentPage("fuzz", r); err != nil {
			checkTikTokErr(t, err)
			return
		}
		doc := fixturetest.Decode(body)
		for i, cm := range r.Comments {
			out := c.toComment(cm, "7300000000000000001", "7300000000000000001", 1, cr)
			fixturetest.CheckComment(t, out)
			if !fixturetest.CountAt(doc, *out.Likes, "comments", strconv.Itoa(i), "digg_count") {
				t.Errorf("comment %d has %d likes, which the input does not hold", i, *out.Likes)
			}
		}
	})
}
