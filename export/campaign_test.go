package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/export/webhook"
	"github.com/nanoscout/nanoscout/export/webhook/webhooktest"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// campaignStore is a seeded store with a campaign over its first three
// creators (and one creator gone from the store), one of them with a code
// and a link a spreadsheet would run as formulas.
func campaignStore(t *testing.T) (*sqlite.Store, campaign.Campaign) {
	t.Helper()
	st := exporttest.Open(t, 3)
	recs, err := st.Top(t.Context(), store.TopQuery{Limit: 10})
	if err != nil || len(recs) != 3 {
		t.Fatalf("seeded %d, %v", len(recs), err)
	}
	c := campaign.Campaign{ID: "spring", Name: "Spring", Currency: "USD", DefaultFee: 100, ProductURL: "https://shop.example/p",
		Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)}
	var cr []campaign.Creator
	for _, r := range recs {
		cr = append(cr, campaign.Creator{Key: r.Key, Handle: r.Creator.Handle, Platform: r.Creator.Platform, Tier: r.Score.Tier})
	}
	cr = append(cr, campaign.Creator{Key: "bluesky:did:plc:gone", Handle: "gone.bsky.social", Platform: "bluesky", Tier: "nano"})
	if err := c.AddMembers(cr, nil); err != nil {
		t.Fatal(err)
	}
	// A stored campaign is data: its text may start like a formula.
	c.Members[1].Code, c.Members[1].Link = "=HYPERLINK(\"http://evil\")", "@SUM(1+1)"
	if err := st.CreateCampaign(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	return st, c
}

func TestCampaignExportCarriesCodesAndLinks(t *testing.T) {
	st, c := campaignStore(t)
	for _, f := range []export.Format{export.CSV, export.CRM} {
		var buf bytes.Buffer
		n, err := export.Write(t.Context(), &buf, f, export.Campaigned(st, "spring"))
		if err != nil || n != 4 {
			t.Fatalf("%s: wrote %d, %v", f, n, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
		if err != nil || len(rows) != 5 {
			t.Fatalf("%s: %d rows, %v", f, len(rows), err)
		}
		col := func(name string) int { return slices.Index(rows[0], name) }
		handle := col("handle")
		for i, m := range c.Members {
			r := rows[i+1]
			wantCode, wantLink := m.Code, m.Link
			if i == 1 { // neutralised: a leading apostrophe
				wantCode, wantLink = "'"+m.Code, "'"+m.Link
			}
			if r[col("campaign")] != "spring" || r[col("promo_code")] != wantCode || r[col("affiliate_id")] != m.AffiliateID ||
				r[col("tracked_link")] != wantLink || r[handle] != m.Handle {
				t.Errorf("%s row %d: %v, want %s %s %s", f, i, r, wantCode, m.AffiliateID, wantLink)
			}
		}
		if f == export.CSV && rows[4][col("status")] != "missing" {
			t.Errorf("the member gone from the store: %v", rows[4])
		}
	}
	// Outside a campaign the columns are there and empty.
	var buf bytes.Buffer
	if _, err := export.Write(t.Context(), &buf, export.CSV, export.Filtered(st, store.TopQuery{Limit: 10})); err != nil {
		t.Fatal(err)
	}
	if rows, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll(); rows[1][slices.Index(rows[0], "promo_code")] != "" {
		t.Errorf("a filtered export carries a code: %v", rows[1])
	}
	// JSON carries them as "campaign".
	buf.Reset()
	if _, err := export.Write(t.Context(), &buf, export.JSON, export.Campaigned(st, "spring")); err != nil {
		t.Fatal(err)
	}
	var docs []export.Doc
	if err := json.Unmarshal(buf.Bytes(), &docs); err != nil || len(docs) != 4 || docs[0].Campaign == nil ||
		docs[0].Campaign.Code != c.Members[0].Code || docs[0].Campaign.Link != c.Members[0].Link || docs[0].Campaign.Fee != 100 {
		t.Errorf("JSON %+v, %v", docs, err)
	}
	if _, err := export.Write(t.Context(), &buf, export.CSV, export.Campaigned(st, "nope")); err == nil {
		t.Error("an unknown campaign exported")
	}
}

func TestCampaignWebhookPushCarriesCodes(t *testing.T) {
	st, c := campaignStore(t)
	rc := &webhooktest.Receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	hook, err := webhook.New(webhooktest.HookConfig(srv.URL), "outreach", st, webhooktest.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	res, err := hook.Push(t.Context(), export.Campaigned(st, "spring"), "campaign spring")
	if err != nil || res.Creators != 4 || len(rc.Bodies) != 2 {
		t.Fatalf("push: %+v, %v (%d bodies)", res, err, len(rc.Bodies))
	}
	var codes []string
	for _, b := range rc.Bodies {
		var body struct {
			Creators []export.Doc `json:"creators"`
		}
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		for _, d := range body.Creators {
			if d.Campaign == nil || d.Campaign.Campaign != "spring" {
				t.Fatalf("delivered %+v", d)
			}
			codes = append(codes, d.Campaign.Code)
		}
	}
	for i, m := range c.Members {
		if codes[i] != m.Code {
			t.Errorf("creator %d delivered code %s, want %s", i, codes[i], m.Code)
		}
	}
}
