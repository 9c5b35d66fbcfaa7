package tiktok

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/nanoscout/nanoscout/collectors"
)

// flexString is a JSON string or number kept as text: TikTok sends ids and
// cursors as either.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %.40s", b)
		}
		*f = flexString(n.String())
	}
	return nil
}

// flexInt is a JSON integer that may also come as a decimal string or a
// boolean (hasMore is true/false on one endpoint and 1/0 on another). set
// tells a missing or null value from a zero.
type flexInt struct {
	n   int64
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	n, ok, err := parseInt(b)
	if err != nil {
		return err
	}
	*f = flexInt{n: n, set: ok}
	return nil
}

// parseInt reads a count: a number, a decimal string, or true/false. null and
// "" are (0, false, nil).
func parseInt(raw []byte) (int64, bool, error) {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "", "null":
		return 0, false, nil
	case "true":
		return 1, true, nil
	case "false":
		return 0, true, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal([]byte(s), &s); err != nil {
			return 0, false, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, false, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return 0, false, fmt.Errorf("%.40q is not an integer", s)
	}
	return int64(f), true, nil
}

// counters reads the counts of a stats object, falling back to its statsV2
// twin (the same counters as strings). A required counter that is in
// neither is an error wrapping collectors.ErrMalformed that names it, never
// a silent zero.
type counters struct {
	where          string // e.g. `profile page @x: userInfo.stats`
	stats, statsV2 map[string]json.RawMessage
}

func (c counters) lookup(key string) (int64, bool, error) {
	for _, m := range []map[string]json.RawMessage{c.stats, c.statsV2} {
		raw, ok := m[key]
		if !ok {
			continue
		}
		n, set, err := parseInt(raw)
		if err != nil || n < 0 {
			return 0, false, driftAt(c.where, key, "", fmt.Sprintf("%.40q", strings.TrimSpace(string(raw))))
		}
		if set {
			return n, true, nil
		}
	}
	return 0, false, nil
}

// required returns a counter or an error naming it.
func (c counters) required(key string) (int64, error) {
	n, ok, err := c.lookup(key)
	if err != nil {
		return 0, err
	}
	if !ok {
		alt := snakeCase(key)
		_, found := c.stats[alt]
		return 0, missingField(c.where, key, alt, found && alt != key)
	}
	return n, nil
}

// missingField is the error for a field the collector needs and did not
// find at where; altPresent says the field is there under the name alt
// instead (a rename: the schema changed).
func missingField(where, key, alt string, altPresent bool) error {
	if !altPresent {
		alt = ""
	}
	return driftAt(where, key, alt, "")
}

// driftAt is the collectors.DriftError for field key of the object at
// where ("<call>: <path>", as the errors of this package name places).
func driftAt(where, key, alt, got string) error {
	field := key
	if i := strings.LastIndex(where, ": "); i >= 0 {
		where, field = where[:i], where[i+2:]+"."+key
	}
	return &collectors.DriftError{Where: where, Field: field, Alt: alt, Got: got}
}

// optional returns a counter, or nil when the platform does not send it.
func (c counters) optional(key string) (*int64, error) {
	n, ok, err := c.lookup(key)
	if err != nil || !ok {
		return nil, err
	}
	return &n, nil
}

// snakeCase turns followerCount into follower_count.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
