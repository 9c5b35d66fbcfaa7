package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/store"
)

// Schema version 6 (migrations in schema.go): campaigns (one JSON document
// each), the codes they reserve (one row per code: the primary key makes a
// code one campaign's) and the imported conversions (one row per order id).

var _ store.Campaigns = (*Store)(nil)

// reserveCodes reserves the campaign's codes inside tx: ErrCodeTaken when one
// belongs to another campaign.
func reserveCodes(ctx context.Context, tx *sql.Tx, c campaign.Campaign) error {
	for _, code := range store.CampaignCodes(c) {
		var owner string
		err := tx.QueryRowContext(ctx, `SELECT campaign_id FROM campaign_codes WHERE code = ?`, code).Scan(&owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_codes(code, campaign_id) VALUES(?, ?)`, code, c.ID); err != nil {
				return err
			}
		case err != nil:
			return err
		case owner != c.ID:
			return fmt.Errorf("%s: %w (%s)", code, store.ErrCodeTaken, owner)
		}
	}
	return nil
}

// CreateCampaign stores a new campaign and reserves its codes.
func (s *Store) CreateCampaign(ctx context.Context, c campaign.Campaign) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM campaigns WHERE id = ?`, c.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrExists
		}
		if err := reserveCodes(ctx, tx, c); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO campaigns(id, created_at, json) VALUES(?, ?, ?)`, c.ID, micros(c.CreatedAt), string(b))
		return err
	})
	if err != nil {
		return fmt.Errorf("creating campaign %q: %w", c.ID, err)
	}
	return nil
}

// SaveCampaign replaces a stored campaign.
func (s *Store) SaveCampaign(ctx context.Context, c campaign.Campaign) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := reserveCodes(ctx, tx, c); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET json = ? WHERE id = ?`, string(b), c.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, store.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("saving campaign %q: %w", c.ID, err)
	}
	return nil
}

// Campaign returns one campaign.
func (s *Store) Campaign(ctx context.Context, id string) (campaign.Campaign, error) {
	var js string
	err := s.db.QueryRowContext(ctx, `SELECT json FROM campaigns WHERE id = ?`, id).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return campaign.Campaign{}, fmt.Errorf("campaign %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("reading campaign %q: %w", id, err)
	}
	var c campaign.Campaign
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		return campaign.Campaign{}, fmt.Errorf("decoding campaign %q: %w", id, err)
	}
	return c, nil
}

// ListCampaigns returns every campaign, newest first.
func (s *Store) ListCampaigns(ctx context.Context) ([]campaign.Campaign, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT json FROM campaigns ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("listing campaigns: %w", err)
	}
	defer rows.Close()
	out := []campaign.Campaign{}
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		var c campaign.Campaign
		if err := json.Unmarshal([]byte(js), &c); err != nil {
			return nil, fmt.Errorf("decoding a campaign: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CodeTaken tells whether a code or affiliate id is reserved.
func (s *Store) CodeTaken(ctx context.Context, code string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM campaign_codes WHERE code = ?`, store.CodeKey(code)).Scan(&n); err != nil {
		return false, fmt.Errorf("looking up code %q: %w", code, err)
	}
	return n > 0, nil
}

// PutConversions merges conversions by order id in one transaction.
func (s *Store) PutConversions(ctx context.Context, cs []campaign.Conversion) (changed, duplicates int, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		changed, duplicates = 0, 0
		for _, cv := range cs {
			var js string
			var existing []campaign.Conversion
			switch err := tx.QueryRowContext(ctx, `SELECT json FROM conversions WHERE order_id = ?`, cv.OrderID).Scan(&js); {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				var old campaign.Conversion
				if err := json.Unmarshal([]byte(js), &old); err != nil {
					return fmt.Errorf("decoding conversion %q: %w", cv.OrderID, err)
				}
				existing = []campaign.Conversion{old}
			}
			merged, dup := campaign.Merge(existing, []campaign.Conversion{cv})
			if dup > 0 {
				duplicates++
				continue
			}
			b, err := json.Marshal(merged[0])
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO conversions(order_id, json) VALUES(?, ?)
				ON CONFLICT(order_id) DO UPDATE SET json = excluded.json`, cv.OrderID, string(b)); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("storing %d conversions: %w", len(cs), err)
	}
	return changed, duplicates, nil
}

