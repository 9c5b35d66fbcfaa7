// Package webhooktest is an outreach tool's end of a webhook, for tests: a
// configured webhook, its secret, an endpoint that checks signatures and
// keeps what it received, and a recorder of the waits between attempts.
package webhooktest

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export/webhook"
)

// HookSecret is the signing secret of HookConfig's webhook, read from the
// variable HOOK_SECRET by Getenv.
const HookSecret = "s3cret-for-tests"

// Getenv is an environment with HOOK_SECRET set to HookSecret.
func Getenv(k string) string {
	if k == "HOOK_SECRET" {
		return HookSecret
	}
	return ""
}

// HookConfig configures one webhook, "outreach", posting to url: 4
// attempts, 1 s backoff, batches of 2.
func HookConfig(url string) config.Server {
	return config.Server{Webhooks: map[string]config.Webhook{
		"outreach": {URL: url, SecretEnv: "HOOK_SECRET", MaxAttempts: 4, Backoff: time.Second, BatchSize: 2, Timeout: 2 * time.Second},
	}}
}

// Receiver is an outreach tool's endpoint: it checks each request's method,
// content type, idempotency key and signature (with Secret, HookSecret when
// empty) and keeps what it received; Status (nil: 200) decides each answer
// by the number of the request (1, 2, …).
type Receiver struct {
	Secret string
	Status func(n int) (int, http.Header)

	mu       sync.Mutex
	Bodies   [][]byte // the signed requests' bodies, in order
	Keys     []string // their idempotency keys
	Attempts []string // their attempt headers
	BadSig   int      // requests refused
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	secret := rc.Secret
	if secret == "" {
		secret = HookSecret
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get(webhook.HeaderIdempotency) == "" ||
		!webhook.Verify([]byte(secret), b, r.Header.Get(webhook.HeaderSignature)) {
		rc.BadSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.Bodies = append(rc.Bodies, b)
	rc.Keys = append(rc.Keys, r.Header.Get(webhook.HeaderIdempotency))
	rc.Attempts = append(rc.Attempts, r.Header.Get(webhook.HeaderAttempt))
	code, h := http.StatusOK, http.Header{}
	if rc.Status != nil {
		code, h = rc.Status(len(rc.Bodies))
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(code)
}

// Sleeps records the waits between attempts instead of sleeping
// (webhook.WithSleep(s.Sleep)).
type Sleeps struct {
	mu sync.Mutex
	D  []time.Duration
}

// Sleep records d and returns at once.
func (s *Sleeps) Sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	s.D = append(s.D, d)
	s.mu.Unlock()
	return nil
}
