package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/config"
)

// TestLimitsAreValidated is the regression test of issue #10.6: numbers that
// defeated the limits (NaN rate, huge or negative concurrency, negative
// durations silently replaced by defaults) and cron specs only the daemon
// parsed are refused at load, with the range in the message.
func TestLimitsAreValidated(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"platforms:\n  bluesky:\n    rate_per_second: .nan\n", "platforms.bluesky.rate_per_second NaN: want a finite number in more than 0, at most 1000"},
		{"platforms:\n  bluesky:\n    rate_per_second: .inf\n", "platforms.bluesky.rate_per_second +Inf"},
		{"platforms:\n  mastodon:\n    rate_per_second: 0\n", "platforms.mastodon.rate_per_second 0 is out of range"},
		{"concurrency: 100000000\n", "concurrency 100000000 is out of range: want 1..256"},
		{"concurrency: -3\n", "concurrency -3 is out of range: want 1..256"},
		{"creator_timeout: -1m\n", "creator_timeout -1m is out of range: want 1s..24h"},
		{"platforms:\n  bluesky:\n    max_creators: -5\n", "platforms.bluesky.max_creators -5 is out of range: want 1..1000000"},
		{"platforms:\n  bluesky:\n    timeout: -1s\n", "platforms.bluesky.timeout -1s is out of range: want 100ms..10m"},
		{"schedule:\n  lease_ttl: -1m\n", "schedule.lease_ttl -1m is out of range: want 1s..24h"},
		{"schedule:\n  shutdown_timeout: -8s\n", "schedule.shutdown_timeout -8s is out of range"},
		{"schedule:\n  jobs:\n    nightly:\n      kind: run\n      spec: \"0 2 * *\"\n", "schedule.jobs.nightly.spec: cron spec"},
		{"schedule:\n  jobs:\n    nightly:\n      kind: run\n      spec: \"CRON_TZ=Mars/Olympus 0 2 * * *\"\n", "schedule.jobs.nightly.spec"},
		{"schedule:\n  jobs:\n    nightly:\n      kind: run\n      spec: \"@daily\"\n      timeout: -1h\n", "schedule.jobs.nightly.timeout -1h is out of range"},
		{"schedule:\n  timezone: Europe/Nowhere\n", "schedule.timezone"},
		{"llm:\n  temperature: .nan\n", "llm.temperature NaN"},
		{"scoring:\n  weights:\n    engagement: .nan\n", "scoring.weights.engagement NaN"},
		{"server:\n  webhooks:\n    crm:\n      url: https://crm.example\n      secret_env: S\n      max_attempts: -1\n", "server.webhooks.crm.max_attempts -1 is out of range: want 1..20"},
		{"server:\n  webhooks:\n    crm:\n      url: https://crm.example\n      secret_env: S\n  alerts:\n    - name: a\n      webhook: crm\n      filter: {min_er: .nan}\n", `line 9: parameter "min_er": want a number from 0 to 1000`},
		{"server:\n  webhooks:\n    crm:\n      url: https://crm.example\n      secret_env: S\n  alerts:\n    - name: a\n      webhook: crm\n      filter: {min_idx: 2}\n", `unknown filter "min_idx" (filters: platform, tier, min_followers`},
		{"server:\n  webhooks:\n    crm:\n      url: https://crm.example\n      secret_env: S\n  alerts:\n    - name: a\n      webhook: crm\n      filter: {tier: nanno}\n", `"nanno" is not one of nano, micro, mid, macro, mega, below`},
		{"log:\n  level: loud\n", "log.level \"loud\""},
		{"audience:\n  commenter_judge: model\n", `audience.commenter_judge "model": want signals or account`},
	} {
		_, err := config.Parse([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant an error containing %q", tc.yaml, err, tc.want)
		}
	}
}

