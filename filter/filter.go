// Package filter is nanoscout's one filter vocabulary: a single table of the
// fields that select creators (name, type, valid values, help). From it come
// the dashboard's and the API's query parameters (Parse, Values), the CLI
// flags of top, export and plan (Flags), the alert filters in the config
// (FromMap) and the words that describe a view (Describe), so a field has
// one name everywhere: min_index is min_index in a URL, --min-index on the
// command line and min_index in an alert.
//
// Nothing but the table's names is read: an unknown or repeated parameter is
// an error, so "platform[$ne]=x" or "sort=1;DROP" never reach a store, and the
// store only ever sees a typed store.TopQuery.
package filter

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Kind is a field's type.
type Kind string

// Field kinds.
const (
	Choice Kind = "choice" // one of Values, case-insensitive
	Text   Kind = "text"
	Int    Kind = "int"    // a whole number (thousands separators allowed)
	Number Kind = "number" // a finite decimal number
	Flag   Kind = "flag"   // on or off: 1/0, true/false, yes/no, on/off
)

// Field is one row of the vocabulary.
type Field struct {
	// Name is the field's one name: the query parameter, the alert filter's
	// key in the config and, with '-' for '_', the CLI flag.
	Name string
	// Aliases are older names still read (never written): the dashboard's
	// search box sends q, configs written before the vocabulary say
	// min_benchmark_index.
	Aliases []string
	Kind    Kind
	// Values lists a Choice field's valid values.
	Values func() []string
	// Min and Max bound an Int or Number field.
	Min, Max float64
	// Help is the one-line help of the flag and the API docs.
	Help string
	// Short is the CLI flag's one-letter name, if any.
	Short string
	// set stores a parsed value in q; get returns q's value as text ("" =
	// unset).
	set func(q *store.TopQuery, v parsed)
	get func(q store.TopQuery) string
}

// FlagName is the field's CLI flag name: its Name with '-' for '_'.
func (f Field) FlagName() string { return strings.ReplaceAll(f.Name, "_", "-") }

// parsed is a checked value of any kind.
type parsed struct {
	s string
	i int64
	f float64
	b bool
}

// Limits of a query.
const (
	MaxKeywordLen = 100       // runes
	MaxOffset     = 1_000_000 // deeper pages are refused
	MaxER         = 1000      // %
)

// Sorts are the sort orders a query may ask for, the default first.
var Sorts = []string{"composite", "er", "reply", "growth", "followers", "authenticity", "audience", "cpa"}

// Tiers are the tiers a query may ask for.
var Tiers = []string{model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega, model.TierBelow}

var (
	platformRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	languageRe = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)
)

// Platforms are the registered platforms (collectors.Names).
func Platforms() []string { return collectors.Names() }

