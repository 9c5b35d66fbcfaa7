package classify

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AccountFeatures are the public profile features every platform shows, in
// the form of the Instagram fake/spammer/genuine dataset.
type AccountFeatures struct {
	ProfilePic          bool    // has a profile picture
	DigitsRatioUsername float64 // digits in the username ÷ its length
	FullnameWords       int     // words in the display name
	DigitsRatioFullname float64 // digits in the display name ÷ its length
	NameEqualsUsername  bool    // display name equals the username
	BioLength           int     // bio length in characters
	ExternalURL         bool    // profile links to an external site
	Private             bool    // account is private
	Posts               int64
	Followers           int64
	Follows             int64 // accounts it follows
}

// FeaturesFromProfile computes AccountFeatures from a public profile.
// Lengths count characters (runes); words are separated by white space;
// digit ratios are rounded to two decimals as in the dataset; the name
// equals the username when both are identical after trimming surrounding
// white space (the dataset's "literally the same"). Negative counts are
// taken as 0.
func FeaturesFromProfile(username, fullName, bio string, hasPic, hasURL, private bool, posts, followers, follows int64) AccountFeatures {
	username = strings.TrimSpace(username)
	fullName = strings.TrimSpace(fullName)
	return AccountFeatures{
		ProfilePic:          hasPic,
		DigitsRatioUsername: digitsRatio(username),
		FullnameWords:       len(strings.Fields(fullName)),
		DigitsRatioFullname: digitsRatio(fullName),
		NameEqualsUsername:  fullName != "" && fullName == username,
		BioLength:           utf8.RuneCountInString(bio),
		ExternalURL:         hasURL,
		Private:             private,
		Posts:               max(posts, 0),
		Followers:           max(followers, 0),
		Follows:             max(follows, 0),
	}
}

// digitsRatio is digits ÷ characters, rounded to two decimals as in the
// dataset.
func digitsRatio(s string) float64 {
	n, d := 0, 0
	for _, r := range s {
		n++
		if unicode.IsDigit(r) {
			d++
		}
	}
	if n == 0 {
		return 0
	}
	return math.Round(100*float64(d)/float64(n)) / 100
}

// accountFeatureNames name the model's input vector, in order.
var accountFeatureNames = []string{
	"profile_pic", "digits_ratio_username", "fullname_words", "digits_ratio_fullname",
	"name_equals_username", "bio_length", "external_url", "private",
	"posts", "followers", "follows", "follows_plus1_per_followers_plus1",
}

const numAccountFeatures = 12

// logScale marks the inputs whose split thresholds are geometric rather than
// arithmetic midpoints (counts and the ratio): a tree only compares, so a log
// transform would change nothing but where between two training values a
// threshold falls, and computing the midpoint as √((a+1)(b+1))−1 needs
// nothing but exactly rounded operations, unlike math.Log1p.
var logScale = [numAccountFeatures]bool{8: true, 9: true, 10: true, 11: true}

// vector is the model input: the features plus (follows+1)/(followers+1).
func (f AccountFeatures) vector() [numAccountFeatures]float64 {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	return [numAccountFeatures]float64{
		b(f.ProfilePic), f.DigitsRatioUsername, float64(f.FullnameWords), f.DigitsRatioFullname,
		b(f.NameEqualsUsername), float64(f.BioLength), b(f.ExternalURL), b(f.Private),
		float64(f.Posts), float64(f.Followers), float64(f.Follows),
		float64(f.Follows+1) / float64(f.Followers+1),
	}
}

// AccountModel scores an account as fake (bought, bot or spam account) from
// its AccountFeatures. It is a random forest; it is read-only and safe for
// concurrent use.
type AccountModel struct {
	trees     []tree
	threshold float64
	info      AccountModelInfo
}

// AccountModelInfo describes how an AccountModel was trained.
type AccountModelInfo struct {
	Trees, MaxFeatures, MinLeaf, MaxDepth int
	Seed                                  uint64
	Rows                                  int
}

// tree is one decision tree, flattened: node i is a leaf when feature[i] <
// 0, else it sends x to left[i] when x[feature[i]] <= threshold[i] and to
// right[i] otherwise. value[i] is the share of fake training rows in the
// node.
type tree struct {
	Feature   []int8    `json:"f"`
	Threshold []float64 `json:"t"`
	Left      []int32   `json:"l"`
	Right     []int32   `json:"r"`
	Value     []float64 `json:"v"`
}

func (t *tree) predict(x *[numAccountFeatures]float64) float64 {
	i := int32(0)
	for {
		f := t.Feature[i]
		if f < 0 {
			return t.Value[i]
		}
		if x[f] <= t.Threshold[i] {
			i = t.Left[i]
		} else {
			i = t.Right[i]
		}
	}
}

// Fake returns the probability that the account is fake: the mean over the
// trees of the share of fake training accounts in the leaf it reaches.
func (m *AccountModel) Fake(f AccountFeatures) float64 {
	x := f.vector()
	s := 0.0
	for i := range m.trees {
		s += m.trees[i].predict(&x)
	}
	return s / float64(len(m.trees))
}

// IsFake reports whether Fake(f) reaches the model's threshold.
func (m *AccountModel) IsFake(f AccountFeatures) bool { return m.Fake(f) >= m.threshold }

// Threshold is the probability from which IsFake answers true.
func (m *AccountModel) Threshold() float64 { return m.threshold }

// Info describes how the model was trained.
func (m *AccountModel) Info() AccountModelInfo { return m.info }

type accountModelJSON struct {
	Format    string           `json:"format"`
	Features  []string         `json:"features"`
	Threshold float64          `json:"threshold"`
	Info      AccountModelInfo `json:"info"`
	Trees     []tree           `json:"trees"`
}

const accountFormat = "nanoscout-account-forest-1"

// MarshalJSON encodes the model in the format DefaultAccounts embeds.
func (m *AccountModel) MarshalJSON() ([]byte, error) {
	return json.Marshal(accountModelJSON{
		Format: accountFormat, Features: accountFeatureNames, Threshold: m.threshold, Info: m.info, Trees: m.trees,
	})
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
	if strings.Join(j.Features, ",") != strings.Join(accountFeatureNames, ",") {
		return nil, fmt.Errorf("decoding account model: features %v, this code computes %v; run make train", j.Features, accountFeatureNames)
	}
	if len(j.Trees) == 0 || !(j.Threshold > 0 && j.Threshold < 1) {
		return nil, errors.New("decoding account model: no trees or bad threshold")
	}
	for k, t := range j.Trees {
		n := len(t.Feature)
		if n == 0 || len(t.Threshold) != n || len(t.Left) != n || len(t.Right) != n || len(t.Value) != n {
			return nil, fmt.Errorf("decoding account model: tree %d: ragged arrays", k)
		}
		for i := range n {
			if t.Feature[i] >= numAccountFeatures {
				return nil, fmt.Errorf("decoding account model: tree %d node %d: feature %d", k, i, t.Feature[i])
			}
			// Children come after their parent, so every walk ends.
			if t.Feature[i] >= 0 && (t.Left[i] <= int32(i) || t.Right[i] <= int32(i) || t.Left[i] >= int32(n) || t.Right[i] >= int32(n)) {
				return nil, fmt.Errorf("decoding account model: tree %d node %d: bad children", k, i)
			}
		}
	}
	return &AccountModel{trees: j.Trees, threshold: j.Threshold, info: j.Info}, nil
}
