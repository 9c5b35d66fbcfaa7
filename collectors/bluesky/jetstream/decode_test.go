package jetstream

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// stdWire decodes msg with encoding/json into tagged mirrors of the wire
// types, as Parse did before decodeWire: the oracle decodeWire must agree
// with.
func stdWire(msg []byte) (wireEvent, error) {
	type sref struct {
		URI string `json:"uri"`
	}
	var w struct {
		DID    string `json:"did"`
		TimeUS int64  `json:"time_us"`
		Kind   string `json:"kind"`
		Commit *struct {
			Operation  string `json:"operation"`
			Collection string `json:"collection"`
			RKey       string `json:"rkey"`
			CID        string `json:"cid"`
			Record     *struct {
				CreatedAt string          `json:"createdAt"`
				Text      string          `json:"text"`
				Langs     []string        `json:"langs"`
				Tags      []string        `json:"tags"`
				Subject   json.RawMessage `json:"subject"`
				Reply     *struct {
					Root   sref `json:"root"`
					Parent sref `json:"parent"`
				} `json:"reply"`
				Embed *struct {
					Record *struct {
						URI    string `json:"uri"`
						Record *sref  `json:"record"`
					} `json:"record"`
				} `json:"embed"`
				Facets []struct {
					Features []struct {
						Type string `json:"$type"`
						Tag  string `json:"tag"`
					} `json:"features"`
				} `json:"facets"`
			} `json:"record"`
		} `json:"commit"`
		Identity *wireIdentity `json:"identity"`
		Account  *wireAccount  `json:"account"`
	}
	if err := json.Unmarshal(msg, &w); err != nil {
		return wireEvent{}, err
	}
	out := wireEvent{DID: w.DID, TimeUS: w.TimeUS, Kind: w.Kind, Identity: w.Identity, Account: w.Account}
	if c := w.Commit; c != nil {
		out.Commit = &wireCommit{Operation: c.Operation, Collection: c.Collection, RKey: c.RKey, CID: c.CID}
		if r := c.Record; r != nil {
			wr := &wireRecord{CreatedAt: r.CreatedAt, Text: r.Text, Langs: r.Langs, Tags: r.Tags}
			if r.Subject != nil {
				wr.Subject.Present = true
				var rf sref
				var s string
				switch {
				case r.Subject[0] == '{' && json.Unmarshal(r.Subject, &rf) == nil:
					wr.Subject.IsRef, wr.Subject.Ref = true, ref(rf)
				case json.Unmarshal(r.Subject, &s) == nil && r.Subject[0] == '"':
					wr.Subject.IsString, wr.Subject.String = true, s
				default:
					wr.Subject.Raw = string(r.Subject)
				}
			}
			if r.Reply != nil {
				wr.Reply = &wireReply{Root: ref{URI: r.Reply.Root.URI}, Parent: ref{URI: r.Reply.Parent.URI}}
			}
			if e := r.Embed; e != nil {
				wr.Embed = &wireEmbed{}
				if e.Record != nil {
					wr.Embed.Record = &wireEmbedRecord{URI: e.Record.URI}
					if e.Record.Record != nil {
						wr.Embed.Record.Record = &ref{URI: e.Record.Record.URI}
					}
				}
			}
			if r.Facets != nil {
				wr.Facets = make([]wireFacet, len(r.Facets))
			}
			for i, f := range r.Facets {
				if f.Features != nil {
					wr.Facets[i].Features = make([]wireFeature, len(f.Features))
				}
				for j, ft := range f.Features {
					wr.Facets[i].Features[j] = wireFeature{Type: ft.Type, Tag: ft.Tag}
				}
			}
			out.Commit.Record = wr
		}
	}
	return out, nil
}

