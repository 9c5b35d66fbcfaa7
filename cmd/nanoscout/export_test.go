package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// seededDir is a data directory with n seeded creators and one shortlist.
func seededDir(t *testing.T, n int) (dir, listID string) {
	t.Helper()
	dir = t.TempDir()
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	us, err := exporttest.Seed(t.Context(), st, n)
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateShortlist(t.Context(), "Spring launch")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddToShortlist(t.Context(), l.ID, us[0].Creator.Key(), us[1].Creator.Key()); err != nil {
		t.Fatal(err)
	}
	return dir, l.ID
}

func cliErr(args ...string) error {
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	return cmd.ExecuteContext(context.Background())
}

func TestExportCommand(t *testing.T) {
	dir, _ := seededDir(t, 20)
	out := runCLI(t, "export", "--data-dir", dir, "--tier", "nano", "--min-er", "5", "-f", "json")
	var docs []export.Doc
	if err := json.Unmarshal([]byte(out), &docs); err != nil || len(docs) == 0 {
		t.Fatalf("export -f json: %v\n%s", err, out)
	}
	for _, d := range docs {
		if d.Score.Tier != "nano" || d.Score.ER < 5 {
			t.Errorf("%s does not match the filter", d.Key)
		}
	}
	file := filepath.Join(t.TempDir(), "contacts.csv")
	runCLI(t, "export", "--data-dir", dir, "--shortlist", "spring launch", "--format", "crm", "-o", file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "first_name" {
		t.Errorf("CRM export of the shortlist: %v\n%s", err, b)
	}
	if out := runCLI(t, "export", "alerts"); !strings.Contains(out, "no alert configured") {
		t.Errorf("export alerts: %s", out)
	}
	if out := runCLI(t, "export", "deliveries", "--data-dir", dir); !strings.Contains(out, "WEBHOOK") {
		t.Errorf("export deliveries: %s", out)
	}
	for _, bad := range [][]string{
		{"export", "--data-dir", dir, "--tier", "giga"},
		{"export", "--data-dir", dir, "-f", "xlsx"},
		{"export", "--data-dir", dir, "--shortlist", "nope"},
		{"export", "--data-dir", dir, "--shortlist", "Spring launch", "--tier", "nano"},
		{"export", "--data-dir", dir, "--webhook", "outreach"},
	} {
		if err := cliErr(bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestPlanCommand(t *testing.T) {
	out := runCLI(t, "plan")
	for _, want := range []string{"450 (270–630)", "$111", "$1,000", "40,000", "10,000", "Assumptions"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	dir, id := seededDir(t, 10)
	var res struct {
		Source   string
		Lines    []json.RawMessage `json:"lines"`
		Creators struct {
			Spend float64 `json:"spend"`
		} `json:"creators"`
	}
	js := runCLI(t, "plan", "--data-dir", dir, "--shortlist", id, "--budget", "150", "--fee-tier", "nano=75,micro=900", "--json")
	if err := json.Unmarshal([]byte(js), &res); err != nil || res.Source != "shortlist Spring launch" || res.Creators.Spend == 0 {
		t.Errorf("plan of a shortlist: %v\n%s", err, js)
	}
	for _, bad := range [][]string{{"plan", "--budget", "0"}, {"plan", "--fee-tier", "giga=5"}, {"plan", "--conv-low", "9", "--conv-high", "1"}} {
		if err := cliErr(bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestServeRefusesPublicAddressWithoutToken(t *testing.T) {
	t.Setenv("NANOSCOUT_TOKEN", "")
	err := cliErr("serve", "--data-dir", t.TempDir(), "--addr", "0.0.0.0:0")
	if err == nil || !strings.Contains(err.Error(), "NANOSCOUT_TOKEN") {
		t.Errorf("serve on 0.0.0.0 without a token: %v", err)
	}
}
