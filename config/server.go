package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/store"
)

// Server configures `nanoscout serve`: the dashboard and JSON API, exports and
// webhooks. (Owned by the scout-tools work.) Zero values mean the defaults
// that WithDefaults fills.
type Server struct {
	// Addr is where the server listens. Default 127.0.0.1:8080. Any address
	// but loopback requires a bearer token.
	Addr string `yaml:"addr"`
	// TokenEnv names the environment variable holding the bearer token
	// (default NANOSCOUT_TOKEN). The token is required when Addr is not
	// loopback, and whenever the variable is set.
	TokenEnv string `yaml:"token_env"`
	// AllowRuns lets the dashboard and POST /api/runs start a pipeline run.
	AllowRuns bool `yaml:"allow_runs"`
	// PageSize is the default rows per page; MaxPageSize caps any request.
	PageSize    int `yaml:"page_size"`
	MaxPageSize int `yaml:"max_page_size"`
	// Webhooks are the outreach tools exports and alerts push to, by name.
	// Only configured URLs are ever called: the dashboard and API pick a
	// name, never a URL.
	Webhooks map[string]Webhook `yaml:"webhooks"`
	// Alerts are saved filters; each fires its webhook once per creator that
	// newly matches after a scoring run.
	Alerts []Alert `yaml:"alerts"`
	// ConversionsSecretEnv names the environment variable holding the
	// HMAC-SHA256 secret that signs POST /api/conversions (the shop's sales
	// webhook), default NANOSCOUT_CONVERSIONS_SECRET. Unset or empty: the
	// route answers 503 and takes nothing.
	ConversionsSecretEnv string `yaml:"conversions_secret_env"`
}

// Webhook is one outreach tool's endpoint.
type Webhook struct {
	URL string `yaml:"url"`
	// SecretEnv names the environment variable holding the HMAC-SHA256
	// signing secret (sent as X-Nanoscout-Signature). Required.
	SecretEnv string `yaml:"secret_env"`
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration `yaml:"timeout"`
	// MaxAttempts bounds the attempts of one delivery (default 5).
	MaxAttempts int `yaml:"max_attempts"`
	// Backoff is the wait before the first retry, doubled (with jitter)
	// before each next one (default 1s). A 429's Retry-After is honoured up
	// to one minute.
	Backoff time.Duration `yaml:"backoff"`
	// BatchSize is the most creators in one POST of an export (default 500).
	BatchSize int `yaml:"batch_size"`
}

// Alert is a saved filter with the webhook it fires.
type Alert struct {
	Name    string `yaml:"name"`
	Webhook string `yaml:"webhook"`
	Filter  Filter `yaml:"filter"`
}

// Filter selects creators as the dashboard's filters do. In YAML its keys
// are the filter vocabulary's names (package filter: platform, tier,
// min_followers, max_followers, min_er, min_index, min_auth, min_reply,
// min_growth, lang, keyword, contact, hide); older names (min_benchmark_index,
// min_authenticity, language, has_contact) are still read.
type Filter struct {
	Platform          string
	Tier              string
	MinFollowers      int64
	MaxFollowers      int64
	MinER             float64 // %
	MinBenchmarkIndex float64 // ER ÷ the tier's benchmark
	MinAuthenticity   float64 // 0..1
	MinReply          float64 // reply-depth score 0..1
	Language          string
	Keyword           string
	HasContact        bool
	MinGrowth         *float64 // follower growth in % over 30 days
	Hide              string   // "shortlisted" or "contacted": leave out creators scouts already have
	MinAudience       float64  // audience quality, 0..1
	ProvenConverter   bool     // only proven converters (measured campaign CPA)
}

// Query is the filter as a store query.
func (f Filter) Query() store.TopQuery {
	return store.TopQuery{
		Platform: f.Platform, Tier: f.Tier, MinFollowers: f.MinFollowers, MaxFollowers: f.MaxFollowers,
		MinER: f.MinER, MinBenchmarkIndex: f.MinBenchmarkIndex, MinAuthenticity: f.MinAuthenticity, MinReply: f.MinReply,
		Language: f.Language, Keyword: f.Keyword, HasContact: f.HasContact, MinGrowth: f.MinGrowth, Hide: f.Hide, MinAudience: f.MinAudience,
		ProvenConverter: f.ProvenConverter,
	}
}

// CheckedQuery is the filter as a store query, checked against the filter
// vocabulary (filter.Validate).
func (f Filter) CheckedQuery() (store.TopQuery, error) {
	q := f.Query()
	return q, filter.Validate(q)
}

func filterOf(q store.TopQuery) Filter {
	return Filter{
		Platform: q.Platform, Tier: q.Tier, MinFollowers: q.MinFollowers, MaxFollowers: q.MaxFollowers,
		MinER: q.MinER, MinBenchmarkIndex: q.MinBenchmarkIndex, MinAuthenticity: q.MinAuthenticity, MinReply: q.MinReply,
		Language: q.Language, Keyword: q.Keyword, HasContact: q.HasContact, MinGrowth: q.MinGrowth, Hide: q.Hide, MinAudience: q.MinAudience,
		ProvenConverter: q.ProvenConverter,
	}
}

