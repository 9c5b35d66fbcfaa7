// Package sqlite is nanoscout's embedded default store: one SQLite database
// (nanoscout.db) in a data directory, on the pure-Go modernc.org/sqlite driver.
//
// The database runs in WAL mode with a busy timeout, so several processes (the
// scheduler and the web server) can share the directory. What Top filters and
// sorts on lives in real, indexed columns; every record is also kept whole as
// JSON text. Writes take SQLite's write lock up front (BEGIN IMMEDIATE) and are
// serialised inside the process, so concurrent writers wait instead of failing
// with SQLITE_BUSY.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/internal/finite"
)

// FileName is the database file Open creates in the data directory.
const FileName = "nanoscout.db"

const (
	busyTimeout = 10 * time.Second
	batchSize   = 1000 // rows per write transaction in bulk upserts
	maxConns    = 8
)

var _ store.Store = (*Store)(nil)

// Store is the SQLite backend. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// wlock serialises this process's write transactions; BEGIN IMMEDIATE
	// and the busy timeout do the same across processes.
	wlock chan struct{}
	// tops holds the prepared statements of list pages (TopWithGrowth) by
	// query text (stmtcache.go).
	tops stmtCache
}

// Option configures Open.
type Option func(*options)

type options struct {
	readOnly bool
	maxPages int
}

// ReadOnly opens an existing store for reading only (SQLite's mode=ro): no
// migration is applied (an outdated store is an error) and every write fails
// with a *store.FatalError of kind store.FatalReadOnly.
func ReadOnly() Option { return func(o *options) { o.readOnly = true } }

// WithMaxPages caps the database at n pages (SQLite's max_page_count, on
// every connection): a write that needs more fails as if the disk were full
// (a *store.FatalError of kind store.FatalDiskFull). For tests of a full
// disk, and for operators who want a hard size limit.
func WithMaxPages(n int) Option { return func(o *options) { o.maxPages = n } }

// Open opens dir/nanoscout.db and applies the migrations it lacks. A missing
// database is created whole: it is built and migrated under a temporary
// name and linked into place, so an existing file of 0 bytes is never a
// store being created but a damaged one (a full disk, a failed copy), and
// Open refuses it rather than starting an empty store over it.
func Open(ctx context.Context, dir string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	path := filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.Size() == 0:
		return nil, fmt.Errorf("opening %q: the database file is empty (0 bytes), which no nanoscout store is: "+
			"restore it from a backup, or delete it to start a new, empty store", path)
	case err == nil && !fi.Mode().IsRegular():
		return nil, fmt.Errorf("opening %q: not a regular file", path)
	case errors.Is(err, fs.ErrNotExist) && o.readOnly:
		return nil, fmt.Errorf("opening %q read-only: %w", path, err)
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating data directory %q: %w", dir, err)
		}
		if err := create(ctx, dir, path, o); err != nil {
			return nil, fmt.Errorf("creating %q: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("opening %q: %w", path, err)
	}
	s, err := open(ctx, path, o)
	if err != nil {
		return nil, err
	}
	if o.readOnly {
		v, err := s.SchemaVersion(ctx)
		if err == nil && v != latestVersion() {
			err = fmt.Errorf("schema version %d, this build's is %d: open it once writable to migrate it", v, latestVersion())
		}
		if err != nil {
			s.db.Close()
			return nil, fmt.Errorf("opening %q read-only: %w", path, err)
		}
		return s, nil
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("migrating %q: %w", path, err)
	}
	return s, nil
}

// open opens the database file at path as it is.
func open(ctx context.Context, path string, o options) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	if !o.readOnly {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(OFF)")
	if o.maxPages > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", o.maxPages))
	}
	if o.readOnly {
		q.Set("mode", "ro")
	}
	q.Add("_pragma", "cache_size(-65536)") // 64 MiB per connection (default 2 MiB): the stream's batches touch many pages
	// Reads through a memory map of the file (up to 16 GiB of it) instead
	// of a read call and a copy into each connection's cache per page: the
	// connections share the OS page cache. 20 dashboard clients over 1M
	// creators: p95 37–62 → 28–35 ms (BenchmarkAPIConcurrent). Writes still
	// go through the journal as before (SQLite maps for reading only).
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", int64(16)<<30))
	q.Add("_pragma", "temp_store(MEMORY)") // statement journals of multi-row upserts stay off the disk
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %q: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %q: %w", path, fatal(err))
	}
	return &Store{db: db, path: path, wlock: make(chan struct{}, 1)}, nil
}

