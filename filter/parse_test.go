package filter_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/filter"
	"github.com/nanoscout/nanoscout/store"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	v, _ := url.ParseQuery("platform=Bluesky&tier=nano&min_followers=1,000&max_followers=9999&min_er=3.5&min_index=1.5&min_auth=0.8" +
		"&min_reply=0.4&lang=EN&q=vegan+cooking&contact=1&sort=growth&limit=20&offset=40")
	q, err := filter.Parse(v, 50, 200)
	if err != nil {
		t.Fatal(err)
	}
	want := store.TopQuery{Platform: "bluesky", Tier: "nano", MinFollowers: 1000, MaxFollowers: 9999, MinER: 3.5,
		MinBenchmarkIndex: 1.5, MinAuthenticity: 0.8, MinReply: 0.4, Language: "en", Keyword: "vegan cooking",
		HasContact: true, SortBy: "growth", Limit: 20, Offset: 40}
	if q != want {
		t.Errorf("ParseQuery =\n %+v\nwant\n %+v", q, want)
	}
	// QueryValues round-trips the filters.
	back, err := filter.Parse(filter.Values(q), 20, 200)
	if err != nil {
		t.Fatal(err)
	}
	back.Offset = 40
	if back != want {
		t.Errorf("round trip = %+v", back)
	}
	// Defaults.
	q, err = filter.Parse(url.Values{}, 50, 200)
	if err != nil || q != (store.TopQuery{Limit: 50}) {
		t.Errorf("empty query = %+v, %v", q, err)
	}
}

func TestParseQueryRefusesInjection(t *testing.T) {
	t.Parallel()
	cases := []struct{ query, param string }{
		{"platform[$ne]=x", "platform[$ne]"},
		{"$where=sleep(1000)", "$where"},
		{"filter={\"$where\":\"1\"}", "filter"},
		{"platform=$ne", "platform"},
		{"platform=bluesky%27%20OR%201=1--", "platform"},
		{"tier[$gt]=", "tier[$gt]"},
		{"tier=nano%27%3BDROP%20TABLE%20creators%3B--", "tier"},
		{"sort=composite%3BDROP%20TABLE%20creators", "sort"},
		{"sort=json", "sort"},
		{"sort[$natural]=1", "sort[$natural]"},
		{"lang=en%27%20OR%20%271%27=%271", "lang"},
		{"platform=bluesky&platform=mastodon", "platform"},
		{"min_er=NaN", "min_er"},
		{"min_er=-1", "min_er"},
		{"min_er=1e400", "min_er"},
		{"min_auth=2", "min_auth"},
		{"min_followers=-5", "min_followers"},
		{"min_followers=99999999999999999999999", "min_followers"},
		{"min_followers=5000&max_followers=100", "max_followers"},
		{"offset=99999999", "offset"},
		{"limit=-1", "limit"},
		{"contact=maybe", "contact"},
		{"q=" + strings.Repeat("a", 101), "q"},
		{"q=a%00b", "q"},
	}
	for _, c := range cases {
		v, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		_, err = filter.Parse(v, 50, 200)
		var pe *filter.ParamError
		if !errors.As(err, &pe) || pe.Param != c.param {
			t.Errorf("%s: error %v, want a ParamError on %q", c.query, err, c.param)
		}
	}
}

func TestParseQueryCapsLimit(t *testing.T) {
	t.Parallel()
	for _, lim := range []string{"201", "1000000", "9223372036854775807"} {
		q, err := filter.Parse(url.Values{"limit": {lim}}, 50, 200)
		if err != nil || q.Limit != 200 {
			t.Errorf("limit=%s: %d, %v; want capped at 200", lim, q.Limit, err)
		}
	}
	// Keywords stay text: SQL or MongoDB syntax in them is allowed and
	// passed on as a literal keyword.
	for _, kw := range []string{`' OR 1=1 --`, `{"$where": "sleep(100)"}`, `.*`, `"); DROP TABLE creators; --`} {
		q, err := filter.Parse(url.Values{"q": {kw}}, 50, 200)
		if err != nil || q.Keyword != kw {
			t.Errorf("q=%s: %+v, %v", kw, q, err)
		}
	}
	if _, err := filter.Parse(url.Values{"page": {"2"}}, 50, 200, "page"); err != nil {
		t.Errorf("an extra parameter the caller allows: %v", err)
	}
}

func TestFilterQueryAndDescribe(t *testing.T) {
	t.Parallel()
	q, err := (config.Filter{Tier: "nano", MinBenchmarkIndex: 1.5, MinAuthenticity: 0.8, MaxFollowers: 9999}).CheckedQuery()
	if err != nil {
		t.Fatal(err)
	}
	if got := filter.Describe(q); got != "nano · followers ≤ 9999 · ER index ≥ 1.5 · authenticity ≥ 0.8" {
		t.Errorf("Describe = %q", got)
	}
	if _, err := (config.Filter{Tier: "giga"}).CheckedQuery(); err == nil {
		t.Error("unknown tier accepted")
	}
}
