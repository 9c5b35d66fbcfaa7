package eval

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/data"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A small generic file: every column present.
const fullGeneric = `username,display_name,bio,followers,following,posts,has_avatar,private,external_url,created_at,observed_at,label
jess.bakes,Jess Miller,Baker in Leeds. Cakes and bread.,2400,520,310,1,0,https://jess.example,2019-01-01,2024-01-01,real
tom_runs,Tom,runner,800,300,0,1,0,,2020-03-01,2024-01-01,inactive
anna.k,Anna K,photos,950,400,150,true,false,,2018-05-05,2024-01-01,genuine
jess84729163,,,12,2900,0,0,0,,2023-12-01,2024-01-01,fake
user55501937,user55501937,,3,1500,0,no,no,,2023-11-11,2024-01-01,bot
`

func TestAccountsGenericCSV(t *testing.T) {
	dir := t.TempDir()
	full := write(t, dir, "full.csv", fullGeneric)
	var out bytes.Buffer
	if err := Accounts(&out, []string{full}, AccountOptions{}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"BAL ACC", "SPEC", "MCC", "PREC", "RECALL", full, "generic format",
		"fields known: followers,following,posts,avatar,bio,username,display_name,private,link,age",
		"1 of 1 rows labelled inactive called inactive"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// The figures, through JSON: 2 fakes caught, 3 real/inactive kept.
	out.Reset()
	if err := Accounts(&out, []string{full}, AccountOptions{JSON: true}); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Files []AccountFile `json:"files"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	m := res.Files[0].Eval.Metrics
	if m.TP != 2 || m.TN != 3 || m.FP != 0 || m.FN != 0 || m.BalancedAccuracy != 1 || m.Specificity != 1 || m.MCC != 1 {
		t.Errorf("metrics %+v", m)
	}
}

// TestAccountsColumnsAbsent: every feature column may be absent; absent
// columns are unknown, so the fields reported known shrink and the file is
// still scored (never read as zero or empty).
func TestAccountsColumnsAbsent(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct {
		csv    string
		fields string
	}{
		"counts only": {"followers,following,posts,label\n2400,520,310,real\n12,2900,0,fake\n", "followers,following,posts"},
		"no bio, no name (the held-out source)": {"username,followers,following,posts,has_avatar,private,label\njess.bakes,2400,520,310,1,0,0\njess84729163,12,2900,0,0,0,1\n",
			"followers,following,posts,avatar,username,private"},
		"label only":    {"label\nreal\nfake\n", "none"},
		"aliases":       {"screen_name,followers_count,friends_count,statuses_count,description,class\njess,2400,520,310,hi there,human\nx99999,1,2000,0,,spam\n", "followers,following,posts,bio,username"},
		"unknown cells": {"followers,following,posts,has_avatar,label\n2400,,310,NA,real\n12,2900,?,0,fake\n", "followers,following,posts,avatar"},
	} {
		p := write(t, dir, strings.ReplaceAll(name, " ", "_")+".csv", c.csv)
		var out bytes.Buffer
		if err := Accounts(&out, []string{p}, AccountOptions{JSON: true}); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var res struct {
			Files []AccountFile `json:"files"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		if got := res.Files[0].Fields; got != c.fields {
			t.Errorf("%s: fields known %q, want %q", name, got, c.fields)
		}
		if res.Files[0].Eval.Metrics.N() != 2 {
			t.Errorf("%s: %d rows scored", name, res.Files[0].Eval.Metrics.N())
		}
	}
	// A row with a cell left unknown is scored by the submodel of what it
	// shows: the same as a file without that column.
	a := write(t, dir, "a.csv", "followers,following,posts,has_avatar,label\n2400,,310,NA,real\n")
	b := write(t, dir, "b.csv", "followers,posts,label\n2400,310,real\n")
	fa, _ := classify.ReadAccountFile(strings.NewReader(mustRead(t, a)), a, time.Time{})
	fb, _ := classify.ReadAccountFile(strings.NewReader(mustRead(t, b)), b, time.Time{})
	m := classify.DefaultAccounts()
	if pa, pb := m.PFake(fa.Rows[0].Profile), m.PFake(fb.Rows[0].Profile); pa != pb {
		t.Errorf("unknown cells %v vs absent columns %v", pa, pb)
	}
}

func mustRead(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAccountsInstagramFormatAndHide(t *testing.T) {
	f := data.AccountFiles()[0]
	p := write(t, t.TempDir(), "train.csv", string(f.Data))
	var out bytes.Buffer
	if err := Accounts(&out, []string{p}, AccountOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "instagram format") || !strings.Contains(s, "train.csv *") || !strings.Contains(s, "resubstitution") {
		t.Errorf("training file not flagged:\n%s", s)
	}
	out.Reset()
	if err := Accounts(&out, []string{p}, AccountOptions{Hide: classify.FieldBio | classify.FieldDisplayName}); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "Hidden (treated as unknown) in every row: bio,display_name") ||
		!strings.Contains(s, "fields known: followers,following,posts,avatar,username,private,link;") {
		t.Errorf("--hide not applied:\n%s", s)
	}
}

