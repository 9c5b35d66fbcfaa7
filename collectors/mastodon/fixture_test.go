package mastodon

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
)

// recordedHost is the server the Mastodon.py cassettes were recorded against;
// Link headers naming it are rewritten to the test server.
const recordedHost = "http://localhost:3000"

// fixture is a recorded response: status, headers and body.
type fixture struct {
	status int
	header http.Header
	body   []byte
}

// loadFixture reads testdata/<name>.json and, when present,
// testdata/<name>.headers.txt ("HTTP <code> <text>" then "key: value" lines;
// lines starting with '#' are comments). Without a headers file the fixture
// is a 200 with a JSON content type.
func loadFixture(t *testing.T, name string) fixture {
	t.Helper()
	fx := fixture{status: http.StatusOK, header: http.Header{}, body: fixturetest.Read(t, name+".json")}
	if _, err := os.Stat(filepath.Join("testdata", name+".headers.txt")); os.IsNotExist(err) {
		fx.header.Set("Content-Type", "application/json; charset=utf-8")
		return fx
	}
	fx.status, fx.header = fixturetest.ReadHeaders(t, name+".headers.txt")
	return fx
}

// serve writes the fixture, pointing its Link header at the server that r
// reached.
func (fx fixture) serve(w http.ResponseWriter, r *http.Request) {
	for k, vs := range fx.header {
		for _, v := range vs {
			if strings.EqualFold(k, "link") {
				v = strings.ReplaceAll(v, recordedHost, "http://"+r.Host)
			}
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(fx.status)
	w.Write(fx.body)
}

// jsonFixture builds a 200 JSON fixture from a value (for responses derived
// from the recorded ones).
func jsonFixture(t *testing.T, v any) fixture {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: b}
}

// decode reads testdata/<name>.json into generic JSON values, for tests that
// derive variants from real objects.
func decode[T any](t *testing.T, name string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(loadFixture(t, name).body, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// clone deep-copies a generic JSON object.
func clone(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var newServer = fixturetest.NewServer

const testUA = "nanoscout-test/1.0 (+https://example.invalid)"

// testEnv is a fast config pointed at base: no real rate limit, short waits.
func testEnv(base string) collectors.Env {
	return fixturetest.Env(base+"/", testUA) // trailing slash on purpose
}

// newTestCollector builds the collector through the registry, as the
// pipeline does.
func newTestCollector(t *testing.T, env collectors.Env) *Collector {
	t.Helper()
	c, err := collectors.New(Platform, env)
	if err != nil {
		t.Fatal(err)
	}
	mc, ok := c.(*Collector)
	if !ok {
		t.Fatalf("registry built %T, want *mastodon.Collector", c)
	}
	mc.now = func() time.Time { return time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC) }
	return mc
}

// htmlPage is what a proxy or maintenance page looks like.
var htmlPage = []byte("<!DOCTYPE html>\n<html><head><title>We're sorry, but something went wrong</title></head><body>…</body></html>")

// withOptions sets the collector options of env.
func withOptions(env collectors.Env, o map[string]string) collectors.Env {
	env.Config.Options = o
	return env
}
