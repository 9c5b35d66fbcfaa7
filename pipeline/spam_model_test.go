package pipeline

import (
	"testing"

	"github.com/nanoscout/nanoscout/scoring"
)

// TestScoringUsesTheShippedSpamModel: without a SpamProb of its own, the
// scoring configuration plugs in the shipped comment model, and its
// probabilities put promotion over scoring's cutoff and a fan's remark
// under it.
func TestScoringUsesTheShippedSpamModel(t *testing.T) {
	cfg := (&Pipeline{}).scoringConfig()
	if cfg.SpamProb == nil {
		t.Fatal("no spam model plugged in: the shipped comment model did not load")
	}
	for _, c := range []struct {
		text string
		spam bool
	}{
		{"CHECK OUT MY CHANNEL!!! please subscribe http://www.youtube.com/user/promokid", true},
		{"like this comment if you are watching in 2015 and check out my new video", true},
		{"Love this, the light in the second photo is gorgeous", false},
		{"How long did this take you?", false},
	} {
		p := cfg.SpamProb("someone", c.text)
		if (p >= scoring.SpamCutoff) != c.spam {
			t.Errorf("SpamProb(%q) = %.3f; spam at %.2f: want %v", c.text, p, scoring.SpamCutoff, c.spam)
		}
	}
	own := func(string, string) float64 { return 1 }
	p := &Pipeline{}
	p.scfg.SpamProb = own
	if got := p.scoringConfig().SpamProb("", ""); got != 1 {
		t.Errorf("a configured SpamProb was replaced: %v", got)
	}
}
