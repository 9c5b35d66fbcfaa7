package llm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/llm"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

func TestValidVerdict(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(goodAnswer))
	cache := &memCache{}
	j, _ := newJudge(t, cfgFor(f), cache, llm.WithClock(func() time.Time { return now0 }))
	c, posts, comments := creatorData(1)
	v, err := j.Judge(t.Context(), c, posts, comments)
	if err != nil {
		t.Fatal(err)
	}
	if v.Label != llm.LabelBotLike || v.Confidence != 0.85 || len(v.Reasons) != 2 || v.Model != "gpt-test" ||
		len(v.Hash) != 64 || v.TokensUsed != 640 || v.Cached || !v.CachedAt.Equal(now0) {
		t.Errorf("verdict %+v", v)
	}
	if j.Spent() != 640 {
		t.Errorf("Spent = %d, want the reported usage 640", j.Spent())
	}
	if cache.putCount() != 1 {
		t.Errorf("%d cache puts, want 1", cache.putCount())
	}

	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Auth != "Bearer "+testKey {
		t.Errorf("Authorization %q, want the key as a Bearer token", r.Auth)
	}
	if r.Body["model"] != "gpt-test" || r.Body["max_completion_tokens"] != float64(config.DefaultLLMMaxAnswerTokens) {
		t.Errorf("model / max_completion_tokens: %v", r.Body)
	}
	if rf, _ := r.Body["response_format"].(map[string]any); rf["type"] != "json_object" {
		t.Errorf("response_format %v, want json_object", r.Body["response_format"])
	}
	if _, ok := r.Body["temperature"]; ok {
		t.Errorf("temperature 0 was sent: %v", r.Body["temperature"])
	}
	msgs, _ := r.Body["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages %v", r.Body["messages"])
	}
	sys, _ := msgs[0].(map[string]any)
	user, _ := msgs[1].(map[string]any)
	if sys["role"] != "system" || !strings.Contains(sys["content"].(string), "JSON") {
		t.Errorf("system message %v", sys)
	}
	uc, _ := user["content"].(string)
	if user["role"] != "user" || !strings.Contains(uc, "sourdough diary") || !strings.Contains(uc, `"times":18`) {
		t.Errorf("user message %q", uc)
	}
	if strings.Contains(uc, "4200") || strings.Contains(uc, c.Handle) {
		t.Errorf("user message carries volatile or identifying data: %q", uc)
	}
}

func TestTemperatureSentWhenSet(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(goodAnswer))
	cfg := cfgFor(f)
	cfg.Temperature = 0.2
	j, _ := newJudge(t, cfg, nil)
	c, posts, comments := creatorData(1)
	if _, err := j.Judge(t.Context(), c, posts, comments); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.requests()[0].Body["temperature"].(float64); got < 0.19 || got > 0.21 {
		t.Errorf("temperature %v, want 0.2", f.requests()[0].Body["temperature"])
	}
}

// TestCachedSecondCallMakesNoRequest runs on the real SQLite store: the next
// run (a new judge) gets the verdict without a request and spends nothing.
func TestCachedSecondCallMakesNoRequest(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := newFake(t, answer(goodAnswer))
	c, posts, comments := creatorData(1)

	first, _ := newJudge(t, cfgFor(f), st)
	v1, err := first.Judge(t.Context(), c, posts, comments)
	if err != nil {
		t.Fatal(err)
	}
	// Same judge, same content; then a new run with the content in another
	// order and the creator's follower count changed.
	if _, err := first.Judge(t.Context(), c, posts, comments); err != nil {
		t.Fatal(err)
	}
	c.Followers++
	slices.Reverse(posts)
	slices.Reverse(comments)
	next, _ := newJudge(t, cfgFor(f), st)
	v2, err := next.Judge(t.Context(), c, posts, comments)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n != 1 {
		t.Fatalf("%d requests, want 1: cached calls must not ask", n)
	}
	if !v2.Cached || v2.Hash != v1.Hash || v2.Label != v1.Label || v2.Confidence != v1.Confidence ||
		!slices.Equal(v2.Reasons, v1.Reasons) || v2.TokensUsed != v1.TokensUsed || !v2.CachedAt.Equal(v1.CachedAt) {
		t.Errorf("cached verdict %+v, want %+v", v2, v1)
	}
	if next.Spent() != 0 || first.Spent() != 640 {
		t.Errorf("spent: first run %d (want 640), next run %d (want 0)", first.Spent(), next.Spent())
	}

	// New content is a new question.
	comments = append(comments, model.Comment{Platform: "bluesky", ID: "new", PostID: posts[0].ID, AuthorID: "did:plc:new",
		Text: "what flour do you use?", CreatedAt: now0.Add(time.Hour)})
	if _, err := next.Judge(t.Context(), c, posts, comments); err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n != 2 {
		t.Errorf("%d requests after new content, want 2", n)
	}
}

func TestBadAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reply   http.HandlerFunc
		snippet string // in the error
	}{
		{"malformed JSON", answer(`{"label": "organic", "confidence": 0.9, "reasons": [`), "JSON"},
		{"not JSON at all", answer(`The engagement looks organic to me.`), "bare JSON"},
		{"prose around JSON", answer(`Here is my verdict: ` + goodAnswer), "bare JSON"},
		{"prose after JSON", answer(goodAnswer + ` Hope this helps!`), "bare JSON"},
		{"code fences", answer("```json\n" + goodAnswer + "\n```"), "bare JSON"},
		{"two objects", answer(goodAnswer + "\n" + goodAnswer), "more than one"},
		{"unknown label", answer(`{"label": "suspicious", "confidence": 0.7, "reasons": ["odd"]}`), `"suspicious"`},
		{"label in other case", answer(`{"label": "Organic", "confidence": 0.7, "reasons": ["fine"]}`), `"Organic"`},
		{"missing label", answer(`{"confidence": 0.7, "reasons": ["odd"]}`), "label missing"},
		{"missing confidence", answer(`{"label": "organic", "reasons": ["odd"]}`), "confidence missing"},
		{"null confidence", answer(`{"label": "organic", "confidence": null, "reasons": ["odd"]}`), "confidence missing"},
		{"missing reasons", answer(`{"label": "organic", "confidence": 0.7}`), "reasons missing"},
		{"no reasons", answer(`{"label": "organic", "confidence": 0.7, "reasons": []}`), "0 reasons"},
		{"blank reason", answer(`{"label": "organic", "confidence": 0.7, "reasons": ["  "]}`), "empty"},
		{"too many reasons", answer(`{"label": "organic", "confidence": 0.7, "reasons": ["a","b","c","d","e","f"]}`), "6 reasons"},
		{"confidence out of range", answer(`{"label": "organic", "confidence": 85, "reasons": ["odd"]}`), "between 0 and 1"},
		{"confidence as text", answer(`{"label": "organic", "confidence": "high", "reasons": ["odd"]}`), "JSON"},
		{"unknown key", answer(`{"label": "organic", "confidence": 0.7, "reasons": ["odd"], "notes": "x"}`), "notes"},
		{"empty content", completion("", "", "stop", 600, 0), "empty content"},
		{"cut off", completion(`{"label": "organic", "confid`, "", "length", 600, 800), "cut off"},
		{"no choices", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":0,"total_tokens":5}}`))
		}, "no choices"},
		{"body not a completion", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><body>gateway</body></html>`))
		}, "not a chat completion"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.reply)
			cache := &memCache{}
			j, s := newJudge(t, cfgFor(f), cache)
			c, posts, comments := creatorData(1)
			_, err := j.Judge(t.Context(), c, posts, comments)
			if !errors.Is(err, llm.ErrBadAnswer) {
				t.Fatalf("err = %v, want ErrBadAnswer", err)
			}
			var ae *llm.AnswerError
			if !errors.As(err, &ae) {
				t.Errorf("err %T is not an *AnswerError", err)
			}
			if !strings.Contains(err.Error(), tc.snippet) {
				t.Errorf("err %q does not say %q", err, tc.snippet)
			}
			if f.count() != 1 || len(s.waits()) != 0 {
				t.Errorf("%d requests, %d retries: a bad answer is not retried", f.count(), len(s.waits()))
			}
			if cache.putCount() != 0 {
				t.Error("a bad answer was cached")
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply http.HandlerFunc
	}{
		{"refusal field", completion("", "I'm sorry, I can't help with assessing people.", "stop", 600, 12)},
		{"content filter", completion("", "", "content_filter", 600, 0)},
		{"content filter with partial content", completion(`{"label": "org`, "", "content_filter", 600, 3)},
		{"prompt filtered by the endpoint", apiError(http.StatusBadRequest, "content_filter", "The response was filtered due to the prompt triggering content management policy.")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.reply)
			cache := &memCache{}
			j, _ := newJudge(t, cfgFor(f), cache)
			c, posts, comments := creatorData(1)
			_, err := j.Judge(t.Context(), c, posts, comments)
			if !errors.Is(err, llm.ErrRefused) || errors.Is(err, llm.ErrBadAnswer) {
				t.Fatalf("err = %v, want ErrRefused", err)
			}
			if f.count() != 1 || cache.putCount() != 0 {
				t.Errorf("%d requests, %d cache puts; want 1 and 0", f.count(), cache.putCount())
			}
		})
	}
}

