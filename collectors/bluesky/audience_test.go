package bluesky

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func TestAudienceFollowersAndProfiles(t *testing.T) {
	page1 := file(t, "getFollowers.json", 200, "")
	page2 := file(t, "getFollowers_page2.json", 200, "")
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetFollowers: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("cursor") == "3lfollowerscursor" {
				page2(w, r)
				return
			}
			page1(w, r)
		},
		"/xrpc/" + nsidGetProfiles: file(t, "getProfiles.json", 200, ""),
	})
	c := newTestClient(t, testEnv(srv.URL))
	cr := testCreator
	cr.Followers = 5400
	s, err := c.Audience(context.Background(), cr, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != model.AudienceFollowers || s.CreatorKey != cr.Key() || s.Total != 5400 || s.Requests != 3 {
		t.Errorf("sample header %+v", s)
	}
	if len(s.Accounts) != 3 {
		t.Fatalf("%d accounts, want 3 (the repeat on page 2 dropped): %+v", len(s.Accounts), s.Accounts)
	}
	// Counts from getProfiles.
	a := s.Accounts[0]
	if a.ID != "did:plc:wpe35pganb6d4pg4ekmfy6u5" || a.Followers == nil || *a.Followers != 554 || *a.Following != 296 || *a.Posts != 65 ||
		a.HasAvatar == nil || !*a.HasAvatar || a.HasLink == nil || !*a.HasLink || a.CreatedAt == nil ||
		!a.CreatedAt.Equal(time.Date(2023, 9, 19, 15, 47, 1, 417e6, time.UTC)) || a.DisplayName == nil || *a.DisplayName != "Chris Kenny" {
		t.Errorf("first follower %+v", a)
	}
	// Not returned by getProfiles: counts unknown, not zero; what a
	// profileView leaves out (avatar, name, description) is "none".
	b := s.Accounts[1]
	if b.Followers != nil || b.Following != nil || b.Posts != nil || b.HasAvatar == nil || *b.HasAvatar || b.Bio == nil || *b.Bio != "" || b.Private != nil {
		t.Errorf("second follower %+v", b)
	}
	reqs := srv.requests()
	if len(reqs) != 3 || reqs[0].Query["limit"][0] != "10" || reqs[0].Query["actor"][0] != creatorDID ||
		len(reqs[2].Query["actors"]) != 3 || reqs[2].Path != "/xrpc/"+nsidGetProfiles {
		t.Errorf("requests %+v", reqs)
	}
}

// Followers are looked up in batches of 25 and a page asks for at most 100.
func TestAudienceBatches(t *testing.T) {
	var followerPages, profileCalls int
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetFollowers: func(w http.ResponseWriter, r *http.Request) {
			followerPages++
			if r.URL.Query().Get("limit") != "100" && followerPages == 1 {
				t.Errorf("first page limit %q", r.URL.Query().Get("limit"))
			}
			w.Header().Set("Content-Type", "application/json")
			start := followerPages * 1000
			w.Write([]byte(`{"subject":{"did":"x","handle":"x"},"cursor":"c` + string(rune('a'+followerPages)) + `","followers":[`))
			for i := range 100 {
				if i > 0 {
					w.Write([]byte(","))
				}
				w.Write([]byte(`{"did":"did:plc:` + strconv.Itoa(start+i) + `","handle":"h.bsky.social"}`))
			}
			w.Write([]byte(`]}`))
		},
		"/xrpc/" + nsidGetProfiles: func(w http.ResponseWriter, r *http.Request) {
			profileCalls++
			if n := len(r.URL.Query()["actors"]); n > 25 {
				t.Errorf("getProfiles with %d actors", n)
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"profiles":[]}`))
		},
	})
	c := newTestClient(t, testEnv(srv.URL))
	s, err := c.Audience(context.Background(), testCreator, 150, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Accounts) != 150 || followerPages != 2 || profileCalls != 6 || s.Requests != 8 {
		t.Errorf("%d accounts, %d follower pages, %d getProfiles calls, %d requests", len(s.Accounts), followerPages, profileCalls, s.Requests)
	}
}

func TestAudienceError(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetFollowers: file(t, "malformed.json", 200, ""),
	})
	c := newTestClient(t, testEnv(srv.URL))
	_, err := c.Audience(context.Background(), testCreator, 10, nil)
	if !errors.Is(err, collectors.ErrMalformed) {
		t.Errorf("err %v, want ErrMalformed", err)
	}
}
