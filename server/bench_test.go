package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
	"github.com/nanoscout/nanoscout/store/sqlite/sqlitebench"
)

// benchCreators is the size of the benchmarks' store:
// $NANOSCOUT_BENCH_CREATORS, else 100,000 (`make bench` sets 1,000,000).
var benchCreators = func() int {
	_, o := sqlitebench.FromEnv()
	return o.Creators
}()

// big is the benchmarks' SQLite store of benchCreators scored, ranked
// creators (sqlitebench.FromEnv: a fifth with growth, the first 50,000 with
// their snapshots; $NANOSCOUT_BENCH_DIR keeps it between runs, as building
// ten million takes a while), built once per test binary.
var big sqlitebench.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	big.Close()
	os.Exit(code)
}

func seedBig(b *testing.B) *sqlite.Store { return big.Store(b) }

// BenchmarkAPIPage times requests for a filtered, sorted page of 50
// through the server's handler over the benchmark store (benchCreators), and reports the
// median and 95th percentile latency.
func BenchmarkAPIPage(b *testing.B) {
	st := seedBig(b)
	srv, err := New(Options{Store: st, Platforms: []string{"bluesky", "mastodon"}})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	cases := []struct{ name, path string }{
		{"platform+tier/by-score", "/api/creators?platform=bluesky&tier=nano&limit=50"},
		{"platform+tier/by-er", "/api/creators?platform=bluesky&tier=nano&sort=er&limit=50"},
		{"platform+tier/by-growth", "/api/creators?platform=bluesky&tier=nano&sort=growth&limit=50"},
		{"nano+min-er+min-auth/by-reply", "/api/creators?tier=nano&min_er=4&min_auth=0.7&sort=reply&limit=50"},
		{"nano/by-authenticity", "/api/creators?tier=nano&sort=authenticity&limit=50"},
		{"all/by-followers", "/api/creators?sort=followers&limit=50"},
		{"rising-stars/by-growth", "/api/creators?tier=nano&min_index=1.5&min_auth=0.8&max_followers=9999&sort=growth&limit=50"},
		{"keyword+contact", "/api/creators?tier=nano&q=pottery&contact=1&limit=50"},
		{"page-20", "/api/creators?platform=bluesky&tier=nano&sort=er&limit=50&offset=950"},
		{"discover-html", "/discover?platform=bluesky&tier=nano&sort=er"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, c.path, nil)
				req.Host = "127.0.0.1:8080"
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				lat = append(lat, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", c.path, w.Code, w.Body.String())
				}
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}

// BenchmarkExport streams every one of the benchmark store's creators as CSV and
// reports the rate.
func BenchmarkExport(b *testing.B) {
	st := seedBig(b)
	for b.Loop() {
		n, err := export.Write(context.Background(), io.Discard, export.CSV, export.Filtered(st, store.TopQuery{}))
		if err != nil || n != benchCreators {
			b.Fatalf("exported %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(benchCreators*b.N)/b.Elapsed().Seconds(), "creators/s")
}

// BenchmarkAPIConcurrent has 20 clients ask, over real HTTP, for filtered,
// sorted 50-row pages of the benchmark store at once (as a team of scouts
// on one dashboard would), and reports each request's latency (p50, p95),
// response bytes and the CPU time per request (cpu-ms/req: what latency
// follows on a busy or a quiet machine). Size the store with
// NANOSCOUT_BENCH_CREATORS (make bench: 1,000,000).
func BenchmarkAPIConcurrent(b *testing.B) {
	const clients = 20
	st := seedBig(b)
	checkPlans(b, st)
	srv, err := New(Options{Store: st, Platforms: []string{"bluesky", "mastodon"}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	paths := []string{
		"/api/creators?platform=bluesky&tier=nano&limit=50",
		"/api/creators?platform=bluesky&tier=nano&sort=er&limit=50",
		"/api/creators?tier=nano&sort=growth&limit=50",
		"/api/creators?platform=mastodon&tier=nano&sort=reply&limit=50",
		"/api/creators?tier=nano&sort=authenticity&limit=50&offset=500",
		"/api/creators?platform=bluesky&tier=micro&limit=50",
		"/api/creators?tier=nano&limit=50", // the dashboard's default view
	}
	withBreakdowns := false
	if recs, err := st.Top(b.Context(), store.TopQuery{Limit: 1}); err == nil && len(recs) == 1 {
		withBreakdowns = recs[0].Score.Breakdown != nil
	}
	for _, c := range []struct{ name, suffix string }{{"summary", ""}, {"with-breakdown", "&fields=breakdown"}} {
		b.Run(c.name, func(b *testing.B) {
			if c.suffix != "" && !withBreakdowns {
				b.Skip("the store was built without breakdowns (NANOSCOUT_BENCH_BREAKDOWNS=0)")
			}
			var (
				mu    sync.Mutex
				lat   []time.Duration
				bytes int64
				next  atomic.Int64
				wg    sync.WaitGroup
				fail  atomic.Value
			)
			n := int64(b.N)
			cpu0, cpuOK := processCPU()
			b.ResetTimer()
			for w := range clients {
				wg.Go(func() {
					var mine []time.Duration
					var got int64
					for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
						path := paths[(int(i)+w)%len(paths)] + c.suffix
						start := time.Now()
						resp, err := client.Get(ts.URL + path)
						if err != nil {
							fail.Store(err.Error())
							return
						}
						k, err := io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						mine = append(mine, time.Since(start))
						got += k
						if err != nil || resp.StatusCode != http.StatusOK {
							fail.Store(fmt.Sprintf("%s: %d %v", path, resp.StatusCode, err))
							return
						}
					}
					mu.Lock()
					lat, bytes = append(lat, mine...), bytes+got
					mu.Unlock()
				})
			}
			wg.Wait()
			b.StopTimer()
			cpu1, _ := processCPU()
			if f := fail.Load(); f != nil {
				b.Fatal(f)
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(float64(bytes)/float64(len(lat)), "resp-bytes")
			if cpuOK {
				// The process's CPU time per request, server and clients
				// together: with 20 closed-loop clients, latency is about
				// 20 × this ÷ cores, whatever else the machine runs.
				b.ReportMetric(float64((cpu1-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/req")
			}
			b.ReportMetric(float64(benchCreators), "creators")
		})
	}
}

// checkPlans asks SQLite, on the benchmark store (with the statistics it
// gathered), how it runs Top's ranked queries for the filters and sorts
// the benchmarks and the dashboard send (Store.ExplainTop): each must walk
// an index in the sort order, never scan and sort the table.
func checkPlans(b *testing.B, st *sqlite.Store) {
	b.Helper()
	for _, c := range []struct {
		platform, tier, sort string
	}{
		{"bluesky", "nano", ""}, {"bluesky", "nano", "er"}, {"bluesky", "nano", "growth"}, {"mastodon", "nano", "reply"},
		{"", "nano", ""}, {"", "nano", "growth"}, {"", "nano", "authenticity"}, {"", "nano", "er"},
		{"bluesky", "", "er"}, {"", "", "followers"}, {"", "", ""},
	} {
		q := store.TopQuery{Platform: c.platform, Tier: c.tier, SortBy: c.sort, Limit: 50, WithoutBreakdown: true}
		p, err := st.ExplainTop(b.Context(), q)
		if err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(p, "USING INDEX") || strings.Contains(p, "TEMP B-TREE") {
			b.Errorf("platform %q tier %q by %q over %d creators is not an index walk: %s", c.platform, c.tier, c.sort, benchCreators, p)
		} else {
			b.Logf("platform %q tier %q by %q: %s", c.platform, c.tier, c.sort, p)
		}
	}
}
