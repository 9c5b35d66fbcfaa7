package mastodon

import (
	"slices"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	docs := decode[map[string]any](t, "status_docs_example")
	reply := decode[map[string]any](t, "statuses_context")["descendants"].([]any)[0].(map[string]any)
	tagged := decode[[]map[string]any](t, "timelines_tag")[0]
	for _, tc := range []struct{ name, in, want string }{
		{"docs example: entities, invisible URL parts",
			docs["content"].(string),
			"\"I lost my inheritance with one wrong digit on my sort code\"\n\nhttps://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"},
		{"mention", reply["content"].(string), "@mastodonpy_test_2 same!"},
		{"hashtag link", tagged["content"].(string), "Toot number 29! #" + fixtureTag},
		{"plain", "<p>I walk funny</p>", "I walk funny"},
		{"paragraphs and breaks", "<p>one<br>two<br />three</p><p>four</p>", "one\ntwo\nthree\n\nfour"},
		{"entities", "<p>&lt;3 &amp; &#39;quotes&#39; &quot;x&quot; caf&eacute;</p>", "<3 & 'quotes' \"x\" café"},
		{"literal angle", "a < b and c > d", "a < b and c > d"},
		{"attribute with >", `<a href="x" title="a>b">link</a> text`, "link text"},
		{"list", "<ul><li>a</li><li>b</li></ul><p>c</p>", "a\nb\n\nc"},
		{"comment", "x<!-- hidden -->y", "xy"},
		{"empty", "", ""},
		{"plain field value", "toasty.", "toasty."},
	} {
		if got := HTMLToText(tc.in); got != tc.want {
			t.Errorf("%s: HTMLToText(%q) =\n%q\nwant\n%q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestHrefs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`<a href="https://a.example/?x=1&amp;y=2" rel="me">a</a> <A HREF='https://b.example'>b</A>`, []string{"https://a.example/?x=1&y=2", "https://b.example"}},
		{`<a href="https://a.example">1</a><a href="https://a.example">2</a>`, []string{"https://a.example"}},
		{`<a class="mention">no href</a> <span href="x">not a link</span>`, nil},
		{"no links", nil},
	} {
		if got := hrefs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("hrefs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
