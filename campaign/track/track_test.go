package track

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// seed stores three scored creators with posts in March and commenters:
// alice and bob share commenters c1..c5, mega has its own.
func seed(t *testing.T) Store {
	t.Helper()
	sq, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	var st Store = sq
	mk := func(id, handle string, followers int64, tier string, commenters []string) {
		c := model.Creator{Platform: "bluesky", ID: id, Handle: handle, Followers: followers, FetchedAt: day0}
		p := model.Post{Platform: "bluesky", ID: id + "-p1", CreatorID: id, CreatedAt: day0.Add(48 * time.Hour),
			Likes: model.N(90), Comments: model.N(int64(len(commenters))), Shares: model.N(10)}
		old := model.Post{Platform: "bluesky", ID: id + "-p0", CreatorID: id, CreatedAt: day0.AddDate(0, -2, 0), Likes: model.N(500)}
		var cs []model.Comment
		for i, a := range commenters {
			cs = append(cs, model.Comment{Platform: "bluesky", ID: fmt.Sprintf("%s-c%d", id, i), PostID: p.ID, ParentID: p.ID,
				AuthorID: a, Text: "nice", CreatedAt: p.CreatedAt.Add(time.Hour), Depth: 1})
		}
		cs = append(cs, model.Comment{Platform: "bluesky", ID: id + "-own", PostID: p.ID, ParentID: p.ID, AuthorID: id, ByCreator: true,
			Text: "thanks", CreatedAt: p.CreatedAt.Add(2 * time.Hour), Depth: 2})
		sc := &model.Score{Tier: tier, ER: 4, Composite: 0.8}
		if err := st.SaveCreator(t.Context(), store.CreatorUpdate{Creator: c, Posts: []model.Post{old, p}, Comments: cs, Score: sc, At: day0}); err != nil {
			t.Fatal(err)
		}
	}
	mk("did:plc:alice", "alice.bsky.social", 4000, model.TierNano, []string{"c1", "c2", "c3", "c4", "c5", "c6"})
	mk("did:plc:bob", "bob.bsky.social", 6000, model.TierNano, []string{"c1", "c2", "c3", "c4", "c5", "c7", "c8"})
	mk("did:plc:mega", "mega.bsky.social", 2_000_000, model.TierMega, []string{"m1", "m2", "c1"})
	return st
}

