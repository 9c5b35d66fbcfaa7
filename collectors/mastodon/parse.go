package mastodon

import (
	"encoding/json"
	"fmt"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/fields"
)

// The decoders below turn a response body into the entities and check the
// fields the collector relies on, member by member: a required field that is
// missing or of the wrong type is a *collectors.DriftError naming it, so a
// renamed followers_count never reads as 0 followers. Required are the
// fields Mastodon's Account and Status entities always carry (nullable ones
// such as in_reply_to_id must be present, null allowed); quotes_count
// (Mastodon 4.4+) may be absent and is only checked for a rename.

// wellFormed rejects an HTML page and invalid JSON with
// collectors.ErrMalformed, before the fields are checked.
func wellFormed(what, path string, body []byte) error {
	if httpx.IsHTML(body) || !json.Valid(body) {
		return decodeJSON(what, path, body, new(any))
	}
	return nil
}

// parseAccount decodes an Account answer (accounts/:id, accounts/lookup).
func parseAccount(what, path string, body []byte) (account, error) {
	var a account
	if err := wellFormed(what, path, body); err != nil {
		return a, err
	}
	o, err := fields.Parse(body, "GET "+path, "")
	if err != nil {
		return a, fmt.Errorf("%s: %w", what, err)
	}
	if err := checkAccount(o); err != nil {
		return a, fmt.Errorf("%s: %w", what, err)
	}
	return a, decodeJSON(what, path, body, &a)
}

func checkAccount(o fields.Object) error {
	for _, k := range []string{"id", "username", "acct", "created_at"} {
		if _, err := o.String(k); err != nil {
			return err
		}
	}
	for _, k := range []string{"followers_count", "following_count", "statuses_count"} {
		if _, err := o.Count(k); err != nil {
			return err
		}
	}
	return nil
}

// checkStatus checks a Status: its id, created_at, the presence of
// in_reply_to_id and reblog, the three counts, and the author's id.
func checkStatus(o fields.Object) error {
	for _, k := range []string{"id", "created_at"} {
		if _, err := o.String(k); err != nil {
			return err
		}
	}
	if err := o.Require("in_reply_to_id", "reblog", "content"); err != nil {
		return err
	}
	for _, k := range []string{"replies_count", "reblogs_count", "favourites_count"} {
		if _, err := o.Count(k); err != nil {
			return err
		}
	}
	if _, err := o.OptionalCount("quotes_count"); err != nil {
		return err
	}
	acct, err := o.Object("account")
	if err != nil {
		return err
	}
	_, err = acct.String("id")
	return err
}

// checkStatuses checks every Status of a JSON array at path.
func checkStatuses(raw []byte, where, path string) error {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return &collectors.DriftError{Where: where, Field: orTop(path), Got: "not an array"}
	}
	for i, item := range list {
		o, err := fields.Parse(item, where, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return err
		}
		if err := checkStatus(o); err != nil {
			return err
		}
	}
	return nil
}

func orTop(path string) string {
	if path == "" {
		return "the response"
	}
	return path
}

// parseStatuses decodes a list of statuses (accounts/:id/statuses).
func parseStatuses(what, path string, body []byte) ([]status, error) {
	if err := wellFormed(what, path, body); err != nil {
		return nil, err
	}
	if err := checkStatuses(body, "GET "+path, ""); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var sts []status
	return sts, decodeJSON(what, path, body, &sts)
}

// parseStatus decodes one Status: a streaming "update" or "status.update"
// event's data, checked field by field as each status of a timeline page
// is (checkStatus) and decoded into the same struct.
func parseStatus(what, path string, body []byte) (status, error) {
	var s status
	if err := wellFormed(what, path, body); err != nil {
		return s, err
	}
	o, err := fields.Parse(body, "GET "+path, "")
	if err != nil {
		return s, fmt.Errorf("%s: %w", what, err)
	}
	if err := checkStatus(o); err != nil {
		return s, fmt.Errorf("%s: %w", what, err)
	}
	return s, decodeJSON(what, path, body, &s)
}

// parseContext decodes statuses/:id/context; descendants must be there
// (Mastodon always sends the key, [] when empty) and each is checked.
func parseContext(what, path string, body []byte) (statusContext, error) {
	var sc statusContext
	if err := wellFormed(what, path, body); err != nil {
		return sc, err
	}
	o, err := fields.Parse(body, "GET "+path, "")
	if err != nil {
		return sc, fmt.Errorf("%s: %w", what, err)
	}
	raw, ok := o.Members["descendants"]
	if !ok {
		return sc, fmt.Errorf("%s: %w", what, o.Missing("descendants"))
	}
	if err := checkStatuses(raw, o.Where, "descendants"); err != nil {
		return sc, fmt.Errorf("%s: %w", what, err)
	}
	return sc, decodeJSON(what, path, body, &sc)
}
