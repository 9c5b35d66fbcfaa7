package filter_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	_ "github.com/nanoscout/nanoscout/collectors/all"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/store"
)

func ptr(f float64) *float64 { return &f }

// full sets every field of the vocabulary.
var full = store.TopQuery{Platform: "bluesky", Tier: "nano", MinFollowers: 1000, MaxFollowers: 9999, MinER: 3.5,
	MinBenchmarkIndex: 1.5, MinAuthenticity: 0.8, MinReply: 0.4, MinAudience: 0.6, MinGrowth: ptr(-2.5), Language: "pt-br", Keyword: "vegan cooking",
	HasContact: true, Hide: store.HideContacted, ProvenConverter: true, SortBy: "growth"}

// TestEveryFieldInEveryForm: each field of TopQuery that filters or sorts
// is in the table, and survives the URL, the config map and the CLI flags.
func TestEveryFieldInEveryForm(t *testing.T) {
	t.Parallel()
	// URL.
	q, err := filter.Parse(filter.Values(full), 50, 200)
	q.Limit = 0
	if err != nil || !reflect.DeepEqual(q, full) {
		t.Errorf("URL round trip: %+v, %v", q, err)
	}
	// Config map (no sort there).
	want := full
	want.SortBy = ""
	q, err = filter.FromMap(filter.ToMap(full))
	if err != nil || !reflect.DeepEqual(q, want) {
		t.Errorf("map round trip: %+v, %v", q, err)
	}
	// CLI flags.
	fs := pflag.NewFlagSet("top", pflag.ContinueOnError)
	fl := filter.AddFlags(fs, "composite")
	var args []string
	for name, vals := range filter.Values(full) {
		args = append(args, "--"+strings.ReplaceAll(name, "_", "-")+"="+vals[0])
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	q, err = fl.Query()
	if err != nil || !reflect.DeepEqual(q, full) || !fl.Changed() {
		t.Errorf("flags: %+v, %v", q, err)
	}
	// Every TopQuery field but paging and status is covered by the table.
	covered := 0
	rt := reflect.TypeOf(store.TopQuery{})
	for i := range rt.NumField() {
		switch rt.Field(i).Name {
		case "Limit", "Offset", "Status", "WithoutBreakdown":
			continue
		}
		covered++
		if reflect.ValueOf(full).Field(i).IsZero() {
			t.Errorf("TopQuery.%s is not set by the vocabulary", rt.Field(i).Name)
		}
	}
	if covered != len(filter.Fields) {
		t.Errorf("%d TopQuery fields, %d in the table", covered, len(filter.Fields))
	}
}

func TestAliasesAndErrors(t *testing.T) {
	t.Parallel()
	v, _ := url.ParseQuery("q=vegan&min_benchmark_index=2&Platform=x")
	if _, err := filter.Parse(v, 10, 10); err == nil || !strings.Contains(err.Error(), `"Platform": unknown parameter`) {
		t.Errorf("unknown: %v", err)
	}
	v, _ = url.ParseQuery("q=vegan&min_benchmark_index=2&platform=Bluesky&tier=NANO")
	q, err := filter.Parse(v, 10, 10)
	if err != nil || q.Keyword != "vegan" || q.MinBenchmarkIndex != 2 || q.Platform != "bluesky" || q.Tier != "nano" {
		t.Errorf("aliases, case: %+v %v", q, err)
	}
	v, _ = url.ParseQuery("q=vegan&keyword=cook")
	if _, err := filter.Parse(v, 10, 10); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("one field twice: %v", err)
	}
	for raw, want := range map[string]string{
		"tier=nanno":      `"nanno" is not one of nano, micro, mid, macro, mega, below`,
		"platform=blusky": `"blusky" is not one of bluesky, instagram, mastodon, tiktok, youtube`,
		"sort=engagement": `"engagement" is not one of composite, er, reply, growth, followers, authenticity`,
		"min_growth=-101": "want a number from -100 to 1000000",
		"min_er=NaN":      "want a number from 0 to 1000",
		"contact=maybe":   "want 1 or 0",
	} {
		v, _ := url.ParseQuery(raw)
		_, err := filter.Parse(v, 10, 10)
		var pe *filter.ParamError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}