func TestCampaignFromShortlistToResults(t *testing.T) {
	ctx := t.Context()
	st := seed(t)
	l, err := st.CreateShortlist(ctx, "Spring")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddToShortlist(ctx, l.ID, "bluesky:did:plc:alice", "bluesky:did:plc:bob", "bluesky:did:plc:mega"); err != nil {
		t.Fatal(err)
	}
	spec := Spec{Name: "Spring Glow", ShortlistID: l.ID, Budget: 10000, Currency: "usd", DefaultFee: 100,
		FeeByTier: map[string]float64{model.TierMega: 5000}, FeeOverrides: map[string]float64{"bluesky:did:plc:bob": 150},
		Start: day0, End: day0.AddDate(0, 0, 14), AttributionDays: 7, ProductURL: "https://shop.example/serum", AffiliateParam: "a_aid"}
	c, err := Create(ctx, st, spec, day0)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "spring-glow" || len(c.Members) != 3 || c.Currency != "USD" || c.ForecastCPA <= 0 || c.Source != "shortlist:Spring" {
		t.Fatalf("campaign = %+v", c)
	}
	fees := map[string]float64{}
	codes := map[string]string{}
	for _, m := range c.Members {
		fees[m.Handle], codes[m.Handle] = m.Fee, m.Code
	}
	if fees["alice.bsky.social"] != 100 || fees["bob.bsky.social"] != 150 || fees["mega.bsky.social"] != 5000 {
		t.Errorf("fees = %v", fees)
	}
	// A second campaign from the same list gets other codes.
	spec2 := spec
	spec2.Name, spec2.FeeOverrides = "Autumn", nil
	c2, err := Create(ctx, st, spec2, day0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c2.Members {
		if m.Code == codes[m.Handle] {
			t.Errorf("code %s reused", m.Code)
		}
	}
	if _, err := Create(ctx, st, spec, day0); err == nil {
		t.Error("the same campaign id twice was accepted")
	}

	// Sales: alice 3 by code, bob 1 by UTM and one refunded, mega 2, one unknown code, one duplicate row.
	csv := "order_id,time,amount,currency,code,utm_campaign,utm_content,status\n" +
		"A1,2026-03-03,40.00,USD," + codes["alice.bsky.social"] + ",,,paid\n" +
		"A2,2026-03-04,40.00,USD," + strings.ToLower(codes["alice.bsky.social"]) + ",,,paid\n" +
		"A3,2026-03-20,40.00,USD," + codes["alice.bsky.social"] + ",,,paid\n" +
		"B1,2026-03-05,60.00,USD,,spring-glow," + strings.ToLower(codes["bob.bsky.social"]) + ",paid\n" +
		"B2,2026-03-05,60.00,USD,,spring-glow," + strings.ToLower(codes["bob.bsky.social"]) + ",refunded\n" +
		"M1,2026-03-06,80.00,USD," + codes["mega.bsky.social"] + ",,,paid\n" +
		"M2,2026-03-07,80.00,USD," + codes["mega.bsky.social"] + ",,,paid\n" +
		"X1,2026-03-07,10.00,USD,TYPO-1234,,,paid\n" +
		"A1,2026-03-03,40.00,USD," + codes["alice.bsky.social"] + ",,,paid\n"
	sum, err := Import(ctx, st, strings.NewReader(csv), "auto")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Format != campaign.FormatGeneric || sum.Rows != 9 || sum.Changed != 8 || sum.Duplicates != 1 {
		t.Errorf("import = %+v", sum)
	}
	again, err := Import(ctx, st, strings.NewReader(csv), "generic")
	if err != nil || again.Changed != 0 || again.Duplicates != 9 {
		t.Errorf("re-import = %+v, %v", again, err)
	}
	if _, err := Import(ctx, st, strings.NewReader("order_id,time,amount,currency,code\nZ1,2026-03-03,abc,USD,X\n"), "generic"); err == nil {
		t.Error("bad file imported")
	}
	if convs, _ := st.Conversions(ctx); len(convs) != 8 {
		t.Errorf("a bad file changed the stored conversions: %d", len(convs))
	}

	r, err := Results(ctx, st, "spring-glow")
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]campaign.CreatorResult{}
	for _, cr := range r.Creators {
		by[cr.Handle] = cr
	}
	alice, bob, mega := by["alice.bsky.social"], by["bob.bsky.social"], by["mega.bsky.social"]
	if alice.Sales != 3 || alice.Revenue != 12000 || *alice.CPA != 100.0/3 || alice.Engagements != 106 {
		t.Errorf("alice = %+v (engagements %v)", alice.Figures, alice.Engagements)
	}
	if bob.Sales != 1 || bob.Refunded != 1 || *bob.CPA != 150 {
		t.Errorf("bob = %+v", bob.Figures)
	}
	if mega.Sales != 2 || *mega.CPA != 2500 {
		t.Errorf("mega = %+v", mega.Figures)
	}
	if len(r.Unattributed) != 1 || r.Unattributed[0].OrderID != "X1" || r.Unattributed[0].Reason != campaign.ReasonUnknownCode {
		t.Errorf("unattributed = %+v", r.Unattributed)
	}
	if !strings.Contains(r.Comparison, "nano CPA 62.50") || !strings.Contains(r.Comparison, "mega CPA 2500.00") {
		t.Errorf("comparison = %q", r.Comparison)
	}
	proven := 0
	for _, cv := range r.Converters {
		if cv.Proven {
			proven++
			if cv.CreatorKey != "bluesky:did:plc:alice" {
				t.Errorf("proven converter %s", cv.CreatorKey)
			}
		}
	}
	if proven != 1 {
		t.Errorf("converters = %+v", r.Converters)
	}

	ov, aud, err := CampaignOverlap(ctx, st, "spring-glow")
	if err != nil {
		t.Fatal(err)
	}
	if len(aud) != 3 || ov.UniqueReach != 10 || ov.TotalReach != 16 || len(ov.Pairs) != 3 || ov.Pairs[0].Shared != 5 {
		t.Errorf("overlap = %+v", ov)
	}
}
