package simulator

import (
	"encoding/xml"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

const ytKeyParam = "&key=test-key-1"

// ytVideoPage finds a nano creator's video with at least n comment threads
// and a creator reply among them.
func ytVideoWithThreads(t *testing.T, h http.Handler, p *Population, n int) (Truth, string) {
	t.Helper()
	for i := range p.Size() {
		tr := p.Creator("youtube", i)
		if tr.Vanished || tr.Archetype != ArchOrganic || tr.Tier != "nano" {
			continue
		}
		items := get(h, "/youtube/youtube/v3/playlistItems?part=contentDetails&maxResults=50&playlistId=UU"+tr.ID[2:]+ytKeyParam).obj(t)["items"].([]any)
		for _, it := range items {
			vid := str(it, "contentDetails", "videoId")
			r := get(h, "/youtube/youtube/v3/commentThreads?part=snippet,replies&maxResults=100&videoId="+vid+ytKeyParam)
			if r.status != 200 {
				continue
			}
			threads := r.obj(t)["items"].([]any)
			if len(threads) < n {
				continue
			}
			for _, th := range threads {
				for _, c := range asArr(dig(th, "replies", "comments")) {
					if str(c, "snippet", "authorChannelId", "value") == tr.ID {
						return tr, vid
					}
				}
			}
		}
	}
	t.Fatalf("no YouTube video with %d threads and a creator reply", n)
	return Truth{}, ""
}

func asArr(v any) []any { a, _ := v.([]any); return a }

func TestYouTubeStructureMatchesFixtures(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 600})
	h, p := s.Handler(), s.Population()
	tr, vid := ytVideoWithThreads(t, h, p, 3)

	ch := get(h, "/youtube/youtube/v3/channels?part=snippet,statistics,contentDetails&id="+tr.ID+ytKeyParam)
	if ch.status != 200 {
		t.Fatalf("channels: %d %s", ch.status, ch.body)
	}
	assertShape(t, "channels", loadFixture(t, "youtube/channels.list.json"), ch.json(t),
		keyRules{optional: []string{"statistics.commentCount", "snippet.country", "statistics.subscriberCount"}, extra: []string{"items[].contentDetails"}})
	if str(ch.obj(t), "items", 0, "contentDetails", "relatedPlaylists", "uploads") != "UU"+tr.ID[2:] {
		t.Errorf("uploads playlist %v", dig(ch.obj(t), "items", 0, "contentDetails"))
	}
	if _, err := strconv.Atoi(str(ch.obj(t), "items", 0, "statistics", "viewCount")); err != nil {
		t.Errorf("viewCount is not a numeric string: %v", err)
	}
	byHandle := get(h, "/youtube/youtube/v3/channels?part=snippet&forHandle="+q(tr.Handle)+ytKeyParam).obj(t)
	if str(byHandle, "items", 0, "id") != tr.ID || str(byHandle, "items", 0, "snippet", "customUrl") != tr.Handle {
		t.Errorf("forHandle: %v", byHandle)
	}

	pl := get(h, "/youtube/youtube/v3/playlistItems?part=snippet,contentDetails&maxResults=3&playlistId=UU"+tr.ID[2:]+ytKeyParam)
	assertShape(t, "playlistItems", loadFixture(t, "youtube/playlistItems.list.json"), pl.json(t),
		keyRules{extra: []string{"items[].contentDetails", "prevPageToken"}})

	vids := get(h, "/youtube/youtube/v3/videos?part=snippet,statistics,contentDetails,status&id="+vid+ytKeyParam)
	assertShape(t, "videos", loadFixture(t, "youtube/videos.list.json"), vids.json(t),
		keyRules{optional: []string{"statistics.dislikeCount", "statistics.likeCount", "statistics.commentCount", "snippet.defaultLanguage", "snippet.defaultAudioLanguage", "snippet.tags"}})
	for _, k := range []string{"viewCount", "likeCount", "favoriteCount", "commentCount"} {
		if v, ok := dig(vids.json(t), "items", 0, "statistics", k).(string); ok {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				t.Errorf("statistics.%s %q", k, v)
			}
		}
	}

	threads := get(h, "/youtube/youtube/v3/commentThreads?part=snippet,replies&videoId="+vid+ytKeyParam)
	assertShape(t, "commentThreads (replies)", loadFixture(t, "youtube/commentThreads.list_with_replies.json"), threads.json(t),
		keyRules{optional: []string{"items[].replies"}, extra: []string{"nextPageToken"}})
	assertShape(t, "commentThreads", loadFixture(t, "youtube/commentThreads.list.json"),
		get(h, "/youtube/youtube/v3/commentThreads?part=snippet&maxResults=2&videoId="+vid+ytKeyParam).json(t), keyRules{optional: []string{"nextPageToken"}})

	// comments.list items have the shape of replies.comments[].
	var thread any
	for _, th := range threads.obj(t)["items"].([]any) {
		if num(th, "snippet", "totalReplyCount") > 0 {
			thread = th
		}
	}
	replies := get(h, "/youtube/youtube/v3/comments?part=snippet&parentId="+str(thread, "id")+ytKeyParam).obj(t)
	fxReplies := dig(loadFixture(t, "youtube/commentThreads.list_with_replies.json"), "items", 0, "replies", "comments")
	assertShape(t, "comments", fxReplies, replies["items"], keyRules{})
	if len(replies["items"].([]any)) != int(num(thread, "snippet", "totalReplyCount")) {
		t.Errorf("comments.list: %d replies, totalReplyCount %v", len(replies["items"].([]any)), num(thread, "snippet", "totalReplyCount"))
	}

	search := get(h, "/youtube/youtube/v3/search?part=snippet&q=homebrew&type=video&maxResults=25"+ytKeyParam)
	assertShape(t, "search", loadFixture(t, "youtube/search.list.json"), search.json(t), keyRules{extra: []string{"prevPageToken"}})
	chs := get(h, "/youtube/youtube/v3/search?part=snippet&q=homebrew&type=channel&maxResults=5"+ytKeyParam).obj(t)
	if len(chs["items"].([]any)) != 5 || str(chs, "items", 0, "id", "kind") != "youtube#channel" {
		t.Errorf("channel search: %v", chs)
	}

	// Errors: verbatim quota body is tested in TestYouTubeQuota; missing key here.
	r := get(h, "/youtube/youtube/v3/channels?part=snippet&id="+tr.ID)
	if r.status != 403 || str(r.obj(t), "error", "errors", 0, "reason") != "forbidden" || str(r.obj(t), "error", "status") != "PERMISSION_DENIED" ||
		str(r.obj(t), "error", "message") != "The request is missing a valid API key." {
		t.Errorf("missing key: %d %s", r.status, r.body)
	}
	assertShape(t, "missing key", loadFixture(t, "youtube/error_403_quotaExceeded.json"), r.json(t), keyRules{extra: []string{"error.status"}})
	if strings.Contains(string(ch.body), `\u0026`) || !strings.HasPrefix(string(ch.body), "{\n  \"kind\"") {
		t.Errorf("Google JSON is indented and leaves & alone: %.80s", ch.body)
	}
}

