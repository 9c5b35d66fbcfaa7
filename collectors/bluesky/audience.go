package bluesky

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// Followers pages hold at most 100 profileViews (app.bsky.graph.getFollowers);
// getProfiles takes at most 25 actors.
const (
	followersPageMax = 100
	profilesBatchMax = 25
)

var _ collectors.AudienceSampler = (*Client)(nil)

// audienceProfile is the part of app.bsky.actor.defs#profileView(Detailed)
// the audience sample reads. Counts are pointers: a profileView in a follower
// list has none, and a count the AppView leaves out is unknown, not zero.
type audienceProfile struct {
	DID            string  `json:"did"`
	Handle         string  `json:"handle"`
	DisplayName    *string `json:"displayName"`
	Description    *string `json:"description"`
	Avatar         *string `json:"avatar"`
	FollowersCount *int64  `json:"followersCount"`
	FollowsCount   *int64  `json:"followsCount"`
	PostsCount     *int64  `json:"postsCount"`
	CreatedAt      string  `json:"createdAt"`
	Labels         []label `json:"labels"`
}

// followersResponse is app.bsky.graph.getFollowers' output.
type followersResponse struct {
	Subject   audienceProfile   `json:"subject"`
	Followers []audienceProfile `json:"followers"`
	Cursor    string            `json:"cursor"`
}

// profilesResponse is app.bsky.actor.getProfiles' output.
type profilesResponse struct {
	Profiles []audienceProfile `json:"profiles"`
}

// Audience samples the creator's newest n followers: getFollowers (100 a
// page) for who they are, then getProfiles (25 a call) for their follower,
// follow and post counts. comments are not needed on Bluesky.
func (c *Client) Audience(ctx context.Context, cr model.Creator, n int, _ []model.Comment) (model.AudienceSample, error) {
	s := model.AudienceSample{CreatorKey: cr.Key(), Source: model.AudienceFollowers, Total: cr.Followers, SampledAt: c.now().UTC()}
	if n <= 0 {
		return s, nil
	}
	actor := firstNonEmpty(cr.ID, normalizeActor(cr.Handle))
	if actor == "" {
		return s, fmt.Errorf("sampling bluesky followers: %w", errEmptyActor)
	}
	var views []audienceProfile
	seen := map[string]bool{"": true}
	cursor := ""
	for len(views) < n {
		q := url.Values{"actor": {actor}, "limit": {strconv.Itoa(min(followersPageMax, n-len(views)))}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var resp followersResponse
		s.Requests++
		if err := c.get(ctx, c.base, nsidGetFollowers, q, nil, &resp); err != nil {
			return s, fmt.Errorf("fetching bluesky followers of %q: %w", actor, err)
		}
		for _, f := range resp.Followers {
			if !seen[f.DID] && len(views) < n {
				seen[f.DID] = true
				views = append(views, f)
			}
		}
		if resp.Cursor == "" || resp.Cursor == cursor || len(resp.Followers) == 0 {
			break
		}
		cursor = resp.Cursor
	}
	// Counts: profileViews carry none, so ask getProfiles in batches of 25.
	detailed := make(map[string]audienceProfile, len(views))
	for i := 0; i < len(views); i += profilesBatchMax {
		q := url.Values{}
		for _, v := range views[i:min(i+profilesBatchMax, len(views))] {
			q.Add("actors", v.DID)
		}
		var resp profilesResponse
		s.Requests++
		if err := c.get(ctx, c.base, nsidGetProfiles, q, nil, &resp); err != nil {
			return s, fmt.Errorf("fetching bluesky profiles of %q's followers: %w", actor, err)
		}
		for _, p := range resp.Profiles {
			detailed[p.DID] = p
		}
	}
	for _, v := range views {
		if d, ok := detailed[v.DID]; ok {
			v = d // a profile getProfiles no longer returns keeps its view, counts unknown
		}
		s.Accounts = append(s.Accounts, audienceAccount(v))
	}
	return s, nil
}

// audienceAccount maps a profile to an audience account. Bluesky shows no
// private flag and no link field: those stay unknown. An absent avatar or
// description on a profile view means the account has none.
func audienceAccount(p audienceProfile) model.AudienceAccount {
	a := model.AudienceAccount{
		ID: p.DID, Handle: p.Handle,
		HasAvatar:   model.B(p.Avatar != nil && *p.Avatar != ""),
		DisplayName: model.S(deref(p.DisplayName)),
		Bio:         model.S(deref(p.Description)),
		Followers:   p.FollowersCount, Following: p.FollowsCount, Posts: p.PostsCount,
	}
	if len(findLinks(deref(p.Description))) > 0 {
		a.HasLink = model.B(true)
	}
	if t := parseTime(p.CreatedAt); !t.IsZero() {
		a.CreatedAt = model.T(t)
	}
	return a
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
