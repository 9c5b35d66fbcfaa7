package collectors_test

import (
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func TestCommenterSample(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cr := model.Creator{Platform: "tiktok", ID: "c"}
	prof := func(name string) *model.AudienceAccount {
		return &model.AudienceAccount{DisplayName: model.S(name)}
	}
	cs := []model.Comment{
		{AuthorID: "a", AuthorHandle: "ann", CreatedAt: t0, Author: prof("Ann")},
		{AuthorID: "b", AuthorHandle: "bob", CreatedAt: t0.Add(3 * time.Hour), Author: prof("Bob")},
		{AuthorID: "a", AuthorHandle: "ann", CreatedAt: t0.Add(4 * time.Hour), Author: prof("Ann")}, // again: once
		{AuthorID: "c", CreatedAt: t0.Add(5 * time.Hour), Author: prof("Creator")},                  // the creator by id
		{AuthorID: "d", CreatedAt: t0.Add(6 * time.Hour), ByCreator: true, Author: prof("D")},       // by the creator
		{AuthorID: "e", AuthorHandle: "eve", CreatedAt: t0.Add(7 * time.Hour)},                      // no profile: skipped
		{AuthorID: "f", AuthorHandle: "fay", CreatedAt: t0.Add(time.Hour), Author: prof("Fay")},
	}
	s := collectors.CommenterSample(cr, 10, cs, t0)
	if s.Source != model.AudienceCommenters || s.Requests != 0 || s.CreatorKey != cr.Key() {
		t.Fatalf("sample %+v", s)
	}
	var got []string
	for _, a := range s.Accounts {
		got = append(got, a.ID+"/"+a.Handle)
		if a.Followers != nil || a.Posts != nil || a.HasAvatar != nil {
			t.Errorf("%s: a field the comment did not show is known: %+v", a.ID, a)
		}
	}
	want := []string{"a/ann", "b/bob", "f/fay"} // newest comment first
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("sampled %v, want %v", got, want)
	}
	if s := collectors.CommenterSample(cr, 2, cs, t0); len(s.Accounts) != 2 {
		t.Errorf("n=2: %d accounts", len(s.Accounts))
	}
	if s := collectors.CommenterSample(cr, 0, cs, t0); len(s.Accounts) != 0 {
		t.Errorf("n=0: %d accounts", len(s.Accounts))
	}
}

// Each sampled commenter carries its newest texts and how many other
// accounts wrote one of its direct comments word for word (case, spacing,
// punctuation and emoji folded); short texts and replies do not count as
// copies.
func TestCommenterEvidence(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cr := model.Creator{Platform: "instagram", ID: "c"}
	p := &model.AudienceAccount{}
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	cs := []model.Comment{
		{AuthorID: "bot1", Text: "Great content! Check my page", Depth: 1, CreatedAt: at(1), Author: p},
		{AuthorID: "bot2", Text: "great content!!  check my page 🚀", Depth: 1, CreatedAt: at(2), Author: p},
		{AuthorID: "bot3", Text: "Great content, check my page", Depth: 1, CreatedAt: at(3), Author: p},
		{AuthorID: "fan1", Text: "Where did you get that lamp?", Depth: 1, CreatedAt: at(4), Author: p},
		{AuthorID: "fan2", Text: "Nice!", Depth: 1, CreatedAt: at(5), Author: p},
		{AuthorID: "fan3", Text: "Nice!", Depth: 1, CreatedAt: at(6), Author: p},
		{AuthorID: "fan4", Text: "Nice!", Depth: 1, CreatedAt: at(7), Author: p}, // under 8 letters: not a copy
		{AuthorID: "fan5", Text: "Same question here!", Depth: 2, CreatedAt: at(8), Author: p},
		{AuthorID: "fan6", Text: "Same question here!", Depth: 2, CreatedAt: at(9), Author: p},
		{AuthorID: "fan7", Text: "Same question here!", Depth: 2, CreatedAt: at(10), Author: p}, // replies: not copies
		{AuthorID: "fan1", Text: "Also love the colours", Depth: 1, CreatedAt: at(11), Author: p},
		{AuthorID: "fan1", Text: "One more", Depth: 2, CreatedAt: at(12), Author: p},
		{AuthorID: "fan1", Text: "And another", Depth: 2, CreatedAt: at(13), Author: p},
		{AuthorID: "c", Text: "Great content! Check my page", Depth: 2, CreatedAt: at(14), Author: p}, // the creator: left out
	}
	s := collectors.CommenterSample(cr, 100, cs, t0)
	byID := map[string]model.AudienceAccount{}
	for _, a := range s.Accounts {
		byID[a.ID] = a
	}
	for id, want := range map[string]int{"bot1": 2, "bot2": 2, "bot3": 2, "fan1": 0, "fan2": 0, "fan4": 0, "fan5": 0, "fan7": 0} {
		a, ok := byID[id]
		if !ok || a.SameText == nil || *a.SameText != want {
			t.Errorf("%s: SameText %v, want %d", id, a.SameText, want)
		}
	}
	if got := byID["fan1"].Comments; len(got) != model.MaxCommenterTexts || got[0] != "And another" || got[2] != "Also love the colours" {
		t.Errorf("fan1's texts %q: want its %d newest", got, model.MaxCommenterTexts)
	}
	if got := byID["bot2"].Comments; len(got) != 1 || got[0] != cs[1].Text {
		t.Errorf("bot2's texts %q", got)
	}
	// An account without comments gets no texts and no copies.
	accts := []model.AudienceAccount{{ID: "nobody"}}
	collectors.CommenterEvidence(cr, accts, cs)
	if accts[0].Comments != nil || accts[0].SameText == nil || *accts[0].SameText != 0 {
		t.Errorf("an account without comments: %+v", accts[0])
	}
}
