package store

import (
	"context"

	"github.com/nanoscout/nanoscout/model"
)

// AudienceStore keeps the audience samples of creators (model.AudienceSample),
// one per creator and UTC day, with the judged quality, so that the sampling
// cadence can be kept and the quality shown over time.
type AudienceStore interface {
	// SaveAudience upserts a sample by its key (creator and day of
	// SampledAt): a second sample on the same day replaces the first.
	SaveAudience(ctx context.Context, s model.AudienceSample) error
	// AudienceSamples returns a creator's samples, newest first, at most
	// limit (0 = all). No sample is an empty list, not an error.
	AudienceSamples(ctx context.Context, creatorKey string, limit int) ([]model.AudienceSample, error)
}
