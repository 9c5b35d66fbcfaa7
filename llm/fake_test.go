package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/llm"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// testKey is the API key the tests put in the environment.
const testKey = "sk-test-5f0c9e1b7a2d4c8e9f3a6b1d0e7c2a94"

// fakeAPI speaks the chat-completions API: POST {base}/chat/completions with
// the OpenAI request JSON, answered by the replies in order (the last one
// repeats).
type fakeAPI struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	replies []http.HandlerFunc
	reqs    []recorded
}

// recorded is one request as the server saw it.
type recorded struct {
	Auth string
	Body map[string]any
}

func newFake(t *testing.T, replies ...http.HandlerFunc) *fakeAPI {
	f := &fakeAPI{t: t, replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"unknown route","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	var body map[string]any
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		f.t.Errorf("request body is not JSON: %v: %s", err, b)
	}
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, recorded{Auth: r.Header.Get("Authorization"), Body: body})
	h := f.replies[min(n, len(f.replies)-1)]
	f.mu.Unlock()
	h(w, r)
}

func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeAPI) count() int { return len(f.requests()) }

// baseURL is the API root as configured: the server's /v1.
func (f *fakeAPI) baseURL() string { return f.srv.URL + "/v1" }

// completion answers 200 with a chat completion whose message has content
// (null when ""), refusal (null when ""), finish reason and usage (none when
// total is 0).
func completion(content, refusal, finish string, prompt, completionTokens int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		msg := map[string]any{"role": "assistant", "content": nil, "refusal": nil}
		if content != "" {
			msg["content"] = content
		}
		if refusal != "" {
			msg["refusal"] = refusal
		}
		resp := map[string]any{
			"id":      "chatcmpl-test",
			"object":  "chat.completion",
			"created": 1748779200,
			"model":   "gpt-test-2025-06-01",
			"choices": []any{map[string]any{
				"index": 0, "message": msg, "logprobs": nil, "finish_reason": finish,
			}},
			"system_fingerprint": "fp_test",
		}
		if prompt+completionTokens > 0 {
			resp["usage"] = map[string]any{
				"prompt_tokens": prompt, "completion_tokens": completionTokens,
				"total_tokens": prompt + completionTokens,
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}
}

// answer is a 200 with content and usage 600 + 40.
func answer(content string) http.HandlerFunc { return completion(content, "", "stop", 600, 40) }

const goodAnswer = `{"label": "bot_like", "confidence": 0.85, "reasons": ["The same \"great post!\" comes from six accounts.", "Most comments are emoji only."]}`

// apiError answers status with an OpenAI error body and extra headers.
func apiError(status int, code, message string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": message, "type": "invalid_request_error", "param": nil, "code": code,
		}})
	}
}

// hang answers only when the client gives up (or after a minute).
func hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// sleeps records the judge's waits between retries instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// memCache is an in-memory store.LLMCache that counts puts.
type memCache struct {
	mu   sync.Mutex
	m    map[string]store.LLMVerdict
	puts int
}

func (c *memCache) GetVerdict(_ context.Context, hash string) (store.LLMVerdict, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[hash]
	if !ok {
		return v, fmt.Errorf("verdict %s: %w", hash, store.ErrNotFound)
	}
	return v, nil
}

func (c *memCache) PutVerdict(_ context.Context, v store.LLMVerdict) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]store.LLMVerdict{}
	}
	c.m[v.Hash] = v
	c.puts++
	return nil
}

func (c *memCache) putCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts
}

// cfgFor is an enabled config against the fake.
func cfgFor(f *fakeAPI) config.LLM {
	return config.LLM{
		Enabled:    true,
		BaseURL:    f.baseURL(),
		Model:      "gpt-test",
		APIKeyEnv:  "NANOSCOUT_TEST_LLM_KEY",
		Timeout:    5 * time.Second,
		MaxRetries: 2,
	}
}

func env(k string) string {
	if k == "NANOSCOUT_TEST_LLM_KEY" {
		return testKey
	}
	return ""
}

// newJudge builds a judge whose waits are recorded, not slept.
func newJudge(t *testing.T, cfg config.LLM, cache store.LLMCache, opts ...llm.Option) (*llm.Judge, *sleeps) {
	t.Helper()
	s := &sleeps{}
	j, err := llm.New(cfg, cache, env, append([]llm.Option{llm.WithSleep(s.sleep)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return j, s
}

var now0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// creatorData is a small creator with captions and comments; n varies the
// content (and so the hash).
func creatorData(n int) (model.Creator, []model.Post, []model.Comment) {
	c := model.Creator{Platform: "bluesky", ID: fmt.Sprintf("did:plc:creator%d", n), Handle: fmt.Sprintf("creator%d.bsky.social", n), Followers: 4200}
	var posts []model.Post
	var comments []model.Comment
	for i := range 3 {
		p := model.Post{Platform: "bluesky", ID: fmt.Sprintf("p%d-%d", n, i), CreatorID: c.ID,
			CreatedAt: now0.Add(-time.Duration(i) * 24 * time.Hour), Text: fmt.Sprintf("Day %d of my sourdough diary (creator %d)", i, n)}
		posts = append(posts, p)
		for k := range 6 {
			comments = append(comments, model.Comment{Platform: "bluesky", ID: fmt.Sprintf("c%d-%d-%d", n, i, k), PostID: p.ID, ParentID: p.ID,
				AuthorID: fmt.Sprintf("did:plc:fan%d", k), Text: "great post! 🔥", CreatedAt: p.CreatedAt.Add(time.Duration(k+1) * time.Minute), Depth: 1})
		}
	}
	return c, posts, comments
}
