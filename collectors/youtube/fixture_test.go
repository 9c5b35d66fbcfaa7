package youtube

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/collectors/httpx"
	"github.com/nanoscout/nanoscout/collectors/internal/fixturetest"
)

// testKey is the fake API key; no error or log line may contain it.
const testKey = "AIzaSy-TEST-s3cr3t-KEY-0123456789"

const testUA = "nanoscout-test/1.0 (+https://example.invalid)"

// Ids in the fixtures.
const (
	gdChannel   = "UC_x5XG1OV2P6uZZ5FSM9Ttw" // Google Developers (channels.list, videos.list)
	gdUploads   = "UU_x5XG1OV2P6uZZ5FSM9Ttw"
	gdVideo     = "D-lhorsDlUQ"
	dfChannel   = "UC9PBzalIcEQCsiIkq36PyUA" // Digital Foundry (feeds_videos.xml)
	ctVideo     = "F1UP7wRCPH8"              // commentThreads.list
	ctToken     = "QURTSl9pMzdZOUVzMkI0czlmRmNjSVBPcTBTdzVzajUydDVnbE5SNElWS0l5WU12amYweVotdzF5c1hTNmxzUmVIcEZXbmVEVFMzNVJmWk82TVVwUlB2LWh5aUpOQlA5TGQzTWZEcHlTeTd2dlNGRUFZaVF0cmtJd01BTHlnOG0="
	replyThread = "UgwI_ylXVnzPS8Q-oAV4AaABAg" // totalReplyCount 2, no replies embedded
)

// fixture reads testdata/<name>.
var fixture = fixturetest.Read

// decode reads a JSON fixture into generic values, for variants derived
// from the real objects.
func decode[T any](t *testing.T, name string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(fixture(t, name), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func clone[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write(body)
}

var newServer = fixturetest.NewServer

// routes serves fixture bodies by Data API resource ("channels", …) or
// "feed", failing the test on anything else.
func routes(t *testing.T, bodies map[string][]byte) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		name := resourceOf(r)
		b, ok := bodies[name]
		if !ok {
			t.Errorf("unexpected request %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if name == "feed" {
			w.Header().Set("Content-Type", "application/atom+xml; charset=UTF-8")
			w.Write(b)
			return
		}
		writeJSON(w, http.StatusOK, b)
	}
}

// resourceOf names a request: the Data API resource, or "feed".
func resourceOf(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/feeds/videos.xml") {
		return "feed"
	}
	if _, res, ok := strings.Cut(r.URL.Path, "/youtube/v3/"); ok {
		return res
	}
	return r.URL.Path
}

// testEnv is a fast config pointed at base for both the API and the feeds,
// with the API key set unless key is "".
func testEnv(base, key string, options map[string]string) collectors.Env {
	opts := map[string]string{"rss_base_url": base}
	for k, v := range options {
		opts[k] = v
	}
	e := fixturetest.Env(base+"/", testUA) // trailing slash on purpose
	e.Config.Credentials, e.Config.Options = map[string]string{"api_key": "YOUTUBE_API_KEY"}, opts
	e.Getenv = func(name string) string {
		if name == "YOUTUBE_API_KEY" {
			return key
		}
		return ""
	}
	return e
}

var testNow = time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC)

// newTestCollector builds the collector with short retry backoffs and a
// fixed clock.
func newTestCollector(t *testing.T, env collectors.Env) *Collector {
	t.Helper()
	c, err := newCollector(env, httpx.WithBaseBackoff(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return testNow }
	return c
}

// htmlPage is what a proxy or maintenance page looks like.
var htmlPage = []byte("<!DOCTYPE html>\n<html><head><title>Error 502 (Server Error)</title></head><body>…</body></html>")
