package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/campaign/track"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

func TestCampaignCLI(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := exporttest.Seed(ctx, st, 12)
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateShortlist(ctx, "Spring launch")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range seeded[:4] {
		keys = append(keys, u.Creator.Key())
	}
	if err := st.AddToShortlist(ctx, l.ID, keys...); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out := runCLI(t, "campaign", "create", "Spring Glow", "--data-dir", dir, "--shortlist", "spring launch",
		"--product-url", "https://shop.example/serum", "--start", "2025-06-01", "--end", "2025-06-30", "--budget", "2000",
		"--fee", "120", "--fee-for", keys[0]+"=300", "--affiliate-param", "a_aid")
	if !strings.Contains(out, "campaign spring-glow: 4 creators") || !strings.Contains(out, "utm_campaign=spring-glow") {
		t.Fatalf("create output:\n%s", out)
	}
	// The outreach sheet: one row per creator with code and link.
	rows, err := csv.NewReader(strings.NewReader(runCLI(t, "campaign", "show", "spring-glow", "--data-dir", dir, "--csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][7] != "promo_code" {
		t.Fatalf("outreach csv = %v", rows)
	}
	code, fee := map[string]string{}, map[string]string{}
	for _, r := range rows[1:] {
		code[r[1]], fee[r[1]] = r[7], r[5]
		if !strings.Contains(r[9], "a_aid="+r[8]) {
			t.Errorf("link %s lacks the affiliate id %s", r[9], r[8])
		}
	}
	if fee[keys[0]] != "300.00" || fee[keys[1]] != "120.00" {
		t.Errorf("fees = %v", fee)
	}

	sales := filepath.Join(t.TempDir(), "orders.csv")
	body := "order_id,time,amount,currency,code\n" +
		"O1,2025-06-03 10:00:00,50.00,USD," + code[keys[0]] + "\n" +
		"O2,2025-06-04 10:00:00,50.00,USD," + code[keys[1]] + "\n" +
		"O3,2025-06-05 10:00:00,25.00,USD,UNKNOWN-1\n"
	if err := os.WriteFile(sales, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out = runCLI(t, "campaign", "import", sales, "--data-dir", dir)
	if !strings.Contains(out, "3 orders read, 3 new or changed, 0 duplicates") {
		t.Errorf("import output: %s", out)
	}
	var r track.Report
	if err := json.Unmarshal([]byte(runCLI(t, "campaign", "results", "spring-glow", "--data-dir", dir, "--json")), &r); err != nil {
		t.Fatal(err)
	}
	if r.Total.Sales != 2 || r.Total.Revenue != 10000 || len(r.Unattributed) != 1 || r.Total.CPA == nil || *r.Total.CPA != (300+3*120)/2.0 {
		t.Errorf("results = %+v, unattributed %d", r.Total, len(r.Unattributed))
	}
	out = runCLI(t, "campaign", "results", "spring-glow", "--data-dir", dir)
	if !strings.Contains(out, "2 sales") || !strings.Contains(out, "1 sales no campaign claims") {
		t.Errorf("results table:\n%s", out)
	}
	if out := runCLI(t, "campaign", "overlap", "spring-glow", "--data-dir", dir, "--budget", "500"); !strings.Contains(out, "engaged accounts") || !strings.Contains(out, "most unique reach within 500.00") {
		t.Errorf("overlap:\n%s", out)
	}

	// A bad file: the error names the file, row and column; nothing is imported.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("order_id,time,amount,currency,code\nO9,2025-06-03,5.00,USD,X\nO10,2025-06-03,five,USD,X\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs([]string{"campaign", "import", bad, "--data-dir", dir})
	cmd.SetOut(&errOut)
	cmd.SetErr(&errOut)
	err = cmd.ExecuteContext(ctx)
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `row 3, column "amount"`) {
		t.Errorf("bad file: %v", err)
	}
	if err := json.Unmarshal([]byte(runCLI(t, "campaign", "results", "spring-glow", "--data-dir", dir, "--json")), &r); err != nil || r.Total.Sales != 2 {
		t.Errorf("a bad file changed the results: %+v %v", r.Total, err)
	}

	// The outreach exports carry the codes and links.
	crm, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(runCLI(t, "export", "--campaign", "spring-glow", "--format", "crm", "--data-dir", dir), "\uFEFF"))).ReadAll()
	if err != nil || len(crm) != 5 {
		t.Fatalf("export --campaign --format crm: %v %v", crm, err)
	}
	hc, pc, lc := slices.Index(crm[0], "handle"), slices.Index(crm[0], "promo_code"), slices.Index(crm[0], "tracked_link")
	for _, row := range crm[1:] {
		if row[pc] == "" || !strings.Contains(row[lc], "utm_content="+strings.ToLower(row[pc])) || row[hc] == "" {
			t.Errorf("CRM row without its code and link: %v", row)
		}
	}
	if code[keys[0]] != crm[1][pc] && code[keys[0]] != crm[2][pc] && code[keys[0]] != crm[3][pc] && code[keys[0]] != crm[4][pc] {
		t.Errorf("creator %s's code %s is not in the CRM export", keys[0], code[keys[0]])
	}
}
