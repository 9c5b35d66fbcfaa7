package instagram

import (
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
// the input at the place the collector reads it: a field the input lacks
// is never reported as 0.

func fuzzCollector(f *testing.F, opts ...envOption) *Collector {
	c, err := newCollector(testEnv("http://127.0.0.1:9", opts...))
	if err != nil {
		f.Fatal(err)
	}
	c.now = func() time.Time { return fixedNow }
	return c
}

func FuzzWebProfile(f *testing.F) {
	fixturetest.Seed(f, "web_profile_info.json", "error_rate_limited.json")
	fixturetest.SeedMutations(f, "web_profile_info.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		cr, posts, err := parseWebProfile(body, fixedNow)
		if err != nil {
			fixturetest.CheckError(t, err, collectors.ErrNotFound)
			return
		}
		fixturetest.CheckCreator(t, cr)
		doc := fixturetest.Decode(body)
		fixturetest.CheckCreatorCounts(t, doc, map[string]int64{"edge_followed_by": cr.Followers, "edge_follow": cr.Following, "edge_owner_to_timeline_media": cr.PostsCount},
			func(field string) []string { return []string{"data", "user", field, "count"} })
		for _, p := range posts {
			fixturetest.CheckPost(t, p)
		}
	})
}

func FuzzGraph(f *testing.F) {
	fixturetest.Seed(f, "graph_business_discovery.json", "error_graph_rate_limit.json")
	fixturetest.SeedMutations(f, "graph_business_discovery.json")
	c := fuzzCollector(f, withGraph("http://127.0.0.1:9"))
	f.Fuzz(func(t *testing.T, body []byte) {
		cr, posts, _, err := c.parseGraph(body, "bluebottle", "", true)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		fixturetest.CheckCreator(t, cr)
		doc := fixturetest.Decode(body)
		if !fixturetest.CountAt(doc, cr.Followers, "business_discovery", "followers_count") ||
			!fixturetest.CountAt(doc, cr.PostsCount, "business_discovery", "media_count") {
			t.Errorf("creator counts %d/%d are not the input's", cr.Followers, cr.PostsCount)
		}
		if cr.Known(model.CountFollowing) && !fixturetest.CountAt(doc, cr.Following, "business_discovery", "follows_count") {
			t.Errorf("following %d is reported known but the input does not hold it", cr.Following)
		}
		for _, p := range posts {
			fixturetest.CheckPost(t, p)
		}
	})
}

func FuzzComments(f *testing.F) {
	fixturetest.Seed(f, "api_v1_media_comments.json")
	fixturetest.SeedMutations(f, "api_v1_media_comments.json")
	c := fuzzCollector(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		th := &thread{c: c, postID: "3000000000000000001", creatorID: "1", seen: map[string]bool{}}
		if _, err := th.addComments("fuzz", body); err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		for _, cm := range th.out {
			fixturetest.CheckComment(t, cm)
			if cm.Depth > 2 {
				t.Errorf("comment %s at depth %d; Instagram has two levels", cm.ID, cm.Depth)
			}
		}
	})
}

func FuzzChildComments(f *testing.F) {
	fixturetest.Seed(f, "api_v1_media_child_comments.json")
	fixturetest.SeedMutations(f, "api_v1_media_child_comments.json")
	c := fuzzCollector(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		th := &thread{c: c, postID: "3000000000000000001", creatorID: "1", seen: map[string]bool{}}
		if _, err := th.addChildren("fuzz", "17900000000000001", body); err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		for i, cm := range th.out {
			fixturetest.CheckComment(t, cm)
			// The parent is the comment asked about, or the one the reply
			// names (parent_comment_id; testdata/fuzz/FuzzChildComments).
			if cm.Depth != 2 || cm.ParentID == "" {
				t.Errorf("reply %d: depth %d parent %q", i, cm.Depth, cm.ParentID)
			}
		}
	})
}
