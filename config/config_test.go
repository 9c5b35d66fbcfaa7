package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
	_ "github.com/nanoscout/nanoscout/collectors/all"
	"github.com/nanoscout/nanoscout/config"
)

func TestDefaultParses(t *testing.T) {
	c := config.Default()
	if got := c.Enabled(); strings.Join(got, ",") != "bluesky,mastodon" {
		t.Errorf("enabled %v", got)
	}
	bs := c.Platforms["bluesky"]
	if bs.BaseURL != "https://public.api.bsky.app" || bs.RatePerSecond != 5 || bs.Timeout != 20*time.Second {
		t.Errorf("bluesky %+v", bs)
	}
	if bs.Credentials["app_password"] != "BLUESKY_APP_PASSWORD" {
		t.Errorf("credentials name env vars: %v", bs.Credentials)
	}
	if c.Scoring.SettledAfter != 24*time.Hour || c.Scoring.Weights["engagement"] != 0.40 {
		t.Errorf("scoring %+v", c.Scoring)
	}
}

func TestUnknownKeyIsAnErrorNamingIt(t *testing.T) {
	_, err := config.Parse([]byte("platforms:\n  bluesky:\n    enabled: true\n    rate_per_secnd: 3\n"))
	if err == nil || !strings.Contains(err.Error(), "rate_per_secnd") {
		t.Fatalf("err = %v, want one naming rate_per_secnd", err)
	}
}

func TestUnknownPlatform(t *testing.T) {
	if err := config.Default().CheckPlatforms(collectors.Names()); err != nil {
		t.Errorf("default config: %v", err)
	}
	// CheckPlatforms runs at load: a typo is an error naming it and the
	// known platforms (#11.5; it used to pass Parse).
	_, err := config.Parse([]byte("platforms:\n  myspace:\n    enabled: true\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown platform "myspace"`) || !strings.Contains(err.Error(), "bluesky") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("data_dir: /from/file\nmongo:\n  uri: mongodb://file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NANOSCOUT_MONGO_URI": "mongodb://env:27017"}
	c, err := config.Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Mongo.URI != "mongodb://env:27017" || c.DataDir != "/from/file" {
		t.Errorf("got uri %q dir %q", c.Mongo.URI, c.DataDir)
	}
	if _, err := config.Load(filepath.Join(t.TempDir(), "missing.yaml"), nil); err == nil {
		t.Error("missing file: no error")
	}
}

func TestStreamSection(t *testing.T) {
	c, err := config.Parse([]byte("stream:\n  since: 24h\n  funnel:\n    tiers: [nano]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Stream.Since != 24*time.Hour || len(c.Stream.Funnel.Tiers) != 1 || len(c.Stream.Hosts) != 4 ||
		c.Stream.FlushInterval != 2*time.Second || c.Stream.CursorMargin != 5*time.Second || c.Stream.Funnel.MinEngagement != 20 {
		t.Errorf("stream section with defaults: %+v", c.Stream)
	}
	for _, bad := range []string{
		"stream:\n  hosts: [https://jetstream1.us-east.bsky.network/subscribe]\n",
		"stream:\n  collections: [app.bsky.graph.block]\n",
		"stream:\n  collections: [app.bsky.feed.like]\n",
		"stream:\n  since: 100h\n",
		"stream:\n  cursor_margin: -1s\n",
		"stream:\n  funnel:\n    tiers: [tiny]\n",
		"stream:\n  flush_every: 1s\n",
	} {
		if _, err := config.Parse([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
