package bluesky

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

func fuzzClient() *Client {
	return &Client{now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}
}

func FuzzParseProfile(f *testing.F) {
	fixturetest.Seed(f, "getProfile.json", "malformed.json", "error_400_InvalidRequest.json")
	fixturetest.SeedMutations(f, "getProfile.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseProfile(body)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		cr := fuzzClient().creator(p)
		fixturetest.CheckCreator(t, cr)
		doc := fixturetest.Decode(body)
		fixturetest.CheckCreatorCounts(t, doc, map[string]int64{"followersCount": cr.Followers, "followsCount": cr.Following, "postsCount": cr.PostsCount}, nil)
	})
}

func FuzzParseAuthorFeed(f *testing.F) {
	fixturetest.Seed(f, "getAuthorFeed.json", "getAuthorFeed_page2.json", "malformed.json")
	fixturetest.SeedMutations(f, "getAuthorFeed.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := parseAuthorFeed(body)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		doc := fixturetest.Decode(body)
		feed, _ := fixturetest.Lookup(doc, "feed")
		items, _ := feed.([]any)
		page := fuzzClient().feedPage(resp, model.Creator{Platform: Platform, ID: creatorDID}, "")
		for _, p := range page.Posts {
			fixturetest.CheckPost(t, p)
			if p.Likes == nil || p.Comments == nil || p.Shares == nil {
				t.Errorf("post %s lacks a count without an error: %+v", p.ID, p)
				continue
			}
			found := false
			for _, it := range items {
				uri, _ := fixturetest.Lookup(it, "post", "uri")
				if uri == p.ID && fixturetest.CountAt(it, *p.Likes, "post", "likeCount") &&
					fixturetest.CountAt(it, *p.Comments, "post", "replyCount") && fixturetest.CountAt(it, *p.Shares, "post", "repostCount") {
					found = true
				}
			}
			if !found {
				t.Errorf("post %s has counts %d/%d/%d that no item of the input holds", p.ID, *p.Likes, *p.Comments, *p.Shares)
			}
		}
	})
}

func FuzzParsePostThread(f *testing.F) {
	fixturetest.Seed(f, "getPostThread.json", "getPostThread_noReplies.json", "malformed.json")
	fixturetest.SeedMutations(f, "getPostThread.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := parsePostThread(body)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		cs, err := threadComments(resp, testCreator, model.Post{Platform: Platform, ID: threadRootID, CreatorID: creatorDID})
		if err != nil {
			fixturetest.CheckError(t, err, collectors.ErrNotFound, collectors.ErrForbidden)
			return
		}
		for _, c := range cs {
			fixturetest.CheckComment(t, c)
			if c.Likes == nil {
				t.Errorf("reply %s lacks its like count without an error", c.ID)
			}
		}
	})
}
