package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"
)

// migrations maps a schema version to the statements that create what it
// adds. The core schema is version 1; each later concern registers its own
// version from its own file with registerMigration, so features land
// independently:
//
//	2  incremental collection (post metric snapshots, checkpoints)
//	3  job leases
//	4  scout data (shortlists, deliveries, alerts)
//	5  LLM judge cache
//	6  campaigns
//	7  insert-only markers
//	8  audience samples
//
// Versions are applied in ascending order, each once, and recorded in
// schema_meta. A released migration is never edited.
var migrations = map[int][]string{
	1: {
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

// registerMigration adds the statements of schema version v (from init).
func registerMigration(v int, stmts ...string) {
	if _, dup := migrations[v]; dup || v <= 1 {
		panic(fmt.Sprintf("store/sqlite: migration %d registered twice", v))
	}
	migrations[v] = stmts
}

// latestVersion is the highest schema version this build knows.
func latestVersion() int {
	return slices.Max(slices.Collect(maps.Keys(migrations)))
}

// migrate brings the database to latestVersion in one write
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
		applied := map[int]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_meta`)
		if err != nil {
			return fmt.Errorf("reading schema_meta: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("reading schema_meta: %w", err)
			}
			if _, known := migrations[v]; !known {
				rows.Close()
				return fmt.Errorf("database schema version %d is newer than this build's %d", v, latestVersion())
			}
			applied[v] = true
		}
		rows.Close()
		versions := slices.Sorted(maps.Keys(migrations))
		for _, v := range versions {
			if applied[v] {
				continue
			}
			for _, stmt := range migrations[v] {
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
