package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// ClaimFire inserts the fire's row; the primary key (job, at) lets exactly
// one insert succeed, across connections and processes sharing the file.
func (s *Store) ClaimFire(ctx context.Context, job string, at time.Time, owner string) (bool, error) {
	if job == "" || at.IsZero() {
		return false, fmt.Errorf("claiming a fire: job %q at %v: both are required", job, at)
	}
	at = store.FireTime(at)
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO fires(job, at, owner, claimed_at) VALUES(?, ?, ?, ?) ON CONFLICT(job, at) DO NOTHING`,
			job, micros(at), owner, micros(time.Now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claiming fire %s at %s: %w", job, at.Format(time.RFC3339Nano), err)
	}
	return n == 1, nil
}

// Fire returns the claim of job's fire at at.
func (s *Store) Fire(ctx context.Context, job string, at time.Time) (store.Fire, error) {
	at = store.FireTime(at)
	f := store.Fire{Job: job, At: at}
	var claimed int64
	err := s.db.QueryRowContext(ctx, `SELECT owner, claimed_at FROM fires WHERE job = ? AND at = ?`, job, micros(at)).Scan(&f.Owner, &claimed)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Fire{}, fmt.Errorf("fire %s at %s: %w", job, at.Format(time.RFC3339Nano), store.ErrNotFound)
	}
	if err != nil {
		return store.Fire{}, fmt.Errorf("reading fire %s at %s: %w", job, at.Format(time.RFC3339Nano), err)
	}
	f.ClaimedAt = time.UnixMicro(claimed).UTC()
	return f, nil
}
