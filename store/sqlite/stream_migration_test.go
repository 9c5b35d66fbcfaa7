package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// TestStreamKeyMigration: a store written with migration 11's layout
// (posts, records and likes keyed by uri alone) keeps every row through
// migration 14's (rkey, uri) keys, and what the keys are for still works on
// the migrated rows: a replayed like does not count twice, deleting a like,
// a reply or a post finds it.
func TestStreamKeyMigration(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	const alice, bob = "did:plc:alice", "did:plc:bob"
	p1, p2 := "at://"+alice+"/app.bsky.feed.post/3kp1", "at://"+alice+"/app.bsky.feed.post/3kp2"
	like := store.StreamRecord{URI: "at://" + bob + "/app.bsky.feed.like/3kl1", Kind: store.RecordLike, AuthorDID: bob, CreatorDID: alice, SubjectURI: p1, At: t0}
	repost := store.StreamRecord{URI: "at://" + bob + "/app.bsky.feed.repost/3kr1", Kind: store.RecordRepost, AuthorDID: bob, CreatorDID: alice, SubjectURI: p1, At: t0}
	reply := store.StreamRecord{URI: "at://" + bob + "/app.bsky.feed.post/3kq1", Kind: store.RecordReply, AuthorDID: bob, CreatorDID: alice, SubjectURI: p1, RootURI: p1, Text: "hi", At: t0}
	batch := store.StreamBatch{Name: "bluesky", Cursor: 5,
		Creators: []store.StreamCreatorUpdate{{DID: alice, Track: true, FirstSeen: t0}},
		Posts: []store.StreamPost{{URI: p1, CreatorDID: alice, CreatedAt: t0, SeenAt: t0, Text: "one"},
			{URI: p2, CreatorDID: alice, CreatedAt: t0, SeenAt: t0, Text: "two"}},
		Records: []store.StreamRecord{like, repost, reply}}
	if err := s.ApplyStream(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	// Back to migration 11's layout, the rows kept.
	for _, stmt := range []string{
		`CREATE TABLE old_posts (uri TEXT PRIMARY KEY, creator_did TEXT NOT NULL, created_at INTEGER NOT NULL, seen_at INTEGER NOT NULL,
			is_reply INTEGER NOT NULL, text TEXT NOT NULL DEFAULT '', langs TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '',
			likes INTEGER NOT NULL DEFAULT 0, reposts INTEGER NOT NULL DEFAULT 0, replies INTEGER NOT NULL DEFAULT 0,
			quotes INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID`,
		`INSERT INTO old_posts SELECT uri, creator_did, created_at, seen_at, is_reply, text, langs, tags, likes, reposts, replies, quotes FROM stream_posts`,
		`DROP TABLE stream_posts`,
		`ALTER TABLE old_posts RENAME TO stream_posts`,
		`CREATE INDEX stream_posts_creator ON stream_posts(creator_did, created_at)`,
		`CREATE INDEX stream_posts_created ON stream_posts(created_at)`,
		`CREATE TABLE old_records (uri TEXT PRIMARY KEY, kind TEXT NOT NULL, author_did TEXT NOT NULL, creator_did TEXT NOT NULL,
			subject_uri TEXT NOT NULL DEFAULT '', root_uri TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL) WITHOUT ROWID`,
		`INSERT INTO old_records SELECT uri, kind, author_did, creator_did, subject_uri, root_uri, text, at FROM stream_records`,
		`DROP TABLE stream_records`,
		`ALTER TABLE old_records RENAME TO stream_records`,
		`CREATE INDEX stream_records_subject ON stream_records(subject_uri, kind)`,
		`CREATE INDEX stream_records_creator ON stream_records(creator_did, at)`,
		`CREATE TABLE old_likes (uri TEXT PRIMARY KEY, kind TEXT NOT NULL, subject_uri TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID`,
		`INSERT INTO old_likes SELECT uri, kind, subject_uri, at FROM stream_likes`,
		`DROP TABLE stream_likes`,
		`ALTER TABLE old_likes RENAME TO stream_likes`,
		`DELETE FROM schema_meta WHERE version = 14`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rkeys int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM stream_posts WHERE rkey IN ('3kp1', '3kp2'))
		+ (SELECT count(*) FROM stream_records WHERE rkey = '3kq1') + (SELECT count(*) FROM stream_likes WHERE rkey IN ('3kl1', '3kr1'))`).Scan(&rkeys); err != nil {
		t.Fatal(err)
	}
	if rkeys != 5 {
		t.Fatalf("%d migrated rows with their rkey, want 5", rkeys)
	}
	counts := func(want [4]int64) {
		t.Helper()
		posts, err := s.StreamPosts(ctx, alice, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			if p.URI != p1 {
				continue
			}
			if got := [4]int64{p.Likes, p.Reposts, p.Replies, p.Quotes}; got != want {
				t.Fatalf("p1 likes/reposts/replies/quotes %v, want %v", got, want)
			}
			return
		}
		t.Fatalf("p1 missing from %+v", posts)
	}
	counts([4]int64{1, 1, 1, 0})
	// A replay of the batch changes nothing.
	if err := s.ApplyStream(ctx, batch); err != nil {
		t.Fatal(err)
	}
	counts([4]int64{1, 1, 1, 0})
	// Deletes find the migrated rows by their keys.
	if err := s.ApplyStream(ctx, store.StreamBatch{Name: "bluesky", Cursor: 6, Deletes: []string{like.URI, reply.URI, p2}}); err != nil {
		t.Fatal(err)
	}
	counts([4]int64{0, 1, 0, 0})
	if posts, err := s.StreamPosts(ctx, alice, time.Time{}); err != nil || len(posts) != 1 {
		t.Fatalf("posts after deleting p2: %v %+v", err, posts)
	}
}
