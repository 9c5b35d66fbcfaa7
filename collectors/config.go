package collectors

import "time"

// PlatformConfig is one platform's section of the config file.
type PlatformConfig struct {
	Enabled bool   `yaml:"enabled"`
	BaseURL string `yaml:"base_url"` // API root, e.g. https://public.api.bsky.app
	// Rate limit for this platform: steady requests per second and burst.
	RatePerSecond float64       `yaml:"rate_per_second"`
	Burst         int           `yaml:"burst"`
	Timeout       time.Duration `yaml:"timeout"`     // per request
	MaxRetries    int           `yaml:"max_retries"` // on 5xx, timeouts and 429s
	// MaxRetryWait caps how long one 429 may pause the platform before the
	// request fails with a RateLimitError.
	MaxRetryWait time.Duration `yaml:"max_retry_wait"`
	// Seeds are handles or native ids always collected.
	Seeds []string `yaml:"seeds"`
	// Queries are discovery keywords or hashtags (with or without '#').
	Queries []string `yaml:"queries"`
	// MaxCreators caps how many creators one run collects on this platform.
	MaxCreators int `yaml:"max_creators"`
	// Posts is N, the number of recent settled posts ER is computed over.
	Posts int `yaml:"posts"`
	// ThreadPosts is how many of the recent posts get their comments read.
	ThreadPosts int `yaml:"thread_posts"`
	// Credentials names environment variables, never the secrets themselves,
	// e.g. {identifier: BLUESKY_IDENTIFIER, app_password: BLUESKY_APP_PASSWORD}.
	Credentials map[string]string `yaml:"credentials"`
	// Options are platform-specific settings (documented per platform).
	Options map[string]string `yaml:"options"`
	// ClientID names the process to rate limiters that tell clients apart
	// (the simulator's X-Nanoscout-Client header; a stand-in for the egress
	// IP of a worker). Set at run time from distributed.client_id, never
	// from a platform section; "" sends no header.
	ClientID string `yaml:"-"`
}

// Secret reads the credential named key from the environment variable the
// config names. It returns "" when either is unset.
func (e Env) Secret(key string) string {
	name := e.Config.Credentials[key]
	if name == "" || e.Getenv == nil {
		return ""
	}
	return e.Getenv(name)
}
