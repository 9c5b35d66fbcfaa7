// Package webhook posts creators to outreach tools: signed JSON (package
// sign), one delivery per batch with an idempotency key, retries with
// exponential backoff and jitter, and a delivery log in the store. Package
// alerts posts through it too.
package webhook

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/internal/backoff"
	"github.com/nanoscout/nanoscout/sign"
	"github.com/nanoscout/nanoscout/store"
)

// Webhook headers. The signature is "sha256=" and the hex HMAC-SHA256 of the
// raw body with the webhook's secret; the idempotency key is the delivery id,
// the same on every attempt, so a receiver that saw it already can drop the
// repeat.
const (
	HeaderSignature   = "X-Nanoscout-Signature"
	HeaderIdempotency = "Idempotency-Key"
	HeaderEvent       = "X-Nanoscout-Event"
	HeaderAttempt     = "X-Nanoscout-Attempt"
)

// maxRetryAfter caps how long a 429's Retry-After makes a delivery wait.
const maxRetryAfter = time.Minute

// Sign returns the X-Nanoscout-Signature value of body (see package sign).
func Sign(secret, body []byte) string { return sign.Sign(secret, body) }

// Verify checks an X-Nanoscout-Signature value in constant time, as a
// receiver does.
func Verify(secret, body []byte, signature string) bool { return sign.Verify(secret, body, signature) }

// Option configures a webhook (and the alerts that post through one).
type Option func(*Settings)

// Settings are a webhook's options as set. Packages that post through
// webhooks (alerts) read their clock, logger and environment from them.
type Settings struct {
	Getenv    func(string) string // how secrets are read
	Client    *http.Client        // default: one that follows no redirect
	Log       *slog.Logger        // default: discard
	Sleep     func(context.Context, time.Duration) error
	Now       func() time.Time
	UserAgent string
}

// WithGetenv sets how secrets are read from the environment (os.Getenv).
func WithGetenv(f func(string) string) Option { return func(o *Settings) { o.Getenv = f } }

// WithHTTPClient sets the HTTP client (default: one that follows no redirect).
func WithHTTPClient(c *http.Client) Option { return func(o *Settings) { o.Client = c } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *Settings) { o.Log = l } }

// WithSleep replaces the wait between attempts (for tests).
func WithSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *Settings) { o.Sleep = f }
}

// WithClock sets the time source.
func WithClock(now func() time.Time) Option { return func(o *Settings) { o.Now = now } }

// WithUserAgent sets the User-Agent of webhook requests.
func WithUserAgent(ua string) Option { return func(o *Settings) { o.UserAgent = ua } }

// Apply returns the settings opts make, over the defaults (secrets read with
// getenv unless WithGetenv says otherwise).
func Apply(getenv func(string) string, opts ...Option) *Settings {
	o := &Settings{
		Getenv:    getenv,
		Log:       slog.New(slog.DiscardHandler),
		Now:       time.Now,
		UserAgent: "nanoscout/0.1 (+https://github.com/nanoscout/nanoscout)",
		Sleep:     backoff.Sleep,
	}
	for _, opt := range opts {
		opt(o)
	}
	if o.Client == nil {
		o.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return o
}

// Webhook posts signed JSON to one configured outreach tool and keeps a
// delivery log.
type Webhook struct {
	Name   string
	cfg    config.Webhook
	secret []byte
	log    store.Deliveries // nil: no log
	o      *Settings
}

// New builds the named webhook of a config. Its secret is read from
// the variable the config names; an unset secret is an error. log (may be
// nil) is the delivery log.
func New(srv config.Server, name string, log store.Deliveries, getenv func(string) string, opts ...Option) (*Webhook, error) {
	srv = srv.WithDefaults()
	cfg, ok := srv.Webhooks[name]
	if !ok {
		return nil, fmt.Errorf("webhook %q is not configured (server.webhooks)", name)
	}
	o := Apply(getenv, opts...)
	secret := o.Getenv(cfg.SecretEnv)
	if secret == "" {
		return nil, fmt.Errorf("webhook %q: the signing secret variable %s is not set", name, cfg.SecretEnv)
	}
	return &Webhook{Name: name, cfg: cfg, secret: []byte(secret), log: log, o: o}, nil
}

// NewID returns a random delivery id.
func NewID(prefix string) string {
	b := make([]byte, 12)
	_, _ = io.ReadFull(cryptoRand, b)
	return prefix + hex.EncodeToString(b)
}

var cryptoRand = crand.Reader

func (h *Webhook) save(ctx context.Context, d store.Delivery) {
	if h.log == nil {
		return
	}
	if err := h.log.SaveDelivery(ctx, d); err != nil {
		h.o.Log.Warn("recording webhook delivery", "webhook", h.Name, "delivery", d.ID, "err", err)
	}
}

// Send posts body as delivery d (d.ID is the idempotency key; Event,
// Subject and Items describe it), retrying network errors, timeouts, 5xx,
// 408 and 429 with exponential backoff and jitter, up to MaxAttempts. Each
// attempt is written to the delivery log. A delivery the log already has as
// delivered is not sent again.
func (h *Webhook) Send(ctx context.Context, d store.Delivery, body []byte) (store.Delivery, error) {
	if h.log != nil {
		if prev, err := h.log.Delivery(ctx, d.ID); err == nil && prev.Status == store.DeliveryDelivered {
			return prev, nil
		}
	}
	now := h.o.Now().UTC().Truncate(time.Millisecond)
	d.Webhook, d.Bytes, d.Status, d.Attempts, d.StatusCode, d.Error = h.Name, len(body), store.DeliveryPending, 0, 0, ""
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	d.UpdatedAt = now
	h.save(ctx, d)
	sig := Sign(h.secret, body)
	wait := h.cfg.Backoff
	for attempt := 1; ; attempt++ {
		code, retryAfter, err := h.attempt(ctx, d, body, sig, attempt)
		d.Attempts, d.StatusCode, d.UpdatedAt = attempt, code, h.o.Now().UTC().Truncate(time.Millisecond)
		if err == nil {
			d.Status, d.Error = store.DeliveryDelivered, ""
			h.save(ctx, d)
			return d, nil
		}
		d.Error = err.Error()
		retry := code == 0 || code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests
		if !retry || attempt >= h.cfg.MaxAttempts || ctx.Err() != nil {
			d.Status = store.DeliveryFailed
			h.save(context.WithoutCancel(ctx), d)
			return d, fmt.Errorf("webhook %s: delivery %s failed after %d attempts: %w", h.Name, d.ID, attempt, err)
		}
		h.save(ctx, d)
		pause := jitter(wait)
		if retryAfter > 0 {
			pause = min(retryAfter, maxRetryAfter)
		}
		h.o.Log.Info("webhook attempt failed; retrying", "webhook", h.Name, "delivery", d.ID, "attempt", attempt, "wait", pause, "err", err)
		if err := h.o.Sleep(ctx, pause); err != nil {
			d.Status = store.DeliveryFailed
			h.save(context.WithoutCancel(ctx), d)
			return d, fmt.Errorf("webhook %s: delivery %s: %w", h.Name, d.ID, err)
		}
		wait = min(2*wait, maxRetryAfter)
	}
}

// jitter spreads a wait over ±20 %.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*mrand.Float64()))
}

