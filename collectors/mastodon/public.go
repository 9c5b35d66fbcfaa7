package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
// timeline. Unless options.streaming is "off", and unless the cursor pages
// back with max_id, it listens to the streaming API (streamPublic); in
// "auto" mode (the default) an instance that refuses the stream (401, 403,
// 404, or no connection) is polled instead (pollPublic), and the page's Via
// says which path was used and why.
func (c *Collector) discoverPublic(ctx context.Context, query, cursor string) (collectors.DiscoverPage, error) {
	back := cursor != "" && !strings.HasPrefix(cursor, minCursor)
	if c.stream.mode == StreamOff || back {
		page, err := c.pollPublic(ctx, query, cursor)
		page.Via = "polling " + pollWhat + " (streaming off)"
		if back {
			page.Via = "polling " + pollWhat + " (paging back with max_id)"
		}
		return page, err
	}
	page, err := c.streamPublic(ctx, query)
	var refused *StreamRefusedError
	if err == nil || c.stream.mode == StreamOn || !errors.As(err, &refused) || ctx.Err() != nil {
		return page, err
	}
	page, err = c.pollPublic(ctx, query, cursor)
	if err != nil {
		return page, fmt.Errorf("%w; polling instead: %w", refused, err)
	}
	page.Via = "polling " + pollWhat + ": " + refused.Error()
	return page, nil
}

// pollWhat names the polling path in DiscoverPage.Via.
const pollWhat = "/api/v1/timelines/public (min_id, 40 per page)"

// pollPublic reads the public timeline:
// GET /api/v1/timelines/public?limit=40[&local=true]. A first call reads
// the newest page and returns a forward cursor ("min:<id>" of the newest
// status); later calls read what was posted since with min_id, 40 per page,
// so a caller polling with the returned cursor sees every public post once.
// Instances that keep the timeline for signed-in users (timeline preview
// off: 422; authorized fetch: 401) fail with an error wrapping
// collectors.ErrAuthRequired that says so.
func (c *Collector) pollPublic(ctx context.Context, query, cursor string) (collectors.DiscoverPage, error) {
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
	if isLocal(query) {
		q.Set("local", "true")
	}
	minID, forward := strings.CutPrefix(cursor, minCursor)
	if forward {
		q.Set("min_id", minID)
	} else if cursor != "" {
		q.Set("max_id", cursor)
	}
	sts, h, err := c.publicPage(ctx, q)
	if err != nil {
		return collectors.DiscoverPage{}, err
	}
	var page collectors.DiscoverPage
	var found candidates
	newest := minID
	for _, s := range sts {
		if isNewer(s.ID, newest) {
			newest = s.ID
		}
		found.add(s)
	}
	page.Candidates = found.ids()
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

// publicPage is one page of GET /api/v1/timelines/public, each status
// checked by the same parser as every other timeline.
func (c *Collector) publicPage(ctx context.Context, q url.Values) ([]status, http.Header, error) {
	const what, path = "fetching the public timeline", "/api/v1/timelines/public"
	body, h, err := c.fetch(ctx, what, path, q)
	if err != nil {
		var he *collectors.HTTPError
		if errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusUnprocessableEntity) {
			return nil, nil, fmt.Errorf("mastodon public timeline: the instance shows it to signed-in users only (HTTP %d; timeline preview off or authorized fetch): set a token: %w", he.Status, collectors.ErrAuthRequired)
		}
		if errors.Is(err, collectors.ErrAuthRequired) {
			return nil, nil, fmt.Errorf("mastodon public timeline: the instance shows it to signed-in users only: set a token: %w", err)
		}
		if errors.Is(err, collectors.ErrForbidden) {
			return nil, nil, fmt.Errorf("mastodon public timeline: the instance shows it to signed-in users only: set a token: %w (%w)", collectors.ErrAuthRequired, err)
		}
		return nil, nil, err
	}
	sts, err := parseStatuses(what, path, body)
	if err != nil {
		return nil, nil, err
	}
	return sts, h, nil
}

func isLocal(query string) bool {
	return strings.EqualFold(strings.TrimSpace(query), QueryPublicLocal)
}

// candidates collects the distinct posting accounts of public statuses, in
// the order first seen: boosts, statuses without an author and accounts
// that opted out of indexing (noindex) are left out. A delete takes a
// status back; an account whose every seen status was deleted is no longer
// a candidate.
type candidates struct {
	order []string
	live  map[string]int    // account id → statuses seen and not deleted
	by    map[string]string // status id → account id
}

func (f *candidates) add(s status) bool {
	if s.isReblog() || s.Account.ID == "" || s.Account.Noindex {
		return false
	}
	if f.live == nil {
		f.live, f.by = map[string]int{}, map[string]string{}
	}
	if _, dup := f.by[s.ID]; dup && s.ID != "" {
		return false
	}
	if _, known := f.live[s.Account.ID]; !known {
		f.order = append(f.order, s.Account.ID)
	}
	f.live[s.Account.ID]++
	if s.ID != "" {
		f.by[s.ID] = s.Account.ID
	}
	return true
}

// remove applies the delete of a status; it reports whether the status
// was one of those collected.
func (f *candidates) remove(statusID string) bool {
	acct, ok := f.by[statusID]
	if !ok {
		return false
	}
	delete(f.by, statusID)
	f.live[acct]--
	return true
}

// ids are the candidates with at least one status not deleted.
func (f *candidates) ids() []string {
	out := make([]string, 0, len(f.order))
	for _, id := range f.order {
		if f.live[id] > 0 {
			out = append(out, id)
		}
	}
	return out
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
