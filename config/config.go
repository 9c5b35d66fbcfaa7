// Package config loads nanoscout's YAML configuration: where data lives (the
// embedded data directory or a MongoDB URI), the crawler's User-Agent, scoring
// weights, and per platform its base URL, rate limit, seeds, discovery queries
// and the names of the environment variables that hold its credentials.
//
// Decoding is strict: an unknown key is an error that names it. Environment
// variables override the file: NANOSCOUT_MONGO_URI, NANOSCOUT_DATA_DIR,
// NANOSCOUT_CLIENT_ID.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/configs"
	"github.com/nanoscout/nanoscout/model"
)

// Config is the whole configuration file.
type Config struct {
	// DataDir holds the embedded store; default $XDG_DATA_HOME/nanoscout.
	DataDir string `yaml:"data_dir"`
	Mongo   Mongo  `yaml:"mongo"`
	// UserAgent identifies the crawler on every request.
	UserAgent string `yaml:"user_agent"`
	// Concurrency is how many creators of one platform are collected at once.
	Concurrency int `yaml:"concurrency"`
	// CreatorTimeout bounds the collection of one creator.
	CreatorTimeout time.Duration `yaml:"creator_timeout"`
	// RefreshAfter: a creator collected more recently than this is skipped
	// (so an interrupted run, started again, continues where it stopped).
	RefreshAfter time.Duration `yaml:"refresh_after"`
	// PostRefresh: posts younger than this have their metrics (and threads)
	// fetched again on every collection, as their counts still move; older
	// posts are read from the store. Default 7 days.
	PostRefresh time.Duration `yaml:"post_refresh"`
	Scoring     Scoring       `yaml:"scoring"`
	// Audience is the audience sampling behind the audience-quality score.
	Audience Audience `yaml:"audience"`
	Log      Log      `yaml:"log"`
	// Schedule, Server and LLM are the daemon's, the dashboard's and the LLM
	// judge's sections (see their files).
	Schedule Schedule `yaml:"schedule"`
	Server   Server   `yaml:"server"`
	LLM      LLM      `yaml:"llm"`
	// Stream is the Bluesky Jetstream consumer's section (see stream.go).
	Stream Stream `yaml:"stream"`
	// Distributed is the scale-out section (see distributed.go).
	Distributed Distributed `yaml:"distributed"`
	// Platforms maps a registered collector name to its settings.
	Platforms map[string]collectors.PlatformConfig `yaml:"platforms"`
}

// Mongo selects the MongoDB backend when URI is set.
type Mongo struct {
	URI      string `yaml:"uri"`
	Database string `yaml:"database"`
}

// Scoring configures the composite score.
type Scoring struct {
	// Weights of the composite's parts: engagement, reply, authenticity.
	Weights map[string]float64 `yaml:"weights"`
	// SettledAfter: posts younger than this are left out of ER.
	SettledAfter time.Duration `yaml:"settled_after"`
	// Benchmarks is a path to a benchmarks file; "" uses configs/benchmarks.yaml
	// as built into the binary.
	Benchmarks string `yaml:"benchmarks"`
}

