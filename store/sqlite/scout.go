package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// growthOf is the SQL for a creator's follower growth (store.Growth) from
// its snapshots; %[1]s is the creator key expression. Triggers cannot hold a
// WITH clause, hence the nesting.
const growthOf = `(SELECT CASE WHEN bf > 0 THEN 100.0 * (lf - bf) / bf END FROM (
	SELECT l.f AS lf, (SELECT json_extract(b.json, '$.followers') FROM snapshots b
		WHERE b.creator_key = %[1]s AND b.day >= date(l.day, '-30 days') AND b.day < l.day ORDER BY b.day LIMIT 1) AS bf
	FROM (SELECT day, json_extract(json, '$.followers') AS f FROM snapshots WHERE creator_key = %[1]s ORDER BY day DESC LIMIT 1) AS l))`

// searchPosts is how many of a creator's newest stored posts the keyword
// filter searches.
const searchPosts = 30

// searchBody is the text the keyword filter searches for creator row %[1]s:
// handle, display name, bio and the text of its newest searchPosts posts.
const searchBody = `coalesce(json_extract(%[1]s.json, '$.creator.handle'), '') || ' ' ||
	coalesce(json_extract(%[1]s.json, '$.creator.displayName'), '') || ' ' ||
	coalesce(json_extract(%[1]s.json, '$.creator.bio'), '') || ' ' ||
	coalesce((SELECT group_concat(t, ' ') FROM (SELECT json_extract(p.json, '$.text') AS t FROM posts p
		WHERE p.creator_key = %[1]s.key ORDER BY p.created_at DESC LIMIT %[2]d)), '')`

// search is searchBody for creator row alias row.
func search(row string) string { return fmt.Sprintf(searchBody, row, searchPosts) }

// reindexWhen is true when an update of a creator row changes what the
// keyword filter, the contact flag or growth read: a collection
// (SaveCreator moves lastCollected; its posts and snapshot were written just
// before) or a profile edit.
// Rerank and MarkStatus change neither and leave the index alone.
const reindexWhen = `json_extract(OLD.json, '$.lastCollected') IS NOT json_extract(NEW.json, '$.lastCollected')
	OR json_extract(OLD.json, '$.creator.handle') IS NOT json_extract(NEW.json, '$.creator.handle')
	OR json_extract(OLD.json, '$.creator.displayName') IS NOT json_extract(NEW.json, '$.creator.displayName')
	OR json_extract(OLD.json, '$.creator.bio') IS NOT json_extract(NEW.json, '$.creator.bio')
	OR json_extract(OLD.json, '$.creator.links') IS NOT json_extract(NEW.json, '$.creator.links')`

// Schema version 4 (its statements are in schema.go): scout data (shortlists, the webhook delivery log, alert
// state) and what the dashboard filters and sorts creators by:
//
//   - language and bench_index: virtual columns read from the record;
//   - has_contact: store.HasPublicContact, kept by triggers through the Go
//     function nanoscout_has_contact (registered below, so only this build
//     writes creators; an older one refuses the schema version anyway);
//   - growth: store.Growth over the snapshots, computed when the creator is
//     collected (SaveCreator writes the day's snapshot just before the
//     creator), as the MongoDB backend does; a snapshot put on its own
//     counts from the next collection;
//   - search_fts: a contentless FTS5 index with one document per creator
//     (searchBody: handle, name, bio, the newest posts' text), rebuilt when
//     the creator is collected or its profile text changes. search_docs
//     maps it to the creator: its INTEGER PRIMARY KEY is the FTS rowid, which
//     stays stable across VACUUM. One document per creator, not per post,
//     keeps bulk post upserts as fast as before: FTS5 costs ~40 µs a document
//     here, paid once per collection instead of once per post.
func init() {
	msqlite.MustRegisterDeterministicScalarFunction("nanoscout_has_contact", 2, hasContactFunc)
	sortColumns["growth"] = "growth"
}

// hasContactFunc is nanoscout_has_contact(bio, linksJSON).
func hasContactFunc(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	var c model.Creator
	c.Bio = sqlText(args[0])
	if links := sqlText(args[1]); links != "" {
		if err := json.Unmarshal([]byte(links), &c.Links); err != nil {
			return nil, fmt.Errorf("nanoscout_has_contact: links: %w", err)
		}
	}
	if store.HasPublicContact(c) {
		return int64(1), nil
	}
	return int64(0), nil
}

