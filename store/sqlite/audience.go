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

// Schema version 8: audience samples, one per creator and day.
func init() {
	sortColumns["audience"] = "audience"
	registerMigration(8,
		// The audience quality of the latest score (NULL without a sample),
		// for the dashboard's filter and sort.
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
	)
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
