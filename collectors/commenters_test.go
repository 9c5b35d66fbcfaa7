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
