package scoring

import (
	"fmt"
	"slices"
	"testing"

	"github.com/nanoscout/nanoscout/model"
)

func TestCommentSignals(t *testing.T) {
	t.Parallel()
	creator := model.Creator{ID: "me"}
	top := func(id, post, author, text string) model.Comment {
		return model.Comment{ID: id, PostID: post, ParentID: post, AuthorID: author, Text: text, Depth: 1}
	}
	comments := []model.Comment{
		top("c1", "p1", "a", "nice"),                                                                 // generic
		top("c2", "p1", "b", "Great post!"),                                                          // generic
		top("c3", "p1", "c", "😍"),                                                                    // emoji only
		top("c4", "p1", "d", "Where did you buy that jacket?"),                                       // copy under p1 …
		top("c5", "p2", "e", "where did you buy that jacket"),                                        // … and p2
		top("c6", "p2", "a", "This recipe saved my dinner party"),                                    // a again
		top("c7", "p3", "a", "Follow me for daily recipes"),                                          // a again: self-promotion, spam 0.95
		top("c8", "p3", "f", "check https://x.co"),                                                   // a bare link, spam 0.8
		{ID: "r1", PostID: "p1", ParentID: "c4", AuthorID: "me", Text: "In town", Depth: 2},          // the creator's
		{ID: "r2", PostID: "p2", ParentID: "c5", AuthorID: "b", Text: "same question!", Depth: 2},    // a conversation
		{ID: "r3", PostID: "p3", ParentID: "p3", AuthorID: "g", Text: "  ", Depth: 1},                // no text
		{ID: "r4", PostID: "p3", ParentID: "", AuthorID: "h", Text: "@anna you need this", Depth: 0}, // top-level by ParentID
	}
	r := CommentSignals(creator, comments, nil)
	// 10 audience comments with text: c1–c8, r2, r4; spam: c7 (0.95) and c8 (0.8)
	if r.Comments != 10 || r.TopLevel != 9 || r.Threads != 3 || r.SpamModel || !near(r.Spam, 0.2) {
		t.Errorf("comments %d, top %d, threads %d, spam model %v, spam %v; want 10, 9, 3, false, 0.2",
			r.Comments, r.TopLevel, r.Threads, r.SpamModel, r.Spam)
	}
	if r.Generic != 3 || r.EmojiOnly != 1 || r.Duplicates != 2 || r.CrossPost != 2 {
		t.Errorf("generic %d, emoji %d, duplicates %d, cross-post %d; want 3, 1, 2, 2", r.Generic, r.EmojiOnly, r.Duplicates, r.CrossPost)
	}
	// authors a b c d e f h = 7 of 9; a wrote under all 3 posts (≥ 2 of 3): 3 comments
	if r.Commenters != 7 || !near(r.Diversity, 7.0/9) || r.RecurringPosts != 2 || r.Recurring != 1 || !near(r.RecurringShare, 3.0/9) {
		t.Errorf("commenters %d, diversity %v, recurring %d of %d posts, share %v; want 7, 7/9, 1 of 2, 3/9",
			r.Commenters, r.Diversity, r.Recurring, r.RecurringPosts, r.RecurringShare)
	}

	// A spam model replaces the heuristic.
	spamModel := func(author, text string) float64 {
		if author == "a" {
			return 1
		}
		return 0
	}
	if r := CommentSignals(creator, comments, spamModel); !r.SpamModel || !near(r.Spam, 0.3) {
		t.Errorf("with a spam model: %v, %v; want true, 0.3", r.SpamModel, r.Spam)
	}

	got := TopLevelCommenters(creator, comments)
	want := []string{"id:a", "id:b", "id:c", "id:d", "id:e", "id:a", "id:a", "id:f", "id:g", "id:h"}
	if !slices.Equal(got, want) {
		t.Errorf("TopLevelCommenters = %v, want %v", got, want)
	}
}

