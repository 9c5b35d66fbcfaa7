package collectors

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/nanoscout/nanoscout/model"
)

// CommenterSample is the audience sample of a platform that lists no
// followers but shows each commenter's profile fields with the comment
// (TikTok, Instagram): the distinct authors of the newest comments, up to n,
// the creator left out, each with the fields its comment carried
// (model.Comment.Author) and nothing else, so a field the payload does not
// show stays unknown, plus the evidence its comments give
// (CommenterEvidence). It makes no request. Comments without a profile
// (loaded from a store written before profiles were kept, or from a
// payload without one) are skipped.
func CommenterSample(cr model.Creator, n int, comments []model.Comment, now time.Time) model.AudienceSample {
	s := model.AudienceSample{CreatorKey: cr.Key(), Source: model.AudienceCommenters, SampledAt: now.UTC()}
	if n <= 0 {
		return s
	}
	order := make([]int, 0, len(comments))
	for i, cm := range comments {
		if cm.Author != nil && !cm.ByCreator && cm.AuthorID != "" && cm.AuthorID != cr.ID {
			order = append(order, i)
		}
	}
	// Newest first; ties in the order given, so the sample is deterministic.
	slices.SortStableFunc(order, func(a, b int) int { return comments[b].CreatedAt.Compare(comments[a].CreatedAt) })
	seen := make(map[string]bool, min(n, len(order)))
	for _, i := range order {
		cm := comments[i]
		if seen[cm.AuthorID] {
			continue
		}
		seen[cm.AuthorID] = true
		a := *cm.Author
		a.ID = cm.AuthorID
		if a.Handle == "" {
			a.Handle = cm.AuthorHandle
		}
		s.Accounts = append(s.Accounts, a)
		if len(s.Accounts) == n {
			break
		}
	}
	CommenterEvidence(cr, s.Accounts, comments)
	return s
}

// CommenterEvidence sets each sampled commenter's Comments (the texts of its
// newest comments under the creator, up to model.MaxCommenterTexts) and
// SameText (the most other accounts that wrote one of its direct comments
// on a post word for word, after folding case, spaces, punctuation and
// emoji, under the same creator, among all the comments given). A text with
// fewer than minCopyLetters letters ("🔥", "Nice!") is not counted as
// copied, nor a reply in a conversation: many real people write those.
func CommenterEvidence(cr model.Creator, accounts []model.AudienceAccount, comments []model.Comment) {
	if len(accounts) == 0 {
		return
	}
	idx := make(map[string]int, len(accounts))
	for i := range accounts {
		idx[accounts[i].ID] = i
	}
	authors := map[string]map[string]bool{} // folded text → authors
	order := make([]int, 0, len(comments))
	for i, cm := range comments {
		if cm.ByCreator || cm.AuthorID == "" || cm.AuthorID == cr.ID {
			continue
		}
		order = append(order, i)
		if k := copyKey(cm); k != "" {
			if authors[k] == nil {
				authors[k] = map[string]bool{}
			}
			authors[k][cm.AuthorID] = true
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return comments[b].CreatedAt.Compare(comments[a].CreatedAt) })
	for i := range accounts {
		accounts[i].Comments, accounts[i].SameText = nil, new(int)
	}
	for _, ci := range order {
		cm := comments[ci]
		i, ok := idx[cm.AuthorID]
		if !ok {
			continue
		}
		a := &accounts[i]
		if len(a.Comments) < model.MaxCommenterTexts {
			a.Comments = append(a.Comments, cm.Text)
		}
		if k := copyKey(cm); k != "" {
			*a.SameText = max(*a.SameText, len(authors[k])-1)
		}
	}
}

// copyKey is the text of a direct comment on a post as compared for copies
// (foldText); "" for a reply in a conversation, where the same short
// agreement ("Same question!") is ordinary talk, not a stock phrase.
func copyKey(cm model.Comment) string {
	if cm.Depth > 1 {
		return ""
	}
	return foldText(cm.Text)
}

// minCopyLetters is how many letters a text needs to count as copied when
// other accounts wrote it too.
const minCopyLetters = 8

// foldText is the text as compared for copies: letters and digits in lower
// case, words separated by one space, emoji and punctuation dropped; "" when
// it has fewer than minCopyLetters letters.
func foldText(s string) string {
	var b strings.Builder
	letters, space := 0, false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
			if unicode.IsLetter(r) {
				letters++
			}
		default:
			space = true
		}
	}
	if letters < minCopyLetters {
		return ""
	}
	return b.String()
}
