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

	// bench is the per-tier range of engagement per post that creators are
	// drawn around, in %: as a share of followers when erBasis is
	// basisFollowers (the default), as a share of views when it is
	// basisViews.
	bench map[string][2]float64
	// erBasis says what the platform's tier benchmark divides by, and so
	// what Truth.TrueER measures: basisFollowers ("" means the same) or
	// basisViews. It matches `basis` in configs/benchmarks.yaml.
	erBasis string
	// Organic split of a post's engagement into replies, reposts and quotes;
	// likes are the rest. On view-based platforms engagement is (likes +
	// comments + shares) and quoteShare adds saves on top, outside ER.
	replyShare, repostShare, quoteShare float64
	// reach is the per-tier range of views per post as a share of the
	// followers who actually see posts; nil for platforms without views.
	// On follower-based platforms it only sizes the views of videos.
	reach map[string][2]float64
	// postRate scales how many posts an account makes (0 means 1).
	postRate float64
	// ownPostsOnly drops replies to other creators and reposts from the
	// lattice: the platform's listings show only the account's own uploads.
	ownPostsOnly bool
	// wholeSeconds puts every post on a whole second, for platforms whose
	// timestamps and ids carry seconds only (so ER truth and served data
	// agree on which posts are settled).
	wholeSeconds bool
	// privateShare is the share of creators whose accounts are private (on
	// YouTube: whose subscriber count is hidden).
	privateShare float64
	// likesHiddenShare and commentsOffShare are the shares of posts that hide
	// their like count or have comments turned off.
	likesHiddenShare, commentsOffShare float64
	// servedFollowers is the follower count as the platform shows it (for
	// example rounded); nil shows it exactly. Truth uses the shown count.
	servedFollowers func(int64) int64

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
	rateHeaders func(h http.Header, r *http.Request, l Limit, remaining int, reset time.Time)
	// tooMany answers a request the limiter refused (rate-limit headers are
	// already set) and returns the status it wrote: 429 for most platforms,
	// but e.g. 403 for a quota. Nil means a bare 429.
	tooMany func(w http.ResponseWriter, r *http.Request) int
	// serverError is the body of an injected 5xx; nil means a JSON default.
	serverError func(r *http.Request, status int) (contentType string, body []byte)
	// loginWall answers r with the platform's login wall and reports true,
	// or reports false for requests the wall never covers. The server calls
	// it for a share Faults.LoginWallRate of requests; nil means no wall.
	loginWall func(w http.ResponseWriter, r *http.Request) bool
	// notFound answers paths no route matches; nil means a JSON 404.
	notFound func(w http.ResponseWriter, r *http.Request)
	// robots is the platform's robots.txt ("" for none); /robots.txt at the
	// host root repeats its Allow and Disallow rules under the prefix.
	robots string
	// drift lists field renames for schema-drift faults, as JSON keys.
	drift [][2]string
	// routes lists the endpoints; endpoint names are the keys of byEndpoint.
	routes func(s *site) []route
}

// ER bases, as in configs/benchmarks.yaml.
const (
	basisFollowers = "followers"
	basisViews     = "views"
)

func (p *platform) basis() string {
	if p.erBasis == "" {
		return basisFollowers
	}
	return p.erBasis
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
