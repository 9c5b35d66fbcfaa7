package export

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Filter parameters, as the dashboard, the API and `nanoscout export` take
// them. Nothing else in a query string is read: an unknown or repeated
// parameter is an error, so "platform[$ne]=x" or "sort=1;DROP" never reach
// a store, and the store only ever sees a typed store.TopQuery.
const (
	ParamPlatform     = "platform"
	ParamTier         = "tier"
	ParamMinFollowers = "min_followers"
	ParamMaxFollowers = "max_followers"
	ParamMinER        = "min_er"
	ParamMinIndex     = "min_index"
	ParamMinAuth      = "min_auth"
	ParamMinReply     = "min_reply"
	ParamMinAudience  = "min_audience"
	ParamLanguage     = "lang"
	ParamKeyword      = "q"
	ParamContact      = "contact"
	ParamSort         = "sort"
	ParamLimit        = "limit"
	ParamOffset       = "offset"
)

// FilterParams are the parameters ParseQuery reads.
var FilterParams = []string{
	ParamPlatform, ParamTier, ParamMinFollowers, ParamMaxFollowers, ParamMinER, ParamMinIndex, ParamMinAuth,
	ParamMinReply, ParamMinAudience, ParamLanguage, ParamKeyword, ParamContact, ParamSort, ParamLimit, ParamOffset,
}

// Sorts are the sort orders a query may ask for.
var Sorts = []string{"composite", "er", "reply", "growth", "followers", "authenticity", "audience"}

// Tiers are the tiers a query may ask for.
var Tiers = []string{model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega, model.TierBelow}

// Limits of a query.
const (
	MaxKeywordLen = 100       // runes
	MaxOffset     = 1_000_000 // deeper pages are refused
	MaxER         = 1000      // %
)

var (
	platformRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	languageRe = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
)

// ParamError is a query parameter that was refused.
type ParamError struct {
	Param, Reason string
}

func (e *ParamError) Error() string { return fmt.Sprintf("parameter %q: %s", e.Param, e.Reason) }

func paramErr(p, format string, args ...any) error {
	return &ParamError{Param: p, Reason: fmt.Sprintf(format, args...)}
}

// ParseQuery reads a filter from query parameters. Parameters other than
// FilterParams and extra are refused, as is any parameter given twice. The
// limit is capped at maxLimit (a larger one is lowered, not refused); the
// default limit is defLimit.
func ParseQuery(v url.Values, defLimit, maxLimit int, extra ...string) (store.TopQuery, error) {
	q := store.TopQuery{Limit: defLimit}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		vals := v[name]
		if !slices.Contains(FilterParams, name) && !slices.Contains(extra, name) {
			return q, paramErr(name, "unknown parameter")
		}
		if len(vals) > 1 {
			return q, paramErr(name, "given %d times", len(vals))
		}
	}
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	var err error
	q.Platform = strings.ToLower(get(ParamPlatform))
	q.Tier = strings.ToLower(get(ParamTier))
	q.Language = strings.ToLower(get(ParamLanguage))
	q.Keyword = get(ParamKeyword)
	q.SortBy = strings.ToLower(get(ParamSort))
	if q.MinFollowers, err = parseInt(ParamMinFollowers, get(ParamMinFollowers)); err != nil {
		return q, err
	}
	if q.MaxFollowers, err = parseInt(ParamMaxFollowers, get(ParamMaxFollowers)); err != nil {
		return q, err
	}
	floats := []struct {
		name string
		dst  *float64
	}{
		{ParamMinER, &q.MinER}, {ParamMinIndex, &q.MinBenchmarkIndex}, {ParamMinAuth, &q.MinAuthenticity}, {ParamMinReply, &q.MinReply},
		{ParamMinAudience, &q.MinAudience},
	}
	for _, f := range floats {
		if *f.dst, err = parseFloat(f.name, get(f.name)); err != nil {
			return q, err
		}
	}
	switch c := strings.ToLower(get(ParamContact)); c {
	case "", "0", "false", "off", "no":
	case "1", "true", "on", "yes":
		q.HasContact = true
	default:
		return q, paramErr(ParamContact, "want 1 or 0")
	}
	if s := get(ParamLimit); s != "" {
		n, err := parseInt(ParamLimit, s)
		if err != nil {
			return q, err
		}
		if n > 0 {
			q.Limit = int(min(n, int64(maxLimit)))
		}
	}
	q.Limit = min(max(q.Limit, 1), maxLimit)
	if s := get(ParamOffset); s != "" {
		n, err := parseInt(ParamOffset, s)
		if err != nil {
			return q, err
		}
		q.Offset = int(n)
	}
	return q, ValidateQuery(q)
}

