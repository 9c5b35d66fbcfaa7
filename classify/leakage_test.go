package classify_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/data"
)

// In other files of the YouTube Spam Collection the id format, a missing
// trailing U+FEFF and an empty DATE go with the label. The comment model
// must give the same score whatever they are.

func TestInvisibleCharactersDoNotChangeScores(t *testing.T) {
	m := classify.DefaultComments()
	var rows []classify.LabeledComment
	for _, f := range data.CommentFiles() {
		r, err := classify.ReadComments(bytes.NewReader(f.Data), f.Name)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r...)
	}
	variants := []struct {
		name string
		f    func(string) string
	}{
		{"append U+FEFF", func(s string) string { return s + "\ufeff" }},
		{"remove U+FEFF", func(s string) string { return strings.ReplaceAll(s, "\ufeff", "") }},
		{"leading U+FEFF", func(s string) string { return "\ufeff" + s }},
		{"U+FEFF as entity", func(s string) string { return strings.ReplaceAll(s, "\ufeff", "") + "&#65279;" }},
		{"zero-width and bidi marks", func(s string) string { return "\u200b" + s + "\u200e\u202b\u202c\u2060" }},
		{"trailing white space", func(s string) string { return s + " \t" }},
	}
	for _, r := range rows {
		base := m.Spam(r.Author, r.Text)
		for _, v := range variants {
			if got := m.Spam(r.Author, v.f(r.Text)); got != base {
				t.Fatalf("%s line %d: %s changes the score %v → %v", r.Source, r.Line, v.name, base, got)
			}
			if got := m.Spam(v.f(r.Author), r.Text); got != base {
				t.Fatalf("%s line %d: %s in the author changes the score %v → %v", r.Source, r.Line, v.name, base, got)
			}
		}
	}
}

func TestIDAndDateAreNotRead(t *testing.T) {
	m := classify.DefaultComments()
	for _, f := range data.CommentFiles() {
		orig, err := classify.ReadComments(bytes.NewReader(f.Data), f.Name)
		if err != nil {
			t.Fatal(err)
		}
		// Rewrite the file with old-style ids, empty or odd dates.
		recs, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for i, rec := range recs[1:] {
			rec[0] = fmt.Sprintf("LZQPQh%d_old-style-id", i)
			switch i % 3 {
			case 0:
				rec[2] = ""
			case 1:
				rec[2] = "1999-01-01T00:00:00.000001"
			default:
				rec[2] = "not a date"
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		changed, err := classify.ReadComments(&buf, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(changed) != len(orig) {
			t.Fatalf("%s: %d rows after rewriting, want %d", f.Name, len(changed), len(orig))
		}
		for i := range orig {
			if changed[i] != orig[i] {
				t.Fatalf("%s: row %+v became %+v when only COMMENT_ID and DATE changed", f.Name, orig[i], changed[i])
			}
			if a, b := m.Spam(orig[i].Author, orig[i].Text), m.Spam(changed[i].Author, changed[i].Text); a != b {
				t.Fatalf("%s line %d: score %v → %v", f.Name, orig[i].Line, a, b)
			}
		}
	}
}
