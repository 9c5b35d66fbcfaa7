package store

import (
	"context"
	"time"
)

// LLMVerdict is one answer of the LLM authenticity judge (package llm), kept
// under the hash of the question: the model, the prompt version and the
// sampled captions and comments. The same question is never asked twice.
type LLMVerdict struct {
	Hash          string    `json:"hash"` // hex SHA-256; the key
	CreatorKey    string    `json:"creatorKey"`
	Model         string    `json:"model"`
	PromptVersion string    `json:"promptVersion"`
	Label         string    `json:"label"`      // organic, scripted, bot_like
	Confidence    float64   `json:"confidence"` // 0..1
	Reasons       []string  `json:"reasons"`
	TokensUsed    int       `json:"tokensUsed"` // what the request that produced it cost
	CreatedAt     time.Time `json:"createdAt"`
}

// LLMCache keeps the LLM judge's verdicts by content hash. Both backends
// implement it.
type LLMCache interface {
	// GetVerdict returns the verdict stored under hash, or an error wrapping
	// ErrNotFound.
	GetVerdict(ctx context.Context, hash string) (LLMVerdict, error)
	// PutVerdict stores v under v.Hash, replacing what was there.
	PutVerdict(ctx context.Context, v LLMVerdict) error
}
