package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/internal/finite"
)

// Audience samples, one per creator and day (schema version 9, in schema.go).
func init() {
	sortColumns["audience"] = "audience"
}

var _ store.AudienceStore = (*Store)(nil)

// SaveAudience upserts the sample by creator and day.
func (s *Store) SaveAudience(ctx context.Context, a model.AudienceSample) error {
	if a.CreatorKey == "" {
		return fmt.Errorf("writing audience sample: empty creator key")
	}
	a = finiteSample(a)
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encoding audience sample %q: %w", a.Key(), err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audience_samples(key, creator_key, sampled_at, json) VALUES(?, ?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET sampled_at = excluded.sampled_at, json = excluded.json`,
			a.Key(), a.CreatorKey, micros(a.SampledAt), string(b))
		if err != nil {
			return fmt.Errorf("writing audience sample %q: %w", a.Key(), err)
		}
		return nil
	})
}

// AudienceSamples returns the creator's samples, newest first.
func (s *Store) AudienceSamples(ctx context.Context, creatorKey string, limit int) ([]model.AudienceSample, error) {
	q := `SELECT json FROM audience_samples WHERE creator_key = ? ORDER BY sampled_at DESC, key DESC`
	args := []any{creatorKey}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	out, err := queryJSON[model.AudienceSample](ctx, s.db, fmt.Sprintf("audience samples of %q", creatorKey), q, args...)
	if out == nil && err == nil {
		out = []model.AudienceSample{}
	}
	return out, err
}

// finiteSample replaces NaN and ±Inf in the judged quality by 0.
func finiteSample(a model.AudienceSample) model.AudienceSample {
	if q := a.Quality; q != nil {
		c := *q
		c.Share, c.Low, c.High = finite.Float(c.Share), finite.Float(c.Low), finite.Float(c.High)
		c.Fake, c.Inactive = finite.Float(c.Fake), finite.Float(c.Inactive)
		a.Quality = &c
	}
	return a
}