// create builds a new, migrated database beside path and links it into
// place. When another process created path meanwhile, its database stays
// and this one is dropped.
func create(ctx context.Context, dir, path string, o options) error {
	tmp, err := os.CreateTemp(dir, "."+FileName+".new-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(name + suffix)
		}
	}()
	s, err := open(ctx, name, options{})
	if err != nil {
		return err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return fmt.Errorf("migrating: %w", err)
	}
	if err := s.db.Close(); err != nil { // checkpoints the WAL into the file
		return err
	}
	if err := os.Link(name, path); err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links here (some network and FAT file systems): let
		// SQLite create the file in place, as it would anyway.
		if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close lets SQLite refresh its planner statistics and closes the database.
func (s *Store) Close() error {
	_, _ = s.db.Exec(`PRAGMA optimize`)
	s.tops.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing %q: %w", s.path, err)
	}
	return nil
}

// write runs fn in one write transaction, committed when fn returns nil. An
// error about the whole database (disk full, read-only, I/O, corrupt,
// closed) comes back as a *store.FatalError.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	select {
	case s.wlock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.wlock }()
	defer func() { err = fatal(err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func seconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// upsertPosts writes posts through one prepared statement of tx.
func upsertPosts(ctx context.Context, tx *sql.Tx, posts []model.Post) error {
	if len(posts) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO posts(key, creator_key, created_at, json) VALUES(?, ?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET creator_key = excluded.creator_key, created_at = excluded.created_at, json = excluded.json`)
	if err != nil {
		return fmt.Errorf("preparing post upsert: %w", err)
	}
	defer stmt.Close()
	for _, p := range posts {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encoding post %q: %w", p.Key(), err)
		}
		if _, err := stmt.ExecContext(ctx, p.Key(), p.CreatorKey(), micros(p.CreatedAt), string(b)); err != nil {
			return fmt.Errorf("upserting post %q: %w", p.Key(), err)
		}
	}
	return nil
}

func upsertComments(ctx context.Context, tx *sql.Tx, comments []model.Comment) error {
	if len(comments) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO comments(key, post_key, created_at, json) VALUES(?, ?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET post_key = excluded.post_key, created_at = excluded.created_at, json = excluded.json`)
	if err != nil {
		return fmt.Errorf("preparing comment upsert: %w", err)
	}
	defer stmt.Close()
	for _, c := range comments {
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encoding comment %q: %w", c.Key(), err)
		}
		if _, err := stmt.ExecContext(ctx, c.Key(), model.Key(c.Platform, c.PostID), micros(c.CreatedAt), string(b)); err != nil {
			return fmt.Errorf("upserting comment %q: %w", c.Key(), err)
		}
	}
	return nil
}

func putSnapshot(ctx context.Context, tx *sql.Tx, snap model.Snapshot) error {
	snap = finite.Snapshot(snap)
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encoding snapshot %s/%s: %w", snap.CreatorKey, snap.Day, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO snapshots(creator_key, day, json) VALUES(?, ?, ?)
		ON CONFLICT(creator_key, day) DO UPDATE SET json = excluded.json`, snap.CreatorKey, snap.Day, string(b)); err != nil {
		return fmt.Errorf("upserting snapshot %s/%s: %w", snap.CreatorKey, snap.Day, err)
	}
	return nil
}

// getCreator reads one record inside tx; found is false when it is absent.
func getCreator(ctx context.Context, tx *sql.Tx, key string) (rec store.CreatorRecord, found bool, err error) {
	var b []byte
	err = tx.QueryRowContext(ctx, `SELECT `+creatorJSON+` FROM creators WHERE key = ?`, key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("reading creator %q: %w", key, err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, false, fmt.Errorf("decoding creator %q: %w", key, err)
	}
	return rec, true, nil
}

// creatorJSON is a stored creator's whole JSON: the score's breakdown, most
// of a record's text, lives in its own column so that list pages of
// summaries (TopQuery.WithoutBreakdown) read the json column alone.
const creatorJSON = `CASE WHEN breakdown IS NULL THEN json ELSE json_set(json, '$.score.breakdown', json(breakdown)) END`

const putCreatorSQL = `INSERT INTO creators(key, platform, handle, tier, followers, er, reply_score, authenticity, composite, rank, status, updated_at, json, breakdown)
	VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(key) DO UPDATE SET platform = excluded.platform, handle = excluded.handle, tier = excluded.tier, followers = excluded.followers,
		er = excluded.er, reply_score = excluded.reply_score, authenticity = excluded.authenticity,
		composite = excluded.composite, rank = excluded.rank, status = excluded.status,
		updated_at = excluded.updated_at, json = excluded.json, breakdown = excluded.breakdown`

// putCreator writes rec's columns and JSON with stmt (a prepared putCreatorSQL).
func putCreator(ctx context.Context, stmt *sql.Stmt, rec store.CreatorRecord) error {
	rec.Score = finite.Score(rec.Score)
	var breakdown any // NULL without one
	if sc := rec.Score; sc != nil && sc.Breakdown != nil {
		bb, err := json.Marshal(sc.Breakdown)
		if err != nil {
			return fmt.Errorf("encoding creator %q's breakdown: %w", rec.Key, err)
		}
		breakdown = string(bb)
		lean := *sc
		lean.Breakdown = nil
		rec.Score = &lean
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encoding creator %q: %w", rec.Key, err)
	}
	var tier, er, reply, auth, composite, rank any // NULL while unscored
	if sc := rec.Score; sc != nil {
		tier, er, reply, auth, composite = sc.Tier, sc.ER, sc.ReplyDepth.Score, sc.Authenticity, sc.Composite
		if sc.Rank > 0 {
			rank = sc.Rank
		}
	}
	if _, err := stmt.ExecContext(ctx, rec.Key, rec.Creator.Platform, rec.Creator.Handle, tier, rec.Creator.Followers, er, reply, auth,
		composite, rank, rec.Status, seconds(rec.UpdatedAt), string(b), breakdown); err != nil {
		return fmt.Errorf("writing creator %q: %w", rec.Key, err)
	}
	return nil
}

// putCreatorTx writes one record inside tx.
func putCreatorTx(ctx context.Context, tx *sql.Tx, rec store.CreatorRecord) error {
	stmt, err := tx.PrepareContext(ctx, putCreatorSQL)
	if err != nil {
		return fmt.Errorf("preparing creator upsert: %w", err)
	}
	defer stmt.Close()
	return putCreator(ctx, stmt, rec)
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}

// SaveCreator writes the posts, comments, snapshot and then the creator of u
// in one transaction.
func (s *Store) SaveCreator(ctx context.Context, u store.CreatorUpdate) error {
	key := u.Creator.Key()
	at := orNow(u.At)
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := upsertPosts(ctx, tx, u.Posts); err != nil {
			return err
		}
		if err := upsertComments(ctx, tx, u.Comments); err != nil {
			return err
		}
		if u.Snapshot != nil && u.Creator.Known(model.CountFollowers) {
			if err := putSnapshot(ctx, tx, *u.Snapshot); err != nil {
				return err
			}
		}
		rec, found, err := getCreator(ctx, tx, key)
		if err != nil {
			return err
		}
		c, score, status, reason := store.Guard(rec, found, u.Creator, u.Score)
		rec.Key = key
		rec.Creator = c
		if score != nil {
			rec.Score = score
			rec.LastScored = at
		}
		rec.Status = status
		rec.StatusReason = reason
		rec.LastCollected = at
		rec.UpdatedAt = at
		return putCreatorTx(ctx, tx, rec)
	})
	if err != nil {
		return fmt.Errorf("saving creator %q: %w", key, err)
	}
	return nil
}

// UpsertPosts writes posts in transactions of batchSize rows.
func (s *Store) UpsertPosts(ctx context.Context, posts []model.Post) error {
	for start := 0; start < len(posts); start += batchSize {
		batch := posts[start:min(start+batchSize, len(posts))]
		if err := s.write(ctx, func(tx *sql.Tx) error { return upsertPosts(ctx, tx, batch) }); err != nil {
			return fmt.Errorf("upserting posts %d–%d of %d: %w", start, start+len(batch), len(posts), err)
		}
	}
	return nil
}

// UpsertCreators writes profiles, keeping each stored creator's score and
// status. A creator not yet stored starts unscored with status ok.
func (s *Store) UpsertCreators(ctx context.Context, cs []model.Creator, at time.Time) error {
	at = orNow(at)
	for start := 0; start < len(cs); start += batchSize {
		batch := cs[start:min(start+batchSize, len(cs))]
		err := s.write(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, putCreatorSQL)
			if err != nil {
				return fmt.Errorf("preparing creator upsert: %w", err)
			}
			defer stmt.Close()
			for _, c := range batch {
				rec, found, err := getCreator(ctx, tx, c.Key())
				if err != nil {
					return err
				}
				if !found {
					rec = store.CreatorRecord{Key: c.Key(), Status: model.StatusOK}
				}
				rec.Creator, _, _, _ = store.Guard(rec, found, c, nil)
				rec.UpdatedAt = at
				if err := putCreator(ctx, stmt, rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("upserting creators %d–%d of %d: %w", start, start+len(batch), len(cs), err)
		}
	}
	return nil
}

// MarkStatus sets a creator's status and reason, keeping its metrics.
func (s *Store) MarkStatus(ctx context.Context, key, status, reason string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		rec, found, err := getCreator(ctx, tx, key)
		if err != nil {
			return err
		}
		if !found {
			return store.ErrNotFound
		}
		rec.Status = status
		rec.StatusReason = reason
		rec.UpdatedAt = time.Now().UTC()
		return putCreatorTx(ctx, tx, rec)
	})
	if err != nil {
		return fmt.Errorf("marking creator %q %s: %w", key, status, err)
	}
	return nil
}

// Creator returns one stored creator, or an error wrapping store.ErrNotFound.
func (s *Store) Creator(ctx context.Context, key string) (store.CreatorRecord, error) {
	return s.creatorWhere(ctx, key, `key = ?`, key)
}

// CreatorByHandle returns the stored creator of platform with that handle.
func (s *Store) CreatorByHandle(ctx context.Context, platform, handle string) (store.CreatorRecord, error) {
	return s.creatorWhere(ctx, platform+" @"+handle, `platform = ? AND handle = ? ORDER BY updated_at DESC LIMIT 1`, platform, handle)
}

func (s *Store) creatorWhere(ctx context.Context, key, where string, args ...any) (store.CreatorRecord, error) {
	var rec store.CreatorRecord
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT `+creatorJSON+` FROM creators WHERE `+where, args...).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, fmt.Errorf("reading creator %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return rec, fmt.Errorf("reading creator %q: %w", key, fatal(err))
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("decoding creator %q: %w", key, err)
	}
	return rec, nil
}

