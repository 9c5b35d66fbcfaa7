package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/internal/fields"
	"github.com/nanoscout/nanoscout/model"
)

// BatchSize is the most actors getProfiles and the most URIs getPosts
// take in one call.
const BatchSize = 25

type postsResponse struct {
	Posts []postView `json:"posts"`
}

// parseProfiles decodes a getProfiles answer and checks every profile like
// getProfile's. It returns the profiles that pass, and the error of the
// first that does not (a *collectors.DriftError naming the field), so a
// renamed count never reads as 0. An answer that is not JSON, or has no
// profiles list, is an error on its own.
func parseProfiles(body []byte) ([]profileViewDetailed, error, error) {
	if err := wellFormed(nsidGetProfiles, body); err != nil {
		return nil, nil, err
	}
	top, err := fields.Parse(body, nsidGetProfiles, "")
	if err != nil {
		return nil, nil, err
	}
	if !top.Has("profiles") {
		return nil, nil, top.Missing("profiles")
	}
	var raw struct {
		Profiles []json.RawMessage `json:"profiles"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, nil, fmt.Errorf("%s: decoding profiles: %w: %w", nsidGetProfiles, collectors.ErrMalformed, err)
	}
	var out []profileViewDetailed
	var bad error
	for i, item := range raw.Profiles {
		o, err := fields.Parse(item, nsidGetProfiles, fmt.Sprintf("profiles[%d]", i))
		if err == nil {
			err = checkProfile(o)
		}
		var p profileViewDetailed
		if err == nil {
			err = decode(nsidGetProfiles, item, &p)
		}
		if err != nil {
			if bad == nil {
				bad = err
			}
			continue
		}
		out = append(out, p)
	}
	return out, bad, nil
}

// profilesOnce is one getProfiles call: the profiles that passed the checks
// and the first check that failed.
func (c *Client) profilesOnce(ctx context.Context, actors []string) ([]model.Creator, error, error) {
	q := url.Values{}
	for _, a := range actors {
		if a = normalizeActor(a); a != "" {
			q.Add("actors", a)
		}
	}
	if len(q["actors"]) == 0 {
		return nil, nil, nil
	}
	body, err := c.fetch(ctx, c.base, nsidGetProfiles, q, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching %d bluesky profiles: %w", len(actors), err)
	}
	ps, bad, err := parseProfiles(body)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching %d bluesky profiles: %w", len(actors), err)
	}
	out := make([]model.Creator, 0, len(ps))
	for _, p := range ps {
		if p.DID != "" {
			out = append(out, c.creator(p))
		}
	}
	return out, bad, nil
}

// Profiles fetches profiles by DID or handle, 25 per getProfiles call. An
// account that does not exist (any more) is missing from the result, as
// from the response; the result is in response order. A profile whose
// fields changed fails its batch (the error names the field): leaving it
// out would read as "not found".
func (c *Client) Profiles(ctx context.Context, actors []string) ([]model.Creator, error) {
	var out []model.Creator
	for start := 0; start < len(actors); start += BatchSize {
		part := actors[start:min(start+BatchSize, len(actors))]
		got, bad, err := c.profilesOnce(ctx, part)
		if err == nil && bad != nil {
			err = fmt.Errorf("fetching %d bluesky profiles: %w", len(part), bad)
		}
		if err != nil {
			return out, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// BatchSize is the most names one ProfileBatch call takes
// (collectors.BatchProfiler).
func (c *Client) BatchSize() int { return BatchSize }

// ProfileBatch fetches up to BatchSize profiles with one getProfiles call
// and maps each name asked for (handle, DID, "@handle" or profile link) to
// its profile. Names the AppView did not return, and profiles whose fields
// changed, are missing from the map (Profile on them says why).
func (c *Client) ProfileBatch(ctx context.Context, names []string) (map[string]model.Creator, error) {
	if len(names) > BatchSize {
		return nil, fmt.Errorf("fetching bluesky profiles: %d names, at most %d per call", len(names), BatchSize)
	}
	got, _, err := c.profilesOnce(ctx, names)
	if err != nil {
		return nil, err
	}
	byActor := make(map[string]model.Creator, 2*len(got))
	for _, cr := range got {
		byActor[cr.ID] = cr
		byActor[strings.ToLower(cr.Handle)] = cr
	}
	out := make(map[string]model.Creator, len(names))
	for _, n := range names {
		a := normalizeActor(n)
		if !strings.HasPrefix(a, "did:") {
			a = strings.ToLower(a)
		}
		if cr, ok := byActor[a]; ok && a != "" {
			out[n] = cr
		}
	}
	return out, nil
}

// parsePosts decodes a getPosts answer and checks every post like the feed's.
func parsePosts(body []byte) (postsResponse, error) {
	var resp postsResponse
	if err := wellFormed(nsidGetPosts, body); err != nil {
		return resp, err
	}
	top, err := fields.Parse(body, nsidGetPosts, "")
	if err != nil {
		return resp, err
	}
	if !top.Has("posts") {
		return resp, top.Missing("posts")
	}
	var raw struct {
		Posts []json.RawMessage `json:"posts"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return resp, fmt.Errorf("%s: decoding posts: %w: %w", nsidGetPosts, collectors.ErrMalformed, err)
	}
	for i, item := range raw.Posts {
		o, err := fields.Parse(item, nsidGetPosts, fmt.Sprintf("posts[%d]", i))
		if err != nil {
			return resp, err
		}
		if err := checkPost(o); err != nil {
			return resp, err
		}
	}
	return resp, decode(nsidGetPosts, body, &resp)
}

// PostsByURI fetches posts by at-uri with their current counts, 25 per
// getPosts call. Deleted posts are missing from the result; a post whose
// fields changed fails its batch (the error names the field).
func (c *Client) PostsByURI(ctx context.Context, uris []string) ([]model.Post, error) {
	var out []model.Post
	now := c.now().UTC()
	for start := 0; start < len(uris); start += BatchSize {
		part := uris[start:min(start+BatchSize, len(uris))]
		q := url.Values{"uris": part}
		body, err := c.fetch(ctx, c.base, nsidGetPosts, q, nil)
		if err == nil {
			var resp postsResponse
			resp, err = parsePosts(body)
			for _, v := range resp.Posts {
				if v.URI == "" {
					continue
				}
				p := toPost(v)
				p.FetchedAt = now
				out = append(out, p)
			}
		}
		if err != nil {
			return out, fmt.Errorf("fetching %d bluesky posts: %w", len(part), err)
		}
	}
	return out, nil
}
