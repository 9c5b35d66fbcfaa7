package fixturetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

// Seed adds testdata/<name> for each name to the fuzz corpus: the recorded
// fixtures. (Crashers the fuzzer found live in testdata/fuzz/<FuzzName>/ and
// are run by go test on their own.)
func Seed(f *testing.F, names ...string) {
	f.Helper()
	for _, n := range names {
		f.Add(Read(f, n))
	}
}

// SeedMutations adds, for every seed file, the variants that schema drift
// and truncation produce: each key renamed to snake_case / camelCase, and
// the body cut in half. They start the fuzzer next to the interesting
// inputs.
func SeedMutations(f *testing.F, names ...string) {
	f.Helper()
	for _, n := range names {
		b := Read(f, n)
		f.Add(b[:len(b)/2])
		for _, rn := range [][2]string{
			{`"followersCount":`, `"followers_count":`}, {`"followers_count":`, `"followersCount":`},
			{`"likeCount":`, `"like_count":`}, {`"favourites_count":`, `"favorites_count":`},
			{`"followerCount":`, `"follower_count":`}, {`"subscriberCount":`, `"subscriber_count":`},
			{`"edge_followed_by":`, `"edge_followed":`}, {`"diggCount":`, `"digg_count":`},
			{`"createdAt":`, `"created_at":`}, {`"created_at":`, `"createdAt":`},
		} {
			if bytes.Contains(b, []byte(rn[0])) {
				f.Add(bytes.ReplaceAll(b, []byte(rn[0]), []byte(rn[1])))
			}
		}
	}
}

// CheckError fails unless err is one of the errors a decoder may return
// for bad input: ErrMalformed (a DriftError among them), or one of extra.
func CheckError(t *testing.T, err error, extra ...error) {
	t.Helper()
	if errors.Is(err, collectors.ErrMalformed) {
		return
	}
	for _, e := range extra {
		if errors.Is(err, e) {
			return
		}
	}
	t.Errorf("decoder error %v is neither ErrMalformed nor one of %v", err, extra)
}

// CheckCreator fails on a negative count.
func CheckCreator(t *testing.T, c model.Creator) {
	t.Helper()
	if c.Followers < 0 || c.Following < 0 || c.PostsCount < 0 {
		t.Errorf("negative count in creator %+v", c)
	}
}

// CheckPost fails on a negative count.
func CheckPost(t *testing.T, p model.Post) {
	t.Helper()
	for name, n := range map[string]*int64{"likes": p.Likes, "comments": p.Comments, "shares": p.Shares, "quotes": p.Quotes, "saves": p.Saves, "views": p.Views} {
		if n != nil && *n < 0 {
			t.Errorf("post %q: %s = %d", p.ID, name, *n)
		}
	}
}

// CheckComment fails on a negative like count or a depth below 1.
func CheckComment(t *testing.T, c model.Comment) {
	t.Helper()
	if c.Likes != nil && *c.Likes < 0 {
		t.Errorf("comment %q: likes = %d", c.ID, *c.Likes)
	}
	if c.Depth < 1 {
		t.Errorf("comment %q: depth %d", c.ID, c.Depth)
	}
}

// Lookup follows path (object keys, and array indexes as decimal strings)
// through a JSON document decoded independently of the collector, and
// returns the value there. Keys match exactly, or else case-insensitively
// as encoding/json matches them (the first such key in sorted order).
func Lookup(doc any, path ...string) (any, bool) {
	vs := lookupAll(doc, path)
	if len(vs) == 0 {
		return nil, false
	}
	return vs[0], true
}

// lookupAll returns every value at path, where a key may match any key
// that encoding/json would match to it (exact first).
func lookupAll(v any, path []string) []any {
	if len(path) == 0 {
		return []any{v}
	}
	k := path[0]
	switch x := v.(type) {
	case map[string]any:
		var out []any
		if e, ok := x[k]; ok {
			out = append(out, lookupAll(e, path[1:])...)
		}
		for _, key := range slices.Sorted(maps.Keys(x)) {
			if key != k && strings.EqualFold(key, k) {
				out = append(out, lookupAll(x[key], path[1:])...)
			}
		}
		return out
	case []any:
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(x) {
			return nil
		}
		return lookupAll(x[i], path[1:])
	}
	return nil
}

// Decode decodes body with json.Number for numbers, or returns nil.
func Decode(body []byte) any {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	return v
}

// CountAt reports whether a JSON value at path in doc is the count n (a
// number, or a string of digits where a platform sends counts as strings).
// Keys match as encoding/json matches them (case-insensitively too). A
// decoder that reports a count the input does not hold (a field it lacked,
// read as 0) fails this.
func CountAt(doc any, n int64, path ...string) bool {
	for _, v := range lookupAll(doc, path) {
		var s string
		switch x := v.(type) {
		case json.Number:
			s = x.String()
		case string:
			s = x
		default:
			continue
		}
		if m, err := strconv.ParseInt(s, 10, 64); err == nil {
			if m == n {
				return true
			}
			continue
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(n) {
			return true
		}
	}
	return false
}

// CheckCreatorCounts checks that each count a creator came back with (by
// the input's field name) stands in doc at path(field) — the field at the
// top when path is nil — so that a field the input lacks is never reported
// as a count.
func CheckCreatorCounts(t *testing.T, doc any, counts map[string]int64, path func(field string) []string) {
	t.Helper()
	for field, n := range counts {
		at := []string{field}
		if path != nil {
			at = path(field)
		}
		if !CountAt(doc, n, at...) {
			t.Errorf("creator has %s %d, which the input does not hold", field, n)
		}
	}
}