// JSON is stored as TEXT (a string argument): SQLite 3.45+ reads a BLOB
// given to its json functions as JSONB.

// queryJSON runs query and decodes the single JSON column of each row into a T.
func queryJSON[T any](ctx context.Context, db *sql.DB, what, query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", what, fatal(err))
	}
	defer rows.Close()
	var out []T
	var b sql.RawBytes // one buffer for every row: decoding copies what it keeps
	for rows.Next() {
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("reading %s: %w", what, err)
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, fatal(err))
	}
	return out, nil
}

func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1 // no limit
	}
	return limit
}

// Posts returns a creator's posts, newest first, at most limit (0 = all).
func (s *Store) Posts(ctx context.Context, creatorKey string, limit int) ([]model.Post, error) {
	return queryJSON[model.Post](ctx, s.db, fmt.Sprintf("posts of %q", creatorKey),
		`SELECT json FROM posts WHERE creator_key = ? ORDER BY created_at DESC, key DESC LIMIT ?`,
		creatorKey, sqlLimit(limit))
}

// Comments returns the comments under one post, oldest first.
func (s *Store) Comments(ctx context.Context, postKey string) ([]model.Comment, error) {
	return queryJSON[model.Comment](ctx, s.db, fmt.Sprintf("comments of %q", postKey),
		`SELECT json FROM comments WHERE post_key = ? ORDER BY created_at, key`, postKey)
}

