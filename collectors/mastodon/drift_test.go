package mastodon

import (
	"net/http"
	"testing"

	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
	"github.com/nanoscout/nanoscout/model"
)

// TestProfileSchemaDrift: a renamed, missing or wrongly typed count of an
// account is a drift error naming the field, never 0 followers (issue #10:
// followers_count arriving as followersCount was stored as 0).
func TestProfileSchemaDrift(t *testing.T) {
	cases := map[string]struct {
		mod        func(a map[string]any)
		field, alt string
	}{
		"followers_count renamed":  {func(a map[string]any) { fixturetest.Rename(a, "followers_count", "followersCount") }, "followers_count", "followersCount"},
		"statuses_count renamed":   {func(a map[string]any) { fixturetest.Rename(a, "statuses_count", "posts_count") }, "statuses_count", ""},
		"following_count missing":  {func(a map[string]any) { delete(a, "following_count") }, "following_count", ""},
		"followers_count a string": {func(a map[string]any) { a["followers_count"] = "12" }, "followers_count", ""},
		"followers_count null":     {func(a map[string]any) { a["followers_count"] = nil }, "followers_count", ""},
		"created_at renamed":       {func(a map[string]any) { fixturetest.Rename(a, "created_at", "createdAt") }, "created_at", "createdAt"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := decode[map[string]any](t, "accounts_lookup")
			tc.mod(a)
			fx := jsonFixture(t, a)
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) { fx.serve(w, r) })
			cr, err := newTestCollector(t, testEnv(srv.URL)).Profile(t.Context(), "@mastodonpy_test")
			fixturetest.WantDrift(t, err, tc.field, tc.alt)
			if cr.ID != "" {
				t.Errorf("a creator came back with the error: %+v", cr)
			}
		})
	}
}

// TestPostsSchemaDrift: a status whose counts or reply link were renamed
// fails the page with a drift error naming the status and the field,
// instead of a post with 0 likes or a reply counted as a top-level post.
func TestPostsSchemaDrift(t *testing.T) {
	cases := map[string]struct {
		mod        func(sts []any)
		field, alt string
	}{
		"favourites_count renamed": {func(sts []any) { fixturetest.Rename(sts[1].(map[string]any), "favourites_count", "favorites_count") }, "[1].favourites_count", ""},
		"replies_count renamed":    {func(sts []any) { fixturetest.Rename(sts[0].(map[string]any), "replies_count", "reply_count") }, "[0].replies_count", ""},
		"reblogs_count a string":   {func(sts []any) { sts[2].(map[string]any)["reblogs_count"] = "3" }, "[2].reblogs_count", ""},
		"in_reply_to_id renamed":   {func(sts []any) { fixturetest.Rename(sts[0].(map[string]any), "in_reply_to_id", "inReplyToId") }, "[0].in_reply_to_id", "inReplyToId"},
		"created_at renamed":       {func(sts []any) { fixturetest.Rename(sts[3].(map[string]any), "created_at", "createdAt") }, "[3].created_at", "createdAt"},
		"quotes_count renamed":     {func(sts []any) { fixturetest.Rename(sts[0].(map[string]any), "quotes_count", "quotesCount") }, "[0].quotes_count", "quotesCount"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sts := decode[[]any](t, "accounts_statuses")
			tc.mod(sts)
			fx := jsonFixture(t, sts)
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) { fx.serve(w, r) })
			pg, err := newTestCollector(t, testEnv(srv.URL)).Posts(t.Context(), model.Creator{Platform: Platform, ID: "117020565966271181"}, "")
			fixturetest.WantDrift(t, err, tc.field, tc.alt)
			if len(pg.Posts) != 0 {
				t.Errorf("%d posts came back with the error", len(pg.Posts))
			}
		})
	}
}

// TestThreadSchemaDrift: a reply whose in_reply_to_id was renamed would
// lose its place in the tree; it is a drift error instead.
func TestThreadSchemaDrift(t *testing.T) {
	ctx := decode[map[string]any](t, "statuses_context")
	fixturetest.Rename(ctx["descendants"].([]any)[0].(map[string]any), "in_reply_to_id", "inReplyToId")
	fx := jsonFixture(t, ctx)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) { fx.serve(w, r) })
	_, err := newTestCollector(t, testEnv(srv.URL)).Thread(t.Context(), model.Creator{Platform: Platform, ID: "1"}, model.Post{Platform: Platform, ID: "117020583245459824"})
	fixturetest.WantDrift(t, err, "descendants[0].in_reply_to_id", "inReplyToId")
}
