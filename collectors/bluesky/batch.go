package bluesky

import (
	"context"
	"fmt"
	"net/url"

	"github.com/nanoscout/nanoscout/model"
)

// BatchSize is the most actors getProfiles and the most URIs getPosts
// take in one call.
const BatchSize = 25

// detailedProfilesResponse is getProfiles' output with the full
// profileViewDetailed (audience.go reads the same call more narrowly).
type detailedProfilesResponse struct {
	Profiles []profileViewDetailed `json:"profiles"`
}

type postsResponse struct {
	Posts []postView `json:"posts"`
}

// Profiles fetches profiles by DID or handle, 25 per getProfiles call. An
// account that does not exist (any more) is missing from the result, as
// from the response; the result is in response order.
func (c *Client) Profiles(ctx context.Context, actors []string) ([]model.Creator, error) {
	var out []model.Creator
	for start := 0; start < len(actors); start += BatchSize {
		part := actors[start:min(start+BatchSize, len(actors))]
		q := url.Values{}
		for _, a := range part {
			if a = normalizeActor(a); a != "" {
				q.Add("actors", a)
			}
		}
		if len(q["actors"]) == 0 {
			continue
		}
		var resp detailedProfilesResponse
		if err := c.get(ctx, c.base, nsidGetProfiles, q, nil, &resp); err != nil {
			return out, fmt.Errorf("fetching %d bluesky profiles: %w", len(part), err)
		}
		for _, p := range resp.Profiles {
			if p.DID != "" {
				out = append(out, c.creator(p))
			}
		}
	}
	return out, nil
}

// PostsByURI fetches posts by at-uri with their current counts, 25 per
// getPosts call. Deleted posts are missing from the result.
func (c *Client) PostsByURI(ctx context.Context, uris []string) ([]model.Post, error) {
	var out []model.Post
	now := c.now().UTC()
	for start := 0; start < len(uris); start += BatchSize {
		part := uris[start:min(start+BatchSize, len(uris))]
		q := url.Values{"uris": part}
		var resp postsResponse
		if err := c.get(ctx, c.base, nsidGetPosts, q, nil, &resp); err != nil {
			return out, fmt.Errorf("fetching %d bluesky posts: %w", len(part), err)
		}
		for _, v := range resp.Posts {
			if v.URI == "" {
				continue
			}
			p := toPost(v)
			p.FetchedAt = now
			out = append(out, p)
		}
	}
	return out, nil
}
