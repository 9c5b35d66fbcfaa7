package config

import (
	"net/url"
	"time"
)

// LLM configures the optional LLM authenticity judge (package llm): for a
// bounded sample of each creator's captions and comments it asks a model on
// any OpenAI-compatible chat-completions endpoint whether the engagement looks
// organic, scripted or bot-like. Off by default. Zero values mean the
// defaults that WithDefaults fills. (Owned by the authenticity work.)
type LLM struct {
	// Enabled turns the judge on. Default false: nothing is sent anywhere.
	Enabled bool `yaml:"enabled"`
	// BaseURL is the endpoint's API root; the judge POSTs to
	// BaseURL + "/chat/completions". Default https://api.openai.com/v1.
	BaseURL string `yaml:"base_url"`
	// Model is the model name the endpoint knows (e.g. gpt-4.1-mini).
	// Required when enabled. It is part of the cache key: changing it asks
	// again.
	Model string `yaml:"model"`
	// APIKeyEnv names the environment variable holding the API key, sent as
	// "Authorization: Bearer <key>". Default OPENAI_API_KEY. The key itself
	// never goes in the config, the logs or errors.
	APIKeyEnv string `yaml:"api_key_env"`
	// Timeout bounds one request (default 60s).
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries is how often a request is retried after a 429, a 5xx, a
	// timeout or a network error (default 3; 0 means the default).
	MaxRetries int `yaml:"max_retries"`
	// MaxTokensPerRun caps the tokens (prompt + completion, as the endpoint
	// reports them in usage, estimated when it does not) one run may spend.
	// A request that might overrun it is not sent. Default 300000.
	MaxTokensPerRun int `yaml:"max_tokens_per_run"`
	// MaxAnswerTokens bounds one answer (sent as max_completion_tokens), so
	// that the cap can be checked before a request. Default 800.
	MaxAnswerTokens int `yaml:"max_answer_tokens"`
	// SampleCaptions is how many of the most recent captions are sent
	// (default 10); SampleComments how many distinct audience comments, the
	// most repeated and most recent first (default 20). Texts are truncated.
	SampleCaptions int `yaml:"sample_captions"`
	SampleComments int `yaml:"sample_comments"`
	// Temperature is the sampling temperature, 0..2. 0 (the default) sends
	// none, so the endpoint's default applies: reasoning models accept no
	// other.
	Temperature float64 `yaml:"temperature"`
}

// Default values of the llm section.
const (
	DefaultLLMBaseURL         = "https://api.openai.com/v1"
	DefaultLLMAPIKeyEnv       = "OPENAI_API_KEY"
	DefaultLLMTimeout         = 60 * time.Second
	DefaultLLMMaxRetries      = 3
	DefaultLLMMaxTokensPerRun = 300_000
	DefaultLLMMaxAnswerTokens = 800
	DefaultLLMSampleCaptions  = 10
	DefaultLLMSampleComments  = 20
)

// WithDefaults returns l with every unset field at its default.
func (l LLM) WithDefaults() LLM {
	orDefault(&l.BaseURL, DefaultLLMBaseURL)
	orDefault(&l.APIKeyEnv, DefaultLLMAPIKeyEnv)
	orDefault(&l.Timeout, DefaultLLMTimeout)
	orDefault(&l.MaxRetries, DefaultLLMMaxRetries)
	orDefault(&l.MaxTokensPerRun, DefaultLLMMaxTokensPerRun)
	orDefault(&l.MaxAnswerTokens, DefaultLLMMaxAnswerTokens)
	orDefault(&l.SampleCaptions, DefaultLLMSampleCaptions)
	orDefault(&l.SampleComments, DefaultLLMSampleComments)
	return l
}

// Validate checks the llm section. A disabled section is only checked for
// numbers out of range; an enabled one also needs a model, an http(s) base
// URL without credentials in it, and an environment variable name for the key.
func (l LLM) Validate() error {
	var ck checker
	ck.durations("llm.timeout", l.Timeout, 100*time.Millisecond, 10*time.Minute, true)
	ck.ints("llm.max_retries", int64(l.MaxRetries), 0, 10, false)
	ck.ints("llm.max_tokens_per_run", int64(l.MaxTokensPerRun), 1, 1_000_000_000, true)
	ck.ints("llm.max_answer_tokens", int64(l.MaxAnswerTokens), 1, 100_000, true)
	ck.ints("llm.sample_captions", int64(l.SampleCaptions), 1, 100, true)
	ck.ints("llm.sample_comments", int64(l.SampleComments), 1, 500, true)
	ck.floats("llm.temperature", l.Temperature, 0, 2, false)
	if !l.Enabled {
		return ck.err()
	}
	d := l.WithDefaults()
	if d.Model == "" {
		ck.errorf("llm.model: required when llm.enabled is true (e.g. gpt-4.1-mini)")
	}
	u, err := url.Parse(d.BaseURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		ck.errorf("llm.base_url: want an http(s) URL such as %s", DefaultLLMBaseURL)
	case u.User != nil:
		ck.errorf("llm.base_url: credentials go in api_key_env, not the URL")
	case u.RawQuery != "" || u.Fragment != "":
		ck.errorf("llm.base_url: no query or fragment (the judge appends /chat/completions to it; credentials go in api_key_env)")
	}
	if !envName.MatchString(d.APIKeyEnv) {
		ck.errorf("llm.api_key_env %q is not an environment variable name", d.APIKeyEnv)
	}
	if d.MaxAnswerTokens >= d.MaxTokensPerRun {
		ck.errorf("llm.max_tokens_per_run %d leaves no room for one answer of max_answer_tokens %d", d.MaxTokensPerRun, d.MaxAnswerTokens)
	}
	return ck.err()
}
