package scoring

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

func TestWilson(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p      float64
		n      int
		lo, hi float64
	}{
		// Reference values: Wilson score interval at z = 1.645.
		{0.5, 100, 0.4188, 0.5812},
		{0.31, 100, 0.2398, 0.3902},
		{0, 20, 0, 0.1192},
		{1, 20, 0.8808, 1},
		{0.7, 0, 0, 1},
	} {
		lo, hi := Wilson(tc.p, tc.n, z90)
		if math.Abs(lo-tc.lo) > 5e-4 || math.Abs(hi-tc.hi) > 5e-4 {
			t.Errorf("Wilson(%v, %d) = %.4f–%.4f, want %.4f–%.4f", tc.p, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
	// About ±8 points at 90 % for 100 followers around 60–70 %.
	lo, hi := Wilson(0.65, 100, z90)
	if w := (hi - lo) / 2; w < 0.07 || w > 0.085 {
		t.Errorf("half-width at n=100, p=0.65 is %.3f, want about 0.08", w)
	}
}

func TestJudgeAccount(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	n := model.N
	for _, tc := range []struct {
		name string
		a    model.AudienceAccount
		want string // real, fake, inactive, unknown
	}{
		{"mass follow", model.AudienceAccount{Posts: n(0), Following: n(4200), Followers: n(12)}, "fake"},
		{"mass follow, followers unknown", model.AudienceAccount{Posts: n(1), Following: n(900)}, "fake"},
		{"bot farm", model.AudienceAccount{Posts: n(6), Following: n(3000), Followers: n(40), HasAvatar: model.B(false)}, "fake"},
		{"same but with an avatar", model.AudienceAccount{Posts: n(6), Following: n(3000), Followers: n(40), HasAvatar: model.B(true)}, "real"},
		{"same but avatar unknown", model.AudienceAccount{Posts: n(6), Following: n(3000), Followers: n(40)}, "real"},
		{"self-declared bot", model.AudienceAccount{Posts: n(500), Bot: model.B(true)}, "fake"},
		{"bot, no counts", model.AudienceAccount{Bot: model.B(true)}, "fake"},
		{"few posts", model.AudienceAccount{Posts: n(2), Following: n(120), Followers: n(30)}, "inactive"},
		{"quiet for months", model.AudienceAccount{Posts: n(80), LastPostAt: model.T(now.AddDate(0, -6, 0))}, "inactive"},
		{"active person", model.AudienceAccount{Posts: n(80), Following: n(300), Followers: n(150), LastPostAt: model.T(now.AddDate(0, 0, -3))}, "real"},
		{"no counts shown", model.AudienceAccount{Handle: "x", HasAvatar: model.B(false)}, "unknown"},
		{"following unknown, posts known", model.AudienceAccount{Posts: n(40)}, "real"},
	} {
		v := JudgeAccount(tc.a, now)
		got := "unknown"
		switch {
		case !v.Known:
		case v.Fake == 1:
			got = "fake"
		case v.Inactive == 1:
			got = "inactive"
		case v.Real == 1:
			got = "real"
		}
		if got != tc.want {
			t.Errorf("%s: judged %s (%+v), want %s", tc.name, got, v, tc.want)
		}
	}
}

// More posts is never more fake, other things equal.
func TestJudgeAccountMonotoneInPosts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, following := range []int64{10, 500, 800, 2000, 8000} {
		for _, av := range []bool{true, false} {
			prev := 2.0
			for posts := int64(0); posts < 60; posts++ {
				v := JudgeAccount(model.AudienceAccount{Posts: &posts, Following: &following, Followers: model.N(30), HasAvatar: &av}, now)
				if v.Fake > prev {
					t.Fatalf("following %d avatar %v: fake %v at %d posts after %v", following, av, v.Fake, posts, prev)
				}
				prev = v.Fake
			}
		}
	}
}

func audienceVerdicts(real, fake, massFollow, inactive, unknown int) []AccountVerdict {
	var vs []AccountVerdict
	for range real {
		vs = append(vs, AccountVerdict{Known: true, Real: 1})
	}
	for range fake {
		vs = append(vs, AccountVerdict{Known: true, Fake: 1})
	}
	for range massFollow {
		vs = append(vs, AccountVerdict{Known: true, Fake: 1, MassFollow: true})
	}
	for range inactive {
		vs = append(vs, AccountVerdict{Known: true, Inactive: 1})
	}
	for range unknown {
		vs = append(vs, AccountVerdict{})
	}
	return vs
}

func TestAudienceQualityAndSignal(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                 string
		real, fake, mf, inac int
		unknown              int
		source               string
		wantShare            float64
		wantMeasured         bool
		wantRisk             bool
		wantFlag             bool
		wantReason           string
	}{
		{"organic", 70, 2, 3, 25, 0, model.AudienceFollowers, 0.70, true, false, false, "of 100 sampled followers, 3 look like mass-follow accounts (no posts, following thousands) and 2 more like bots; 25 look inactive: 70%"},
		{"bought", 20, 0, 65, 15, 0, model.AudienceFollowers, 0.20, true, true, true, "of 100 sampled followers, 65 look like mass-follow accounts: no posts, following thousands; 15 look inactive"},
		{"hollow", 45, 0, 38, 17, 0, model.AudienceFollowers, 0.45, true, true, false, "38 look like mass-follow"},
		{"low end of organic", 58, 0, 12, 30, 0, model.AudienceFollowers, 0.58, true, false, false, "12 look like mass-follow"},
		{"too few judged", 10, 0, 0, 2, 88, model.AudienceCommenters, 10.0 / 12, false, false, false, "not measured: 12 of 100 sampled commenters could be judged, 20 needed"},
		// Commenters: the bar is higher (an organic creator's commenters are
		// nearly all people), and nothing is said about inactivity.
		{"pod commenters", 30, 20, 0, 0, 0, model.AudienceCommenters, 0.6, true, true, true, "of 50 sampled commenters, 20 look like bots: 60% real people"},
		{"organic commenters", 58, 2, 0, 0, 0, model.AudienceCommenters, 58.0 / 60, true, false, false, "of 60 sampled commenters, 2 look like bots: 96.7% real people"},
		{"a quarter bots", 45, 15, 0, 0, 0, model.AudienceCommenters, 45.0 / 60, true, true, false, "of 60 sampled commenters, 15 look like bots"},
	} {
		r := AudienceQuality(tc.source, at, audienceVerdicts(tc.real, tc.fake, tc.mf, tc.inac, tc.unknown))
		if math.Abs(r.Share-tc.wantShare) > 1e-9 {
			t.Errorf("%s: share %v, want %v", tc.name, r.Share, tc.wantShare)
		}
		if r.Judged > 0 && !(r.Low <= r.Share && r.Share <= r.High) {
			t.Errorf("%s: interval %v–%v does not hold %v", tc.name, r.Low, r.High, r.Share)
		}
		s := audienceSignal(&r)
		if s.Measured != tc.wantMeasured || (s.Risk > 0) != tc.wantRisk || (s.Risk >= SignalFlag) != tc.wantFlag {
			t.Errorf("%s: measured %v risk %v, want measured %v risk>0 %v flag %v", tc.name, s.Measured, s.Risk, tc.wantMeasured, tc.wantRisk, tc.wantFlag)
		}
		if !strings.Contains(s.Reason, tc.wantReason) {
			t.Errorf("%s: reason %q lacks %q", tc.name, s.Reason, tc.wantReason)
		}
	}
	if s := audienceSignal(nil); s.Measured || !strings.Contains(s.Reason, "no audience sample") {
		t.Errorf("no sample: %+v", s)
	}
}

