package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations is the schema's history, in order: the statements of schema
// version v are migrations[v-1]. Versions are applied in ascending order,
// each once, in one write transaction, and recorded in schema_meta. A
// released migration is never edited; a change is a new entry at the end.
var migrations = [][]string{
	{ // 1: core: creators, posts, comments, snapshots, runs
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
	{ // 2: incremental collection: post metric snapshots
		`CREATE TABLE post_snapshots (
			post_key TEXT NOT NULL,
			bucket   TEXT NOT NULL, -- 1h, 24h, 7d
			age_h    REAL NOT NULL,
			json     TEXT NOT NULL,
			PRIMARY KEY (post_key, bucket)
		) WITHOUT ROWID`,
	},
	{ // 3: job leases, and the indexes the prune job deletes by
		`CREATE TABLE leases (
			job         TEXT PRIMARY KEY,
			owner       TEXT NOT NULL,
			acquired_at INTEGER NOT NULL, -- unix microseconds
			renewed_at  INTEGER NOT NULL,
			expires_at  INTEGER NOT NULL  -- 0 once released
		)`,
		`CREATE INDEX comments_created ON comments(created_at)`,
		`CREATE INDEX snapshots_day ON snapshots(day)`,
	},
	{ // 4: scout data: shortlists, deliveries, alerts, scout filter columns, search index
		`CREATE TABLE shortlists (
			id         TEXT PRIMARY KEY,
			name       TEXT NOT NULL,
			created_at INTEGER NOT NULL, -- unix microseconds
			updated_at INTEGER NOT NULL
		)`,
		`CREATE TABLE shortlist_items (
			list_id     TEXT NOT NULL,
			creator_key TEXT NOT NULL,
			notes       TEXT NOT NULL DEFAULT '',
			status      TEXT NOT NULL,
			added_at    INTEGER NOT NULL, -- unix microseconds
			updated_at  INTEGER NOT NULL,
			PRIMARY KEY (list_id, creator_key)
		) WITHOUT ROWID`,
		`CREATE INDEX shortlist_items_creator ON shortlist_items(creator_key)`,
		`CREATE TABLE deliveries (
			id         TEXT PRIMARY KEY,
			created_at INTEGER NOT NULL, -- unix microseconds
			json       TEXT NOT NULL
		)`,
		`CREATE INDEX deliveries_created ON deliveries(created_at DESC, id DESC)`,
		`CREATE TABLE alert_state (
			alert       TEXT NOT NULL,
			creator_key TEXT NOT NULL,
			delivery_id TEXT NOT NULL DEFAULT '',
			fired_at    INTEGER NOT NULL, -- unix microseconds
			PRIMARY KEY (alert, creator_key)
		) WITHOUT ROWID`,

		`ALTER TABLE creators ADD COLUMN language TEXT GENERATED ALWAYS AS (json_extract(json, '$.creator.language')) VIRTUAL`,
		`ALTER TABLE creators ADD COLUMN bench_index REAL GENERATED ALWAYS AS (json_extract(json, '$.score.benchmarkIndex')) VIRTUAL`,
		`ALTER TABLE creators ADD COLUMN has_contact INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE creators ADD COLUMN growth REAL`, // NULL = unknown
		// The dashboard sorts a tier (all platforms: its default view), a
		// platform's tier, or everything by each of these.
		`CREATE INDEX creators_platform_tier_growth ON creators(platform, tier, growth DESC, key)`,
		`CREATE INDEX creators_platform_tier_reply ON creators(platform, tier, reply_score DESC, key)`,
		`CREATE INDEX creators_tier_growth ON creators(tier, growth DESC, key)`,
		`CREATE INDEX creators_tier_reply ON creators(tier, reply_score DESC, key)`,
		`CREATE INDEX creators_tier_er ON creators(tier, er DESC, key)`,
		`CREATE INDEX creators_tier_authenticity ON creators(tier, authenticity DESC, key)`,
		`CREATE INDEX creators_growth ON creators(growth DESC, key)`,
		`CREATE INDEX creators_er ON creators(er DESC, key)`,
		`CREATE INDEX creators_reply ON creators(reply_score DESC, key)`,
		`CREATE INDEX creators_authenticity ON creators(authenticity DESC, key)`,
		`CREATE INDEX creators_followers ON creators(followers DESC, key)`,

		`CREATE TABLE search_docs (
			id          INTEGER PRIMARY KEY, -- the FTS rowid
			creator_key TEXT NOT NULL UNIQUE
		)`,
		`CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', contentless_delete=1)`,

		// Creators: contact flag, growth and search document on insert, and
		// again when collected or edited.
		`CREATE TRIGGER creators_scout_insert AFTER INSERT ON creators BEGIN
			UPDATE creators SET
				has_contact = nanoscout_has_contact(json_extract(NEW.json, '$.creator.bio'), json_extract(NEW.json, '$.creator.links')),
				growth = ` + fmt.Sprintf(growthOf, "NEW.key") + `
			WHERE key = NEW.key;
			INSERT INTO search_docs(creator_key) VALUES(NEW.key);
			INSERT INTO search_fts(rowid, body) VALUES(last_insert_rowid(), ` + search("NEW") + `);
		END`,
		`CREATE TRIGGER creators_scout_update AFTER UPDATE OF json ON creators WHEN ` + reindexWhen + ` BEGIN
			UPDATE creators SET
				has_contact = nanoscout_has_contact(json_extract(NEW.json, '$.creator.bio'), json_extract(NEW.json, '$.creator.links')),
				growth = ` + fmt.Sprintf(growthOf, "NEW.key") + `
			WHERE key = NEW.key;
			INSERT INTO search_docs(creator_key) VALUES(NEW.key) ON CONFLICT(creator_key) DO NOTHING;
			DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE creator_key = NEW.key);
			INSERT INTO search_fts(rowid, body) VALUES((SELECT id FROM search_docs WHERE creator_key = NEW.key), ` + search("NEW") + `);
		END`,
		`CREATE TRIGGER creators_scout_delete AFTER DELETE ON creators BEGIN
			DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE creator_key = OLD.key);
			DELETE FROM search_docs WHERE creator_key = OLD.key;
		END`,

		// What was stored before this version.
		`UPDATE creators SET
			has_contact = nanoscout_has_contact(json_extract(json, '$.creator.bio'), json_extract(json, '$.creator.links')),
			growth = ` + fmt.Sprintf(growthOf, "creators.key"),
		`INSERT INTO search_docs(creator_key) SELECT key FROM creators`,
		`INSERT INTO search_fts(rowid, body) SELECT d.id, ` + search("c") + `
			FROM creators c JOIN search_docs d ON d.creator_key = c.key`,
	},
	{ // 5: the LLM judge's verdicts, by content hash
		`CREATE TABLE llm_verdicts (
			hash        TEXT PRIMARY KEY, -- hex SHA-256 of model, prompt version and sample
			creator_key TEXT NOT NULL,
			created_at  INTEGER NOT NULL, -- unix microseconds
			json        TEXT NOT NULL     -- the whole store.LLMVerdict
		)`,
	},
	{ // 6: campaigns, their reserved codes, conversions
		`CREATE TABLE campaigns (
			id         TEXT PRIMARY KEY,
			created_at INTEGER NOT NULL, -- unix microseconds
			json       TEXT NOT NULL
		)`,
		`CREATE TABLE campaign_codes (
			code        TEXT PRIMARY KEY, -- store.CodeKey
			campaign_id TEXT NOT NULL
		) WITHOUT ROWID`,
		`CREATE TABLE conversions (
			order_id TEXT PRIMARY KEY,
			json     TEXT NOT NULL
		) WITHOUT ROWID`,
	},
	{ // 7: insert-only markers (store.Markers)
		`CREATE TABLE markers (
			ns    TEXT NOT NULL,
			id    TEXT NOT NULL,
			owner TEXT NOT NULL,
			data  TEXT NOT NULL DEFAULT '',
			at    INTEGER NOT NULL, -- unix microseconds
			PRIMARY KEY (ns, id)
		) WITHOUT ROWID`,
	},
	{ // 8: scheduled fires, claimed once across daemons (store.FireClaimer)
		`CREATE TABLE fires (
			job        TEXT NOT NULL,
			at         INTEGER NOT NULL, -- nominal time, unix microseconds
			owner      TEXT NOT NULL,
			claimed_at INTEGER NOT NULL, -- unix microseconds
			PRIMARY KEY (job, at)
		) WITHOUT ROWID`,
		`CREATE INDEX fires_at ON fires(at)`,
	},
	{ // 9: audience samples, and the audience quality of the latest score for the dashboard's filter and sort
		`ALTER TABLE creators ADD COLUMN audience REAL GENERATED ALWAYS AS (json_extract(json, '$.score.audience.share')) VIRTUAL`,
		`CREATE INDEX creators_platform_tier_audience ON creators(platform, tier, audience DESC, key)`,
		`CREATE INDEX creators_tier_audience ON creators(tier, audience DESC, key)`,
		`CREATE TABLE audience_samples (
			key         TEXT PRIMARY KEY, -- creator key and YYYY-MM-DD
			creator_key TEXT NOT NULL,
			sampled_at  INTEGER NOT NULL, -- unix microseconds
			json        TEXT NOT NULL     -- the whole model.AudienceSample
		)`,
		`CREATE INDEX audience_samples_creator ON audience_samples(creator_key, sampled_at DESC)`,
	},
	{ // 10: outreach status history (store.OutreachLog), insert-only rows
		`CREATE TABLE outreach_changes (
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			list_id     TEXT NOT NULL,
			creator_key TEXT NOT NULL,
			from_status TEXT NOT NULL,
			to_status   TEXT NOT NULL,
			at          INTEGER NOT NULL -- unix microseconds
		)`,
		`CREATE INDEX outreach_changes_list ON outreach_changes(list_id, at DESC, id DESC)`,
	},
	{ // 11: Jetstream stream state (cursor, tracked creators, posts, interactions; stream.go)
		`CREATE TABLE stream_cursor (
			name   TEXT PRIMARY KEY,
			cursor INTEGER NOT NULL -- Jetstream time_us
		) WITHOUT ROWID`,
		`CREATE TABLE stream_creators (
			did         TEXT PRIMARY KEY,
			handle      TEXT NOT NULL DEFAULT '',
			status      TEXT NOT NULL DEFAULT '',
			stage       TEXT NOT NULL,
			reason      TEXT NOT NULL DEFAULT '',
			followers   INTEGER,          -- NULL until hydrated
			first_seen  INTEGER NOT NULL, -- unix microseconds
			hydrated_at INTEGER NOT NULL DEFAULT 0,
			scored_at   INTEGER NOT NULL DEFAULT 0
		) WITHOUT ROWID`,
		`CREATE TABLE stream_posts (
			uri         TEXT PRIMARY KEY,
			creator_did TEXT NOT NULL,
			created_at  INTEGER NOT NULL, -- unix microseconds
			seen_at     INTEGER NOT NULL,
			is_reply    INTEGER NOT NULL,
			text        TEXT NOT NULL DEFAULT '',
			langs       TEXT NOT NULL DEFAULT '', -- comma-separated
			tags        TEXT NOT NULL DEFAULT '',
			likes       INTEGER NOT NULL DEFAULT 0,
			reposts     INTEGER NOT NULL DEFAULT 0,
			replies     INTEGER NOT NULL DEFAULT 0,
			quotes      INTEGER NOT NULL DEFAULT 0
		) WITHOUT ROWID`,
		`CREATE INDEX stream_posts_creator ON stream_posts(creator_did, created_at)`,
		`CREATE INDEX stream_posts_created ON stream_posts(created_at)`,
		`CREATE TABLE stream_records (
			uri         TEXT PRIMARY KEY,
			kind        TEXT NOT NULL,
			author_did  TEXT NOT NULL,
			creator_did TEXT NOT NULL,
			subject_uri TEXT NOT NULL DEFAULT '',
			root_uri    TEXT NOT NULL DEFAULT '',
			text        TEXT NOT NULL DEFAULT '',
			at          INTEGER NOT NULL -- unix microseconds
		) WITHOUT ROWID`,
		`CREATE INDEX stream_records_subject ON stream_records(subject_uri, kind)`,
		// Likes and reposts, most of the traffic, are only counted: one
		// b-tree (their key) so that a replay or a delete finds them.
		`CREATE TABLE stream_likes (
			uri         TEXT PRIMARY KEY,
			kind        TEXT NOT NULL, -- like, repost
			subject_uri TEXT NOT NULL,
			at          INTEGER NOT NULL
		) WITHOUT ROWID`,
		// Likes and reposts of posts not stored (yet): events a few seconds
		// out of order, or posts from before the creator was tracked.
		// Counted onto the post if it arrives; pruned otherwise.
		`CREATE TABLE stream_pending (
			uri         TEXT PRIMARY KEY,
			creator_did TEXT NOT NULL,
			created_at  INTEGER NOT NULL,
			seen_at     INTEGER NOT NULL,
			langs       TEXT NOT NULL DEFAULT '',
			tags        TEXT NOT NULL DEFAULT ''
		) WITHOUT ROWID`,
		`CREATE INDEX stream_pending_created ON stream_pending(created_at)`,
		`CREATE TABLE stream_orphans (
			subject_uri TEXT NOT NULL,
			uri         TEXT NOT NULL,
			kind        TEXT NOT NULL,
			at          INTEGER NOT NULL,
			PRIMARY KEY (subject_uri, uri)
		) WITHOUT ROWID`,
		`CREATE INDEX stream_records_creator ON stream_records(creator_did, at)`,
	},
	{ // 12: the proven_converter signal per creator (campaign.go), for Top's filter and sort
		`CREATE TABLE converters (
			creator_key TEXT PRIMARY KEY,
			proven      INTEGER NOT NULL,
			cpa         REAL NOT NULL,
			json        TEXT NOT NULL
		) WITHOUT ROWID`,
		`CREATE INDEX converters_proven ON converters(proven, creator_key)`,
	},
	{ // 13: the score's breakdown in its own column (sqlite.go: creatorJSON), so list pages of summaries read no breakdown text
		`ALTER TABLE creators ADD COLUMN breakdown TEXT`,
		`UPDATE creators SET breakdown = json_extract(json, '$.score.breakdown'), json = json_set(json, '$.score.breakdown', json('null'))
			WHERE json_type(json, '$.score.breakdown') = 'array'`,
	},
	{ // 14: the stream's posts, records and likes keyed by (rkey, uri) (stream.go): record keys (TIDs) grow with
		// time, so the ingest appends at the b-trees' right edges instead of inserting at random pages by DID, and
		// the posts engagement reaches (recent ones) share pages.
		`CREATE TABLE stream_posts_v14 (
			rkey        TEXT NOT NULL, -- the uri's last segment
			uri         TEXT NOT NULL,
			creator_did TEXT NOT NULL,
			created_at  INTEGER NOT NULL, -- unix microseconds
			seen_at     INTEGER NOT NULL,
			is_reply    INTEGER NOT NULL,
			text        TEXT NOT NULL DEFAULT '',
			langs       TEXT NOT NULL DEFAULT '', -- comma-separated
			tags        TEXT NOT NULL DEFAULT '',
			likes       INTEGER NOT NULL DEFAULT 0,
			reposts     INTEGER NOT NULL DEFAULT 0,
			replies     INTEGER NOT NULL DEFAULT 0,
			quotes      INTEGER NOT NULL DEFAULT 0,
			PRIMARY KEY (rkey, uri)
		) WITHOUT ROWID`,
		`INSERT INTO stream_posts_v14 SELECT substr(uri, length(rtrim(uri, replace(uri, '/', ''))) + 1), uri, creator_did, created_at, seen_at, is_reply, text, langs, tags,
			likes, reposts, replies, quotes FROM stream_posts`,
		`DROP TABLE stream_posts`,
		`ALTER TABLE stream_posts_v14 RENAME TO stream_posts`,
		`CREATE INDEX stream_posts_creator ON stream_posts(creator_did, created_at)`,
		`CREATE INDEX stream_posts_created ON stream_posts(created_at)`,
		`CREATE TABLE stream_records_v14 (
			rkey        TEXT NOT NULL,
			uri         TEXT NOT NULL,
			kind        TEXT NOT NULL,
			author_did  TEXT NOT NULL,
			creator_did TEXT NOT NULL,
			subject_uri TEXT NOT NULL DEFAULT '',
			root_uri    TEXT NOT NULL DEFAULT '',
			text        TEXT NOT NULL DEFAULT '',
			at          INTEGER NOT NULL, -- unix microseconds
			PRIMARY KEY (rkey, uri)
		) WITHOUT ROWID`,
		`INSERT INTO stream_records_v14 SELECT substr(uri, length(rtrim(uri, replace(uri, '/', ''))) + 1), uri, kind, author_did, creator_did, subject_uri, root_uri, text, at
			FROM stream_records`,
		`DROP TABLE stream_records`,
		`ALTER TABLE stream_records_v14 RENAME TO stream_records`,
		`CREATE INDEX stream_records_subject ON stream_records(subject_uri, kind)`,
		`CREATE INDEX stream_records_creator ON stream_records(creator_did, at)`,
		`CREATE TABLE stream_likes_v14 (
			rkey        TEXT NOT NULL,
			uri         TEXT NOT NULL,
			kind        TEXT NOT NULL, -- like, repost
			subject_uri TEXT NOT NULL,
			at          INTEGER NOT NULL,
			PRIMARY KEY (rkey, uri)
		) WITHOUT ROWID`,
		`INSERT INTO stream_likes_v14 SELECT substr(uri, length(rtrim(uri, replace(uri, '/', ''))) + 1), uri, kind, subject_uri, at FROM stream_likes`,
		`DROP TABLE stream_likes`,
		`ALTER TABLE stream_likes_v14 RENAME TO stream_likes`,
	},
}

// latestVersion is the highest schema version this build knows.
func latestVersion() int { return len(migrations) }

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
			if v < 1 || v > latestVersion() {
				rows.Close()
				return fmt.Errorf("database schema version %d is newer than this build's %d", v, latestVersion())
			}
			applied[v] = true
		}
		rows.Close()
		migrated := false
		for i, stmts := range migrations {
			v := i + 1
			if applied[v] {
				continue
			}
			for _, stmt := range stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("applying migration %d: %w", v, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_meta(version, applied_at) VALUES(?, ?)`,
				v, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return fmt.Errorf("recording migration %d: %w", v, err)
			}
			migrated = true
		}
		if !migrated {
			return nil
		}
		return refreshStats(ctx, tx)
	})
}

// refreshStats gathers planner statistics after a migration on a database
// that has them already. SQLite's planner trusts sqlite_stat1: an index a
// migration adds has no row there and looks far more selective than it is,
// so a ranked query on a big store picks it and sorts the whole tier (at 1 M
// creators a tier-wide page took 3 s instead of milliseconds). A bounded
// ANALYZE (analysis_limit) costs a second or two on such a store; a
// database never analysed is left to PRAGMA optimize at close.
func refreshStats(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	for _, stmt := range []string{`PRAGMA analysis_limit = 1000`, `ANALYZE`} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("refreshing planner statistics after a migration: %w", err)
		}
	}
	return nil
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
