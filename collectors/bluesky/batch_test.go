package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/collectors"
)

func TestProfilesBatchesOf25(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetProfiles: file(t, "getProfiles.json", 200, ""),
	})
	c := newTestClient(t, testEnv(srv.URL))
	actors := make([]string, 60)
	for i := range actors {
		actors[i] = fmt.Sprintf("did:plc:a%02d", i)
	}
	actors[0] = "@" + creatorHndl
	got, err := c.Profiles(context.Background(), actors)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture answers every call with the one profile it holds.
	if len(got) != 3 || got[0].ID != creatorDID || got[0].Followers != 554 || got[0].Handle != creatorHndl {
		t.Fatalf("profiles: %+v", got)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests for 60 actors, want 3", len(reqs))
	}
	sizes := []int{len(reqs[0].Query["actors"]), len(reqs[1].Query["actors"]), len(reqs[2].Query["actors"])}
	if sizes[0] != 25 || sizes[1] != 25 || sizes[2] != 10 {
		t.Errorf("batch sizes %v, want 25 25 10", sizes)
	}
	if reqs[0].Query["actors"][0] != creatorHndl || reqs[0].Path != "/xrpc/app.bsky.actor.getProfiles" {
		t.Errorf("first request %s %v", reqs[0].Path, reqs[0].Query["actors"][:2])
	}
}

func TestPostsByURIExactCounts(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetPosts: file(t, "getPosts.json", 200, ""),
	})
	c := newTestClient(t, testEnv(srv.URL))
	uris := make([]string, 26)
	for i := range uris {
		uris[i] = fmt.Sprintf("at://%s/app.bsky.feed.post/x%02d", creatorDID, i)
	}
	got, err := c.PostsByURI(context.Background(), uris)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d posts from 2 calls of the 3-post fixture", len(got))
	}
	p := got[0]
	if p.ID != "at://did:plc:wpe35pganb6d4pg4ekmfy6u5/app.bsky.feed.post/3lof7sovfok2h" || p.CreatorID != creatorDID || p.Likes == nil || p.Comments == nil || p.Shares == nil || p.Quotes == nil {
		t.Fatalf("post: %+v", p)
	}
	q := got[1] // 3loagm2phgk2t: 3 likes, 2 reposts
	if *q.Likes != 3 || *q.Shares != 2 || *q.Comments != 0 || *q.Quotes != 0 {
		t.Errorf("counts of %s: likes %d shares %d comments %d quotes %d", q.ID, *q.Likes, *q.Shares, *q.Comments, *q.Quotes)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || len(reqs[0].Query["uris"]) != 25 || len(reqs[1].Query["uris"]) != 1 {
		t.Errorf("requests: %d, sizes %d", len(reqs), len(reqs[0].Query["uris"]))
	}
}

func TestProfileBatchMapsEveryNameAskedFor(t *testing.T) {
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetProfiles: file(t, "getProfiles.json", 200, ""),
	})
	c := newTestClient(t, testEnv(srv.URL))
	names := []string{"@" + strings.ToUpper(creatorHndl), creatorDID, "did:plc:gone", "https://bsky.app/profile/" + creatorHndl}
	got, err := c.ProfileBatch(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d names mapped, want 3 (the gone DID missing): %v", len(got), got)
	}
	for _, n := range []string{names[0], names[1], names[3]} {
		if cr, ok := got[n]; !ok || cr.ID != creatorDID || cr.Followers != 554 {
			t.Errorf("%q → %+v, %v", n, cr, ok)
		}
	}
	if _, ok := got["did:plc:gone"]; ok {
		t.Error("an actor the AppView did not return is mapped")
	}
	if reqs := srv.requests(); len(reqs) != 1 || len(reqs[0].Query["actors"]) != 4 {
		t.Errorf("requests: %+v", reqs)
	}
	if _, err := c.ProfileBatch(context.Background(), make([]string, BatchSize+1)); err == nil {
		t.Error("26 names in one call: no error")
	}
}

// TestBatchReadsCheckFields: a renamed count in one profile of a getProfiles
// answer (or one post of getPosts) never reads as 0: Profiles and PostsByURI
// fail with a DriftError naming it, ProfileBatch leaves that name out (the
// pipeline then asks for it alone) and keeps the others.
func TestBatchReadsCheckFields(t *testing.T) {
	good := `{"did":"did:plc:good","handle":"good.bsky.social","followersCount":10,"followsCount":2,"postsCount":3}`
	renamed := `{"did":"did:plc:moved","handle":"moved.bsky.social","followers_count":10,"followsCount":2,"postsCount":3}`
	post := `{"uri":"at://did:plc:good/app.bsky.feed.post/1","cid":"x","author":{"did":"did:plc:good","handle":"good.bsky.social"},"record":{"text":"hi","createdAt":"2026-11-01T00:00:00Z"},"replyCount":1,"repostCount":0,"likes":4,"quoteCount":0,"indexedAt":"2026-11-01T00:00:00Z"}`
	srv := newFakeServer(t, map[string]http.HandlerFunc{
		"/xrpc/" + nsidGetProfiles: func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, `{"profiles":[%s,%s]}`, good, renamed)
		},
		"/xrpc/" + nsidGetPosts: func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, `{"posts":[%s]}`, post)
		},
	})
	c := newTestClient(t, testEnv(srv.URL))
	ctx := context.Background()
	var drift *collectors.DriftError
	if _, err := c.Profiles(ctx, []string{"did:plc:good", "did:plc:moved"}); !errors.As(err, &drift) || drift.Field != "profiles[1].followersCount" {
		t.Errorf("Profiles with a renamed count: %v", err)
	}
	got, err := c.ProfileBatch(ctx, []string{"did:plc:good", "did:plc:moved"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["did:plc:moved"]; ok || got["did:plc:good"].Followers != 10 || len(got) != 1 {
		t.Errorf("ProfileBatch with a renamed count: %+v", got)
	}
	if _, err := c.PostsByURI(ctx, []string{"at://did:plc:good/app.bsky.feed.post/1"}); !errors.As(err, &drift) || drift.Field != "posts[0].likeCount" {
		t.Errorf("PostsByURI with a renamed likeCount: %v", err)
	}
}
