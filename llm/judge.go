// Package llm is nanoscout's optional LLM authenticity judge. For a bounded,
// deterministic sample of a creator's captions and audience comments it asks
// a model on any OpenAI-compatible chat-completions endpoint (through
// github.com/sashabaranov/go-openai) whether the engagement looks organic,
// scripted or bot-like, and why.
//
// The answer must be one bare JSON object; anything else is ErrBadAnswer, a
// refusal is ErrRefused, and neither is cached. Valid verdicts are cached in
// the store (store.LLMCache) under a SHA-256 of the model, the prompt version
// and the sample, so the same content is never asked about twice. Requests
// have their own timeout and are retried with backoff on 429 (honouring
// Retry-After), 5xx, timeouts and network errors. A per-run token budget,
// shared by concurrent calls, is checked before every request: once a request
// could overrun it, Judge returns ErrBudget without sending anything.
//
// The verdict is shown in a creator's breakdown (ToComponent) with weight 0:
// it does not enter the composite.
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/internal/backoff"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Verdict labels.
const (
	LabelOrganic  = "organic"
	LabelScripted = "scripted"
	LabelBotLike  = "bot_like"
)

// Errors of Judge and New, checked with errors.Is.
var (
	// ErrDisabled: New was given a config with enabled: false.
	ErrDisabled = errors.New("llm judge disabled (llm.enabled is false)")
	// ErrNoContent: the creator has no caption and no audience comment to judge.
	ErrNoContent = errors.New("nothing to judge: no captions and no audience comments")
	// ErrBadAnswer: the answer is not the JSON verdict asked for. The
	// error is an *AnswerError.
	ErrBadAnswer = errors.New("bad answer")
	// ErrRefused: the model refused (a refusal message, finish_reason
	// content_filter, or a content-filter error from the endpoint).
	ErrRefused = errors.New("refused")
	// ErrBudget: the run's token budget cannot cover another request.
	ErrBudget = errors.New("token budget of this run spent")
)

// Verdict is the judge's answer for one creator.
type Verdict struct {
	Label      string   `json:"label"`      // organic | scripted | bot_like
	Confidence float64  `json:"confidence"` // 0..1, the model's own
	Reasons    []string `json:"reasons"`    // 1–5 short sentences
	Model      string   `json:"model"`      // as configured
	Hash       string   `json:"hash"`       // the cache key: SHA-256 of model, prompt version and sample
	// TokensUsed is what the request that produced the verdict cost. A
	// cached verdict costs nothing again: Spent does not change.
	TokensUsed int       `json:"tokensUsed"`
	CachedAt   time.Time `json:"cachedAt"`         // when the verdict was made (and cached)
	Cached     bool      `json:"cached,omitempty"` // served from the cache, without a request
}

// Tuning that is not configuration.
const (
	maxRetryWait   = 2 * time.Minute  // a 429 asking for longer fails the call
	maxBackoff     = 30 * time.Second // cap of the exponential backoff
	defaultBackoff = time.Second      // first retry wait without Retry-After
	maxBody        = 1 << 20          // bytes of a response read at most
	// cacheWriteTimeout bounds storing a verdict, which outlives the
	// caller's context: it has been paid for.
	cacheWriteTimeout = 10 * time.Second
)

// Judge asks the model for verdicts. Build one per run with New: its token
// budget is the run's. It is safe for concurrent use.
type Judge struct {
	cfg         config.LLM
	cache       store.LLMCache
	key         string
	client      *openai.Client
	hc          *http.Client
	log         *slog.Logger
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
	baseBackoff time.Duration
	budget      budget
	// jsonMode is cleared once the endpoint rejects response_format.
	jsonMode atomic.Bool
}

// Option configures a Judge.
type Option func(*Judge)

// WithHTTPClient sets the HTTP client (default: a plain http.Client; the
// per-request timeout comes from the config).
func WithHTTPClient(hc *http.Client) Option { return func(j *Judge) { j.hc = hc } }

// WithLogger sets the logger (default: discard). The API key is never logged.
func WithLogger(l *slog.Logger) Option { return func(j *Judge) { j.log = l } }

// WithClock sets the time source (CachedAt, HTTP-date Retry-After).
func WithClock(now func() time.Time) Option { return func(j *Judge) { j.now = now } }

// WithSleep replaces the wait between retries (tests record it instead of
// sleeping). It must return early with ctx's error when ctx ends.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(j *Judge) { j.sleep = f }
}

// WithBaseBackoff sets the first retry wait when the endpoint names none
// (default 1s; doubled each retry, with jitter, up to 30s).
func WithBaseBackoff(d time.Duration) Option { return func(j *Judge) { j.baseBackoff = d } }