func TestAccountsErrors(t *testing.T) {
	dir := t.TempDir()
	rel := func(p string) string {
		r, err := filepath.Rel(".", p)
		if err != nil {
			return p
		}
		return r
	}
	for name, c := range map[string]struct{ csv, want string }{
		"header only":  {"followers,label\n", "a header and no rows"},
		"no label":     {"followers,following\n1,2\n", "no label column"},
		"bad label":    {"followers,label\n1,maybe\n", `unknown label "maybe"`},
		"bad count":    {"followers,label\n-4,real\n", "column followers"},
		"bad flag":     {"has_avatar,label\n2,real\n", "column has_avatar"},
		"bad time":     {"created_at,label\nyesterday,real\n", "column created_at"},
		"short record": {"followers,label\n1\n", "record 2"},
		"empty":        {"", "empty file"},
		"insta header": {"profile pic,nums/length username,fullname words,nums/length fullname,name==username,description length,external URL,private,#posts,#followers,#follows,fake\r\n", "a header and no rows"},
	} {
		p := rel(write(t, dir, strings.ReplaceAll(name, " ", "_")+".csv", c.csv))
		err := Accounts(&bytes.Buffer{}, []string{p}, AccountOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), p+":") {
			t.Errorf("%s: error %v, want one starting with the path %q and naming %q", name, err, p, c.want)
		}
	}
	missing := filepath.Join(dir, "nope.csv")
	if err := Accounts(&bytes.Buffer{}, []string{missing}, AccountOptions{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	if err := Accounts(&bytes.Buffer{}, nil, AccountOptions{}); err == nil {
		t.Error("no files, no --cv: no error")
	}
	// Cross-validation trains, so it needs every trained field.
	p := write(t, dir, "counts.csv", "followers,following,posts,label\n1,2,3,real\n4,5,6,fake\n")
	if err := Accounts(&bytes.Buffer{}, []string{p}, AccountOptions{CV: true, Folds: 2}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("--cv on a file without every field: %v", err)
	}
}

func TestCommentsFileChecks(t *testing.T) {
	dir := t.TempDir()
	const header = "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"
	// Bytes that are not UTF-8 on lines 3 and 4: reported with count and
	// first line, and the rows are still scored.
	bad := write(t, dir, "bad.csv", header+
		"a,Ann,,great song,0\n"+
		"b,Bob,,check out my channel \xff\xfe http://x.example.com,1\n"+
		"c,Cy,,nice \xc3,0\n")
	var out bytes.Buffer
	if err := Comments(&out, []string{bad}, CommentOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "warning: "+bad+": 3 byte(s) that are not UTF-8, the first on line 3") {
		t.Errorf("non-UTF-8 bytes not reported:\n%s", s)
	}
	out.Reset()
	if err := Comments(&out, []string{bad}, CommentOptions{JSON: true}); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Files []CommentFile `json:"files"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if r := res.Files[0]; r.BadUTF8 == nil || r.BadUTF8.Bytes != 3 || r.BadUTF8.FirstLine != 3 || r.Metrics.N() != 3 {
		t.Errorf("JSON: %+v", r)
	}
	// Clean file: no warning.
	good := write(t, dir, "good.csv", header+"a,Ann,,great song,0\nb,Bob,,subscribe to my channel,1\n")
	out.Reset()
	if err := Comments(&out, []string{good}, CommentOptions{ShowErrors: 5}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("warning on a clean file:\n%s", out.String())
	}
	// A header and no rows is an error naming the path as given.
	empty := write(t, dir, "header-only.csv", header)
	if err := Comments(&out, []string{empty}, CommentOptions{}); err == nil || !strings.Contains(err.Error(), empty) || !strings.Contains(err.Error(), "no rows") {
		t.Errorf("header-only file: %v", err)
	}
	badLabel := write(t, dir, "label.csv", header+"a,Ann,,x,7\n")
	if err := Comments(&out, []string{badLabel}, CommentOptions{}); err == nil || !strings.Contains(err.Error(), badLabel) {
		t.Errorf("bad label: %v", err)
	}
	if err := Comments(&out, []string{filepath.Join(dir, "missing.csv")}, CommentOptions{}); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	// Cross-validation over given files uses the file names as videos.
	a := write(t, dir, "v1.csv", header+"a,A,,subscribe to my channel please,1\nb,B,,love this song,0\nc,C,,check out my video,1\nd,D,,so good,0\n")
	b := write(t, dir, "v2.csv", header+"a,A,,subscribe to me please,1\nb,B,,love it,0\nc,C,,check my channel,1\nd,D,,great,0\n")
	out.Reset()
	if err := Comments(&out, []string{a, b}, CommentOptions{CV: true}); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "v1 ") || !strings.Contains(s, "v2 ") {
		t.Errorf("CV over files:\n%s", s)
	}
}
