package mastodon

import (
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

func fuzzCollector() *Collector {
	return &Collector{now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}
}

const fuzzPath = "/api/v1/accounts/lookup"

func FuzzParseAccount(f *testing.F) {
	fixturetest.Seed(f, "accounts_lookup.json", "account_docs_example.json", "error_404_accounts_lookup.json")
	fixturetest.SeedMutations(f, "accounts_lookup.json", "account_docs_example.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := parseAccount("fuzz", fuzzPath, body)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		cr := fuzzCollector().creator(a)
		fixturetest.CheckCreator(t, cr)
		doc := fixturetest.Decode(body)
		fixturetest.CheckCreatorCounts(t, doc, map[string]int64{"followers_count": cr.Followers, "following_count": cr.Following, "statuses_count": cr.PostsCount}, nil)
	})
}

func FuzzParseStatuses(f *testing.F) {
	fixturetest.Seed(f, "accounts_statuses.json", "timelines_tag.json", "timelines_tag_lastpage_empty.json")
	fixturetest.SeedMutations(f, "accounts_statuses.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		sts, err := parseStatuses("fuzz", "/api/v1/accounts/1/statuses", body)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		doc := fixturetest.Decode(body)
		c := fuzzCollector()
		for i, s := range sts {
			p := c.post(s, c.now())
			fixturetest.CheckPost(t, p)
			at := strconv.Itoa(i)
			if p.Likes == nil || p.Comments == nil || p.Shares == nil ||
				!fixturetest.CountAt(doc, *p.Likes, at, "favourites_count") ||
				!fixturetest.CountAt(doc, *p.Comments, at, "replies_count") ||
				!fixturetest.CountAt(doc, *p.Shares, at, "reblogs_count") {
				t.Errorf("status %d: counts %v/%v/%v are not the input's", i, p.Likes, p.Comments, p.Shares)
			}
			if _, ok := fixturetest.Lookup(doc, at, "in_reply_to_id"); !ok {
				t.Errorf("status %d lacks in_reply_to_id, so IsReply = %v is a guess", i, p.IsReply)
			}
		}
	})
}

func FuzzParseContext(f *testing.F) {
	fixturetest.Seed(f, "statuses_context.json", "statuses_context_of_reply.json")
	fixturetest.SeedMutations(f, "statuses_context.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		sc, err := parseContext("fuzz", "/api/v1/statuses/1/context", body)
		if err != nil {
			fixturetest.CheckError(t, err)
			return
		}
		cs := contextComments(sc, model.Creator{Platform: Platform, ID: "1"}, model.Post{Platform: Platform, ID: "117020583245459824"})
		for _, c := range cs {
			fixturetest.CheckComment(t, c)
		}
	})
}
