package classify

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestAccountProfile(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a := Account{
		Followers: ptr[int64](3400), Following: ptr[int64](410), Posts: ptr[int64](-1),
		HasAvatar: ptr(true), Bio: ptr(" Photographer 📷 in Zürich "), Username: ptr("@anna_1990"),
		DisplayName: ptr("Anna Maria 2"), Private: ptr(true),
		CreatedAt: ptr(now.AddDate(-2, 0, 0)), LastPostAt: ptr(now.AddDate(0, 0, -10)), ObservedAt: now,
	}
	p := a.Profile()
	want := Profile{
		Known:     FieldsAll &^ FieldLink,
		Followers: 3400, Following: 410, Posts: 0, HasAvatar: true, BioLength: 24,
		HandleDigitsRatio: 0.44, NameWords: 3, NameDigitsRatio: 0.08, Private: true,
		AgeDays: 730, DaysSinceLastPost: 10,
	}
	if p != want {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
	// Nothing given: nothing known, and no value is invented.
	if p := (Account{}).Profile(); p != (Profile{}) {
		t.Errorf("empty account: %+v", p)
	}
	// Shown but empty is known.
	p = Account{Bio: ptr(""), DisplayName: ptr(""), Username: ptr("user123")}.Profile()
	if p.Known != FieldBio|FieldDisplayName|FieldUsername || p.BioLength != 0 || p.NameIsHandle || p.HandleDigitsRatio != 0.43 {
		t.Errorf("shown-empty fields: %+v", p)
	}
	if p := (Account{Username: ptr("user123"), DisplayName: ptr("user123")}).Profile(); !p.NameIsHandle || p.NameWords != 1 {
		t.Errorf("name = handle: %+v", p)
	}
	if p := (Account{Username: ptr("Anna"), DisplayName: ptr("anna")}).Profile(); p.NameIsHandle {
		t.Error("name = handle is literal equality")
	}
	// Ages need an observation time, and a creation after it is not an age.
	if p := (Account{CreatedAt: ptr(now)}).Profile(); p.Known != 0 {
		t.Errorf("age without ObservedAt: %v", p.Known)
	}
	if p := (Account{CreatedAt: ptr(now.Add(time.Hour)), ObservedAt: now}).Profile(); p.Known != 0 {
		t.Errorf("created in the future: %v", p.Known)
	}
	if p := (Account{Username: ptr("@alice99@mastodon.social")}).Profile(); p.HandleDigitsRatio != 0.29 {
		t.Errorf("user@instance: digits ratio %v, want 2/7 of alice99", p.HandleDigitsRatio)
	}
	if s := (FieldPosts | FieldBio).String(); s != "posts,bio" {
		t.Errorf("Field.String = %q", s)
	}
}

func TestDefaultAccountsRoundTrip(t *testing.T) {
	m := DefaultAccounts()
	if m.Info().Submodels < 256 || m.Threshold() != 0.5 || m.Prior() != 0.5 {
		t.Fatalf("info %+v prior %v", m.Info(), m.Prior())
	}
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	embedded, _ := models.ReadFile("models/accounts.json")
	if !bytes.Equal(b, embedded) {
		t.Error("MarshalJSON(LoadAccountModel(f)) != f")
	}
}

// TestEveryFieldSetHasItsOwnModel: the shipped model answers every set of
// known trained fields with the submodel trained for exactly those
// features, never a fallback.
func TestEveryFieldSetHasItsOwnModel(t *testing.T) {
	m := DefaultAccounts()
	for k := Field(0); k <= FieldsAll; k++ {
		if k&^FieldsAll != 0 {
			continue
		}
		if _, ok := m.subs[featureSet(k&FieldsTrained)]; !ok {
			t.Fatalf("no submodel for known fields %v", k)
		}
	}
}

func TestAccountModelSanity(t *testing.T) {
	m := DefaultAccounts()
	bot := Account{Username: ptr("jess84729163"), DisplayName: ptr(""), Bio: ptr(""), HasAvatar: ptr(false),
		HasLink: ptr(false), Private: ptr(false), Posts: ptr[int64](0), Followers: ptr[int64](12), Following: ptr[int64](2900)}
	real := Account{Username: ptr("jess.bakes"), DisplayName: ptr("Jess Miller"), Bio: ptr("Baker in Leeds. Cakes, bread and the odd disaster."),
		HasAvatar: ptr(true), HasLink: ptr(true), Private: ptr(false), Posts: ptr[int64](310), Followers: ptr[int64](2400), Following: ptr[int64](520)}
	v := m.Predict(bot)
	if v.Class != ClassFake || v.PFake < 0.9 {
		t.Errorf("bot-like: %+v", v)
	}
	codes := map[string]bool{}
	for _, r := range v.Reasons {
		codes[r.Code] = true
		if r.Logit <= 0 || r.Text == "" {
			t.Errorf("reason %+v", r)
		}
	}
	if len(v.Reasons) == 0 || len(v.Reasons) > 3 || !codes[ReasonNoPosts] && !codes[ReasonMassFollow] {
		t.Errorf("bot-like reasons: %+v", v.Reasons)
	}
	if v := m.Predict(real); v.Class != ClassReal || v.PFake > 0.1 || len(v.Reasons) != 0 {
		t.Errorf("genuine-like: %+v", v)
	}
	// The held-out source that shows neither bio nor name: a genuine-looking
	// account stays real (the old model read "unknown" as "empty" = fake).
	real.Bio, real.DisplayName = nil, nil
	if v := m.Predict(real); v.Class != ClassReal || v.PFake > 0.1 {
		t.Errorf("genuine-like without bio and name: %+v", v)
	}
	// Lurker: real-looking but no posts → inactive rather than real.
	lurker := Account{HasAvatar: ptr(true), Posts: ptr[int64](0), Followers: ptr[int64](800), Following: ptr[int64](300), Bio: ptr("dad, runner, coffee"), HasLink: ptr(true)}
	if v := m.Predict(lurker); v.Class != ClassInactive || len(v.Reasons) != 1 || v.Reasons[0].Code != ReasonNoPosts {
		t.Errorf("lurker: %+v", v)
	}
	// A declared bot is fake whatever else it shows.
	real.DeclaredBot = ptr(true)
	if v := m.Predict(real); v.Class != ClassFake || v.PFake != 1 || v.Reasons[0].Code != ReasonDeclaredBot {
		t.Errorf("declared bot: %+v", v)
	}
	real.DeclaredBot = ptr(false)
	if v := m.Predict(real); v.Class != ClassReal {
		t.Errorf("bot flag false: %+v", v)
	}
	// Nothing known: the training prior, and the inactive share of genuine
	// training accounts.
	v = m.Predict(Account{})
	if math.Abs(v.PFake-0.5) > 1e-9 || math.Abs(v.PInactive-0.5*m.Info().InactivePrior) > 1e-12 {
		t.Errorf("nothing known: %+v", v)
	}
}

func TestAccountVerdictIsADistribution(t *testing.T) {
	m := DefaultAccounts()
	r := newRNG(11)
	for range 3000 {
		p := randomProfile(r)
		v := m.PredictProfile(p)
		if s := v.PReal + v.PFake + v.PInactive; math.Abs(s-1) > 1e-12 || v.PReal < 0 || v.PFake < 0 || v.PInactive < 0 {
			t.Fatalf("%+v: probabilities %v %v %v", p, v.PReal, v.PFake, v.PInactive)
		}
		if (v.PFake >= 0.5) != (v.Class == ClassFake) || v.Known != p.Known {
			t.Fatalf("%+v: %+v", p, v)
		}
	}
}

// TestUnknownIsNotRead: the value behind an unknown field never changes a
// verdict, while the same value known does.
func TestUnknownIsNotRead(t *testing.T) {
	m := DefaultAccounts()
	r := newRNG(5)
	for range 2000 {
		p := randomProfile(r)
		p.Known &^= FieldBio | FieldDisplayName | FieldAvatar
		q := p
		q.BioLength, q.NameWords, q.NameDigitsRatio, q.NameIsHandle, q.HasAvatar = 150, 0, 0.5, true, !p.HasAvatar
		if a, b := m.PredictProfile(p), m.PredictProfile(q); a.PFake != b.PFake || a.Class != b.Class {
			t.Fatalf("unknown fields were read: %v vs %v", a.PFake, b.PFake)
		}
	}
	p := Profile{Known: FieldsTrained, Posts: 50, Followers: 300, Following: 300, HasAvatar: true}
	q := p
	q.BioLength = 80
	if m.PFake(p) == m.PFake(q) {
		t.Error("a known bio length does not matter")
	}
}

func randomProfile(r *rng) Profile {
	counts := []int64{0, 1, 3, 7, 15, 40, 90, 250, 600, 1500, 4000, 12000, 80000}
	return Profile{
		Known:             Field(r.intn(int(FieldsAll) + 1)),
		Followers:         counts[r.intn(len(counts))],
		Following:         counts[r.intn(len(counts))],
		Posts:             counts[r.intn(len(counts))],
		HasAvatar:         r.intn(2) == 0,
		BioLength:         []int{0, 5, 25, 80, 150}[r.intn(5)],
		HandleDigitsRatio: []float64{0, 0.1, 0.3, 0.6}[r.intn(4)],
		NameWords:         r.intn(4),
		NameDigitsRatio:   []float64{0, 0.2}[r.intn(2)],
		NameIsHandle:      r.intn(5) == 0,
		Private:           r.intn(2) == 0,
		HasLink:           r.intn(3) == 0,
		AgeDays:           float64(r.intn(3000)),
		DaysSinceLastPost: float64(r.intn(800)),
	}
}

// TestAccountMonotone checks, for every known-field set and many profiles,
// that other things equal more posts, more followers, an avatar, a longer
// bio or a link never raise PFake, and following more accounts never lowers
// it.
func TestAccountMonotone(t *testing.T) {
	m := DefaultAccounts()
	r := newRNG(7)
	steps := []struct {
		name string
		up   func(p *Profile) // changes p in the direction named
		sign int              // +1: PFake must not fall; −1: must not rise
	}{
		{"posts", func(p *Profile) { p.Posts = p.Posts*3 + 1 }, -1},
		{"followers", func(p *Profile) { p.Followers = p.Followers*3 + 1 }, -1},
		{"following", func(p *Profile) { p.Following = p.Following*3 + 1 }, +1},
		{"avatar", func(p *Profile) { p.HasAvatar = true }, -1},
		{"bio", func(p *Profile) { p.BioLength += 30 }, -1},
		{"link", func(p *Profile) { p.HasLink = true }, -1},
		{"handle digits", func(p *Profile) { p.HandleDigitsRatio = min(1, p.HandleDigitsRatio+0.25) }, +1},
	}
	checked := 0
	for range 4000 {
		p := randomProfile(r)
		for _, s := range steps {
			q := p
			s.up(&q)
			a, b := m.PFake(p), m.PFake(q)
			if s.sign < 0 && b > a || s.sign > 0 && b < a {
				t.Fatalf("%s up: PFake %v → %v for %+v", s.name, a, b, p)
			}
			if a != b {
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d of the changes moved PFake: the test checks little", checked)
	}
}

func TestAccountMonotoneDetectsAViolation(t *testing.T) {
	// The same check on a model whose posts weight has the wrong sign fails.
	m := DefaultAccounts()
	full := featureSet(FieldsTrained)
	bad := *m.subs[full]
	bad.W = append([]float64(nil), bad.W...)
	bad.W[3] = 2 // posts ≥ 100 → more fake
	p := Profile{Known: FieldsTrained, Posts: 50, Followers: 300, Following: 300}
	q := p
	q.Posts = 150
	if a, b := bad.logit(indicators(&p, full)), bad.logit(indicators(&q, full)); !(b > a) {
		t.Errorf("a wrong-signed weight does not show: %v → %v", a, b)
	}
}

func TestInactiveRule(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Profile
		q    float64
		code string
	}{
		{"no posts", Profile{Known: FieldPosts}, 1, ReasonNoPosts},
		{"posts", Profile{Known: FieldPosts, Posts: 3}, 0, ""},
		{"stale", Profile{Known: FieldPosts | FieldLastPost, Posts: 40, DaysSinceLastPost: 400}, 1, ReasonStalePosting},
		{"recent", Profile{Known: FieldLastPost, DaysSinceLastPost: 20}, 0, ""},
		{"rare", Profile{Known: FieldPosts | FieldAge, Posts: 2, AgeDays: 3 * 365}, 1, ReasonRarelyPosting},
		{"young", Profile{Known: FieldPosts | FieldAge, Posts: 1, AgeDays: 200}, 0, ""},
		{"one a year", Profile{Known: FieldPosts | FieldAge, Posts: 3, AgeDays: 3 * 365}, 0, ""},
		{"unknown", Profile{Known: FieldFollowers | FieldAge, AgeDays: 5000}, -1, ""},
	} {
		q, why := InactiveRule(c.p)
		if q != c.q || why.Code != c.code {
			t.Errorf("%s: %v %+v, want %v %q", c.name, q, why, c.q, c.code)
		}
	}
}

func TestWithPrior(t *testing.T) {
	m := DefaultAccounts()
	p := Profile{Known: FieldsTrained, Posts: 3, Followers: 40, Following: 90}
	a := m.PFake(p)
	lo := m.WithPrior(0.1)
	b := lo.PFake(p)
	if !(b < a) || math.Abs(lo.Prior()-0.1) > 1e-12 || m.Prior() != 0.5 {
		t.Errorf("prior 0.1: %v → %v, prior %v", a, b, lo.Prior())
	}
	// Bayes: odds scale by (0.1/0.9)/(0.5/0.5).
	if got, want := b/(1-b), a/(1-a)/9; math.Abs(got-want) > 1e-9*want {
		t.Errorf("odds %v, want %v", got, want)
	}
	if m.WithPrior(0).PFake(p) != a || m.WithPrior(1).PFake(p) != a {
		t.Error("a prior outside (0,1) must be ignored")
	}
}

func TestLoadAccountModelErrors(t *testing.T) {
	good, _ := models.ReadFile("models/accounts.json")
	g := string(good)
	for name, s := range map[string]string{
		"not json":    "{",
		"format":      strings.Replace(g, accountFormat, "other", 1),
		"features":    strings.Replace(g, `"posts_ge_1"`, `"posts_ge_2"`, 1),
		"no subs":     `{"format":"` + accountFormat + `","features":["` + strings.Join(accountFeatureNames(), `","`) + `"],"means":[],"train_prior":0.5,"submodels":[]}`,
		"prior":       strings.Replace(g, `"train_prior":0.5`, `"train_prior":1.5`, 1),
		"short w":     strings.Replace(g, `"w":[0,`, `"w":[`, 1),
		"unused w":    strings.Replace(g, `"features":0,"bias":0,"w":[0,`, `"features":0,"bias":0,"w":[1,`, 1),
		"duplicate":   strings.Replace(g, `"submodels":[`, `"submodels":[{"features":0,"bias":0,"w":[`+strings.Repeat("0,", numAccountInputs-1)+`0]},`, 1),
		"nothing set": strings.Replace(g, `"features":0,`, `"features":268435456,`, 1),
	} {
		if _, err := LoadAccountModel([]byte(s)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTrainAccountsDeterministic(t *testing.T) {
	var rows []LabeledAccount
	r := newRNG(3)
	for i := range 80 {
		fake := i%2 == 0
		p := Profile{Known: FieldsTrained, HasAvatar: !fake, Posts: int64(r.intn(50)), Followers: int64(r.intn(500)), Following: int64(r.intn(500))}
		if fake {
			p.Following += 1000
			p.Posts = 0
		}
		rows = append(rows, LabeledAccount{Profile: p, Fake: fake})
	}
	a, err := TrainAccountsFor(rows, DefaultAccountTrainOptions(), FieldsTrained, FieldPosts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := TrainAccountsFor(rows, DefaultAccountTrainOptions(), FieldsTrained, FieldPosts)
	aj, _ := a.MarshalJSON()
	bj, _ := b.MarshalJSON()
	if !bytes.Equal(aj, bj) {
		t.Error("training is not deterministic")
	}
	if e := EvalAccounts(a, rows, 0); e.Metrics.Accuracy < 0.99 {
		t.Errorf("separable toy data: %+v", e)
	}
	if a.Info().Submodels != 3 {
		t.Errorf("submodels %d, want 3 (all, posts, none)", a.Info().Submodels)
	}
	// A set that was not trained falls back to the largest trained one
	// inside it: posts and avatar known → the posts-only submodel.
	if s := a.sub(FieldPosts | FieldAvatar); s.Features != featureSet(FieldPosts) {
		t.Errorf("fallback %#x", s.Features)
	}
	if _, err := TrainAccounts(rows[:1], DefaultAccountTrainOptions()); err == nil {
		t.Error("one class: no error")
	}
	o := DefaultAccountTrainOptions()
	o.Lambda = 0
	if _, err := TrainAccounts(rows, o); err == nil {
		t.Error("bad options: no error")
	}
	rows[0].Profile.Known &^= FieldBio
	if _, err := TrainAccounts(rows, DefaultAccountTrainOptions()); err == nil {
		t.Error("a training row with an unknown field: no error")
	}
}

func TestParseFields(t *testing.T) {
	f, err := ParseFields("bio,display_name", " avatar ", "")
	if err != nil || f != FieldBio|FieldDisplayName|FieldAvatar {
		t.Errorf("ParseFields = %v, %v", f, err)
	}
	if f, err := ParseFields(FieldsAll.String()); err != nil || f != FieldsAll {
		t.Errorf("round trip: %v, %v", f, err)
	}
	if _, err := ParseFields("bio,fullname"); err == nil || !strings.Contains(err.Error(), "fullname") {
		t.Errorf("unknown name: %v", err)
	}
}