// New builds a judge from the llm config section. It does no I/O: the key is
// read with getenv (os.Getenv when nil) from cfg.APIKeyEnv and kept out of
// logs and errors. cache may be nil (no caching). It returns an error
// wrapping ErrDisabled when cfg.Enabled is false.
func New(cfg config.LLM, cache store.LLMCache, getenv func(string) string, opts ...Option) (*Judge, error) {
	if !cfg.Enabled {
		return nil, ErrDisabled
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if getenv == nil {
		getenv = os.Getenv
	}
	key := getenv(cfg.APIKeyEnv)
	if key == "" {
		return nil, fmt.Errorf("llm judge: environment variable %s is empty: set it to the API key (any non-empty value for an endpoint that takes none)", cfg.APIKeyEnv)
	}
	j := &Judge{
		cfg:         cfg,
		cache:       cache,
		key:         key,
		hc:          &http.Client{},
		log:         slog.New(slog.DiscardHandler),
		now:         time.Now,
		sleep:       backoff.Sleep,
		baseBackoff: defaultBackoff,
		budget:      budget{limit: cfg.MaxTokensPerRun},
	}
	for _, o := range opts {
		o(j)
	}
	oc := openai.DefaultConfig(key)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = doer{hc: j.hc}
	j.client = openai.NewClientWithConfig(oc)
	j.jsonMode.Store(true)
	return j, nil
}

// Spent is the tokens this judge has been charged so far: the usage the
// endpoint reported (or an estimate where it reported none), plus an
// estimate of the prompt for attempts that timed out or whose answer could
// not be read, which may have been billed.
func (j *Judge) Spent() int { return j.budget.spentTokens() }

// Judge returns the verdict on one creator's engagement. It samples the
// captions of posts and the audience comments (see the package doc), returns
// the cached verdict of the same sample without a request, and otherwise
// asks the model, checks the answer strictly and caches a valid verdict.
// Errors wrap ErrNoContent, ErrBudget, ErrBadAnswer, ErrRefused, a
// *StatusError from the endpoint, or the context's error.
func (j *Judge) Judge(ctx context.Context, creator model.Creator, posts []model.Post, comments []model.Comment) (Verdict, error) {
	ckey := creator.Key()
	s := buildSample(creator, posts, comments, j.cfg.SampleCaptions, j.cfg.SampleComments)
	if s.empty() {
		return Verdict{}, fmt.Errorf("llm judge %s: %w", ckey, ErrNoContent)
	}
	user := s.message()
	hash := contentHash(j.cfg.Model, user)
	log := j.log.With("creator", ckey, "hash", hash[:12])

	if j.cache != nil {
		sv, err := j.cache.GetVerdict(ctx, hash)
		switch {
		case err == nil:
			v := fromStored(sv)
			log.Debug("llm verdict from the cache", "label", v.Label, "confidence", v.Confidence)
			return v, nil
		case !errors.Is(err, store.ErrNotFound):
			// Asking without knowing whether it was asked already could
			// pay twice: fail instead.
			return Verdict{}, fmt.Errorf("llm judge %s: %w", ckey, err)
		}
	}

	estimate := estimateTokens(systemPrompt) + estimateTokens(user) + messageOverhead
	promptTokens := j.budget.prompt(estimate)
	reserved := promptTokens + j.cfg.MaxAnswerTokens
	if !j.budget.reserve(reserved) {
		return Verdict{}, fmt.Errorf("llm judge %s: %w (%d of %d tokens spent; the next request may need %d)",
			ckey, ErrBudget, j.Spent(), j.cfg.MaxTokensPerRun, reserved)
	}
	resp, unknown, err := j.complete(ctx, user, log)
	used := 0
	if err == nil {
		used = usedTokens(resp, promptTokens)
		j.budget.observe(estimate, resp.Usage.PromptTokens)
	}
	// Attempts that timed out, or whose answer could not be read, may have
	// been billed: charge their prompts, within what was reserved.
	used += min(unknown*promptTokens, max(0, reserved-used))
	j.budget.settle(reserved, used)
	if err != nil {
		return Verdict{}, fmt.Errorf("llm judge %s: %w", ckey, err)
	}

	for i := range resp.Choices { // an answer quoting the key must not carry it into errors or the cache
		resp.Choices[i].Message.Content = j.redact(resp.Choices[i].Message.Content)
		resp.Choices[i].Message.Refusal = j.redact(resp.Choices[i].Message.Refusal)
	}
	a, err := parseResponse(resp)
	if err != nil {
		log.Debug("llm answer rejected", "err", err, "tokens", used)
		return Verdict{}, fmt.Errorf("llm judge %s: %w", ckey, err)
	}
	v := Verdict{
		Label: a.label, Confidence: a.confidence, Reasons: a.reasons,
		Model: j.cfg.Model, Hash: hash, TokensUsed: used,
		CachedAt: j.now().UTC().Truncate(time.Millisecond),
	}
	log.Debug("llm verdict", "label", v.Label, "confidence", v.Confidence, "tokens", used)
	if j.cache != nil {
		// The verdict is paid for: keep it even when ctx ends just now.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cacheWriteTimeout)
		err := j.cache.PutVerdict(pctx, toStored(v, ckey))
		cancel()
		if err != nil {
			log.Warn("caching the llm verdict; the next run will ask again", "err", err)
		}
	}
	return v, nil
}

func fromStored(sv store.LLMVerdict) Verdict {
	return Verdict{
		Label: sv.Label, Confidence: sv.Confidence, Reasons: sv.Reasons, Model: sv.Model,
		Hash: sv.Hash, TokensUsed: sv.TokensUsed, CachedAt: sv.CreatedAt, Cached: true,
	}
}

func toStored(v Verdict, creatorKey string) store.LLMVerdict {
	return store.LLMVerdict{
		Hash: v.Hash, CreatorKey: creatorKey, Model: v.Model, PromptVersion: PromptVersion,
		Label: v.Label, Confidence: v.Confidence, Reasons: v.Reasons, TokensUsed: v.TokensUsed,
		CreatedAt: v.CachedAt,
	}
}

// complete sends the chat completion, retrying what may succeed later. It
// reports how many attempts may have been billed without a usage to show
// for it: those that timed out or whose 2xx body could not be read.
func (j *Judge) complete(ctx context.Context, user string, log *slog.Logger) (openai.ChatCompletionResponse, int, error) {
	unknown := 0
	for attempt := 0; ; attempt++ {
		req := openai.ChatCompletionRequest{
			Model: j.cfg.Model,
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: systemPrompt},
				{Role: openai.ChatMessageRoleUser, Content: user},
			},
			MaxCompletionTokens: j.cfg.MaxAnswerTokens,
			Temperature:         float32(j.cfg.Temperature), // 0 is left out
		}
		jsonMode := j.jsonMode.Load()
		if jsonMode {
			req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		}
		ex := &exchange{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, exchangeKey{}, ex), j.cfg.Timeout)
		log.Debug("llm request", "attempt", attempt+1, "model", j.cfg.Model, "json_mode", jsonMode)
		resp, err := j.client.CreateChatCompletion(actx, req)
		timedOut := err != nil && actx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil {
			return resp, unknown, nil
		}
		if ctx.Err() != nil {
			return resp, unknown, fmt.Errorf("chat completion: %w", context.Cause(ctx))
		}
		if timedOut || (ex.status >= 200 && ex.status < 300) {
			unknown++
		}
		f := j.classify(err, ex, timedOut)
		if f.noJSONMode && jsonMode {
			j.jsonMode.Store(false)
			log.Info("the endpoint refuses response_format json_object; asking for JSON in the prompt only")
			attempt-- // not a retry: the same question, without the option
			continue
		}
		if !f.retry || attempt >= j.cfg.MaxRetries {
			return resp, unknown, f.err
		}
		wait := f.wait
		if wait <= 0 {
			wait = j.backoff(attempt)
		}
		log.Debug("llm request failed; retrying", "attempt", attempt+1, "wait", wait, "err", f.err)
		if err := j.sleep(ctx, wait); err != nil {
			return resp, unknown, fmt.Errorf("waiting to retry after %v: %w", f.err, err)
		}
	}
}

// backoff is exponential with jitter: about base·2^attempt, capped
// (package backoff).
func (j *Judge) backoff(attempt int) time.Duration {
	return backoff.Jittered(j.baseBackoff, maxBackoff, attempt)
}

// redact removes the API key from s (endpoints may echo it in errors).
func (j *Judge) redact(s string) string {
	if len(j.key) < 6 { // too short to replace without mangling the text
		return s
	}
	return strings.ReplaceAll(s, j.key, "[REDACTED]")
}

// redactErr returns err, or an error with the same chain whose message has
// the API key removed.
func (j *Judge) redactErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := j.redact(msg); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// exchange is what the HTTP layer saw of one attempt's response: go-openai
// keeps neither the status of a body it could not decode nor the headers of
// an error (Retry-After).
type exchange struct {
	status int
	header http.Header
}

type exchangeKey struct{}

// doer is the go-openai HTTP client: it records the response's status and
// headers in the attempt's exchange and bounds the body.
type doer struct{ hc *http.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if ex, ok := req.Context().Value(exchangeKey{}).(*exchange); ok {
		ex.status, ex.header = resp.StatusCode, resp.Header
	}
	resp.Body = limitedBody{Reader: io.LimitReader(resp.Body, maxBody), Closer: resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}