func TestRetryAfter429ThenSuccess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		header []string
		want   time.Duration
	}{
		{"Retry-After seconds", []string{"Retry-After", "2"}, 2 * time.Second},
		{"retry-after-ms", []string{"retry-after-ms", "1500", "Retry-After", "2"}, 1500 * time.Millisecond},
		{"Retry-After HTTP date", []string{"Retry-After", now0.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t,
				apiError(http.StatusTooManyRequests, "rate_limit_exceeded", "Rate limit reached for gpt-test on requests per min (RPM).", tc.header...),
				answer(goodAnswer))
			j, s := newJudge(t, cfgFor(f), nil, llm.WithClock(func() time.Time { return now0 }))
			c, posts, comments := creatorData(1)
			v, err := j.Judge(t.Context(), c, posts, comments)
			if err != nil {
				t.Fatal(err)
			}
			if v.Label != llm.LabelBotLike || f.count() != 2 {
				t.Errorf("verdict %+v after %d requests", v, f.count())
			}
			if w := s.waits(); len(w) != 1 || w[0] != tc.want {
				t.Errorf("waited %v, want [%v] as the 429 asked", w, tc.want)
			}
			if j.Spent() != 640 {
				t.Errorf("Spent = %d: a 429 costs nothing", j.Spent())
			}
		})
	}
}

func Test429BeyondMaxWaitFailsFast(t *testing.T) {
	t.Parallel()
	f := newFake(t, apiError(http.StatusTooManyRequests, "rate_limit_exceeded", "slow down", "Retry-After", "3600"))
	j, s := newJudge(t, cfgFor(f), nil)
	c, posts, comments := creatorData(1)
	_, err := j.Judge(t.Context(), c, posts, comments)
	var se *llm.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusTooManyRequests || se.RetryAfter != time.Hour {
		t.Fatalf("err = %v, want a 429 StatusError asking for 1h", err)
	}
	if f.count() != 1 || len(s.waits()) != 0 {
		t.Errorf("%d requests, waits %v", f.count(), s.waits())
	}
}

func TestInsufficientQuotaIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t, apiError(http.StatusTooManyRequests, "insufficient_quota", "You exceeded your current quota."))
	j, _ := newJudge(t, cfgFor(f), nil)
	c, posts, comments := creatorData(1)
	_, err := j.Judge(t.Context(), c, posts, comments)
	var se *llm.StatusError
	if !errors.As(err, &se) || se.Code != "insufficient_quota" || f.count() != 1 {
		t.Fatalf("err = %v after %d requests", err, f.count())
	}
}

