package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

var _ store.StreamStore = (*Store)(nil)

func us(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromUS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// StreamCursor returns the named consumer's cursor, 0 when none is stored.
func (s *Store) StreamCursor(ctx context.Context, name string) (int64, error) {
	var c int64
	err := s.db.QueryRowContext(ctx, `SELECT cursor FROM stream_cursor WHERE name = ?`, name).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading stream cursor %q: %w", name, err)
	}
	return c, nil
}

// chunkRows is how many rows one multi-row statement carries: one
// statement per row costs more in the driver than SQLite spends on the row.
const chunkRows = 200

// multiRow runs "head VALUES (?,…),(?,…)… tail" over rows in chunks,
// passing every row the statement returns to scan (nil: none expected).
func multiRow(ctx context.Context, tx *sql.Tx, head, tail string, width int, rows [][]any, scan func(*sql.Rows) error) error {
	placeholder := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(rows); start += chunkRows {
		part := rows[start:min(start+chunkRows, len(rows))]
		args := make([]any, 0, len(part)*width)
		for _, r := range part {
			args = append(args, r...)
		}
		text := head + " VALUES " + strings.TrimSuffix(strings.Repeat(placeholder+",", len(part)), ",") + " " + tail
		var res *sql.Rows
		var err error
		if len(part) == chunkRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, text); err != nil {
					return err
				}
			}
			res, err = full.QueryContext(ctx, args...)
		} else {
			res, err = tx.QueryContext(ctx, text, args...)
		}
		if err != nil {
			return err
		}
		for res.Next() {
			if scan == nil {
				continue
			}
			if err := scan(res); err != nil {
				res.Close()
				return err
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ApplyStream applies a batch in one transaction, the cursor with it.
//
// Counts move by deltas of the records that are really new or really gone:
// the inserts (OR IGNORE) and deletes RETURN only the rows
// they changed, inside this transaction, so a replayed or duplicated event
// changes nothing. Posts are written first, so engagement in the same batch
// counts on them.
func (s *Store) ApplyStream(ctx context.Context, b store.StreamBatch) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		// INSERT OR IGNORE rather than ON CONFLICT DO NOTHING: a statement
		// that cannot abort needs no statement journal, which copied every
		// page the multi-row statements touched (a tenth of the ingest's
		// CPU). Every NOT NULL column is always given, so IGNORE only ever
		// skips a key that is there already, as DO NOTHING did.
		delta := map[string]*[4]int64{}
		bump := func(subject, kind string, d int64) {
			i := kindIndex(kind)
			if subject == "" || i < 0 {
				return
			}
			c := delta[subject]
			if c == nil {
				c = new([4]int64)
				delta[subject] = c
			}
			c[i] += d
		}
		scanDelta := func(d int64) func(*sql.Rows) error {
			return func(r *sql.Rows) error {
				var subj, kind string
				if err := r.Scan(&subj, &kind); err != nil {
					return err
				}
				bump(subj, kind, d)
				return nil
			}
		}
		if err := applyStreamCreators(ctx, tx, b.Creators); err != nil {
			return err
		}
		recount := map[string]bool{} // posts new in this batch: count the replies and quotes stored before them
		if len(b.Posts) > 0 {
			rows := make([][]any, len(b.Posts))
			for i, p := range b.Posts {
				rows[i] = []any{rkeyOf(p.URI), p.URI, p.CreatorDID, us(p.CreatedAt), us(p.SeenAt), p.IsReply, p.Text,
					strings.Join(p.Langs, ","), strings.Join(p.Tags, ",")}
			}
			err := multiRow(ctx, tx, `INSERT OR IGNORE INTO stream_posts(rkey, uri, creator_did, created_at, seen_at, is_reply, text, langs, tags)`,
				`RETURNING uri`, 9, rows, func(r *sql.Rows) error {
					var uri string
					if err := r.Scan(&uri); err != nil {
						return err
					}
					recount[uri] = true
					return nil
				})
			if err != nil {
				return fmt.Errorf("writing %d stream posts: %w", len(b.Posts), err)
			}
		}
		if len(b.Pending) > 0 {
			rows := make([][]any, len(b.Pending))
			for i, p := range b.Pending {
				rows[i] = []any{p.URI, p.CreatorDID, us(p.CreatedAt), us(p.SeenAt), strings.Join(p.Langs, ","), strings.Join(p.Tags, ",")}
			}
			if err := multiRow(ctx, tx, `INSERT OR IGNORE INTO stream_pending(uri, creator_did, created_at, seen_at, langs, tags)`,
				``, 6, rows, nil); err != nil {
				return fmt.Errorf("writing %d pending posts: %w", len(b.Pending), err)
			}
		}
		if !b.PendingBefore.IsZero() {
			if _, err := tx.ExecContext(ctx, `DELETE FROM stream_pending WHERE created_at < ?`, us(b.PendingBefore)); err != nil {
				return fmt.Errorf("pruning pending posts: %w", err)
			}
		}
		var likes, others [][]any
		for _, r := range b.Records {
			if r.Kind == store.RecordLike || r.Kind == store.RecordRepost {
				likes = append(likes, []any{rkeyOf(r.URI), r.URI, r.Kind, r.SubjectURI, us(r.At)})
			} else {
				others = append(others, []any{rkeyOf(r.URI), r.URI, r.Kind, r.AuthorDID, r.CreatorDID, r.SubjectURI, r.RootURI, r.Text, us(r.At)})
			}
		}
		type likeRow struct {
			uri, subject, kind string
			at                 int64
			orphan             bool // a deleted like that waited as an orphan
		}
		var newLikes, goneLikes []likeRow
		newLike := map[string]bool{}
		scanLike := func(into *[]likeRow, d int64) func(*sql.Rows) error {
			return func(r *sql.Rows) error {
				var l likeRow
				if err := r.Scan(&l.uri, &l.subject, &l.kind, &l.at); err != nil {
					return err
				}
				*into = append(*into, l)
				switch {
				case d > 0:
					newLike[l.uri] = true
				case recount[l.subject] && !newLike[l.uri]:
					// Stored before its post, which this batch brings: an
					// orphan, never counted on the post (deleted below).
					l.orphan = true
					(*into)[len(*into)-1] = l
					return nil
				}
				bump(l.subject, l.kind, d)
				return nil
			}
		}
		if err := multiRow(ctx, tx, `INSERT OR IGNORE INTO stream_likes(rkey, uri, kind, subject_uri, at)`,
			`RETURNING uri, subject_uri, kind, at`, 5, likes, scanLike(&newLikes, 1)); err != nil {
			return fmt.Errorf("writing %d stream likes: %w", len(likes), err)
		}
		if err := multiRow(ctx, tx, `INSERT OR IGNORE INTO stream_records(rkey, uri, kind, author_did, creator_did, subject_uri, root_uri, text, at)`,
			`RETURNING subject_uri, kind`, 9, others, scanDelta(1)); err != nil {
			return fmt.Errorf("writing %d stream records: %w", len(others), err)
		}
		if len(b.Deletes) > 0 {
			var likeDel, recDel, postDel []string
			for _, uri := range b.Deletes {
				switch {
				case strings.Contains(uri, "/app.bsky.feed.like/"), strings.Contains(uri, "/app.bsky.feed.repost/"):
					likeDel = append(likeDel, uri)
				case strings.Contains(uri, "/app.bsky.feed.post/"):
					recDel = append(recDel, uri)
					postDel = append(postDel, uri)
				default:
					recDel = append(recDel, uri)
				}
			}
			for _, d := range []struct {
				table, returning string
				uris             []string
				scan             func(*sql.Rows) error
				byRKey           bool // keyed by (rkey, uri)
			}{
				{"stream_likes", "uri, subject_uri, kind, at", likeDel, scanLike(&goneLikes, -1), true},
				{"stream_records", "subject_uri, kind", recDel, scanDelta(-1), true},
				{"stream_posts", "", postDel, nil, true},
				{"stream_pending", "", postDel, nil, false},
			} {
				for start := 0; start < len(d.uris); start += chunkRows {
					part := d.uris[start:min(start+chunkRows, len(d.uris))]
					marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
					args := make([]any, 0, 2*len(part))
					q := `DELETE FROM ` + d.table + ` WHERE uri IN (` + marks + `)`
					if d.byRKey {
						// A uri names its rkey, so this is the same set as
						// uri IN (…), found through the key's first column.
						for _, u := range part {
							args = append(args, rkeyOf(u))
						}
						q = `DELETE FROM ` + d.table + ` WHERE rkey IN (` + marks + `) AND +uri IN (` + marks + `)` // + keeps the uri list a filter, not 200×200 key probes
					}
					for _, u := range part {
						args = append(args, u)
					}
					if d.returning == "" {
						if _, err := tx.ExecContext(ctx, q, args...); err != nil {
							return fmt.Errorf("deleting from %s: %w", d.table, err)
						}
						continue
					}
					rows, err := tx.QueryContext(ctx, q+` RETURNING `+d.returning, args...)
					if err != nil {
						return fmt.Errorf("deleting from %s: %w", d.table, err)
					}
					scan := d.scan
					for rows.Next() {
						if err := scan(rows); err != nil {
							rows.Close()
							return fmt.Errorf("deleting from %s: %w", d.table, err)
						}
					}
					rows.Close()
					if err := rows.Err(); err != nil {
						return fmt.Errorf("deleting from %s: %w", d.table, err)
					}
				}
			}
		}
		// One prepared UPDATE per post touched, in key order (neighbouring
		// rows share pages: the b-tree is walked once, left to right); a multi-row UPDATE … FROM (VALUES …) cost
		// more, materialising its values first.
		subjects := make([]string, 0, len(delta))
		for uri := range delta {
			subjects = append(subjects, uri)
		}
		slices.SortFunc(subjects, byKey)
		counted := make(map[string]bool, len(subjects)) // subjects that are stored posts
		if len(subjects) > 0 {
			upd, err := tx.PrepareContext(ctx, `UPDATE stream_posts SET likes = max(0, likes + ?2), reposts = max(0, reposts + ?3),
				replies = max(0, replies + ?4), quotes = max(0, quotes + ?5) WHERE rkey = ?6 AND uri = ?1`)
			if err != nil {
				return fmt.Errorf("preparing stream count update: %w", err)
			}
			defer upd.Close()
			for _, uri := range subjects {
				c := delta[uri]
				res, err := upd.ExecContext(ctx, uri, c[0], c[1], c[2], c[3], rkeyOf(uri))
				if err != nil {
					return fmt.Errorf("counting stream post %s: %w", uri, err)
				}
				if n, _ := res.RowsAffected(); n > 0 {
					counted[uri] = true
				}
			}
		}
		// Likes of posts not stored wait as orphans.
		var orphans [][]any
		for _, l := range newLikes {
			if !counted[l.subject] {
				orphans = append(orphans, []any{l.subject, l.uri, l.kind, l.at})
			}
		}
		if err := multiRow(ctx, tx, `INSERT OR IGNORE INTO stream_orphans(subject_uri, uri, kind, at)`,
			``, 4, orphans, nil); err != nil {
			return fmt.Errorf("keeping %d orphan likes: %w", len(orphans), err)
		}
		for _, l := range goneLikes {
			if !counted[l.subject] || l.orphan {
				if _, err := tx.ExecContext(ctx, `DELETE FROM stream_orphans WHERE subject_uri = ? AND uri = ?`, l.subject, l.uri); err != nil {
					return fmt.Errorf("deleting an orphan like: %w", err)
				}
			}
		}
		if len(recount) > 0 {
			// Posts new in this batch: replies and quotes stored before them
			// are counted from their index, likes and reposts from the
			// orphans. Both are looked up for all new posts at once; only
			// the (few) posts with something stored before them are updated.
			fresh := make([]string, 0, len(recount))
			for uri := range recount {
				fresh = append(fresh, uri)
			}
			slices.SortFunc(fresh, byKey)
			orphaned := map[string]*[4]int64{}
			stored := map[string]*[4]int64{}
			grouped := func(into map[string]*[4]int64) func(*sql.Rows) error {
				return func(r *sql.Rows) error {
					var subj, kind string
					var n int64
					if err := r.Scan(&subj, &kind, &n); err != nil {
						return err
					}
					if i := kindIndex(kind); i >= 0 {
						c := into[subj]
						if c == nil {
							c = new([4]int64)
							into[subj] = c
						}
						c[i] = n
					}
					return nil
				}
			}
			if err := queryChunks(ctx, tx, `SELECT subject_uri, kind, count(*) FROM stream_orphans WHERE subject_uri IN (%s) GROUP BY subject_uri, kind`,
				fresh, grouped(orphaned)); err != nil {
				return fmt.Errorf("counting orphans of %d new posts: %w", len(fresh), err)
			}
			if err := queryChunks(ctx, tx, `SELECT subject_uri, kind, count(*) FROM stream_records WHERE subject_uri IN (%s)
				AND kind IN ('reply', 'quote') GROUP BY subject_uri, kind`, fresh, grouped(stored)); err != nil {
				return fmt.Errorf("counting replies of %d new posts: %w", len(fresh), err)
			}
			var stmt, del *sql.Stmt
			for _, uri := range fresh {
				o, r, d := orphaned[uri], stored[uri], delta[uri]
				if r == nil {
					r = new([4]int64)
				}
				if d == nil {
					d = new([4]int64)
				}
				// The row has max(0, this batch's delta) replies and quotes:
				// right unless some were stored before the post.
				if o == nil && r[2] == max(0, d[2]) && r[3] == max(0, d[3]) {
					continue
				}
				if o == nil {
					o = new([4]int64)
				}
				if stmt == nil {
					var err error
					if stmt, err = tx.PrepareContext(ctx, `UPDATE stream_posts SET likes = likes + ?2, reposts = reposts + ?3,
						replies = ?4, quotes = ?5 WHERE rkey = ?6 AND uri = ?1`); err != nil {
						return fmt.Errorf("preparing stream count update: %w", err)
					}
					defer stmt.Close()
					if del, err = tx.PrepareContext(ctx, `DELETE FROM stream_orphans WHERE subject_uri = ?`); err != nil {
						return fmt.Errorf("preparing orphan delete: %w", err)
					}
					defer del.Close()
				}
				if _, err := stmt.ExecContext(ctx, uri, o[0], o[1], r[2], r[3], rkeyOf(uri)); err != nil {
					return fmt.Errorf("counting stream post %s: %w", uri, err)
				}
				if orphaned[uri] != nil {
					if _, err := del.ExecContext(ctx, uri); err != nil {
						return fmt.Errorf("counting stream post %s: %w", uri, err)
					}
				}
			}
		}
		if b.Cursor > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stream_cursor(name, cursor) VALUES(?, ?)
				ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor`, b.Name, b.Cursor); err != nil {
				return fmt.Errorf("writing stream cursor %q: %w", b.Name, err)
			}
		}
		return nil
	})
}

// queryChunks runs query (with %s for a list of placeholders) over keys in
// chunks of chunkRows, passing every row to scan.
func queryChunks(ctx context.Context, tx *sql.Tx, query string, keys []string, scan func(*sql.Rows) error) error {
	for start := 0; start < len(keys); start += chunkRows {
		part := keys[start:min(start+chunkRows, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(query, strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// byKey orders at-uris as the stream tables' (rkey, uri) keys do.
func byKey(a, b string) int {
	if c := strings.Compare(rkeyOf(a), rkeyOf(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// rkeyOf is the record key of an at-uri (its last segment).
func rkeyOf(uri string) string {
	return uri[strings.LastIndexByte(uri, '/')+1:]
}

// kindIndex is the position of a record kind among a post's four counts.
func kindIndex(kind string) int {
	switch kind {
	case store.RecordLike:
		return 0
	case store.RecordRepost:
		return 1
	case store.RecordReply:
		return 2
	case store.RecordQuote:
		return 3
	}
	return -1
}

func applyStreamCreators(ctx context.Context, tx *sql.Tx, us_ []store.StreamCreatorUpdate) error {
	if len(us_) == 0 {
		return nil
	}
	track, err := tx.PrepareContext(ctx, `INSERT INTO stream_creators(did, handle, status, stage, first_seen) VALUES(?1, ?2, ?3, ?4, ?5)
		ON CONFLICT(did) DO UPDATE SET handle = CASE WHEN ?2 = '' THEN handle ELSE ?2 END,
		                               status = CASE WHEN ?3 = '' THEN status ELSE ?3 END`)
	if err != nil {
		return fmt.Errorf("preparing stream creator upsert: %w", err)
	}
	defer track.Close()
	update, err := tx.PrepareContext(ctx, `UPDATE stream_creators SET
		handle = CASE WHEN ?2 = '' THEN handle ELSE ?2 END,
		status = CASE WHEN ?3 = '' THEN status ELSE ?3 END WHERE did = ?1`)
	if err != nil {
		return fmt.Errorf("preparing stream creator update: %w", err)
	}
	defer update.Close()
	for _, u := range us_ {
		if u.Track {
			_, err = track.ExecContext(ctx, u.DID, u.Handle, u.Status, store.StageCandidate, us(u.FirstSeen))
		} else {
			_, err = update.ExecContext(ctx, u.DID, u.Handle, u.Status)
		}
		if err != nil {
			return fmt.Errorf("writing stream creator %s: %w", u.DID, err)
		}
	}
	return nil
}

const streamCreatorCols = `c.did, c.handle, c.status, c.stage, c.reason, c.followers, c.first_seen, c.hydrated_at, c.scored_at,
	count(p.uri), COALESCE(sum(p.likes + p.reposts + p.replies + p.quotes), 0), COALESCE(max(p.created_at), 0)`

func scanStreamCreator(sc interface{ Scan(...any) error }) (store.StreamCreator, error) {
	var c store.StreamCreator
	var followers sql.NullInt64
	var first, hyd, scored, last int64
	if err := sc.Scan(&c.DID, &c.Handle, &c.Status, &c.Stage, &c.Reason, &followers, &first, &hyd, &scored,
		&c.Posts, &c.Engagement, &last); err != nil {
		return c, err
	}
	if followers.Valid {
		c.Followers = &followers.Int64
	}
	c.FirstSeen, c.HydratedAt, c.ScoredAt, c.LastPost = fromUS(first), fromUS(hyd), fromUS(scored), fromUS(last)
	return c, nil
}

// StreamCreators lists tracked creators with a post since q.Since, most
// engaged first.
func (s *Store) StreamCreators(ctx context.Context, q store.StreamCreatorQuery) ([]store.StreamCreator, error) {
	where, args := []string{"1=1"}, []any{us(q.Since)}
	if q.Stage != "" {
		where = append(where, "c.stage = ?")
		args = append(args, q.Stage)
	}
	if !q.ScoredBefore.IsZero() {
		where = append(where, "c.scored_at < ?")
		args = append(args, us(q.ScoredBefore))
	}
	args = append(args, q.MinEngagement)
	limit := ""
	if q.Limit > 0 {
		limit = fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+streamCreatorCols+` FROM stream_creators c
		JOIN stream_posts p ON p.creator_did = c.did AND p.created_at >= ?
		WHERE `+strings.Join(where, " AND ")+`
		GROUP BY c.did HAVING COALESCE(sum(p.likes + p.reposts + p.replies + p.quotes), 0) >= ?
		ORDER BY 11 DESC, c.did`+limit, args...)
	if err != nil {
		return nil, fmt.Errorf("querying stream creators: %w", err)
	}
	defer rows.Close()
	var out []store.StreamCreator
	for rows.Next() {
		c, err := scanStreamCreator(rows)
		if err != nil {
			return nil, fmt.Errorf("reading stream creators: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// StreamCreator returns one tracked creator with its activity since since.
func (s *Store) StreamCreator(ctx context.Context, did string, since time.Time) (store.StreamCreator, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+streamCreatorCols+` FROM stream_creators c
		LEFT JOIN stream_posts p ON p.creator_did = c.did AND p.created_at >= ?
		WHERE c.did = ? GROUP BY c.did`, us(since), did)
	c, err := scanStreamCreator(row)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("stream creator %s: %w", did, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("reading stream creator %s: %w", did, err)
	}
	return c, nil
}

// SetStreamStage records the funnel's verdict.
func (s *Store) SetStreamStage(ctx context.Context, did string, st store.StreamStage) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var followers any
		if st.Followers != nil {
			followers = *st.Followers
		}
		res, err := tx.ExecContext(ctx, `UPDATE stream_creators SET stage = ?, reason = ?,
			followers = COALESCE(?, followers),
			hydrated_at = CASE WHEN ? = 0 THEN hydrated_at ELSE ? END,
			scored_at = CASE WHEN ? = 0 THEN scored_at ELSE ? END WHERE did = ?`,
			st.Stage, st.Reason, followers, us(st.HydratedAt), us(st.HydratedAt), us(st.ScoredAt), us(st.ScoredAt), did)
		if err != nil {
			return fmt.Errorf("setting stream stage of %s: %w", did, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("stream creator %s: %w", did, store.ErrNotFound)
		}
		return nil
	})
}

// StreamPending returns the pending posts created since since, oldest first.
func (s *Store) StreamPending(ctx context.Context, since time.Time) ([]store.StreamPost, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT uri, creator_did, created_at, seen_at, langs, tags FROM stream_pending
		WHERE created_at >= ? ORDER BY created_at, uri`, us(since))
	if err != nil {
		return nil, fmt.Errorf("querying pending posts: %w", err)
	}
	defer rows.Close()
	var out []store.StreamPost
	for rows.Next() {
		var p store.StreamPost
		var created, seen int64
		var langs, tags string
		if err := rows.Scan(&p.URI, &p.CreatorDID, &created, &seen, &langs, &tags); err != nil {
			return nil, fmt.Errorf("reading pending posts: %w", err)
		}
		p.CreatedAt, p.SeenAt, p.Langs, p.Tags = fromUS(created), fromUS(seen), splitList(langs), splitList(tags)
		out = append(out, p)
	}
	return out, rows.Err()
}

