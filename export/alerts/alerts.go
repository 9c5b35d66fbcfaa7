// Package alerts checks the rising-star alerts (server.alerts in the
// config): saved filters whose new matches are posted, once per creator, to
// a webhook.
package alerts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/store"
)

// Body is the JSON body an alert posts for one creator.
type Body struct {
	Event   string     `json:"event"` // "alert"
	ID      string     `json:"id"`    // the idempotency key: the same for this alert and creator forever
	Alert   string     `json:"alert"`
	Filter  string     `json:"filter"` // the saved filter in words
	SentAt  time.Time  `json:"sentAt"`
	Creator export.Doc `json:"creator"`
}

// Result reports one alert's check.
type Result struct {
	Alert   string `json:"alert"`
	Filter  string `json:"filter"`
	Matched int    `json:"matched"` // creators matching now
	New     int    `json:"new"`     // of those, not alerted before
	Fired   int    `json:"fired"`   // delivered now (or recorded, with a baseline)
	Error   string `json:"error,omitempty"`
}

// DeliveryID is the idempotency key of an alert's delivery for one
// creator: derived from both, so a retry after a crash reuses it.
func DeliveryID(alert, creatorKey string) string {
	sum := sha256.Sum256([]byte(alert + "\x00" + creatorKey))
	return "alert_" + hex.EncodeToString(sum[:12])
}

// Check runs every configured alert (srv.Alerts): it pages through the
// creators its filter matches, and posts an "alert" event to its webhook for
// each one it has not fired for before, recording it in the store's alert
// state once delivered. A creator fires once per alert, ever. An alert whose
// delivery fails stops there; the creators it did not reach fire at the next
// check. Call it after a scoring run (the pipeline or daemon does; so does
// `nanoscout export alerts --check`).
// opts configure the webhooks (secrets are read with os.Getenv unless
// webhook.WithGetenv says otherwise).
func Check(ctx context.Context, st store.Store, srv config.Server, opts ...webhook.Option) ([]Result, error) {
	return check(ctx, st, srv, false, opts)
}

// Baseline records every alert's current matches as seen without firing:
// for a new alert whose existing matches are no news. It posts nothing and
// needs no webhook secret.
func Baseline(ctx context.Context, st store.Store, srv config.Server, opts ...webhook.Option) ([]Result, error) {
	return check(ctx, st, srv, true, opts)
}

func check(ctx context.Context, st store.Store, srv config.Server, baseline bool, opts []webhook.Option) ([]Result, error) {
	if err := srv.Validate(); err != nil {
		return nil, err
	}
	o := webhook.Apply(os.Getenv, opts...)
	var out []Result
	var errs []error
	for _, a := range srv.Alerts {
		res, err := checkAlert(ctx, st, srv, a, baseline, o, opts)
		if err != nil {
			res.Error = err.Error()
			errs = append(errs, fmt.Errorf("alert %s: %w", a.Name, err))
		}
		out = append(out, res)
	}
	return out, errors.Join(errs...)
}

func checkAlert(ctx context.Context, st store.Store, srv config.Server, a config.Alert, baseline bool, o *webhook.Settings, opts []webhook.Option) (Result, error) {
	res := Result{Alert: a.Name}
	q, err := a.Filter.CheckedQuery()
	if err != nil {
		return res, err
	}
	res.Filter = filter.Describe(q)
	var hook *webhook.Webhook
	if !baseline {
		if hook, err = webhook.New(srv, a.Webhook, st, o.Getenv, opts...); err != nil {
			return res, err
		}
	}
	stop := errors.New("stop")
	var failed error
	err = export.Filtered(st, q)(ctx, func(rows []export.Row) error {
		res.Matched += len(rows)
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i] = r.Record.Key
		}
		seen, err := st.Alerted(ctx, a.Name, keys)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if seen[r.Record.Key] {
				continue
			}
			res.New++
			if failed != nil {
				continue // counted; fired at the next check
			}
			id := DeliveryID(a.Name, r.Record.Key)
			if baseline {
				if err := st.MarkAlerted(ctx, a.Name, r.Record.Key, "baseline", o.Now()); err != nil {
					return err
				}
				res.Fired++
				continue
			}
			body, err := json.Marshal(Body{Event: "alert", ID: id, Alert: a.Name, Filter: res.Filter, SentAt: o.Now().UTC(), Creator: export.DocOf(r)})
			if err != nil {
				return err
			}
			if _, err := hook.Send(ctx, store.Delivery{ID: id, Event: "alert", Subject: Subject(a.Name, r.Record), Items: 1}, body); err != nil {
				failed = err
				continue
			}
			if err := st.MarkAlerted(ctx, a.Name, r.Record.Key, id, o.Now()); err != nil {
				return err
			}
			res.Fired++
			o.Log.Info("alert fired", "alert", a.Name, "creator", r.Record.Key)
		}
		if ctx.Err() != nil {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		err = ctx.Err()
	}
	if err == nil {
		err = failed
	}
	return res, err
}

// Subject is what the delivery log says an alert delivery was about:
// the alert and the creator by platform and handle, with the key to look
// it up ("rising-stars · bluesky @maya.bsky.social (bluesky:did:plc:…)").
func Subject(alert string, rec store.CreatorRecord) string {
	if rec.Creator.Handle == "" {
		return alert + " · " + rec.Key
	}
	return alert + " · " + rec.Creator.Platform + " @" + rec.Creator.Handle + " (" + rec.Key + ")"
}
