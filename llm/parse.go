package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// Bounds of an answer's reasons.
const (
	maxReasons      = 5
	maxReasonsRunes = 300
)

type answer struct {
	label      string
	confidence float64
	reasons    []string
}

// parseResponse reads the verdict from a chat completion: refusals are
// ErrRefused; anything but one bare JSON object with exactly the keys label
// (organic, scripted or bot_like), confidence (0..1) and reasons (1–5
// non-empty strings) is an *AnswerError.
func parseResponse(resp openai.ChatCompletionResponse) (answer, error) {
	if len(resp.Choices) == 0 {
		return answer{}, &AnswerError{Reason: "no choices in the response"}
	}
	ch := resp.Choices[0]
	if r := strings.TrimSpace(ch.Message.Refusal); r != "" {
		return answer{}, fmt.Errorf("%w: %q", ErrRefused, shorten(r, 200))
	}
	content := strings.TrimSpace(ch.Message.Content)
	switch ch.FinishReason {
	case openai.FinishReasonContentFilter:
		return answer{}, fmt.Errorf("%w: finish_reason content_filter", ErrRefused)
	case openai.FinishReasonLength:
		return answer{}, &AnswerError{Reason: "cut off at max_answer_tokens (finish_reason length)", Answer: shorten(content, 120)}
	}
	if content == "" {
		return answer{}, &AnswerError{Reason: fmt.Sprintf("empty content (finish_reason %q)", string(ch.FinishReason))}
	}
	return parseVerdict(content)
}

// parseVerdict parses the content strictly.
func parseVerdict(content string) (answer, error) {
	bad := func(format string, args ...any) (answer, error) {
		return answer{}, &AnswerError{Reason: fmt.Sprintf(format, args...), Answer: shorten(content, 120)}
	}
	if !strings.HasPrefix(content, "{") || !strings.HasSuffix(content, "}") {
		return bad("not a bare JSON object (text or code fences around it)")
	}
	var raw struct {
		Label      *string   `json:"label"`
		Confidence *float64  `json:"confidence"`
		Reasons    *[]string `json:"reasons"`
	}
	dec := json.NewDecoder(strings.NewReader(content))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return bad("not the JSON asked for: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bad("more than one JSON value")
	}
	switch {
	case raw.Label == nil:
		return bad("label missing")
	case raw.Confidence == nil:
		return bad("confidence missing")
	case raw.Reasons == nil:
		return bad("reasons missing")
	}
	a := answer{label: *raw.Label, confidence: *raw.Confidence}
	switch a.label {
	case LabelOrganic, LabelScripted, LabelBotLike:
	default:
		return bad("label %q is not %s, %s or %s", a.label, LabelOrganic, LabelScripted, LabelBotLike)
	}
	if math.IsNaN(a.confidence) || a.confidence < 0 || a.confidence > 1 {
		return bad("confidence %v is not between 0 and 1", a.confidence)
	}
	rs := *raw.Reasons
	if len(rs) == 0 || len(rs) > maxReasons {
		return bad("%d reasons, want 1 to %d", len(rs), maxReasons)
	}
	for i, r := range rs {
		r = clean(r)
		if r == "" {
			return bad("reason %d is empty", i+1)
		}
		a.reasons = append(a.reasons, truncate(r, maxReasonsRunes))
	}
	return a, nil
}
