package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Sign-in throttling: each client address may fail loginBurst times in a
// row, then one more attempt per loginRefill. A correct token is refused
// too while the client waits, so a throttled guesser learns nothing.
const (
	loginBurst  = 5
	loginRefill = 30 * time.Second
	// maxThrottled bounds the clients remembered; past it, the ones whose
	// budget is full again are forgotten (and, if none, the table is reset:
	// a flood of addresses must not exhaust memory).
	maxThrottled = 10_000
)

// throttle is a token bucket per client, spent by failures only.
type throttle struct {
	mu      sync.Mutex
	now     func() time.Time
	every   time.Duration
	burst   int
	clients map[string]*rate.Limiter
}

func newThrottle(every time.Duration, burst int) *throttle {
	return &throttle{now: time.Now, every: every, burst: burst, clients: map[string]*rate.Limiter{}}
}

// wait is how long client must wait before its next attempt (0: go ahead).
func (t *throttle) wait(client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.clients[client]
	if !ok {
		return 0
	}
	tokens := l.TokensAt(t.now())
	if tokens >= 1 {
		return 0
	}
	return max(time.Duration((1-tokens)*float64(t.every)), time.Second)
}

// fail spends one attempt of client's budget.
func (t *throttle) fail(client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	l, ok := t.clients[client]
	if !ok {
		if len(t.clients) >= maxThrottled {
			t.forget(now)
		}
		l = rate.NewLimiter(rate.Every(t.every), t.burst)
		t.clients[client] = l
	}
	l.AllowN(now, 1)
}

// forget drops the clients whose budget has refilled.
func (t *throttle) forget(now time.Time) {
	for c, l := range t.clients {
		if l.TokensAt(now) >= float64(t.burst) {
			delete(t.clients, c)
		}
	}
	if len(t.clients) >= maxThrottled {
		clear(t.clients)
	}
}

// clientAddr is the address a request came from: the connection's IP (not
// X-Forwarded-For, which any client can write).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
