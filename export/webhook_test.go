package export

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/store"
)

const testSecret = "s3cret-for-tests"

// receiver is an outreach tool's endpoint: it checks signatures and keeps
// what it received; status decides each answer (by attempt number).
type receiver struct {
	mu       sync.Mutex
	bodies   [][]byte
	keys     []string
	attempts []string
	badSig   int
	status   func(n int) (int, http.Header)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || !Verify([]byte(testSecret), b, r.Header.Get(HeaderSignature)) {
		rc.badSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.bodies = append(rc.bodies, b)
	rc.keys = append(rc.keys, r.Header.Get(HeaderIdempotency))
	rc.attempts = append(rc.attempts, r.Header.Get(HeaderAttempt))
	code, h := http.StatusOK, http.Header{}
	if rc.status != nil {
		code, h = rc.status(len(rc.bodies))
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(code)
}

func hookConfig(url string) config.Server {
	return config.Server{Webhooks: map[string]config.Webhook{
		"outreach": {URL: url, SecretEnv: "HOOK_SECRET", MaxAttempts: 4, Backoff: time.Second, BatchSize: 2, Timeout: 2 * time.Second},
	}}
}

func env(k string) string {
	if k == "HOOK_SECRET" {
		return testSecret
	}
	return ""
}

// sleeps records the waits between attempts instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return nil
}

func TestWebhookRetriesThenDelivers(t *testing.T) {
	st := seeded(t, 0)
	rc := &receiver{status: func(n int) (int, http.Header) {
		switch n {
		case 1:
			return http.StatusServiceUnavailable, nil
		case 2:
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}
		}
		return http.StatusAccepted, nil
	}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sl := &sleeps{}
	hook, err := NewWebhook(hookConfig(srv.URL), "outreach", st, env, WithSleep(sl.sleep))
	if err != nil {
		t.Fatal(err)
	}
	d, err := hook.Send(t.Context(), store.Delivery{ID: "del-1", Event: "export", Subject: "test", Items: 1}, []byte(`{"hello":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != store.DeliveryDelivered || d.Attempts != 3 || d.StatusCode != http.StatusAccepted {
		t.Errorf("delivery = %+v", d)
	}
	if !slices.Equal(rc.keys, []string{"del-1", "del-1", "del-1"}) || !slices.Equal(rc.attempts, []string{"1", "2", "3"}) {
		t.Errorf("idempotency keys %v, attempts %v: want the same key on every attempt", rc.keys, rc.attempts)
	}
	if len(sl.d) != 2 || sl.d[0] < 800*time.Millisecond || sl.d[0] > 1200*time.Millisecond || sl.d[1] != 7*time.Second {
		t.Errorf("waits %v: want ~1s (backoff with jitter) then 7s (Retry-After)", sl.d)
	}
	logged, err := st.Delivery(t.Context(), "del-1")
	if err != nil || logged.Status != store.DeliveryDelivered || logged.Attempts != 3 || logged.Webhook != "outreach" || logged.Bytes != 17 {
		t.Errorf("delivery log: %+v, %v", logged, err)
	}
	// Sending a delivered id again is a no-op.
	if _, err := hook.Send(t.Context(), store.Delivery{ID: "del-1", Event: "export"}, []byte(`{}`)); err != nil || len(rc.bodies) != 3 {
		t.Errorf("a delivered id was sent again: %d requests, %v", len(rc.bodies), err)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	st := seeded(t, 0)
	for _, c := range []struct {
		name     string
		code     int
		attempts int
	}{
		{"client error is final", http.StatusBadRequest, 1},
		{"server errors exhaust the attempts", http.StatusBadGateway, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := &receiver{status: func(int) (int, http.Header) { return c.code, nil }}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			sl := &sleeps{}
			hook, err := NewWebhook(hookConfig(srv.URL), "outreach", st, env, WithSleep(sl.sleep))
			if err != nil {
				t.Fatal(err)
			}
			d, err := hook.Send(t.Context(), store.Delivery{ID: "fail-" + c.name, Event: "export"}, []byte(`{}`))
			if err == nil || d.Status != store.DeliveryFailed || d.Attempts != c.attempts || len(rc.bodies) != c.attempts {
				t.Errorf("delivery %+v, %d requests, err %v", d, len(rc.bodies), err)
			}
			if c.attempts == 4 && (len(sl.d) != 3 || sl.d[2] < 3*time.Second) {
				t.Errorf("waits %v: want exponential backoff", sl.d)
			}
		})
	}
	// An unreachable endpoint is retried too, and the failure logged.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	hook, err := NewWebhook(hookConfig(url), "outreach", st, env, WithSleep((&sleeps{}).sleep))
	if err != nil {
		t.Fatal(err)
	}
	d, err := hook.Send(t.Context(), store.Delivery{ID: "down", Event: "export"}, []byte(`{}`))
	if err == nil || d.Attempts != 4 || d.Error == "" {
		t.Errorf("unreachable: %+v, %v", d, err)
	}
	if _, err := NewWebhook(hookConfig(url), "outreach", st, func(string) string { return "" }); err == nil {
		t.Error("a webhook without its secret was built")
	}
	if _, err := NewWebhook(hookConfig(url), "nope", st, env); err == nil {
		t.Error("an unknown webhook name was built")
	}
}

func TestWebhookPushBatches(t *testing.T) {
	st := seeded(t, 5)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	hook, err := NewWebhook(hookConfig(srv.URL), "outreach", st, env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := hook.Push(t.Context(), Filtered(st, store.TopQuery{}), "all scored creators")
	if err != nil {
		t.Fatal(err)
	}
	if res.Creators != 5 || len(res.Deliveries) != 3 || len(rc.bodies) != 3 {
		t.Fatalf("push: %+v, %d requests; want 5 creators in batches of 2", res, len(rc.bodies))
	}
	var keys []string
	seen := map[string]bool{}
	for i, b := range rc.bodies {
		var body ExportBody
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if body.Event != "export" || body.Batch != i+1 || body.ExportID != res.ExportID || body.ID != rc.keys[i] {
			t.Errorf("batch %d: %+v (key %s)", i+1, body, rc.keys[i])
		}
		for _, raw := range body.Creators {
			var d Doc
			if err := json.Unmarshal(raw, &d); err != nil || d.Key == "" || d.ProfileURL == "" || d.Score == nil {
				t.Errorf("creator in batch %d: %s", i+1, raw)
			}
			seen[d.Key] = true
		}
		keys = append(keys, body.ID)
	}
	if len(seen) != 5 || !strings.HasPrefix(keys[0], res.ExportID) || keys[0] == keys[1] {
		t.Errorf("creators %d, keys %v", len(seen), keys)
	}
	log, err := st.Deliveries(t.Context(), 10)
	if err != nil || len(log) != 3 {
		t.Errorf("delivery log: %d, %v", len(log), err)
	}
	_ = exporttest.Now
}
