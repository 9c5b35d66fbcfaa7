package campaign

import (
	"testing"
	"time"
)

func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := parseTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// twoCreators is a campaign with fixed codes (Attribute does not care how
// codes were made).
func twoCreators(t *testing.T) Campaign {
	c := testCampaign(t, "spring-glow")
	c.Members = []Member{
		{CreatorKey: "bluesky:a", Handle: "alice", Tier: "nano", Fee: 100, Code: "ALICE-ABCD", AffiliateID: "ns-aaaaaaaa", Engagements: 2000},
		{CreatorKey: "mastodon:b", Handle: "bob", Tier: "micro", Fee: 250, Code: "BOB-WXYZ", AffiliateID: "ns-bbbbbbbb", Engagements: -1},
	}
	return c
}

func TestAttribute(t *testing.T) {
	type want struct {
		sales, pending, refunded int
		revenue                  Money
		other                    map[string]Money
		unattributed             string // reason, "" = attributed
	}
	cases := []struct {
		name string
		conv Conversion
		who  int // member index attributed to
		want want
	}{
		{"code", Conversion{OrderID: "1", Time: ts(t, "2026-03-02"), Amount: 4990, Currency: "USD", Status: StatusPaid, Code: "alice-abcd"}, 0,
			want{sales: 1, revenue: 4990}},
		{"one of several codes", Conversion{OrderID: "1", Time: ts(t, "2026-03-02"), Amount: 100, Currency: "USD", Status: StatusPaid, Code: "WELCOME10, BOB-WXYZ"}, 1,
			want{sales: 1, revenue: 100}},
		{"affiliate id", Conversion{OrderID: "2", Time: ts(t, "2026-03-02"), Amount: 1000, Currency: "USD", Status: StatusPaid, AffiliateID: "NS-BBBBBBBB"}, 1,
			want{sales: 1, revenue: 1000}},
		{"code wins over affiliate id", Conversion{OrderID: "3", Time: ts(t, "2026-03-02"), Amount: 1000, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD", AffiliateID: "ns-bbbbbbbb"}, 0,
			want{sales: 1, revenue: 1000}},
		{"utm", Conversion{OrderID: "4", Time: ts(t, "2026-03-02"), Amount: 500, Currency: "USD", Status: StatusPaid, UTMCampaign: "spring-glow", UTMContent: "bob-wxyz"}, 1,
			want{sales: 1, revenue: 500}},
		{"utm of another campaign", Conversion{OrderID: "5", Time: ts(t, "2026-03-02"), Amount: 500, Currency: "USD", Status: StatusPaid, UTMCampaign: "autumn", UTMContent: "bob-wxyz"}, -1,
			want{unattributed: ReasonUnknownCode}},
		{"partly refunded", Conversion{OrderID: "6", Time: ts(t, "2026-03-02"), Amount: 10000, Refunded: 2000, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD"}, 0,
			want{sales: 1, revenue: 8000}},
		{"wholly refunded", Conversion{OrderID: "7", Time: ts(t, "2026-03-02"), Amount: 3000, Refunded: 3000, Currency: "USD", Status: StatusRefunded, Code: "ALICE-ABCD"}, 0,
			want{refunded: 1}},
		{"declined", Conversion{OrderID: "8", Time: ts(t, "2026-03-02"), Amount: 3000, Currency: "USD", Status: StatusDeclined, AffiliateID: "ns-aaaaaaaa"}, 0,
			want{refunded: 1}},
		{"pending", Conversion{OrderID: "9", Time: ts(t, "2026-03-02"), Amount: 3000, Currency: "USD", Status: StatusPending, Code: "ALICE-ABCD"}, 0,
			want{pending: 1}},
		{"other currency kept apart", Conversion{OrderID: "10", Time: ts(t, "2026-03-02"), Amount: 4000, Currency: "EUR", Status: StatusPaid, Code: "BOB-WXYZ"}, 1,
			want{other: map[string]Money{"EUR": 4000}}},
		{"blank currency is the campaign's", Conversion{OrderID: "11", Time: ts(t, "2026-03-02"), Amount: 4000, Status: StatusPaid, AffiliateID: "ns-aaaaaaaa"}, 0,
			want{sales: 1, revenue: 4000}},
		{"before the start", Conversion{OrderID: "12", Time: ts(t, "2026-02-28 23:59:59"), Amount: 4000, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD"}, -1,
			want{unattributed: ReasonOutsideDates}},
		{"last day of the attribution window", Conversion{OrderID: "13", Time: ts(t, "2026-04-14 23:59:00"), Amount: 4000, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD"}, 0,
			want{sales: 1, revenue: 4000}},
		{"after the attribution window", Conversion{OrderID: "14", Time: ts(t, "2026-04-15 00:00:01"), Amount: 4000, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD"}, -1,
			want{unattributed: ReasonOutsideDates}},
		{"unknown code", Conversion{OrderID: "15", Time: ts(t, "2026-03-02"), Amount: 4000, Currency: "USD", Status: StatusPaid, Code: "NOPE"}, -1,
			want{unattributed: ReasonUnknownCode}},
		{"nothing to attribute by", Conversion{OrderID: "16", Time: ts(t, "2026-03-02"), Amount: 4000, Currency: "USD", Status: StatusPaid}, -1,
			want{unattributed: ReasonNoTracking}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := Attribute([]Campaign{twoCreators(t)}, []Conversion{tc.conv})
			if tc.want.unattributed != "" {
				if len(a.Unattributed) != 1 || a.Unattributed[0].Reason != tc.want.unattributed {
					t.Fatalf("unattributed = %+v, want reason %q", a.Unattributed, tc.want.unattributed)
				}
				if a.Campaigns[0].Total.Sales+a.Campaigns[0].Total.Pending+a.Campaigns[0].Total.Refunded != 0 {
					t.Errorf("also counted on the campaign: %+v", a.Campaigns[0].Total)
				}
				return
			}
			if len(a.Unattributed) != 0 {
				t.Fatalf("unattributed: %+v", a.Unattributed)
			}
			got := a.Campaigns[0].Creators[tc.who]
			if got.Sales != tc.want.sales || got.Pending != tc.want.pending || got.Refunded != tc.want.refunded || got.Revenue != tc.want.revenue {
				t.Errorf("figures = %+v, want %+v", got.Figures, tc.want)
			}
			for cur, v := range tc.want.other {
				if got.OtherRevenue[cur] != v {
					t.Errorf("other revenue %s = %v, want %v", cur, got.OtherRevenue[cur], v)
				}
			}
			if other := a.Campaigns[0].Creators[1-tc.who]; other.Sales+other.Pending+other.Refunded+other.OtherSales != 0 {
				t.Errorf("the other creator got it too: %+v", other.Figures)
			}
		})
	}
}

func TestResultsPerCreatorTierCampaign(t *testing.T) {
	c := twoCreators(t)
	c.ForecastCPA = 60
	convs := []Conversion{
		{OrderID: "1", Time: ts(t, "2026-03-02"), Amount: 5000, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD"},
		{OrderID: "2", Time: ts(t, "2026-03-03"), Amount: 3000, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD"},
		{OrderID: "3", Time: ts(t, "2026-03-03"), Amount: 10000, Currency: "USD", Status: StatusPaid, Code: "BOB-WXYZ"},
	}
	r := Attribute([]Campaign{c}, convs).Campaigns[0]
	alice, bob := r.Creators[0], r.Creators[1]
	if alice.CPA == nil || *alice.CPA != 50 || alice.ROAS == nil || *alice.ROAS != 0.8 || alice.ConvPer1k == nil || *alice.ConvPer1k != 1 {
		t.Errorf("alice = cpa %v roas %v conv %v", alice.CPA, alice.ROAS, alice.ConvPer1k)
	}
	if bob.CPA == nil || *bob.CPA != 250 || bob.ConvPer1k != nil {
		t.Errorf("bob = cpa %v conv/1k %v (engagements unknown)", bob.CPA, bob.ConvPer1k)
	}
	if r.Total.Sales != 3 || r.Total.Revenue != 18000 || r.Total.Fee != 350 || *r.Total.CPA != 350.0/3 || r.ForecastCPA != 60 {
		t.Errorf("total = %+v", r.Total)
	}
	if r.Total.Engagements >= 0 {
		t.Errorf("total engagements %v, want unknown (bob's are)", r.Total.Engagements)
	}
	if len(r.Tiers) != 2 || r.Tiers[0].Tier != "micro" || r.Tiers[0].Sales != 1 || r.Tiers[1].Tier != "nano" || r.Tiers[1].Sales != 2 || *r.Tiers[1].CPA != 50 {
		t.Errorf("tiers = %+v", r.Tiers)
	}
	cv := Converters(r)
	if len(cv) != 2 || cv[0].MedianCPA != 150 || cv[0].Proven || cv[1].Proven {
		t.Errorf("converters = %+v (2 sales is below the sample a proven converter needs)", cv)
	}
	// A third sale makes alice proven; bob stays above the median.
	convs = append(convs, Conversion{OrderID: "4", Time: ts(t, "2026-03-04"), Amount: 100, Currency: "USD", Status: StatusPaid, Code: "ALICE-ABCD"})
	cv = Converters(Attribute([]Campaign{c}, convs).Campaigns[0])
	if !cv[0].Proven || cv[0].Sales != 3 || cv[1].Proven {
		t.Errorf("converters = %+v", cv)
	}
}

func TestMergeDuplicatesAndRefunds(t *testing.T) {
	sale := Conversion{OrderID: "A", Time: ts(t, "2026-03-02"), Amount: 8000, Currency: "USD", Status: StatusPaid, AffiliateID: "ns-b", Source: SourcePAP}
	refund := Conversion{OrderID: "A", Time: ts(t, "2026-03-09"), Refunded: 8000, Currency: "USD", Status: StatusRefunded, AffiliateID: "ns-b", Source: SourcePAP}
	partial := Conversion{OrderID: "B", Time: ts(t, "2026-03-02"), Amount: 5000, Refunded: 1000, Currency: "USD", Status: StatusPaid, Code: "X"}
	m, dup := Merge(nil, []Conversion{sale, partial})
	if dup != 0 || len(m) != 2 {
		t.Fatalf("first import: %d dup, %d", dup, len(m))
	}
	m, dup = Merge(m, []Conversion{sale, partial}) // the same file again
	if dup != 2 || len(m) != 2 {
		t.Fatalf("re-import: %d duplicates, %d conversions; want 2, 2", dup, len(m))
	}
	m, dup = Merge(m, []Conversion{refund})
	if dup != 0 || m[0].Status != StatusRefunded || m[0].Amount != 8000 || m[0].IsSale() || !m[0].Time.Equal(sale.Time) {
		t.Fatalf("after refund: %+v (dup %d)", m[0], dup)
	}
	// A late "paid" copy of the sale does not undo the refund.
	m, _ = Merge(m, []Conversion{sale})
	if m[0].IsSale() {
		t.Errorf("refund undone: %+v", m[0])
	}
	// A void is final.
	m, _ = Merge(m, []Conversion{{OrderID: "B", Status: StatusVoided}})
	m, _ = Merge(m, []Conversion{partial})
	if m[1].Status != StatusVoided || m[1].Net() != 0 {
		t.Errorf("void undone: %+v", m[1])
	}
}
