package classify

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// accountFeature is one input of the account model: an indicator (0 or 1)
// computed from a Profile when the fields it needs are known. Counts enter
// as cumulative thresholds (posts ≥ 1, posts ≥ 5, …), so a sign constraint
// on their weights makes the model monotone in the count.
type accountFeature struct {
	name  string
	needs Field
	// sign constrains the weight (in log-odds toward fake): +1 ≥ 0, −1 ≤ 0,
	// 0 free.
	sign  int8
	group int // index into accountGroups
	on    func(p *Profile) bool
}

// accountGroups name the features' groups; a group's summed contribution is
// one Reason.
var accountGroups = []string{"posts", "follow_ratio", "followers", "avatar", "bio", "handle", "display_name", "link", "private"}

const (
	gPosts = iota
	gRatio
	gFollowers
	gAvatar
	gBio
	gHandle
	gName
	gLink
	gPrivate
)

// followRatio is (following+1) ÷ (followers+1).
func followRatio(p *Profile) float64 {
	return float64(p.Following+1) / float64(p.Followers+1)
}

func atLeast[T int | int64](get func(*Profile) T, n T) func(*Profile) bool {
	return func(p *Profile) bool { return get(p) >= n }
}

var (
	posts     = func(p *Profile) int64 { return p.Posts }
	followers = func(p *Profile) int64 { return p.Followers }
	bioLen    = func(p *Profile) int { return p.BioLength }
)

// accountFeatures are the model's inputs, fixed a priori (thresholds on a
// roughly logarithmic grid), not tuned on any result. Signs encode what
// must hold on every platform, other things equal: more posts, more
// followers, an avatar, a longer bio or a link never make an account more
// fake; following more accounts per follower, digits in the handle or the
// name, and a name equal to the handle never make it less fake.
var accountFeatures = []accountFeature{
	{"posts_ge_1", FieldPosts, -1, gPosts, atLeast(posts, 1)},
	{"posts_ge_5", FieldPosts, -1, gPosts, atLeast(posts, 5)},
	{"posts_ge_20", FieldPosts, -1, gPosts, atLeast(posts, 20)},
	{"posts_ge_100", FieldPosts, -1, gPosts, atLeast(posts, 100)},
	{"posts_ge_500", FieldPosts, -1, gPosts, atLeast(posts, 500)},
	{"followers_ge_10", FieldFollowers, -1, gFollowers, atLeast(followers, 10)},
	{"followers_ge_50", FieldFollowers, -1, gFollowers, atLeast(followers, 50)},
	{"followers_ge_200", FieldFollowers, -1, gFollowers, atLeast(followers, 200)},
	{"followers_ge_1000", FieldFollowers, -1, gFollowers, atLeast(followers, 1000)},
	{"followers_ge_10000", FieldFollowers, -1, gFollowers, atLeast(followers, 10000)},
	{"follow_ratio_ge_0.5", FieldFollowers | FieldFollowing, 1, gRatio, func(p *Profile) bool { return followRatio(p) >= 0.5 }},
	{"follow_ratio_ge_1", FieldFollowers | FieldFollowing, 1, gRatio, func(p *Profile) bool { return followRatio(p) >= 1 }},
	{"follow_ratio_ge_2", FieldFollowers | FieldFollowing, 1, gRatio, func(p *Profile) bool { return followRatio(p) >= 2 }},
	{"follow_ratio_ge_5", FieldFollowers | FieldFollowing, 1, gRatio, func(p *Profile) bool { return followRatio(p) >= 5 }},
	{"follow_ratio_ge_20", FieldFollowers | FieldFollowing, 1, gRatio, func(p *Profile) bool { return followRatio(p) >= 20 }},
	{"avatar", FieldAvatar, -1, gAvatar, func(p *Profile) bool { return p.HasAvatar }},
	{"bio_ge_1", FieldBio, -1, gBio, atLeast(bioLen, 1)},
	{"bio_ge_20", FieldBio, -1, gBio, atLeast(bioLen, 20)},
	{"bio_ge_60", FieldBio, -1, gBio, atLeast(bioLen, 60)},
	{"handle_digits_gt_0", FieldUsername, 1, gHandle, func(p *Profile) bool { return p.HandleDigitsRatio > 0 }},
	{"handle_digits_ge_0.2", FieldUsername, 1, gHandle, func(p *Profile) bool { return p.HandleDigitsRatio >= 0.2 }},
	{"handle_digits_ge_0.4", FieldUsername, 1, gHandle, func(p *Profile) bool { return p.HandleDigitsRatio >= 0.4 }},
	{"name_empty", FieldDisplayName, 0, gName, func(p *Profile) bool { return p.NameWords == 0 }},
	{"name_words_ge_3", FieldDisplayName, 0, gName, func(p *Profile) bool { return p.NameWords >= 3 }},
	{"name_digits_gt_0", FieldDisplayName, 1, gName, func(p *Profile) bool { return p.NameDigitsRatio > 0 }},
	{"name_is_handle", FieldDisplayName | FieldUsername, 1, gName, func(p *Profile) bool { return p.NameIsHandle }},
	{"link", FieldLink, -1, gLink, func(p *Profile) bool { return p.HasLink }},
	{"private", FieldPrivate, 0, gPrivate, func(p *Profile) bool { return p.Private }},
}