// StreamPosts returns a creator's posts since since, newest first.
func (s *Store) StreamPosts(ctx context.Context, did string, since time.Time) ([]store.StreamPost, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT uri, creator_did, created_at, seen_at, is_reply, text, langs, tags,
		likes, reposts, replies, quotes FROM stream_posts WHERE creator_did = ? AND created_at >= ?
		ORDER BY created_at DESC, uri DESC`, did, us(since))
	if err != nil {
		return nil, fmt.Errorf("querying stream posts of %s: %w", did, err)
	}
	defer rows.Close()
	var out []store.StreamPost
	for rows.Next() {
		var p store.StreamPost
		var created, seen int64
		var langs, tags string
		if err := rows.Scan(&p.URI, &p.CreatorDID, &created, &seen, &p.IsReply, &p.Text, &langs, &tags,
			&p.Likes, &p.Reposts, &p.Replies, &p.Quotes); err != nil {
			return nil, fmt.Errorf("reading stream posts of %s: %w", did, err)
		}
		p.CreatedAt, p.SeenAt = fromUS(created), fromUS(seen)
		p.Langs, p.Tags = splitList(langs), splitList(tags)
		out = append(out, p)
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// StreamRecords returns the interactions concerning a creator, oldest first.
func (s *Store) StreamRecords(ctx context.Context, did, kind string, since time.Time) ([]store.StreamRecord, error) {
	q := `SELECT uri, kind, author_did, creator_did, subject_uri, root_uri, text, at FROM stream_records
		WHERE creator_did = ? AND at >= ?` // likes and reposts are only counted (stream_likes)
	args := []any{did, us(since)}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY at, uri`, args...)
	if err != nil {
		return nil, fmt.Errorf("querying stream records of %s: %w", did, err)
	}
	defer rows.Close()
	var out []store.StreamRecord
	for rows.Next() {
		var r store.StreamRecord
		var at int64
		if err := rows.Scan(&r.URI, &r.Kind, &r.AuthorDID, &r.CreatorDID, &r.SubjectURI, &r.RootURI, &r.Text, &at); err != nil {
			return nil, fmt.Errorf("reading stream records of %s: %w", did, err)
		}
		r.At = fromUS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PruneStream deletes what is older than before.
func (s *Store) PruneStream(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, stmt := range []string{
			`DELETE FROM stream_posts WHERE created_at < ?1`,
			`DELETE FROM stream_likes WHERE at < ?1`, // a scan: once per prune, not per insert
			`DELETE FROM stream_orphans WHERE at < ?1`,
			// Through the (creator, at) index, one range per creator: an
			// index on at alone would cost every insert one more b-tree.
			`DELETE FROM stream_records WHERE creator_did IN (SELECT did FROM stream_creators) AND at < ?1`,
			`DELETE FROM stream_records WHERE creator_did IN (SELECT did FROM stream_creators c WHERE c.first_seen < ?1
				AND NOT EXISTS (SELECT 1 FROM stream_posts p WHERE p.creator_did = c.did))`,
			`DELETE FROM stream_creators WHERE first_seen < ?1
				AND NOT EXISTS (SELECT 1 FROM stream_posts p WHERE p.creator_did = stream_creators.did)`,
		} {
			res, err := tx.ExecContext(ctx, stmt, us(before))
			if err != nil {
				return fmt.Errorf("pruning the stream: %w", err)
			}
			n, _ := res.RowsAffected()
			total += n
		}
		return nil
	})
	return total, err
}