func TestCommentRisks(t *testing.T) {
	t.Parallel()
	r := CommentResult{
		Comments: 20, TopLevel: 20, Threads: 5, Spam: 0.25, Generic: 8, EmojiOnly: 2,
		Duplicates: 5, CrossPost: 3, Commenters: 9, Diversity: 0.45,
		Recurring: 4, RecurringPosts: 3, RecurringShare: 0.5,
	}
	ring := &RingScore{Comments: 20, Share: 0.55, Members: 6, Linked: 12, Reach: 12}
	e := 20.0 / 25 // comment evidence
	want := map[string]float64{
		SignalSpam:      1 - 0.7*ramp(0.25, 0.1, 0.4)*e, // 0.5 × 0.8
		SignalLowEffort: 1 - 0.5*ramp(0.5, 0.3, 0.7)*e,  // 0.5 × 0.8
		SignalRepeated:  1 - 0.3*ramp(0.25, 0.2, 0.5)*e,
		SignalDiversity: 1 - 0.3*ramp(0.15, 0, 0.3)*e,
		SignalRecurring: 1 - 0.4*ramp(0.5, 0.35, 0.65)*e,
		SignalRing:      1 - 0.8*ramp(0.55, 0.3, 0.6)*e,
	}
	for _, s := range commentSignals(r, ring, Norm{}, e) {
		if !s.Measured || !near(s.Multiplier(), want[s.Name]) {
			t.Errorf("%s: measured %v, multiplier %v; want %v (%s)", s.Name, s.Measured, s.Multiplier(), want[s.Name], s.Reason)
		}
		if s.Reason == "" {
			t.Errorf("%s has no reason", s.Name)
		}
	}
	for _, s := range commentSignals(CommentResult{}, nil, Norm{}, 0) {
		if s.Measured || s.Multiplier() != 1 {
			t.Errorf("%s measured without comments", s.Name)
		}
	}
}

func TestRings(t *testing.T) {
	t.Parallel()
	in := map[string][]string{}
	// 20 creators whose comments come from fans of their own: the
	// platform's background, which sets how much overlap chance gives.
	for i := range 20 {
		for j := range 10 {
			in[fmt.Sprintf("bg%02d", i)] = append(in[fmt.Sprintf("bg%02d", i)], fmt.Sprintf("fan%02d-%d", i, j))
		}
	}
	// A pod: five accounts comment under four creators, which also have two
	// fans each; r1 comments twice under pod1.
	ring := []string{"r1", "r2", "r3", "r4", "r5"}
	for i := 1; i <= 4; i++ {
		k := fmt.Sprintf("pod%d", i)
		in[k] = append(append([]string{}, ring...), k+"-fan1", k+"-fan2")
	}
	in["pod1"] = append(in["pod1"], "r1")
	// Two creators of a niche share three fans: linked, but no fan comments
	// under two linked creators, so there is no ring.
	in["o1"] = []string{"s1", "s2", "s3", "o1-a", "o1-b"}
	in["o2"] = []string{"s1", "s2", "s3", "o2-a", "o2-b"}
	in["quiet"] = nil

	got := Rings(in)
	// pod1: 8 comments, 6 by ring members (r1 twice); linked to the 3 other pods
	if r := got["pod1"]; r.Comments != 8 || r.Members != 5 || !near(r.Share, 6.0/8) || r.Linked != 3 || r.Reach != 3 {
		t.Errorf("pod1 = %+v; want 8 comments, 5 members, share 0.75, 3 linked, reach 3", r)
	}
	if r := got["pod4"]; r.Members != 5 || !near(r.Share, 5.0/7) {
		t.Errorf("pod4 = %+v; want 5 members, share 5/7", r)
	}
	if r := got["o1"]; r.Linked != 1 || r.Members != 0 || r.Share != 0 {
		t.Errorf("o1 = %+v; want linked to o2 only, no ring", r)
	}
	if r := got["bg00"]; r != (RingScore{Comments: 10}) {
		t.Errorf("bg00 = %+v; want no ring", r)
	}
	if r, ok := got["quiet"]; !ok || r != (RingScore{}) {
		t.Errorf("quiet = %+v, %v; want a zero score", r, ok)
	}
}

func TestRingsChanceOverlap(t *testing.T) {
	t.Parallel()
	// Two big comment sections drawn from the same small pool of fans
	// share many commenters by chance: that is not a ring.
	in := map[string][]string{}
	for i := range 40 {
		in["big"] = append(in["big"], fmt.Sprintf("f%d", i))
		in["big2"] = append(in["big2"], fmt.Sprintf("f%d", i+30))
	}
	for i := range 60 {
		in[fmt.Sprintf("small%d", i)] = []string{fmt.Sprintf("f%d", i), fmt.Sprintf("x%d", i)}
	}
	// big and big2 share f30–f39: 10 of 40 each, with 130 commenters in
	// all: λ = 40 × 40 ÷ 130 ≈ 12.3 → not surprising
	got := Rings(in)
	if r := got["big"]; r.Linked != 0 || r.Members != 0 {
		t.Errorf("big = %+v; want no link", r)
	}
}
