package main

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/nanoscout/nanoscout/config"
)

// TestConfigPrintAndCheck: `config print` writes the effective config (the
// file merged over the defaults, flags applied, the MongoDB password
// hidden), which `config check` accepts and which parses back to the same
// config.
func TestConfigPrintAndCheck(t *testing.T) {
	user := writeConfig(t, "concurrency: 2\nplatforms:\n  mastodon:\n    seeds: [a@example.social]\n")
	out, errOut, code := execCLI(t, "config", "print", "--config", user, "--data-dir", "/srv/nanoscout", "--mongo-uri", "mongodb://scout:s3cret@db.example:27017/")
	if code != 0 {
		t.Fatalf("config print: exit %d %s", code, errOut)
	}
	for _, want := range []string{"concurrency: 2", "base_url: https://mastodon.social", "a@example.social", "data_dir: /srv/nanoscout", "scout:xxxxx@db.example"} {
		if !strings.Contains(out, want) {
			t.Errorf("config print lacks %q", want)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Error("config print shows the MongoDB password")
	}
	printed := writeConfig(t, out)
	back, err := config.Load(printed, func(string) string { return "" })
	if err != nil {
		t.Fatalf("the printed config does not load: %v", err)
	}
	want, _ := config.Load(user, func(string) string { return "" })
	want.DataDir, want.Mongo.URI = "/srv/nanoscout", back.Mongo.URI
	// Compared as YAML: nil and empty lists print alike.
	if a, b := mustYAML(t, back), mustYAML(t, want); a != b {
		t.Errorf("printed config differs from the effective one:\n%s\n%s", a, b)
	}
	out, errOut, code = execCLI(t, "config", "check", printed)
	if code != 0 || !strings.Contains(out, "ok") || !strings.Contains(out, "enabled platforms: bluesky, mastodon") || !strings.Contains(out, "platforms.bluesky has no seeds") {
		t.Errorf("config check: exit %d\n%s%s", code, out, errOut)
	}
}

func mustYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