// UnmarshalYAML reads a filter by the vocabulary's names (filter.FromMap):
// an unknown key is an error listing the valid ones, a value out of range
// an error with the range.
func (f *Filter) UnmarshalYAML(n *yaml.Node) error {
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		return fmt.Errorf("line %d: a filter is a mapping of filter names to values: %w", n.Line, err)
	}
	q, err := filter.FromMap(m)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*f = filterOf(q)
	return nil
}

// MarshalYAML writes the filter by the vocabulary's names.
func (f Filter) MarshalYAML() (any, error) { return filter.ToMap(f.Query()), nil }

// Server defaults.
const (
	DefaultServerAddr    = "127.0.0.1:8080"
	DefaultTokenEnv      = "NANOSCOUT_TOKEN"
	DefaultPageSize      = 50
	DefaultMaxPageSize   = 200
	defaultHookTimeout   = 10 * time.Second
	defaultHookAttempts  = 5
	defaultHookBackoff   = time.Second
	defaultHookBatchSize = 500
)

// DefaultConversionsSecretEnv holds the secret of POST /api/conversions.
const DefaultConversionsSecretEnv = "NANOSCOUT_CONVERSIONS_SECRET"

// WithDefaults returns s with every unset field at its default.
func (s Server) WithDefaults() Server {
	orDefault(&s.Addr, DefaultServerAddr)
	orDefault(&s.TokenEnv, DefaultTokenEnv)
	orDefault(&s.ConversionsSecretEnv, DefaultConversionsSecretEnv)
	orDefault(&s.PageSize, DefaultPageSize)
	orDefault(&s.MaxPageSize, DefaultMaxPageSize)
	s.PageSize = min(s.PageSize, s.MaxPageSize)
	hooks := make(map[string]Webhook, len(s.Webhooks))
	for name, h := range s.Webhooks {
		orDefault(&h.Timeout, defaultHookTimeout)
		orDefault(&h.MaxAttempts, defaultHookAttempts)
		orDefault(&h.Backoff, defaultHookBackoff)
		orDefault(&h.BatchSize, defaultHookBatchSize)
		hooks[name] = h
	}
	s.Webhooks = hooks
	return s
}

var (
	nameRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Validate checks the server section: the address parses, page sizes and
// webhook numbers are in range, webhooks have an http(s) URL and a secret
// variable, alerts name a configured webhook and have sane filters. It
// reports every problem, joined. Zero numbers mean the defaults.
func (s Server) Validate() error {
	var ck checker
	if s.Addr != "" {
		if _, _, err := net.SplitHostPort(s.Addr); err != nil {
			ck.errorf("server.addr %q: %v", s.Addr, err)
		}
	}
	if s.TokenEnv != "" && !envName.MatchString(s.TokenEnv) {
		ck.errorf("server.token_env %q is not an environment variable name", s.TokenEnv)
	}
	if s.ConversionsSecretEnv != "" && !envName.MatchString(s.ConversionsSecretEnv) {
		ck.errorf("server.conversions_secret_env %q is not an environment variable name", s.ConversionsSecretEnv)
	}
	ck.ints("server.max_page_size", int64(s.MaxPageSize), 1, 10_000, true)
	ck.ints("server.page_size", int64(s.PageSize), 1, 10_000, true)
	for _, name := range sortedKeys(s.Webhooks) {
		h := s.Webhooks[name]
		at := "server.webhooks." + name
		if !nameRe.MatchString(name) {
			ck.errorf("server.webhooks: name %q: use letters, digits, '.', '_' or '-'", name)
		}
		u, err := url.Parse(h.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			ck.errorf("%s.url %q: want an http(s) URL", at, h.URL)
		} else if u.User != nil {
			ck.errorf("%s.url: credentials go in secret_env, not the URL", at)
		}
		if !envName.MatchString(h.SecretEnv) {
			ck.errorf("%s.secret_env %q: name the environment variable holding the signing secret", at, h.SecretEnv)
		}
		ck.durations(at+".timeout", h.Timeout, 100*time.Millisecond, 10*time.Minute, true)
		ck.ints(at+".max_attempts", int64(h.MaxAttempts), 1, 20, true)
		ck.durations(at+".backoff", h.Backoff, time.Millisecond, 10*time.Minute, true)
		ck.ints(at+".batch_size", int64(h.BatchSize), 1, 100_000, true)
	}
	seen := map[string]bool{}
	for i, a := range s.Alerts {
		if !nameRe.MatchString(a.Name) {
			ck.errorf("server.alerts[%d].name %q: use letters, digits, '.', '_' or '-'", i, a.Name)
		}
		if seen[a.Name] {
			ck.errorf("server.alerts: %q named twice", a.Name)
		}
		seen[a.Name] = true
		at := "server.alerts." + a.Name
		if _, ok := s.Webhooks[a.Webhook]; !ok {
			ck.errorf("%s.webhook %q is not in server.webhooks", at, a.Webhook)
		}
		ck.add(a.Filter.validate(at + ".filter"))
	}
	return ck.err()
}

// validate checks a filter's values against the vocabulary.
func (f Filter) validate(at string) error {
	if err := filter.Validate(f.Query()); err != nil {
		return fmt.Errorf("config: %s: %w", at, err)
	}
	return nil
}
