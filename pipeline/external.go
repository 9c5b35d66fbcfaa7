package pipeline

import (
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
)

// ScoreInput scores a creator whose inputs were gathered outside a run
// (the Jetstream funnel) with this pipeline's benchmarks and scoring
// config, so that it is scored like any other creator.
func (p *Pipeline) ScoreInput(in scoring.Input, now time.Time) model.Score {
	return p.scoreCreator(in, now)
}

// SettledAfter is the age from which a post's counts are final enough for ER.
func (p *Pipeline) SettledAfter() time.Duration { return p.scfg.SettledAfter }

// PostsN is how many settled posts ER is taken over on the platform.
func (p *Pipeline) PostsN(platform string) int { return p.postsWanted(platform) }
