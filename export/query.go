package export

import (
	"net/url"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/store"
)

// The filter vocabulary lives in package filter; these names keep the
// server's parse call sites working while it moves to filter directly.

// Filter parameters (filter.Fields' names).
const (
	ParamPlatform     = "platform"
	ParamTier         = "tier"
	ParamMinFollowers = "min_followers"
	ParamMaxFollowers = "max_followers"
	ParamMinER        = "min_er"
	ParamMinIndex     = "min_index"
	ParamMinAuth      = "min_auth"
	ParamMinReply     = "min_reply"
	ParamMinGrowth    = "min_growth"
	ParamMinAudience  = "min_audience"
	ParamLanguage     = "lang"
	ParamKeyword      = "keyword"
	ParamContact      = "contact"
	ParamSort         = "sort"
	ParamLimit        = filter.ParamLimit
	ParamOffset       = filter.ParamOffset
)

// FilterParams are the parameters ParseQuery reads (aliases such as q are
// read too).
var FilterParams = filter.Names()

// Sorts and Tiers a query may ask for.
var (
	Sorts = filter.Sorts
	Tiers = filter.Tiers
)

// Limits of a query.
const (
	MaxKeywordLen = filter.MaxKeywordLen
	MaxOffset     = filter.MaxOffset
	MaxER         = filter.MaxER
)

// ParamError is a query parameter that was refused.
type ParamError = filter.ParamError

// ParseQuery is filter.Parse.
func ParseQuery(v url.Values, defLimit, maxLimit int, extra ...string) (store.TopQuery, error) {
	return filter.Parse(v, defLimit, maxLimit, extra...)
}

// ValidateQuery is filter.Validate.
func ValidateQuery(q store.TopQuery) error { return filter.Validate(q) }

// QueryValues is filter.Values.
func QueryValues(q store.TopQuery) url.Values { return filter.Values(q) }

// Describe is filter.Describe.
func Describe(q store.TopQuery) string { return filter.Describe(q) }

// FilterQuery turns a configured filter (an alert's) into a checked query.
func FilterQuery(f config.Filter) (store.TopQuery, error) {
	q := f.Query()
	return q, filter.Validate(q)
}