func sqlText(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// ftsQuery is the FTS5 query for a keyword: its words (store.KeywordTokens)
// as one quoted phrase, the last word a prefix. Quoting makes every other
// character literal text, so user input never becomes FTS syntax.
func ftsQuery(tokens []string) string {
	return `"` + strings.Join(tokens, " ") + `"*`
}

// scoutWhere adds TopQuery's scout filters to a Top query, each indexed
// column written as term writes it (sqlite.go: walkTerms).
func scoutWhere(query string, args []any, q store.TopQuery, term func(string) string) (string, []any) {
	if q.MinBenchmarkIndex > 0 {
		query += ` AND bench_index >= ?`
		args = append(args, q.MinBenchmarkIndex)
	}
	if q.MinAuthenticity > 0 {
		query += ` AND ` + term("authenticity") + ` >= ?`
		args = append(args, q.MinAuthenticity)
	}
	if q.MinReply > 0 {
		query += ` AND ` + term("reply_score") + ` >= ?`
		args = append(args, q.MinReply)
	}
	if q.MinAudience > 0 {
		query += ` AND ` + term("audience") + ` >= ?`
		args = append(args, q.MinAudience)
	}
	if q.Language != "" {
		query += ` AND language = ?`
		args = append(args, q.Language)
	}
	if q.HasContact {
		query += ` AND has_contact = 1`
	}
	if q.ProvenConverter {
		query += ` AND key IN (SELECT creator_key FROM converters WHERE proven = 1)`
	}
	if q.MinGrowth != nil {
		query += ` AND ` + term("growth") + ` >= ?`
		args = append(args, *q.MinGrowth)
	}
	switch q.Hide {
	case store.HideShortlisted:
		query += ` AND key NOT IN (SELECT creator_key FROM shortlist_items)`
	case store.HideContacted:
		query += ` AND key NOT IN (SELECT creator_key FROM shortlist_items WHERE status <> ?)`
		args = append(args, store.OutreachNew)
	}
	if strings.TrimSpace(q.Keyword) != "" {
		tokens := store.KeywordTokens(q.Keyword)
		if len(tokens) == 0 {
			return query + ` AND 0`, args
		}
		query += ` AND key IN (SELECT d.creator_key FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ?)`
		args = append(args, ftsQuery(tokens))
	}
	return query, args
}

var _ store.Scout = (*Store)(nil)

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// CreateShortlist stores a new, empty list.
func (s *Store) CreateShortlist(ctx context.Context, name string) (store.Shortlist, error) {
	name, err := store.ShortlistName(name)
	if err != nil {
		return store.Shortlist{}, err
	}
	now := store.ScoutNow()
	l := store.Shortlist{ID: store.NewID(), Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO shortlists(id, name, created_at, updated_at) VALUES(?, ?, ?, ?)`,
			l.ID, l.Name, micros(now), micros(now))
		return err
	})
	if err != nil {
		return store.Shortlist{}, fmt.Errorf("creating shortlist %q: %w", name, err)
	}
	return l, nil
}

// execOne runs one statement in a write transaction; ErrNotFound when it
// changed no row.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, store.ErrNotFound)
		}
		return nil
	})
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// RenameShortlist renames a list.
func (s *Store) RenameShortlist(ctx context.Context, id, name string) error {
	name, err := store.ShortlistName(name)
	if err != nil {
		return err
	}
	if err := s.execOne(ctx, `UPDATE shortlists SET name = ?, updated_at = ? WHERE id = ?`, name, micros(store.ScoutNow()), id); err != nil {
		return fmt.Errorf("renaming shortlist %q: %w", id, err)
	}
	return nil
}

// DeleteShortlist deletes a list and its items.
func (s *Store) DeleteShortlist(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM shortlists WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, store.ErrNotFound)
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM shortlist_items WHERE list_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outreach_changes WHERE list_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting shortlist %q: %w", id, err)
	}
	return nil
}

const shortlistCols = `id, name, created_at, updated_at, (SELECT count(*) FROM shortlist_items WHERE list_id = shortlists.id)`

func scanShortlist(sc interface{ Scan(...any) error }) (store.Shortlist, error) {
	var l store.Shortlist
	var created, updated int64
	err := sc.Scan(&l.ID, &l.Name, &created, &updated, &l.Count)
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	return l, err
}

// Shortlist returns one list with its count.
func (s *Store) Shortlist(ctx context.Context, id string) (store.Shortlist, error) {
	l, err := scanShortlist(s.db.QueryRowContext(ctx, `SELECT `+shortlistCols+` FROM shortlists WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("reading shortlist %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("reading shortlist %q: %w", id, err)
	}
	return l, nil
}

// ListShortlists returns every list, newest first.
func (s *Store) ListShortlists(ctx context.Context) ([]store.Shortlist, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+shortlistCols+` FROM shortlists ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("listing shortlists: %w", err)
	}
	defer rows.Close()
	out := []store.Shortlist{}
	for rows.Next() {
		l, err := scanShortlist(rows)
		if err != nil {
			return nil, fmt.Errorf("listing shortlists: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing shortlists: %w", err)
	}
	return out, nil
}

// AddToShortlist adds creators with status new, keeping existing items.
func (s *Store) AddToShortlist(ctx context.Context, id string, creatorKeys ...string) error {
	now := micros(store.ScoutNow())
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE shortlists SET updated_at = ? WHERE id = ?`, now, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, store.ErrNotFound)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO shortlist_items(list_id, creator_key, status, added_at, updated_at)
			VALUES(?, ?, ?, ?, ?) ON CONFLICT(list_id, creator_key) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, k := range creatorKeys {
			if _, err := stmt.ExecContext(ctx, id, k, store.OutreachNew, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("adding to shortlist %q: %w", id, err)
	}
	return nil
}

// UpdateShortlistItem sets an item's notes and/or status.
func (s *Store) UpdateShortlistItem(ctx context.Context, id, creatorKey string, u store.ItemUpdate) error {
	if u.Status != nil && !store.ValidOutreach(*u.Status) {
		return fmt.Errorf("updating %q on shortlist %q: outreach status %q: %w", creatorKey, id, *u.Status, store.ErrInvalid)
	}
	var notes, status any // NULL keeps the stored value
	if u.Notes != nil {
		notes = *u.Notes
	}
	if u.Status != nil {
		status = *u.Status
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT status FROM shortlist_items WHERE list_id = ? AND creator_key = ?`, id, creatorKey).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		at := micros(store.ScoutNow())
		if _, err := tx.ExecContext(ctx, `UPDATE shortlist_items SET notes = coalesce(?, notes), status = coalesce(?, status), updated_at = ?
			WHERE list_id = ? AND creator_key = ?`, notes, status, at, id, creatorKey); err != nil {
			return err
		}
		if u.Status == nil || *u.Status == old {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outreach_changes(list_id, creator_key, from_status, to_status, at) VALUES(?, ?, ?, ?, ?)`,
			id, creatorKey, old, *u.Status, at)
		return err
	})
	if err != nil {
		return fmt.Errorf("updating %q on shortlist %q: %w", creatorKey, id, err)
	}
	return nil
}

