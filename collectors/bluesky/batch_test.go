package bluesky

import (
	"context"
	"fmt"
	"net/http"
	"testing"
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
