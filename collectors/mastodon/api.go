package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
)

// account is the part of Mastodon's Account entity the collector reads.
type account struct {
	ID             string    `json:"id"`
	Username       string    `json:"username"`
	Acct           string    `json:"acct"`
	DisplayName    string    `json:"display_name"`
	Note           string    `json:"note"`
	URL            string    `json:"url"`
	Avatar         string    `json:"avatar"`
	Locked         bool      `json:"locked"`
	Bot            bool      `json:"bot"`
	CreatedAt      time.Time `json:"created_at"`
	FollowersCount int64     `json:"followers_count"`
	FollowingCount int64     `json:"following_count"`
	StatusesCount  int64     `json:"statuses_count"`
	// Noindex is the "opt out of search engine indexing" profile setting.
	// Servers send it for local accounts only; absent means false.
	Noindex bool `json:"noindex"`
	Fields  []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
}

// status is the part of Mastodon's Status entity the collector reads.
type status struct {
	ID              string          `json:"id"`
	CreatedAt       time.Time       `json:"created_at"`
	InReplyToID     *string         `json:"in_reply_to_id"`
	URL             *string         `json:"url"`
	URI             string          `json:"uri"`
	Content         string          `json:"content"`
	Language        *string         `json:"language"`
	RepliesCount    int64           `json:"replies_count"`
	ReblogsCount    int64           `json:"reblogs_count"`
	FavouritesCount int64           `json:"favourites_count"`
	QuotesCount     *int64          `json:"quotes_count"` // Mastodon 4.4+; absent before
	Reblog          json.RawMessage `json:"reblog"`
	Account         account         `json:"account"`
	Tags            []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

// isReblog reports whether the status is a boost of another status.
func (s status) isReblog() bool {
	r := strings.TrimSpace(string(s.Reblog))
	return r != "" && r != "null"
}

// link is the status's web address, falling back to its ActivityPub URI.
func (s status) link() string {
	if s.URL != nil && *s.URL != "" {
		return *s.URL
	}
	return s.URI
}

// statusContext is the answer of GET /api/v1/statuses/:id/context.
type statusContext struct {
	Ancestors   []status `json:"ancestors"`
	Descendants []status `json:"descendants"`
}

// apiError is Mastodon's error body, {"error": "..."}.
type apiError struct {
	Error string `json:"error"`
}

// get fetches an API path (starting with /api/) with query parameters and
// decodes the JSON answer into out. what names the call in errors. It returns
// the response headers for Link pagination.
func (c *Collector) get(ctx context.Context, what, path string, q url.Values, out any) (http.Header, error) {
	body, h, err := c.fetch(ctx, what, path, q)
	if err != nil {
		return nil, err
	}
	if err := decodeJSON(what, path, body, out); err != nil {
		return nil, err
	}
	return h, nil
}

// decodeJSON unmarshals a JSON answer: an HTML page or invalid JSON is
// collectors.ErrMalformed, a field of the wrong type a
// *collectors.DriftError naming it.
func decodeJSON(what, path string, body []byte, out any) error {
	if httpx.IsHTML(body) {
		return fmt.Errorf("%s (GET %s): got an HTML page instead of JSON: %w", what, path, collectors.ErrMalformed)
	}
	if err := json.Unmarshal(body, out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%s: %w", what, &collectors.DriftError{Where: "GET " + path, Field: te.Field, Got: "a " + te.Value})
		}
		return fmt.Errorf("%s (GET %s): decoding JSON: %w: %v", what, path, collectors.ErrMalformed, err)
	}
	return nil
}

// fetch gets an API path and returns the body and headers of a successful
// answer.
func (c *Collector) fetch(ctx context.Context, what, path string, q url.Values) ([]byte, http.Header, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var h http.Header
	if c.token != "" {
		h = http.Header{"Authorization": {"Bearer " + c.token}}
	}
	resp, err := c.http.Get(ctx, u, h)
	if err != nil {
		if resp != nil {
			if msg := serverMessage(resp.Body); msg != "" {
				return nil, nil, fmt.Errorf("%s: %w (%q)", what, err, msg)
			}
		}
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	return resp.Body, resp.Header, nil
}

// serverMessage returns the "error" text of a Mastodon error body, if any.
func serverMessage(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error
}

// nextMaxID returns the max_id of the rel="next" link in a Link header, or ""
// when there is no next page.
func nextMaxID(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, l := range parseLinks(v) {
			if !l.has("next") {
				continue
			}
			u, err := url.Parse(l.target)
			if err != nil {
				continue
			}
			return u.Query().Get("max_id")
		}
	}
	return ""
}

type webLink struct {
	target string
	rels   []string
}

func (l webLink) has(rel string) bool {
	for _, r := range l.rels {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

// parseLinks parses an RFC 8288 Link header value such as
// `<https://…?max_id=1>; rel="next", <https://…?min_id=2>; rel="prev"`.
func parseLinks(v string) []webLink {
	var out []webLink
	for {
		start := strings.IndexByte(v, '<')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(v[start:], '>')
		if end < 0 {
			return out
		}
		l := webLink{target: strings.TrimSpace(v[start+1 : start+end])}
		v = v[start+end+1:]
		// The parameters run to the next link, which starts with ", <".
		params := v
		if next := strings.IndexByte(v, '<'); next >= 0 {
			params = v[:next]
		}
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			val = strings.TrimSpace(val)
			val = strings.TrimRight(val, ", ")
			val = strings.Trim(val, `"`)
			l.rels = append(l.rels, strings.Fields(val)...)
		}
		out = append(out, l)
	}
}