var numAccountInputs = len(accountFeatures)

// featureSet is the bit set of the features usable when the fields of
// known are known.
func featureSet(known Field) uint64 {
	var s uint64
	for j, f := range accountFeatures {
		if known.Has(f.needs) {
			s |= 1 << j
		}
	}
	return s
}

// indicators is the bit set of the features that are on for p (among those
// usable).
func indicators(p *Profile, set uint64) uint64 {
	var x uint64
	for j, f := range accountFeatures {
		if set&(1<<j) != 0 && f.on(p) {
			x |= 1 << j
		}
	}
	return x
}

// submodel is the logistic regression used for one set of known fields: it
// was trained on the training rows with every other field removed, so an
// unknown field is neither imputed nor read (a "pattern submodel").
type submodel struct {
	Features uint64    `json:"features"` // bit j = accountFeatures[j] is used
	Bias     float64   `json:"bias"`
	W        []float64 `json:"w"` // one weight per accountFeatures entry; 0 for unused ones
}

func (s *submodel) logit(x uint64) float64 {
	z := s.Bias
	for x != 0 {
		j := bits.TrailingZeros64(x)
		z += s.W[j]
		x &^= 1 << j
	}
	return z
}

// AccountModel classifies an account as real, fake or inactive from its
// Profile. It holds one small monotone logistic regression (a scorecard of
// indicator features) per set of known fields; read-only and safe for
// concurrent use.
type AccountModel struct {
	subs  map[uint64]*submodel
	order []uint64 // feature sets, ascending, for the fallback search
	// means are the training share of each indicator, the reference for
	// Reasons.
	means []float64
	// trainPrior is the share of fake rows in training; shift moves the
	// log-odds to another prior (WithPrior).
	trainPrior, shift float64
	inactivePrior     float64
	info              AccountModelInfo
}

// AccountModelInfo describes how an AccountModel was trained.
type AccountModelInfo struct {
	Rows          int     `json:"rows"`
	Fake          int     `json:"fake"`
	Lambda        float64 `json:"lambda"`
	Submodels     int     `json:"submodels"`
	InactivePrior float64 `json:"inactive_prior"` // share of genuine training rows with no posts
}

// Info describes how the model was trained.
func (m *AccountModel) Info() AccountModelInfo { return m.info }

// Threshold is the probability of fake from which the class is fake.
func (m *AccountModel) Threshold() float64 { return 0.5 }

// Prior is the share of fake accounts the probabilities are calibrated for:
// the training share (0.5) unless set with WithPrior.
func (m *AccountModel) Prior() float64 {
	return sigmoid(logit(m.trainPrior) + m.shift)
}