// Audience configures audience sampling: how many followers (or commenters,
// where a platform lists no followers) are sampled per creator, and how often
// a creator's sample is refreshed.
type Audience struct {
	// Sample is the number of accounts per sample; 0 turns sampling off.
	// 100 gives about ±8 points at 90 % on the real, active share.
	Sample int `yaml:"sample"`
	// RefreshAfter is how old the latest sample may get before a run takes a
	// new one (weekly by default: audiences change slowly, and a sample
	// costs requests).
	RefreshAfter time.Duration `yaml:"refresh_after"`
	// MaxPerRun caps the creators sampled per platform in one run (0 = no
	// cap), so that switching sampling on, or a large backlog, spreads its
	// requests over several nights; the rest keep their last sample.
	MaxPerRun int `yaml:"max_per_run"`
	// Judge decides whether each sampled account is real and active, fake
	// or inactive: "rules" (default), the explainable thresholds of
	// scoring.JudgeAccount (mass-follow: at most 2 posts and following 700 or
	// more; inactive: at most 2 posts or no post for 90 days); or "model",
	// the shipped account model, calibrated and reading unknown fields as
	// unknown (docs/scoring.md says why it is not the default yet).
	Judge string `yaml:"judge"`
	// CommenterJudge decides about the commenters sampled where a platform
	// lists no followers (YouTube, TikTok, Instagram): "signals" (default),
	// scoring.JudgeCommenter, bot or person from what a comment shows (its
	// text by the comment-spam model, the same words as other accounts, the
	// default picture, a weeks-old account); or "account", the follower
	// judge of Judge (which reads no post counts there, so "rules" judges
	// nothing).
	CommenterJudge string `yaml:"commenter_judge"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // auto (text on a terminal, JSON otherwise), text, json
	// ProgressInterval is how often a run or an export logs its progress
	// when its output is not a terminal.
	ProgressInterval time.Duration `yaml:"progress_interval"`
}

// Default returns the built-in default configuration (configs/default.yaml).
func Default() Config {
	c, err := Parse(nil)
	if err != nil {
		panic(fmt.Sprintf("config: built-in default does not parse: %v", err))
	}
	return c
}

// Load reads a config file; path "" means the built-in default. Environment
// overrides are applied with getenv (os.Getenv when nil). The file is merged
// over the built-in defaults (see Parse) and the result validated.
func Load(path string, getenv func(string) string) (Config, error) {
	var data []byte
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("reading config: %w", err)
		}
		data = b
	}
	c, err := Parse(data)
	if err != nil {
		if path != "" {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		return Config{}, err
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv("NANOSCOUT_MONGO_URI"); v != "" {
		c.Mongo.URI = v
	}
	if v := getenv("NANOSCOUT_CLIENT_ID"); v != "" {
		c.Distributed.ClientID = v
	}
	if v := getenv("NANOSCOUT_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	return c, nil
}

// Parse decodes a user config strictly (an unknown key is an error naming
// it), merges it over the built-in defaults (configs/default.yaml) key by
// key, validates the result and fills the remaining defaults.
//
// Merging: a mapping the user writes is merged into the default's mapping of
// the same key, so a section or key the user does not mention keeps its
// default (a config that only sets platforms.mastodon.seeds keeps Mastodon's
// base_url, rate limit and enabled: true). Lists and scalars replace the
// default's. schedule.jobs is replaced as a whole when given: the jobs you
// list are the jobs you get.
//
// Validation reports every problem found, joined (errors.Join): numbers out
// of range or not finite, cron specs and time zones, unknown platforms, and
// platform sections that would be silently disabled.
func Parse(data []byte) (Config, error) {
	// Strict decode of the user's file alone: unknown keys, duplicate keys
	// and wrong types are reported with the user's line numbers.
	var user yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		var probe Config
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&probe); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("parsing config: %w", err)
		}
		if err := yaml.Unmarshal(data, &user); err != nil {
			return Config{}, fmt.Errorf("parsing config: %w", err)
		}
	}
	var merged yaml.Node
	if err := yaml.Unmarshal(configs.Default, &merged); err != nil {
		return Config{}, fmt.Errorf("parsing the built-in default config: %w", err)
	}
	defaultPlatforms := mappingKeys(lookup(&merged, "platforms"))
	if root := docRoot(&user); root != nil {
		if root.Kind != yaml.MappingNode {
			return Config{}, fmt.Errorf("parsing config: line %d: want a mapping of settings at the top", root.Line)
		}
		mergeMapping(docRoot(&merged), root, "")
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(mustMarshal(&merged)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("parsing config: %w", err)
	}
	var ck checker
	known := append(defaultPlatforms, collectors.Names()...)
	if err := c.CheckPlatforms(known); err != nil {
		// Report the typo alone, not the unset numbers of its section.
		ck.add(err)
		for name := range c.Platforms {
			if !slices.Contains(known, name) {
				delete(c.Platforms, name)
			}
		}
	}
	ck.add(c.Validate())
	ck.add(checkImplicitlyDisabled(c, lookup(&user, "platforms")))
	if err := ck.err(); err != nil {
		return Config{}, err
	}
	c.fill()
	return c, nil
}

// checkImplicitlyDisabled reports a platform section the user wrote without
// saying enabled, whose platform is disabled by default: its seeds and
// queries would be ignored without a word.
func checkImplicitlyDisabled(c Config, userPlatforms *yaml.Node) error {
	var ck checker
	if userPlatforms == nil || userPlatforms.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(userPlatforms.Content); i += 2 {
		name, sec := userPlatforms.Content[i].Value, userPlatforms.Content[i+1]
		if lookupKey(sec, "enabled") != nil || c.Platforms[name].Enabled {
			continue
		}
		ck.errorf("platforms.%s (line %d): the section does not say enabled, and %s is disabled by default: add \"enabled: true\" to collect it (or \"enabled: false\" to keep it off)",
			name, userPlatforms.Content[i].Line, name)
	}
	return ck.err()
}

// replaced are the paths whose user value replaces the default's as a whole.
var replaced = map[string]bool{"schedule.jobs": true}

// mergeMapping merges src into dst (both mapping nodes): keys of src that
// are mappings in both are merged recursively, others replace dst's.
func mergeMapping(dst, src *yaml.Node, path string) {
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		p := k.Value
		if path != "" {
			p = path + "." + k.Value
		}
		j := keyIndex(dst, k.Value)
		switch {
		case j < 0:
			dst.Content = append(dst.Content, k, v)
		case !replaced[p] && v.Kind == yaml.MappingNode && dst.Content[j+1].Kind == yaml.MappingNode:
			mergeMapping(dst.Content[j+1], v, p)
		default:
			dst.Content[j+1] = v
		}
	}
}

func docRoot(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return nil
}

func keyIndex(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func lookupKey(m *yaml.Node, key string) *yaml.Node {
	if i := keyIndex(m, key); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

// lookup finds a top-level key of a document.
func lookup(doc *yaml.Node, key string) *yaml.Node { return lookupKey(docRoot(doc), key) }

func mappingKeys(m *yaml.Node) []string {
	var out []string
	if m != nil && m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			out = append(out, m.Content[i].Value)
		}
	}
	return out
}

func mustMarshal(n *yaml.Node) []byte {
	b, err := yaml.Marshal(n)
	if err != nil {
		panic(fmt.Sprintf("config: re-encoding a parsed YAML node: %v", err))
	}
	return b
}

// fill sets what the defaults file leaves empty (the data directory) and
// the section defaults, so no caller has to apply them.
func (c *Config) fill() {
	orDefault(&c.DataDir, DefaultDataDir())
	orDefault(&c.Mongo.Database, "nanoscout")
	c.Schedule = c.Schedule.WithDefaults()
	c.Server = c.Server.WithDefaults()
	c.LLM = c.LLM.WithDefaults()
	c.Stream.fill()
	c.Distributed.fill()
}

// Limits of the numbers Validate accepts.
const (
	MaxConcurrency = 256
	MaxRate        = 1000.0 // requests per second
	MaxCreators    = 1_000_000
)

// Validate checks what decoding cannot: sane numbers (finite, in range; the
// message says the range), log settings, and every section. It reports
// every problem, joined.
func (c Config) Validate() error {
	var ck checker
	ck.ints("concurrency", int64(c.Concurrency), 1, MaxConcurrency, false)
	ck.durations("creator_timeout", c.CreatorTimeout, time.Second, 24*time.Hour, false)
	ck.durations("refresh_after", c.RefreshAfter, 0, 365*24*time.Hour, false)
	ck.durations("post_refresh", c.PostRefresh, time.Hour, 365*24*time.Hour, false)
	ck.durations("scoring.settled_after", c.Scoring.SettledAfter, 0, 30*24*time.Hour, false)
	sum := 0.0
	for _, k := range sortedKeys(c.Scoring.Weights) {
		w := c.Scoring.Weights[k]
		ck.floats("scoring.weights."+k, w, 0, 1000, false)
		if w > 0 && !math.IsInf(w, 0) {
			sum += w
		}
	}
	if len(c.Scoring.Weights) > 0 && sum == 0 {
		ck.errorf("scoring.weights: at least one weight must be more than 0")
	}
	for _, name := range sortedKeys(c.Platforms) {
		p := c.Platforms[name]
		at := "platforms." + name + "."
		ck.floats(at+"rate_per_second", p.RatePerSecond, 0, MaxRate, true)
		ck.ints(at+"burst", int64(p.Burst), 1, 1000, false)
		ck.durations(at+"timeout", p.Timeout, 100*time.Millisecond, 10*time.Minute, false)
		ck.ints(at+"max_retries", int64(p.MaxRetries), 0, 20, false)
		ck.durations(at+"max_retry_wait", p.MaxRetryWait, 0, time.Hour, false)
		ck.ints(at+"max_creators", int64(p.MaxCreators), 1, MaxCreators, false)
		ck.ints(at+"posts", int64(p.Posts), 0, 1000, false)
		ck.ints(at+"thread_posts", int64(p.ThreadPosts), 0, 1000, false)
		if p.BaseURL != "" {
			if u, err := url.Parse(p.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				ck.errorf("%sbase_url %q: want an http(s) URL", at, p.BaseURL)
			}
		}
		for _, k := range sortedKeys(p.Credentials) {
			if v := p.Credentials[k]; v != "" && !envName.MatchString(v) {
				ck.errorf("%scredentials.%s: name the environment variable holding the secret (letters, digits, '_'), not the secret", at, k)
			}
		}
	}
	switch c.Audience.Judge {
	case "model", "rules":
	default:
		ck.errorf("audience.judge %q: want model or rules", c.Audience.Judge)
	}
	switch c.Audience.CommenterJudge {
	case "signals", "account":
	default:
		ck.errorf("audience.commenter_judge %q: want signals or account", c.Audience.CommenterJudge)
	}
	ck.ints("audience.max_per_run", int64(c.Audience.MaxPerRun), 0, 1_000_000, false)
	ck.ints("audience.sample", int64(c.Audience.Sample), 0, 1000, false)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		ck.errorf("log.level %q: want debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		ck.errorf("log.format %q: want auto, text or json", c.Log.Format)
	}
	ck.durations("log.progress_interval", c.Log.ProgressInterval, 10*time.Millisecond, time.Hour, false)
	ck.add(c.ValidateSchedule())
	ck.add(c.LLM.Validate())
	ck.add(c.Server.Validate())
	ck.add(c.Stream.Validate())
	ck.add(c.Distributed.Validate())
	return ck.err()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CheckPlatforms reports a platform section that names no known collector
// (a typo such as "blusky"). known is collectors.Names() in the binary.
func (c Config) CheckPlatforms(known []string) error {
	set := map[string]bool{}
	for _, n := range known {
		set[n] = true
	}
	names := make([]string, 0, len(c.Platforms))
	for name := range c.Platforms {
		names = append(names, name)
	}
	sort.Strings(names)
	var ck checker
	for _, name := range names {
		if !set[name] {
			ck.errorf("platforms.%s: unknown platform %q (known: %s)", name, name, strings.Join(slices.Sorted(maps.Keys(set)), ", "))
		}
	}
	return ck.err()
}

// Enabled lists the enabled platforms, sorted.
func (c Config) Enabled() []string {
	var out []string
	for name, p := range c.Platforms {
		if p.Enabled {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// DefaultDataDir is model.DefaultDataDir, the one definition.
func DefaultDataDir() string { return model.DefaultDataDir() }
