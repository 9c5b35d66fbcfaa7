package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// testTopWithoutBreakdown: a summary page has the same records as the full
// one, without the score breakdowns.
func testTopWithoutBreakdown(ctx context.Context, t *testing.T, s store.Store) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, comp := range []float64{70, 50, 90} {
		c := creator("bluesky", string(rune('a'+i)), 4000+int64(i))
		sc := score(model.TierNano, comp, 4, 0.5, 0.9)
		if i == 0 { // every field of a score, the audience quality too
			sc.Audience = &model.AudienceQuality{Source: model.AudienceFollowers, Sampled: 200, Judged: 180, Share: 0.7,
				Low: 0.6, High: 0.8, Fake: 0.2, Inactive: 0.1, MassFollow: 3, SampledAt: at}
		}
		save(ctx, t, s, update(c, 2, sc, at))
	}
	// Later writes that leave the score in place: ranks, a status.
	must(t, "Rerank", s.Rerank(ctx, "bluesky"))
	must(t, "MarkStatus", s.MarkStatus(ctx, creator("bluesky", "b", 0).Key(), model.StatusStale, "timeout"))
	full, err := s.Top(ctx, store.TopQuery{Platform: "bluesky", Tier: model.TierNano})
	must(t, "Top", err)
	sum, err := s.Top(ctx, store.TopQuery{Platform: "bluesky", Tier: model.TierNano, WithoutBreakdown: true})
	must(t, "Top without breakdown", err)
	if len(full) != 3 || len(sum) != 3 {
		t.Fatalf("Top: %d and %d records, want 3", len(full), len(sum))
	}
	for i := range full {
		if len(full[i].Score.Breakdown) == 0 {
			t.Fatalf("%s: the full page has no breakdown", full[i].Key)
		}
		if sum[i].Score == nil || sum[i].Score.Breakdown != nil {
			t.Errorf("%s: summary breakdown %v", sum[i].Key, sum[i].Score)
			continue
		}
		want := *full[i].Score
		want.Breakdown = nil
		if sum[i].Key != full[i].Key || !reflect.DeepEqual(*sum[i].Score, want) || !reflect.DeepEqual(sum[i].Creator, full[i].Creator) {
			t.Errorf("summary %d differs beyond the breakdown:\n%+v\n%+v", i, sum[i], full[i])
		}
	}
}
