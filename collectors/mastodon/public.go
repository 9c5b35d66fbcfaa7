package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
)

// Public-timeline discovery queries: the instance's federated ("public")
// or local ("public:local") timeline.
const (
	QueryPublic      = "public"
	QueryPublicLocal = "public:local"
)

// minCursor marks a forward (min_id) cursor of the public timeline.
const minCursor = "min:"

// isPublicQuery reports whether a Discover query asks for a public timeline.
func isPublicQuery(q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	return q == QueryPublic || q == QueryPublicLocal
}

// discoverPublic finds the accounts posting on the instance's public
// timeline: GET /api/v1/timelines/public?limit=40[&local=true]. A first
// call reads the newest page and returns a forward cursor ("min:<id>" of
// the newest status); later calls read what was posted since with min_id,
// 40 per page, so a caller polling with the returned cursor sees every
// public post once. Instances that keep the timeline for signed-in users
// (timeline preview off: 422; authorized fetch: 401) fail with an error
// wrapping collectors.ErrAuthRequired that says so.
func (c *Collector) discoverPublic(ctx context.Context, query, cursor string) (collectors.DiscoverPage, error) {
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
	if strings.EqualFold(strings.TrimSpace(query), QueryPublicLocal) {
		q.Set("local", "true")
	}
	minID, forward := strings.CutPrefix(cursor, minCursor)
	if forward {
		q.Set("min_id", minID)
	} else if cursor != "" {
		q.Set("max_id", cursor)
	}
	var sts []status
	h, err := c.get(ctx, "fetching the public timeline", "/api/v1/timelines/public", q, &sts)
	if err != nil {
		var he *collectors.HTTPError
		if errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusUnprocessableEntity) {
			return collectors.DiscoverPage{}, fmt.Errorf("mastodon public timeline: the instance shows it to signed-in users only (HTTP %d; timeline preview off or authorized fetch): set a token: %w", he.Status, collectors.ErrAuthRequired)
		}
		if errors.Is(err, collectors.ErrAuthRequired) {
			return collectors.DiscoverPage{}, fmt.Errorf("mastodon public timeline: the instance shows it to signed-in users only: set a token: %w", err)
		}
		if errors.Is(err, collectors.ErrForbidden) {
			return collectors.DiscoverPage{}, fmt.Errorf("mastodon public timeline: the instance shows it to signed-in users only: set a token: %w (%w)", collectors.ErrAuthRequired, err)
		}
		return collectors.DiscoverPage{}, err
	}
	var page collectors.DiscoverPage
	newest := minID
	for _, s := range sts {
		if isNewer(s.ID, newest) {
			newest = s.ID
		}
		if s.isReblog() || s.Account.ID == "" || s.Account.Noindex {
			continue
		}
		if !slices.Contains(page.Candidates, s.Account.ID) {
			page.Candidates = append(page.Candidates, s.Account.ID)
		}
	}
	switch {
	case len(sts) == 0:
		page.Next = "" // nothing new: the caller polls again later with its cursor
	case newest != "":
		page.Next = minCursor + newest
	}
	if !forward && cursor != "" {
		page.Next = next(h, cursor) // paging back with max_id
	}
	return page, nil
}

// isNewer compares Mastodon's numeric (snowflake) ids.
func isNewer(a, b string) bool {
	if b == "" {
		return a != ""
	}
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}