// ValidateQuery checks a query's values: known tier and sort, a platform
// and language of the expected shape, numbers in range, a keyword no longer
// than MaxKeywordLen, an offset up to MaxOffset.
func ValidateQuery(q store.TopQuery) error {
	if q.Platform != "" && !platformRe.MatchString(q.Platform) {
		return paramErr(ParamPlatform, "want a platform name such as bluesky")
	}
	if q.Tier != "" && !slices.Contains(Tiers, q.Tier) {
		return paramErr(ParamTier, "want one of %s", strings.Join(Tiers, ", "))
	}
	if q.SortBy != "" && !slices.Contains(Sorts, q.SortBy) {
		return paramErr(ParamSort, "want one of %s", strings.Join(Sorts, ", "))
	}
	if q.Language != "" && !languageRe.MatchString(q.Language) {
		return paramErr(ParamLanguage, "want a language code such as en or pt-br")
	}
	if utf8.RuneCountInString(q.Keyword) > MaxKeywordLen {
		return paramErr(ParamKeyword, "longer than %d characters", MaxKeywordLen)
	}
	if strings.ContainsFunc(q.Keyword, unicode.IsControl) {
		return paramErr(ParamKeyword, "contains control characters")
	}
	if q.MinFollowers < 0 || q.MaxFollowers < 0 {
		return paramErr(ParamMinFollowers, "follower counts must be ≥ 0")
	}
	if q.MaxFollowers > 0 && q.MinFollowers > q.MaxFollowers {
		return paramErr(ParamMaxFollowers, "below %s", ParamMinFollowers)
	}
	ranges := []struct {
		name  string
		v, hi float64
	}{
		{ParamMinER, q.MinER, MaxER}, {ParamMinIndex, q.MinBenchmarkIndex, 100},
		{ParamMinAuth, q.MinAuthenticity, 1}, {ParamMinReply, q.MinReply, 1}, {ParamMinAudience, q.MinAudience, 1},
	}
	for _, r := range ranges {
		if math.IsNaN(r.v) || r.v < 0 || r.v > r.hi {
			return paramErr(r.name, "want a number from 0 to %g", r.hi)
		}
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		return paramErr(ParamOffset, "want 0 to %d", MaxOffset)
	}
	if q.Limit < 0 {
		return paramErr(ParamLimit, "must be ≥ 0")
	}
	return nil
}

func parseInt(name, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil || n < 0 {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, paramErr(name, "too large")
		}
		return 0, paramErr(name, "want a whole number ≥ 0")
	}
	return n, nil
}

func parseFloat(name, s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, paramErr(name, "want a number ≥ 0")
	}
	return f, nil
}

// QueryValues is the inverse of ParseQuery: q's non-zero filters as query
// parameters (limit and offset left out), for links.
func QueryValues(q store.TopQuery) url.Values {
	v := url.Values{}
	set := func(name, val string) {
		if val != "" {
			v.Set(name, val)
		}
	}
	num := func(f float64) string {
		if f == 0 {
			return ""
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	whole := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	set(ParamPlatform, q.Platform)
	set(ParamTier, q.Tier)
	set(ParamMinFollowers, whole(q.MinFollowers))
	set(ParamMaxFollowers, whole(q.MaxFollowers))
	set(ParamMinER, num(q.MinER))
	set(ParamMinIndex, num(q.MinBenchmarkIndex))
	set(ParamMinAuth, num(q.MinAuthenticity))
	set(ParamMinReply, num(q.MinReply))
	set(ParamMinAudience, num(q.MinAudience))
	set(ParamLanguage, q.Language)
	set(ParamKeyword, q.Keyword)
	if q.HasContact {
		v.Set(ParamContact, "1")
	}
	if q.SortBy != "" && q.SortBy != "composite" {
		v.Set(ParamSort, q.SortBy)
	}
	return v
}

// FilterQuery turns a configured filter (an alert's) into a checked query.
func FilterQuery(f config.Filter) (store.TopQuery, error) {
	q := store.TopQuery{
		Platform: f.Platform, Tier: f.Tier, MinFollowers: f.MinFollowers, MaxFollowers: f.MaxFollowers,
		MinER: f.MinER, MinBenchmarkIndex: f.MinBenchmarkIndex, MinAuthenticity: f.MinAuthenticity, MinReply: f.MinReply,
		Language: f.Language, Keyword: f.Keyword, HasContact: f.HasContact,
	}
	return q, ValidateQuery(q)
}

// Describe says in words what a query selects, e.g. "nano · bluesky · ER ≥ 3%".
func Describe(q store.TopQuery) string {
	var parts []string
	add := func(cond bool, format string, args ...any) {
		if cond {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(q.Tier != "", "%s", q.Tier)
	add(q.Platform != "", "%s", q.Platform)
	add(q.MinFollowers > 0, "followers ≥ %d", q.MinFollowers)
	add(q.MaxFollowers > 0, "followers ≤ %d", q.MaxFollowers)
	add(q.MinER > 0, "ER ≥ %g%%", q.MinER)
	add(q.MinBenchmarkIndex > 0, "ER index ≥ %g", q.MinBenchmarkIndex)
	add(q.MinAuthenticity > 0, "authenticity ≥ %g", q.MinAuthenticity)
	add(q.MinReply > 0, "reply depth ≥ %g", q.MinReply)
	add(q.MinAudience > 0, "audience quality ≥ %g", q.MinAudience)
	add(q.Language != "", "language %s", q.Language)
	add(q.Keyword != "", "%q", q.Keyword)
	add(q.HasContact, "with public contact")
	if len(parts) == 0 {
		return "all scored creators"
	}
	return strings.Join(parts, " · ")
}
