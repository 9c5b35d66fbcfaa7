package config

import (
	"fmt"
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

// Validate checks the server section: the address parses, webhooks have an
// http(s) URL and a secret variable, alerts name a configured webhook.
func (s Server) Validate() error {
	if s.Addr != "" {
		if _, _, err := net.SplitHostPort(s.Addr); err != nil {
			return fmt.Errorf("config: server.addr %q: %w", s.Addr, err)
		}
	}
	if s.TokenEnv != "" && !envName.MatchString(s.TokenEnv) {
		return fmt.Errorf("config: server.token_env %q is not an environment variable name", s.TokenEnv)
	}
	if s.PageSize < 0 || s.MaxPageSize < 0 {
		return fmt.Errorf("config: server.page_size and max_page_size must be ≥ 0")
	}
	for name, h := range s.Webhooks {
		if !nameRe.MatchString(name) {
			return fmt.Errorf("config: server.webhooks: name %q: use letters, digits, '.', '_' or '-'", name)
		}
		u, err := url.Parse(h.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("config: server.webhooks.%s.url %q: want an http(s) URL", name, h.URL)
		}
		if u.User != nil {
			return fmt.Errorf("config: server.webhooks.%s.url: credentials go in secret_env, not the URL", name)
		}
		if !envName.MatchString(h.SecretEnv) {
			return fmt.Errorf("config: server.webhooks.%s.secret_env %q: name the environment variable holding the signing secret", name, h.SecretEnv)
		}
		if h.MaxAttempts < 0 || h.BatchSize < 0 || h.Timeout < 0 || h.Backoff < 0 {
			return fmt.Errorf("config: server.webhooks.%s: negative timeout, max_attempts, backoff or batch_size", name)
		}
	}
	seen := map[string]bool{}
	for i, a := range s.Alerts {
		if !nameRe.MatchString(a.Name) {
			return fmt.Errorf("config: server.alerts[%d].name %q: use letters, digits, '.', '_' or '-'", i, a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("config: server.alerts: %q named twice", a.Name)
		}
		seen[a.Name] = true
		if _, ok := s.Webhooks[a.Webhook]; !ok {
			return fmt.Errorf("config: server.alerts.%s.webhook %q is not in server.webhooks", a.Name, a.Webhook)
		}
		if !slices.Contains(tiers, a.Filter.Tier) {
			return fmt.Errorf("config: server.alerts.%s.filter.tier %q: want one of %v", a.Name, a.Filter.Tier, tiers[1:])
		}
	}
	return nil
}
