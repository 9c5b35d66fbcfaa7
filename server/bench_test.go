package server

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// benchCreators is the size of the benchmarks' store:
// $NANOSCOUT_BENCH_CREATORS, else 100,000 (`make bench` sets 1,000,000).
var benchCreators = func() int {
	if n, err := strconv.Atoi(os.Getenv("NANOSCOUT_BENCH_CREATORS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}()

// benchDir is where the benchmark store lives: $NANOSCOUT_BENCH_DIR keeps
// it between runs (a store seeded with the same size is reused, as seeding
// a million creators takes minutes), else a temp dir removed at the end.
func benchDir() (dir string, keep bool, err error) {
	if d := os.Getenv("NANOSCOUT_BENCH_DIR"); d != "" {
		d = filepath.Join(d, fmt.Sprintf("creators-%d", benchCreators))
		return d, true, os.MkdirAll(d, 0o755)
	}
	d, err := os.MkdirTemp("", "nanoscout-server-bench-")
	return d, false, err
}

// big is a SQLite store of benchCreators scored creators, a fifth of them
// with a week of history (so growth is known), built once per test binary.
var big struct {
	once sync.Once
	dir  string
	keep bool
	st   *sqlite.Store
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if big.st != nil {
		big.st.Close()
	}
	if big.dir != "" && !big.keep {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

func seedBig(b *testing.B) *sqlite.Store {
	b.Helper()
	big.once.Do(func() {
		ctx := context.Background()
		if big.dir, big.keep, big.err = benchDir(); big.err != nil {
			return
		}
		marker := filepath.Join(big.dir, "seeded")
		if _, err := os.Stat(marker); err == nil {
			big.st, big.err = sqlite.Open(ctx, big.dir)
			b.Logf("reusing the store of %d creators in %s", benchCreators, big.dir)
			return
		}
		if big.st, big.err = sqlite.Open(ctx, big.dir); big.err != nil {
			return
		}
		start := time.Now()
		// Past cloneBase creators, cloneBase are collected through the
		// store and the rest are SQL copies of them (see cloneCreators).
		base := benchCreators
		if base > cloneBase && base%cloneBase == 0 {
			base = cloneBase
		}
		// A week-old snapshot for every fifth creator (the others are new:
		// no growth yet), then today's collection of all of them.
		save := func(week bool) {
			us := make([]store.CreatorUpdate, 0, 5000)
			for i := range base {
				if week && i%5 != 0 {
					continue
				}
				u, history := exporttest.Creator(i)
				u.Posts = nil
				if week {
					snap := history[len(history)-7]
					u.Snapshot, u.At = &snap, snap.TakenAt
				}
				if us = append(us, u); len(us) == cap(us) {
					if big.err = big.st.SaveCreators(ctx, us); big.err != nil {
						return
					}
					us = us[:0]
				}
			}
			if len(us) > 0 && big.err == nil {
				big.err = big.st.SaveCreators(ctx, us)
			}
		}
		// A kept store whose base is collected goes on from the copies.
		baseMarker := filepath.Join(big.dir, "base-seeded")
		if _, err := os.Stat(baseMarker); err != nil || !big.keep {
			if save(true); big.err != nil {
				return
			}
			if save(false); big.err != nil {
				return
			}
			for _, p := range []string{"bluesky", "mastodon"} {
				if big.err = big.st.Rerank(ctx, p); big.err != nil {
					return
				}
			}
			if big.keep {
				if big.err = os.WriteFile(baseMarker, []byte(strconv.Itoa(base)+"\n"), 0o644); big.err != nil {
					return
				}
			}
		}
		if base < benchCreators {
			if big.err = big.st.Close(); big.err != nil {
				return
			}
			if big.err = cloneCreators(ctx, big.dir, benchCreators/base-1); big.err != nil {
				return
			}
			if big.st, big.err = sqlite.Open(ctx, big.dir); big.err != nil {
				return
			}
		}
		// The copies keep their originals' ranks (ties): re-ranking a
		// million rows rewrites each one, and no benchmark reads ranks.
		// Closing runs PRAGMA optimize, which gathers the planner's
		// statistics, as a long-running store has them.
		if big.err = big.st.Close(); big.err != nil {
			return
		}
		if big.st, big.err = sqlite.Open(ctx, big.dir); big.err != nil {
			return
		}
		b.Logf("seeded %d creators in %v", benchCreators, time.Since(start).Round(time.Second))
		if big.keep {
			big.err = os.WriteFile(marker, []byte(strconv.Itoa(benchCreators)+"\n"), 0o644)
		}
	})
	if big.err != nil {
		b.Fatalf("seeding: %v", big.err)
	}
	return big.st
}

// cloneBase is how many creators a big benchmark store collects through
// the store before copying them.
const cloneBase = 50_000

// cloneCreators makes copies more copies of every creator row of the
// closed store in dir, in SQL (a million SaveCreator calls take most of an
// hour on a busy two-core machine; copying takes a minute): copy n of key k
// is k#n, with its JSON's key to match and the same scores, growth and
// indexes. Search documents and snapshots are not copied (the benchmarks'
// pages read neither).
func cloneCreators(ctx context.Context, dir string, copies int) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=cache_size(-1000000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_xinfo('creators') WHERE hidden = 0`)
	if err != nil {
		return err
	}
	var cols, exprs []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
		switch c {
		case "key":
			exprs = append(exprs, `key || '#' || ?1`)
		case "json":
			exprs = append(exprs, `json_set(json, '$.key', key || '#' || ?1)`)
		default:
			exprs = append(exprs, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	stmt := `INSERT INTO creators(` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(exprs, ", ") +
		` FROM creators WHERE instr(key, '#') = 0`
	// The insert trigger derives has_contact and growth, which the copies
	// take from their originals, and rewrites each row to do so; and
	// maintaining a dozen indexes row by row is slower than building them
	// once. Both are set aside while copying and put back as they were.
	var names, kinds, defs []string
	trows, err := db.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'creators' AND sql IS NOT NULL
		AND (type = 'index' OR type = 'trigger' AND sql LIKE '%AFTER INSERT%')`)
	if err != nil {
		return err
	}
	for trows.Next() {
		var kind, name, def string
		if err := trows.Scan(&kind, &name, &def); err != nil {
			trows.Close()
			return err
		}
		kinds, names, defs = append(kinds, kind), append(names, name), append(defs, def)
	}
	trows.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Copies a run stopped half-way left behind go first.
	if _, err := tx.ExecContext(ctx, `DELETE FROM creators WHERE instr(key, '#') > 0`); err != nil {
		return err
	}
	for i, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP `+strings.ToUpper(kinds[i])+` `+name); err != nil {
			return err
		}
	}
	for n := 1; n <= copies; n++ {
		if _, err := tx.ExecContext(ctx, stmt, n); err != nil {
			return fmt.Errorf("copy %d: %w", n, err)
		}
	}
	for _, def := range defs {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("restoring %s: %w", def, err)
		}
	}
	return tx.Commit()
}

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
	checkPlans(b)
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
	}
	for _, c := range []struct{ name, suffix string }{{"summary", ""}, {"with-breakdown", "&fields=breakdown"}} {
		b.Run(c.name, func(b *testing.B) {
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

// checkPlans asks SQLite, on the seeded benchmark store (with the
// statistics PRAGMA optimize gathered), how it runs the ranked queries the
// benchmarks send: each must walk an index in the sort order, never scan
// and sort the table. The statements are the store's Top for those
// filters (store/sqlite: SELECT json FROM creators WHERE scored IS NOT
// NULL AND … ORDER BY col DESC, key LIMIT ? OFFSET ?).
func checkPlans(b *testing.B) {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(big.dir, sqlite.FileName)+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	where := map[string]string{
		"platform+tier": ` AND platform = 'bluesky' AND tier = 'nano'`,
		"tier":          ` AND tier = 'nano'`,
		"all":           ``,
	}
	for _, c := range []struct{ filter, col string }{
		{"platform+tier", "composite"}, {"platform+tier", "er"}, {"platform+tier", "growth"}, {"platform+tier", "reply_score"},
		{"tier", "growth"}, {"tier", "authenticity"}, {"tier", "er"}, {"all", "followers"}, {"all", "composite"},
	} {
		scored := "composite" // store/sqlite's scoredBy: a score column tests itself
		if c.col != "growth" && c.col != "followers" {
			scored = c.col
		}
		q := `EXPLAIN QUERY PLAN SELECT json FROM creators WHERE ` + scored + ` IS NOT NULL` + where[c.filter] +
			` ORDER BY ` + c.col + ` DESC, key LIMIT 51 OFFSET 0`
		rows, err := db.QueryContext(b.Context(), q)
		if err != nil {
			b.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				b.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, "USING INDEX") || strings.Contains(p, "TEMP B-TREE") {
			b.Errorf("%s by %s over %d creators is not an index walk: %s", c.filter, c.col, benchCreators, p)
		} else {
			b.Logf("%s by %s: %s", c.filter, c.col, p)
		}
	}
}