func TestServerErrorsExhaustRetries(t *testing.T) {
	t.Parallel()
	f := newFake(t, apiError(http.StatusInternalServerError, "server_error", "The server had an error while processing your request."))
	cache := &memCache{}
	j, s := newJudge(t, cfgFor(f), cache)
	c, posts, comments := creatorData(1)
	_, err := j.Judge(t.Context(), c, posts, comments)
	var se *llm.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want a 500 StatusError", err)
	}
	if f.count() != 3 {
		t.Errorf("%d requests, want 1 + max_retries 2", f.count())
	}
	w := s.waits()
	if len(w) != 2 || w[0] < 500*time.Millisecond || w[0] > time.Second || w[1] < time.Second || w[1] > 2*time.Second {
		t.Errorf("backoff waits %v, want ~1s then ~2s with jitter", w)
	}
	if cache.putCount() != 0 || j.Spent() != 0 {
		t.Errorf("puts %d, spent %d after failures", cache.putCount(), j.Spent())
	}
}

func TestServerErrorThenSuccess(t *testing.T) {
	t.Parallel()
	f := newFake(t,
		func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) }, // not JSON
		answer(goodAnswer))
	j, _ := newJudge(t, cfgFor(f), nil)
	c, posts, comments := creatorData(1)
	if _, err := j.Judge(t.Context(), c, posts, comments); err != nil || f.count() != 2 {
		t.Fatalf("err %v after %d requests", err, f.count())
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t, apiError(http.StatusNotFound, "model_not_found", "The model `gpt-test` does not exist."))
	j, _ := newJudge(t, cfgFor(f), nil)
	c, posts, comments := creatorData(1)
	_, err := j.Judge(t.Context(), c, posts, comments)
	var se *llm.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound || f.count() != 1 {
		t.Fatalf("err %v after %d requests", err, f.count())
	}
}

func TestTimeoutIsRetriedThenReported(t *testing.T) {
	t.Parallel()
	f := newFake(t, hang)
	cfg := cfgFor(f)
	cfg.Timeout = 100 * time.Millisecond
	cfg.MaxRetries = 1
	j, s := newJudge(t, cfg, nil)
	c, posts, comments := creatorData(1)
	start := time.Now()
	_, err := j.Judge(t.Context(), c, posts, comments)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	if f.count() != 2 || len(s.waits()) != 1 {
		t.Errorf("%d requests, waits %v; want 2 and one wait", f.count(), s.waits())
	}
	if j.Spent() <= 0 || j.Spent() > cfg.WithDefaults().MaxTokensPerRun {
		t.Errorf("Spent = %d: timed-out prompts may have been billed and are charged", j.Spent())
	}
}

