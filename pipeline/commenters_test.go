package pipeline_test

import (
	"context"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/instagram"
	_ "github.com/nanoscout/nanoscout/collectors/tiktok"
	_ "github.com/nanoscout/nanoscout/collectors/youtube"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// TestCommenterAudience: on YouTube, TikTok and Instagram the audience
// sample is the creator's commenters, judged by default by the commenter
// judge (bot or person), each sampled account carrying its texts and copy
// count; the estimate is close to the simulator's truth of the very
// accounts sampled, and the breakdown says it in commenter terms. With
// audience.commenter_judge "account" (the rules judge, which needs post
// counts) the same samples are not judged.
func TestCommenterAudience(t *testing.T) {
	platforms := []string{"youtube", "tiktok", "instagram"}
	getenv := func(name string) string {
		if name == "YOUTUBE_API_KEY" {
			return "placeholder-key"
		}
		return ""
	}
	sim := simulator.New(simulator.Options{Seed: 11, Creators: 200, YouTubeQuota: -1})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	pop := sim.Population()
	ctx := context.Background()

	cfg := simPipelineConfig(srv.URL, pop, platforms, 10)
	if cfg.Audience.CommenterJudge != "signals" {
		t.Fatalf("default commenter judge %q, want signals", cfg.Audience.CommenterJudge)
	}
	st := openStore(t)
	p, err := pipeline.New(cfg, st, pipeline.WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	checked := map[string]int{}
	for _, pl := range platforms {
		recs, err := st.Top(ctx, store.TopQuery{Platform: pl, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			q := r.Score.Audience
			if q == nil || q.Source != model.AudienceCommenters || q.Judged < scoring.AudienceMinJudged {
				continue
			}
			samples, err := st.AudienceSamples(ctx, r.Key, 1)
			if err != nil || len(samples) != 1 {
				t.Fatalf("%s: samples %v %v", r.Key, len(samples), err)
			}
			realN, withText := 0, 0
			for _, a := range samples[0].Accounts {
				if a.SameText == nil {
					t.Fatalf("%s: commenter %s without a copy count", r.Key, a.ID)
				}
				if len(a.Comments) > 0 {
					withText++
				}
				if pl != "youtube" && a.HasAvatar == nil {
					t.Errorf("%s: commenter %s: picture unknown on %s", r.Key, a.ID, pl)
				}
				class, ok := pop.AccountClass(pl, a.ID)
				if !ok {
					t.Fatalf("%s: sampled account %s unknown to the simulator", r.Key, a.ID)
				}
				if class == simulator.ClassReal {
					realN++
				}
			}
			if withText < len(samples[0].Accounts)*9/10 {
				t.Errorf("%s: %d of %d commenters carry their texts", r.Key, withText, len(samples[0].Accounts))
			}
			truth := float64(realN) / float64(len(samples[0].Accounts))
			if math.Abs(truth-q.Share) > 0.15 {
				t.Errorf("%s: estimated real share %.2f, true share of the sample %.2f", r.Key, q.Share, truth)
			}
			var row *model.Component
			for i := range r.Score.Breakdown {
				if strings.HasSuffix(r.Score.Breakdown[i].Name, "."+scoring.SignalAudience) {
					row = &r.Score.Breakdown[i]
				}
			}
			if row == nil || !strings.Contains(row.Reason, "sampled commenters, ") || !strings.Contains(row.Reason, "real people") || strings.Contains(row.Reason, "inactive") {
				t.Errorf("%s: breakdown row %+v", r.Key, row)
			}
			checked[pl]++
		}
	}
	for _, pl := range platforms {
		if checked[pl] < 3 {
			t.Errorf("%s: %d creators with a judged commenter sample, want ≥ 3 (%v)", pl, checked[pl], checked)
		}
	}

	// The follower judge on the same samples: nothing to judge.
	cfg.Audience.CommenterJudge = "account"
	p2, err := pipeline.New(cfg, st, pipeline.WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	if err := p2.Rescore(ctx); err != nil {
		t.Fatal(err)
	}
	recs, err := st.Top(ctx, store.TopQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if q := r.Score.Audience; q != nil && q.Judged != 0 {
			t.Errorf("%s: %d commenters judged by the rules judge, which reads no post counts", r.Key, q.Judged)
		}
	}
}

// The commenter judge reads the texts with the shipped spam model: the same
// commenter is a bot with a self-promotion comment and a person without.
func TestCommenterJudgeReadsTexts(t *testing.T) {
	j := pipeline.CommenterJudge()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	zero := 0
	spam := model.AudienceAccount{Handle: "x", HasAvatar: model.B(false), SameText: &zero, Comments: []string{"Nice video", "Great content! Check my page"}}
	plain := spam
	plain.Comments = []string{"Nice video", "Where did you buy that lamp?"}
	if v := j.Judge(spam, now); !v.Known || v.Fake != 1 || v.Signs&scoring.SignSpam == 0 {
		t.Errorf("self-promotion: %+v", v)
	}
	if v := j.Judge(plain, now); !v.Known || v.Real != 1 {
		t.Errorf("plain comments: %+v", v)
	}
	if v := j.Judge(model.AudienceAccount{Handle: "x"}, now); v.Known {
		t.Errorf("handle only: judged %+v", v)
	}
}
