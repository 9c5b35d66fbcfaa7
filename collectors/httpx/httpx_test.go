package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
)

func cfg() collectors.PlatformConfig {
	return collectors.PlatformConfig{RatePerSecond: 1000, Burst: 100, Timeout: 500 * time.Millisecond, MaxRetries: 3, MaxRetryWait: 3 * time.Second}
}

func TestRetryAfterHeaders(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := New(cfg(), "ua", nil, WithClock(func() time.Time { return now }))
	cases := []struct {
		name string
		h    map[string]string
		want time.Duration
	}{
		{"retry-after seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"retry-after http date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{"bluesky epoch reset", map[string]string{"RateLimit-Reset": fmt.Sprint(now.Add(42 * time.Second).Unix())}, 42 * time.Second},
		{"draft delta reset", map[string]string{"RateLimit-Reset": "12"}, 12 * time.Second},
		{"mastodon iso reset", map[string]string{"X-RateLimit-Reset": now.Add(5 * time.Minute).Format("2006-01-02T15:04:05.000000Z")}, 5 * time.Minute},
		{"reset in the past", map[string]string{"X-RateLimit-Reset": now.Add(-time.Minute).Format(time.RFC3339)}, 0},
		{"nothing", map[string]string{}, time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.h {
				h.Set(k, v)
			}
			if got := c.retryAfter(h); got != tc.want {
				t.Errorf("retryAfter = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRetriesServerErrorsThenSucceeds(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") != "nanoscout-test/1" {
			t.Errorf("User-Agent %q", r.Header.Get("User-Agent"))
		}
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer srv.Close()
	c := New(cfg(), "nanoscout-test/1", nil, WithBaseBackoff(time.Millisecond))
	resp, err := c.Get(context.Background(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `{"ok":true}` {
		t.Errorf("body %q", resp.Body)
	}
	s := c.Stats()
	if s.Requests != 3 || s.Retries != 2 || s.ByStatus[502] != 2 || s.ByStatus[200] != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestGivesUpAfterMaxRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "down")
	}))
	defer srv.Close()
	c := New(cfg(), "ua", nil, WithBaseBackoff(time.Millisecond))
	_, err := c.Get(context.Background(), srv.URL+"?key=SECRET", nil)
	var he *collectors.HTTPError
	if !errors.As(err, &he) || he.Status != 503 {
		t.Fatalf("err %v, want HTTPError 503", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error leaks the key: %v", err)
	}
	if got := c.Stats().Requests; got != 4 {
		t.Errorf("requests %d, want 1 + 3 retries", got)
	}
}

func TestHonours429ThenSucceeds(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, "{}")
	}))
	defer srv.Close()
	c := New(cfg(), "ua", nil)
	start := time.Now()
	if _, err := c.Get(context.Background(), srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("did not wait for Retry-After: %s", waited)
	}
	s := c.Stats()
	if s.Throttled != 1 || s.LimiterWait < 900*time.Millisecond {
		t.Errorf("stats %+v", s)
	}
}

func Test429BeyondMaxWaitFailsFast(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := New(cfg(), "ua", nil)
	_, err := c.Get(context.Background(), srv.URL, nil)
	var rl *collectors.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Hour {
		t.Fatalf("err %v, want RateLimitError of 1h", err)
	}
	if c.Stats().Requests != 1 {
		t.Errorf("requests %d, want 1", c.Stats().Requests)
	}
}

func TestStatusErrors(t *testing.T) {
	for status, want := range map[int]error{404: collectors.ErrNotFound, 410: collectors.ErrNotFound, 401: collectors.ErrAuthRequired, 403: collectors.ErrForbidden} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
		c := New(cfg(), "ua", nil)
		resp, err := c.Get(context.Background(), srv.URL, nil)
		if !errors.Is(err, want) {
			t.Errorf("%d: err %v, want %v", status, err, want)
		}
		if resp == nil || resp.Status != status {
			t.Errorf("%d: response not returned with the error", status)
		}
		if c.Stats().Requests != 1 {
			t.Errorf("%d: retried a client error", status)
		}
		srv.Close()
	}
}

func TestTimeoutIsRetriedThenReported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	conf := cfg()
	conf.Timeout = 50 * time.Millisecond
	conf.MaxRetries = 1
	c := New(conf, "ua", nil, WithBaseBackoff(time.Millisecond))
	_, err := c.Get(context.Background(), srv.URL, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
	if c.Stats().Requests != 2 {
		t.Errorf("requests %d, want 2", c.Stats().Requests)
	}
}

func TestLimiterPacesRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))
	defer srv.Close()
	c := New(collectors.PlatformConfig{RatePerSecond: 20, Burst: 1}, "ua", nil)
	start := time.Now()
	for range 6 {
		if _, err := c.Get(context.Background(), srv.URL, nil); err != nil {
			t.Fatal(err)
		}
	}
	// 6 requests at 20/s with burst 1 need at least 5 intervals of 50 ms.
	if d := time.Since(start); d < 240*time.Millisecond {
		t.Errorf("6 requests took %s; the limiter did not pace them", d)
	}
	if c.Stats().LimiterWait < 200*time.Millisecond {
		t.Errorf("limiter wait %s not counted", c.Stats().LimiterWait)
	}
}

func TestIsHTMLAndRedact(t *testing.T) {
	if !IsHTML([]byte("  <!DOCTYPE html><html>")) || !IsHTML([]byte("<html lang=en>")) || IsHTML([]byte(`{"a":1}`)) {
		t.Error("IsHTML misclassifies")
	}
	if got := Redact("https://x.test/v3/channels?id=1&key=abc"); strings.Contains(got, "abc") || !strings.Contains(got, "id=1") {
		t.Errorf("Redact = %s", got)
	}
}

func TestConnectionErrorsDoNotLeakSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Close() // connection refused
	conf := cfg()
	conf.MaxRetries = 1
	c := New(conf, "ua", nil, WithBaseBackoff(time.Millisecond))
	_, err := c.Get(context.Background(), srv.URL+"/v3?access_token=TOPSECRET&id=1", nil)
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(err.Error(), "TOPSECRET") {
		t.Errorf("error leaks the token: %v", err)
	}
}

// TestClientIDHeader: a configured client id is sent on every request (the
// simulator's per-client budgets key on it); none is sent when unset.
func TestClientIDHeader(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Values(ClientHeader))
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	for _, id := range []string{"worker-2", ""} {
		pc := cfg()
		pc.ClientID = id
		if _, err := New(pc, "ua", nil).Get(t.Context(), srv.URL, nil); err != nil {
			t.Fatal(err)
		}
		vs := got.Load().([]string)
		if id == "" && len(vs) != 0 || id != "" && (len(vs) != 1 || vs[0] != id) {
			t.Errorf("client id %q: header %s = %q", id, ClientHeader, vs)
		}
	}
}
