package classify

import "testing"

func TestNormalizeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hello World\ufeff", "hello world"},
		{"it&#39;s &quot;great&quot; &amp; &lt;3", `it's "great" & <3`},
		{"line one<br />line two<br/><BR>three", "line one line two three"},
		{`see <a href="https://youtu.be/x">here</a> now`, "see here now"},
		{"a<b and <3 and i <3 u", "a<b and <3 and i <3 u"},
		{"zero\u200bwidth \u200eltr\u202b\u202c emoji\u2764\ufe0f soft\u00adhyphen", "zerowidth ltr emoji\u2764 softhyphen"},
		{"  lots\t\tof \n space\u00a0here  ", "lots of space here"},
		{"loooooove it!!!!!!", "looove it!!!"},
		{"ÉCOUTE ÇA", "écoute ça"},
		{"visit http://www.example.com/page?x=1 now", "visit <url> now"},
		{"Check out this video on YouTube:http://youtu.be/abc", "check out this video on youtube:<video>"},
		{"PSY - GANGNAM STYLE M/V: http://youtu.be/9bZkp7q19f0", "psy - gangnam style m/v: <video>"},
		{`<a href="http://www.youtube.com/watch?v=KQ6zr6kCPj8&amp;t=2m19s">2:19</a> best part`, "2:19 best part"},
		{"my channel youtube.com/user/promokid", "my channel <url>"},
		{"go to www.site.net, or murdev.com and on.mtv.com/Ut15kX.", "go to <url> or <url> and <url>"},
		{"1.000.000 views... lol.ok", "1.000.000 views... lol.ok"},
		{"&#65279;hidden&#8203;entity", "hiddenentity"},
		{"", ""},
		{"\ufeff\u200b", ""},
	} {
		if got := NormalizeText(c.in); got != c.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestExtractHosts(t *testing.T) {
	sc := &scratch{}
	extract(sc, "", "x http://www.on.mtv.com/abc")
	want := map[uint32]bool{
		bucket(hashString(hashStart(kindHost), "on.mtv.com")): true,
		bucket(hashString(hashStart(kindHost), "mtv.com")):    true,
	}
	for _, b := range sc.text {
		delete(want, b)
	}
	if len(want) != 0 {
		t.Errorf("host features missing: %v", want)
	}
	hasMeta := func(b uint32) bool {
		for _, m := range sc.meta {
			if m == b {
				return true
			}
		}
		return false
	}
	if !hasMeta(metaURL) || hasMeta(metaURLs2) || !hasMeta(metaANone) {
		t.Errorf("meta features %v", sc.meta)
	}
}

func TestExtractDeterministicAndBounded(t *testing.T) {
	long := make([]rune, 3*maxRunes)
	for i := range long {
		long[i] = 'a' + rune(i%26)
	}
	sc := &scratch{}
	extract(sc, "Author 1", string(long))
	n, nc := len(sc.text), len(sc.chars)
	first := append(append([]uint32(nil), sc.text...), sc.chars...)
	extract(sc, "Author 1", string(long))
	if len(sc.text) != n || len(sc.chars) != nc {
		t.Fatal("extract is not deterministic")
	}
	for i, b := range append(append([]uint32(nil), sc.text...), sc.chars...) {
		if first[i] != b {
			t.Fatal("extract is not deterministic")
		}
	}
	// maxRunes runes plus two boundary spaces: one word and (L−2)+(L−3)+(L−4)
	// character n-grams.
	if n != 1 {
		t.Errorf("%d word features for a %d-rune word, want 1", n, maxRunes)
	}
	if want := 3*(maxRunes+2) - 9; nc != want {
		t.Errorf("%d character n-grams for a %d-rune word, want %d", nc, maxRunes, want)
	}
}

func TestNormalizeObfuscation(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// NFKC: full-width and mathematical letters are plain letters.
		{"ｈｔｔｐ://ｗｗｗ.ｅｂａｙ.ｃｏｍ", "<url>"},
		{"ｗｗｗ．ｅｂａｙ．ｃｏｍ now", "<url> now"},
		{"𝐟𝐫𝐞𝐞 𝐦𝐨𝐧𝐞𝐲", "free money"},
		{"ﬁnally", "finally"},
		// Look-alike Cyrillic letters inside Latin words; whole Cyrillic words stay.
		{"frее mоnеy сlick", "free money click"},
		{"привет всем", "привет всем"},
		// Backslash for slash.
		{`bit.ly\xyz`, "<url>"},
		{`go to bit.ly\abc now`, "go to <url> now"},
		// Spaced and spelled-out dots.
		{"www . site . com", "<url>"},
		{"visit www. mysite. net/page please", "visit <url> please"},
		{"tv.  mtvema. com/vote", "<url>"},
		{"www.youtube. com/watch?v=TQ046FuAu00", "<video>"},
		{"www.sitе. com/free", "<url>"}, // Cyrillic е
		{"mysite dot com", "<url>"},
		{"mysite (dot) com and shop [dot] net", "<url> and <url>"},
		{"bit . ly/abc", "<url>"},
		// Not hosts.
		{"1.it is about", "1.it is about"},
		{"2. it is the end. in the end", "2. it is the end. in the end"},
		{"love it. me too", "love it. me too"},
		{"version 2.0 dot com", "version 2.0 dot com"},
		{"1.000.000 views. com on", "1.000.000 views. com on"}, // "views.com" would be a host; digits-only pieces never are
	} {
		if got := NormalizeText(c.in); got != c.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCallToAction: like-begging and self-promotion add the call-to-action
// token; lyrics and ordinary remarks that share words with them do not.
func TestCallToAction(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"Check out my channel!", true},
		{"please come and WATCH my new video", true},
		{"check out this video on YouTube:", true},
		{"take a look at this video on youtub", true},
		{"sub me if you like the song", true},
		{"subscribe to me!", true},
		{"visit our page www . shop . com", true},
		{"my new channel is about minecraft", true},
		{"like this comment if you are watching in 2015", true},
		{"You're gonna hear me ROAR", false},
		{"I love this song, my favourite", false},
		{"i watched it again with my sister", false},
		{"this video is so good", false},
		{"who else is watching in 2015?", false},
	} {
		sc := &scratch{}
		extract(sc, "", c.text)
		got := false
		for _, b := range sc.text {
			got = got || b == ctaToken
		}
		if got != c.want {
			t.Errorf("%q: call to action %v, want %v (normalised %q)", c.text, got, c.want, NormalizeText(c.text))
		}
	}
}
