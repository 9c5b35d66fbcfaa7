package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/store"
)

// RunCampaigns runs the conformance suite of store.Campaigns. open must
// return a new, empty store for each call that implements it.
func RunCampaigns(t *testing.T, open func(t *testing.T) store.Store) {
	runSuite(t, open, []testCase[store.Store]{
		{"CreateReadList", testCampaignCRUD},
		{"CodesUniqueAcrossCampaigns", testCampaignCodes},
		{"CodeRace", testCampaignCodeRace},
		{"Conversions", testConversions},
		{"ConverterSignal", testConverters},
	})
}

// newCampaign is a valid campaign with n members whose codes are derived
// from the campaign id.
func newCampaign(t *testing.T, id string, created time.Time, keys ...string) campaign.Campaign {
	t.Helper()
	c := campaign.Campaign{ID: id, Name: "Campaign " + id, Budget: 5000, Currency: "USD", DefaultFee: 100,
		FeeByTier: map[string]float64{"micro": 300}, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		End: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), AttributionDays: 14, ProductURL: "https://shop.example/p",
		CreatedAt: created}
	var cr []campaign.Creator
	for i, k := range keys {
		tier := "nano"
		if i%2 == 1 {
			tier = "micro"
		}
		cr = append(cr, campaign.Creator{Key: k, Handle: fmt.Sprintf("handle%d", i), Platform: "bluesky", Tier: tier})
	}
	must(t, "AddMembers", c.AddMembers(cr, nil))
	return c
}

func testCampaignCRUD(ctx context.Context, t *testing.T, cs store.Store) {
	t0 := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	a := newCampaign(t, "spring", t0, "bluesky:a", "bluesky:b")
	b := newCampaign(t, "summer", t0.Add(time.Hour), "bluesky:c")
	must(t, "CreateCampaign spring", cs.CreateCampaign(ctx, a))
	must(t, "CreateCampaign summer", cs.CreateCampaign(ctx, b))
	wantErr(t, "CreateCampaign twice", cs.CreateCampaign(ctx, a), store.ErrExists)

	got, err := cs.Campaign(ctx, "spring")
	must(t, "Campaign", err)
	if got.ID != "spring" || len(got.Members) != 2 || got.Members[1].Fee != 300 || got.Members[0].Code != a.Members[0].Code ||
		got.Members[0].Link != a.Members[0].Link || !got.Start.Equal(a.Start) || got.FeeByTier["micro"] != 300 {
		t.Errorf("Campaign = %+v", got)
	}
	_, err = cs.Campaign(ctx, "nope")
	wantErr(t, "Campaign unknown", err, store.ErrNotFound)

	list, err := cs.ListCampaigns(ctx)
	must(t, "ListCampaigns", err)
	if len(list) != 2 || list[0].ID != "summer" || list[1].ID != "spring" {
		t.Errorf("ListCampaigns = %d, first %v (want newest first)", len(list), list)
	}

	// Adding a member on save reserves its code.
	must(t, "AddMembers", a.AddMembers([]campaign.Creator{{Key: "bluesky:z", Handle: "zed", Tier: "nano"}}, nil))
	must(t, "SaveCampaign", cs.SaveCampaign(ctx, a))
	got, err = cs.Campaign(ctx, "spring")
	must(t, "Campaign after save", err)
	if len(got.Members) != 3 {
		t.Errorf("members after save = %d", len(got.Members))
	}
	taken, err := cs.CodeTaken(ctx, a.Members[2].Code)
	must(t, "CodeTaken", err)
	if !taken {
		t.Errorf("code %s of a saved member not reserved", a.Members[2].Code)
	}
	wantErr(t, "SaveCampaign unknown", cs.SaveCampaign(ctx, newCampaign(t, "ghost", t0)), store.ErrNotFound)
}

