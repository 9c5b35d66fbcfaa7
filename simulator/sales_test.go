package simulator

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/campaign"
	"github.com/nanoscout/nanoscout/model"
)

func TestShopifyOrdersFollowTheTruth(t *testing.T) {
	var cs []SaleCreator
	for i, arch := range []string{ArchOrganic, ArchBoughtLikes} {
		for j := range 200 {
			tr := Truth{Platform: "bluesky", ID: fmt.Sprint(i, j), Tier: model.TierNano, Archetype: arch, Followers: 5000, ERByFollowers: 4}
			cs = append(cs, SaleCreator{Truth: tr, Code: fmt.Sprintf("C%d-%d", i, j)})
		}
	}
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	opts := SalesOptions{Seed: 7, Start: start, End: start.AddDate(0, 0, 30), Untracked: 9}
	var a, b bytes.Buffer
	counts, err := WriteShopifyOrders(&a, cs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteShopifyOrders(&b, cs, opts); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same options gave another file")
	}
	im, err := campaign.Read(bytes.NewReader(a.Bytes()), "auto")
	if err != nil {
		t.Fatal(err)
	}
	if im.Format != campaign.FormatShopify {
		t.Fatalf("format %s", im.Format)
	}
	byCode := map[string]int{}
	statuses := map[string]int{}
	for _, cv := range im.Conversions {
		byCode[cv.Code]++
		statuses[cv.Status]++
		if cv.Time.Before(start) || cv.Time.After(opts.End.Add(time.Hour)) {
			t.Errorf("order %s at %v outside the campaign", cv.OrderID, cv.Time)
		}
	}
	organic, bought := 0, 0
	for _, c := range cs {
		if byCode[c.Code] != counts[c.Code] {
			t.Errorf("%s: %d orders in the file, %d reported", c.Code, byCode[c.Code], counts[c.Code])
		}
		if c.Truth.Archetype == ArchOrganic {
			organic += counts[c.Code]
		} else {
			bought += counts[c.Code]
		}
	}
	// 200 organic nano creators at 200 engagements: ~2.4 orders each.
	if organic < 380 || organic > 580 || bought*3 > organic {
		t.Errorf("orders: organic %d, bought likes %d", organic, bought)
	}
	if len(im.Conversions) != organic+bought+9 || statuses[campaign.StatusRefunded] == 0 || statuses[campaign.StatusPending] == 0 {
		t.Errorf("%d conversions, statuses %v", len(im.Conversions), statuses)
	}
}