// WithPrior returns a copy of m whose probabilities are calibrated for a
// population in which a share prior (0 < prior < 1) of accounts is fake
// (Bayes' rule: the log-odds move by logit(prior) − logit(training
// share)). The training set is balanced, so without it PFake answers "as
// likely fake as real a priori".
func (m *AccountModel) WithPrior(prior float64) *AccountModel {
	c := *m
	if prior > 0 && prior < 1 {
		c.shift = logit(prior) - logit(m.trainPrior)
	}
	return &c
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// sub returns the submodel for the known fields: the one trained for
// exactly these features, else (a model trained for fewer field sets) the
// largest trained set inside them.
func (m *AccountModel) sub(known Field) *submodel {
	set := featureSet(known & FieldsTrained)
	if s, ok := m.subs[set]; ok {
		return s
	}
	var best *submodel
	bestN := -1
	for _, k := range m.order {
		if k&^set == 0 && bits.OnesCount64(k) > bestN {
			best, bestN = m.subs[k], bits.OnesCount64(k)
		}
	}
	return best
}

// Predict classifies a (see PredictProfile).
func (m *AccountModel) Predict(a Account) AccountVerdict { return m.PredictProfile(a.Profile()) }

// PFake is the calibrated probability that the account is fake.
func (m *AccountModel) PFake(p Profile) float64 {
	s := m.sub(p.Known)
	return sigmoid(s.logit(indicators(&p, s.Features)) + m.shift)
}

// PredictProfile classifies p. PFake comes from the submodel of p's known
// fields. The rest, 1 − PFake, is split between real and inactive by the
// InactiveRule; when nothing about posting is known it is split by the
// share of inactive accounts among the genuine training accounts. The
// class is fake when PFake ≥ 0.5, else the larger of the other two. An
// account the platform flags as automated (DeclaredBot) is fake with
// PFake = 1.
func (m *AccountModel) PredictProfile(p Profile) AccountVerdict {
	if p.DeclaredBot {
		return AccountVerdict{PFake: 1, Class: ClassFake, Known: p.Known,
			Reasons: []Reason{{Code: ReasonDeclaredBot, Text: "flagged as automated by the platform"}}}
	}
	s := m.sub(p.Known)
	x := indicators(&p, s.Features)
	pf := sigmoid(s.logit(x) + m.shift)
	q, why := InactiveRule(p)
	if q < 0 {
		q = m.inactivePrior
	}
	v := AccountVerdict{PFake: pf, PInactive: (1 - pf) * q, Known: p.Known}
	v.PReal = 1 - pf - v.PInactive
	switch {
	case pf >= 0.5:
		v.Class = ClassFake
		v.Reasons = m.reasons(s, x, &p)
	case v.PInactive > v.PReal:
		v.Class = ClassInactive
		if why.Code != "" {
			v.Reasons = []Reason{why}
		}
	default:
		v.Class = ClassReal
	}
	return v
}

// reasons are up to three groups whose contribution pushes toward fake
// relative to the average training account, strongest first.
func (m *AccountModel) reasons(s *submodel, x uint64, p *Profile) []Reason {
	contrib := make([]float64, len(accountGroups))
	for j, f := range accountFeatures {
		if s.Features&(1<<j) == 0 {
			continue
		}
		v := -m.means[j]
		if x&(1<<j) != 0 {
			v = 1 - m.means[j]
		}
		contrib[f.group] += s.W[j] * v
	}
	var out []Reason
	for g, c := range contrib {
		if c > 0.05 {
			out = append(out, groupReason(g, c, p))
		}
	}
	slices.SortStableFunc(out, func(a, b Reason) int {
		switch {
		case a.Logit > b.Logit:
			return -1
		case a.Logit < b.Logit:
			return 1
		}
		return 0
	})
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

func groupReason(g int, c float64, p *Profile) Reason {
	r := Reason{Logit: math.Round(c*1000) / 1000}
	switch g {
	case gPosts:
		if p.Posts == 0 {
			r.Code, r.Text = ReasonNoPosts, "no posts"
		} else {
			r.Code, r.Text = ReasonFewPosts, fmt.Sprintf("only %d posts", p.Posts)
		}
	case gRatio:
		r.Code = ReasonMassFollow
		ratio := followRatio(p)
		if ratio >= 1.5 {
			r.Text = fmt.Sprintf("follows %.0f× more accounts than follow it (%d vs %d)", ratio, p.Following, p.Followers)
		} else {
			r.Text = fmt.Sprintf("following %d, followers %d", p.Following, p.Followers)
		}
	case gFollowers:
		r.Code, r.Text = ReasonFewFollowers, fmt.Sprintf("only %d followers", p.Followers)
	case gAvatar:
		r.Code, r.Text = ReasonNoAvatar, "no profile picture"
	case gBio:
		r.Code, r.Text = ReasonNoBio, "no bio"
		if p.BioLength > 0 {
			r.Text = "short bio"
		}
	case gHandle:
		r.Code, r.Text = ReasonHandleDigits, "digits in the handle"
	case gName:
		r.Code = ReasonNameSignal
		switch {
		case p.NameWords == 0:
			r.Text = "no display name"
		case p.NameIsHandle:
			r.Text = "display name is the handle"
		case p.NameDigitsRatio > 0:
			r.Text = "digits in the display name"
		default:
			r.Text = "display name"
		}
	case gLink:
		r.Code, r.Text = ReasonNoLink, "no link in the profile"
	case gPrivate:
		r.Code, r.Text = ReasonPrivate, "private account"
		if !p.Private {
			r.Text = "public account"
		}
	}
	return r
}

// Inactive-rule thresholds (days); see InactiveRule.
const (
	InactiveStaleDays = 365 // no post for a year
	InactiveMinAge    = 365 // rarely posting is judged on accounts at least a year old
)

// InactiveRule says whether a (not fake) account is inactive. The training
// data has no inactive label, so inactive is defined by rule:
//
//   - posts known and 0 (ReasonNoPosts), or
//   - the last post known and at least InactiveStaleDays old (ReasonStalePosting), or
//   - posts and account age known, the account at least InactiveMinAge days
//     old and fewer than one post per year of its age (ReasonRarelyPosting).
//
// It returns 1 and the reason when the rule fires, 0 when the known fields
// show the account posts, and −1 when nothing about posting is known.
func InactiveRule(p Profile) (float64, Reason) {
	if p.Known.Has(FieldPosts) && p.Posts == 0 {
		return 1, Reason{Code: ReasonNoPosts, Text: "no posts"}
	}
	if p.Known.Has(FieldLastPost) && p.DaysSinceLastPost >= InactiveStaleDays {
		return 1, Reason{Code: ReasonStalePosting, Text: fmt.Sprintf("no post for %.0f days", p.DaysSinceLastPost)}
	}
	if p.Known.Has(FieldPosts|FieldAge) && p.AgeDays >= InactiveMinAge && float64(p.Posts) < p.AgeDays/365 {
		return 1, Reason{Code: ReasonRarelyPosting, Text: fmt.Sprintf("%d posts in %.1f years", p.Posts, p.AgeDays/365)}
	}
	if p.Known&(FieldPosts|FieldLastPost) != 0 {
		return 0, Reason{}
	}
	return -1, Reason{}
}

type accountModelJSON struct {
	Format        string           `json:"format"`
	Features      []string         `json:"features"`
	Means         []float64        `json:"means"`
	TrainPrior    float64          `json:"train_prior"`
	InactivePrior float64          `json:"inactive_prior"`
	Info          AccountModelInfo `json:"info"`
	Submodels     []*submodel      `json:"submodels"`
}

const accountFormat = "nanoscout-account-scorecards-1"

func accountFeatureNames() []string {
	n := make([]string, len(accountFeatures))
	for i, f := range accountFeatures {
		n[i] = f.name
	}
	return n
}

// MarshalJSON encodes the model in the format DefaultAccounts embeds.
func (m *AccountModel) MarshalJSON() ([]byte, error) {
	j := accountModelJSON{Format: accountFormat, Features: accountFeatureNames(), Means: m.means,
		TrainPrior: m.trainPrior, InactivePrior: m.inactivePrior, Info: m.info}
	for _, k := range m.order {
		j.Submodels = append(j.Submodels, m.subs[k])
	}
	return json.Marshal(j)
}

// LoadAccountModel decodes a model written by MarshalJSON and checks its
// structure.
func LoadAccountModel(data []byte) (*AccountModel, error) {
	var j accountModelJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("decoding account model: %w", err)
	}
	if j.Format != accountFormat {
		return nil, fmt.Errorf("decoding account model: format %q, want %q", j.Format, accountFormat)
	}
	if strings.Join(j.Features, ",") != strings.Join(accountFeatureNames(), ",") {
		return nil, fmt.Errorf("decoding account model: features %v, this code computes %v; run make train", j.Features, accountFeatureNames())
	}
	if len(j.Submodels) == 0 || len(j.Means) != numAccountInputs || !(j.TrainPrior > 0 && j.TrainPrior < 1) || !(j.InactivePrior >= 0 && j.InactivePrior <= 1) {
		return nil, errors.New("decoding account model: no submodels, bad means or priors")
	}
	m := &AccountModel{subs: map[uint64]*submodel{}, means: j.Means, trainPrior: j.TrainPrior, inactivePrior: j.InactivePrior, info: j.Info}
	for k, s := range j.Submodels {
		if len(s.W) != numAccountInputs || s.Features>>numAccountInputs != 0 {
			return nil, fmt.Errorf("decoding account model: submodel %d: %d weights, features %#x", k, len(s.W), s.Features)
		}
		if _, dup := m.subs[s.Features]; dup {
			return nil, fmt.Errorf("decoding account model: submodel %d: duplicate feature set %#x", k, s.Features)
		}
		for i, w := range s.W {
			if math.IsNaN(w) || math.IsInf(w, 0) || s.Features&(1<<i) == 0 && w != 0 {
				return nil, fmt.Errorf("decoding account model: submodel %d: weight %d = %v", k, i, w)
			}
		}
		m.subs[s.Features] = s
		m.order = append(m.order, s.Features)
	}
	slices.Sort(m.order)
	if _, ok := m.subs[0]; !ok {
		return nil, errors.New("decoding account model: no submodel for an account with nothing known")
	}
	return m, nil
}
