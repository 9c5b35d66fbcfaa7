package simulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// testNow is the fixed clock of most tests.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newSim(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	if opts.Limits == nil {
		opts.Limits = map[string]Limit{} // unlimited unless a test asks
		for _, n := range platformNames() {
			opts.Limits[n] = Limit{}
		}
	}
	return New(opts)
}

// resp is a response served in-process.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %.200s: %v", r.body, err)
	}
	return v
}

func (r resp) obj(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.json(t).(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %.200s", r.body)
	}
	return m
}

func (r resp) arr(t testing.TB) []any {
	t.Helper()
	a, ok := r.json(t).([]any)
	if !ok {
		t.Fatalf("want a JSON array, got %.200s", r.body)
	}
	return a
}

// do serves one request through the handler, in-process.
func do(h http.Handler, method, target string, header http.Header, body io.Reader) resp {
	req := httptest.NewRequest(method, "http://sim.test"+target, body)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return resp{status: rec.Code, header: rec.Result().Header, body: rec.Body.Bytes()}
}

func get(h http.Handler, target string) resp { return do(h, "GET", target, nil, nil) }

func getAuth(h http.Handler, target string) resp {
	return do(h, "GET", target, http.Header{"Authorization": {"Bearer test-token"}}, nil)
}

func q(s string) string { return url.QueryEscape(s) }

// dig walks a decoded JSON value by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func str(v any, path ...any) string  { s, _ := dig(v, path...).(string); return s }
func num(v any, path ...any) float64 { f, _ := dig(v, path...).(float64); return f }

func loadFixture(t testing.TB, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// Structural comparison. The fixture is summarised per canonical path (array
// elements merged, recursive "replies" levels folded into one): which kinds
// of value occur there and, for objects, which keys occur in all of them
// (required) or in some (optional). A response must have every required key
// unless listed optional, no key the fixture never has unless listed extra,
// and value kinds the fixture has (null on either side matches anything).

type shape struct {
	kinds    map[string]bool
	objects  int
	keyCount map[string]int
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return fmt.Sprintf("%T", v)
}

func canon(path string) string {
	for strings.Contains(path, ".replies[].replies[]") {
		path = strings.ReplaceAll(path, ".replies[].replies[]", ".replies[]")
	}
	return path
}

func summarise(v any, path string, into map[string]*shape) {
	path = canon(path)
	s := into[path]
	if s == nil {
		s = &shape{kinds: map[string]bool{}, keyCount: map[string]int{}}
		into[path] = s
	}
	s.kinds[kindOf(v)] = true
	switch x := v.(type) {
	case map[string]any:
		s.objects++
		for k, c := range x {
			s.keyCount[k]++
			summarise(c, path+"."+k, into)
		}
	case []any:
		for _, c := range x {
			summarise(c, path+"[]", into)
		}
	}
}

type keyRules struct {
	optional []string // keys the response may omit (path suffixes)
	extra    []string // keys the response may add (path suffixes)
}

func matchRule(path string, rules []string) bool {
	for _, r := range rules {
		if path == r || strings.HasSuffix(path, "."+r) {
			return true
		}
	}
	return false
}

// compareShape returns the problems found, each naming the path.
func compareShape(fixture, got any, root string, rules keyRules) []string {
	fx := map[string]*shape{}
	summarise(fixture, root, fx)
	var problems []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		cp := canon(path)
		s := fx[cp]
		if s == nil {
			return // below a key the fixture has only as null, or an empty array
		}
		k := kindOf(v)
		if k != "null" && !s.kinds["null"] && !s.kinds[k] {
			problems = append(problems, fmt.Sprintf("%s: %s, fixture has %v", path, k, keys(s.kinds)))
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if s.objects == 0 {
				return
			}
			for key, n := range s.keyCount {
				if _, ok := x[key]; !ok && n == s.objects && !matchRule(cp+"."+key, rules.optional) {
					problems = append(problems, "missing key "+path+"."+key)
				}
			}
			for key, c := range x {
				if s.keyCount[key] == 0 {
					if !matchRule(cp+"."+key, rules.extra) {
						problems = append(problems, "unexpected key "+path+"."+key)
					}
					continue
				}
				walk(c, path+"."+key)
			}
		case []any:
			for i, c := range x {
				walk(c, fmt.Sprintf("%s[]", path))
				_ = i
			}
		}
	}
	walk(got, root)
	sort.Strings(problems)
	return dedupe(problems)
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dedupe(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || s[i-1] != x {
			out = append(out, x)
		}
	}
	return out
}

func assertShape(t *testing.T, name string, fixture, got any, rules keyRules) {
	t.Helper()
	for _, p := range compareShape(fixture, got, "$", rules) {
		t.Errorf("%s: %s", name, p)
	}
}

// creatorWith finds a creator whose truth satisfies ok.
func creatorWith(t testing.TB, p *Population, platform string, ok func(Truth) bool) Truth {
	t.Helper()
	for i := range p.Size() {
		if tr := p.Creator(platform, i); ok(tr) {
			return tr
		}
	}
	t.Fatalf("no %s creator matches", platform)
	return Truth{}
}