var sortColumns = map[string]string{
	"":             "composite",
	"composite":    "composite",
	"er":           "er",
	"followers":    "followers",
	"reply":        "reply_score",
	"authenticity": "authenticity",
}

// Top returns a page of scored creators, best first by q.SortBy, ties by key.
func (s *Store) Top(ctx context.Context, q store.TopQuery) ([]store.CreatorRecord, error) {
	rows, err := s.TopWithGrowth(ctx, q)
	if err != nil {
		return nil, err
	}
	recs := make([]store.CreatorRecord, len(rows))
	for i, r := range rows {
		recs[i] = r.Record
	}
	return recs, nil
}

// TopWithGrowth is Top with each creator's growth column. Summaries read
// the json column alone; full records add the breakdown column (see
// creatorJSON), decoded here rather than merged by SQLite.
func (s *Store) TopWithGrowth(ctx context.Context, q store.TopQuery) ([]store.ListRow, error) {
	cols := `json, growth`
	if !q.WithoutBreakdown {
		cols += `, breakdown`
	}
	query, args, err := topSQL(cols, q)
	if err != nil {
		return nil, err
	}
	stmt, release, err := s.tops.get(ctx, s.db, query)
	if err != nil {
		return nil, fmt.Errorf("preparing top creators: %w", fatal(err))
	}
	defer release()
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("querying top creators: %w", fatal(err))
	}
	defer rows.Close()
	out := make([]store.ListRow, 0, min(q.Limit, 1000))
	var b, bd sql.RawBytes // one buffer each for every row: decoding copies what it keeps
	dest := []any{&b, nil, &bd}
	for rows.Next() {
		var g sql.NullFloat64
		dest[1] = &g
		if q.WithoutBreakdown {
			err = rows.Scan(dest[:2]...)
		} else {
			err = rows.Scan(dest...)
		}
		if err != nil {
			return nil, fmt.Errorf("reading top creators: %w", err)
		}
		var row store.ListRow
		if q.WithoutBreakdown {
			var r summaryRecord
			err = json.Unmarshal(b, &r)
			row.Record = r.record()
		} else if err = json.Unmarshal(b, &row.Record); err == nil && bd != nil && row.Record.Score != nil {
			err = json.Unmarshal(bd, &row.Record.Score.Breakdown)
		}
		if err != nil {
			return nil, fmt.Errorf("decoding top creators: %w", err)
		}
		if g.Valid {
			row.Growth = &g.Float64
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading top creators: %w", fatal(err))
	}
	return out, nil
}

