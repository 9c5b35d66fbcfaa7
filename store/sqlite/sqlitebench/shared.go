package sqlitebench

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/store/sqlite"
)

// Shared is the store EnvStore describes, built or found and opened once
// per test binary for its benchmarks. Call Close from TestMain after m.Run.
type Shared struct {
	once sync.Once
	dir  string
	temp bool
	st   *sqlite.Store
	err  error
}

// Store returns the open store, building it on first use (progress on
// stderr as it happens: a big build takes a while).
func (s *Shared) Store(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s.once.Do(func() {
		ctx := context.Background()
		start := time.Now()
		logf := func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
		}
		if s.dir, s.temp, s.err = EnvStore(ctx, logf); s.err != nil {
			return
		}
		s.st, s.err = sqlite.Open(ctx, s.dir)
		tb.Logf("bench store in %s ready after %v", s.dir, time.Since(start).Round(time.Second))
	})
	if s.err != nil {
		tb.Fatalf("bench store: %v", s.err)
	}
	return s.st
}

// Close closes the store and removes it when it was built in a temporary
// directory.
func (s *Shared) Close() {
	if s.st != nil {
		s.st.Close()
	}
	if s.temp {
		os.RemoveAll(s.dir)
	}
}
