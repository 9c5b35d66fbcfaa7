package youtube

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// channelsBatchMax is how many ids one channels.list call takes (1 quota unit).
const channelsBatchMax = 50

var _ collectors.AudienceSampler = (*Collector)(nil)

// Audience samples the creator's audience from its commenters (YouTube lists
// no subscribers): the distinct channels among comments, up to n, looked up
// with channels.list in batches of 50 ids. YouTube shows no following count
// and gives every channel a thumbnail (a letter on a colour when none was
// uploaded), so following and avatar stay unknown; a viewer's activity is
// its comments, not its uploads, so posts stay unknown too.
func (c *Collector) Audience(ctx context.Context, cr model.Creator, n int, comments []model.Comment) (model.AudienceSample, error) {
	s := model.AudienceSample{CreatorKey: cr.Key(), Source: model.AudienceCommenters, SampledAt: c.now().UTC()}
	if c.rssOnly {
		return s, nil // the feed has no commenters
	}
	var ids []string
	seen := map[string]bool{"": true, cr.ID: true}
	for _, cm := range comments {
		if cm.ByCreator || seen[cm.AuthorID] || !isChannelID(cm.AuthorID) || len(ids) >= n {
			continue
		}
		seen[cm.AuthorID] = true
		ids = append(ids, cm.AuthorID)
	}
	for i := 0; i < len(ids); i += channelsBatchMax {
		batch := ids[i:min(i+channelsBatchMax, len(ids))]
		q := url.Values{"part": {"snippet,statistics"}, "id": {strings.Join(batch, ",")}, "maxResults": {"50"}}
		var resp channelListResponse
		s.Requests++
		if err := c.get(ctx, resChannels, q, &resp); err != nil {
			return s, fmt.Errorf("sampling the commenters of %s: %w", cr.ID, err)
		}
		for _, ch := range resp.Items {
			a, err := audienceChannel(ch)
			if err != nil {
				return s, fmt.Errorf("sampling the commenters of %s: %w", cr.ID, err)
			}
			s.Accounts = append(s.Accounts, a)
		}
	}
	collectors.CommenterEvidence(cr, s.Accounts, comments)
	return s, nil
}

// audienceChannel maps a channel resource to an audience account.
func audienceChannel(ch channelResource) (model.AudienceAccount, error) {
	const what = "channels.list"
	if ch.ID == "" {
		return model.AudienceAccount{}, fmt.Errorf("youtube %s: a channel without id: %w", what, collectors.ErrMalformed)
	}
	a := model.AudienceAccount{ID: ch.ID}
	owner := "channel " + ch.ID
	if ch.Snippet != nil {
		a.Handle = ch.Snippet.CustomURL
		a.DisplayName = model.S(ch.Snippet.Title)
		a.Bio = model.S(ch.Snippet.Description)
		if !ch.Snippet.PublishedAt.IsZero() {
			a.CreatedAt = model.T(ch.Snippet.PublishedAt.UTC())
		}
	}
	if ch.Statistics != nil {
		var err error
		if a.Followers, err = statCount(ch.Statistics, "subscriberCount", what, owner); err != nil {
			return a, err
		}
		// videoCount is left out: most real viewers upload nothing, so it
		// says nothing about whether a commenter is active.
	}
	return a, nil
}
