// Package server is `nanoscout serve`: a JSON API and a web dashboard for
// talent scouts, served from one binary (templates and static assets are
// embedded). Scouts discover ranked creators with filters, open a creator's
// page (score breakdown in words, follower and ER history, recent posts),
// keep shortlists with notes and outreach status, export a shortlist or a
// filtered view, push it to an outreach tool's webhook, plan a campaign, and
// watch the pipeline's runs.
//
// Security: bound to anything but loopback, every page and API call needs
// the bearer token (Authorization: Bearer, or the session cookie /login
// sets); on loopback without a token only loopback Host names are served (no
// DNS rebinding). Queries are whitelisted parameters turned into a typed
// store.TopQuery (filter.Parse) with capped limits; JSON bodies are
// decoded strictly. State-changing forms carry a CSRF token, cross-origin
// browser writes are refused (http.CrossOriginProtection), and API writes
// must be JSON. Webhook URLs come from the config only.
package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// RunFunc runs the pipeline once (and whatever follows a run, such as
// alerts.Check).
type RunFunc func(ctx context.Context) (model.Run, error)

// Options configure a Server.
type Options struct {
	Store store.Store // must implement store.Scout
	// Config is the server section; its defaults are filled.
	Config config.Server
	// Token is the bearer token; "" serves without one (loopback only: the
	// caller refuses other addresses without a token, see RequireToken).
	Token string
	// Run starts a pipeline run; nil, or Config.AllowRuns false, disables
	// the button and POST /api/runs.
	Run RunFunc
	// Platforms are offered in the platform filter.
	Platforms []string
	Logger    *slog.Logger
	// Getenv reads webhook secrets (default os.Getenv).
	Getenv func(string) string
	// UserAgent is sent with webhook pushes.
	UserAgent string
}

// Server is the dashboard and API.
type Server struct {
	st      store.Store
	sc      store.Scout
	cfg     config.Server
	token   string
	key     []byte // signs session cookies and CSRF tokens; new per process
	log     *slog.Logger
	getenv  func(string) string
	ua      string
	pages   *pages
	runs    *runner
	logins  *throttle // failed sign-ins per client address
	mux     *http.ServeMux
	handler http.Handler
	opts    Options
}

// RequireToken reports whether addr needs a bearer token: any address but
// loopback (127.0.0.0/8, ::1, localhost).
func RequireToken(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return !isLoopback(host)
}

func isLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New builds a server.
func New(o Options) (*Server, error) {
	cfg := o.Config.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{st: o.Store, sc: o.Store, cfg: cfg, token: o.Token, key: key, log: o.Logger, getenv: o.Getenv, ua: o.UserAgent,
		pages: p, opts: o}
	run := o.Run
	if !cfg.AllowRuns {
		run = nil
	}
	s.runs = newRunner(run, o.Logger)
	s.logins = newThrottle(loginRefill, loginBurst)
	s.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, errors.New("cross-origin request refused"))
	}))
	s.handler = s.secure(cop.Handler(s.mux))
	return s, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close waits for a run in progress to end (it is cancelled through its
// context by the caller).
func (s *Server) Close() { s.runs.wait() }

// StartRunWithContext sets the context background runs use (default
// context.Background()); serve passes the process's signal context.
func (s *Server) StartRunWithContext(ctx context.Context) { s.runs.setContext(ctx) }

const (
	sessionCookie = "nanoscout_session"
	csrfCookie    = "nanoscout_csrf"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

func (s *Server) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// secure wraps every request: security headers, the Host check on loopback
// without a token, and authentication.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		// img-src allows https: for the avatars platforms give: the browser
		// fetches them from the platform (no referrer); the server proxies
		// nothing.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		if s.token == "" {
			host, _, err := net.SplitHostPort(r.Host)
			if err != nil {
				host = r.Host
			}
			if !isLoopback(host) {
				s.fail(w, r, http.StatusMisdirectedRequest, fmt.Errorf("host %q is not served: without a token the dashboard answers loopback names only", r.Host))
				return
			}
		}
		// Go's query parser stops at 10,000 parameters (and at a ';'); a
		// handler reading r.URL.Query() would then see no filter at all. A
		// query that does not parse whole is refused here, for every route,
		// so handlers may read r.URL.Query() without checking again.
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			s.fail(w, r, http.StatusBadRequest, fmt.Errorf("the query string does not parse: %w", err))
			return
		}
		if s.token != "" && !s.public(r) && !s.authenticated(r) {
			if isAPI(r) || r.Method != http.MethodGet {
				w.Header().Set("WWW-Authenticate", `Bearer realm="nanoscout"`)
				s.fail(w, r, http.StatusUnauthorized, errors.New("a bearer token is required"))
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// public are the paths served without a token: the login form, static
// assets (no data in them), the health check, and the sales webhook POST
// /api/conversions, which the shop authenticates with its HMAC signature
// instead (a shop cannot hold the scouts' token).
func (s *Server) public(r *http.Request) bool {
	p := r.URL.Path
	return p == "/login" || p == "/healthz" || strings.HasPrefix(p, "/static/") ||
		(p == "/api/conversions" && r.Method == http.MethodPost)
}

func (s *Server) authenticated(r *http.Request) bool {
	if auth := r.Header.Get("Authorization"); auth != "" {
		// The scheme is case-insensitive (RFC 9110 §11.1).
		scheme, tok, ok := strings.Cut(auth, " ")
		return ok && strings.EqualFold(scheme, "Bearer") &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.token)) == 1
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && hmac.Equal([]byte(c.Value), []byte(s.mac("session", s.token)))
}

// bearer reports whether the request carried the token in a header (not an
// ambient cookie), which no cross-site form can forge.
func (s *Server) bearer(r *http.Request) bool {
	return s.token != "" && r.Header.Get("Authorization") != "" && s.authenticated(r)
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// csrfToken returns the form token of this browser, setting its CSRF cookie
// on first use.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	id := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		id = c.Value
	} else {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
			Secure: r.TLS != nil})
	}
	return s.mac("csrf", id)
}