func TestTimeoutThenSuccess(t *testing.T) {
	t.Parallel()
	f := newFake(t, hang, answer(goodAnswer))
	cfg := cfgFor(f)
	cfg.Timeout = 100 * time.Millisecond
	j, _ := newJudge(t, cfg, nil)
	c, posts, comments := creatorData(1)
	v, err := j.Judge(t.Context(), c, posts, comments)
	if err != nil || v.Label != llm.LabelBotLike || f.count() != 2 {
		t.Fatalf("verdict %+v, err %v, %d requests", v, err, f.count())
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	t.Parallel()
	f := newFake(t, apiError(http.StatusServiceUnavailable, "", "overloaded"))
	cfg := cfgFor(f)
	j, err := llm.New(cfg, nil, env, llm.WithBaseBackoff(time.Hour)) // real sleep
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	c, posts, comments := creatorData(1)
	start := time.Now()
	_, err = j.Judge(ctx, c, posts, comments)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second || f.count() != 1 {
		t.Fatalf("err %v after %v and %d requests", err, time.Since(start), f.count())
	}
}

func TestBudgetExhaustedMakesNoRequest(t *testing.T) {
	t.Parallel()
	f := newFake(t, completion(goodAnswer, "", "stop", 300, 40))
	cfg := cfgFor(f)
	cfg.MaxAnswerTokens = 200
	cfg.MaxTokensPerRun = 1100 // a call reserves ~720 (estimated prompt + answer) and is charged 340
	j, _ := newJudge(t, cfg, nil)
	for i := range 2 {
		c, posts, comments := creatorData(i)
		if _, err := j.Judge(t.Context(), c, posts, comments); err != nil {
			t.Fatalf("call %d within the budget: %v", i, err)
		}
	}
	if j.Spent() != 680 {
		t.Fatalf("Spent = %d, want 2 × 340", j.Spent())
	}
	c, posts, comments := creatorData(3)
	_, err := j.Judge(t.Context(), c, posts, comments)
	if !errors.Is(err, llm.ErrBudget) {
		t.Fatalf("err = %v, want ErrBudget", err)
	}
	if f.count() != 2 || j.Spent() != 680 {
		t.Errorf("%d requests (want 2), spent %d (want 680)", f.count(), j.Spent())
	}
}

// TestBudgetLearnsFromReportedUsage: an endpoint counting three times the
// estimated prompt tokens makes the next reservations three times larger, so
// the cap is not overrun.
func TestBudgetLearnsFromReportedUsage(t *testing.T) {
	t.Parallel()
	f := newFake(t, completion(goodAnswer, "", "stop", 1500, 100))
	cfg := cfgFor(f)
	cfg.MaxAnswerTokens = 200
	cfg.MaxTokensPerRun = 2500 // the first reservation (~720) fits; after a charge of 1600 the next (~1700) does not
	j, _ := newJudge(t, cfg, nil)
	c, posts, comments := creatorData(1)
	if _, err := j.Judge(t.Context(), c, posts, comments); err != nil {
		t.Fatal(err)
	}
	c2, posts2, comments2 := creatorData(2)
	if _, err := j.Judge(t.Context(), c2, posts2, comments2); !errors.Is(err, llm.ErrBudget) {
		t.Fatalf("err = %v, want ErrBudget", err)
	}
	if f.count() != 1 || j.Spent() != 1600 {
		t.Errorf("%d requests, spent %d", f.count(), j.Spent())
	}
}

func TestBudgetTooSmallForOneRequest(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(goodAnswer))
	cfg := cfgFor(f)
	cfg.MaxAnswerTokens = 100
	cfg.MaxTokensPerRun = 101
	j, _ := newJudge(t, cfg, nil)
	c, posts, comments := creatorData(1)
	if _, err := j.Judge(t.Context(), c, posts, comments); !errors.Is(err, llm.ErrBudget) || f.count() != 0 {
		t.Fatalf("err %v after %d requests", err, f.count())
	}
}

// TestBudgetSharedByConcurrentCalls: calls in flight together never reserve
// more than the cap, so the tokens charged stay under it.
func TestBudgetSharedByConcurrentCalls(t *testing.T) {
	t.Parallel()
	const n = 8
	// Before the release each call makes one event: its request reaches the
	// server (it reserved tokens) or it returns (it was refused).
	events := make(chan struct{}, 2*n)
	release := make(chan struct{})
	slow := func(w http.ResponseWriter, r *http.Request) {
		events <- struct{}{}
		<-release
		completion(goodAnswer, "", "stop", 300, 40)(w, r)
	}
	f := newFake(t, slow)
	cfg := cfgFor(f)
	cfg.MaxAnswerTokens = 200
	cfg.MaxTokensPerRun = 2000 // room for three reservations of ~650
	j, _ := newJudge(t, cfg, nil)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, posts, comments := creatorData(100 + i)
			_, errs[i] = j.Judge(t.Context(), c, posts, comments)
			events <- struct{}{}
		})
	}
	// Once every call is either waiting at the server or refused, answer.
	for range n {
		<-events
	}
	close(release)
	wg.Wait()
	ok, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, llm.ErrBudget):
			refused++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok == 0 || refused == 0 || ok+refused != n || f.count() != ok {
		t.Errorf("%d verdicts, %d ErrBudget, %d requests", ok, refused, f.count())
	}
	if j.Spent() != ok*340 || j.Spent() > cfg.MaxTokensPerRun {
		t.Errorf("Spent = %d for %d calls", j.Spent(), ok)
	}
}

