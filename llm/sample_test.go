package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nanoscout/nanoscout/model"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func sampleInput() (model.Creator, []model.Post, []model.Comment) {
	c := model.Creator{Platform: "mastodon", ID: "109", Handle: "baker", Followers: 5000}
	var posts []model.Post
	for i := range 15 {
		posts = append(posts, model.Post{Platform: "mastodon", ID: fmt.Sprintf("p%02d", i), CreatorID: c.ID,
			CreatedAt: t0.Add(-time.Duration(i) * time.Hour), Text: fmt.Sprintf("caption %02d\nwith  a line break", i)})
	}
	posts = append(posts,
		model.Post{Platform: "mastodon", ID: "reply", CreatorID: c.ID, CreatedAt: t0.Add(time.Hour), Text: "a reply elsewhere", IsReply: true},
		model.Post{Platform: "mastodon", ID: "blank", CreatorID: c.ID, CreatedAt: t0.Add(2 * time.Hour), Text: " \t "},
		model.Post{Platform: "mastodon", ID: "long", CreatorID: c.ID, CreatedAt: t0.Add(3 * time.Hour), Text: strings.Repeat("é", 400)},
	)
	comments := []model.Comment{
		{ID: "c1", AuthorID: "a1", Text: "Nice!", CreatedAt: t0.Add(-3 * time.Hour)},
		{ID: "c2", AuthorID: "a2", Text: "nice! ", CreatedAt: t0.Add(-2 * time.Hour)},
		{ID: "c3", AuthorID: "a3", Text: "NICE!", CreatedAt: t0.Add(-1 * time.Hour)},
		{ID: "c4", AuthorID: "a1", Text: "What hydration do you use?", CreatedAt: t0.Add(-30 * time.Minute)},
		{ID: "c5", AuthorID: "a4", Text: "🔥🔥", CreatedAt: t0.Add(-20 * time.Minute)},
		{ID: "c6", AuthorID: "a4", Text: "🔥🔥", CreatedAt: t0.Add(-10 * time.Minute)},
		{ID: "c7", AuthorID: c.ID, Text: "thanks all", CreatedAt: t0},                     // the creator's own
		{ID: "c8", AuthorID: "x", Text: "thanks all", ByCreator: true, CreatedAt: t0},     // the creator's own
		{ID: "c9", AuthorID: "a5", Text: "\u200b \n ", CreatedAt: t0.Add(-6 * time.Hour)}, // a zero-width space is text, not white space
		{ID: "c10", AuthorHandle: "anon", Text: strings.Repeat("x", 500), CreatedAt: t0.Add(-5 * time.Hour)},
	}
	return c, posts, comments
}

func TestSampleIsBoundedAndOrdered(t *testing.T) {
	t.Parallel()
	c, posts, comments := sampleInput()
	s := buildSample(c, posts, comments, 10, 3)
	if len(s.Captions) != 10 {
		t.Fatalf("%d captions, want 10", len(s.Captions))
	}
	if utf8.RuneCountInString(s.Captions[0]) != maxCaptionRunes || !strings.HasSuffix(s.Captions[0], "…") {
		t.Errorf("the newest caption is not truncated to %d runes: %d", maxCaptionRunes, utf8.RuneCountInString(s.Captions[0]))
	}
	if s.Captions[1] != "caption 00 with a line break" || s.Captions[9] != "caption 08 with a line break" {
		t.Errorf("captions not most recent first, or not cleaned: %q", s.Captions)
	}
	for _, cap := range s.Captions {
		if strings.Contains(cap, "reply elsewhere") {
			t.Error("a reply in someone else's thread was sampled as a caption")
		}
	}
	want := []commentLine{
		{Text: "NICE!", Times: 3, Authors: 3}, // the most repeated, shown as its latest spelling
		{Text: "🔥🔥", Times: 2, Authors: 1},
		{Text: "What hydration do you use?", Times: 1, Authors: 1}, // then the most recent
	}
	if fmt.Sprint(s.Comments) != fmt.Sprint(want) {
		t.Errorf("comments %v, want %v", s.Comments, want)
	}
	if s.CommentsN != 8 || s.Commenters != 6 {
		t.Errorf("audience comments %d (want 8), commenters %d (want 6)", s.CommentsN, s.Commenters)
	}
	all := buildSample(c, posts, comments, 10, 100)
	for _, cl := range all.Comments {
		if cl.Text == "thanks all" {
			t.Error("the creator's own comment was sampled")
		}
		if utf8.RuneCountInString(cl.Text) > maxCommentRunes {
			t.Errorf("comment of %d runes", utf8.RuneCountInString(cl.Text))
		}
	}
}

// TestSampleIsDeterministic: the same content in any order, with other
// follower counts, gives the same message and hash; other content does not.
func TestSampleIsDeterministic(t *testing.T) {
	t.Parallel()
	c, posts, comments := sampleInput()
	base := buildSample(c, posts, comments, 10, 5).message()
	h := contentHash("m", base)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(posts), func(i, j int) { posts[i], posts[j] = posts[j], posts[i] })
		rng.Shuffle(len(comments), func(i, j int) { comments[i], comments[j] = comments[j], comments[i] })
		c.Followers++
		if got := buildSample(c, posts, comments, 10, 5).message(); got != base {
			t.Fatalf("shuffled input gave another message:\n%s\n%s", got, base)
		}
	}
	if contentHash("m", base) != h || len(h) != 64 {
		t.Fatal("hash not stable")
	}
	if contentHash("other-model", base) == h {
		t.Error("the model is not part of the hash")
	}
	comments[0].Text += " (edited)"
	if contentHash("m", buildSample(c, posts, comments, 10, 5).message()) == h {
		t.Error("changed content kept the hash")
	}
}

// TestPromptVersionPinned fails when the system prompt changes without a new
// PromptVersion: cached verdicts would otherwise answer a different question.
// After bumping PromptVersion, update both constants below.
func TestPromptVersionPinned(t *testing.T) {
	t.Parallel()
	const version, sum = "1", "39d9cd78dca19ab41352ed54cd3760caf360a1801b63dee74a11984d3b424860"
	got := sha256.Sum256([]byte(systemPrompt))
	if PromptVersion != version || hex.EncodeToString(got[:]) != sum {
		t.Errorf("system prompt (sha256 %x) or PromptVersion (%s) changed: bump PromptVersion, then pin both here", got, PromptVersion)
	}
}

func TestParseVerdictTrimsAndKeepsReasons(t *testing.T) {
	t.Parallel()
	a, err := parseVerdict(`{"reasons": ["  Varied\nreplies.  ", "` + strings.Repeat("r", 400) + `"], "confidence": 1, "label": "scripted"}`)
	if err != nil {
		t.Fatal(err)
	}
	if a.label != LabelScripted || a.confidence != 1 || a.reasons[0] != "Varied replies." || utf8.RuneCountInString(a.reasons[1]) != maxReasonsRunes {
		t.Errorf("answer %+v", a)
	}
}
