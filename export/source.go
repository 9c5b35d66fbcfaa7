// Package export writes creators out of the store: sources page through a
// filtered view or a shortlist (Filtered, Shortlisted), writers stream them
// as CSV, a CRM contacts CSV, JSON or NDJSON (Write), and PlanCreatorsOf
// resolves a campaign plan's creators. Webhooks and their delivery log are in
// export/webhook, the rising-star alerts in export/alerts.
//
// Every export streams: sources page through the store (PageSize creators at
// a time) and writers flush page by page, so 100k creators take the memory of
// one page. CSV cells that a spreadsheet would run as a formula are
// neutralised (Cell).
package export

import (
	"context"
	"errors"
	"fmt"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// PageSize is how many creators a source reads from the store at a time.
const PageSize = 500

// Row is one exported creator, with its shortlist item when the export is of
// a shortlist.
type Row struct {
	Record store.CreatorRecord
	Growth *float64             // follower growth in %, when known
	Item   *store.ShortlistItem // nil outside a shortlist
	// Campaign is the creator's code and link, on a campaign export.
	Campaign *CampaignCode
}

// Source produces rows a page at a time: it calls yield with each page and
// stops at the first error yield returns.
type Source func(ctx context.Context, yield func([]Row) error) error

// Filtered pages through st.Top(q), all matches from q.Offset on, or q.Limit
// of them when q.Limit > 0.
func Filtered(st store.Store, q store.TopQuery) Source {
	return func(ctx context.Context, yield func([]Row) error) error {
		total := q.Limit
		page := q
		page.Limit = PageSize
		sent := 0
		for {
			if total > 0 {
				page.Limit = min(PageSize, total-sent)
				if page.Limit <= 0 {
					return nil
				}
			}
			recs, err := st.Top(ctx, page)
			if err != nil {
				return fmt.Errorf("reading creators: %w", err)
			}
			if len(recs) == 0 {
				return nil
			}
			rows := make([]Row, len(recs))
			for i, r := range recs {
				rows[i] = Row{Record: r}
			}
			if err := addGrowth(ctx, st, rows); err != nil {
				return err
			}
			if err := yield(rows); err != nil {
				return err
			}
			sent += len(recs)
			if len(recs) < page.Limit {
				return nil
			}
			page.Offset += len(recs)
		}
	}
}

// Shortlisted pages through a shortlist's items (by creator key) and their
// creators. A creator no longer in the store is exported with its key alone.
func Shortlisted(st store.Store, id string) Source {
	return func(ctx context.Context, yield func([]Row) error) error {
		after := ""
		for {
			items, err := st.ShortlistItems(ctx, id, after, PageSize)
			if err != nil {
				return err
			}
			if len(items) == 0 {
				return nil
			}
			rows, err := ItemRows(ctx, st, items)
			if err != nil {
				return err
			}
			if err := yield(rows); err != nil {
				return err
			}
			if len(items) < PageSize {
				return nil
			}
			after = items[len(items)-1].CreatorKey
		}
	}
}

// ItemRows reads the creators (and growth) of shortlist items. A creator no
// longer in the store comes back with its key alone and status "missing".
func ItemRows(ctx context.Context, st store.Store, items []store.ShortlistItem) ([]Row, error) {
	rows := make([]Row, len(items))
	for i := range items {
		it := items[i]
		rec, err := st.Creator(ctx, it.CreatorKey)
		if errors.Is(err, store.ErrNotFound) {
			rec = store.CreatorRecord{Key: it.CreatorKey, Status: "missing"}
			if p, native, ok := model.SplitKey(it.CreatorKey); ok {
				rec.Creator.Platform, rec.Creator.ID = p, native
			}
		} else if err != nil {
			return nil, err
		}
		rows[i] = Row{Record: rec, Item: &it}
	}
	if err := addGrowth(ctx, st, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

func addGrowth(ctx context.Context, st store.Store, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Record.Key
	}
	g, err := st.Growth(ctx, keys)
	if err != nil {
		return fmt.Errorf("reading growth: %w", err)
	}
	for i := range rows {
		if v, ok := g[rows[i].Record.Key]; ok {
			rows[i].Growth = &v
		}
	}
	return nil
}
