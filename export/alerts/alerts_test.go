package alerts_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/export/alerts"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/export/webhook/webhooktest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// risingStars is the alert the brand team asked for: nano, ER at least 1.5×
// the tier's benchmark, authenticity ≥ 0.8, still under 10k followers.
var risingStars = config.Filter{Tier: model.TierNano, MinBenchmarkIndex: 1.5, MinAuthenticity: 0.8, MaxFollowers: 9999}

func alertConfig(url string) config.Server {
	srv := webhooktest.HookConfig(url)
	srv.Alerts = []config.Alert{{Name: "rising-stars", Webhook: "outreach", Filter: risingStars}}
	return srv
}

func alertKeys(t *testing.T, rc *webhooktest.Receiver) []string {
	t.Helper()
	var keys []string
	for _, b := range rc.Bodies {
		var body alerts.Body
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if body.Event != "alert" || body.Alert != "rising-stars" || body.ID != alerts.DeliveryID("rising-stars", body.Creator.Key) {
			t.Errorf("alert body %+v", body)
		}
		keys = append(keys, body.Creator.Key)
	}
	slices.Sort(keys)
	return keys
}

func TestCheckAlertsFiresOncePerCreator(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 60)
	ctx := t.Context()
	q, _ := risingStars.CheckedQuery()
	q.Limit = 1000
	matching, err := st.Top(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(matching) < 3 {
		t.Fatalf("only %d seeded creators match the alert; the test needs a few", len(matching))
	}
	var want []string
	for _, r := range matching {
		want = append(want, r.Key)
	}
	slices.Sort(want)

	rc := &webhooktest.Receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	res, err := alerts.Check(ctx, st, alertConfig(srv.URL), webhook.WithGetenv(webhooktest.Getenv))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Matched != len(want) || res[0].New != len(want) || res[0].Fired != len(want) {
		t.Errorf("first check: %+v, want %d fired", res, len(want))
	}
	if got := alertKeys(t, rc); !slices.Equal(got, want) {
		t.Errorf("alerted %v, want %v", got, want)
	}
	// The delivery log names the creator by handle (#11.3), key beside it.
	ds, err := st.Deliveries(ctx, 1)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %v %v", ds, err)
	}
	if c := matching[slices.IndexFunc(matching, func(r store.CreatorRecord) bool { return strings.Contains(ds[0].Subject, "("+r.Key+")") })].Creator; !strings.Contains(ds[0].Subject, c.Platform+" @"+c.Handle) {
		t.Errorf("alert delivery subject %q lacks the handle", ds[0].Subject)
	}

	// Nothing new: nothing fires.
	res, err = alerts.Check(ctx, st, alertConfig(srv.URL), webhook.WithGetenv(webhooktest.Getenv))
	if err != nil || res[0].New != 0 || res[0].Fired != 0 || len(rc.Bodies) != len(want) {
		t.Errorf("second check: %+v, %v, %d requests", res, err, len(rc.Bodies))
	}

	// A creator who newly matches after a run fires once.
	u, _ := exporttest.Creator(1000)
	u.Creator.Followers = 5000
	u.Score.Tier, u.Score.BenchmarkIndex, u.Score.Authenticity = model.TierNano, 2.2, 0.93
	u.Snapshot = nil
	if err := st.SaveCreator(ctx, u); err != nil {
		t.Fatal(err)
	}
	res, err = alerts.Check(ctx, st, alertConfig(srv.URL), webhook.WithGetenv(webhooktest.Getenv))
	if err != nil || res[0].Fired != 1 || len(rc.Bodies) != len(want)+1 {
		t.Fatalf("after a new match: %+v, %v", res, err)
	}
	var last alerts.Body
	if err := json.Unmarshal(rc.Bodies[len(rc.Bodies)-1], &last); err != nil || last.Creator.Key != u.Creator.Key() {
		t.Errorf("the new match's alert: %+v, %v", last.Creator.Key, err)
	}
	// Crossing 10k followers, it no longer matches; it is not alerted again either.
	res, _ = alerts.Check(ctx, st, alertConfig(srv.URL), webhook.WithGetenv(webhooktest.Getenv))
	if res[0].Fired != 0 {
		t.Errorf("fired again: %+v", res)
	}
}

func TestCheckAlertsRetriesAfterAFailure(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 60)
	ctx := t.Context()
	down := true
	rc := &webhooktest.Receiver{Status: func(int) (int, http.Header) {
		if down {
			return http.StatusServiceUnavailable, nil
		}
		return http.StatusOK, nil
	}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	res, err := alerts.Check(ctx, st, alertConfig(srv.URL), webhook.WithGetenv(webhooktest.Getenv), webhook.WithSleep((&webhooktest.Sleeps{}).Sleep))
	if err == nil || res[0].Fired != 0 || res[0].New == 0 || res[0].Error == "" {
		t.Fatalf("with the webhook down: %+v, %v", res, err)
	}
	if len(rc.Bodies) != 4 { // one creator, MaxAttempts 4, then the alert stops
		t.Errorf("%d requests while down, want 4", len(rc.Bodies))
	}
	down = false
	res, err = alerts.Check(ctx, st, alertConfig(srv.URL), webhook.WithGetenv(webhooktest.Getenv), webhook.WithSleep((&webhooktest.Sleeps{}).Sleep))
	if err != nil || res[0].Fired != res[0].New || res[0].Fired == 0 {
		t.Errorf("once back up: %+v, %v", res, err)
	}
	d, err := st.Delivery(ctx, alerts.DeliveryID("rising-stars", alertKeys(t, rc)[0]))
	if err != nil || d.Status != store.DeliveryDelivered || d.Event != "alert" {
		t.Errorf("delivery log of an alert: %+v, %v", d, err)
	}
}

func TestCheckAlertsBaseline(t *testing.T) {
	t.Parallel()
	st := exporttest.Open(t, 60)
	rc := &webhooktest.Receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	res, err := alerts.Baseline(t.Context(), st, alertConfig(srv.URL))
	if err != nil || res[0].Fired == 0 || len(rc.Bodies) != 0 {
		t.Fatalf("baseline: %+v, %v, %d requests", res, err, len(rc.Bodies))
	}
	res, err = alerts.Check(t.Context(), st, alertConfig(srv.URL), webhook.WithGetenv(webhooktest.Getenv))
	if err != nil || res[0].New != 0 || len(rc.Bodies) != 0 {
		t.Errorf("after a baseline: %+v, %v, %d requests", res, err, len(rc.Bodies))
	}
	bad := alertConfig(srv.URL)
	bad.Alerts[0].Webhook = "nope"
	if _, err := alerts.Check(t.Context(), st, bad); err == nil {
		t.Error("an alert naming an unknown webhook was checked")
	}
}
