package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/internal/finite"
)

const colLLMVerdicts = "llm_verdicts"

var _ store.LLMCache = (*Store)(nil)

// llmVerdictDoc is a stored verdict; its _id is the content hash, so lookups
// are _id equality (the one filter FerretDB serves fast).
type llmVerdictDoc struct {
	ID            string    `bson:"_id"`
	CreatorKey    string    `bson:"creatorKey"`
	Model         string    `bson:"model"`
	PromptVersion string    `bson:"promptVersion"`
	Label         string    `bson:"label"`
	Confidence    float64   `bson:"confidence"`
	Reasons       []string  `bson:"reasons"`
	TokensUsed    int       `bson:"tokensUsed"`
	CreatedAt     time.Time `bson:"createdAt"`
}

// GetVerdict returns the verdict stored under hash, or store.ErrNotFound.
func (s *Store) GetVerdict(ctx context.Context, hash string) (store.LLMVerdict, error) {
	var d llmVerdictDoc
	err := s.db.Collection(colLLMVerdicts).FindOne(ctx, byID(hash)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.LLMVerdict{}, fmt.Errorf("reading LLM verdict %q: %w", hash, store.ErrNotFound)
	}
	if err != nil {
		return store.LLMVerdict{}, fmt.Errorf("reading LLM verdict %q: %w", hash, err)
	}
	return store.LLMVerdict{
		Hash: d.ID, CreatorKey: d.CreatorKey, Model: d.Model, PromptVersion: d.PromptVersion,
		Label: d.Label, Confidence: d.Confidence, Reasons: d.Reasons, TokensUsed: d.TokensUsed,
		CreatedAt: d.CreatedAt.UTC(),
	}, nil
}

// PutVerdict upserts v by its hash: a replaceOne with upsert. Two writers
// racing to insert the same new hash can meet a duplicate-key error (11000);
// the document then exists, so the replace is sent once more.
func (s *Store) PutVerdict(ctx context.Context, v store.LLMVerdict) error {
	if v.Hash == "" {
		return fmt.Errorf("writing LLM verdict: empty hash")
	}
	reasons := v.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	d := llmVerdictDoc{
		ID: v.Hash, CreatorKey: v.CreatorKey, Model: v.Model, PromptVersion: v.PromptVersion,
		Label: v.Label, Confidence: finite.Float(v.Confidence), Reasons: reasons, TokensUsed: v.TokensUsed,
		CreatedAt: v.CreatedAt.UTC(),
	}
	col := s.db.Collection(colLLMVerdicts)
	var err error
	for range 2 {
		_, err = col.ReplaceOne(ctx, byID(v.Hash), d, options.Replace().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("writing LLM verdict %q: %w", v.Hash, err)
	}
	return nil
}
