package export

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/nanoscout/nanoscout/plan"
	"github.com/nanoscout/nanoscout/store"
)

// MaxPlanCreators bounds the creators PlanCreators reads.
const MaxPlanCreators = 2000

// PlanCreators reads the planner's inputs from src — each scored creator
// with its comment share measured on its 20 newest posts — best composite
// first, at most MaxPlanCreators (capped reports whether more were left).
func PlanCreators(ctx context.Context, st store.Store, src Source) (creators []plan.Creator, capped bool, err error) {
	type ranked struct {
		c         plan.Creator
		composite float64
	}
	var rs []ranked
	stop := errors.New("enough")
	err = src(ctx, func(rows []Row) error {
		for _, row := range rows {
			if row.Record.Score == nil {
				continue
			}
			if len(rs) >= MaxPlanCreators {
				capped = true
				return stop
			}
			posts, err := st.Posts(ctx, row.Record.Key, 20)
			if err != nil {
				return err
			}
			rs = append(rs, ranked{plan.FromRecord(row.Record, posts), row.Record.Score.Composite})
		}
		return nil
	})
	if errors.Is(err, stop) {
		err = nil
	}
	if err != nil {
		return nil, false, err
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(b.composite, a.composite) })
	creators = make([]plan.Creator, len(rs))
	for i, r := range rs {
		creators[i] = r.c
	}
	return creators, capped, nil
}
