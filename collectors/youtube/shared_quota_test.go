package youtube

import (
	"context"
	"errors"
	"testing"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/frontier"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// TestSharedQuotaAcrossCollectors: two collectors (two workers) on one key
// share daily_quota through the store's reservations: together they send no
// more calls than the day's units, and both stop with ErrQuota once every
// chunk is reserved.
func TestSharedQuotaAcrossCollectors(t *testing.T) {
	srv := newServer(t, routes(t, map[string][]byte{"channels": fixture(t, "channels.list.json")}))
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var cs []*Collector
	for _, owner := range []string{"w1", "w2"} {
		env := testEnv(srv.URL, testKey, map[string]string{"daily_quota": "10"})
		env.SharedBudget = func(platform, credential string, limit int) (collectors.SharedBudget, error) {
			return frontier.NewQuota(st, owner, platform, credential, limit, 3)
		}
		cs = append(cs, newTestCollector(t, env))
	}
	calls := 0
	for i := 0; i < 20; i++ {
		_, err := cs[i%2].Profile(context.Background(), gdChannel)
		if errors.Is(err, collectors.ErrQuota) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		calls++
	}
	// 10 units in chunks of 3: three chunks (9 units) fit, the fourth not.
	if calls != 9 || len(srv.Requests()) != 9 {
		t.Errorf("%d calls succeeded, %d requests; want 9 (three chunks of 3 of the 10 units)", calls, len(srv.Requests()))
	}
	if g := cs[0].QuotaGranted() + cs[1].QuotaGranted(); g != 9 {
		t.Errorf("granted %d units in all, want 9", g)
	}
	q, _ := frontier.NewQuota(st, "reader", Platform, testKey, 10, 3)
	if n, err := q.Reserved(t.Context(), testNow); err != nil || n != 9 {
		t.Errorf("Reserved = %d, %v; want 9", n, err)
	}
}
