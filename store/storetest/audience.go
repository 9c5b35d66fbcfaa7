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
		full.Bio == nil || *full.Bio != "" || full.CreatedAt == nil || !full.CreatedAt.Equal(created) {
		t.Errorf("shown fields did not round-trip (a shown 0 / false / \"\" must stay shown): %+v", full)
	}
	if bare.Followers != nil || bare.Posts != nil || bare.HasAvatar != nil || bare.Bio != nil || bare.CreatedAt != nil || bare.Private != nil {
		t.Errorf("unknown fields came back known: %+v", bare)
	}
	if lim, err := st.AudienceSamples(ctx, key, 1); err != nil || len(lim) != 1 || !lim[0].SampledAt.Equal(t0) {
		t.Errorf("limit 1: %v %v", lim, err)
	}
	if none, err := st.AudienceSamples(ctx, "bluesky:nobody", 0); err != nil || none == nil || len(none) != 0 {
		t.Errorf("unknown creator: %#v %v", none, err)
	}
}
