package frontier

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestQuotaNeverExceeded(t *testing.T) {
	for name, open := range map[string]func(*testing.T) Store{"SQLite": openSQLite, "FerretDB": openFerret} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ctx := t.Context()
			now := time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC) // 23:30 the day before in Los Angeles
			var mu sync.Mutex
			got := map[string]int{}
			var wg sync.WaitGroup
			for w := range 4 {
				q, err := NewQuota(st, fmt.Sprintf("w%d", w), "youtube", "AIza-secret", 1000, 150)
				if err != nil {
					t.Fatal(err)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						units, ok, err := q.Reserve(ctx, now)
						if err != nil {
							t.Error(err)
							return
						}
						if !ok {
							return
						}
						mu.Lock()
						got[q.owner] += units
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			total := 0
			for _, u := range got {
				total += u
			}
			if total != 900 { // 6 chunks of 150 fit in 1,000
				t.Errorf("reserved %d units over the workers %v, want 900", total, got)
			}
			q, _ := NewQuota(st, "x", "youtube", "AIza-secret", 1000, 150)
			if r, err := q.Reserved(ctx, now); err != nil || r != 900 {
				t.Errorf("Reserved = %d, %v", r, err)
			}
			if q.Day(now) != "2026-03-01" {
				t.Errorf("quota day = %s, want the Pacific day", q.Day(now))
			}
			// The next Pacific day starts afresh; another key has its own budget.
			if _, ok, _ := q.Reserve(ctx, now.Add(time.Hour)); !ok {
				t.Error("no quota on the next Pacific day")
			}
			other, _ := NewQuota(st, "x", "youtube", "another-key", 1000, 150)
			if _, ok, _ := other.Reserve(ctx, now); !ok {
				t.Error("another key shares the first key's budget")
			}
			ms, _ := st.ListMarkers(ctx, nsQuota, "")
			for _, m := range ms {
				if strings.Contains(m.ID, "AIza") {
					t.Errorf("the API key is stored: %s", m.ID)
				}
			}
		})
	}
}