// checkCSRF verifies a form's CSRF token against the browser's cookie.
func (s *Server) checkCSRF(r *http.Request) error {
	if s.bearer(r) {
		return nil
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return errors.New("missing CSRF cookie: reload the page and try again")
	}
	tok := r.PostFormValue(csrfField)
	if tok == "" {
		tok = r.Header.Get(csrfHeader)
	}
	if !hmac.Equal([]byte(tok), []byte(s.mac("csrf", c.Value))) {
		return errors.New("invalid CSRF token: reload the page and try again")
	}
	return nil
}

// runner runs the pipeline in the background, one run at a time.
type runner struct {
	fn      RunFunc
	log     *slog.Logger
	mu      sync.Mutex
	ctx     context.Context
	running bool
	started time.Time
	last    *model.Run
	lastErr error
	wg      sync.WaitGroup
}

func newRunner(fn RunFunc, log *slog.Logger) *runner {
	return &runner{fn: fn, log: log, ctx: context.Background()}
}

func (r *runner) setContext(ctx context.Context) {
	r.mu.Lock()
	r.ctx = ctx
	r.mu.Unlock()
}

var (
	errRunsDisabled = errors.New("runs are not allowed from the dashboard (server.allow_runs is false)")
	errRunning      = errors.New("a run is already in progress")
)

// start begins a run unless one is in progress.
func (r *runner) start() error {
	if r.fn == nil {
		return errRunsDisabled
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		return errRunning
	}
	r.running, r.started = true, time.Now()
	r.wg.Add(1)
	ctx := r.ctx
	go func() {
		defer r.wg.Done()
		run, err := r.fn(ctx)
		if err != nil {
			r.log.Error("dashboard run failed", "err", err)
		}
		r.mu.Lock()
		r.running, r.last, r.lastErr = false, &run, err
		r.mu.Unlock()
	}()
	return nil
}

// runState is what the runs page and API show about the dashboard's runs.
type runState struct {
	Allowed bool       `json:"allowed"`
	Running bool       `json:"running"`
	Started time.Time  `json:"started,omitzero"`
	Last    *model.Run `json:"last,omitempty"`
	Error   string     `json:"error,omitempty"`
}

func (r *runner) state() runState {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := runState{Allowed: r.fn != nil, Running: r.running, Started: r.started, Last: r.last}
	if r.lastErr != nil {
		st.Error = r.lastErr.Error()
	}
	return st
}

func (r *runner) wait() { r.wg.Wait() }
