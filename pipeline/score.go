package pipeline

import (
	"context"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
)

// scoreCreator scores one creator from what was just collected and its
// stored history.
func (p *Pipeline) scoreCreator(in scoring.Input, now time.Time) model.Score {
	return scoring.Score(in, p.bm, p.scfg, now)
}

// afterPlatform runs the signals that need every creator of a platform at
// once (e.g. commenter rings shared across creators), after collection and
// before ranking.
func (p *Pipeline) afterPlatform(ctx context.Context, platform string) error {
	return nil
}