// xmlShape summarises an XML document: per element path, the attribute
// names and child element names seen.
func xmlShape(t *testing.T, b []byte) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("xml: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			name := e.Name.Space + ":" + e.Name.Local
			parent := strings.Join(stack, "/")
			if out[parent] == nil {
				out[parent] = map[string]bool{}
			}
			out[parent]["<"+name+">"] = true
			stack = append(stack, name)
			path := strings.Join(stack, "/")
			if out[path] == nil {
				out[path] = map[string]bool{}
			}
			for _, a := range e.Attr {
				out[path]["@"+a.Name.Local] = true
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return out
}

func TestYouTubeFeedLikeFixture(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 300})
	h, p := s.Handler(), s.Population()
	tr := creatorWith(t, p, "youtube", func(tr Truth) bool { return !tr.Vanished && tr.SettledPosts > 20 })
	r := get(h, "/youtube/feeds/videos.xml?channel_id="+tr.ID)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", r.status, r.header.Get("Content-Type"))
	}
	fx, err := os.ReadFile(filepath.Join("testdata", "youtube", "feeds_videos.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want, got := xmlShape(t, fx), xmlShape(t, r.body)
	for path, items := range want {
		for it := range items {
			if !got[path][it] {
				t.Errorf("feed lacks %s %s", path, it)
			}
		}
	}
	for path, items := range got {
		for it := range items {
			if !want[path][it] {
				t.Errorf("feed has %s %s, the recording does not", path, it)
			}
		}
	}
	if n := strings.Count(string(r.body), "<entry>"); n != 15 {
		t.Errorf("%d entries, want the latest 15", n)
	}
	if !strings.Contains(string(r.body), "<yt:channelId>"+tr.ID[2:]+"</yt:channelId>") || !strings.Contains(string(r.body), "<yt:channelId>"+tr.ID+"</yt:channelId>") {
		t.Error("feed-level channelId should lack the UC, entry-level have it")
	}
	// Views and likes agree with the Data API.
	var feed struct {
		Entries []struct {
			VideoID string `xml:"videoId"`
			Group   struct {
				Community struct {
					Star struct {
						Count string `xml:"count,attr"`
					} `xml:"starRating"`
					Stats struct {
						Views string `xml:"views,attr"`
					} `xml:"statistics"`
				} `xml:"community"`
			} `xml:"group"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(r.body, &feed); err != nil {
		t.Fatal(err)
	}
	v := get(h, "/youtube/youtube/v3/videos?part=statistics&id="+feed.Entries[0].VideoID+ytKeyParam).obj(t)
	if str(v, "items", 0, "statistics", "viewCount") != feed.Entries[0].Group.Community.Stats.Views {
		t.Errorf("feed views %s, API %s", feed.Entries[0].Group.Community.Stats.Views, str(v, "items", 0, "statistics", "viewCount"))
	}
	if get(h, "/youtube/feeds/videos.xml?channel_id=UCaaaaaaaaaaaaaaaaaaaaaa").status != 404 {
		t.Error("unknown channel feed should 404")
	}
	if st := s.Stats().Platforms["youtube"]; len(st.QuotaUnits) != 1 {
		t.Errorf("the feed must not cost quota: %v", st.QuotaUnits)
	}
}

func TestYouTubeQuota(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	clk := &clock{t: time.Date(2026, 11, 20, 23, 50, 0, 0, la)}
	s := newSim(t, Options{Seed: 1, Creators: 30, Now: clk.Now, YouTubeQuota: 105})
	h, p := s.Handler(), s.Population()
	ch := "/youtube/youtube/v3/channels?part=snippet&id=" + p.Creator("youtube", 1).ID
	for i := range 5 {
		if r := get(h, ch+"&key=key-a"); r.status != 200 {
			t.Fatalf("call %d: %d %s", i, r.status, r.body)
		}
	}
	if r := get(h, "/youtube/youtube/v3/search?part=snippet&q=birding&key=key-a"); r.status != 200 {
		t.Fatalf("search within quota: %d %s", r.status, r.body)
	}
	fx, _ := os.ReadFile(filepath.Join("testdata", "youtube", "error_403_quotaExceeded.json"))
	r := get(h, ch+"&key=key-a")
	if r.status != 403 || string(r.body) != string(fx) {
		t.Fatalf("over quota: %d %s", r.status, r.body)
	}
	if r.header.Get("Retry-After") != "" {
		t.Error("Google sends no Retry-After for quota")
	}
	// Another key has its own quota; a missing key costs nothing.
	if r := get(h, ch+"&key=key-b"); r.status != 200 {
		t.Errorf("key-b: %d", r.status)
	}
	if r := get(h, ch); r.status != 403 || str(r.obj(t), "error", "errors", 0, "reason") != "forbidden" {
		t.Errorf("no key: %d %s", r.status, r.body)
	}
	if r := get(h, ch+"&key="); r.status != 403 || str(r.obj(t), "error", "errors", 0, "reason") != "forbidden" {
		t.Errorf("empty key: %d %s", r.status, r.body)
	}
	// An invalid request still costs a unit.
	if r := get(h, "/youtube/youtube/v3/videos?id=x&key=key-b"); r.status != 400 {
		t.Errorf("no part: %d", r.status)
	}
	st := s.Stats().Platforms["youtube"]
	if st.QuotaUnits["key-a"] != 105 || st.QuotaUnits["key-b"] != 2 || st.QuotaExceeded != 1 {
		t.Errorf("quota stats %v, exceeded %d", st.QuotaUnits, st.QuotaExceeded)
	}
	var raw map[string]any
	if b := get(h, "/__stats").obj(t); dig(b, "platforms", "youtube", "quotaUnits", "key-a") != 105.0 {
		t.Errorf("/__stats: %v", dig(b, "platforms", "youtube"))
	}
	_ = raw
	// The quota resets at midnight Pacific time, not UTC.
	clk.Add(5 * time.Minute)
	if r := get(h, ch+"&key=key-a"); r.status != 403 {
		t.Errorf("still the same Pacific day: %d", r.status)
	}
	clk.Add(6 * time.Minute)
	if r := get(h, ch+"&key=key-a"); r.status != 200 {
		t.Errorf("after midnight Pacific: %d %s", r.status, r.body)
	}
	// The default is 10,000 units: 100 searches.
	s2 := newSim(t, Options{Seed: 1, Creators: 30})
	for i := range 100 {
		if r := get(s2.Handler(), "/youtube/youtube/v3/search?part=snippet&q=x&key=k"); r.status != 200 {
			t.Fatalf("search %d: %d", i, r.status)
		}
	}
	if r := get(s2.Handler(), "/youtube/youtube/v3/search?part=snippet&q=x&key=k"); r.status != 403 {
		t.Errorf("101st search: %d", r.status)
	}
	if maskKey("AIzaSyExampleExampleExample") != "AIza…mple" {
		t.Errorf("mask %q", maskKey("AIzaSyExampleExampleExample"))
	}
}

// ytER computes ER by views the way a collector should: every upload, in
// batches of 50, settled, pooled Σ(likes+comments)/Σviews over videos that
// show a count.
func ytER(t *testing.T, h http.Handler, tr Truth) (float64, int) {
	t.Helper()
	var ids []string
	token := ""
	for {
		page := get(h, "/youtube/youtube/v3/playlistItems?part=contentDetails&maxResults=50&playlistId=UU"+tr.ID[2:]+ytKeyParam+"&pageToken="+token).obj(t)
		for _, it := range page["items"].([]any) {
			ids = append(ids, str(it, "contentDetails", "videoId"))
		}
		if token = str(page, "nextPageToken"); token == "" {
			break
		}
	}
	var inter, views float64
	n := 0
	for i := 0; i < len(ids); i += 50 {
		v := get(h, "/youtube/youtube/v3/videos?part=snippet,statistics&id="+strings.Join(ids[i:min(i+50, len(ids))], ",")+ytKeyParam).obj(t)
		for _, it := range v["items"].([]any) {
			at, _ := time.Parse(time.RFC3339, str(it, "snippet", "publishedAt"))
			if testNow.Sub(at) < SettledAge {
				continue
			}
			st := dig(it, "statistics").(map[string]any)
			l, hasL := st["likeCount"].(string)
			c, hasC := st["commentCount"].(string)
			if !hasL && !hasC {
				continue
			}
			n++
			lv, _ := strconv.ParseFloat(l, 64)
			cv, _ := strconv.ParseFloat(c, 64)
			vv, _ := strconv.ParseFloat(st["viewCount"].(string), 64)
			if vv > 0 {
				inter += lv + cv
				views += vv
			}
		}
	}
	return 100 * inter / math.Max(views, 1), n
}

func TestYouTubeCommentPaging(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Creators: 600})
	h, p := s.Handler(), s.Population()
	_, vid := ytVideoWithThreads(t, h, p, 8)
	all := get(h, "/youtube/youtube/v3/commentThreads?part=snippet&maxResults=100&videoId="+vid+ytKeyParam).obj(t)["items"].([]any)
	var paged []string
	token := ""
	for range 50 {
		r := get(h, "/youtube/youtube/v3/commentThreads?part=snippet&maxResults=3&videoId="+vid+ytKeyParam+"&pageToken="+q(token)).obj(t)
		for _, th := range r["items"].([]any) {
			paged = append(paged, str(th, "id"))
		}
		if token = str(r, "nextPageToken"); token == "" {
			break
		}
	}
	if len(paged) != len(all) {
		t.Fatalf("paged %d threads, one page %d", len(paged), len(all))
	}
	var last time.Time
	for i, th := range all {
		if str(th, "id") != paged[i] {
			t.Fatalf("thread %d differs between paging and one page", i)
		}
		at, _ := time.Parse(time.RFC3339, str(th, "snippet", "topLevelComment", "snippet", "publishedAt"))
		if i > 0 && at.After(last) {
			t.Errorf("order=time is not newest first")
		}
		last = at
	}
	rel := get(h, "/youtube/youtube/v3/commentThreads?part=snippet&order=relevance&maxResults=100&videoId="+vid+ytKeyParam).obj(t)["items"].([]any)
	if len(rel) != len(all) || !sort.SliceIsSorted(rel, func(i, j int) bool {
		return num(rel[i], "snippet", "topLevelComment", "snippet", "likeCount") > num(rel[j], "snippet", "topLevelComment", "snippet", "likeCount")
	}) {
		t.Errorf("order=relevance: %d threads, sorted by likes?", len(rel))
	}
	for _, bad := range []string{"pageToken=zzz", "maxResults=101", "maxResults=0", "order=new"} {
		if r := get(h, "/youtube/youtube/v3/commentThreads?part=snippet&videoId="+vid+ytKeyParam+"&"+bad); r.status != 400 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
	if r := get(h, "/youtube/youtube/v3/commentThreads?part=snippet&videoId=AAAAAAAAAAA"+ytKeyParam); r.status != 404 || str(r.obj(t), "error", "errors", 0, "reason") != "videoNotFound" {
		t.Errorf("unknown video: %d %s", r.status, r.body)
	}
	// A video with comments turned off answers commentsDisabled and shows no commentCount.
	for i := range p.Size() {
		tr := p.Creator("youtube", i)
		if tr.Vanished {
			continue
		}
		a := p.account(p.plats["youtube"], acctRef{kind: kindCreator, idx: i})
		found := false
		a.eachSlot(testNow.UnixMilli(), ^uint64(0), func(sl *slot) bool {
			if sl.kind != slotPost || !sl.commentsOff {
				return true
			}
			y := &yt{site: s.sites["youtube"], media: hashv(s.sites["youtube"].key, tagMedia)}
			id := y.videoID(a, sl)
			r := get(h, "/youtube/youtube/v3/commentThreads?part=snippet&videoId="+id+ytKeyParam)
			if r.status != 403 || str(r.obj(t), "error", "errors", 0, "reason") != "commentsDisabled" {
				t.Errorf("comments off: %d %s", r.status, r.body)
			}
			v := get(h, "/youtube/youtube/v3/videos?part=statistics&id="+id+ytKeyParam).obj(t)
			if dig(v, "items", 0, "statistics", "commentCount") != nil {
				t.Errorf("comments off but commentCount shown")
			}
			found = true
			return false
		})
		if found {
			return
		}
	}
	t.Error("no video with comments turned off")
}
