package filter

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nanoscout/nanoscout/store"
)

// Parse reads a filter from query parameters (the dashboard and the API).
// Parameters other than the fields (by name or alias), limit, offset and
// extra are refused, as is any parameter given twice (also under two of
// its names). The limit is capped at maxLimit (a larger one is lowered, not
// refused); the default limit is defLimit.
func Parse(v url.Values, defLimit, maxLimit int, extra ...string) (store.TopQuery, error) {
	q := store.TopQuery{Limit: defLimit}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	seen := map[string]string{}
	for _, name := range names {
		vals := v[name]
		if slices.Contains(extra, name) {
			continue
		}
		if len(vals) > 1 {
			return q, paramErr(name, "given %d times", len(vals))
		}
		if name == ParamLimit || name == ParamOffset {
			continue
		}
		f, ok := Lookup(name)
		if !ok {
			return q, paramErr(name, "unknown parameter")
		}
		if other, dup := seen[f.Name]; dup {
			return q, paramErr(name, "given twice (also as %q)", other)
		}
		seen[f.Name] = name
		if err := f.Set(&q, name, vals[0]); err != nil {
			return q, err
		}
	}
	if s := strings.TrimSpace(v.Get(ParamLimit)); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return q, paramErr(ParamLimit, "want a whole number ≥ 0")
		}
		if n > 0 {
			q.Limit = int(min(n, int64(maxLimit)))
		}
	}
	q.Limit = min(max(q.Limit, 1), maxLimit)
	if s := strings.TrimSpace(v.Get(ParamOffset)); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > MaxOffset {
			return q, paramErr(ParamOffset, "want 0 to %d", MaxOffset)
		}
		q.Offset = int(n)
	}
	return q, Validate(q)
}

// Values is the inverse of Parse: q's non-zero fields as query parameters
// under their names (limit and offset left out), for links.
func Values(q store.TopQuery) url.Values {
	v := url.Values{}
	for _, f := range Fields {
		if s := f.get(q); s != "" {
			v.Set(f.Name, s)
		}
	}
	return v
}

// FromMap reads a filter from a name → value map (an alert's filter in the
// config), by the fields' names or aliases. An unknown name is an error
// listing the valid ones.
func FromMap(m map[string]string) (store.TopQuery, error) {
	var q store.TopQuery
	seen := map[string]string{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f, ok := Lookup(k)
		if !ok || f.Name == "sort" {
			return q, fmt.Errorf("unknown filter %q (filters: %s)", k, strings.Join(filterNames(), ", "))
		}
		if other, dup := seen[f.Name]; dup {
			return q, fmt.Errorf("filter %q given twice (also as %q)", k, other)
		}
		seen[f.Name] = k
		if err := f.Set(&q, k, m[k]); err != nil {
			return q, err
		}
	}
	return q, Validate(q)
}

// ToMap is the inverse of FromMap: q's set fields by name.
func ToMap(q store.TopQuery) map[string]string {
	m := map[string]string{}
	for _, f := range Fields {
		if s := f.get(q); s != "" && f.Name != "sort" {
			m[f.Name] = s
		}
	}
	return m
}

// filterNames are the fields that select (all but sort).
func filterNames() []string {
	var out []string
	for _, f := range Fields {
		if f.Name != "sort" {
			out = append(out, f.Name)
		}
	}
	return out
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
	add(q.MinGrowth != nil, "growth ≥ %s%%", Lookup1("min_growth").get(q))
	add(q.Language != "", "language %s", q.Language)
	add(q.Keyword != "", "%q", q.Keyword)
	add(q.HasContact, "with public contact")
	add(q.ProvenConverter, "proven converters")
	add(q.Hide == store.HideShortlisted, "not shortlisted")
	add(q.Hide == store.HideContacted, "not contacted")
	if len(parts) == 0 {
		return "all scored creators"
	}
	return strings.Join(parts, " · ")
}

// Lookup1 is Lookup for a name known to be in the table.
func Lookup1(name string) Field {
	f, ok := Lookup(name)
	if !ok {
		panic("filter: no field " + name)
	}
	return f
}

// Flags are the fields as command-line flags (top, export, plan).
type Flags struct {
	fs     *pflag.FlagSet
	values map[string]*flagValue
}

// flagValue checks a flag's value when it is set, so a bad value is a
// usage error naming the flag and the valid values.
type flagValue struct {
	f   Field
	raw string
}

func (v *flagValue) String() string { return v.raw }
func (v *flagValue) Type() string {
	switch v.f.Kind {
	case Choice:
		return "string"
	case Flag:
		return "bool"
	case Int:
		return "int"
	case Number:
		return "number"
	}
	return "string"
}
func (v *flagValue) Set(s string) error {
	var q store.TopQuery
	if err := v.f.Set(&q, "--"+v.f.FlagName(), s); err != nil {
		if pe, ok := err.(*ParamError); ok {
			return fmt.Errorf("%s", pe.Reason)
		}
		return err
	}
	v.raw = s
	return nil
}

// AddFlags registers every field as a flag on fs; sortDefault is the
// --sort default shown in the help ("" for none).
func AddFlags(fs *pflag.FlagSet, sortDefault string) *Flags {
	fl := &Flags{fs: fs, values: map[string]*flagValue{}}
	for _, f := range Fields {
		v := &flagValue{f: f}
		help := f.Help
		if f.Kind == Choice && f.Name != "sort" {
			if vals := f.Values(); len(vals) > 0 {
				help += ": " + strings.Join(vals, ", ")
			}
		}
		fl.values[f.Name] = v
		flag := fs.VarPF(v, f.FlagName(), f.Short, help)
		if f.Kind == Flag {
			flag.NoOptDefVal = "true"
		}
		if f.Name == "sort" && sortDefault != "" {
			v.raw = sortDefault
			flag.DefValue = sortDefault
		}
	}
	return fl
}

// Changed reports whether any filter flag (sort included) was given.
func (fl *Flags) Changed() bool {
	for _, f := range Fields {
		if fl.fs.Changed(f.FlagName()) {
			return true
		}
	}
	return false
}

// Query is the filter the flags set.
func (fl *Flags) Query() (store.TopQuery, error) {
	var q store.TopQuery
	for _, f := range Fields {
		v := fl.values[f.Name]
		if err := f.Set(&q, "--"+f.FlagName(), v.raw); err != nil {
			return q, err
		}
	}
	return q, Validate(q)
}
