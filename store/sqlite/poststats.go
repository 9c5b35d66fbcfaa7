package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

var _ store.PostSnapshotter = (*Store)(nil)

// AddPostSnapshots inserts snapshots whose (post, bucket) is not stored yet.
func (s *Store) AddPostSnapshots(ctx context.Context, snaps []model.PostSnapshot) error {
	if len(snaps) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO post_snapshots(post_key, bucket, age_h, json) VALUES(?, ?, ?, ?)
			ON CONFLICT(post_key, bucket) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("preparing post snapshot insert: %w", err)
		}
		defer stmt.Close()
		for _, ps := range snaps {
			b, err := json.Marshal(ps)
			if err != nil {
				return fmt.Errorf("encoding post snapshot %s/%s: %w", ps.PostKey, ps.Bucket, err)
			}
			if _, err := stmt.ExecContext(ctx, ps.PostKey, ps.Bucket, ps.AgeHours, string(b)); err != nil {
				return fmt.Errorf("writing post snapshot %s/%s: %w", ps.PostKey, ps.Bucket, err)
			}
		}
		return nil
	})
}

// PostSnapshots returns a post's snapshots, youngest bucket first.
func (s *Store) PostSnapshots(ctx context.Context, postKey string) ([]model.PostSnapshot, error) {
	return queryJSON[model.PostSnapshot](ctx, s.db, fmt.Sprintf("post snapshots of %q", postKey),
		`SELECT json FROM post_snapshots WHERE post_key = ? ORDER BY age_h`, postKey)
}