// Conversions returns every stored conversion, by order id.
func (s *Store) Conversions(ctx context.Context) ([]campaign.Conversion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT json FROM conversions ORDER BY order_id`)
	if err != nil {
		return nil, fmt.Errorf("reading conversions: %w", err)
	}
	defer rows.Close()
	out := []campaign.Conversion{}
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		var c campaign.Conversion
		if err := json.NewDecoder(strings.NewReader(js)).Decode(&c); err != nil {
			return nil, fmt.Errorf("decoding a conversion: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// The proven_converter signal (schema version 12): one row per creator, the
// signal's JSON with what Top filters (proven) and sorts (cpa) on.
func init() {
	// The column of the order (lowest CPA first, creators without one last,
	// ties by key); Top builds the query with cpaSQL.
	sortColumns["cpa"] = "(SELECT -cpa FROM converters WHERE converters.creator_key = creators.key)"
}

// cpaSQL is Top's query by measured CPA. Sorting every scored creator by a
// correlated lookup of its converter row read all of them (0.59 s a page
// at 100k, BenchmarkConverterTop50Of100k), so the page is the union of two
// pre-limited parts: the creators with a measured CPA (few: campaign
// members) by CPA, then the others by key (an index walk), each cut at
// offset + limit, and only those rows are sorted.
func cpaSQL(cols string, q store.TopQuery, limit int) (string, []any) {
	n := max(q.Offset, 0) + limit
	measured, args := topWhere(`SELECT `+cols+`, 0 AS part_, (SELECT cpa FROM converters WHERE converters.creator_key = creators.key) AS cpa_, key AS key_ FROM creators`, q, "composite", "")
	measured += ` AND key IN (SELECT creator_key FROM converters) ORDER BY cpa_, key_ LIMIT ?`
	args = append(args, n)
	rest, restArgs := topWhere(`SELECT `+cols+`, 1, NULL, key FROM creators`, q, "composite", "")
	rest += ` AND key NOT IN (SELECT creator_key FROM converters) ORDER BY key LIMIT ?`
	args = append(append(args, restArgs...), n)
	query := `SELECT ` + cols + ` FROM (SELECT * FROM (` + measured + `) UNION ALL SELECT * FROM (` + rest + `)) ORDER BY part_, cpa_, key_ LIMIT ? OFFSET ?`
	return query, append(args, limit, max(q.Offset, 0))
}

// SetConverters replaces every creator's signal in one transaction.
func (s *Store) SetConverters(ctx context.Context, cs []campaign.Converter) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM converters`); err != nil {
			return err
		}
		for _, c := range cs {
			b, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO converters(creator_key, proven, cpa, json)
				SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM creators WHERE key = ?)
				ON CONFLICT(creator_key) DO UPDATE SET proven = excluded.proven, cpa = excluded.cpa, json = excluded.json`,
				c.CreatorKey, c.Proven, finiteCPA(c.CPA), string(b), c.CreatorKey); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storing %d converter signals: %w", len(cs), err)
	}
	return nil
}

// finiteCPA keeps NaN and ±Inf out of the sort column.
func finiteCPA(v float64) float64 {
	if v != v || v > 1e300 || v < -1e300 {
		return 1e300
	}
	return v
}

// Converter returns a creator's signal.
func (s *Store) Converter(ctx context.Context, creatorKey string) (campaign.Converter, error) {
	var js string
	err := s.db.QueryRowContext(ctx, `SELECT json FROM converters WHERE creator_key = ?`, creatorKey).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return campaign.Converter{}, fmt.Errorf("converter signal of %q: %w", creatorKey, store.ErrNotFound)
	}
	if err != nil {
		return campaign.Converter{}, fmt.Errorf("reading the converter signal of %q: %w", creatorKey, err)
	}
	var c campaign.Converter
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		return c, fmt.Errorf("decoding the converter signal of %q: %w", creatorKey, err)
	}
	return c, nil
}
