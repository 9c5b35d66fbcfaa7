// Package fixturetest holds the test helpers the platform collectors share:
// reading testdata files and their recorded ".headers.txt" companions, and
// test servers that record the requests they answer.
package fixturetest

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
)

// Read returns testdata/<name>, failing the test when it cannot be read.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ReadHeaders reads testdata/<name>, a recorded response head: a status
// line "HTTP <code> [text]" and "Key: value" lines; blank lines and lines
// starting with '#' are skipped. The status is 200 when there is no status
// line. Transport headers that must not be replayed (Content-Length,
// Transfer-Encoding, Content-Encoding, Connection, Date) are left out. A
// malformed line fails the test.
func ReadHeaders(t testing.TB, name string) (int, http.Header) {
	t.Helper()
	status, h := http.StatusOK, http.Header{}
	sc := bufio.NewScanner(bytes.NewReader(Read(t, name)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "HTTP "):
			code, err := strconv.Atoi(strings.Fields(line)[1])
			if err != nil {
				t.Fatalf("%s: bad status line %q", name, line)
			}
			status = code
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("%s: bad header line %q", name, line)
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "content-length", "transfer-encoding", "content-encoding", "connection", "date":
				continue // net/http sets them
			}
			h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return status, h
}

// Sequence answers with the handlers in turn, repeating the last.
func Sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// Server is a test server that records every request; handle answers each
// one, with n counting requests from 1.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

// NewServer starts a Server, closed when the test ends.
func NewServer(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(r.Context()))
		n := len(s.reqs)
		s.mu.Unlock()
		handle(w, r, n)
	}))
	t.Cleanup(s.Close)
	return s
}

// Requests returns the requests received so far.
func (s *Server) Requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// Env is a collector environment for tests against a local server at
// baseURL: fast rate limits, 2 s timeouts, two retries waiting at most 3 s,
// no secrets. Tests adjust what they need.
func Env(baseURL, userAgent string) collectors.Env {
	return collectors.Env{
		Config: collectors.PlatformConfig{
			BaseURL:       baseURL,
			RatePerSecond: 1000,
			Burst:         100,
			Timeout:       2 * time.Second,
			MaxRetries:    2,
			MaxRetryWait:  3 * time.Second,
		},
		UserAgent: userAgent,
		Getenv:    func(string) string { return "" },
	}
}
