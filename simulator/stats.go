package simulator

import (
	"strconv"
	"sync"
	"time"
)

// Stats are the simulator's counters, per platform.
type Stats struct {
	Platforms map[string]PlatformStats `json:"platforms"`
	Jetstream *JetstreamStats          `json:"jetstream,omitempty"`
}

// PlatformStats count one platform's traffic. Requests counts every request
// under the platform's prefix, including rejected ones; Rejected counts the
// rate limiter's refusals (429, or YouTube's RESOURCE_EXHAUSTED); Faults
// counts injected faults (5xx, truncated, malformed, drifted), ByFault
// splits them; Vanished counts answers about accounts that are gone; Private
// counts answers about private accounts; LoginWalls counts login walls
// served (TikTok, Instagram). QuotaUnits are the YouTube Data API units
// charged per API key since the server started (keys longer than 8
// characters are shown as their first and last 4), QuotaExceeded the
// requests refused with 403 quotaExceeded.
type PlatformStats struct {
	Requests      int64            `json:"requests"`
	ByStatus      map[string]int64 `json:"byStatus"`
	Rejected      int64            `json:"rejected"`
	Faults        int64            `json:"faults"`
	ByFault       map[string]int64 `json:"byFault"`
	Vanished      int64            `json:"vanished"`
	Private       int64            `json:"private"`
	LoginWalls    int64            `json:"loginWalls"`
	ByEndpoint    map[string]int64 `json:"byEndpoint"`
	QuotaUnits    map[string]int64 `json:"quotaUnits,omitempty"`
	QuotaExceeded int64            `json:"quotaExceeded,omitempty"`
	// Clients splits requests and refusals by client (Options.PerClientLimits only).
	Clients map[string]ClientStats `json:"clients,omitempty"`
}

// ClientStats count one client's requests to a platform and how many the
// rate limiter refused.
type ClientStats struct {
	Requests int64 `json:"requests"`
	Rejected int64 `json:"rejected"`
}

type counters struct {
	mu            sync.Mutex
	requests      int64
	rejected      int64
	faults        int64
	vanished      int64
	private       int64
	loginWalls    int64
	quotaExceeded int64
	byStatus      map[int]int64
	byFault       map[string]int64
	byEndpoint    map[string]int64
	units         map[string]int64
	clients       map[string]*ClientStats
}

func (c *counters) client(name string, rejected bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.clients == nil {
		c.clients = map[string]*ClientStats{}
	}
	cs := c.clients[name]
	if cs == nil {
		if len(c.clients) >= maxClients {
			return
		}
		cs = &ClientStats{}
		c.clients[name] = cs
	}
	cs.Requests++
	if rejected {
		cs.Rejected++
	}
}

func newCounters() *counters {
	return &counters{byStatus: map[int]int64{}, byFault: map[string]int64{}, byEndpoint: map[string]int64{}}
}

func (c *counters) privateAccount() {
	c.mu.Lock()
	c.private++
	c.mu.Unlock()
}

func (c *counters) loginWall() {
	c.mu.Lock()
	c.loginWalls++
	c.mu.Unlock()
}

// quota records n units charged to key, or a refusal when n is 0.
func (c *counters) quota(key string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n == 0 {
		c.quotaExceeded++
		return
	}
	if c.units == nil {
		c.units = map[string]int64{}
	}
	c.units[maskKey(key)] += n
}

// maskKey shortens an API key for display.
func maskKey(k string) string {
	if len(k) <= 8 {
		return k
	}
	return k[:4] + "…" + k[len(k)-4:]
}

func (c *counters) request(endpoint string) {
	c.mu.Lock()
	c.requests++
	c.byEndpoint[endpoint]++
	c.mu.Unlock()
}

func (c *counters) status(code int, rejected bool) {
	c.mu.Lock()
	c.byStatus[code]++
	if rejected {
		c.rejected++
	}
	c.mu.Unlock()
}

func (c *counters) fault(kind string) {
	c.mu.Lock()
	c.faults++
	c.byFault[kind]++
	c.mu.Unlock()
}

func (c *counters) gone() {
	c.mu.Lock()
	c.vanished++
	c.mu.Unlock()
}

func (c *counters) snapshot() PlatformStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := PlatformStats{
		Requests: c.requests, Rejected: c.rejected, Faults: c.faults, Vanished: c.vanished,
		Private: c.private, LoginWalls: c.loginWalls, QuotaExceeded: c.quotaExceeded,
		ByStatus: map[string]int64{}, ByFault: map[string]int64{}, ByEndpoint: map[string]int64{},
	}
	if c.units != nil {
		s.QuotaUnits = map[string]int64{}
		for k, v := range c.units {
			s.QuotaUnits[k] = v
		}
	}
	for k, v := range c.byStatus {
		s.ByStatus[strconv.Itoa(k)] = v
	}
	for k, v := range c.byFault {
		s.ByFault[k] = v
	}
	for k, v := range c.byEndpoint {
		s.ByEndpoint[k] = v
	}
	if c.clients != nil {
		s.Clients = map[string]ClientStats{}
		for k, v := range c.clients {
			s.Clients[k] = *v
		}
	}
	return s
}

// fixedWindow is a whole-platform fixed-window limiter.
type fixedWindow struct {
	mu    sync.Mutex
	limit Limit
	start time.Time
	count int
}

// take admits one request at now, or refuses it. It returns the requests
// left in the window and when the window ends.
func (f *fixedWindow) take(now time.Time) (ok bool, remaining int, reset time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ws := now.Truncate(f.limit.Window)
	if !ws.Equal(f.start) {
		f.start, f.count = ws, 0
	}
	reset = ws.Add(f.limit.Window)
	if f.count >= f.limit.Requests {
		return false, 0, reset
	}
	f.count++
	return true, f.limit.Requests - f.count, reset
}
