package campaign

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func testCampaign(t *testing.T, id string) Campaign {
	t.Helper()
	return Campaign{ID: id, Name: id, Budget: 1000, Currency: "USD", DefaultFee: 100,
		FeeByTier: map[string]float64{"micro": 250}, Start: date(t, "2026-03-01"), End: date(t, "2026-03-15"),
		AttributionDays: 30, ProductURL: "https://shop.example/p/serum?ref=x", AffiliateParam: "a_aid"}
}

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Spring Glow 2026!": "spring-glow-2026", "  --x--  ": "x", "Café": "caf", "": ""} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Campaign{ID: "Bad ID", Budget: -1, Currency: "usd", ProductURL: "ftp://x", AttributionDays: -2}
	err := c.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"id", "budget", "currency", "dates", "attribution days", "product URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestCodesDeterministicUniqueAndLinked(t *testing.T) {
	cs := []Creator{{Key: "bluesky:did:plc:a", Handle: "alice.bsky.social", Tier: "nano"},
		{Key: "mastodon:1", Handle: "@bob@mastodon.social", Tier: "micro"},
		{Key: "youtube:UC1", Handle: "Ça va!", Tier: "nano", Fee: 40}}
	a := testCampaign(t, "spring-glow")
	if err := a.AddMembers(cs, nil); err != nil {
		t.Fatal(err)
	}
	again := testCampaign(t, "spring-glow")
	if err := again.AddMembers(cs, nil); err != nil {
		t.Fatal(err)
	}
	other := testCampaign(t, "autumn")
	taken := map[string]bool{}
	for _, m := range a.Members {
		taken[m.Code], taken[m.AffiliateID] = true, true
	}
	if err := other.AddMembers(cs, func(s string) bool { return taken[s] }); err != nil {
		t.Fatal(err)
	}
	if len(a.Members) != 3 {
		t.Fatalf("members = %d", len(a.Members))
	}
	for i, m := range a.Members {
		if m.Code != again.Members[i].Code || m.AffiliateID != again.Members[i].AffiliateID || m.Link != again.Members[i].Link {
			t.Errorf("member %d not deterministic: %+v vs %+v", i, m, again.Members[i])
		}
		if taken[other.Members[i].Code] || taken[other.Members[i].AffiliateID] {
			t.Errorf("code %s reused across campaigns", other.Members[i].Code)
		}
		u, err := url.Parse(m.Link)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if q.Get("utm_campaign") != "spring-glow" || q.Get("utm_content") != strings.ToLower(m.Code) ||
			q.Get("a_aid") != m.AffiliateID || q.Get("ref") != "x" || q.Get("utm_source") != "nanoscout" {
			t.Errorf("link %s lacks its parameters", m.Link)
		}
	}
	if !strings.HasPrefix(a.Members[0].Code, "ALICE-") || !strings.HasPrefix(a.Members[1].Code, "BOB-") || !strings.HasPrefix(a.Members[2].Code, "AVA-") {
		t.Errorf("codes = %s %s %s", a.Members[0].Code, a.Members[1].Code, a.Members[2].Code)
	}
	if a.Members[0].Fee != 100 || a.Members[1].Fee != 250 || a.Members[2].Fee != 40 || !a.Members[2].FeeOverride {
		t.Errorf("fees = %v %v %v", a.Members[0].Fee, a.Members[1].Fee, a.Members[2].Fee)
	}
	// Adding the same creators again changes nothing.
	if err := a.AddMembers(cs, nil); err != nil || len(a.Members) != 3 {
		t.Errorf("re-add: %v, %d members", err, len(a.Members))
	}
}

func TestCodeCollisionTakesLongerCode(t *testing.T) {
	a := testCampaign(t, "c")
	if err := a.AddMembers([]Creator{{Key: "k1", Handle: "same"}}, nil); err != nil {
		t.Fatal(err)
	}
	first := a.Members[0].Code
	b := testCampaign(t, "c")
	if err := b.AddMembers([]Creator{{Key: "k1", Handle: "same"}}, func(s string) bool { return s == first }); err != nil {
		t.Fatal(err)
	}
	if got := b.Members[0].Code; got == first || !strings.HasPrefix(got, first) {
		t.Errorf("collision: got %s, first %s", got, first)
	}
}
