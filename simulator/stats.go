package simulator

import (
	"strconv"
	"sync"
	"time"
)

// Stats are the simulator's counters, per platform.
type Stats struct {
	Platforms map[string]PlatformStats `json:"platforms"`
}

// PlatformStats count one platform's traffic. Requests counts every request
// under the platform's prefix, including rejected ones; Rejected counts the
// rate limiter's 429s; Faults counts injected faults (5xx, truncated,
// malformed, drifted), ByFault splits them; Vanished counts answers about
// accounts that are gone.
type PlatformStats struct {
	Requests   int64            `json:"requests"`
	ByStatus   map[string]int64 `json:"byStatus"`
	Rejected   int64            `json:"rejected"`
	Faults     int64            `json:"faults"`
	ByFault    map[string]int64 `json:"byFault"`
	Vanished   int64            `json:"vanished"`
	ByEndpoint map[string]int64 `json:"byEndpoint"`
}

type counters struct {
	mu         sync.Mutex
	requests   int64
	rejected   int64
	faults     int64
	vanished   int64
	byStatus   map[int]int64
	byFault    map[string]int64
	byEndpoint map[string]int64
}

func newCounters() *counters {
	return &counters{byStatus: map[int]int64{}, byFault: map[string]int64{}, byEndpoint: map[string]int64{}}
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
		ByStatus: map[string]int64{}, ByFault: map[string]int64{}, ByEndpoint: map[string]int64{},
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