func testCampaignCodes(ctx context.Context, t *testing.T, cs store.Store) {
	t0 := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	a := newCampaign(t, "first", t0, "bluesky:a", "bluesky:b")
	must(t, "CreateCampaign", cs.CreateCampaign(ctx, a))
	for _, code := range []string{a.Members[0].Code, a.Members[0].AffiliateID} {
		for _, variant := range []string{code, "  " + code + " "} {
			taken, err := cs.CodeTaken(ctx, variant)
			must(t, "CodeTaken", err)
			if !taken {
				t.Errorf("CodeTaken(%q) = false", variant)
			}
		}
	}
	taken, err := cs.CodeTaken(ctx, "NOT-A-CODE")
	must(t, "CodeTaken", err)
	if taken {
		t.Error("CodeTaken of an unknown code = true")
	}
	// A second campaign that reuses one of first's codes is refused whole.
	b := newCampaign(t, "second", t0, "bluesky:c", "bluesky:d")
	b.Members[1].Code = a.Members[1].Code
	wantErr(t, "CreateCampaign with a taken code", cs.CreateCampaign(ctx, b), store.ErrCodeTaken)
	_, err = cs.Campaign(ctx, "second")
	wantErr(t, "refused campaign stored", err, store.ErrNotFound)
	taken, err = cs.CodeTaken(ctx, b.Members[0].Code)
	must(t, "CodeTaken", err)
	if taken {
		t.Errorf("code %s of a refused campaign stayed reserved", b.Members[0].Code)
	}
	// With codes that account for what is taken, it goes in.
	c := campaign.Campaign{ID: "second", Name: "x", Currency: "USD", Start: t0, End: t0.Add(24 * time.Hour), ProductURL: "https://shop.example/p", CreatedAt: t0}
	must(t, "AddMembers", c.AddMembers([]campaign.Creator{{Key: "bluesky:c", Handle: "handle0"}}, func(code string) bool {
		taken, err := cs.CodeTaken(ctx, code)
		must(t, "CodeTaken", err)
		return taken
	}))
	must(t, "CreateCampaign second", cs.CreateCampaign(ctx, c))
}

func testCampaignCodeRace(ctx context.Context, t *testing.T, cs store.Store) {
	const racers = 6
	t0 := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	campaigns := make([]campaign.Campaign, racers)
	for i := range campaigns {
		campaigns[i] = newCampaign(t, fmt.Sprintf("race-%d", i), t0, fmt.Sprintf("bluesky:r%d", i))
		campaigns[i].Members[0].Code = "SHARED-CODE"
	}
	winners := race(t, "CreateCampaign", racers, func(i int) string { return campaigns[i].ID },
		func(i int, _ string) (bool, error) {
			err := cs.CreateCampaign(ctx, campaigns[i])
			if errors.Is(err, store.ErrCodeTaken) {
				return false, nil
			}
			return err == nil, err
		})
	if len(winners) != 1 {
		t.Fatalf("%d campaigns won one code (%v), want exactly 1", len(winners), winners)
	}
	list, err := cs.ListCampaigns(ctx)
	must(t, "ListCampaigns", err)
	if len(list) != 1 {
		t.Errorf("%d campaigns stored, want 1", len(list))
	}
}

func testConversions(ctx context.Context, t *testing.T, cs store.Store) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	sale := campaign.Conversion{OrderID: "#1001", Time: at, Amount: 4990, Currency: "USD", Status: campaign.StatusPaid, Code: "ALICE-1", Source: campaign.SourceShopify, Row: 2}
	other := campaign.Conversion{OrderID: "#1002", Time: at, Amount: 1000, Currency: "EUR", Status: campaign.StatusPending, AffiliateID: "ns-x", Source: campaign.SourcePAP}
	changed, dup, err := cs.PutConversions(ctx, []campaign.Conversion{sale, other})
	must(t, "PutConversions", err)
	if changed != 2 || dup != 0 {
		t.Errorf("first put: %d changed, %d duplicates", changed, dup)
	}
	changed, dup, err = cs.PutConversions(ctx, []campaign.Conversion{sale, other})
	must(t, "PutConversions again", err)
	if changed != 0 || dup != 2 {
		t.Errorf("same again: %d changed, %d duplicates; want 0, 2", changed, dup)
	}
	refund := campaign.Conversion{OrderID: "#1001", Time: at.Add(48 * time.Hour), Refunded: 4990, Currency: "USD", Status: campaign.StatusRefunded, Source: campaign.SourceShopify}
	changed, _, err = cs.PutConversions(ctx, []campaign.Conversion{refund})
	must(t, "PutConversions refund", err)
	if changed != 1 {
		t.Errorf("refund changed %d", changed)
	}
	got, err := cs.Conversions(ctx)
	must(t, "Conversions", err)
	if len(got) != 2 || got[0].OrderID != "#1001" || got[1].OrderID != "#1002" {
		t.Fatalf("Conversions = %+v", got)
	}
	if c := got[0]; c.Status != campaign.StatusRefunded || c.Amount != 4990 || c.Refunded != 4990 || c.IsSale() || c.Code != "ALICE-1" || !c.Time.Equal(at) {
		t.Errorf("#1001 after refund = %+v", c)
	}
	if c := got[1]; c.Currency != "EUR" || c.Status != campaign.StatusPending || c.AffiliateID != "ns-x" {
		t.Errorf("#1002 = %+v", c)
	}
}