func num(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func whole(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// Fields is the vocabulary, in the order forms and help list it.
var Fields = []Field{
	{Name: "platform", Kind: Choice, Values: Platforms, Help: "only this platform",
		set: func(q *store.TopQuery, v parsed) { q.Platform = v.s }, get: func(q store.TopQuery) string { return q.Platform }},
	{Name: "tier", Kind: Choice, Values: func() []string { return Tiers }, Help: "only this tier",
		set: func(q *store.TopQuery, v parsed) { q.Tier = v.s }, get: func(q store.TopQuery) string { return q.Tier }},
	{Name: "min_followers", Kind: Int, Max: 1 << 53, Help: "at least this many followers",
		set: func(q *store.TopQuery, v parsed) { q.MinFollowers = v.i }, get: func(q store.TopQuery) string { return whole(q.MinFollowers) }},
	{Name: "max_followers", Kind: Int, Max: 1 << 53, Help: "at most this many followers (0 = no limit)",
		set: func(q *store.TopQuery, v parsed) { q.MaxFollowers = v.i }, get: func(q store.TopQuery) string { return whole(q.MaxFollowers) }},
	{Name: "min_er", Kind: Number, Max: MaxER, Help: "minimum engagement rate in %",
		set: func(q *store.TopQuery, v parsed) { q.MinER = v.f }, get: func(q store.TopQuery) string { return num(q.MinER) }},
	{Name: "min_index", Aliases: []string{"min_benchmark_index"}, Kind: Number, Max: 100, Help: "minimum ER ÷ the tier's benchmark (e.g. 1.5)",
		set: func(q *store.TopQuery, v parsed) { q.MinBenchmarkIndex = v.f }, get: func(q store.TopQuery) string { return num(q.MinBenchmarkIndex) }},
	{Name: "min_auth", Aliases: []string{"min_authenticity"}, Kind: Number, Max: 1, Help: "minimum authenticity, 0–1",
		set: func(q *store.TopQuery, v parsed) { q.MinAuthenticity = v.f }, get: func(q store.TopQuery) string { return num(q.MinAuthenticity) }},
	{Name: "min_reply", Kind: Number, Max: 1, Help: "minimum reply-depth score, 0–1",
		set: func(q *store.TopQuery, v parsed) { q.MinReply = v.f }, get: func(q store.TopQuery) string { return num(q.MinReply) }},
	{Name: "min_audience", Kind: Number, Max: 1, Help: "minimum audience quality, 0–1 (share of real, active accounts in the sampled audience; creators without a sample left out)",
		set: func(q *store.TopQuery, v parsed) { q.MinAudience = v.f }, get: func(q store.TopQuery) string { return num(q.MinAudience) }},
	{Name: "min_growth", Kind: Number, Min: -100, Max: 1_000_000, Help: "minimum follower growth in % over 30 days (creators without history left out)",
		set: func(q *store.TopQuery, v parsed) { g := v.f; q.MinGrowth = &g },
		get: func(q store.TopQuery) string {
			if q.MinGrowth == nil {
				return ""
			}
			return strconv.FormatFloat(*q.MinGrowth, 'f', -1, 64)
		}},
	{Name: "lang", Aliases: []string{"language"}, Kind: Text, Help: "profile language, e.g. en or pt-br",
		set: func(q *store.TopQuery, v parsed) { q.Language = v.s }, get: func(q store.TopQuery) string { return q.Language }},
	{Name: "keyword", Aliases: []string{"q"}, Short: "q", Kind: Text, Help: "a word (or word start) in the handle, name, bio or recent posts",
		set: func(q *store.TopQuery, v parsed) { q.Keyword = v.s }, get: func(q store.TopQuery) string { return q.Keyword }},
	{Name: "contact", Aliases: []string{"has_contact"}, Kind: Flag, Help: "only creators with a public email, website or profile link",
		set: func(q *store.TopQuery, v parsed) { q.HasContact = v.b },
		get: func(q store.TopQuery) string {
			if q.HasContact {
				return "1"
			}
			return ""
		}},
	{Name: "proven_converter", Kind: Flag, Help: "only proven converters: a measured CPA at or under their campaign's median over at least 3 sales (imported campaign sales; not part of the score)",
		set: func(q *store.TopQuery, v parsed) { q.ProvenConverter = v.b },
		get: func(q store.TopQuery) string {
			if q.ProvenConverter {
				return "1"
			}
			return ""
		}},
	{Name: "hide", Kind: Choice, Values: func() []string { return []string{store.HideShortlisted, store.HideContacted} },
		Help: "leave out creators already on a shortlist (shortlisted) or already contacted (contacted)",
		set:  func(q *store.TopQuery, v parsed) { q.Hide = v.s }, get: func(q store.TopQuery) string { return q.Hide }},
	{Name: "sort", Kind: Choice, Values: func() []string { return Sorts }, Help: "the order: composite (default), er, reply, growth, followers, authenticity, audience or cpa (lowest measured CPA first)",
		set: func(q *store.TopQuery, v parsed) { q.SortBy = v.s },
		get: func(q store.TopQuery) string {
			if q.SortBy == "composite" {
				return ""
			}
			return q.SortBy
		}},
}

// Paging parameters, read by Parse beside the fields.
const (
	ParamLimit  = "limit"
	ParamOffset = "offset"
)

// Names lists every field name, then limit and offset: the parameters Parse
// reads.
func Names() []string {
	out := make([]string, 0, len(Fields)+2)
	for _, f := range Fields {
		out = append(out, f.Name)
	}
	return append(out, ParamLimit, ParamOffset)
}

// Lookup finds a field by its name or an alias.
func Lookup(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name || slices.Contains(f.Aliases, name) {
			return f, true
		}
	}
	return Field{}, false
}

// ParamError is a filter value or parameter that was refused.
type ParamError struct {
	Param, Reason string
}

func (e *ParamError) Error() string { return fmt.Sprintf("parameter %q: %s", e.Param, e.Reason) }

func paramErr(p, format string, args ...any) error {
	return &ParamError{Param: p, Reason: fmt.Sprintf(format, args...)}
}

// Set parses raw as the field's value and stores it in q. name is the name
// the value came under (for the error). An empty raw leaves q unchanged.
func (f Field) Set(q *store.TopQuery, name, raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	v, err := f.parse(name, raw)
	if err != nil {
		return err
	}
	f.set(q, v)
	return nil
}

// Get is q's value of the field as text ("" = not set).
func (f Field) Get(q store.TopQuery) string { return f.get(q) }

func (f Field) parse(name, raw string) (parsed, error) {
	switch f.Kind {
	case Choice:
		s := strings.ToLower(raw)
		valid := f.Values()
		if f.Name == "platform" && len(valid) == 0 {
			// No collectors registered (a library use): the shape only.
			if !platformRe.MatchString(s) {
				return parsed{}, paramErr(name, "want a platform name such as bluesky")
			}
			return parsed{s: s}, nil
		}
		if !slices.Contains(valid, s) {
			return parsed{}, paramErr(name, "%q is not one of %s", raw, strings.Join(valid, ", "))
		}
		return parsed{s: s}, nil
	case Text:
		if f.Name == "lang" {
			s := strings.ToLower(raw)
			if !languageRe.MatchString(s) {
				return parsed{}, paramErr(name, "want a language code such as en or pt-br")
			}
			return parsed{s: s}, nil
		}
		if utf8.RuneCountInString(raw) > MaxKeywordLen {
			return parsed{}, paramErr(name, "longer than %d characters", MaxKeywordLen)
		}
		if strings.ContainsFunc(raw, unicode.IsControl) {
			return parsed{}, paramErr(name, "contains control characters")
		}
		return parsed{s: raw}, nil
	case Int:
		n, err := strconv.ParseInt(strings.NewReplacer(",", "", "_", "").Replace(raw), 10, 64)
		if err != nil || float64(n) < f.Min || float64(n) > f.Max {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return parsed{}, paramErr(name, "too large")
			}
			return parsed{}, paramErr(name, "want a whole number from %s to %s", fmtNum(f.Min), fmtNum(f.Max))
		}
		return parsed{i: n}, nil
	case Number:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < f.Min || x > f.Max {
			return parsed{}, paramErr(name, "want a number from %s to %s", fmtNum(f.Min), fmtNum(f.Max))
		}
		return parsed{f: x}, nil
	case Flag:
		switch strings.ToLower(raw) {
		case "0", "false", "off", "no":
			return parsed{b: false}, nil
		case "1", "true", "on", "yes":
			return parsed{b: true}, nil
		}
		return parsed{}, paramErr(name, "want 1 or 0")
	}
	return parsed{}, paramErr(name, "unknown kind %s", f.Kind)
}

