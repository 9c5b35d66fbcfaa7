package config

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"time"
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

// Filter selects creators as the dashboard's filters do.
type Filter struct {
	Platform          string  `yaml:"platform"`
	Tier              string  `yaml:"tier"`
	MinFollowers      int64   `yaml:"min_followers"`
	MaxFollowers      int64   `yaml:"max_followers"`
	MinER             float64 `yaml:"min_er"`              // %
	MinBenchmarkIndex float64 `yaml:"min_benchmark_index"` // ER ÷ the tier's benchmark
	MinAuthenticity   float64 `yaml:"min_authenticity"`    // 0..1
	MinReply          float64 `yaml:"min_reply"`           // reply-depth score 0..1
	Language          string  `yaml:"language"`
	Keyword           string  `yaml:"keyword"`
	HasContact        bool    `yaml:"has_contact"`
}

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

// WithDefaults returns s with every unset field at its default.
func (s Server) WithDefaults() Server {
	if s.Addr == "" {
		s.Addr = DefaultServerAddr
	}
	if s.TokenEnv == "" {
		s.TokenEnv = DefaultTokenEnv
	}
	if s.PageSize <= 0 {
		s.PageSize = DefaultPageSize
	}
	if s.MaxPageSize <= 0 {
		s.MaxPageSize = DefaultMaxPageSize
	}
	s.PageSize = min(s.PageSize, s.MaxPageSize)
	hooks := make(map[string]Webhook, len(s.Webhooks))
	for name, h := range s.Webhooks {
		if h.Timeout <= 0 {
			h.Timeout = defaultHookTimeout
		}
		if h.MaxAttempts <= 0 {
			h.MaxAttempts = defaultHookAttempts
		}
		if h.Backoff <= 0 {
			h.Backoff = defaultHookBackoff
		}
		if h.BatchSize <= 0 {
			h.BatchSize = defaultHookBatchSize
		}
		hooks[name] = h
	}
	s.Webhooks = hooks
	return s
}

var (
	nameRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	tiers   = []string{"", "below", "nano", "micro", "mid", "macro", "mega"}
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

// validate checks a filter's values: a known tier, finite numbers in range.
func (f Filter) validate(at string) error {
	var ck checker
	if !slices.Contains(tiers, f.Tier) {
		ck.errorf("%s.tier %q: want one of %v", at, f.Tier, tiers[1:])
	}
	ck.ints(at+".min_followers", f.MinFollowers, 0, 1<<53, false)
	ck.ints(at+".max_followers", f.MaxFollowers, 0, 1<<53, false)
	if f.MaxFollowers > 0 && f.MinFollowers > f.MaxFollowers {
		ck.errorf("%s: min_followers %d is more than max_followers %d", at, f.MinFollowers, f.MaxFollowers)
	}
	ck.floats(at+".min_er", f.MinER, 0, 100_000, false)
	ck.floats(at+".min_benchmark_index", f.MinBenchmarkIndex, 0, 1_000_000, false)
	ck.floats(at+".min_authenticity", f.MinAuthenticity, 0, 1, false)
	ck.floats(at+".min_reply", f.MinReply, 0, 1, false)
	return ck.err()
}
