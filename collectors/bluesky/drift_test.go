package bluesky

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
	"github.com/nanoscout/nanoscout/model"
)

// mutated returns testdata/name decoded, changed by mod, and encoded again.
func mutated(t *testing.T, name string, mod func(v map[string]any)) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(readTestdata(t, name), &v); err != nil {
		t.Fatal(err)
	}
	mod(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func serve(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

// TestProfileSchemaDrift: a renamed, missing, null or wrongly typed count
// of a profile is a drift error naming the field, never 0 followers (issue
// #10: followersCount arriving as followers_count was stored as 0).
func TestProfileSchemaDrift(t *testing.T) {
	cases := map[string]struct {
		mod        func(p map[string]any)
		field, alt string
	}{
		"followersCount renamed": {func(p map[string]any) { fixturetest.Rename(p, "followersCount", "followers_count") }, "followersCount", "followers_count"},
		"followsCount missing":   {func(p map[string]any) { delete(p, "followsCount") }, "followsCount", ""},
		"postsCount a string":    {func(p map[string]any) { p["postsCount"] = "321" }, "postsCount", ""},
		"followersCount null":    {func(p map[string]any) { p["followersCount"] = nil }, "followersCount", ""},
		"followersCount float":   {func(p map[string]any) { p["followersCount"] = 12.5 }, "followersCount", ""},
		"followersCount < 0":     {func(p map[string]any) { p["followersCount"] = -3 }, "followersCount", ""},
		"createdAt renamed":      {func(p map[string]any) { fixturetest.Rename(p, "createdAt", "created_at") }, "createdAt", "created_at"},
		"handle missing":         {func(p map[string]any) { delete(p, "handle") }, "handle", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, map[string]http.HandlerFunc{
				"/xrpc/" + nsidGetProfile: serve(mutated(t, "getProfile.json", tc.mod)),
			})
			c := newTestClient(t, testEnv(srv.URL))
			cr, err := c.Profile(t.Context(), creatorHndl)
			fixturetest.WantDrift(t, err, tc.field, tc.alt)
			if cr.ID != "" {
				t.Errorf("a creator came back with the error: %+v", cr)
			}
		})
	}
	t.Run("zero is a count", func(t *testing.T) {
		srv := newFakeServer(t, map[string]http.HandlerFunc{
			"/xrpc/" + nsidGetProfile: serve(mutated(t, "getProfile.json", func(p map[string]any) { p["followersCount"] = 0 })),
		})
		cr, err := newTestClient(t, testEnv(srv.URL)).Profile(t.Context(), creatorHndl)
		if err != nil || cr.Followers != 0 || cr.ID != creatorDID {
			t.Errorf("a reported 0 followers: %+v, %v", cr, err)
		}
	})
}

// TestPostsSchemaDrift: a post whose like, reply or repost count (or
// createdAt) is renamed or of another type fails the page with a drift error
// naming the post and the field, instead of a post that hides its likes.
func TestPostsSchemaDrift(t *testing.T) {
	post := func(v map[string]any, i int) map[string]any {
		return v["feed"].([]any)[i].(map[string]any)["post"].(map[string]any)
	}
	cases := map[string]struct {
		mod        func(v map[string]any)
		field, alt string
	}{
		"likeCount renamed":   {func(v map[string]any) { fixturetest.Rename(post(v, 2), "likeCount", "like_count") }, "feed[2].post.likeCount", "like_count"},
		"repostCount renamed": {func(v map[string]any) { fixturetest.Rename(post(v, 0), "repostCount", "reposts") }, "feed[0].post.repostCount", ""},
		"replyCount a string": {func(v map[string]any) { post(v, 1)["replyCount"] = "4" }, "feed[1].post.replyCount", ""},
		"quoteCount renamed":  {func(v map[string]any) { fixturetest.Rename(post(v, 0), "quoteCount", "quote_count") }, "feed[0].post.quoteCount", "quote_count"},
		"record.createdAt renamed": {func(v map[string]any) {
			fixturetest.Rename(post(v, 3)["record"].(map[string]any), "createdAt", "created_at")
		}, "feed[3].post.record.createdAt", "created_at"},
		"cursor renamed":            {func(v map[string]any) { fixturetest.Rename(v, "cursor", "Cursor") }, "cursor", "Cursor"},
		"cursor renamed nextCursor": {func(v map[string]any) { fixturetest.Rename(v, "cursor", "nextCursor") }, "cursor", "nextCursor"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, map[string]http.HandlerFunc{
				"/xrpc/" + nsidGetAuthorFeed: serve(mutated(t, "getAuthorFeed.json", tc.mod)),
			})
			pg, err := newTestClient(t, testEnv(srv.URL)).Posts(t.Context(), testCreator, "")
			fixturetest.WantDrift(t, err, tc.field, tc.alt)
			if len(pg.Posts) != 0 {
				t.Errorf("%d posts came back with the error", len(pg.Posts))
			}
		})
	}
	t.Run("quoteCount absent is hidden, not drift", func(t *testing.T) {
		srv := newFakeServer(t, map[string]http.HandlerFunc{
			"/xrpc/" + nsidGetAuthorFeed: serve(mutated(t, "getAuthorFeed.json", func(v map[string]any) {
				for i := range v["feed"].([]any) {
					delete(post(v, i), "quoteCount")
				}
			})),
		})
		pg, err := newTestClient(t, testEnv(srv.URL)).Posts(t.Context(), testCreator, "")
		if err != nil || len(pg.Posts) == 0 || pg.Posts[0].Quotes != nil || pg.Posts[0].Likes == nil {
			t.Errorf("posts without quoteCount: %v, %+v", err, pg.Posts)
		}
	})
}

// TestThreadSchemaDrift: a reply deep in the tree whose likeCount was
// renamed is a drift error naming its place.
func TestThreadSchemaDrift(t *testing.T) {
	body := mutated(t, "getPostThread.json", func(v map[string]any) {
		reply := v["thread"].(map[string]any)["replies"].([]any)[0].(map[string]any)
		fixturetest.Rename(reply["post"].(map[string]any), "likeCount", "like_count")
	})
	srv := newFakeServer(t, map[string]http.HandlerFunc{"/xrpc/" + nsidGetPostThread: serve(body)})
	_, err := newTestClient(t, testEnv(srv.URL)).Thread(t.Context(), testCreator, model.Post{Platform: Platform, ID: threadRootID, CreatorID: creatorDID})
	fixturetest.WantDrift(t, err, "thread.replies[0].post.likeCount", "like_count")
}