// A bought audience costs authenticity and composite, and flags the creator.
func TestScoreWithAudience(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	in := Input{Creator: model.Creator{Platform: "bluesky", ID: "did:plc:a", Followers: 5000, Following: 300}}
	for i := range 20 {
		in.Posts = append(in.Posts, model.Post{Platform: "bluesky", ID: string(rune('a' + i)), CreatorID: "did:plc:a",
			CreatedAt: now.Add(-time.Duration(48+24*i) * time.Hour), Likes: model.N(150), Comments: model.N(12), Shares: model.N(10)})
	}
	bm := testBenchmarks(t)
	plain := Score(in, bm, DefaultConfig(), now)
	good := in
	g := AudienceQuality(model.AudienceFollowers, now, audienceVerdicts(72, 1, 2, 25, 0))
	good.Audience = &g
	bad := in
	b := AudienceQuality(model.AudienceFollowers, now, audienceVerdicts(18, 0, 70, 12, 0))
	bad.Audience = &b
	sg, sb := Score(good, bm, DefaultConfig(), now), Score(bad, bm, DefaultConfig(), now)
	if sg.Authenticity != plain.Authenticity {
		t.Errorf("a healthy audience changed authenticity %v → %v", plain.Authenticity, sg.Authenticity)
	}
	if !(sb.Authenticity < 0.6*plain.Authenticity) || !(sb.Composite < sg.Composite) {
		t.Errorf("bought audience: authenticity %v (plain %v), composite %v (good %v)", sb.Authenticity, plain.Authenticity, sb.Composite, sg.Composite)
	}
	if !slices.Contains(sb.Flags, FlagLowAudienceQuality) || slices.Contains(sg.Flags, FlagLowAudienceQuality) {
		t.Errorf("flags: bad %v, good %v", sb.Flags, sg.Flags)
	}
	if sb.Audience == nil || math.Abs(sb.Audience.Share-0.18) > 1e-9 || sb.Audience.MassFollow != 70 || plain.Audience != nil {
		t.Errorf("score audience: %+v (plain %+v)", sb.Audience, plain.Audience)
	}
	var row *model.Component
	for i := range sb.Breakdown {
		if sb.Breakdown[i].Name == WeightAuthenticity+"."+SignalAudience {
			row = &sb.Breakdown[i]
		}
	}
	if row == nil || !strings.Contains(row.Reason, "of 100 sampled followers, 70 look like mass-follow accounts: no posts, following thousands") || row.Weight != SignalWeights[SignalAudience] {
		t.Errorf("breakdown row: %+v", row)
	}
}