func TestUsageEstimatedWhenAbsent(t *testing.T) {
	t.Parallel()
	f := newFake(t, completion(goodAnswer, "", "stop", 0, 0))
	j, _ := newJudge(t, cfgFor(f), nil)
	c, posts, comments := creatorData(1)
	v, err := j.Judge(t.Context(), c, posts, comments)
	if err != nil {
		t.Fatal(err)
	}
	if v.TokensUsed < 100 || v.TokensUsed != j.Spent() {
		t.Errorf("TokensUsed %d, Spent %d: want an estimate when usage is absent", v.TokensUsed, j.Spent())
	}
}

func TestJSONModeDroppedWhenUnsupported(t *testing.T) {
	t.Parallel()
	var f *fakeAPI
	f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		reqs := f.requests()
		if _, ok := reqs[len(reqs)-1].Body["response_format"]; ok {
			apiError(http.StatusBadRequest, "", "response_format is not supported with this model")(w, r)
			return
		}
		answer(goodAnswer)(w, r)
	})
	j, s := newJudge(t, cfgFor(f), nil)
	for i := range 2 {
		c, posts, comments := creatorData(i)
		if _, err := j.Judge(t.Context(), c, posts, comments); err != nil {
			t.Fatal(err)
		}
	}
	withFormat := 0
	for _, r := range f.requests() {
		if _, ok := r.Body["response_format"]; ok {
			withFormat++
		}
	}
	if f.count() != 3 || withFormat != 1 || len(s.waits()) != 0 {
		t.Errorf("%d requests, %d with response_format, waits %v; want 3, 1, none", f.count(), withFormat, s.waits())
	}
}

// TestKeyNeverInErrorsOrLogs: the key goes out as a Bearer token only; an
// endpoint echoing it does not get it into errors or logs.
func TestKeyNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	echo := "Incorrect API key provided: " + testKey + ". You can find your API key at https://platform.openai.com/account/api-keys."
	scenarios := [][]http.HandlerFunc{
		{apiError(http.StatusInternalServerError, "server_error", "upstream rejected key "+testKey), apiError(http.StatusUnauthorized, "invalid_api_key", echo)},
		{func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad key "+testKey, http.StatusForbidden) }},
		{answer(`{"label": "organic", "confidence": 0.5, "reasons": ["` + testKey + `"], "x": 1}`)},
		{completion("", "I won't repeat "+testKey, "stop", 10, 10)},
		{func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("not json " + testKey)) }},
		// The key where a shortened message or answer would cut it.
		{apiError(http.StatusBadRequest, "", strings.Repeat("x", 190)+testKey)},
		{answer(strings.Repeat("y", 110) + testKey)},
	}
	var errs []error
	for i, replies := range scenarios {
		f := newFake(t, replies...)
		j, _ := newJudge(t, cfgFor(f), nil, llm.WithLogger(log))
		c, posts, comments := creatorData(i)
		_, err := j.Judge(t.Context(), c, posts, comments)
		if err == nil {
			t.Fatalf("scenario %d succeeded", i)
		}
		errs = append(errs, err)
		for _, r := range f.requests() {
			if r.Auth != "Bearer "+testKey {
				t.Errorf("Authorization %q", r.Auth)
			}
		}
	}
	keyStart := testKey[:12] // not even a prefix of it
	for i, err := range errs {
		if strings.Contains(err.Error(), keyStart) || strings.Contains(fmt.Sprintf("%+v", err), keyStart) {
			t.Errorf("error %d carries the key: %v", i, err)
		}
	}
	var se *llm.StatusError
	if !errors.As(errs[0], &se) || se.Status != http.StatusUnauthorized || !strings.Contains(se.Message, "[REDACTED]") {
		t.Errorf("first error %v, want the 401 with the key redacted", errs[0])
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged at debug level")
	}
	if strings.Contains(logs.String(), keyStart) {
		t.Errorf("the key is in the logs:\n%s", logs.String())
	}
}