// decodeSeeds are real-shaped events and their edge cases: nulls, wrong
// types, duplicate names, unknown nested values, trailing data, escapes.
func decodeSeeds(t testing.TB) [][]byte {
	t.Helper()
	seeds := [][]byte{
		[]byte(`{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.like","rkey":"3k","record":{"$type":"app.bsky.feed.like","createdAt":"2026-01-01T00:00:00Z","subject":{"cid":"b","uri":"at://did:plc:b/app.bsky.feed.post/1"}},"cid":"c"}}`),
		[]byte(`{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.graph.follow","rkey":"3k","record":{"subject":"did:plc:b","extra":[1,{"x":null}]}}}`),
		[]byte(`{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"3k","record":{"text":"hi \u00e9 \ud83d\ude00 \"q\"","langs":["en",null],"tags":null,"reply":{"root":{"uri":"at://x/app.bsky.feed.post/1"},"parent":null},"embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"record":{"uri":"at://did:plc:q/app.bsky.feed.post/9"}},"media":{"images":[{"alt":""}]}},"facets":[null,{"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"Art"},null]}]}}}`),
		[]byte(`{"did":"did:plc:a","time_us":2,"kind":"identity","identity":{"did":"did:plc:a","handle":"a.bsky.social","seq":5,"time":"2026-01-01T00:00:00Z"}}`),
		[]byte(`{"did":"did:plc:a","time_us":2,"kind":"account","account":{"active":false,"did":"did:plc:a","status":"deactivated","time":"t"}}`),
		[]byte(`{"did":"did:plc:a","time_us":2,"kind":"account","account":{"active":null}}`),
		[]byte(`{"did":"did:plc:a","did":"did:plc:b","time_us":3,"time_us":4}`),
		[]byte(`{"did":"did:plc:a","time_us":3,"commit":{"rkey":"a"},"commit":null}`),
		[]byte(`{"did":"did:plc:a","time_us":3,"commit":{"record":{"subject":null}}}`),
		[]byte(`{"did":"did:plc:a","time_us":3,"commit":{"record":{"subject":5}}}`),
		[]byte(`{"did":"did:plc:a","time_us":3,"commit":{"record":{"subject":["x"]}}}`),
		[]byte(`{"did":"did:plc:a","time_us":3,"commit":{"record":{"reply":{"root":{"uri":"a"},"root":{"cid":"x"}}}}}`),
		[]byte(`{"did":"did:plc:a","time_us":"3"}`),
		[]byte(`{"did":"did:plc:a","time_us":3.5}`),
		[]byte(`{"did":"did:plc:a","time_us":99999999999999999999}`),
		[]byte(`{"did":5}`),
		[]byte(`{"did":"did:plc:a","commit":[]}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"langs":"en"}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"facets":{}}}}`),
		[]byte(`{"did":"did:plc:a"} {"did":"did:plc:b"}`),
		[]byte(`{"did":"did:plc:a"}  ` + "\n"),
		[]byte(`{"did":"did:plc:a",}`),
		[]byte(`{"did":"did:plc:a"`),
		[]byte(`null`),
		[]byte(`[]`),
		[]byte(``),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"text":"bad ` + "\xff\xfe" + ` utf8"}}}`),
		[]byte(`{"did":"did:plc:a","kind":"com\u006dit","commit":{"operation":"cre\u0061te","record":{"text":"a\nb \"q\" \u00e9 \/ \\ \t \ud83d\ude00","langs":["e\u006e"]}}}`),
		[]byte(`{"\u0064id":"did:plc:a","time_\u0075s":5,"commit":{"record":{"t\u0065xt":"x"}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"subject":{"uri":5}}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"subject":{"cid":"x","uri":"at://a/b/c","uri":null}}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"langs":["a","b","c"],"langs":[null,"x"],"langs":[null,null,null]}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"langs":["a"],"langs":[]}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"langs":[],"tags":[]}}}`),
		[]byte(`{"commit":{"record":{"facets":[]}}}`),
		[]byte(`{"commit":{"record":{"facets":[{"features":[]},{"features":null}]}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"facets":[{"features":[{"tag":"a"},{"tag":"b"}]}],"facets":[{"features":[{"$type":"t"}]},null]}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"embed":{"record":{"uri":"u"}},"embed":{"record":{"record":{"uri":"v"}}}}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"reply":{"root":[]}}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"text":"` + "\xed\xa0\x80 \xc3 \xf0\x9f\x98" + `"}}}`),
		[]byte(`{"did":"did:plc:a","skipped":NaN}`),
		[]byte(`{"did":"did:plc:a","skipped":+1}`),
		[]byte(`{"did":"did:plc:a","skipped":Infinity}`),
		[]byte(`{"did":"did:plc:a","skipped":"\u00"}`),
		[]byte(`{"did":"did:plc:a","sk` + "\x01" + `pped":1}`),
		[]byte(`{"did":"did:plc:a","time_us":-9223372036854775808}`),
		[]byte(`{"did":"did:plc:a","time_us":9223372036854775808}`),
		[]byte(`{"did":"did:plc:a","time_us":1234567890123456789}`),
		[]byte(`5`),
		[]byte(`"did"`),
		[]byte("\xef\xbb\xbf{}"),
		[]byte(`{"did":"did:plc:a","account":{"active":true},"account":{"did":"x"}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"text":"\x"}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"text":"\u12"}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"text":"\u12G4"}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"text":"tab` + "\t" + `inside"}}}`),
		[]byte(`{"did":"did:plc:a","commit":{"record":{"text":"unterminated}}}`),
		[]byte(`{"did":"did:plc:a","skipped":"\q"}`),
		[]byte(`{"did":"did:plc:a","skipped":[1,-0,0.5,1e5,-1.5E-3,{"a":[true,false,null]}]}`),
		[]byte(`{"did":"did:plc:a","skipped":01}`),
		[]byte(`{"did":"did:plc:a","skipped":1.}`),
		[]byte(`{"did":"did:plc:a","skipped":-}`),
		[]byte(`{"did":"did:plc:a","skipped":tru}`),
		[]byte(`{"did":"did:plc:a","skipped":[1,]}`),
		[]byte(`{"did":"did:plc:a","skipped":{"a" 1}}`),
		[]byte(`{"did":"did:plc:a","time_us":-0}`),
		[]byte(`{"did":"did:plc:a","time_us":1e3}`),
		[]byte(`{"did":"did:plc:a","account":{"active":"yes"}}`),
		[]byte(`{"did":"did:plc:a","account":{"active":true,"active":false}}`),
		[]byte(`{"did":"did:plc:a","did":`),
		[]byte(` {"did":"did:plc:a"} x`),
	}
	return append(seeds, fixtureLines(t)...)
}

func TestDecodeWireMatchesEncodingJSON(t *testing.T) {
	for _, msg := range decodeSeeds(t) {
		checkDecode(t, msg)
	}
}

// checkDecode fails when decodeWire and encoding/json disagree on msg:
// one accepts it and the other does not, or they read different values.
// A subject that is neither a strong ref nor a string is kept only for
// the error message, as fastjson writes it back (whitespace dropped):
// there only its JSON type must agree.
func checkDecode(t *testing.T, msg []byte) {
	t.Helper()
	want, werr := stdWire(msg)
	var got wireEvent
	gerr := decodeWire(msg, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: decodeWire error %v, encoding/json error %v", msg, gerr, werr)
	}
	if werr != nil {
		return
	}
	if got.Commit != nil && got.Commit.Record != nil && want.Commit != nil && want.Commit.Record != nil {
		g, w := &got.Commit.Record.Subject, &want.Commit.Record.Subject
		if jsonType(g.Raw) != jsonType(w.Raw) {
			t.Fatalf("%q: subject %s, encoding/json %s", msg, g.Raw, w.Raw)
		}
		g.Raw, w.Raw = "", ""
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n decodeWire    %s\n encoding/json %s", msg, dump(got), dump(want))
	}
}

// jsonType is the first byte of a JSON value: its type.
func jsonType(raw string) byte {
	raw = strings.TrimLeft(raw, " \t\r\n")
	if raw == "" {
		return 0
	}
	return raw[0]
}

func dump(w wireEvent) string {
	b, _ := json.Marshal(w)
	return string(b)
}

// TestDecodeWireDifferences pins the documented differences from
// encoding/json (decodeWire's doc comment), none of which a Jetstream
// message shows.
func TestDecodeWireDifferences(t *testing.T) {
	var w wireEvent
	// Names match exactly: encoding/json would read "DID" into did.
	if err := decodeWire([]byte(`{"DID":"did:plc:a","did":null}`), &w); err != nil || w.DID != "" {
		t.Errorf("case variant name: DID %q, error %v; want it ignored", w.DID, err)
	}
	// A lone surrogate escape stays as written (encoding/json: U+FFFD).
	w = wireEvent{}
	if err := decodeWire([]byte(`{"did":"a\ud800b"}`), &w); err != nil || w.DID != `a\ud800b` {
		t.Errorf("lone surrogate: DID %q, error %v; want it as written", w.DID, err)
	}
	// Nesting deeper than fastjson.MaxDepth is an error (encoding/json
	// allows 10,000 levels).
	deep := `{"did":"did:plc:a","skipped":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`
	if _, err := stdWire([]byte(deep)); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	if err := decodeWire([]byte(deep), &w); err == nil {
		t.Errorf("301 levels: no error")
	}
}

// FuzzDecodeWire checks decodeWire against encoding/json on arbitrary
// input, except for the documented differences (names matched
// case-insensitively, lone surrogate escapes, nesting over 300 levels).
func FuzzDecodeWire(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if hasCaseVariantName(msg) || hasSurrogateEscape(msg) || strings.Count(string(msg), "[")+strings.Count(string(msg), "{") > 250 {
			t.Skip()
		}
		checkDecode(t, msg)
	})
}

