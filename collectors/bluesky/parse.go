package bluesky

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/fields"
)

// The decoders below turn a response body into the lexicon types and check
// the fields the collector relies on, member by member: a required field that
// is missing or of the wrong type is a *collectors.DriftError naming it, so
// a renamed count never reads as 0. Required are the fields the AppView sends
// on every object (the lexicons mark the counts optional, but the AppView
// always fills them in, 0 included); quoteCount came later and may be
// absent, and createdAt on a profile is absent on some old accounts, so
// these two are only checked for a rename.

// wellFormed rejects an HTML page and invalid JSON with
// collectors.ErrMalformed, before the fields are checked.
func wellFormed(nsid string, body []byte) error {
	if httpx.IsHTML(body) {
		return fmt.Errorf("%s: got an HTML page instead of JSON: %w", nsid, collectors.ErrMalformed)
	}
	if !json.Valid(body) {
		return decode(nsid, body, new(any))
	}
	return nil
}

// parseProfile decodes an app.bsky.actor.getProfile answer.
func parseProfile(body []byte) (profileViewDetailed, error) {
	var p profileViewDetailed
	if err := wellFormed(nsidGetProfile, body); err != nil {
		return p, err
	}
	o, err := fields.Parse(body, nsidGetProfile, "")
	if err != nil {
		return p, err
	}
	if err := checkProfile(o); err != nil {
		return p, err
	}
	return p, decode(nsidGetProfile, body, &p)
}

func checkProfile(o fields.Object) error {
	for _, k := range []string{"did", "handle"} {
		if _, err := o.String(k); err != nil {
			return err
		}
	}
	for _, k := range []string{"followersCount", "followsCount", "postsCount"} {
		if _, err := o.Count(k); err != nil {
			return err
		}
	}
	return o.CheckOptional("createdAt")
}

// checkPost checks a #postView: its uri, author, record, record.createdAt
// and the like, reply and repost counts.
func checkPost(o fields.Object) error {
	if _, err := o.String("uri"); err != nil {
		return err
	}
	author, err := o.Object("author")
	if err != nil {
		return err
	}
	if _, err := author.String("did"); err != nil {
		return err
	}
	rec, err := o.Object("record")
	if err != nil {
		return err
	}
	if _, err := rec.String("createdAt"); err != nil {
		return err
	}
	for _, k := range []string{"likeCount", "replyCount", "repostCount"} {
		if _, err := o.Count(k); err != nil {
			return err
		}
	}
	if _, err := o.OptionalCount("quoteCount"); err != nil {
		return err
	}
	return o.CheckOptional("indexedAt")
}

// parseAuthorFeed decodes an app.bsky.feed.getAuthorFeed answer and checks
// every post in it.
func parseAuthorFeed(body []byte) (authorFeedResponse, error) {
	var resp authorFeedResponse
	if err := wellFormed(nsidGetAuthorFeed, body); err != nil {
		return resp, err
	}
	top, err := fields.Parse(body, nsidGetAuthorFeed, "")
	if err != nil {
		return resp, err
	}
	if !top.Has("feed") {
		return resp, top.Missing("feed")
	}
	if err := checkCursor(top); err != nil {
		return resp, err
	}
	var raw struct {
		Feed []json.RawMessage `json:"feed"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return resp, fmt.Errorf("%s: decoding feed: %w: %w", nsidGetAuthorFeed, collectors.ErrMalformed, err)
	}
	for i, item := range raw.Feed {
		it, err := fields.Parse(item, nsidGetAuthorFeed, fmt.Sprintf("feed[%d]", i))
		if err != nil {
			return resp, err
		}
		post, err := it.Object("post")
		if err != nil {
			return resp, err
		}
		if err := checkPost(post); err != nil {
			return resp, err
		}
	}
	return resp, decode(nsidGetAuthorFeed, body, &resp)
}

// checkCursor: cursor is absent on the last page, so its absence alone is
// not drift; but another key naming a cursor in its place (nextCursor,
// next_cursor, Cursor) is a rename that would silently end the paging.
func checkCursor(top fields.Object) error {
	if top.Has("cursor") {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(top.Members)) {
		if strings.Contains(strings.ToLower(k), "cursor") {
			return &collectors.DriftError{Where: top.Where, Field: "cursor", Alt: k}
		}
	}
	return nil
}

// parsePostThread decodes an app.bsky.feed.getPostThread answer and checks
// the anchor post and every reply post in the tree.
func parsePostThread(body []byte) (postThreadResponse, error) {
	var resp postThreadResponse
	if err := wellFormed(nsidGetPostThread, body); err != nil {
		return resp, err
	}
	top, err := fields.Parse(body, nsidGetPostThread, "")
	if err != nil {
		return resp, err
	}
	thread, err := top.Object("thread")
	if err != nil {
		return resp, err
	}
	if err := checkThread(thread, 0); err != nil {
		return resp, err
	}
	return resp, decode(nsidGetPostThread, body, &resp)
}

// maxThreadDepth bounds the recursion over a (hostile) deeply nested thread;
// the collector asks for at most 1000 levels.
const maxThreadDepth = 1100

func checkThread(node fields.Object, depth int) error {
	if depth > maxThreadDepth {
		return fmt.Errorf("%s: %s: nested deeper than %d: %w", node.Where, node.Path, maxThreadDepth, collectors.ErrMalformed)
	}
	var typ string
	if raw, ok := node.Members["$type"]; ok {
		_ = json.Unmarshal(raw, &typ)
	}
	if typ != "" && typ != typeThreadViewPost {
		return nil // #notFoundPost, #blockedPost or an unknown member: skipped
	}
	post, err := node.Object("post")
	if err != nil {
		return err
	}
	if err := checkPost(post); err != nil {
		return err
	}
	raw, ok := node.Members["replies"]
	if !ok {
		return nil // no replies loaded below this depth
	}
	var replies []json.RawMessage
	if err := json.Unmarshal(raw, &replies); err != nil {
		return node.WrongType("replies")
	}
	for i, r := range replies {
		child, err := fields.Parse(r, node.Where, fmt.Sprintf("%s.replies[%d]", node.Path, i))
		if err != nil {
			return err
		}
		if err := checkThread(child, depth+1); err != nil {
			return err
		}
	}
	return nil
}
