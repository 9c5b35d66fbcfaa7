package export

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/model"
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

// Plan sources: where a plan's creators come from.
const (
	PlanHypothetical = "hypothetical"
	PlanShortlist    = "shortlist"
	PlanFilter       = "filter"
)

// PlanSource says which creators a campaign plan is for: N hypothetical
// creators of Followers at ER %, a shortlist (by id or name), or the
// creators a filter selects. `nanoscout plan` and the Plan page both build
// one and call PlanCreatorsOf.
type PlanSource struct {
	Kind      string // PlanHypothetical, PlanShortlist or PlanFilter
	N         int
	Followers int64
	ER        float64
	Shortlist string // id or name
	Query     store.TopQuery
}

// PlannedCreators are a plan's creators and what they are, in words.
type PlannedCreators struct {
	Creators []plan.Creator
	// Source describes them: "500 hypothetical creators with 2,000
	// followers at 4 % ER", "shortlist Spring launch", "filter: nano · …".
	Source string
	// Loaded is how many were read from the store; Capped is true when more
	// matched than MaxPlanCreators (the best ones are planned).
	Loaded int
	Capped bool
}

// PlanCreatorsOf resolves a plan's source to its creators: the one
// definition of the hypothetical, shortlist and filter sources.
func PlanCreatorsOf(ctx context.Context, st store.Store, src PlanSource) (PlannedCreators, error) {
	var out PlannedCreators
	switch src.Kind {
	case PlanHypothetical:
		if src.N < 1 || src.N > 100_000 || src.Followers < 1 || src.ER < 0 || src.ER > 100 {
			return out, errors.New("hypothetical creators: want 1 to 100,000 creators, a positive follower count and an ER from 0 to 100 %")
		}
		out.Creators = plan.Hypothetical(src.N, src.Followers, src.ER)
		out.Source = fmt.Sprintf("%s hypothetical creators with %s followers at %g %% ER", model.Thousands(int64(src.N)), model.Thousands(src.Followers), src.ER)
		return out, nil
	case PlanShortlist:
		l, err := FindShortlist(ctx, st, src.Shortlist)
		if err != nil {
			return out, err
		}
		out.Creators, out.Capped, err = PlanCreators(ctx, st, Shortlisted(st, l.ID))
		out.Source = "shortlist " + l.Name
		out.Loaded = len(out.Creators)
		return out, err
	case PlanFilter:
		if err := filter.Validate(src.Query); err != nil {
			return out, err
		}
		var err error
		out.Creators, out.Capped, err = PlanCreators(ctx, st, Filtered(st, src.Query))
		out.Source = "filter: " + filter.Describe(src.Query)
		out.Loaded = len(out.Creators)
		return out, err
	}
	return out, &filter.ParamError{Param: "source", Reason: "want hypothetical, shortlist or filter"}
}

// FindShortlist resolves a shortlist by id or by name (case-insensitive);
// two lists of that name are an error asking for the id.
func FindShortlist(ctx context.Context, st store.Store, idOrName string) (store.Shortlist, error) {
	if l, err := st.Shortlist(ctx, idOrName); err == nil {
		return l, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return l, err
	}
	lists, err := st.ListShortlists(ctx)
	if err != nil {
		return store.Shortlist{}, err
	}
	var found []store.Shortlist
	for _, l := range lists {
		if strings.EqualFold(l.Name, idOrName) {
			found = append(found, l)
		}
	}
	switch len(found) {
	case 0:
		return store.Shortlist{}, fmt.Errorf("no shortlist with id or name %q: %w", idOrName, store.ErrNotFound)
	case 1:
		return found[0], nil
	}
	return store.Shortlist{}, fmt.Errorf("%d shortlists are named %q: give the id", len(found), idOrName)
}
