package collectors

import (
	"slices"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// CommenterSample is the audience sample of a platform that lists no
// followers but shows each commenter's profile fields with the comment
// (TikTok, Instagram): the distinct authors of the newest comments, up to n,
// the creator left out, each with the fields its comment carried
// (model.Comment.Author) and nothing else, so a field the payload does not
// show stays unknown. It makes no request. Comments without a profile
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
	return s
}
