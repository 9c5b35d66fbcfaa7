package youtube

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
	"github.com/nanoscout/nanoscout/model"
)

// The fuzz tests run the decoders on the recorded fixtures (and drifted and
// truncated variants of them) as ordinary tests; `go test -fuzz FuzzX`
// explores further. Invariants: no panic; either an error of the decoding
// kind or a result; no negative count; and every count in a result is in
// the input at the place the collector reads it: a field the input lacks
// is never reported as 0.

func fuzzCollector(f *testing.F) *Collector {
	c, err := newCollector(testEnv("http://127.0.0.1:9", testKey, nil))
	if err != nil {
		f.Fatal(err)
	}
	c.now = func() time.Time { return testNow }
	return c
}

func FuzzChannels(f *testing.F) {
	fixturetest.Seed(f, "channels.list.json", "error_403_quotaExceeded.json")
	fixturetest.SeedMutations(f, "channels.list.json")
	c := fuzzCollector(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var resp channelListResponse
		if err := decodeAPI(resChannels, body, &resp); err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		if len(resp.Items) == 0 {
			return
		}
		cr, err := c.creator(resp.Items[0], "fuzz")
		if errors.Is(err, ErrSubscribersHidden) {
			if cr.Known(model.CountFollowers) {
				t.Errorf("hidden subscriber count returned as known: %+v", cr)
			}
			return
		}
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		fixturetest.CheckCreator(t, cr)
		doc := fixturetest.Decode(body)
		if !fixturetest.CountAt(doc, cr.Followers, "items", "0", "statistics", "subscriberCount") ||
			!fixturetest.CountAt(doc, cr.PostsCount, "items", "0", "statistics", "videoCount") {
			t.Errorf("creator counts %d/%d are not the input's", cr.Followers, cr.PostsCount)
		}
	})
}

func FuzzVideos(f *testing.F) {
	fixturetest.Seed(f, "videos.list.json")
	fixturetest.SeedMutations(f, "videos.list.json")
	c := fuzzCollector(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var vl videoListResponse
		if err := decodeAPI(resVideos, body, &vl); err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		ids := make([]string, 0, len(vl.Items))
		for _, v := range vl.Items {
			ids = append(ids, v.ID)
		}
		posts, err := c.videoPosts(vl, "UCfuzz", ids)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		doc := fixturetest.Decode(body)
		for _, p := range posts {
			fixturetest.CheckPost(t, p)
			i := -1
			for j, v := range vl.Items {
				if v.ID == p.ID {
					i = j // the last item with the id wins, as in videoPosts
				}
			}
			at := strconv.Itoa(i)
			for field, n := range map[string]*int64{"viewCount": p.Views, "likeCount": p.Likes, "commentCount": p.Comments} {
				_, present := fixturetest.Lookup(doc, "items", at, "statistics", field)
				switch {
				case n == nil && present:
					if v, _ := fixturetest.Lookup(doc, "items", at, "statistics", field); v != nil {
						t.Errorf("video %s: %s is in the input but came back hidden", p.ID, field)
					}
				case n != nil && !fixturetest.CountAt(doc, *n, "items", at, "statistics", field):
					t.Errorf("video %s: %s = %d, which the input does not hold", p.ID, field, *n)
				}
			}
		}
	})
}

func FuzzCommentThreads(f *testing.F) {
	fixturetest.Seed(f, "commentThreads.list.json", "commentThreads.list_with_replies.json")
	fixturetest.SeedMutations(f, "commentThreads.list_with_replies.json")
	c := fuzzCollector(f)
	cr := model.Creator{Platform: Platform, ID: "UCfuzz"}
	p := model.Post{Platform: Platform, ID: "D-lhorsDlUQ", CreatorID: "UCfuzz"}
	f.Fuzz(func(t *testing.T, body []byte) {
		var tl commentThreadListResponse
		if err := decodeAPI(resCommentThreads, body, &tl); err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		for _, th := range tl.Items {
			cs, err := c.threadComments(cr, p, th)
			if err != nil {
				fixturetest.CheckError(t, err)
				return
			}
			for _, cm := range cs {
				fixturetest.CheckComment(t, cm)
			}
		}
	})
}

func FuzzFeed(f *testing.F) {
	fixturetest.Seed(f, "feeds_videos.xml")
	b := fixturetest.Read(f, "feeds_videos.xml")
	f.Add(b[:len(b)/2])
	f.Fuzz(func(t *testing.T, body []byte) {
		fd, err := parseFeed("UCfuzz", body)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		for i, e := range fd.Entries {
			p, err := feedPost("UCfuzz", i, e)
			if err != nil {
				fixturetest.CheckError(t, err)
				continue
			}
			fixturetest.CheckPost(t, p)
			if p.Comments != nil {
				t.Errorf("entry %d: a comment count the feed does not show", i)
			}
		}
	})
}