// wireNames are the names decodeWire reads.
var wireNames = []string{"did", "time_us", "kind", "commit", "identity", "account", "operation", "collection",
	"rkey", "cid", "record", "$type", "createdAt", "text", "langs", "tags", "subject", "reply", "root", "parent",
	"embed", "uri", "facets", "features", "tag", "handle", "time", "active", "status"}

// hasCaseVariantName reports whether msg (valid JSON) has a string, name
// or value, that is one of wireNames in another case (encoding/json would
// match such a name). Tokens, not a decoded map: a map keeps only the last
// of duplicate names.
func hasCaseVariantName(msg []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(msg))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if k, ok := tok.(string); ok {
			for _, n := range wireNames {
				if k != n && strings.EqualFold(k, n) {
					return true
				}
			}
		}
	}
}

// hasSurrogateEscape reports whether msg may escape a UTF-16 surrogate
// (\uD800–\uDFFF).
func hasSurrogateEscape(msg []byte) bool {
	low := strings.ToLower(string(msg))
	for i := strings.Index(low, `\ud`); i >= 0; i = strings.Index(low, `\ud`) {
		if i+3 < len(low) && strings.IndexByte("89abcdef", low[i+3]) >= 0 {
			return true
		}
		low = low[i+3:]
	}
	return false
}

