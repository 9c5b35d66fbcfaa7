package simulator

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// platform is everything one simulated platform adds to the shared machinery.
// A platform lives in one file that calls registerPlatform from init(): it
// names its engagement benchmarks, how accounts are identified, how its
// errors and rate-limit headers look, and the routes it serves. Population,
// posts, comments, rate limiting, fault injection and stats are shared.
type platform struct {
	name string

	// bench is the per-tier range of engagement per post as a share of
	// followers, in %, that creators are drawn around.
	bench map[string][2]float64
	// Organic split of a post's engagement into replies, reposts and quotes;
	// likes are the rest.
	replyShare, repostShare, quoteShare float64

	// defaultLimit is the simulator's default (demo-friendly) limit;
	// realLimit documents what the real platform publishes.
	defaultLimit Limit
	realLimit    string

	// accountID and handle render an account's native id and handle;
	// resolve maps either back to the account.
	accountID func(p *Population, a *account) string
	handle    func(p *Population, a *account) string
	resolve   func(p *Population, s string) (acctRef, bool)

	// rateHeaders sets the rate-limit headers sent on every response; nil
	// for platforms that send none.
	rateHeaders func(h http.Header, l Limit, remaining int, reset time.Time)
	// tooMany answers a request the limiter refused (rate-limit headers are
	// already set) and returns the status it wrote: 429 for most platforms,
	// but e.g. 403 for a quota. Nil means a bare 429.
	tooMany func(w http.ResponseWriter) int
	// serverError is the body of an injected 5xx; nil means a JSON default.
	serverError func(status int) (contentType string, body []byte)
	// notFound answers paths no route matches; nil means a JSON 404.
	notFound func(w http.ResponseWriter, r *http.Request)
	// drift lists field renames for schema-drift faults, as JSON keys.
	drift [][2]string
	// routes lists the endpoints; endpoint names are the keys of byEndpoint.
	routes func(s *site) []route
}

// route is one endpoint of a platform.
type route struct {
	pattern  string // net/http ServeMux pattern relative to the platform prefix, e.g. "GET /xrpc/app.bsky.actor.getProfile"
	endpoint string // name in stats
	handler  http.HandlerFunc
}

var registry = map[string]*platform{}

// registerPlatform adds a platform; it panics on a duplicate name.
func registerPlatform(p *platform) {
	if _, dup := registry[p.name]; dup {
		panic(fmt.Sprintf("simulator: platform %q registered twice", p.name))
	}
	registry[p.name] = p
}

func platformNames() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
