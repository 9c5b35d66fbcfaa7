package mastodon

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Followers come as full Account entities, 40 a page, the next page from
// the Link header's max_id. Built from the recorded accounts: the docs'
// example account, the lookup fixture, and a variant without avatar that
// leaves out its counts (an old server), whose counts must stay unknown.
func TestAudienceFollowers(t *testing.T) {
	docs := decode[map[string]any](t, "account_docs_example")
	lookup := decode[map[string]any](t, "accounts_lookup")
	lookup["id"] = "1001" // the fixture account is the creator itself
	bare := clone(t, lookup)
	bare["id"] = "999"
	bare["avatar"] = "https://example.social/avatars/original/missing.png"
	bare["last_status_at"] = nil
	delete(bare, "followers_count")
	delete(bare, "statuses_count")
	page1 := jsonFixture(t, []any{docs, lookup})
	page2 := jsonFixture(t, []any{lookup, bare}) // lookup repeated: dropped
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path != "/api/v1/accounts/"+testAccountID+"/followers" {
			t.Errorf("unexpected request %s", r.URL)
		}
		if r.URL.Query().Get("max_id") == "" {
			w.Header().Set("Link", `<http://`+r.Host+`/api/v1/accounts/`+testAccountID+`/followers?max_id=555>; rel="next", <http://`+r.Host+`/api/v1/accounts/`+testAccountID+`/followers?since_id=777>; rel="prev"`)
			page1.serve(w, r)
			return
		}
		if r.URL.Query().Get("max_id") != "555" {
			t.Errorf("page 2 asked with %s", r.URL.RawQuery)
		}
		page2.serve(w, r)
	})
	c := newTestCollector(t, testEnv(srv.URL))
	cr := model.Creator{Platform: Platform, ID: testAccountID, Handle: "mastodonpy_test", Followers: 3}
	s, err := c.Audience(context.Background(), cr, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 2 || len(s.Accounts) != 3 || s.Source != model.AudienceFollowers || s.Total != 3 {
		t.Fatalf("sample %+v", s)
	}
	a := s.Accounts[0]
	if a.ID != "23634" || a.Handle != "noiob@awoo.space" || *a.Followers != 547 || *a.Following != 404 || *a.Posts != 28468 ||
		!*a.HasAvatar || *a.Private || *a.Bot || a.LastPostAt == nil || !a.LastPostAt.Equal(time.Date(2019, 11, 17, 0, 0, 0, 0, time.UTC)) ||
		a.CreatedAt == nil || a.CreatedAt.Year() != 2017 {
		t.Errorf("docs account %+v", a)
	}
	if l := s.Accounts[1]; l.Private == nil || !*l.Private || l.Bio == nil || *l.Bio != "I walk funny" {
		t.Errorf("lookup account %+v", l)
	}
	b := s.Accounts[2]
	if b.Followers != nil || b.Posts != nil || b.Following == nil || b.HasAvatar == nil || *b.HasAvatar || b.LastPostAt != nil {
		t.Errorf("bare account: followers %v posts %v following %v avatar %v last %v", b.Followers, b.Posts, b.Following, b.HasAvatar, b.LastPostAt)
	}
	if reqs := srv.Requests(); len(reqs) != 2 || reqs[0].URL.Query().Get("limit") != "5" {
		t.Errorf("requests %v", reqs)
	}
}
