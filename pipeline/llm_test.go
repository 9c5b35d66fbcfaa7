package pipeline_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
)

// TestLLMJudgeInBreakdown: with llm.enabled, every re-scored creator's
// breakdown carries the judge's verdict, and a second run over unchanged
// content asks the endpoint nothing (verdicts cached in the store).
func TestLLMJudgeInBreakdown(t *testing.T) {
	var calls atomic.Int32
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "c1", "object": "chat.completion", "model": "judge-test",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{
				"role": "assistant", "content": `{"label":"organic","confidence":0.8,"reasons":["Commenters ask specific questions about the recipes."]}`,
			}}},
			"usage": map[string]any{"prompt_tokens": 500, "completion_tokens": 40, "total_tokens": 540},
		})
	}))
	defer chat.Close()
	in := &instance{}
	srv := httptest.NewServer(in)
	defer srv.Close()

	cfg := testConfig(srv.URL, t.TempDir())
	cfg.LLM.Enabled = true
	cfg.LLM.BaseURL = chat.URL + "/v1"
	cfg.LLM.Model = "judge-test"
	cfg.LLM.APIKeyEnv = "TEST_LLM_KEY"
	cfg.LLM = cfg.LLM.WithDefaults()
	st := openStore(t)
	p, err := pipeline.New(cfg, st, pipeline.WithGetenv(func(k string) string {
		if k == "TEST_LLM_KEY" {
			return "test-key"
		}
		return ""
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if run, err := p.Run(ctx); err != nil || run.Status != model.RunSucceeded {
		t.Fatalf("run: %v %+v", err, run.Errors)
	}
	first := calls.Load()
	recs, err := st.Top(ctx, store.TopQuery{Platform: "mastodon"})
	if err != nil || len(recs) != 3 {
		t.Fatalf("top: %d, %v", len(recs), err)
	}
	for _, r := range recs {
		found := false
		for _, c := range r.Score.Breakdown {
			if c.Name == "llm_judge" && c.Weight == 0 && c.Reason != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no llm_judge row in %+v", r.Key, r.Score.Breakdown)
		}
	}
	if first == 0 || first > 3 {
		t.Errorf("%d chat requests for 3 creators", first)
	}
	if _, err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if again := calls.Load() - first; again != 0 {
		t.Errorf("second run over the same content made %d chat requests; want 0 (cached)", again)
	}
}