// OutreachHistory returns a list's status changes, newest first.
func (s *Store) OutreachHistory(ctx context.Context, id, creatorKey string, limit int) ([]store.OutreachChange, error) {
	if limit <= 0 {
		limit = 500
	}
	q := `SELECT list_id, creator_key, from_status, to_status, at FROM outreach_changes WHERE list_id = ?`
	args := []any{id}
	if creatorKey != "" {
		q += ` AND creator_key = ?`
		args = append(args, creatorKey)
	}
	q += ` ORDER BY at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the outreach history of %q: %w", id, err)
	}
	defer rows.Close()
	out := []store.OutreachChange{}
	for rows.Next() {
		var c store.OutreachChange
		var at int64
		if err := rows.Scan(&c.ShortlistID, &c.CreatorKey, &c.From, &c.To, &at); err != nil {
			return nil, fmt.Errorf("reading the outreach history of %q: %w", id, err)
		}
		c.At = fromMicros(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the outreach history of %q: %w", id, err)
	}
	return out, nil
}

// RemoveFromShortlist removes a creator from a list.
func (s *Store) RemoveFromShortlist(ctx context.Context, id, creatorKey string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM shortlist_items WHERE list_id = ? AND creator_key = ?`, id, creatorKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("removing %q from shortlist %q: %w", creatorKey, id, err)
	}
	return nil
}

const itemCols = `list_id, creator_key, notes, status, added_at, updated_at`

func (s *Store) queryItems(ctx context.Context, what, query string, args ...any) ([]store.ShortlistItem, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	defer rows.Close()
	out := []store.ShortlistItem{}
	for rows.Next() {
		var it store.ShortlistItem
		var added, updated int64
		if err := rows.Scan(&it.ShortlistID, &it.CreatorKey, &it.Notes, &it.Status, &added, &updated); err != nil {
			return nil, fmt.Errorf("reading %s: %w", what, err)
		}
		it.AddedAt, it.UpdatedAt = fromMicros(added), fromMicros(updated)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	return out, nil
}

// ShortlistItems returns a page of a list's items by creator key.
func (s *Store) ShortlistItems(ctx context.Context, id, afterKey string, limit int) ([]store.ShortlistItem, error) {
	if limit <= 0 {
		limit = 500
	}
	return s.queryItems(ctx, fmt.Sprintf("items of shortlist %q", id), `SELECT `+itemCols+` FROM shortlist_items
		WHERE list_id = ? AND creator_key > ? ORDER BY creator_key LIMIT ?`, id, afterKey, limit)
}

// ShortlistsOf returns the items holding creatorKey.
func (s *Store) ShortlistsOf(ctx context.Context, creatorKey string) ([]store.ShortlistItem, error) {
	return s.queryItems(ctx, fmt.Sprintf("shortlists of %q", creatorKey), `SELECT `+itemCols+` FROM shortlist_items
		WHERE creator_key = ? ORDER BY list_id`, creatorKey)
}

// SaveDelivery upserts a delivery.
func (s *Store) SaveDelivery(ctx context.Context, d store.Delivery) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encoding delivery %q: %w", d.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO deliveries(id, created_at, json) VALUES(?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET json = excluded.json`, d.ID, micros(d.CreatedAt), string(b))
		return err
	})
	if err != nil {
		return fmt.Errorf("saving delivery %q: %w", d.ID, err)
	}
	return nil
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id string) (store.Delivery, error) {
	ds, err := queryJSON[store.Delivery](ctx, s.db, "delivery", `SELECT json FROM deliveries WHERE id = ?`, id)
	if err != nil {
		return store.Delivery{}, err
	}
	if len(ds) == 0 {
		return store.Delivery{}, fmt.Errorf("reading delivery %q: %w", id, store.ErrNotFound)
	}
	return ds[0], nil
}