func TestNoContentMakesNoRequest(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(goodAnswer))
	j, _ := newJudge(t, cfgFor(f), nil)
	c := model.Creator{Platform: "bluesky", ID: "did:plc:quiet"}
	posts := []model.Post{{Platform: "bluesky", ID: "p", Text: "   "}}
	comments := []model.Comment{{Platform: "bluesky", ID: "c", Text: "thanks!", ByCreator: true}}
	if _, err := j.Judge(t.Context(), c, posts, comments); !errors.Is(err, llm.ErrNoContent) || f.count() != 0 {
		t.Fatalf("err %v after %d requests", err, f.count())
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	cfg := config.LLM{Enabled: true, Model: "gpt-test", APIKeyEnv: "NANOSCOUT_TEST_LLM_KEY"}
	if _, err := llm.New(config.LLM{}, nil, env); !errors.Is(err, llm.ErrDisabled) {
		t.Errorf("disabled: %v", err)
	}
	if _, err := llm.New(cfg, nil, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "NANOSCOUT_TEST_LLM_KEY") {
		t.Errorf("missing key: %v, want an error naming the variable", err)
	}
	noModel := cfg
	noModel.Model = ""
	if _, err := llm.New(noModel, nil, env); err == nil || !strings.Contains(err.Error(), "llm.model") {
		t.Errorf("no model: %v", err)
	}
	withCreds := cfg
	withCreds.BaseURL = "https://user:" + testKey + "@api.example.com/v1"
	if _, err := llm.New(withCreds, nil, env); err == nil || strings.Contains(err.Error(), testKey) {
		t.Errorf("credentials in base_url: %v", err)
	}
	if _, err := llm.New(cfg, nil, env); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// TestDefaultConfig: configs/default.yaml lists the llm section's defaults,
// off.
func TestDefaultConfig(t *testing.T) {
	t.Parallel()
	got := config.Default().LLM
	want := config.LLM{}.WithDefaults()
	if got != want {
		t.Errorf("default.yaml llm = %+v\nWithDefaults   = %+v", got, want)
	}
	if got.Enabled || got.BaseURL != "https://api.openai.com/v1" || got.APIKeyEnv != "OPENAI_API_KEY" || got.Temperature != 0 {
		t.Errorf("defaults %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("default section: %v", err)
	}
	for _, y := range []string{"llm:\n  enabled: true\n", "llm:\n  temperature: 3\n", "llm:\n  max_retries: -1\n"} {
		// config.Parse validates the section: each of these is refused.
		if _, err := config.Parse([]byte(y)); err == nil || !strings.Contains(err.Error(), "llm") {
			t.Errorf("%q: Parse accepted it (%v)", y, err)
		}
	}
	if _, err := config.Parse([]byte("llm:\n  modle: x\n")); err == nil || !strings.Contains(err.Error(), "modle") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestToComponent(t *testing.T) {
	t.Parallel()
	v := llm.Verdict{Label: llm.LabelBotLike, Confidence: 0.8, Reasons: []string{"Six accounts post the same text.", "Emoji-only praise"}, Model: "gpt-test"}
	c := llm.ToComponent(v)
	if c.Name != "llm_judge" || c.Weight != 0 || c.Raw != 0.8 || c.Value < 0.199 || c.Value > 0.201 {
		t.Errorf("component %+v", c)
	}
	want := "an LLM (gpt-test) read a sample of the captions and audience comments and judged the engagement bot-like, 80% confident: Six accounts post the same text; Emoji-only praise. Shown only: it does not count towards the composite"
	if c.Reason != want {
		t.Errorf("reason\n%q\nwant\n%q", c.Reason, want)
	}
	org := llm.ToComponent(llm.Verdict{Label: llm.LabelOrganic, Confidence: 0.9, Reasons: []string{"varied replies"}})
	if org.Value != 0.9 || !strings.Contains(org.Reason, "organic, 90% confident") {
		t.Errorf("organic component %+v", org)
	}
}
