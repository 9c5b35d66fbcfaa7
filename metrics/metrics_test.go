package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func TestRunTrackerAndHandler(t *testing.T) {
	m := New()
	var notReady error = errors.New("draining")
	h := Handler(m.Registry(), func(context.Context) error { return notReady })

	tr := m.Run()
	tr.Progress("bluesky", model.PlatformStats{Collected: 1, Scored: 1, Requests: 5, ByStatus: map[string]int64{"200": 4, "429": 1}, Throttled: 1, LimiterWaitMS: 1500})
	tr.Progress("bluesky", model.PlatformStats{Collected: 3, Scored: 3, Failed: 1, Requests: 12, ByStatus: map[string]int64{"200": 10, "429": 1, "500": 1}, Throttled: 1, Retries: 1, LimiterWaitMS: 2500})
	tr.Finish(model.Run{Platforms: map[string]*model.PlatformStats{
		"bluesky":  {Collected: 3, Scored: 3, Failed: 1, Skipped: 2, Requests: 13, ByStatus: map[string]int64{"200": 11, "429": 1, "500": 1}, Throttled: 1, Retries: 1, LimiterWaitMS: 2500},
		"mastodon": {Requests: 2, ByStatus: map[string]int64{"200": 2}},
	}})
	m.JobStarted("nightly")
	at := time.Unix(1_800_000_000, 0)
	m.JobFinished("nightly", model.RunSucceeded, 90*time.Second, at)
	m.JobFinished("prune", model.RunFailed, time.Second, at)
	m.JobSkipped("nightly", "lease")
	m.Pruned(map[string]int64{"comments": 7})

	code, body := get(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`nanoscout_requests_total{code="200",platform="bluesky"} 11`,
		`nanoscout_requests_total{code="429",platform="bluesky"} 1`,
		`nanoscout_requests_total{code="500",platform="bluesky"} 1`,
		`nanoscout_requests_total{code="200",platform="mastodon"} 2`,
		`nanoscout_throttled_total{platform="bluesky"} 1`,
		`nanoscout_limiter_wait_seconds_total{platform="bluesky"} 2.5`,
		`nanoscout_creators_total{outcome="collected",platform="bluesky"} 3`,
		`nanoscout_creators_total{outcome="scored",platform="bluesky"} 3`,
		`nanoscout_creators_total{outcome="skipped",platform="bluesky"} 2`,
		`nanoscout_job_runs_total{job="nightly",status="succeeded"} 1`,
		`nanoscout_job_running{job="nightly"} 0`,
		`nanoscout_job_last_success_timestamp_seconds{job="nightly"} 1.8e+09`,
		`nanoscout_job_last_finish_timestamp_seconds{job="prune"} 1.8e+09`,
		`nanoscout_run_duration_seconds_count{job="nightly"} 1`,
		`nanoscout_job_skips_total{job="nightly",reason="lease"} 1`,
		`nanoscout_pruned_total{collection="comments"} 7`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `job_last_success_timestamp_seconds{job="prune"}`) {
		t.Error("a failed job has a last-success time")
	}

	if code, _ := get(t, h, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("/readyz while not ready: %d %q", code, body)
	}
	notReady = nil
	if code, _ := get(t, h, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz when ready: %d", code)
	}
}