// topSQL is Top's query selecting cols, and its arguments.
func topSQL(cols string, q store.TopQuery) (string, []any, error) {
	col, ok := sortColumns[q.SortBy]
	if !ok {
		return "", nil, fmt.Errorf("top creators: unknown sort %q", q.SortBy)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	if q.SortBy == "cpa" {
		query, args := cpaSQL(cols, q, limit)
		return query, args, nil
	}
	query, args := topWhere(`SELECT `+cols+` FROM creators`, q, scoredBy(col), col)
	query += ` ORDER BY ` + col + ` DESC, key LIMIT ? OFFSET ?`
	return query, append(args, limit, max(q.Offset, 0)), nil
}

// ExplainTop is SQLite's plan for Top's query of q (EXPLAIN QUERY PLAN,
// its steps joined by "; "), for the tests and benchmarks that check a
// ranked page walks an index in its order instead of sorting.
func (s *Store) ExplainTop(ctx context.Context, q store.TopQuery) (string, error) {
	query, args, err := topSQL(`json, growth`, q)
	if err != nil {
		return "", err
	}
	rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return "", fmt.Errorf("explaining top creators: %w", fatal(err))
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", fmt.Errorf("explaining top creators: %w", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("explaining top creators: %w", fatal(err))
	}
	return strings.Join(plan, "; "), nil
}

