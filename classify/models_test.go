package classify

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

func TestDefaultCommentsRoundTrip(t *testing.T) {
	m := DefaultComments()
	if m.Info().FeatureVersion != featureVersion || m.Info().NonZero == 0 || m.Threshold() != 0.5 {
		t.Fatalf("info %+v threshold %v", m.Info(), m.Threshold())
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	embedded, _ := models.ReadFile("models/comments.bin")
	if !bytes.Equal(b, embedded) {
		t.Error("MarshalBinary(LoadCommentModel(f)) != f")
	}
	if len(embedded) > 2<<20 {
		t.Errorf("comments.bin is %d bytes, keep it under 2 MB", len(embedded))
	}
}

func TestCommentModelSanity(t *testing.T) {
	m := DefaultComments()
	for _, c := range []struct {
		author, text string
		spam         bool
	}{
		{"Promo Kid", "CHECK OUT MY CHANNEL!!! please subscribe http://www.youtube.com/user/promokid", true},
		{"", "Hey guys, subscribe to my channel for free iphone giveaway http://bit.ly/xyz", true},
		{"Maria", "I love this song so much, it reminds me of summer 2012 ♥", false},
		{"tom", "who is still listening in 2015?", false},
	} {
		p := m.Spam(c.author, c.text)
		if p <= 0 || p >= 1 {
			t.Errorf("Spam(%q) = %v, not a probability", c.text, p)
		}
		if m.IsSpam(c.author, c.text) != c.spam {
			t.Errorf("IsSpam(%q, %q) = %v (p=%.3f), want %v", c.author, c.text, !c.spam, p, c.spam)
		}
	}
	// Empty input scores without panicking.
	_ = m.Spam("", "")
	_ = m.Spam(strings.Repeat("x", 1e5), strings.Repeat("<br />&amp;\ufeff", 1e4))
}

func TestCommentModelConcurrent(t *testing.T) {
	m := DefaultComments()
	texts := []string{"check out my channel", "nice song", "http://x.com free money", strings.Repeat("la ", 500)}
	want := make([]float64, len(texts))
	for i, s := range texts {
		want[i] = m.Spam("a", s)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := (i + g) % len(texts)
				if got := m.Spam("a", texts[k]); got != want[k] {
					t.Errorf("concurrent Spam(%q) = %v, want %v", texts[k], got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestLoadCommentModelErrors(t *testing.T) {
	good, _ := models.ReadFile("models/comments.bin")
	bad := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("NSCOMM99"), good[8:]...),
		"truncated": good[:len(good)/2],
		"trailing":  append(append([]byte(nil), good...), 0),
		"version":   append(append([]byte(commentMagic), 99), good[9:]...),
	}
	for name, b := range bad {
		if _, err := LoadCommentModel(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTrainCommentsErrors(t *testing.T) {
	rows := []LabeledComment{{Text: "a", Spam: true}, {Text: "b", Spam: true}}
	if _, err := TrainComments(rows, DefaultCommentTrainOptions()); err == nil {
		t.Error("one class: no error")
	}
	o := DefaultCommentTrainOptions()
	o.Lambdas = nil
	if _, err := TrainComments(append(rows, LabeledComment{Text: "c"}), o); err == nil {
		t.Error("no λ: no error")
	}
}

func TestTrainCommentsSingleSourceTuning(t *testing.T) {
	// With one source, λ is tuned on 5 stratified folds: still deterministic.
	var rows []LabeledComment
	for i := range 60 {
		rows = append(rows,
			LabeledComment{Source: "s", Text: "subscribe to my channel please " + strings.Repeat("!", i%4), Spam: true},
			LabeledComment{Source: "s", Text: "great song, love it " + strings.Repeat("x", i%5)})
	}
	a, err := TrainComments(rows, DefaultCommentTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := TrainComments(rows, DefaultCommentTrainOptions())
	ab, _ := a.MarshalBinary()
	bb, _ := b.MarshalBinary()
	if !bytes.Equal(ab, bb) {
		t.Error("training is not deterministic")
	}
	if !a.IsSpam("", "subscribe to my channel please") || a.IsSpam("", "great song, love it") {
		t.Error("toy model does not separate its own training data")
	}
}

func TestFeaturesFromProfile(t *testing.T) {
	f := FeaturesFromProfile(" anna_1990 ", "Anna Maria 2", "Photographer 📷 in Zürich", true, false, true, 120, 3400, 410)
	want := AccountFeatures{
		ProfilePic: true, DigitsRatioUsername: 0.44, FullnameWords: 3, DigitsRatioFullname: 0.08,
		BioLength: 24, Private: true, Posts: 120, Followers: 3400, Follows: 410,
	}
	if f != want {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
	f = FeaturesFromProfile("user123", "user123", "", false, true, false, -1, 0, 5)
	if !f.NameEqualsUsername || f.DigitsRatioUsername != 0.43 || f.Posts != 0 || f.FullnameWords != 1 || !f.ExternalURL {
		t.Errorf("%+v", f)
	}
	if f := FeaturesFromProfile("", "", "", false, false, false, 0, 0, 0); f.NameEqualsUsername || f.DigitsRatioUsername != 0 {
		t.Errorf("empty profile: %+v", f)
	}
	if f := FeaturesFromProfile("Anna", "anna", "", false, false, false, 0, 0, 0); f.NameEqualsUsername {
		t.Error("name==username is literal equality")
	}
}

func TestAccountModelSanity(t *testing.T) {
	m := DefaultAccounts()
	if m.Info().Trees != 100 || m.Threshold() != 0.5 {
		t.Fatalf("info %+v", m.Info())
	}
	fake := FeaturesFromProfile("jess84729163", "", "", false, false, false, 0, 12, 2900)
	real := FeaturesFromProfile("jess.bakes", "Jess Miller", "Baker in Leeds. Cakes, bread and the odd disaster.", true, true, false, 310, 2400, 520)
	if p := m.Fake(fake); !m.IsFake(fake) || p < 0 || p > 1 {
		t.Errorf("Fake(bot-like) = %v", p)
	}
	if p := m.Fake(real); m.IsFake(real) || p < 0 || p > 1 {
		t.Errorf("Fake(genuine-like) = %v", p)
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

func TestLoadAccountModelErrors(t *testing.T) {
	good, _ := models.ReadFile("models/accounts.json")
	for name, s := range map[string]string{
		"not json": "{",
		"format":   strings.Replace(string(good), accountFormat, "other", 1),
		"features": strings.Replace(string(good), `"posts"`, `"log_posts"`, 1),
		"no trees": `{"format":"` + accountFormat + `","features":["profile_pic","digits_ratio_username","fullname_words","digits_ratio_fullname","name_equals_username","bio_length","external_url","private","posts","followers","follows","follows_plus1_per_followers_plus1"],"threshold":0.5,"trees":[]}`,
		"cycle": `{"format":"` + accountFormat + `","features":["profile_pic","digits_ratio_username","fullname_words","digits_ratio_fullname","name_equals_username","bio_length","external_url","private","posts","followers","follows","follows_plus1_per_followers_plus1"],"threshold":0.5,
			"trees":[{"f":[0,-1],"t":[0.5,0],"l":[0,-1],"r":[1,-1],"v":[0.5,1]}]}`,
		"ragged": `{"format":"` + accountFormat + `","features":["profile_pic","digits_ratio_username","fullname_words","digits_ratio_fullname","name_equals_username","bio_length","external_url","private","posts","followers","follows","follows_plus1_per_followers_plus1"],"threshold":0.5,
			"trees":[{"f":[-1],"t":[],"l":[-1],"r":[-1],"v":[1]}]}`,
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
		f := AccountFeatures{ProfilePic: !fake, Posts: int64(r.intn(50)), Followers: int64(r.intn(500)), Follows: int64(r.intn(500))}
		if fake {
			f.Follows += 1000
		}
		rows = append(rows, LabeledAccount{Features: f, Fake: fake})
	}
	a, err := TrainAccounts(rows, DefaultAccountTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := TrainAccounts(rows, DefaultAccountTrainOptions())
	aj, _ := a.MarshalJSON()
	bj, _ := b.MarshalJSON()
	if !bytes.Equal(aj, bj) {
		t.Error("training is not deterministic")
	}
	if m := EvalAccounts(a, rows); m.Accuracy < 0.99 {
		t.Errorf("separable toy data: %v", m)
	}
	if _, err := TrainAccounts(rows[:1], DefaultAccountTrainOptions()); err == nil {
		t.Error("one class: no error")
	}
	o := DefaultAccountTrainOptions()
	o.MaxFeatures = 13
	if _, err := TrainAccounts(rows, o); err == nil {
		t.Error("bad options: no error")
	}
}
