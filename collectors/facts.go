package collectors

import (
	"net/url"
	"strings"

	"github.com/nanoscout/nanoscout/model"
)

// Facts are what the rest of nanoscout needs to know about a platform
// besides collecting it: its name as people write it, and its profile URLs
// (built from a handle or id, and read back from one a person pastes).
// Each collector package registers its own next to its collector, so the
// server, exports and the CLI have no per-platform switches.
type Facts struct {
	// DisplayName is the platform's name as people write it, e.g. "YouTube".
	DisplayName string
	// ProfileURL is the profile link of a creator whose platform gave none
	// ("" when it cannot be built).
	ProfileURL func(c model.Creator) string
	// Hosts are the web hosts of the platform's profile pages (without
	// "www."). Empty for a federated platform (any host).
	Hosts []string
	// FromURL reads a creator reference from a profile URL on one of Hosts
	// (or any host when Hosts is empty): a handle, or an id when byID.
	FromURL func(u *url.URL) (ref string, byID, ok bool)
}

var facts = map[string]Facts{}

// RegisterFacts records a platform's facts; call it from the collector
// package's init beside Register.
func RegisterFacts(name string, f Facts) {
	mu.Lock()
	defer mu.Unlock()
	facts[name] = f
}

// FactsOf returns a platform's facts (ok false for an unregistered name).
func FactsOf(name string) (Facts, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := facts[name]
	return f, ok
}

// DisplayName is the platform's name as people write it ("YouTube"); an
// unknown platform's name is returned as it is.
func DisplayName(name string) string {
	if f, ok := FactsOf(name); ok && f.DisplayName != "" {
		return f.DisplayName
	}
	return name
}

// ProfileURL is the creator's profile on its platform: the URL the platform
// gave, else one built from the handle or id; "" when neither works.
func ProfileURL(c model.Creator) string {
	if strings.HasPrefix(c.URL, "https://") || strings.HasPrefix(c.URL, "http://") {
		return c.URL
	}
	if f, ok := FactsOf(c.Platform); ok && f.ProfileURL != nil && (c.Handle != "" || c.ID != "") {
		return f.ProfileURL(c)
	}
	return ""
}

// PlatformOfURL finds the platform whose profile pages live on u's host, and
// the creator reference in its path. Platforms with fixed hosts are tried
// first; a federated one (no Hosts) takes any other host.
func PlatformOfURL(u *url.URL) (platform, ref string, byID, ok bool) {
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	host = strings.TrimPrefix(host, "m.")
	var federated []string
	for _, name := range Names() {
		f, found := FactsOf(name)
		if !found || f.FromURL == nil {
			continue
		}
		if len(f.Hosts) == 0 {
			federated = append(federated, name)
			continue
		}
		for _, h := range f.Hosts {
			if host == h {
				ref, byID, ok = f.FromURL(u)
				return name, ref, byID, ok
			}
		}
	}
	for _, name := range federated {
		f, _ := FactsOf(name)
		if ref, byID, ok = f.FromURL(u); ok {
			return name, ref, byID, true
		}
	}
	return "", "", false, false
}

// PathSegments splits a URL path into its non-empty segments.
func PathSegments(u *url.URL) []string {
	var out []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
