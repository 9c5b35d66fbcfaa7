package scoring

import (
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

func TestJudgeCommenter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	yes, no := model.B(true), model.B(false)
	copies := func(n int) *int { return &n }
	for _, tc := range []struct {
		name string
		a    model.AudienceAccount
		spam *bool
		want string // real, fake, unknown
		sign uint8  // bot signs expected among the verdict's
	}{
		{"handle only", model.AudienceAccount{Handle: "anna_k"}, nil, "unknown", 0},
		{"person: picture, own words", model.AudienceAccount{HasAvatar: yes, SameText: copies(0)}, no, "real", 0},
		{"default picture alone", model.AudienceAccount{HasAvatar: no, SameText: copies(0)}, no, "real", SignDefaultPicture},
		{"stock phrase alone", model.AudienceAccount{SameText: copies(4)}, no, "real", SignCopied},
		{"stock phrase with an uploaded picture", model.AudienceAccount{HasAvatar: yes, SameText: copies(6)}, no, "real", SignCopied},
		{"default picture and a stock phrase", model.AudienceAccount{HasAvatar: no, SameText: copies(2)}, no, "fake", SignDefaultPicture | SignCopied},
		{"default picture, said once by another", model.AudienceAccount{HasAvatar: no, SameText: copies(1)}, no, "real", SignDefaultPicture},
		{"spam alone (YouTube, no picture signal)", model.AudienceAccount{SameText: copies(0)}, yes, "fake", SignSpam},
		{"spam with an uploaded picture", model.AudienceAccount{HasAvatar: yes}, yes, "real", SignSpam},
		{"spam with the default picture", model.AudienceAccount{HasAvatar: no}, yes, "fake", SignSpam | SignDefaultPicture},
		{"weeks-old channel with a stock phrase", model.AudienceAccount{CreatedAt: model.T(now.AddDate(0, 0, -10)), SameText: copies(3)}, no, "fake", SignNewAccount | SignCopied},
		{"weeks-old channel alone", model.AudienceAccount{CreatedAt: model.T(now.AddDate(0, 0, -10))}, no, "real", SignNewAccount},
		{"years-old channel with a stock phrase", model.AudienceAccount{CreatedAt: model.T(now.AddDate(-3, 0, 0)), SameText: copies(3)}, no, "real", SignCopied},
		{"declared bot", model.AudienceAccount{Bot: yes, HasAvatar: yes}, no, "fake", 0},
		// Not read: handle digits, follower and upload counts, display name.
		{"no subscribers, digits", model.AudienceAccount{Handle: "user93847", Followers: model.N(0), Posts: model.N(0), DisplayName: model.S(""), HasAvatar: yes}, no, "real", 0},
	} {
		v := JudgeCommenter(tc.a, tc.spam, now)
		got := "real"
		switch {
		case !v.Known:
			got = "unknown"
		case v.Fake == 1:
			got = "fake"
		}
		if got != tc.want {
			t.Errorf("%s: %s (p %.2f, %s), want %s", tc.name, got, v.P, v.Why, tc.want)
		}
		if v.Known && v.Real+v.Fake+v.Inactive != 1 || v.Inactive != 0 {
			t.Errorf("%s: verdict %+v is not a definite person or bot", tc.name, v)
		}
		if v.Signs&tc.sign != tc.sign {
			t.Errorf("%s: signs %b lack %b", tc.name, v.Signs, tc.sign)
		}
		if got == "fake" && tc.a.Bot == nil && !strings.Contains(v.Why, "looks like a bot: ") {
			t.Errorf("%s: why %q", tc.name, v.Why)
		}
	}
}

// Monotone: adding a bot sign to any commenter never lowers its likelihood
// ratio, its probability or its verdict; an uploaded picture never raises
// them.
func TestJudgeCommenterMonotone(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	pics := []*bool{nil, model.B(true), model.B(false)} // increasingly bot-like
	spams := []*bool{nil, model.B(false), model.B(true)}
	var copies []*int
	for _, n := range []int{0, 1, 2, 5} {
		copies = append(copies, &n)
	}
	ages := []*time.Time{model.T(now.AddDate(-3, 0, 0)), model.T(now.AddDate(0, -3, 0)), model.T(now.AddDate(0, 0, -5))}
	type key [4]int
	p := map[key]float64{}
	for i, pic := range pics {
		for j, sp := range spams {
			for k, cp := range copies {
				for l, age := range ages {
					v := JudgeCommenter(model.AudienceAccount{HasAvatar: pic, SameText: cp, CreatedAt: age}, sp, now)
					p[key{i, j, k, l}] = v.P
				}
			}
		}
	}
	for c, pv := range p {
		for d := range 4 {
			next := c
			next[d]++
			if d == 0 && c[0] == 0 {
				continue // unknown → uploaded lowers it, by design; uploaded → default is the step that must not
			}
			if d == 1 && c[1] == 0 {
				continue // unknown → "not spam" is no bot sign
			}
			if q, ok := p[next]; ok && q < pv {
				t.Errorf("%v → %v: p %.3f → %.3f, a further bot sign lowered it", c, next, pv, q)
			}
		}
	}
	// The single-field effects: an uploaded picture lowers, the default raises.
	base := JudgeCommenter(model.AudienceAccount{SameText: copies[0]}, nil, now).P
	if up := JudgeCommenter(model.AudienceAccount{SameText: copies[0], HasAvatar: model.B(true)}, nil, now).P; up >= base {
		t.Errorf("uploaded picture: p %.3f, not below %.3f", up, base)
	}
	if def := JudgeCommenter(model.AudienceAccount{SameText: copies[0], HasAvatar: model.B(false)}, nil, now).P; def <= base {
		t.Errorf("default picture: p %.3f, not above %.3f", def, base)
	}
}

// The breakdown names the bot signs of the accounts judged bots.
func TestCommenterSentence(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	two := 2
	var vs []AccountVerdict
	for range 40 {
		vs = append(vs, JudgeCommenter(model.AudienceAccount{HasAvatar: model.B(true)}, model.B(false), now))
	}
	for range 15 {
		vs = append(vs, JudgeCommenter(model.AudienceAccount{HasAvatar: model.B(false), SameText: &two}, model.B(false), now))
	}
	for range 5 {
		vs = append(vs, JudgeCommenter(model.AudienceAccount{HasAvatar: model.B(false)}, model.B(true), now))
	}
	r := AudienceQuality(model.AudienceCommenters, now, vs)
	s := audienceSignal(&r)
	want := "of 60 sampled commenters, 20 look like bots (20 with the default picture, 5 with self-promotion spam, 15 with the same words as other accounts): 66.7% real people"
	if !strings.Contains(s.Reason, want) {
		t.Errorf("reason %q lacks %q", s.Reason, want)
	}
	if strings.Contains(s.Reason, "inactive") {
		t.Errorf("reason %q speaks of inactivity for commenters", s.Reason)
	}
	if s.Risk <= 0 || s.Risk >= SignalFlag {
		t.Errorf("a third of the commenters bots (upper bound %.2f): risk %.2f, want a cost short of the flag", r.High, s.Risk)
	}
}
