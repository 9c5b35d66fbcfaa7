package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// RunAudience checks store.AudienceStore: one sample per creator and day (a
// second one that day replaces it), newest first, limit, unknown fields stay
// unknown, the judged quality round-trips, other creators are not mixed in.
func RunAudience(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	st := open(t)
	key := "bluesky:did:plc:aud"
	created := time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	sample := func(at time.Time, n int, share float64) model.AudienceSample {
		s := model.AudienceSample{CreatorKey: key, Source: model.AudienceFollowers, Total: 5400, Requests: 5, SampledAt: at,
			Quality: &model.AudienceQuality{Source: model.AudienceFollowers, Sampled: n, Judged: n, Share: share, Low: share - 0.08, High: share + 0.08, Fake: 0.1, Inactive: 1 - share - 0.1, MassFollow: 3, SampledAt: at}}
		for i := range n {
			a := model.AudienceAccount{ID: "did:plc:f" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Handle: "f.bsky.social"}
			if i%2 == 0 { // every field shown
				a.Followers, a.Following, a.Posts = model.N(int64(10+i)), model.N(4000), model.N(0)
				a.HasAvatar, a.Private, a.DisplayName, a.Bio = model.B(false), model.B(false), model.S(""), model.S("")
				a.CreatedAt = model.T(created)
				zero := 0 // commenter evidence: its texts, no copies (a shown 0)
				a.Comments, a.SameText = []string{"Great content! Check my page", "🔥"}, &zero
			}
			s.Accounts = append(s.Accounts, a)
		}
		return s
	}
	day1 := t0.Add(-14 * 24 * time.Hour)
	day2 := t0.Add(-7 * 24 * time.Hour)
	for _, s := range []model.AudienceSample{sample(day1, 4, 0.7), sample(day2, 6, 0.4), sample(day2.Add(2*time.Hour), 5, 0.5), sample(t0, 3, 0.65)} {
		if err := st.SaveAudience(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	other := sample(t0, 2, 0.9)
	other.CreatorKey = "mastodon:1"
	if err := st.SaveAudience(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveAudience(ctx, model.AudienceSample{}); err == nil {
		t.Error("a sample without creator key was accepted")
	}
	got, err := st.AudienceSamples(ctx, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d samples, want 3 (one per day): %+v", len(got), got)
	}
	if !got[0].SampledAt.Equal(t0) || !got[1].SampledAt.Equal(day2.Add(2*time.Hour)) || !got[2].SampledAt.Equal(day1) {
		t.Errorf("order/replacement: %v %v %v", got[0].SampledAt, got[1].SampledAt, got[2].SampledAt)
	}
	s := got[1] // the later sample of day 2 replaced the first
	if len(s.Accounts) != 5 || s.Quality == nil || s.Quality.Share != 0.5 || s.Quality.MassFollow != 3 || s.Requests != 5 || s.Total != 5400 || s.Source != model.AudienceFollowers {
		t.Errorf("replaced sample: %+v quality %+v", s, s.Quality)
	}
	full, bare := s.Accounts[0], s.Accounts[1]
	if full.Followers == nil || *full.Followers != 10 || full.Posts == nil || *full.Posts != 0 || full.HasAvatar == nil || *full.HasAvatar ||
		full.Bio == nil || *full.Bio != "" || full.CreatedAt == nil || !full.CreatedAt.Equal(created) ||
		full.SameText == nil || *full.SameText != 0 || len(full.Comments) != 2 || full.Comments[1] != "🔥" {
		t.Errorf("shown fields did not round-trip (a shown 0 / false / \"\" must stay shown): %+v", full)
	}
	if bare.Followers != nil || bare.Posts != nil || bare.HasAvatar != nil || bare.Bio != nil || bare.CreatedAt != nil || bare.Private != nil ||
		bare.SameText != nil || bare.Comments != nil {
		t.Errorf("unknown fields came back known: %+v", bare)
	}
	if lim, err := st.AudienceSamples(ctx, key, 1); err != nil || len(lim) != 1 || !lim[0].SampledAt.Equal(t0) {
		t.Errorf("limit 1: %v %v", lim, err)
	}
	if none, err := st.AudienceSamples(ctx, "bluesky:nobody", 0); err != nil || none == nil || len(none) != 0 {
		t.Errorf("unknown creator: %#v %v", none, err)
	}
}

// RunAudienceFilter checks TopQuery.MinAudience and SortBy "audience": the
// audience quality of the stored score; creators without a sample never
// pass a minimum and sort last; a re-score without a sample clears it.
func RunAudienceFilter(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	st := open(t)
	shares := map[string]float64{"a": 0.82, "b": 0.31, "c": 0.64, "d": -1} // d: no sample
	for id, share := range shares {
		sc := score(model.TierNano, 50+10*share, 3, 0.5, 0.9)
		if share >= 0 {
			sc.Audience = &model.AudienceQuality{Source: model.AudienceFollowers, Sampled: 100, Judged: 100, Share: share,
				Low: share - 0.08, High: share + 0.08, SampledAt: t0}
		}
		if err := st.SaveCreator(ctx, store.CreatorUpdate{Creator: creator("bluesky", id, 5000), Score: sc, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	keys := func(rs []store.CreatorRecord) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Creator.ID)
		}
		return out
	}
	got, err := st.Top(ctx, store.TopQuery{MinAudience: 0.6, SortBy: "audience"})
	if err != nil {
		t.Fatal(err)
	}
	if k := keys(got); len(k) != 2 || k[0] != "a" || k[1] != "c" {
		t.Errorf("min 0.6 by audience: %v, want [a c]", k)
	}
	got, err = st.Top(ctx, store.TopQuery{SortBy: "audience"})
	if err != nil {
		t.Fatal(err)
	}
	if k := keys(got); len(k) != 4 || k[0] != "a" || k[1] != "c" || k[2] != "b" || k[3] != "d" {
		t.Errorf("by audience: %v, want [a c b d] (no sample last)", k)
	}
	if got[0].Score.Audience == nil || got[0].Score.Audience.Share != 0.82 || got[3].Score.Audience != nil {
		t.Errorf("audience on the stored score: %+v / %+v", got[0].Score.Audience, got[3].Score.Audience)
	}
	// Re-scored without a sample: the old figure does not linger in the filter.
	if err := st.SaveCreator(ctx, store.CreatorUpdate{Creator: creator("bluesky", "a", 5000), Score: score(model.TierNano, 70, 3, 0.5, 0.9), At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err = st.Top(ctx, store.TopQuery{MinAudience: 0.6})
	if err != nil {
		t.Fatal(err)
	}
	if k := keys(got); len(k) != 1 || k[0] != "c" {
		t.Errorf("after re-scoring a without a sample: %v, want [c]", k)
	}
}
