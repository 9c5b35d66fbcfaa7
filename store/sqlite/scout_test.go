package sqlite

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestScoutConformance(t *testing.T) {
	storetest.RunScout(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestSaveCreatorsMatchesSaveCreator saves the same creators one by one and
// in bulk and compares what the two stores return.
func TestSaveCreatorsMatchesSaveCreator(t *testing.T) {
	ctx := t.Context()
	one, bulk := openTemp(t), openTemp(t)
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var us []store.CreatorUpdate
	for i := range 25 {
		c := model.Creator{Platform: "bluesky", ID: fmt.Sprintf("c%02d", i), Handle: fmt.Sprintf("c%02d.example", i), Followers: int64(1000 + 100*i),
			Bio: fmt.Sprintf("bio %d, write to me%d@example.org", i, i)}
		u := store.CreatorUpdate{Creator: c, At: at, Score: &model.Score{Tier: model.TierNano, Composite: float64(i), ER: 3, Authenticity: 0.9},
			Posts:    []model.Post{{Platform: "bluesky", ID: fmt.Sprintf("p%02d", i), CreatorID: c.ID, CreatedAt: at, Text: "sourdough day"}},
			Snapshot: &model.Snapshot{CreatorKey: c.Key(), Day: "2025-06-01", Followers: c.Followers}}
		us = append(us, u)
		if err := one.SaveCreator(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := bulk.SaveCreators(ctx, us); err != nil {
		t.Fatal(err)
	}
	for _, q := range []store.TopQuery{{Limit: 100}, {Keyword: "sourdough", HasContact: true, Limit: 100}} {
		a, err := one.Top(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := bulk.Top(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 25 || len(a) != len(b) {
			t.Fatalf("Top(%+v): %d one by one, %d in bulk", q, len(a), len(b))
		}
		for i := range a {
			ja, _ := json.Marshal(a[i])
			jb, _ := json.Marshal(b[i])
			if string(ja) != string(jb) {
				t.Errorf("record %d differs:\n%s\n%s", i, ja, jb)
			}
		}
	}
}
