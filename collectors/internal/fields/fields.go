// Package fields reads JSON objects member by member, so that a collector
// tells a missing member, a null and a zero apart. A required member that is
// missing or of the wrong type is a *collectors.DriftError naming the member
// (and a differently spelt key found in its place), never a silent zero.
package fields

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
)

// Object is one decoded JSON object with its place in the response, for
// errors: Where names the endpoint, Path the object inside it ("" for the
// top level, e.g. "feed[3].post").
type Object struct {
	Members map[string]json.RawMessage
	Where   string
	Path    string
}

// Parse decodes raw as a JSON object. Anything else (null, an array, a
// string) is a DriftError at path.
func Parse(raw []byte, where, path string) (Object, error) {
	o := Object{Where: where, Path: path}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return o, &collectors.DriftError{Where: where, Field: orTop(path), Got: describe(t)}
	}
	if err := json.Unmarshal(t, &o.Members); err != nil {
		return o, fmt.Errorf("%s: %s: %w: %v", where, orTop(path), collectors.ErrMalformed, err)
	}
	return o, nil
}

func orTop(path string) string {
	if path == "" {
		return "the response"
	}
	return path
}

// field is the path of member key.
func (o Object) field(key string) string {
	if o.Path == "" {
		return key
	}
	return o.Path + "." + key
}

// Has reports whether key is present (null counts as present).
func (o Object) Has(key string) bool {
	_, ok := o.Members[key]
	return ok
}

// Missing is the DriftError for a member the collector needs and did not
// find, naming a similarly spelt key when one is there (a rename).
func (o Object) Missing(key string) error {
	return &collectors.DriftError{Where: o.Where, Field: o.field(key), Alt: SimilarKey(o.Members, key)}
}

// WrongType is the DriftError for a member whose value the collector cannot
// read.
func (o Object) WrongType(key string) error {
	return &collectors.DriftError{Where: o.Where, Field: o.field(key), Got: describe(o.Members[key])}
}

// Require checks that every key is present; null is allowed (Mastodon's
// in_reply_to_id is null on a top-level status, but always sent).
func (o Object) Require(keys ...string) error {
	for _, k := range keys {
		if !o.Has(k) {
			return o.Missing(k)
		}
	}
	return nil
}

// Object returns member key as an Object: missing, null or not an object is
// a DriftError.
func (o Object) Object(key string) (Object, error) {
	raw, ok := o.Members[key]
	if !ok {
		return Object{}, o.Missing(key)
	}
	return Parse(raw, o.Where, o.field(key))
}

// String returns a required string member; missing, null or another type
// is a DriftError.
func (o Object) String(key string) (string, error) {
	raw, ok := o.Members[key]
	if !ok {
		return "", o.Missing(key)
	}
	var s string
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '"' || json.Unmarshal(t, &s) != nil {
		return "", o.WrongType(key)
	}
	return s, nil
}

// Count returns a required count: a JSON number that is a whole number, 0
// or more. A missing member, null, a string or a negative or fractional
// number is a DriftError naming the member.
func (o Object) Count(key string) (int64, error) {
	raw, ok := o.Members[key]
	if !ok {
		return 0, o.Missing(key)
	}
	n, ok := count(raw)
	if !ok {
		return 0, o.WrongType(key)
	}
	return n, nil
}

// OptionalCount returns a count the platform may leave out: nil when the
// member is absent or null, unless a similarly spelt key is there instead
// (a rename: drift). A value of the wrong type is a DriftError.
func (o Object) OptionalCount(key string) (*int64, error) {
	raw, ok := o.Members[key]
	if !ok || isNull(raw) {
		if !ok && SimilarKey(o.Members, key) != "" {
			return nil, o.Missing(key)
		}
		return nil, nil
	}
	n, ok := count(raw)
	if !ok {
		return nil, o.WrongType(key)
	}
	return &n, nil
}

// CheckOptional returns a DriftError when key is absent but a similarly
// spelt key is present: an optional member that was renamed.
func (o Object) CheckOptional(keys ...string) error {
	for _, k := range keys {
		if !o.Has(k) && SimilarKey(o.Members, k) != "" {
			return o.Missing(k)
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// maxCount is the largest count accepted: 2^53, where float64 stops being
// exact (no platform has that many of anything).
const maxCount = 1 << 53

// count reads a JSON number that is a whole number in [0, 2^53].
func count(raw json.RawMessage) (int64, bool) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, n >= 0 && n <= maxCount
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || f < 0 || f > maxCount {
		return 0, false
	}
	return int64(f), true
}

// describe names what a value is, for a wrong-type error.
func describe(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	kind := "a number"
	switch t[0] {
	case '"':
		kind = "a string"
	case '{':
		kind = "an object"
	case '[':
		kind = "an array"
	case 't', 'f':
		kind = "a boolean"
	case 'n':
		return "null"
	}
	s := string(t)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%s (%s)", kind, strconv.Quote(s))
}

// SimilarKey returns a key of m, other than field itself, that names the
// same thing in another spelling (case, '_' or '-': followers_count for
// followersCount), or "".
func SimilarKey(m map[string]json.RawMessage, field string) string {
	want := normKey(field)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k != field && normKey(k) == want {
			return k
		}
	}
	return ""
}

var keyReplacer = strings.NewReplacer("_", "", "-", "")

func normKey(s string) string { return keyReplacer.Replace(strings.ToLower(s)) }