// summaryRecord decodes a stored creator without its score's breakdown
// (TopQuery.WithoutBreakdown): the breakdown's text, most of a stored
// record's, is scanned, not decoded into components and strings. Score
// shadows the embedded record's, and the score's Breakdown shadows
// model.Score's.
type summaryRecord struct {
	store.CreatorRecord
	Score *summaryScore `json:"score,omitempty"`
}

func (r summaryRecord) record() store.CreatorRecord {
	rec := r.CreatorRecord
	if r.Score != nil {
		rec.Score = &r.Score.Score
	}
	return rec
}

type summaryScore struct {
	model.Score
	Breakdown skipped `json:"breakdown"`
}

// skipped is a JSON value read past and dropped.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// scoredBy is the column whose being set marks a scored creator in a query
// sorted by col. putCreator sets composite, er, reply_score and
// authenticity together from one score (all NULL while unscored), so when
// the sort column is one of them, its own index already holds the answer:
// testing composite instead would read every row the index walk passes,
// including the ones an OFFSET skips (1,001 row reads for page 20 by ER).
func scoredBy(col string) string {
	switch col {
	case "composite", "er", "reply_score", "authenticity":
		return col
	}
	return "composite"
}

// CountTop counts the scored creators q's filters select.
func (s *Store) CountTop(ctx context.Context, q store.TopQuery) (int64, error) {
	query, args := topWhere(`SELECT COUNT(*) FROM creators`, q, "composite", "")
	var n int64
	if err := s.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting top creators: %w", err)
	}
	return n, nil
}

// topWhere appends q's filters to sel as a WHERE clause: creators scored
// (the scored column set, see scoredBy) that pass q's filters. A ranked
// query passes the column it sorts by as walk (see walkTerms); "" writes
// the filters as they are, for SQLite to choose any index (CountTop).
func topWhere(sel string, q store.TopQuery, scored, walk string) (string, []any) {
	term := walkTerms(q, walk)
	query := sel + ` WHERE ` + term(scored) + ` IS NOT NULL`
	var args []any
	if q.Platform != "" {
		query += ` AND ` + term("platform") + ` = ?`
		args = append(args, q.Platform)
	}
	if q.Tier != "" {
		query += ` AND ` + term("tier") + ` = ?`
		args = append(args, q.Tier)
	}
	if q.MinER > 0 {
		query += ` AND ` + term("er") + ` >= ?`
		args = append(args, q.MinER)
	}
	if q.MinFollowers > 0 {
		query += ` AND ` + term("followers") + ` >= ?`
		args = append(args, q.MinFollowers)
	}
	if q.MaxFollowers > 0 {
		query += ` AND ` + term("followers") + ` <= ?`
		args = append(args, q.MaxFollowers)
	}
	if q.Status != "" {
		query += ` AND status = ?`
		args = append(args, q.Status)
	}
	return scoutWhere(query, args, q, term) // scout.go
}

// sortIndexes are, for each column a ranked page sorts by, the filter
// columns in front of it in the creators indexes that walk it in order
// (schema.go), most specific first.
var sortIndexes = map[string][][]string{
	"composite":    {{"platform", "tier"}, {"platform"}, {}},
	"er":           {{"platform", "tier"}, {"tier"}, {}},
	"followers":    {{"platform", "tier"}, {}},
	"growth":       {{"platform", "tier"}, {"tier"}, {}},
	"reply_score":  {{"platform", "tier"}, {"tier"}, {}},
	"authenticity": {{"tier"}, {}},
	"audience":     {{"platform", "tier"}, {"tier"}},
}

