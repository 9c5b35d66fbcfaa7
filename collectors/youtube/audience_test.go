package youtube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// The commenters' channels are looked up with channels.list, 50 ids a call
// (1 quota unit each); the creator's own answers are not its audience.
// Built from the recorded channels.list response: a second channel that
// hides its subscriber count keeps it unknown.
func TestAudienceCommenterChannels(t *testing.T) {
	resp := decode[map[string]any](t, "channels.list.json")
	item := resp["items"].([]any)[0].(map[string]any)
	hidden := map[string]any{}
	for k, v := range item {
		hidden[k] = v
	}
	hidden["id"] = "UCaaaaaaaaaaaaaaaaaaaaaa"
	hidden["statistics"] = map[string]any{"viewCount": "10", "hiddenSubscriberCount": true, "videoCount": "0"}
	resp["items"] = []any{item, hidden}
	srv := newServer(t, routes(t, map[string][]byte{"channels": mustJSON(t, resp)}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	var comments []model.Comment
	for i := range 120 {
		comments = append(comments, model.Comment{AuthorID: fmt.Sprintf("UC%022d", i%110)})
	}
	comments = append(comments, model.Comment{AuthorID: "UCcreatorcreatorcreator1", ByCreator: true})
	cr := model.Creator{Platform: Platform, ID: "UCcreatorcreatorcreator1"}
	s, err := c.Audience(context.Background(), cr, 100, comments)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || s.Requests != 2 || s.Source != model.AudienceCommenters {
		t.Fatalf("%d requests (sample says %d), source %q", len(reqs), s.Requests, s.Source)
	}
	for i, r := range reqs {
		ids := strings.Split(r.URL.Query().Get("id"), ",")
		if want := []int{50, 50}[i]; len(ids) != want || strings.Contains(r.URL.RawQuery, "creator") {
			t.Errorf("call %d asks for %d ids (%s)", i, len(ids), r.URL.RawQuery)
		}
	}
	if len(s.Accounts) != 4 { // the fake API answers each call with the same two channels
		t.Fatalf("%d accounts", len(s.Accounts))
	}
	a, b := s.Accounts[0], s.Accounts[1]
	if a.ID != gdChannel || a.Followers == nil || *a.Followers != 1927873 || a.Posts != nil || a.Following != nil || a.HasAvatar != nil || a.CreatedAt == nil {
		t.Errorf("channel %+v", a)
	}
	if b.Followers != nil {
		t.Errorf("hidden subscriber count read as %d", *b.Followers)
	}
}

func TestAudienceCommenterChannelsMalformed(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{"channels": []byte(`{"items":[{"snippet":{"title":"x"}}]}`)}))
	c := newTestCollector(t, testEnv(srv.URL, testKey, nil))
	_, err := c.Audience(context.Background(), model.Creator{Platform: Platform, ID: gdChannel},
		10, []model.Comment{{AuthorID: "UCaaaaaaaaaaaaaaaaaaaaaa"}})
	if !errors.Is(err, collectors.ErrMalformed) {
		t.Errorf("err %v, want ErrMalformed", err)
	}
}
