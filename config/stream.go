package config

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Stream configures the Bluesky Jetstream consumer (`nanoscout stream`
// and the daemon's job kind "stream") and its candidate funnel.
type Stream struct {
	// Hosts are Jetstream subscribe URLs, tried in turn on reconnects.
	Hosts []string `yaml:"hosts"`
	// Collections are the wantedCollections.
	Collections []string `yaml:"collections"`
	// FlushInterval: how often the aggregated batch and the cursor are
	// written (a full batch is written at once).
	FlushInterval time.Duration `yaml:"flush_interval"`
	// FlushEvents: events per batch at most (catching up; at the live
	// rate FlushInterval comes first). Larger batches coalesce more count
	// updates per post into one write.
	FlushEvents int `yaml:"flush_events"`
	// CursorMargin is subtracted from the stored cursor on every resume.
	CursorMargin time.Duration `yaml:"cursor_margin"`
	// Since: where a first start (no stored cursor) begins, back from now
	// (within the service's retention, about 72 h); 0 = live.
	Since time.Duration `yaml:"since"`
	// Retention: how long tracked creators' posts and interactions are kept.
	Retention time.Duration `yaml:"retention"`
	// PendingWindow: how long a poster without engagement is remembered.
	PendingWindow time.Duration `yaml:"pending_window"`
	// MinEngagement: engagements by others that make a poster a tracked
	// candidate (the first filter).
	MinEngagement int `yaml:"min_engagement"`
	// Funnel thresholds.
	Funnel StreamFunnel `yaml:"funnel"`
}

// StreamFunnel configures the candidate funnel.
type StreamFunnel struct {
	// Every: how often the funnel runs (hydrate, filter, score).
	Every time.Duration `yaml:"every"`
	// Window: the activity window candidates are read over.
	Window time.Duration `yaml:"window"`
	// MinEngagement: engagement in the window before any request is spent.
	MinEngagement int64 `yaml:"min_engagement"`
	// Tiers scored (others are filtered after getProfiles).
	Tiers []string `yaml:"tiers"`
	// MaxCandidates per round.
	MaxCandidates int `yaml:"max_candidates"`
	// Rescore: how old a stream score may get before it is scored again.
	Rescore time.Duration `yaml:"rescore"`
}

func (s *Stream) fill() {
	if len(s.Hosts) == 0 {
		s.Hosts = []string{
			"wss://jetstream1.us-east.bsky.network/subscribe",
			"wss://jetstream2.us-east.bsky.network/subscribe",
			"wss://jetstream1.us-west.bsky.network/subscribe",
			"wss://jetstream2.us-west.bsky.network/subscribe",
		}
	}
	if len(s.Collections) == 0 {
		s.Collections = []string{"app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost", "app.bsky.graph.follow"}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&s.FlushInterval, 2*time.Second)
	def(&s.CursorMargin, 5*time.Second)
	def(&s.Retention, 72*time.Hour)
	def(&s.PendingWindow, 6*time.Hour)
	def(&s.Funnel.Every, 10*time.Minute)
	def(&s.Funnel.Window, 72*time.Hour)
	def(&s.Funnel.Rescore, 24*time.Hour)
	if s.FlushEvents == 0 {
		s.FlushEvents = 50_000
	}
	if s.MinEngagement == 0 {
		s.MinEngagement = 1
	}
	if s.Funnel.MinEngagement == 0 {
		s.Funnel.MinEngagement = 20
	}
	if len(s.Funnel.Tiers) == 0 {
		s.Funnel.Tiers = []string{model.TierNano, model.TierMicro}
	}
	if s.Funnel.MaxCandidates == 0 {
		s.Funnel.MaxCandidates = 1000
	}
}

var streamCollections = []string{"app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost", "app.bsky.graph.follow"}

// Validate checks the stream section (zero values take the defaults).
func (s Stream) Validate() error {
	for _, h := range s.Hosts {
		u, err := url.Parse(h)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			return fmt.Errorf("config: stream.hosts: %q is not a ws:// or wss:// URL", h)
		}
	}
	for _, c := range s.Collections {
		if !slices.Contains(streamCollections, c) {
			return fmt.Errorf("config: stream.collections: %q is not one the stream reads (%v)", c, streamCollections)
		}
	}
	if len(s.Collections) > 0 && !slices.Contains(s.Collections, "app.bsky.feed.post") {
		return fmt.Errorf("config: stream.collections must include app.bsky.feed.post (candidates are found by their posts)")
	}
	for name, d := range map[string]time.Duration{"flush_interval": s.FlushInterval, "cursor_margin": s.CursorMargin,
		"retention": s.Retention, "pending_window": s.PendingWindow, "funnel.every": s.Funnel.Every,
		"funnel.window": s.Funnel.Window, "funnel.rescore": s.Funnel.Rescore, "since": s.Since} {
		if d < 0 {
			return fmt.Errorf("config: stream.%s is negative", name)
		}
	}
	if s.Since > 72*time.Hour {
		return fmt.Errorf("config: stream.since %v is beyond Jetstream's retention (about 72h)", s.Since)
	}
	if s.CursorMargin > 10*time.Minute {
		return fmt.Errorf("config: stream.cursor_margin %v: want at most 10m", s.CursorMargin)
	}
	if s.FlushEvents < 0 || s.MinEngagement < 0 || s.Funnel.MinEngagement < 0 || s.Funnel.MaxCandidates < 0 {
		return fmt.Errorf("config: stream: flush_events, min_engagement, funnel.min_engagement and funnel.max_candidates must be ≥ 0")
	}
	tiers := []string{model.TierBelow, model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega}
	for _, t := range s.Funnel.Tiers {
		if !slices.Contains(tiers, t) {
			return fmt.Errorf("config: stream.funnel.tiers: unknown tier %q (%v)", t, tiers)
		}
	}
	return nil
}
