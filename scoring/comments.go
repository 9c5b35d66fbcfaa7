package scoring

import (
	"strings"

	"github.com/nanoscout/nanoscout/model"
)

// SpamFunc returns the probability (0..1) that a comment is spam: promotion,
// self-promotion, link drops or bot text. author is the commenter's handle
// (or id when the handle is unknown).
type SpamFunc func(author, text string) float64

// Spam probabilities of the built-in heuristic, used when Config.SpamProb is
// nil: self-promotion phrases ("follow me", "check my channel", "dm me for
// collab"…) are spam, a bare link nearly so, anything else is taken as
// written by a person.
const (
	heuristicSpamPromo = 0.95
	heuristicSpamLink  = 0.8
	heuristicSpamOther = 0.0
)

// heuristicSpam is the v1 rule set as a SpamFunc.
func heuristicSpam(_, text string) float64 {
	if classify(text).promo {
		return heuristicSpamPromo
	}
	lower := strings.ToLower(text)
	if strings.Contains(lower, "http://") || strings.Contains(lower, "https://") || strings.Contains(lower, "www.") {
		return heuristicSpamLink
	}
	return heuristicSpamOther
}

// SpamCutoff is the spam probability from which a comment counts as spam:
// more likely spam than not. Counting comments rather than averaging
// probabilities keeps a model's baseline (every comment gets a little) out
// of the figure.
const SpamCutoff = 0.5

// CommentResult is what a creator's audience comments say about how genuine
// the engagement is. Audience comments are those not written by the creator,
// with text; top-level ones answer the post itself (Depth 1, or ParentID equal
// to the post), the rest are conversations in the thread.
type CommentResult struct {
	Comments int // audience comments with text, at any depth
	TopLevel int // of them, direct replies to a post
	Threads  int // posts with at least one top-level audience comment

	// Spam is the share of audience comments more likely spam than not
	// (probability ≥ SpamCutoff by SpamProb, or the built-in heuristic);
	// SpamModel says which.
	Spam      float64
	SpamModel bool

	// Generic and EmojiOnly count top-level comments that are stock
	// reactions ("nice", "love it", "so cute"…, in several languages) or only
	// emoji; GenericSeen keeps their texts for examples.
	Generic, EmojiOnly int
	GenericSeen        []string
	// Duplicates counts top-level comments whose text (normalised, at least
	// 3 words or 10 letters) another audience comment also has, word for
	// word; CrossPost those whose copies appear under two or more posts.
	Duplicates, CrossPost int

	// Commenters is the number of distinct authors of top-level comments,
	// Diversity = Commenters ÷ TopLevel.
	Commenters int
	Diversity  float64
	// Recurring counts the authors who commented under at least
	// RecurringPosts of the posts read (half of them, at least 2; measured
	// with 3 or more threads); RecurringShare is the share of top-level
	// comments they wrote.
	Recurring      int
	RecurringPosts int
	RecurringShare float64
}

// CommentSignals measures the audience comments of one creator. spam may be
// nil (the built-in heuristic).
func CommentSignals(creator model.Creator, comments []model.Comment, spam SpamFunc) CommentResult {
	res := CommentResult{SpamModel: spam != nil}
	if spam == nil {
		spam = heuristicSpam
	}
	type textSeen struct {
		count int
		posts map[string]bool
	}
	texts := map[string]*textSeen{}
	type top struct {
		key    string
		dup    bool
		author authorKey
		post   string
	}
	var tops []top
	var spamCount int
	for i := range comments {
		c := &comments[i]
		if isCreatorComment(&creator, c) || strings.TrimSpace(c.Text) == "" {
			continue
		}
		res.Comments++
		author := c.AuthorHandle
		if author == "" {
			author = c.AuthorID
		}
		if spam(author, c.Text) >= SpamCutoff {
			spamCount++
		}
		if !isTopLevel(c) {
			continue
		}
		res.TopLevel++
		k := classify(c.Text)
		switch k.class {
		case classEmoji:
			res.EmojiOnly++
		case classGeneric:
			res.Generic++
			res.GenericSeen = append(res.GenericSeen, strings.TrimSpace(c.Text))
		}
		t := top{author: authorOf(c), post: c.PostID}
		if k.class == classOther && k.dupEligible {
			t.key, t.dup = k.key, true
			ts := texts[k.key]
			if ts == nil {
				ts = &textSeen{posts: map[string]bool{}}
				texts[k.key] = ts
			}
			ts.count++
			ts.posts[c.PostID] = true
		}
		tops = append(tops, t)
	}
	if res.Comments > 0 {
		res.Spam = float64(spamCount) / float64(res.Comments)
	}
	if res.TopLevel == 0 {
		return res
	}

	byAuthor := map[authorKey]map[string]bool{}
	posts := map[string]bool{}
	for _, t := range tops {
		if t.dup && texts[t.key].count > 1 {
			res.Duplicates++
			if len(texts[t.key].posts) > 1 {
				res.CrossPost++
			}
		}
		if byAuthor[t.author] == nil {
			byAuthor[t.author] = map[string]bool{}
		}
		byAuthor[t.author][t.post] = true
		posts[t.post] = true
	}
	res.Threads = len(posts)
	res.Commenters = len(byAuthor)
	res.Diversity = float64(res.Commenters) / float64(res.TopLevel)
	if res.Threads >= 3 {
		res.RecurringPosts = max(2, (res.Threads+1)/2)
		recurring := map[authorKey]bool{}
		for a, ps := range byAuthor {
			if len(ps) >= res.RecurringPosts {
				recurring[a] = true
			}
		}
		res.Recurring = len(recurring)
		n := 0
		for _, t := range tops {
			if recurring[t.author] {
				n++
			}
		}
		res.RecurringShare = float64(n) / float64(res.TopLevel)
	}
	return res
}

// isTopLevel reports whether a comment answers the post itself.
func isTopLevel(c *model.Comment) bool {
	if c.Depth > 0 {
		return c.Depth == 1
	}
	return c.ParentID == "" || c.ParentID == c.PostID
}

// TopLevelCommenters lists the author of every top-level audience comment
// (one entry per comment, so a frequent commenter appears often), as the
// commenter ids Rings reads.
func TopLevelCommenters(creator model.Creator, comments []model.Comment) []string {
	var out []string
	for i := range comments {
		c := &comments[i]
		if isCreatorComment(&creator, c) || !isTopLevel(c) {
			continue
		}
		switch a := authorOf(c); a.kind {
		case 0:
			out = append(out, "id:"+a.s)
		case 1:
			out = append(out, "handle:"+a.s)
		}
	}
	return out
}