// Deliveries lists deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	ds, err := queryJSON[store.Delivery](ctx, s.db, "deliveries",
		`SELECT json FROM deliveries ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if ds == nil && err == nil {
		ds = []store.Delivery{}
	}
	return ds, err
}

// inChunks calls fn with slices of at most 500 keys and the matching "?,?,…".
func inChunks(keys []string, fn func(chunk []any, marks string) error) error {
	for start := 0; start < len(keys); start += 500 {
		part := keys[start:min(start+500, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		if err := fn(args, strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")); err != nil {
			return err
		}
	}
	return nil
}

// Alerted returns the keys alert has fired for.
func (s *Store) Alerted(ctx context.Context, alert string, creatorKeys []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(creatorKeys, func(chunk []any, marks string) error {
		rows, err := s.db.QueryContext(ctx, `SELECT creator_key FROM alert_state WHERE alert = ? AND creator_key IN (`+marks+`)`,
			append([]any{alert}, chunk...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			out[k] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading alert state of %q: %w", alert, err)
	}
	return out, nil
}

// MarkAlerted records that alert fired for creatorKey.
func (s *Store) MarkAlerted(ctx context.Context, alert, creatorKey, deliveryID string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO alert_state(alert, creator_key, delivery_id, fired_at) VALUES(?, ?, ?, ?)
			ON CONFLICT(alert, creator_key) DO NOTHING`, alert, creatorKey, deliveryID, micros(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("recording alert %q for %q: %w", alert, creatorKey, err)
	}
	return nil
}

// Growth returns the stored follower growth of the keys that have one.
func (s *Store) Growth(ctx context.Context, keys []string) (map[string]float64, error) {
	out := map[string]float64{}
	err := inChunks(keys, func(chunk []any, marks string) error {
		rows, err := s.db.QueryContext(ctx, `SELECT key, growth FROM creators WHERE growth IS NOT NULL AND key IN (`+marks+`)`, chunk...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var g float64
			if err := rows.Scan(&k, &g); err != nil {
				return err
			}
			out[k] = g
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading growth: %w", err)
	}
	return out, nil
}

// SaveCreators is SaveCreator for many creators at once, batchSize of them
// per transaction: for imports and for seeding benchmarks. Each creator is
// written as SaveCreator writes it (posts, comments, snapshot, then the
// creator), so the result is the same as saving them one by one.
func (s *Store) SaveCreators(ctx context.Context, us []store.CreatorUpdate) error {
	for start := 0; start < len(us); start += batchSize {
		batch := us[start:min(start+batchSize, len(us))]
		err := s.write(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, putCreatorSQL)
			if err != nil {
				return fmt.Errorf("preparing creator upsert: %w", err)
			}
			defer stmt.Close()
			for _, u := range batch {
				if err := upsertPosts(ctx, tx, u.Posts); err != nil {
					return err
				}
				if err := upsertComments(ctx, tx, u.Comments); err != nil {
					return err
				}
				if u.Snapshot != nil {
					if err := putSnapshot(ctx, tx, *u.Snapshot); err != nil {
						return err
					}
				}
				key := u.Creator.Key()
				at := orNow(u.At)
				rec, _, err := getCreator(ctx, tx, key)
				if err != nil {
					return err
				}
				rec.Key, rec.Creator = key, u.Creator
				if u.Score != nil {
					rec.Score, rec.LastScored = u.Score, at
				}
				rec.Status, rec.StatusReason, rec.LastCollected, rec.UpdatedAt = model.StatusOK, "", at, at
				if err := putCreator(ctx, stmt, rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("saving creators %d–%d of %d: %w", start, start+len(batch), len(us), err)
		}
	}
	return nil
}