// testConverters: the proven_converter signal is stored per creator apart
// from the score, replaced whole, kept across a re-collection, and Top
// filters on it and sorts by the measured CPA (lowest first, unmeasured
// last).
func testConverters(ctx context.Context, t *testing.T, s store.Store) {
	cs := store.Campaigns(s)
	keys := map[string]string{}
	for i, id := range []string{"a", "b", "c", "d"} {
		c := creator("bluesky", "conv-"+id, 2000+int64(i))
		save(ctx, t, s, update(c, 1, score("nano", 50+float64(i), 3, 0.5, 0.9), t0))
		keys[id] = c.Key()
	}
	sig := func(id string, cpa float64, sales int, proven bool) campaign.Converter {
		return campaign.Converter{CreatorKey: keys[id], CampaignID: "spring", CPA: cpa, MedianCPA: 30, Sales: sales, Proven: proven}
	}
	top := func(q store.TopQuery) []string {
		t.Helper()
		recs, err := s.Top(ctx, q)
		must(t, "Top", err)
		return keysOf(recs)
	}
	same := func(what string, got []string, want ...string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	ghost := campaign.Converter{CreatorKey: "bluesky:nobody", CPA: 1, Sales: 9, Proven: true}
	must(t, "SetConverters", cs.SetConverters(ctx, []campaign.Converter{sig("a", 20, 5, true), sig("b", 50, 4, false), sig("c", 10, 3, true), ghost}))

	got, err := cs.Converter(ctx, keys["a"])
	must(t, "Converter a", err)
	if got != sig("a", 20, 5, true) {
		t.Errorf("Converter a = %+v", got)
	}
	_, err = cs.Converter(ctx, keys["d"])
	wantErr(t, "Converter of an unmeasured creator", err, store.ErrNotFound)
	_, err = cs.Converter(ctx, ghost.CreatorKey)
	wantErr(t, "Converter of a creator not stored", err, store.ErrNotFound)

	same("proven, by score", top(store.TopQuery{ProvenConverter: true}), keys["c"], keys["a"])
	same("by cpa", top(store.TopQuery{SortBy: "cpa"}), keys["c"], keys["a"], keys["b"], keys["d"])
	same("proven, by cpa, tier", top(store.TopQuery{ProvenConverter: true, SortBy: "cpa", Tier: "nano", Limit: 1}), keys["c"])
	same("by cpa, a page across the measured and the rest", top(store.TopQuery{SortBy: "cpa", Offset: 2, Limit: 2}), keys["b"], keys["d"])
	same("by cpa, past the measured", top(store.TopQuery{SortBy: "cpa", Offset: 3, Limit: 5}), keys["d"])
	same("by cpa, without breakdown", top(store.TopQuery{SortBy: "cpa", Limit: 2, WithoutBreakdown: true}), keys["c"], keys["a"])

	// Re-collecting a creator keeps its signal; the score stays its own.
	save(ctx, t, s, update(creator("bluesky", "conv-a", 2100), 1, score("nano", 99, 3, 0.5, 0.9), t0.Add(time.Hour)))
	same("proven after a re-collection", top(store.TopQuery{ProvenConverter: true}), keys["a"], keys["c"])
	if rec := get(ctx, t, s, keys["a"]); rec.Score == nil || rec.Score.Composite != 99 {
		t.Errorf("score after the re-collection: %+v", rec.Score)
	}

	// Replaced whole: a's and c's signals are gone.
	must(t, "SetConverters again", cs.SetConverters(ctx, []campaign.Converter{sig("b", 25, 6, true)}))
	same("proven after the replacement", top(store.TopQuery{ProvenConverter: true}), keys["b"])
	_, err = cs.Converter(ctx, keys["a"])
	wantErr(t, "Converter a after the replacement", err, store.ErrNotFound)
	must(t, "SetConverters none", cs.SetConverters(ctx, nil))
	same("proven with none", top(store.TopQuery{ProvenConverter: true}))
}