// TestValidateReportsEveryError: all problems at once, not the first.
func TestValidateReportsEveryError(t *testing.T) {
	_, err := config.Parse([]byte("concurrency: 0\nplatforms:\n  blusky:\n    enabled: true\n  mastodon:\n    burst: -1\nschedule:\n  lease_ttl: -1s\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"concurrency 0", `unknown platform "blusky" (known: bluesky, instagram, mastodon, tiktok, youtube)`, "platforms.mastodon.burst -1", "schedule.lease_ttl -1s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestUserConfigMergesOverDefaults: a section or key the user does not
// mention keeps its default (#11.5); a platform mentioned without
// enabled: true keeps its default enabled state.
func TestUserConfigMergesOverDefaults(t *testing.T) {
	c, err := config.Parse([]byte("platforms:\n  mastodon:\n    seeds: [a@example.social]\nschedule:\n  timezone: UTC\nserver:\n  page_size: 20\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Platforms["mastodon"]
	if !m.Enabled || m.BaseURL != "https://mastodon.social" || m.RatePerSecond != 0.9 || m.MaxCreators != 100 || len(m.Seeds) != 1 {
		t.Errorf("mastodon lost its defaults: %+v", m)
	}
	if b := c.Platforms["bluesky"]; !b.Enabled || b.BaseURL != "https://public.api.bsky.app" {
		t.Errorf("bluesky (not mentioned) lost its defaults: %+v", b)
	}
	if c.Concurrency != 4 || c.CreatorTimeout != 2*time.Minute || c.Scoring.Weights["reply"] != 0.30 {
		t.Errorf("top level lost its defaults: concurrency %d, creator_timeout %v, weights %v", c.Concurrency, c.CreatorTimeout, c.Scoring.Weights)
	}
	s := c.Schedule
	if s.Timezone != "UTC" || s.LeaseTTL != time.Minute || s.Retention.Runs != 90*24*time.Hour || s.Jobs["nightly"].Spec != "0 2 * * *" {
		t.Errorf("schedule lost its defaults: %+v", s)
	}
	if c.Server.PageSize != 20 || c.Server.MaxPageSize != 200 || c.Server.Addr != "127.0.0.1:8080" {
		t.Errorf("server: %+v", c.Server)
	}
	// Jobs are replaced as a whole: the jobs listed are the jobs run.
	c, err = config.Parse([]byte("schedule:\n  jobs:\n    hourly:\n      kind: run\n      spec: \"@hourly\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Schedule.JobNames(); strings.Join(got, ",") != "hourly" {
		t.Errorf("jobs %v, want only hourly", got)
	}
}

// TestDefaultsAppliedInConfig: the server, schedule and llm sections come
// back with their defaults filled, so callers need not call WithDefaults.
func TestDefaultsAppliedInConfig(t *testing.T) {
	c, err := config.Parse([]byte("server:\n  webhooks:\n    crm:\n      url: https://crm.example/h\n      secret_env: CRM_SECRET\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := c.Server.Webhooks["crm"]
	if h.Timeout != 10*time.Second || h.MaxAttempts != 5 || h.BatchSize != 500 || h.Backoff != time.Second {
		t.Errorf("webhook defaults not applied: %+v", h)
	}
	if c.Server.TokenEnv != "NANOSCOUT_TOKEN" || c.Server.PageSize != 50 {
		t.Errorf("server defaults not applied: %+v", c.Server)
	}
	if c.Schedule.Unfinished != "resume" || c.LLM.MaxAnswerTokens != 800 {
		t.Errorf("schedule/llm defaults not applied")
	}
}

// TestPlatformWithoutEnabledIsAnError: listing a platform that is off by
// default, with seeds but no enabled key, was silently ignored (#11.4).
func TestPlatformWithoutEnabledIsAnError(t *testing.T) {
	_, err := config.Parse([]byte("platforms:\n  youtube:\n    seeds: [UCabc]\n"))
	if err == nil || !strings.Contains(err.Error(), `platforms.youtube (line 2): the section does not say enabled`) || !strings.Contains(err.Error(), "enabled: true") {
		t.Fatalf("err = %v", err)
	}
	c, err := config.Parse([]byte("platforms:\n  youtube:\n    enabled: true\n    seeds: [UCabc]\n"))
	if err != nil || !c.Platforms["youtube"].Enabled || c.Platforms["youtube"].BaseURL != "https://www.googleapis.com" {
		t.Fatalf("explicit enable: %v %+v", err, c.Platforms["youtube"])
	}
}

// TestAlertFilterVocabulary: an alert's filter takes the vocabulary's names
// (the same as the API's parameters and the CLI's flags) and still reads
// the older config names.
func TestAlertFilterVocabulary(t *testing.T) {
	const head = "server:\n  webhooks:\n    crm:\n      url: https://crm.example\n      secret_env: S\n  alerts:\n    - name: a\n      webhook: crm\n      filter: "
	for _, f := range []string{
		"{tier: nano, min_index: 1.5, min_auth: 0.8, max_followers: 9999, keyword: vegan, contact: true, lang: en, min_growth: -5, hide: contacted}",
		"{tier: nano, min_benchmark_index: 1.5, min_authenticity: 0.8, max_followers: 9999, keyword: vegan, has_contact: true, language: EN, min_growth: -5, hide: Contacted}",
	} {
		c, err := config.Parse([]byte(head + f + "\n"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got := c.Server.Alerts[0].Filter
		if got.Tier != "nano" || got.MinBenchmarkIndex != 1.5 || got.MinAuthenticity != 0.8 || got.MaxFollowers != 9999 ||
			got.Keyword != "vegan" || !got.HasContact || got.Language != "en" || got.MinGrowth == nil || *got.MinGrowth != -5 || got.Hide != "contacted" {
			t.Errorf("%s: %+v", f, got)
		}
	}
	if _, err := config.Parse([]byte(head + "{min_index: 1, min_benchmark_index: 2}\n")); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("a field under two names: %v", err)
	}
}
