package webhook_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/export/webhook/webhooktest"
	"github.com/nanoscout/nanoscout/store"
)

func TestWebhookRetriesThenDelivers(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 0)
	rc := &webhooktest.Receiver{Status: func(n int) (int, http.Header) {
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
	sl := &webhooktest.Sleeps{}
	hook, err := webhook.New(webhooktest.HookConfig(srv.URL), "outreach", st, webhooktest.Getenv, webhook.WithSleep(sl.Sleep))
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
	if !slices.Equal(rc.Keys, []string{"del-1", "del-1", "del-1"}) || !slices.Equal(rc.Attempts, []string{"1", "2", "3"}) {
		t.Errorf("idempotency keys %v, attempts %v: want the same key on every attempt", rc.Keys, rc.Attempts)
	}
	if len(sl.D) != 2 || sl.D[0] < 800*time.Millisecond || sl.D[0] > 1200*time.Millisecond || sl.D[1] != 7*time.Second {
		t.Errorf("waits %v: want ~1s (backoff with jitter) then 7s (Retry-After)", sl.D)
	}
	logged, err := st.Delivery(t.Context(), "del-1")
	if err != nil || logged.Status != store.DeliveryDelivered || logged.Attempts != 3 || logged.Webhook != "outreach" || logged.Bytes != 17 {
		t.Errorf("delivery log: %+v, %v", logged, err)
	}
	// Sending a delivered id again is a no-op.
	if _, err := hook.Send(t.Context(), store.Delivery{ID: "del-1", Event: "export"}, []byte(`{}`)); err != nil || len(rc.Bodies) != 3 {
		t.Errorf("a delivered id was sent again: %d requests, %v", len(rc.Bodies), err)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 0)
	for _, c := range []struct {
		name     string
		code     int
		attempts int
	}{
		{"client error is final", http.StatusBadRequest, 1},
		{"server errors exhaust the attempts", http.StatusBadGateway, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := &webhooktest.Receiver{Status: func(int) (int, http.Header) { return c.code, nil }}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			sl := &webhooktest.Sleeps{}
			hook, err := webhook.New(webhooktest.HookConfig(srv.URL), "outreach", st, webhooktest.Getenv, webhook.WithSleep(sl.Sleep))
			if err != nil {
				t.Fatal(err)
			}
			d, err := hook.Send(t.Context(), store.Delivery{ID: "fail-" + c.name, Event: "export"}, []byte(`{}`))
			if err == nil || d.Status != store.DeliveryFailed || d.Attempts != c.attempts || len(rc.Bodies) != c.attempts {
				t.Errorf("delivery %+v, %d requests, err %v", d, len(rc.Bodies), err)
			}
			if c.attempts == 4 && (len(sl.D) != 3 || sl.D[2] < 3*time.Second) {
				t.Errorf("waits %v: want exponential backoff", sl.D)
			}
		})
	}
	// An unreachable endpoint is retried too, and the failure logged.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	hook, err := webhook.New(webhooktest.HookConfig(url), "outreach", st, webhooktest.Getenv, webhook.WithSleep((&webhooktest.Sleeps{}).Sleep))
	if err != nil {
		t.Fatal(err)
	}
	d, err := hook.Send(t.Context(), store.Delivery{ID: "down", Event: "export"}, []byte(`{}`))
	if err == nil || d.Attempts != 4 || d.Error == "" {
		t.Errorf("unreachable: %+v, %v", d, err)
	}
	if _, err := webhook.New(webhooktest.HookConfig(url), "outreach", st, func(string) string { return "" }); err == nil {
		t.Error("a webhook without its secret was built")
	}
	if _, err := webhook.New(webhooktest.HookConfig(url), "nope", st, webhooktest.Getenv); err == nil {
		t.Error("an unknown webhook name was built")
	}
}

func TestWebhookPushBatches(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 5)
	rc := &webhooktest.Receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	hook, err := webhook.New(webhooktest.HookConfig(srv.URL), "outreach", st, webhooktest.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	res, err := hook.Push(t.Context(), export.Filtered(st, store.TopQuery{}), "all scored creators")
	if err != nil {
		t.Fatal(err)
	}
	if res.Creators != 5 || len(res.Deliveries) != 3 || len(rc.Bodies) != 3 {
		t.Fatalf("push: %+v, %d requests; want 5 creators in batches of 2", res, len(rc.Bodies))
	}
	var keys []string
	seen := map[string]bool{}
	for i, b := range rc.Bodies {
		var body webhook.ExportBody
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if body.Event != "export" || body.Batch != i+1 || body.ExportID != res.ExportID || body.ID != rc.Keys[i] {
			t.Errorf("batch %d: %+v (key %s)", i+1, body, rc.Keys[i])
		}
		for _, raw := range body.Creators {
			var d export.Doc
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
}