// walkTerms is how a ranked query sorted by walk writes the filter on
// column c: as it is when c is the sort column or in front of it in the
// index the page walks (the most specific of sortIndexes[walk] that q's
// platform and tier filters cover), else "+c". SQLite never picks an index
// for a term on +c, so it can only walk that index in order and stop after
// the page. Left to itself it may not: the planner statistics the store
// gathers (ANALYZE with analysis_limit, PRAGMA optimize) sample the start
// of each index and say that tier = ? or platform = ? selects about a
// thousand rows, so with no index of that filter and sort it read a
// whole tier through another index and sorted it (the default dashboard
// view, the nano tier by score: 61 s over 1 M creators, 6 ms walking the
// composite index; TestRankedPlansWalkAnIndex).
func walkTerms(q store.TopQuery, walk string) func(c string) string {
	var in []string
	found := false
	for _, cols := range sortIndexes[walk] {
		covered := true
		for _, c := range cols {
			covered = covered && (c == "platform" && q.Platform != "" || c == "tier" && q.Tier != "")
		}
		if covered {
			in, found = cols, true
			break
		}
	}
	return func(c string) string {
		if !found || c == walk || slices.Contains(in, c) {
			return c
		}
		return "+" + c
	}
}

// Rerank numbers the scored creators of platform 1..n within each tier by
// composite (ties by key), in the rank column and in the stored score.
func (s *Store) Rerank(ctx context.Context, platform string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE creators SET rank = r.n, json = json_set(creators.json, '$.score.rank', r.n)
			FROM (SELECT key, ROW_NUMBER() OVER (PARTITION BY tier ORDER BY composite DESC, key) AS n
				FROM creators WHERE platform = ? AND composite IS NOT NULL) AS r
			WHERE creators.key = r.key AND creators.rank IS NOT r.n`, platform)
		return err
	})
	if err != nil {
		return fmt.Errorf("reranking %s: %w", platform, err)
	}
	return nil
}

// PutSnapshot upserts the creator's snapshot for its day.
func (s *Store) PutSnapshot(ctx context.Context, snap model.Snapshot) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := putSnapshot(ctx, tx, snap); err != nil {
			return err
		}
		// The growth figure reads the snapshots: a day written on its own
		// (a backfill, an import) moves it as a collection does.
		_, err := tx.ExecContext(ctx, `UPDATE creators SET growth = `+fmt.Sprintf(growthOf, "creators.key")+` WHERE key = ?`, snap.CreatorKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("putting snapshot: %w", err)
	}
	return nil
}

// Snapshots returns a creator's snapshots from sinceDay on ("" = all), oldest first.
func (s *Store) Snapshots(ctx context.Context, creatorKey, sinceDay string) ([]model.Snapshot, error) {
	return queryJSON[model.Snapshot](ctx, s.db, fmt.Sprintf("snapshots of %q", creatorKey),
		`SELECT json FROM snapshots WHERE creator_key = ? AND day >= ? ORDER BY day`, creatorKey, sinceDay)
}

// SaveRun upserts a run.
func (s *Store) SaveRun(ctx context.Context, r model.Run) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding run %q: %w", r.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO runs(id, started_at, json) VALUES(?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET started_at = excluded.started_at, json = excluded.json`,
			r.ID, micros(r.StartedAt), string(b))
		return err
	})
	if err != nil {
		return fmt.Errorf("saving run %q: %w", r.ID, err)
	}
	return nil
}

// Run returns one run, or an error wrapping store.ErrNotFound.
func (s *Store) Run(ctx context.Context, id string) (model.Run, error) {
	var r model.Run
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT json FROM runs WHERE id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("reading run %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("reading run %q: %w", id, err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("decoding run %q: %w", id, err)
	}
	return r, nil
}

// Runs lists runs, newest first, at most limit (0 = all).
func (s *Store) Runs(ctx context.Context, limit int) ([]model.Run, error) {
	return queryJSON[model.Run](ctx, s.db, "runs",
		`SELECT json FROM runs ORDER BY started_at DESC, id DESC LIMIT ?`, sqlLimit(limit))
}

// Stats counts the rows of each table.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	st := store.Stats{}
	for _, table := range []string{"creators", "posts", "comments", "snapshots", "runs"} {
		var n int64
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting %s: %w", table, err)
		}
		st[table] = n
	}
	return st, nil
}
