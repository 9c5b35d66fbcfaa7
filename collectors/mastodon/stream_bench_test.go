package mastodon

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/simulator"
)

// BenchmarkPublicDiscovery compares what discovering the posting accounts
// of six hours of an instance's public timeline costs (1,000 creators and
// their audience on the simulator): one streaming connection, against
// polling the REST timeline forward with min_id (40 per page) every minute
// (about the stream's latency) or every 15 minutes. Requests and bytes are
// counted where the simulator answers them (bodies only, no HTTP headers).
//
//	go test ./collectors/mastodon -run '^$' -bench PublicDiscovery -benchtime 1x
func BenchmarkPublicDiscovery(b *testing.B) {
	const window, creators = 6 * time.Hour, 1000
	// How many statuses the window holds, so the stream knows when to stop.
	twin := simulator.New(simulator.Options{Seed: 5, Creators: creators, Now: func() time.Time { return streamT0.Add(window) }})
	tsrv := httptest.NewServer(twin.Handler())
	defer tsrv.Close()
	_, statuses, _ := pollWindow(b, newBenchCollector(b, tsrv.URL+"/mastodon", map[string]string{"streaming": "off"}), streamT0)

	for _, mode := range []struct {
		name  string
		every time.Duration // 0: stream
	}{{"stream", 0}, {"poll-1m", time.Minute}, {"poll-15m", 15 * time.Minute}} {
		b.Run(mode.name, func(b *testing.B) {
			var reqs, bytes int64
			accounts := 0
			for b.Loop() {
				clk := newSimClock(streamT0)
				sim := simulator.New(simulator.Options{Seed: 5, Creators: creators, Now: clk.Now,
					Limits: map[string]simulator.Limit{"mastodon": {}}, Jetstream: simulator.JetstreamOptions{Poll: time.Millisecond}})
				tp := newTap(sim.Handler())
				srv := httptest.NewServer(tp)
				if mode.every == 0 {
					c := newBenchCollector(b, srv.URL+"/mastodon", map[string]string{"streaming": "on", "stream_for": "1h", "stream_statuses": strconv.Itoa(statuses)})
					done := make(chan int, 1)
					go func() {
						page, err := c.Discover(context.Background(), "public", "")
						if err != nil {
							b.Error(err)
						}
						done <- len(page.Candidates)
					}()
					<-tp.greeted
					for range 72 { // five minutes at a time
						clk.Add(window / 72)
						time.Sleep(2 * time.Millisecond)
					}
					accounts = <-done
				} else {
					c := newBenchCollector(b, srv.URL+"/mastodon", map[string]string{"streaming": "off"})
					seen := map[string]bool{}
					cursor := minCursor + strconv.FormatUint(uint64(streamT0.UnixMilli())<<16|0xffff, 10)
					for elapsed := time.Duration(0); elapsed < window; elapsed += mode.every {
						clk.Add(mode.every)
						for {
							page, err := c.Discover(context.Background(), "public", cursor)
							if err != nil {
								b.Fatal(err)
							}
							for _, id := range page.Candidates {
								seen[id] = true
							}
							if page.Next == "" {
								break
							}
							cursor = page.Next
						}
					}
					accounts = len(seen)
				}
				n, by := tp.count("")
				reqs += int64(n)
				bytes += by
				srv.Close()
			}
			b.ReportMetric(float64(reqs)/float64(b.N), "requests/window")
			b.ReportMetric(float64(bytes)/float64(b.N)/1024, "KiB/window")
			b.ReportMetric(float64(statuses), "statuses/window")
			b.ReportMetric(float64(accounts), "accounts")
		})
	}
}

func newBenchCollector(b testing.TB, base string, o map[string]string) *Collector {
	b.Helper()
	c, err := New(withOptions(testEnv(base), o))
	if err != nil {
		b.Fatal(err)
	}
	mc := c.(*Collector)
	mc.stream.reconnectBase = 5 * time.Millisecond
	return mc
}
