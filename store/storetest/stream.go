package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// RunStream checks store.StreamStore: idempotent batches (replays and
// duplicates never double-count, a deleted like is taken off once), counts
// recomputed from records, the cursor stored with the batch, identity and
// account updates, the funnel stage, activity windows and pruning.
func RunStream(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	st := open(t)
	var ss store.StreamStore = st
	const (
		alice = "did:plc:alice"
		bob   = "did:plc:bob"
		carol = "did:plc:carol"
	)
	post := func(did, rkey string) string { return "at://" + did + "/app.bsky.feed.post/" + rkey }
	like := func(did, rkey string) string { return "at://" + did + "/app.bsky.feed.like/" + rkey }
	p1, p2 := post(alice, "p1"), post(alice, "p2")

	if c, err := ss.StreamCursor(ctx, "bluesky"); err != nil || c != 0 {
		t.Fatalf("cursor before any batch: %d %v", c, err)
	}
	b1 := store.StreamBatch{
		Name: "bluesky", Cursor: 1000,
		Creators: []store.StreamCreatorUpdate{{DID: alice, Track: true, FirstSeen: t0}},
		Posts: []store.StreamPost{
			{URI: p1, CreatorDID: alice, CreatedAt: t0, SeenAt: t0, Text: "hello", Langs: []string{"en"}, Tags: []string{"art"}, Likes: 99},
			{URI: p2, CreatorDID: alice, CreatedAt: t0.Add(time.Hour), SeenAt: t0.Add(time.Hour)},
		},
		Records: []store.StreamRecord{
			{URI: like(bob, "l1"), Kind: store.RecordLike, AuthorDID: bob, CreatorDID: alice, SubjectURI: p1, At: t0.Add(time.Minute)},
			{URI: like(carol, "l2"), Kind: store.RecordLike, AuthorDID: carol, CreatorDID: alice, SubjectURI: p1, At: t0.Add(2 * time.Minute)},
			{URI: post(bob, "r1"), Kind: store.RecordReply, AuthorDID: bob, CreatorDID: alice, SubjectURI: p1, RootURI: p1, Text: "nice", At: t0.Add(3 * time.Minute)},
			{URI: "at://" + carol + "/app.bsky.feed.repost/rp1", Kind: store.RecordRepost, AuthorDID: carol, CreatorDID: alice, SubjectURI: p1, At: t0.Add(4 * time.Minute)},
			{URI: post(carol, "q1"), Kind: store.RecordQuote, AuthorDID: carol, CreatorDID: alice, SubjectURI: p2, Text: "look", At: t0.Add(61 * time.Minute)},
			{URI: "at://" + bob + "/app.bsky.graph.follow/f1", Kind: store.RecordFollow, AuthorDID: bob, CreatorDID: alice, At: t0.Add(5 * time.Minute)},
		},
	}
	if err := ss.ApplyStream(ctx, b1); err != nil {
		t.Fatal(err)
	}
	// A replay of the same batch and a duplicate inside a batch change nothing.
	dup := b1
	dup.Records = append(append([]store.StreamRecord{}, b1.Records...), b1.Records[0])
	if err := ss.ApplyStream(ctx, dup); err != nil {
		t.Fatal(err)
	}
	counts := func(want map[string][4]int64) {
		t.Helper()
		posts, err := ss.StreamPosts(ctx, alice, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != len(want) {
			t.Fatalf("%d posts, want %d", len(posts), len(want))
		}
		for _, p := range posts {
			got := [4]int64{p.Likes, p.Reposts, p.Replies, p.Quotes}
			if got != want[p.URI] {
				t.Errorf("%s likes/reposts/replies/quotes %v, want %v", p.URI, got, want[p.URI])
			}
		}
	}
	counts(map[string][4]int64{p1: {2, 1, 1, 0}, p2: {0, 0, 0, 1}})

	// A like deleted twice (the delete replayed) is taken off once; a reply
	// and likes arriving before their post's row (events out of order) count
	// once the post is stored, a like deleted in between does not.
	p3 := post(alice, "p3")
	r3 := post(bob, "r3")
	b2 := store.StreamBatch{Name: "bluesky", Cursor: 2000,
		Deletes: []string{like(bob, "l1"), like(bob, "l1"), like("did:plc:nobody", "zz")},
		Records: []store.StreamRecord{
			{URI: r3, Kind: store.RecordReply, AuthorDID: bob, CreatorDID: alice, SubjectURI: p3, RootURI: p3, At: t0.Add(2 * time.Hour)},
			{URI: like(bob, "l3"), Kind: store.RecordLike, AuthorDID: bob, CreatorDID: alice, SubjectURI: p3, At: t0.Add(2 * time.Hour)},
			{URI: like(carol, "l4"), Kind: store.RecordLike, AuthorDID: carol, CreatorDID: alice, SubjectURI: p3, At: t0.Add(2 * time.Hour)},
		},
	}
	if err := ss.ApplyStream(ctx, b2); err != nil {
		t.Fatal(err)
	}
	if err := ss.ApplyStream(ctx, b2); err != nil {
		t.Fatal(err)
	}
	if err := ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", Deletes: []string{like(carol, "l4")}}); err != nil {
		t.Fatal(err)
	}
	b3 := store.StreamBatch{Name: "bluesky", Cursor: 3000,
		Posts: []store.StreamPost{{URI: p3, CreatorDID: alice, CreatedAt: t0.Add(2 * time.Hour), SeenAt: t0.Add(2 * time.Hour), IsReply: true}}}
	if err := ss.ApplyStream(ctx, b3); err != nil {
		t.Fatal(err)
	}
	counts(map[string][4]int64{p1: {1, 1, 1, 0}, p2: {0, 0, 0, 1}, p3: {1, 0, 1, 0}})
	if c, err := ss.StreamCursor(ctx, "bluesky"); err != nil || c != 3000 {
		t.Errorf("cursor %d %v, want 3000", c, err)
	}
	if err := ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := ss.StreamCursor(ctx, "bluesky"); c != 3000 {
		t.Errorf("a batch without a cursor moved it to %d", c)
	}
	if c, _ := ss.StreamCursor(ctx, "other"); c != 0 {
		t.Errorf("another consumer's cursor %d", c)
	}

	posts, err := ss.StreamPosts(ctx, alice, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if posts[0].URI != p3 || !posts[0].IsReply || posts[2].URI != p1 || posts[2].Text != "hello" ||
		len(posts[2].Langs) != 1 || posts[2].Langs[0] != "en" || len(posts[2].Tags) != 1 || !posts[2].CreatedAt.Equal(t0) {
		t.Errorf("posts newest first with their fields: %+v", posts)
	}
	if since, _ := ss.StreamPosts(ctx, alice, t0.Add(30*time.Minute)); len(since) != 2 {
		t.Errorf("posts since +30m: %d, want 2", len(since))
	}

	// Reply edges and the other interactions, oldest first.
	replies, err := ss.StreamRecords(ctx, alice, store.RecordReply, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 2 || replies[0].AuthorDID != bob || replies[0].RootURI != p1 || replies[0].Text != "nice" || !replies[0].At.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("reply edges: %+v", replies)
	}
	all, err := ss.StreamRecords(ctx, alice, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 { // r1, f1, q1, r3 (likes and reposts are only counted)
		t.Errorf("%d records, want 4: %+v", len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].At.Before(all[i-1].At) {
			t.Errorf("records not oldest first: %v before %v", all[i].At, all[i-1].At)
		}
	}

	// Identity and account events: a handle for a tracked creator; an
	// untracked account is not created by them.
	err = ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", Creators: []store.StreamCreatorUpdate{
		{DID: alice, Handle: "alice.example"},
		{DID: carol, Handle: "carol.example", Status: "deactivated"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ss.StreamCreator(ctx, alice, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Handle != "alice.example" || c.Stage != store.StageCandidate || c.Followers != nil || c.Posts != 3 || c.Engagement != 6 {
		t.Errorf("alice: %+v", c)
	}
	if _, err := ss.StreamCreator(ctx, carol, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("untracked carol: %v", err)
	}
	if err := ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", Creators: []store.StreamCreatorUpdate{{DID: alice, Status: "deactivated"}}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := ss.StreamCreator(ctx, alice, time.Time{}); c.Status != "deactivated" || c.Handle != "alice.example" {
		t.Errorf("after the account event: %+v", c)
	}

	// A second creator with less engagement; the query orders and filters.
	err = ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky",
		Creators: []store.StreamCreatorUpdate{{DID: bob, Track: true, FirstSeen: t0}},
		Posts:    []store.StreamPost{{URI: post(bob, "b1"), CreatorDID: bob, CreatedAt: t0.Add(3 * time.Hour), SeenAt: t0.Add(3 * time.Hour)}},
		Records:  []store.StreamRecord{{URI: like(carol, "l9"), Kind: store.RecordLike, AuthorDID: carol, CreatorDID: bob, SubjectURI: post(bob, "b1"), At: t0.Add(3 * time.Hour)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := ss.StreamCreators(ctx, store.StreamCreatorQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].DID != alice || list[1].DID != bob || list[1].Engagement != 1 || !list[1].LastPost.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("creators most engaged first: %+v", list)
	}
	if l, _ := ss.StreamCreators(ctx, store.StreamCreatorQuery{MinEngagement: 2}); len(l) != 1 || l[0].DID != alice {
		t.Errorf("min engagement 2: %+v", l)
	}
	if l, _ := ss.StreamCreators(ctx, store.StreamCreatorQuery{Since: t0.Add(150 * time.Minute)}); len(l) != 1 || l[0].DID != bob {
		t.Errorf("active since +150m: %+v", l)
	}
	if l, _ := ss.StreamCreators(ctx, store.StreamCreatorQuery{Limit: 1}); len(l) != 1 {
		t.Errorf("limit 1: %d", len(l))
	}

	// The funnel's verdicts.
	f := int64(4200)
	if err := ss.SetStreamStage(ctx, alice, store.StreamStage{Stage: store.StageScored, Followers: &f, HydratedAt: t0, ScoredAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := ss.SetStreamStage(ctx, bob, store.StreamStage{Stage: store.StageFiltered, Reason: "tier below", HydratedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := ss.SetStreamStage(ctx, "did:plc:nobody", store.StreamStage{Stage: store.StageScored}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("stage of an unknown creator: %v", err)
	}
	if l, _ := ss.StreamCreators(ctx, store.StreamCreatorQuery{Stage: store.StageScored}); len(l) != 1 || l[0].DID != alice ||
		l[0].Followers == nil || *l[0].Followers != 4200 || !l[0].ScoredAt.Equal(t0.Add(time.Hour)) || !l[0].HydratedAt.Equal(t0) {
		t.Errorf("scored: %+v", l)
	}
	if l, _ := ss.StreamCreators(ctx, store.StreamCreatorQuery{Stage: store.StageFiltered}); len(l) != 1 || l[0].Reason != "tier below" || l[0].Followers != nil {
		t.Errorf("filtered: %+v", l)
	}
	if l, _ := ss.StreamCreators(ctx, store.StreamCreatorQuery{ScoredBefore: t0.Add(30 * time.Minute)}); len(l) != 1 || l[0].DID != bob {
		t.Errorf("due for scoring (scored before +30m or never): %+v", l)
	}

	// Pruning: everything of alice's before +90m goes, bob stays.
	n, err := ss.PruneStream(ctx, t0.Add(90*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n < 2+5 {
		t.Errorf("pruned %d, want at least 7", n)
	}
	left, _ := ss.StreamPosts(ctx, alice, time.Time{})
	if len(left) != 1 || left[0].URI != p3 {
		t.Errorf("alice's posts after pruning: %+v", left)
	}
	recs, _ := ss.StreamRecords(ctx, alice, "", time.Time{})
	if len(recs) != 1 || recs[0].URI != r3 {
		t.Errorf("alice's records after pruning: %+v", recs)
	}
	// r3 survived the prune: deleting it takes it off p3.
	if err := ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", Deletes: []string{r3}}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := ss.StreamPosts(ctx, alice, time.Time{}); len(ps) != 1 || ps[0].Replies != 0 || ps[0].Likes != 1 {
		t.Errorf("p3 after its reply was deleted: %+v", ps)
	}
	if _, err := ss.PruneStream(ctx, t0.Add(10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.StreamCreator(ctx, bob, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob with no post left after pruning: %v", err)
	}

	// Pending posts: kept, deleted with their post, pruned by the window.
	pa, pb := post("did:plc:dave", "d1"), post("did:plc:dave", "d2")
	err = ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", Pending: []store.StreamPost{
		{URI: pa, CreatorDID: "did:plc:dave", CreatedAt: t0.Add(30 * time.Hour), SeenAt: t0.Add(30 * time.Hour), Langs: []string{"de"}},
		{URI: pb, CreatorDID: "did:plc:dave", CreatedAt: t0.Add(31 * time.Hour), SeenAt: t0.Add(31 * time.Hour)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pend, err := ss.StreamPending(ctx, t0.Add(29*time.Hour)); err != nil || len(pend) != 2 || pend[0].URI != pa || len(pend[0].Langs) != 1 || !pend[1].CreatedAt.Equal(t0.Add(31*time.Hour)) {
		t.Errorf("pending: %+v %v", pend, err)
	}
	if err := ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", Deletes: []string{pa}}); err != nil {
		t.Fatal(err)
	}
	if pend, _ := ss.StreamPending(ctx, time.Time{}); len(pend) != 1 || pend[0].URI != pb {
		t.Errorf("pending after deleting d1: %+v", pend)
	}
	if err := ss.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", PendingBefore: t0.Add(32 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if pend, _ := ss.StreamPending(ctx, time.Time{}); len(pend) != 0 {
		t.Errorf("pending after the window: %+v", pend)
	}

	// Many records in one batch (backends that chunk their writes).
	var big store.StreamBatch
	big.Name, big.Cursor = "bluesky", 9000
	big.Creators = []store.StreamCreatorUpdate{{DID: carol, Track: true, FirstSeen: t0}}
	big.Posts = []store.StreamPost{{URI: post(carol, "c1"), CreatorDID: carol, CreatedAt: t0.Add(20 * time.Hour), SeenAt: t0.Add(20 * time.Hour)}}
	for i := range 300 {
		big.Records = append(big.Records, store.StreamRecord{URI: like(fmt.Sprintf("did:plc:fan%d", i), "x"), Kind: store.RecordLike,
			AuthorDID: fmt.Sprintf("did:plc:fan%d", i), CreatorDID: carol, SubjectURI: post(carol, "c1"), At: t0.Add(20 * time.Hour)})
	}
	if err := ss.ApplyStream(ctx, big); err != nil {
		t.Fatal(err)
	}
	if err := ss.ApplyStream(ctx, big); err != nil {
		t.Fatal(err)
	}
	if ps, _ := ss.StreamPosts(ctx, carol, time.Time{}); len(ps) != 1 || ps[0].Likes != 300 {
		t.Errorf("300 likes applied twice: %+v", ps)
	}

	// A post arriving after part of its engagement, with more (and a
	// delete of an earlier quote) in its own batch: everything counts once.
	const erin = "did:plc:erin"
	at := t0.Add(40 * time.Hour)
	e1 := post(erin, "e1")
	rec := func(uri, kind, author, subject string) store.StreamRecord {
		return store.StreamRecord{URI: uri, Kind: kind, AuthorDID: author, CreatorDID: erin, SubjectURI: subject, RootURI: subject, At: at}
	}
	early := store.StreamBatch{Name: "bluesky", Creators: []store.StreamCreatorUpdate{{DID: erin, Track: true, FirstSeen: at}},
		Records: []store.StreamRecord{
			rec(post(bob, "ra"), store.RecordReply, bob, e1),
			rec(post(carol, "qa"), store.RecordQuote, carol, e1),
			rec(like(bob, "la"), store.RecordLike, bob, e1),
			rec("at://"+carol+"/app.bsky.feed.repost/rpa", store.RecordRepost, carol, e1),
		}}
	withPost := store.StreamBatch{Name: "bluesky",
		Posts:   []store.StreamPost{{URI: e1, CreatorDID: erin, CreatedAt: at, SeenAt: at}},
		Records: []store.StreamRecord{rec(post("did:plc:dave", "rb"), store.RecordReply, "did:plc:dave", e1), rec(like("did:plc:dave", "lb"), store.RecordLike, "did:plc:dave", e1)},
		Deletes: []string{post(carol, "qa")}}
	for round := range 2 { // the second round is a replay
		for _, b := range []store.StreamBatch{early, withPost} {
			if err := ss.ApplyStream(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		ps, err := ss.StreamPosts(ctx, erin, time.Time{})
		if err != nil || len(ps) != 1 {
			t.Fatalf("erin's posts: %+v %v", ps, err)
		}
		if got := [4]int64{ps[0].Likes, ps[0].Reposts, ps[0].Replies, ps[0].Quotes}; got != [4]int64{2, 1, 2, 0} {
			t.Errorf("round %d: e1 likes/reposts/replies/quotes %v, want [2 1 2 0]", round, got)
		}
	}
	// Likes stored before their post, one deleted in the batch that brings
	// the post, which also adds and deletes another: the one that stays
	// counts.
	e2 := post(erin, "e2")
	early2 := store.StreamBatch{Name: "bluesky", Records: []store.StreamRecord{
		rec(like(bob, "le1"), store.RecordLike, bob, e2), rec(like(carol, "le2"), store.RecordLike, carol, e2)}}
	late2 := store.StreamBatch{Name: "bluesky",
		Posts:   []store.StreamPost{{URI: e2, CreatorDID: erin, CreatedAt: at, SeenAt: at}},
		Records: []store.StreamRecord{rec(like("did:plc:frank", "le4"), store.RecordLike, "did:plc:frank", e2)},
		Deletes: []string{like(bob, "le1"), like("did:plc:frank", "le4")}}
	for round := range 2 { // the second round is a replay
		for _, b := range []store.StreamBatch{early2, late2} {
			if err := ss.ApplyStream(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		ps, err := ss.StreamPosts(ctx, erin, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.URI == e2 && p.Likes != 1 { // le2
				t.Errorf("round %d: e2 has %d likes, want 1", round, p.Likes)
			}
		}
	}

	// More new posts than a backend's chunk, each with a reply stored before it.
	var replies2, posts2 store.StreamBatch
	replies2.Name, posts2.Name = "bluesky", "bluesky"
	for i := range 450 {
		g := post(erin, fmt.Sprintf("g%03d", i))
		replies2.Records = append(replies2.Records, rec(post(bob, fmt.Sprintf("rg%03d", i)), store.RecordReply, bob, g))
		posts2.Posts = append(posts2.Posts, store.StreamPost{URI: g, CreatorDID: erin, CreatedAt: at, SeenAt: at})
	}
	for _, b := range []store.StreamBatch{replies2, posts2} {
		if err := ss.ApplyStream(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := ss.StreamPosts(ctx, erin, time.Time{})
	if err != nil || len(ps) != 452 {
		t.Fatalf("erin's posts: %d, %v", len(ps), err)
	}
	for _, p := range ps {
		if p.URI != e1 && p.URI != e2 && p.Replies != 1 {
			t.Errorf("%s: %d replies, want 1", p.URI, p.Replies)
		}
	}
}
