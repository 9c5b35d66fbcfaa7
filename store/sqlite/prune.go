package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

var _ store.Pruner = (*Store)(nil)

// pruneBatch is how many rows one delete transaction removes, so the write
// lock is never held for long.
const pruneBatch = 2000

// Prune deletes old snapshots, finished runs and comments, pruneBatch rows
// per transaction.
func (s *Store) Prune(ctx context.Context, r store.Retention) (store.Pruned, error) {
	out := store.Pruned{}
	type step struct {
		table, query string
		arg          any
	}
	var steps []step
	if !r.SnapshotsBefore.IsZero() {
		steps = append(steps, step{"snapshots", `DELETE FROM snapshots WHERE (creator_key, day) IN
			(SELECT creator_key, day FROM snapshots WHERE day < ? LIMIT ?)`, r.SnapshotsBefore.UTC().Format("2006-01-02")})
	}
	if !r.RunsBefore.IsZero() {
		steps = append(steps, step{"runs", `DELETE FROM runs WHERE rowid IN
			(SELECT rowid FROM runs WHERE started_at < ? AND json_extract(json, '$.status') != '` + model.RunRunning + `' LIMIT ?)`,
			micros(r.RunsBefore)})
	}
	if !r.CommentsBefore.IsZero() {
		steps = append(steps, step{"comments", `DELETE FROM comments WHERE rowid IN
			(SELECT rowid FROM comments WHERE created_at < ? LIMIT ?)`, micros(r.CommentsBefore)})
	}
	if !r.FiresBefore.IsZero() {
		steps = append(steps, step{"fires", `DELETE FROM fires WHERE (job, at) IN
			(SELECT job, at FROM fires WHERE at < ? LIMIT ?)`, micros(r.FiresBefore)})
	}
	for _, st := range steps {
		out[st.table] = 0
		for {
			var n int64
			err := s.write(ctx, func(tx *sql.Tx) error {
				res, err := tx.ExecContext(ctx, st.query, st.arg, pruneBatch)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return out, fmt.Errorf("pruning %s: %w", st.table, err)
			}
			out[st.table] += n
			if n < pruneBatch {
				break
			}
		}
	}
	return out, nil
}
