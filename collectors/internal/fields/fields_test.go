package fields

import (
	"errors"
	"testing"

	"github.com/nanoscout/nanoscout/collectors"
)

func TestCount(t *testing.T) {
	o, err := Parse([]byte(`{"a": 12, "b": 0, "c": "12", "d": null, "e": -1, "f": 1.5, "g": 3e3, "h": 1e300, "followers_count": 7, "x": {"y": 1}}`), "GET /x", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key       string
		want      int64
		wantField string // "" = no error
		alt       string
	}{
		{"a", 12, "", ""},
		{"b", 0, "", ""}, // a reported 0 is a count
		{"c", 0, "c", ""},
		{"d", 0, "d", ""},
		{"e", 0, "e", ""},
		{"f", 0, "f", ""},
		{"g", 3000, "", ""},
		{"h", 0, "h", ""},
		{"followersCount", 0, "followersCount", "followers_count"},
		{"missing", 0, "missing", ""},
	} {
		n, err := o.Count(tc.key)
		var d *collectors.DriftError
		switch {
		case tc.wantField == "" && (err != nil || n != tc.want):
			t.Errorf("Count(%q) = %d, %v; want %d", tc.key, n, err, tc.want)
		case tc.wantField != "" && (!errors.As(err, &d) || d.Field != tc.wantField || d.Alt != tc.alt || !errors.Is(err, collectors.ErrMalformed)):
			t.Errorf("Count(%q) error = %v; want a DriftError naming %q (alt %q)", tc.key, err, tc.wantField, tc.alt)
		}
	}
	x, err := o.Object("x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Count("z"); err == nil || err.Error() != `GET /x: x.z is missing (the response format changed)` {
		t.Errorf("nested error = %v", err)
	}
}

func TestOptionalCount(t *testing.T) {
	o, _ := Parse([]byte(`{"quotes_count": null, "quoteCount_": 1}`), "w", "p")
	if n, err := o.OptionalCount("quotes_count"); n != nil || err != nil {
		t.Errorf("null: %v, %v; want hidden", n, err)
	}
	if n, err := o.OptionalCount("reblogs"); n != nil || err != nil {
		t.Errorf("absent: %v, %v; want hidden", n, err)
	}
	if _, err := o.OptionalCount("quoteCount"); err == nil {
		t.Error("absent with a renamed twin: no error")
	}
	if _, err := Parse([]byte(`[1]`), "w", "p"); err == nil {
		t.Error("an array parsed as an object")
	}
}
