package campaign

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func readFile(t *testing.T, name, format string) (Import, error) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Read(f, format)
}

func TestReadShopify(t *testing.T) {
	im, err := readFile(t, "shopify_orders.csv", "auto")
	if err != nil {
		t.Fatal(err)
	}
	if im.Format != FormatShopify {
		t.Fatalf("format = %s", im.Format)
	}
	if len(im.Conversions) != 8 { // 9 rows, #1001 has two line items
		t.Fatalf("conversions = %d, want 8 orders", len(im.Conversions))
	}
	by := map[string]Conversion{}
	for _, c := range im.Conversions {
		by[c.OrderID] = c
	}
	for _, tc := range []struct {
		id       string
		status   string
		amount   Money
		refunded Money
		sale     bool
	}{
		{"#1001", StatusPaid, 4990, 0, true},
		{"#1002", StatusRefunded, 3000, 3000, false},
		{"#1003", StatusPaid, 10000, 2000, true},
		{"#1004", StatusVoided, 2500, 0, false},
		{"#1005", StatusPending, 6000, 0, false},
		{"#1007", StatusPaid, 4000, 0, true},
	} {
		c := by[tc.id]
		if c.Status != tc.status || c.Amount != tc.amount || c.Refunded != tc.refunded || c.IsSale() != tc.sale {
			t.Errorf("%s = %+v, want %+v", tc.id, c, tc)
		}
	}
	if c := by["#1001"]; c.Code != "ALICE-ABCD" || c.Currency != "USD" || c.Time.Format("2006-01-02T15:04") != "2026-03-02T15:15" || c.Row != 2 {
		t.Errorf("#1001 = %+v (time in UTC from -0500)", c)
	}
	if c := by["#1007"]; c.Currency != "EUR" {
		t.Errorf("#1007 currency = %s", c.Currency)
	}
	if c := by["#1005"]; !c.Time.IsZero() && c.Time.Format("2006-01-02") != "2026-03-06" {
		t.Errorf("pending order time from Created at: %v", c.Time)
	}
}

func TestReadPAP(t *testing.T) {
	im, err := readFile(t, "pap_transactions.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if im.Format != FormatPAP || len(im.Conversions) != 5 || im.Skipped["not a sale (type C)"] != 1 {
		t.Fatalf("import = %s, %d conversions, skipped %v", im.Format, len(im.Conversions), im.Skipped)
	}
	merged, _ := Merge(nil, im.Conversions)
	by := map[string]Conversion{}
	for _, c := range merged {
		by[c.OrderID] = c
	}
	if c := by["PAP-9001"]; c.Status != StatusPaid || c.Amount != 4990 || c.AffiliateID != "ns-aaaaaaaa" || c.Currency != "USD" {
		t.Errorf("approved sale = %+v", c)
	}
	if c := by["PAP-9002"]; c.Status != StatusPending {
		t.Errorf("pending = %+v", c)
	}
	if c := by["PAP-9003"]; c.Status != StatusDeclined || c.Currency != "EUR" {
		t.Errorf("declined = %+v", c)
	}
	if c := by["PAP-9004"]; c.Status != StatusRefunded || c.Amount != 8000 || c.Refunded != 8000 || c.IsSale() {
		t.Errorf("sale then refund = %+v", c)
	}

	grid, err := readFile(t, "pap_grid.csv", "auto")
	if err != nil {
		t.Fatal(err)
	}
	if grid.Format != FormatPAP || len(grid.Conversions) != 3 || grid.Conversions[0].Amount != 10000 || grid.Conversions[1].Status != StatusPending {
		t.Errorf("grid (semicolons) = %+v", grid)
	}
}

func TestReadGeneric(t *testing.T) {
	im, err := readFile(t, "generic.csv", "generic")
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Conversions) != 6 {
		t.Fatalf("conversions = %d", len(im.Conversions))
	}
	g := im.Conversions
	if g[0].Code != "ALICE-ABCD" || g[1].AffiliateID != "ns-bbbbbbbb" || g[1].Status != StatusPaid || g[2].UTMContent != "bob-wxyz" ||
		g[3].Currency != "USD" || g[5].Status != StatusRefunded || g[5].Refunded != 5000 {
		t.Errorf("generic = %+v", g)
	}
	// Attribution over the generic file: G-4 has nothing to go by, G-5 is past the window.
	c := twoCreators(t)
	a := Attribute([]Campaign{c}, g)
	if a.Campaigns[0].Total.Sales != 3 || len(a.Unattributed) != 2 {
		t.Errorf("sales %d, unattributed %+v", a.Campaigns[0].Total.Sales, a.Unattributed)
	}
}

func TestReadBadFiles(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		row          int
		column, msg  string
	}{
		{"shopify_bad_total.csv", "auto", 4, "Total", `"30,x0" is not an amount`},
		{"generic_bad_time.csv", "generic", 3, "time", `"yesterday" is not a time`},
		{"shopify_no_code_column.csv", "shopify", 0, "", `missing column(s) "Discount Code"`},
		{"generic_header_only.csv", "generic", 0, "", "header and no rows"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			im, err := readFile(t, tc.file, tc.format)
			if err == nil {
				t.Fatalf("no error; got %d conversions", len(im.Conversions))
			}
			if len(im.Conversions) != 0 {
				t.Errorf("half imported: %d conversions", len(im.Conversions))
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
			var re *RowError
			if tc.row > 0 && (!errors.As(err, &re) || re.Row != tc.row || re.Column != tc.column) {
				t.Errorf("error %v: want row %d column %q", err, tc.row, tc.column)
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	for name, tc := range map[string]struct{ in, format, msg string }{
		"not utf-8":       {"order_id,time,amount,currency,code\n1,2026-03-01,1.00,USD,\xff\xfe\n", "generic", "row 2: not UTF-8"},
		"unknown header":  {"a,b\n1,2\n", "auto", "unknown file"},
		"unknown format":  {"a,b\n1,2\n", "xml", "unknown format"},
		"bad quote":       {"order_id,time,amount,currency,code\n1,\"2026,1,USD,X\n", "generic", "row 2"},
		"negative amount": {"order_id,time,amount,currency,code\n1,2026-03-01,-5,USD,X\n", "generic", "negative amount"},
		"bad status":      {"order_id,time,amount,currency,code,status\n1,2026-03-01,5,USD,X,maybe\n", "generic", `unknown status "maybe"`},
		"empty":           {"", "auto", "empty file"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in), tc.format)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	for in, want := range map[string]Money{"1": 100, "1,234.56": 123456, "$12.5": 1250, "-3.10": -310, "0.005": 1} {
		if got, err := ParseMoney(in); err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "NaN", "Inf", "1e300"} {
		if _, err := ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) accepted", in)
		}
	}
	if s := Money(-1234).String(); s != "-12.34" {
		t.Errorf("String = %s", s)
	}
}
