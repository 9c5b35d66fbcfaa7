package mastodon

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

var _ collectors.AudienceSampler = (*Collector)(nil)

// audienceAccount is the part of Mastodon's Account entity the audience
// sample reads; counts are pointers so that a server leaving one out gives
// "unknown", not 0.
type audienceAccount struct {
	ID             string  `json:"id"`
	Username       string  `json:"username"`
	Acct           string  `json:"acct"`
	DisplayName    *string `json:"display_name"`
	Note           *string `json:"note"`
	Avatar         *string `json:"avatar"`
	Locked         *bool   `json:"locked"`
	Bot            *bool   `json:"bot"`
	CreatedAt      string  `json:"created_at"`
	FollowersCount *int64  `json:"followers_count"`
	FollowingCount *int64  `json:"following_count"`
	StatusesCount  *int64  `json:"statuses_count"`
	LastStatusAt   *string `json:"last_status_at"` // a date (YYYY-MM-DD), null when it never posted
	Fields         []struct {
		Value string `json:"value"`
	} `json:"fields"`
}

// Audience samples the creator's newest n followers with
// GET /api/v1/accounts/:id/followers (40 full accounts a page, max_id from
// the Link header). Accounts that hide their followers return an empty sample.
func (c *Collector) Audience(ctx context.Context, cr model.Creator, n int, _ []model.Comment) (model.AudienceSample, error) {
	s := model.AudienceSample{CreatorKey: cr.Key(), Source: model.AudienceFollowers, Total: cr.Followers, SampledAt: c.now().UTC()}
	if n <= 0 {
		return s, nil
	}
	if cr.ID == "" {
		return s, fmt.Errorf("sampling mastodon followers of %q: creator has no account id", cr.Handle)
	}
	seen := map[string]bool{"": true, cr.ID: true}
	cursor := ""
	for len(s.Accounts) < n {
		q := url.Values{"limit": {strconv.Itoa(min(n-len(s.Accounts), pageLimit))}}
		if cursor != "" {
			q.Set("max_id", cursor)
		}
		var accts []audienceAccount
		s.Requests++
		h, err := c.get(ctx, fmt.Sprintf("fetching followers of %s", cr.ID),
			"/api/v1/accounts/"+url.PathEscape(cr.ID)+"/followers", q, &accts)
		if err != nil {
			return s, err
		}
		for _, a := range accts {
			if !seen[a.ID] && len(s.Accounts) < n {
				seen[a.ID] = true
				s.Accounts = append(s.Accounts, toAudience(a))
			}
		}
		cursor = next(h, cursor)
		if cursor == "" || len(accts) == 0 {
			break
		}
	}
	return s, nil
}

// toAudience maps an Account entity. Mastodon serves a default image named
// missing.png to accounts without an avatar.
func toAudience(a audienceAccount) model.AudienceAccount {
	out := model.AudienceAccount{
		ID: a.ID, Handle: firstNonEmpty(a.Acct, a.Username),
		Followers: a.FollowersCount, Following: a.FollowingCount, Posts: a.StatusesCount,
		Private: a.Locked, Bot: a.Bot,
	}
	if a.Avatar != nil {
		out.HasAvatar = model.B(*a.Avatar != "" && !strings.HasSuffix(*a.Avatar, "/missing.png"))
	}
	if a.DisplayName != nil {
		out.DisplayName = model.S(*a.DisplayName)
	}
	if a.Note != nil {
		out.Bio = model.S(HTMLToText(*a.Note))
	}
	link := false
	for _, f := range a.Fields {
		link = link || len(hrefs(f.Value)) > 0
	}
	out.HasLink = model.B(link || (a.Note != nil && len(hrefs(*a.Note)) > 0))
	if t, err := time.Parse(time.RFC3339, a.CreatedAt); err == nil {
		out.CreatedAt = model.T(t.UTC())
	}
	if a.LastStatusAt != nil {
		if t, err := time.Parse("2006-01-02", *a.LastStatusAt); err == nil {
			out.LastPostAt = model.T(t)
		}
	} // null: it never posted (or the server does not say); the time stays unknown

	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
