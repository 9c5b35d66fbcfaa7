package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

// RunLLMCache checks store.LLMCache: a miss is ErrNotFound, a verdict comes
// back whole, a second put under the same hash replaces the first, hashes
// are independent, concurrent puts of one hash leave one verdict, and a
// non-finite confidence is stored as 0.
func RunLLMCache(t *testing.T, open func(t *testing.T) store.Store) {
	runSuite(t, open, []testCase[store.LLMCache]{
		{"MissIsNotFound", testVerdictMiss},
		{"RoundTrip", testVerdictRoundTrip},
		{"PutReplaces", testVerdictReplace},
		{"ConcurrentPut", testVerdictConcurrent},
		{"NonFiniteConfidence", testVerdictNonFinite},
		{"EmptyHashRefused", testVerdictEmptyHash},
	})
}

func verdict(hash, label string) store.LLMVerdict {
	return store.LLMVerdict{
		Hash:          hash,
		CreatorKey:    "bluesky:did:plc:verdict",
		Model:         "gpt-test",
		PromptVersion: "1",
		Label:         label,
		Confidence:    0.82,
		Reasons:       []string{"comments answer the post's question", "varied wording — «ça marche» ✓"},
		TokensUsed:    1234,
		CreatedAt:     t0,
	}
}

func sameVerdict(t *testing.T, got, want store.LLMVerdict) {
	t.Helper()
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	if got.Hash != want.Hash || got.CreatorKey != want.CreatorKey || got.Model != want.Model ||
		got.PromptVersion != want.PromptVersion || got.Label != want.Label ||
		got.Confidence != want.Confidence || got.TokensUsed != want.TokensUsed ||
		!slices.Equal(got.Reasons, want.Reasons) {
		t.Errorf("verdict = %+v, want %+v", got, want)
	}
}

func testVerdictMiss(ctx context.Context, t *testing.T, c store.LLMCache) {
	_, err := c.GetVerdict(ctx, strings.Repeat("0", 64))
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetVerdict of an unknown hash: %v, want ErrNotFound", err)
	}
}

func testVerdictRoundTrip(ctx context.Context, t *testing.T, c store.LLMCache) {
	a := verdict(strings.Repeat("a", 64), "organic")
	b := verdict(strings.Repeat("b", 64), "bot_like")
	b.Reasons = []string{"the same “great post!” from 6 accounts"}
	b.CreatorKey = "mastodon:109"
	must(t, "PutVerdict a", c.PutVerdict(ctx, a))
	must(t, "PutVerdict b", c.PutVerdict(ctx, b))
	got, err := c.GetVerdict(ctx, a.Hash)
	must(t, "GetVerdict a", err)
	sameVerdict(t, got, a)
	got, err = c.GetVerdict(ctx, b.Hash)
	must(t, "GetVerdict b", err)
	sameVerdict(t, got, b)
}

func testVerdictReplace(ctx context.Context, t *testing.T, c store.LLMCache) {
	v := verdict(strings.Repeat("c", 64), "organic")
	must(t, "PutVerdict", c.PutVerdict(ctx, v))
	v.Label, v.Confidence, v.Reasons, v.CreatedAt = "scripted", 0.6, []string{"templated captions"}, t0.Add(time.Hour)
	must(t, "PutVerdict again", c.PutVerdict(ctx, v))
	got, err := c.GetVerdict(ctx, v.Hash)
	must(t, "GetVerdict", err)
	sameVerdict(t, got, v)
}

func testVerdictConcurrent(ctx context.Context, t *testing.T, c store.LLMCache) {
	const n = 8
	hash := strings.Repeat("d", 64)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			v := verdict(hash, "organic")
			v.TokensUsed = 100 + i
			errs[i] = c.PutVerdict(ctx, v)
		})
	}
	wg.Wait()
	for i, err := range errs {
		must(t, fmt.Sprintf("PutVerdict %d", i), err)
	}
	got, err := c.GetVerdict(ctx, hash)
	must(t, "GetVerdict", err)
	if got.TokensUsed < 100 || got.TokensUsed >= 100+n || got.Label != "organic" {
		t.Errorf("after concurrent puts: %+v", got)
	}
}

func testVerdictNonFinite(ctx context.Context, t *testing.T, c store.LLMCache) {
	v := verdict(strings.Repeat("e", 64), "organic")
	v.Confidence = math.NaN()
	must(t, "PutVerdict", c.PutVerdict(ctx, v))
	got, err := c.GetVerdict(ctx, v.Hash)
	must(t, "GetVerdict", err)
	if got.Confidence != 0 {
		t.Errorf("NaN confidence came back as %v, want 0", got.Confidence)
	}
}

func testVerdictEmptyHash(ctx context.Context, t *testing.T, c store.LLMCache) {
	if err := c.PutVerdict(ctx, verdict("", "organic")); err == nil {
		t.Error("PutVerdict accepted an empty hash")
	}
}
