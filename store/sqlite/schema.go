package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// migrations[i] brings the schema from version i to version i+1. Append only:
// a released migration is never edited.
var migrations = [][]string{
	// 1: the first schema.
	{
		`CREATE TABLE creators (
			key          TEXT PRIMARY KEY,
			platform     TEXT NOT NULL,
			handle       TEXT NOT NULL DEFAULT '',
			tier         TEXT,    -- NULL while unscored
			followers    INTEGER NOT NULL DEFAULT 0,
			er           REAL,    -- score columns are NULL while unscored
			reply_score  REAL,
			authenticity REAL,
			composite    REAL,
			rank         INTEGER, -- NULL until ranked
			status       TEXT NOT NULL,
			updated_at   REAL NOT NULL, -- unix seconds
			json         TEXT NOT NULL  -- the whole store.CreatorRecord
		)`,
		`CREATE INDEX creators_platform_handle ON creators(platform, handle)`,
		`CREATE INDEX creators_platform_tier_composite ON creators(platform, tier, composite DESC, key)`,
		`CREATE INDEX creators_platform_composite ON creators(platform, composite DESC, key)`,
		`CREATE INDEX creators_composite ON creators(composite DESC, key)`,
		`CREATE INDEX creators_platform_tier_er ON creators(platform, tier, er DESC, key)`,
		`CREATE INDEX creators_platform_tier_followers ON creators(platform, tier, followers DESC, key)`,
		`CREATE TABLE posts (
			key         TEXT PRIMARY KEY,
			creator_key TEXT NOT NULL,
			created_at  INTEGER NOT NULL, -- unix microseconds
			json        TEXT NOT NULL
		)`,
		`CREATE INDEX posts_creator_created ON posts(creator_key, created_at DESC, key DESC)`,
		`CREATE TABLE comments (
			key        TEXT PRIMARY KEY,
			post_key   TEXT NOT NULL,
			created_at INTEGER NOT NULL, -- unix microseconds
			json       TEXT NOT NULL
		)`,
		`CREATE INDEX comments_post_created ON comments(post_key, created_at, key)`,
		`CREATE TABLE snapshots (
			creator_key TEXT NOT NULL,
			day         TEXT NOT NULL, -- YYYY-MM-DD
			json        TEXT NOT NULL,
			PRIMARY KEY (creator_key, day)
		) WITHOUT ROWID`,
		`CREATE TABLE runs (
			id         TEXT PRIMARY KEY,
			started_at INTEGER NOT NULL, -- unix microseconds
			json       TEXT NOT NULL
		)`,
		`CREATE INDEX runs_started ON runs(started_at DESC, id DESC)`,
	},
}

func init() {
	if len(migrations) != store.SchemaVersion {
		panic(fmt.Sprintf("store/sqlite: %d migrations for schema version %d", len(migrations), store.SchemaVersion))
	}
}

// migrate brings the database to store.SchemaVersion in one write
// transaction, so processes opening the same directory at once apply each
// migration exactly once.
func (s *Store) migrate(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_meta (
			version    INTEGER PRIMARY KEY,
			applied_at TEXT NOT NULL
		)`); err != nil {
			return fmt.Errorf("creating schema_meta: %w", err)
		}
		cur, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		if cur > store.SchemaVersion {
			return fmt.Errorf("database schema version %d is newer than this build's %d", cur, store.SchemaVersion)
		}
		for v := cur + 1; v <= store.SchemaVersion; v++ {
			for _, stmt := range migrations[v-1] {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("applying migration %d: %w", v, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_meta(version, applied_at) VALUES(?, ?)`,
				v, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return fmt.Errorf("recording migration %d: %w", v, err)
			}
		}
		return nil
	})
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_meta`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}

// SchemaVersion returns the schema version recorded in the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.db)
}
