package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

var _ store.Leaser = (*Store)(nil)

// leaseNow is the leases' clock, in microseconds as stored.
func leaseNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Acquire takes job's lease for owner inside one write transaction (BEGIN
// IMMEDIATE), so processes sharing the data directory take turns: of several
// acquiring at once exactly one gets a free or expired lease.
func (s *Store) Acquire(ctx context.Context, job, owner string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("acquiring lease %q: ttl %v must be positive", job, ttl)
	}
	got := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := leaseNow()
		var holder string
		var expires int64
		err := tx.QueryRowContext(ctx, `SELECT owner, expires_at FROM leases WHERE job = ?`, job).Scan(&holder, &expires)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO leases(job, owner, acquired_at, renewed_at, expires_at) VALUES(?, ?, ?, ?, ?)`,
				job, owner, micros(now), micros(now), micros(now.Add(ttl)))
		case err != nil:
			return err
		case holder == owner && expires > micros(now):
			_, err = tx.ExecContext(ctx, `UPDATE leases SET renewed_at = ?, expires_at = ? WHERE job = ?`,
				micros(now), micros(now.Add(ttl)), job)
		case expires <= micros(now):
			_, err = tx.ExecContext(ctx, `UPDATE leases SET owner = ?, acquired_at = ?, renewed_at = ?, expires_at = ? WHERE job = ?`,
				owner, micros(now), micros(now), micros(now.Add(ttl)), job)
		default:
			return nil // held by another owner
		}
		if err != nil {
			return err
		}
		got = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("acquiring lease %q: %w", job, err)
	}
	return got, nil
}

// Renew extends owner's lease. An expired lease is lost even when nobody has
// taken it yet: its holder may already have been given up on.
func (s *Store) Renew(ctx context.Context, job, owner string, ttl time.Duration) error {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := leaseNow()
		res, err := tx.ExecContext(ctx, `UPDATE leases SET renewed_at = ?, expires_at = ? WHERE job = ? AND owner = ? AND expires_at > ?`,
			micros(now), micros(now.Add(ttl)), job, owner, micros(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("renewing lease %q: %w", job, err)
	}
	if n == 0 {
		return fmt.Errorf("renewing lease %q for %s: %w", job, owner, store.ErrLeaseLost)
	}
	return nil
}

// Release expires owner's lease now; the row stays, naming the last holder.
func (s *Store) Release(ctx context.Context, job, owner string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = 0 WHERE job = ? AND owner = ?`, job, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("releasing lease %q: %w", job, err)
	}
	return nil
}

// Leases lists every job's lease, by job name.
func (s *Store) Leases(ctx context.Context) ([]store.Lease, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT job, owner, acquired_at, renewed_at, expires_at FROM leases ORDER BY job`)
	if err != nil {
		return nil, fmt.Errorf("listing leases: %w", err)
	}
	defer rows.Close()
	var out []store.Lease
	for rows.Next() {
		var l store.Lease
		var acquired, renewed, expires int64
		if err := rows.Scan(&l.Job, &l.Owner, &acquired, &renewed, &expires); err != nil {
			return nil, fmt.Errorf("listing leases: %w", err)
		}
		l.AcquiredAt = time.UnixMicro(acquired).UTC()
		l.RenewedAt = time.UnixMicro(renewed).UTC()
		l.ExpiresAt = time.UnixMicro(expires).UTC()
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing leases: %w", err)
	}
	return out, nil
}