func fmtNum(x float64) string {
	if x == 1<<53 {
		return "9007199254740992"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// Validate checks a query built in code (not parsed) against the table:
// every field's value re-parsed from its text form, follower bounds in
// order, paging in range.
func Validate(q store.TopQuery) error {
	for _, f := range Fields {
		raw := f.get(q)
		if f.Name == "contact" || raw == "" {
			continue
		}
		if _, err := f.parse(f.Name, raw); err != nil {
			return err
		}
	}
	if q.MinFollowers < 0 || q.MaxFollowers < 0 {
		return paramErr("min_followers", "follower counts must be ≥ 0")
	}
	if math.IsNaN(q.MinER) || q.MinER < 0 || math.IsNaN(q.MinBenchmarkIndex) || q.MinBenchmarkIndex < 0 ||
		math.IsNaN(q.MinAuthenticity) || q.MinAuthenticity < 0 || math.IsNaN(q.MinReply) || q.MinReply < 0 {
		return paramErr("min_er", "minimums must be numbers ≥ 0")
	}
	if q.MaxFollowers > 0 && q.MinFollowers > q.MaxFollowers {
		return paramErr("max_followers", "below min_followers")
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		return paramErr(ParamOffset, "want 0 to %d", MaxOffset)
	}
	if q.Limit < 0 {
		return paramErr(ParamLimit, "must be ≥ 0")
	}
	return nil
}
