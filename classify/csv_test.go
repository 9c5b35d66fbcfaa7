package classify

import (
	"strings"
	"testing"
)

func TestReadComments(t *testing.T) {
	in := "\ufeffcomment_id,DATE,Class,AUTHOR,CONTENT,extra\r\n" +
		"z1,2014-01-01T00:00:00,1,Al,\"Check out, my \"\"channel\"\"\",x\r\n" +
		"LZQ,,0,,\"two\nlines\",\r\n" +
		"\r\n" + // blank lines are skipped
		"z3,2015-05-25T07:14:26.531000,1.0,B,plain\ufeff,"
	rows, err := ReadComments(strings.NewReader(in), "v")
	if err != nil {
		t.Fatal(err)
	}
	want := []LabeledComment{
		{Source: "v", Line: 2, Author: "Al", Text: `Check out, my "channel"`, Spam: true},
		{Source: "v", Line: 3, Author: "", Text: "two\nlines", Spam: false},
		{Source: "v", Line: 4, Author: "B", Text: "plain\ufeff", Spam: true},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows: %+v", len(rows), rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}

	// LABEL instead of CLASS, no AUTHOR column.
	rows, err = ReadComments(strings.NewReader("CONTENT,label\nhi,0\n"), "v")
	if err != nil || len(rows) != 1 || rows[0].Spam || rows[0].Author != "" {
		t.Errorf("label alias: %+v, %v", rows, err)
	}

	for name, bad := range map[string]string{
		"empty":          "",
		"no CONTENT":     "AUTHOR,CLASS\na,1\n",
		"no CLASS":       "AUTHOR,CONTENT\na,b\n",
		"class 2":        "CONTENT,CLASS\nx,2\n",
		"class word":     "CONTENT,CLASS\nx,spam\n",
		"short record":   "AUTHOR,CONTENT,CLASS\nx,1\n",
		"long record":    "AUTHOR,CONTENT,CLASS\nx,y,1,z\n",
		"bare quote":     "CONTENT,CLASS\na\"b,1\n",
		"unclosed quote": "CONTENT,CLASS\n\"ab,1\n",
	} {
		if _, err := ReadComments(strings.NewReader(bad), "v"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

const accountHeader = `profile pic,nums/length username,fullname words,nums/length fullname,name==username,description length,external URL,private,#posts,#followers,#follows,fake`

func TestReadAccounts(t *testing.T) {
	in := accountHeader + "\r\n" +
		"1,0.27,0,0,0,53,0,0,32,1000,955,0\r\n" +
		"0.0,0.0,1.0,0.5,1,0.0,1,1.0,0,15338538,7500,1.0" // floats, no final CRLF
	rows, err := ReadAccounts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []LabeledAccount{
		{Line: 2, Profile: Profile{Known: FieldsTrained, HasAvatar: true, HandleDigitsRatio: 0.27, BioLength: 53, Posts: 32, Followers: 1000, Following: 955}},
		{Line: 3, Fake: true, Profile: Profile{Known: FieldsTrained, NameWords: 1, NameDigitsRatio: 0.5, NameIsHandle: true, HasLink: true, Private: true, Followers: 15338538, Following: 7500}},
	}
	if len(rows) != 2 || rows[0] != want[0] || rows[1] != want[1] {
		t.Fatalf("got %+v\nwant %+v", rows, want)
	}

	// Quoted header names, another column order, upper case.
	in = `"FAKE","#follows","#followers","#posts","private","external URL","description length","name==username","nums/length fullname","fullname words","nums/length username","profile pic"` + "\n" +
		"1,7,3,0,0,0,0,0,0,0,0.5,1\n"
	rows, err = ReadAccounts(strings.NewReader(in))
	if err != nil || len(rows) != 1 || !rows[0].Fake || rows[0].Profile.Following != 7 || rows[0].Profile.Followers != 3 || rows[0].Profile.HandleDigitsRatio != 0.5 || !rows[0].Profile.HasAvatar {
		t.Errorf("reordered: %+v, %v", rows, err)
	}

	for name, rec := range map[string]string{
		"flag 2":          "2,0.27,0,0,0,53,0,0,32,1000,955,0",
		"negative count":  "1,0.27,0,0,0,53,0,0,-3,1000,955,0",
		"fractional":      "1,0.27,0,0,0,53,0,0,3.5,1000,955,0",
		"ratio above one": "1,1.5,0,0,0,53,0,0,3,1000,955,0",
		"not a number":    "1,0.27,0,0,0,53,0,0,many,1000,955,0",
		"NaN":             "1,NaN,0,0,0,53,0,0,3,1000,955,0",
		"label 0.5":       "1,0.27,0,0,0,53,0,0,3,1000,955,0.5",
		"short":           "1,0.27,0,0,0,53,0,0,3,1000,955",
	} {
		if _, err := ReadAccounts(strings.NewReader(accountHeader + "\n" + rec + "\n")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ReadAccounts(strings.NewReader(strings.Replace(accountHeader, "#follows", "#following", 1) + "\n")); err == nil {
		t.Error("missing column: no error")
	}
	if _, err := ReadAccounts(strings.NewReader("")); err == nil {
		t.Error("empty: no error")
	}
}

func TestInvalidUTF8(t *testing.T) {
	for _, c := range []struct {
		in          string
		count, line int
	}{
		{"plain\nascii\n", 0, 0},
		{"ok é ü 🎵\n", 0, 0},
		{"a\nb\xff\nc\xc3\n", 2, 2},
		{"\xe2\x82\n", 2, 1}, // a cut 3-byte sequence: each byte counts
		{"", 0, 0},
	} {
		n, l := InvalidUTF8([]byte(c.in))
		if n != c.count || l != c.line {
			t.Errorf("InvalidUTF8(%q) = %d, %d; want %d, %d", c.in, n, l, c.count, c.line)
		}
	}
}

func TestReadCommentsHeaderOnly(t *testing.T) {
	_, err := ReadComments(strings.NewReader("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"), "dir/x.csv")
	if err == nil || !strings.Contains(err.Error(), "dir/x.csv") || !strings.Contains(err.Error(), "no rows") {
		t.Errorf("header only: %v", err)
	}
}