// attempt makes one POST; it returns the status code (0 when none came), the
// Retry-After a 429 or 503 asked for, and an error unless it was 2xx.
func (h *Webhook) attempt(ctx context.Context, d store.Delivery, body []byte, sig string, n int) (int, time.Duration, error) {
	actx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, h.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", h.o.UserAgent)
	req.Header.Set(HeaderSignature, sig)
	req.Header.Set(HeaderIdempotency, d.ID)
	req.Header.Set(HeaderEvent, d.Event)
	req.Header.Set(HeaderAttempt, strconv.Itoa(n))
	resp, err := h.o.Client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, 0, nil
	}
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), h.o.Now()), fmt.Errorf("HTTP %d", resp.StatusCode)
}

func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// ExportBody is the JSON body of one batch of an export push.
type ExportBody struct {
	Event    string            `json:"event"` // "export"
	ID       string            `json:"id"`    // this batch's idempotency key
	ExportID string            `json:"exportId"`
	Batch    int               `json:"batch"` // 1, 2, …
	Subject  string            `json:"subject"`
	SentAt   time.Time         `json:"sentAt"`
	Creators []json.RawMessage `json:"creators"` // export.Doc
}

// PushResult reports a push.
type PushResult struct {
	ExportID   string           `json:"exportId"`
	Creators   int              `json:"creators"`
	Deliveries []store.Delivery `json:"deliveries"`
}

// Push sends src's creators as "export" events of at most BatchSize creators
// each, one delivery per batch (idempotency key exportID-batch), and stops
// at the first batch that fails.
func (h *Webhook) Push(ctx context.Context, src export.Source, subject string) (PushResult, error) {
	res := PushResult{ExportID: NewID("exp_")}
	var batch []json.RawMessage
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		n := len(res.Deliveries) + 1
		body := ExportBody{Event: "export", ID: fmt.Sprintf("%s-%d", res.ExportID, n), ExportID: res.ExportID, Batch: n,
			Subject: subject, SentAt: h.o.Now().UTC(), Creators: batch}
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		d, err := h.Send(ctx, store.Delivery{ID: body.ID, Event: "export", Subject: subject, Items: len(batch)}, b)
		res.Deliveries = append(res.Deliveries, d)
		if err != nil {
			return err
		}
		res.Creators += len(batch)
		batch = batch[:0]
		return nil
	}
	err := src(ctx, func(rows []export.Row) error {
		for _, r := range rows {
			b, err := export.MarshalDoc(export.DocOf(r))
			if err != nil {
				return err
			}
			batch = append(batch, b)
			if len(batch) >= h.cfg.BatchSize {
				if err := send(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		err = send()
	}
	return res, err
}
