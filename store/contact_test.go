package store

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/model"
)

// contactByPatterns is PublicContact without the quick checks: both
// patterns run on every bio.
func contactByPatterns(c model.Creator) (email, website string) {
	if m := emailRe.FindStringSubmatch(c.Bio); m != nil {
		email = m[1]
	}
	for _, l := range c.Links {
		if l = strings.TrimSpace(l); l != "" {
			website = l
			break
		}
	}
	if website == "" {
		website = strings.TrimRight(websiteRe.FindString(c.Bio), ".,;:!?)]}'")
	}
	return email, website
}

var contactBios = []string{
	"",
	"Pottery from Ghent. Sharing what I learn, mistakes included.",
	"Collabs: maya@mayagarcia.example",
	"Collabs: MAYA@Maya-Garcia.Example.",
	"find me @me@example.social or @home",
	"=HYPERLINK(\"http://evil.example\") +tips @home",
	"shop at WWW.Example.org!",
	"shop at Www.example.org, or wWw.x.io",
	"HTTPS://EXAMPLE.ORG/path?q=1)",
	"httpſ://example.org (a long s folds to s)",
	"ww.example.org and w.w.w. and www",
	"x@y",
	"a@b.c@d.ef",
	"mail: ünï@exämple.de, web: ftp://files.example",
	"wwww.example.com",
	"@maya@mayagarcia.example",
	"x@maya@mayagarcia.example and later bob@example.org",
	"no mail @ here, but bob.smith+tag@example.co.uk.",
	"maya@mayagarcia.example",
	"%@x.io",
	"bob@@example.org a@b.cd",
	"://",
	"www.",
}

// TestPublicContactQuickChecks: skipping the patterns on bios without '@',
// "://" or "www." finds exactly what running them always finds.
func TestPublicContactQuickChecks(t *testing.T) {
	for _, bio := range contactBios {
		for _, links := range [][]string{nil, {" "}, {"https://example.net"}} {
			c := model.Creator{Bio: bio, Links: links}
			e, w := PublicContact(c)
			we, ww := contactByPatterns(c)
			if e != we || w != ww {
				t.Errorf("%q %q: got %q %q, the patterns find %q %q", bio, links, e, w, we, ww)
			}
		}
	}
	// The table exercises both quick checks both ways.
	if e, w := PublicContact(model.Creator{Bio: "shop at WWW.Example.org! maya@mayagarcia.example"}); e != "maya@mayagarcia.example" || w != "WWW.Example.org" {
		t.Errorf("got %q %q", e, w)
	}
}

func FuzzPublicContactQuickChecks(f *testing.F) {
	for _, bio := range contactBios {
		f.Add(bio)
	}
	f.Fuzz(func(t *testing.T, bio string) {
		c := model.Creator{Bio: bio}
		e, w := PublicContact(c)
		we, ww := contactByPatterns(c)
		if e != we || w != ww {
			t.Errorf("%q: got %q %q, the patterns find %q %q", bio, e, w, we, ww)
		}
	})
}

// TestPublicContactRandomBios compares PublicContact with the patterns on
// many random bios built from the characters that matter to them.
func TestPublicContactRandomBios(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "0", ".", "@", "me@", "@x", ".io", ".de", "ab", "-", "_", "%", "+", " ", "!", "co", "org", "://", "http", "HTTPS", "www.", "Ww", "W", "é", "<", "\""}
	var emails, sites int
	for range 50_000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		c := model.Creator{Bio: b.String()}
		e, w := PublicContact(c)
		we, ww := contactByPatterns(c)
		if e != we || w != ww {
			t.Fatalf("%q: got %q %q, the patterns find %q %q", c.Bio, e, w, we, ww)
		}
		if e != "" {
			emails++
		}
		if w != "" {
			sites++
		}
	}
	// Enough of them have an address of each kind to compare.
	if emails < 1000 || sites < 1000 {
		t.Errorf("only %d bios with an email address and %d with a web address", emails, sites)
	}
}
