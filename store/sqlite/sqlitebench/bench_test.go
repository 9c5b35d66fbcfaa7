package sqlitebench

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// big is the benchmarks' store (FromEnv: NANOSCOUT_BENCH_CREATORS,
// NANOSCOUT_BENCH_DIR, NANOSCOUT_BENCH_BREAKDOWNS), built once per binary.
var big Shared

func TestMain(m *testing.M) {
	code := m.Run()
	big.Close()
	os.Exit(code)
}

func bigStore(b *testing.B) *sqlite.Store { return big.Store(b) }

// topCases are ranked, filtered pages of 50 a scout asks for: a platform's
// tier by each sort, a tier over every platform, minimum ER, authenticity
// and benchmark index, the profile language (where a creator is from, as
// far as the store knows), a niche keyword, deep pages.
var topCases = []struct {
	name string
	q    store.TopQuery
}{
	{"platform+tier/by-score", store.TopQuery{Platform: "bluesky", Tier: model.TierNano}},
	{"platform+tier/by-er", store.TopQuery{Platform: "bluesky", Tier: model.TierNano, SortBy: "er"}},
	{"platform+tier/by-growth", store.TopQuery{Platform: "bluesky", Tier: model.TierNano, SortBy: "growth"}},
	{"platform+tier/by-followers", store.TopQuery{Platform: "mastodon", Tier: model.TierMicro, SortBy: "followers"}},
	{"platform+tier/by-reply", store.TopQuery{Platform: "mastodon", Tier: model.TierNano, SortBy: "reply"}},
	{"tier/by-authenticity", store.TopQuery{Tier: model.TierNano, SortBy: "authenticity"}},
	{"all/by-score", store.TopQuery{}},
	{"platform+tier+min-er/by-score", store.TopQuery{Platform: "bluesky", Tier: model.TierNano, MinER: 6}},
	{"tier+min-er+min-auth/by-reply", store.TopQuery{Tier: model.TierNano, MinER: 4, MinAuthenticity: 0.7, SortBy: "reply"}},
	{"rising-stars/by-growth", store.TopQuery{Tier: model.TierNano, MinBenchmarkIndex: 1.5, MinAuthenticity: 0.8, MaxFollowers: 9999, SortBy: "growth"}},
	{"tier+language/by-score", store.TopQuery{Tier: model.TierNano, Language: "nl"}},
	{"tier+contact/by-er", store.TopQuery{Tier: model.TierNano, HasContact: true, SortBy: "er"}},
	{"tier+keyword/by-score", store.TopQuery{Tier: model.TierNano, Keyword: "pottery"}},
	{"platform+tier/by-er/page-20", store.TopQuery{Platform: "bluesky", Tier: model.TierNano, SortBy: "er", Offset: 950}},
	{"platform+tier/by-score/page-100", store.TopQuery{Platform: "bluesky", Tier: model.TierNano, Offset: 4950}},
}

// BenchmarkTop50 times Top's ranked, filtered pages of 50 summaries
// (TopWithGrowth without breakdowns, what the dashboard's list reads) over
// the bench store, one query at a time.
//
//	NANOSCOUT_BENCH_DIR=/tmp/nsbench10m NANOSCOUT_BENCH_CREATORS=10000000 NANOSCOUT_BENCH_BREAKDOWNS=0 \
//	  go test -run '^$' -bench Top50 -timeout 3h ./store/sqlite/sqlitebench/
func BenchmarkTop50(b *testing.B) {
	st := bigStore(b)
	ctx := context.Background()
	_, o := FromEnv()
	for _, c := range topCases {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			q.Limit, q.WithoutBreakdown = 50, true
			for b.Loop() {
				rows, err := st.TopWithGrowth(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) != 50 {
					b.Fatalf("%d rows, want 50", len(rows))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(o.Creators), "creators")
		})
	}
}

// TestTopCasesPlans: Top's queries of the benchmark cases (Store.ExplainTop)
// on a store Build made read the creators alone (never the posts,
// snapshots or comments Build leaves out of big stores), and each ranked
// one walks an index in its sort order. A keyword finds its creators in
// the search index first and sorts them (a walk would test every creator
// of a tier for a rare word).
func TestTopCasesPlans(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := Build(ctx, dir, Options{Creators: 20_000, Snapshots: 1000, NoBreakdowns: true}); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, dir, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range topCases {
		q := c.q
		q.Limit, q.WithoutBreakdown = 50, true
		plan, err := st.ExplainTop(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		walk := strings.Contains(plan, "USING INDEX creators_") && !strings.Contains(plan, "TEMP B-TREE")
		if q.Keyword != "" {
			walk = strings.Contains(plan, "search_fts")
		}
		for _, table := range []string{"posts", "snapshots", "comments"} {
			walk = walk && !strings.Contains(plan, table)
		}
		if !walk {
			t.Errorf("%s: %s", c.name, plan)
		} else {
			t.Logf("%s: %s", c.name, plan)
		}
	}
}
