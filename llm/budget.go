package llm

import (
	"math"
	"sync"

	openai "github.com/sashabaranov/go-openai"
)

// budget is a run's token allowance, shared by concurrent calls. A call
// reserves its worst case (the estimated prompt plus max_answer_tokens)
// before its request and settles to what it used afterwards, so calls in
// flight together cannot overrun the limit on their estimates. Estimates are
// scaled up by the largest ratio of reported to estimated prompt tokens seen
// so far, so an endpoint whose tokenizer counts more than the estimate
// cannot overrun the limit for long.
type budget struct {
	mu       sync.Mutex
	limit    int
	spent    int
	reserved int
	scale    float64 // ≥ 1 once set; 0 means 1
}

// prompt is the estimate of a prompt's tokens, corrected by what the
// endpoint has reported.
func (b *budget) prompt(estimate int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.scale <= 1 {
		return estimate
	}
	return int(math.Ceil(float64(estimate) * b.scale))
}

// observe learns from a response how the estimate compares with the
// endpoint's count of prompt tokens.
func (b *budget) observe(estimate, reported int) {
	if estimate <= 0 || reported <= estimate {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.scale = max(b.scale, float64(reported)/float64(estimate))
}

// reserve sets n tokens aside, or reports false when they do not fit.
func (b *budget) reserve(n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.spent+b.reserved+n > b.limit {
		return false
	}
	b.reserved += n
	return true
}

// settle releases a reservation and charges what was used.
func (b *budget) settle(reserved, used int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reserved -= reserved
	b.spent += used
}

func (b *budget) spentTokens() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}

// usedTokens is what a response cost: the usage the endpoint reported, or,
// when it reported none, the prompt estimate plus an estimate of the answer.
func usedTokens(resp openai.ChatCompletionResponse, promptEstimate int) int {
	u := resp.Usage
	if n := max(u.TotalTokens, u.PromptTokens+u.CompletionTokens); n > 0 {
		return n
	}
	answer := 0
	for _, ch := range resp.Choices {
		answer += estimateTokens(ch.Message.Content) + estimateTokens(ch.Message.Refusal)
	}
	return promptEstimate + answer
}
