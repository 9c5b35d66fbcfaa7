package export

import (
	"errors"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// TestPlanCreatorsOf: the three sources of a plan, resolved by the one
// function the CLI and the Plan page call.
func TestPlanCreatorsOf(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 40)
	ctx := t.Context()
	pc, err := PlanCreatorsOf(ctx, st, PlanSource{Kind: PlanHypothetical, N: 500, Followers: 2000, ER: 4})
	if err != nil || len(pc.Creators) != 500 || pc.Source != "500 hypothetical creators with 2,000 followers at 4 % ER" {
		t.Errorf("hypothetical: %d creators, %q, %v", len(pc.Creators), pc.Source, err)
	}
	if _, err := PlanCreatorsOf(ctx, st, PlanSource{Kind: PlanHypothetical, N: 0, Followers: 2000}); err == nil {
		t.Error("0 hypothetical creators accepted")
	}
	q := store.TopQuery{Tier: model.TierNano}
	want, err := st.CountTop(ctx, q)
	if err != nil || want == 0 {
		t.Fatalf("CountTop: %d %v", want, err)
	}
	pc, err = PlanCreatorsOf(ctx, st, PlanSource{Kind: PlanFilter, Query: q})
	if err != nil || int64(len(pc.Creators)) != want || pc.Source != "filter: nano" || pc.Capped {
		t.Errorf("filter: %d creators (want %d), %q, %v", len(pc.Creators), want, pc.Source, err)
	}
	top, _ := st.Top(ctx, store.TopQuery{Limit: 3})
	l, err := st.CreateShortlist(ctx, "Spring launch")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddToShortlist(ctx, l.ID, top[0].Key, top[1].Key, top[2].Key); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{l.ID, "spring LAUNCH"} {
		pc, err = PlanCreatorsOf(ctx, st, PlanSource{Kind: PlanShortlist, Shortlist: ref})
		if err != nil || len(pc.Creators) != 3 || pc.Source != "shortlist Spring launch" {
			t.Errorf("shortlist %q: %d creators, %q, %v", ref, len(pc.Creators), pc.Source, err)
		}
	}
	if _, err := PlanCreatorsOf(ctx, st, PlanSource{Kind: PlanShortlist, Shortlist: "nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown shortlist: %v", err)
	}
	if _, err := PlanCreatorsOf(ctx, st, PlanSource{Kind: "mega"}); err == nil || !strings.Contains(err.Error(), "want hypothetical, shortlist or filter") {
		t.Errorf("unknown source: %v", err)
	}
}
