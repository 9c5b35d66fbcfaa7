package tiktok

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
)

// Values read from the fixtures.
const (
	testUA     = "nanoscout-test/1.0 (+https://example.invalid/nanoscout)"
	creatorID  = "6800000000000000001"
	handle     = "example_creator"
	secUID     = "MS4wLjABAAAAExAmPlE_sEcUiD-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
	video1     = "7300000000000000001"
	video2     = "7300000000000000002"
	comment1   = "7380000000000000001" // top-level, 7 replies, 1 inlined
	comment2   = "7380000000000000002" // top-level, no replies
	reply101   = "7380000000000000101" // answers comment1
	reply102   = "7380000000000000102" // answers reply101
	commenter4 = "7000000000000000004" // author of reply102
	prefix     = "/tiktok"             // the simulator's mount point
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// recorded is what the server saw of one request.
type recorded struct {
	path   string
	query  string
	header http.Header
}

// server serves base_url = srv.URL+"/tiktok": robots.txt from a testdata
// file, everything else (robots.txt too when robots is "") from handle, which
// gets the 1-based count of requests to the same path.
type server struct {
	*httptest.Server
	base string

	mu     sync.Mutex
	reqs   []recorded
	counts map[string]int
}

func newServer(t *testing.T, robots string, handle func(w http.ResponseWriter, r *http.Request, n int)) *server {
	t.Helper()
	s := &server{counts: map[string]int{}}
	var robotsBody []byte
	if robots != "" {
		robotsBody = readFile(t, robots)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone()})
		s.counts[r.URL.Path]++
		n := s.counts[r.URL.Path]
		s.mu.Unlock()
		if r.URL.Path == prefix+"/robots.txt" && robotsBody != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write(robotsBody)
			return
		}
		handle(w, r, n)
	}))
	t.Cleanup(s.Close)
	s.base = s.URL + prefix
	return s
}

func (s *server) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

func (s *server) paths() []string {
	var out []string
	for _, r := range s.requests() {
		out = append(out, r.path)
	}
	return out
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

var readFile = fixturetest.Read

func writeHTML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

func htmlFile(t *testing.T, name string) func(http.ResponseWriter, *http.Request, int) {
	body := readFile(t, name)
	return func(w http.ResponseWriter, _ *http.Request, _ int) { writeHTML(w, body) }
}

// routes serves fixed bodies by path below the prefix; any other path is a
// test failure and a 404.
func routes(t *testing.T, m map[string][]byte) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		body, ok := m[strings.TrimPrefix(r.URL.Path, prefix)]
		if !ok {
			t.Errorf("unexpected request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/") {
			writeJSON(w, body)
		} else {
			writeHTML(w, body)
		}
	}
}

func testEnv(base string) collectors.Env {
	e := fixturetest.Env(base, testUA)
	e.Config.Burst, e.Config.MaxRetryWait = 1000, 2*time.Second
	return e
}

func newTestCollector(t *testing.T, env collectors.Env) *Collector {
	t.Helper()
	c, err := newCollector(env, httpx.WithBaseBackoff(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return testNow }
	return c
}

var scriptRE = regexp.MustCompile(`(?s)(<script id="(?:__UNIVERSAL_DATA_FOR_REHYDRATION__|SIGI_STATE)" type="application/json">)(.*?)(</script>)`)

// pageJSON returns the JSON embedded in an HTML fixture, decoded.
func pageJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	m := scriptRE.FindSubmatch(readFile(t, name))
	if m == nil {
		t.Fatalf("%s: no data script", name)
	}
	var v map[string]any
	if err := json.Unmarshal(m[2], &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// withJSON returns the HTML fixture with its data script replaced by v.
func withJSON(t *testing.T, name string, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return scriptRE.ReplaceAllFunc(readFile(t, name), func(m []byte) []byte {
		sm := scriptRE.FindSubmatch(m)
		return append(append(append([]byte{}, sm[1]...), b...), sm[3]...)
	})
}

// userDetailOf returns __DEFAULT_SCOPE__["webapp.user-detail"] of a decoded
// universal page.
func userDetailOf(v map[string]any) map[string]any {
	return v["__DEFAULT_SCOPE__"].(map[string]any)["webapp.user-detail"].(map[string]any)
}

func jsonFile(t *testing.T, name string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(readFile(t, name), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
