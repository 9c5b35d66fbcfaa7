package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/internal/finite"
)

var _ store.LLMCache = (*Store)(nil)

// GetVerdict returns the verdict stored under hash, or store.ErrNotFound.
func (s *Store) GetVerdict(ctx context.Context, hash string) (store.LLMVerdict, error) {
	var v store.LLMVerdict
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT json FROM llm_verdicts WHERE hash = ?`, hash).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("reading LLM verdict %q: %w", hash, store.ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("reading LLM verdict %q: %w", hash, err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decoding LLM verdict %q: %w", hash, err)
	}
	return v, nil
}

// PutVerdict upserts v by its hash.
func (s *Store) PutVerdict(ctx context.Context, v store.LLMVerdict) error {
	if v.Hash == "" {
		return fmt.Errorf("writing LLM verdict: empty hash")
	}
	v.Confidence = finite.Float(v.Confidence)
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding LLM verdict %q: %w", v.Hash, err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO llm_verdicts(hash, creator_key, created_at, json) VALUES(?, ?, ?, ?)
			ON CONFLICT(hash) DO UPDATE SET creator_key = excluded.creator_key, created_at = excluded.created_at, json = excluded.json`,
			v.Hash, v.CreatorKey, micros(v.CreatedAt), string(b))
		if err != nil {
			return fmt.Errorf("writing LLM verdict %q: %w", v.Hash, err)
		}
		return nil
	})
}
