package export

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
	"github.com/nanoscout/nanoscout/store"
)

// AlertBody is the JSON body an alert posts for one creator.
type AlertBody struct {
	Event   string    `json:"event"` // "alert"
	ID      string    `json:"id"`    // the idempotency key: the same for this alert and creator forever
	Alert   string    `json:"alert"`
	Filter  string    `json:"filter"` // the saved filter in words
	SentAt  time.Time `json:"sentAt"`
	Creator Doc       `json:"creator"`
}

// AlertResult reports one alert's check.
type AlertResult struct {
	Alert   string `json:"alert"`
	Filter  string `json:"filter"`
	Matched int    `json:"matched"` // creators matching now
	New     int    `json:"new"`     // of those, not alerted before
	Fired   int    `json:"fired"`   // delivered now (or recorded, with a baseline)
	Error   string `json:"error,omitempty"`
}

// AlertDeliveryID is the idempotency key of an alert's delivery for one
// creator: derived from both, so a retry after a crash reuses it.
func AlertDeliveryID(alert, creatorKey string) string {
	sum := sha256.Sum256([]byte(alert + "\x00" + creatorKey))
	return "alert_" + hex.EncodeToString(sum[:12])
}

// CheckAlerts runs every configured alert (srv.Alerts): it pages through the
// creators its filter matches, and posts an "alert" event to its webhook for
// each one it has not fired for before, recording it in the store's alert
// state once delivered. A creator fires once per alert, ever. An alert whose
// delivery fails stops there; the creators it did not reach fire at the next
// check. Call it after a scoring run (the pipeline or daemon does; so does
// `nanoscout export alerts --check`). The store must implement store.Scout.
func CheckAlerts(ctx context.Context, st store.Store, srv config.Server, opts ...Option) ([]AlertResult, error) {
	sc, ok := st.(store.Scout)
	if !ok {
		return nil, errors.New("checking alerts: this store keeps no alert state")
	}
	if err := srv.Validate(); err != nil {
		return nil, err
	}
	o := newOptions(os.Getenv, opts)
	var out []AlertResult
	var errs []error
	for _, a := range srv.Alerts {
		res, err := checkAlert(ctx, st, sc, srv, a, o, opts)
		if err != nil {
			res.Error = err.Error()
			errs = append(errs, fmt.Errorf("alert %s: %w", a.Name, err))
		}
		out = append(out, res)
	}
	return out, errors.Join(errs...)
}

func checkAlert(ctx context.Context, st store.Store, sc store.Scout, srv config.Server, a config.Alert, o *options, opts []Option) (AlertResult, error) {
	res := AlertResult{Alert: a.Name}
	q, err := FilterQuery(a.Filter)
	if err != nil {
		return res, err
	}
	res.Filter = Describe(q)
	var hook *Webhook
	if !o.baseline {
		if hook, err = NewWebhook(srv, a.Webhook, sc, o.getenv, opts...); err != nil {
			return res, err
		}
	}
	stop := errors.New("stop")
	var failed error
	err = Filtered(st, q)(ctx, func(rows []Row) error {
		res.Matched += len(rows)
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i] = r.Record.Key
		}
		seen, err := sc.Alerted(ctx, a.Name, keys)
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
			id := AlertDeliveryID(a.Name, r.Record.Key)
			if o.baseline {
				if err := sc.MarkAlerted(ctx, a.Name, r.Record.Key, "baseline", o.now()); err != nil {
					return err
				}
				res.Fired++
				continue
			}
			body, err := json.Marshal(AlertBody{Event: "alert", ID: id, Alert: a.Name, Filter: res.Filter, SentAt: o.now().UTC(), Creator: DocOf(r)})
			if err != nil {
				return err
			}
			if _, err := hook.Send(ctx, store.Delivery{ID: id, Event: "alert", Subject: AlertSubject(a.Name, r.Record), Items: 1}, body); err != nil {
				failed = err
				continue
			}
			if err := sc.MarkAlerted(ctx, a.Name, r.Record.Key, id, o.now()); err != nil {
				return err
			}
			res.Fired++
			o.log.Info("alert fired", "alert", a.Name, "creator", r.Record.Key)
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

// AlertSubject is what the delivery log says an alert delivery was about:
// the alert and the creator by platform and handle, with the key to look
// it up ("rising-stars · bluesky @maya.bsky.social (bluesky:did:plc:…)").
func AlertSubject(alert string, rec store.CreatorRecord) string {
	if rec.Creator.Handle == "" {
		return alert + " · " + rec.Key
	}
	return alert + " · " + rec.Creator.Platform + " @" + rec.Creator.Handle + " (" + rec.Key + ")"
}