// BenchmarkParse decodes the fixture events (real Jetstream messages, with
// embeds and facets) and generated like/post events.
func BenchmarkParse(b *testing.B) {
	lines := [][]byte{
		[]byte(`{"did":"did:plc:fan0012345","time_us":1762000000000000,"kind":"commit","commit":{"rev":"3k0000000123","operation":"create","collection":"app.bsky.feed.like","rkey":"3k0000000123","record":{"$type":"app.bsky.feed.like","createdAt":"2026-11-01T00:00:00.123Z","subject":{"cid":"bafy","uri":"at://did:plc:creator000123/app.bsky.feed.post/3k0000000100"}},"cid":"bafy3k0000000123"}}`),
	}
	lines = append(lines, fixtureLines(b)...)
	b.ResetTimer()
	for i := range b.N {
		if _, err := Parse(lines[i%len(lines)], 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeWire compares decodeWire with encoding/json on the same
// messages (the fixture events and a generated like).
func BenchmarkDecodeWire(b *testing.B) {
	lines := append(fixtureLines(b), []byte(`{"did":"did:plc:fan0012345","time_us":1762000000000000,"kind":"commit","commit":{"rev":"3k0000000123","operation":"create","collection":"app.bsky.feed.like","rkey":"3k0000000123","record":{"$type":"app.bsky.feed.like","createdAt":"2026-11-01T00:00:00.123Z","subject":{"cid":"bafy","uri":"at://did:plc:creator000123/app.bsky.feed.post/3k0000000100"}},"cid":"bafy3k0000000123"}}`))
	b.Run("fastjson", func(b *testing.B) {
		for i := range b.N {
			var w wireEvent
			if err := decodeWire(lines[i%len(lines)], &w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for i := range b.N {
			if _, err := stdWire(lines[i%len(lines)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
