package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// Schema version 7 (migrations in schema.go): insert-only markers
// (store.Markers), keyed by namespace and id; a prefix of the id is a range
// of the primary key.

var _ store.Markers = (*Store)(nil)

// prefixRange is the primary-key range of the ids starting with prefix.
func prefixRange(prefix string) (lo, hi string) { return prefix, prefix + "\U0010FFFF" }

// Mark inserts a marker unless it exists, in one write transaction.
func (s *Store) Mark(ctx context.Context, m store.Marker) (bool, store.Marker, error) {
	if m.NS == "" || m.ID == "" {
		return false, store.Marker{}, fmt.Errorf("marker %q/%q: %w: empty namespace or id", m.NS, m.ID, store.ErrInvalid)
	}
	m.At = m.At.UTC().Truncate(time.Microsecond)
	won, held := false, store.Marker{}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO markers(ns, id, owner, data, at) VALUES(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			m.NS, m.ID, m.Owner, m.Data, micros(m.At))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			won, held = n == 1, m
			return err
		}
		var at int64
		held = store.Marker{NS: m.NS, ID: m.ID}
		if err := tx.QueryRowContext(ctx, `SELECT owner, data, at FROM markers WHERE ns = ? AND id = ?`, m.NS, m.ID).
			Scan(&held.Owner, &held.Data, &at); err != nil {
			return err
		}
		held.At = fromMicros(at)
		return nil
	})
	if err != nil {
		return false, store.Marker{}, fmt.Errorf("marking %s/%s: %w", m.NS, m.ID, err)
	}
	return won, held, nil
}

// ListMarkers returns the markers of ns under prefix, by id.
func (s *Store) ListMarkers(ctx context.Context, ns, prefix string) ([]store.Marker, error) {
	lo, hi := prefixRange(prefix)
	rows, err := s.db.QueryContext(ctx, `SELECT id, owner, data, at FROM markers WHERE ns = ? AND id >= ? AND id < ? ORDER BY id`, ns, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("listing markers %s/%s: %w", ns, prefix, err)
	}
	defer rows.Close()
	out := []store.Marker{}
	for rows.Next() {
		m := store.Marker{NS: ns}
		var at int64
		if err := rows.Scan(&m.ID, &m.Owner, &m.Data, &at); err != nil {
			return nil, err
		}
		m.At = fromMicros(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// CountMarkers counts the markers of ns under prefix.
func (s *Store) CountMarkers(ctx context.Context, ns, prefix string) (int, error) {
	lo, hi := prefixRange(prefix)
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM markers WHERE ns = ? AND id >= ? AND id < ?`, ns, lo, hi).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("counting markers %s/%s: %w", ns, prefix, err)
	}
	return n, nil
}

// DeleteMarkers deletes the markers of ns under prefix.
func (s *Store) DeleteMarkers(ctx context.Context, ns, prefix string) (int, error) {
	lo, hi := prefixRange(prefix)
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM markers WHERE ns = ? AND id >= ? AND id < ?`, ns, lo, hi)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("deleting markers %s/%s: %w", ns, prefix, err)
	}
	return int(n), nil
}
