// Package opts holds the config helpers the platform collectors share:
// checking option and credential keys, parsing integer and boolean options,
// validating API root URLs and defaulting the logger. Error messages start
// with the platform name, as each collector wrote them before.
package opts

import (
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Known fails on the first option key not in known:
// `unknown <platform> option "k" (known: a, b)`.
func Known(platform string, options map[string]string, known []string) error {
	for k := range options {
		if !slices.Contains(known, k) {
			return fmt.Errorf("unknown %s option %q (known: %s)", platform, k, strings.Join(known, ", "))
		}
	}
	return nil
}

// OnlyCredential fails on the first credential key (in sorted order) other
// than key: `<platform> credentials: unknown key "k" (only <key> is used)`.
func OnlyCredential(platform string, creds map[string]string, key string) error {
	for _, k := range slices.Sorted(maps.Keys(creds)) {
		if k != key {
			return fmt.Errorf("%s credentials: unknown key %q (only %s is used)", platform, k, key)
		}
	}
	return nil
}

// Int parses options[name] as an integer in lo..hi; blank means def.
func Int(platform string, options map[string]string, name string, def, lo, hi int) (int, error) {
	v := strings.TrimSpace(options[name])
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s option %s %q: want an integer in %d..%d", platform, name, v, lo, hi)
	}
	return n, nil
}

// Bool parses options[name] as a boolean (strconv.ParseBool); blank means
// def.
func Bool(platform string, options map[string]string, name string, def bool) (bool, error) {
	v := strings.TrimSpace(options[name])
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s option %s %q: want true or false", platform, name, v)
	}
	return b, nil
}

// CleanRoot trims raw, falls back to def when it is blank and drops
// trailing slashes.
func CleanRoot(raw, def string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = def
	}
	return strings.TrimRight(raw, "/")
}

// HTTPURL parses s and reports whether it is an http or https URL with a
// host. u is nil when s does not parse.
func HTTPURL(s string) (u *url.URL, ok bool) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, false
	}
	return u, (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Logger returns log, or a logger that discards everything when log is nil.
func Logger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}
