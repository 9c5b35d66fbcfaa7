package scoring

import (
	"testing"

	"github.com/nanoscout/nanoscout/model"
)

func TestReadCaption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text             string
		tags                   []string
		disclosure, code       string
		affiliate, linkInBio   bool
		sponsored, undisclosed bool
	}{
		{name: "English, #ad, code and referral link",
			text:       "Paid partnership with Oatfield: love it. Code MILA15 for 15% off 👉 https://oatfield.shop/?ref=mila #ad",
			disclosure: "#ad", code: "MILA15", affiliate: true, sponsored: true},
		{name: "English, written-out disclosure only",
			text:       "This post is sponsored by Feathr, thoughts are my own",
			disclosure: "sponsored by", sponsored: true},
		{name: "Dutch #samenwerking, kortingscode",
			text:       "In samenwerking met Mossa: ik ben fan. Kortingscode SANNE20 👉 https://mossa.shop/?ref=sanne #samenwerking",
			disclosure: "#samenwerking", code: "SANNE20", affiliate: true, sponsored: true},
		{name: "Dutch #advertentie",
			text:       "Betaalde samenwerking met Greenroom! Code DAAN10 = 20% korting #advertentie",
			disclosure: "#advertentie", code: "DAAN10", sponsored: true},
		{name: "German Anzeige and #anzeige",
			text:       "Anzeige | Ich liebe die neue Kollektion von Loomwear! Code LENA15 für 20% Rabatt #anzeige",
			disclosure: "#anzeige", code: "LENA15", sponsored: true},
		{name: "German #werbung from the hashtag list",
			text: "Bezahlte Partnerschaft mit Dicebox: perfekt für den Spieleabend.", tags: []string{"Werbung"},
			disclosure: "#werbung", sponsored: true},
		{name: "French #pub, code promo",
			text:       "Partenariat rémunéré avec Grainlab : parfait. Code promo HUGO15 pour -15% #pub",
			disclosure: "#pub", code: "HUGO15", sponsored: true},
		{name: "Spanish #publi, código",
			text:       "Colaboración pagada con Scapeworks: ideal. Código PABLO15 para un 15% de descuento #publi",
			disclosure: "#publi", code: "PABLO15", sponsored: true},
		{name: "undisclosed: code and referral link, no disclosure",
			text: "Loving my new Oatfield gear! Use code MILA15 👉 https://oatfield.shop/?ref=mila",
			code: "MILA15", affiliate: true, sponsored: true, undisclosed: true},
		{name: "undisclosed Spanish",
			text: "¡Mi nuevo favorito de Crimpers para escalar! Código IRENE10 👉 https://crimpers.shop/?ref=irene",
			code: "IRENE10", affiliate: true, sponsored: true, undisclosed: true},
		{name: "affiliate shortener alone",
			text:      "The lens I use: https://amzn.to/3xYz",
			affiliate: true, sponsored: true, undisclosed: true},
		{name: "link in bio with a discount",
			text:      "New drop is live, 20% off this week, link in bio!",
			linkInBio: true, sponsored: true, undisclosed: true},
		{name: "a tagged brand and a discount",
			text:      "My new favourite chalk from @crimpersco, 15% off this week",
			sponsored: true, undisclosed: true},
		{name: "a tagged friend is not a brand deal", text: "Sunday session with @anna.climbs, sent the project!"},
		{name: "an e-mail address is not a mention", text: "Collabs: hello@example.com, 20% off for readers"},
		{name: "link in bio without selling: not paid",
			text:      "Full recipe: link in bio",
			linkInBio: true},
		{name: "organic caption", text: "Today's banana bread turned out better than expected. #veganbaking #adventure"},
		{name: "lower-case words after code are not a code", text: "the code is on my blog, and code red was fun"},
		{name: "an adventure is not an ad", text: "Weekend adventure #adventuretime #adidas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ReadCaption(tt.text, tt.tags)
			if c.Disclosure != tt.disclosure || c.PromoCode != tt.code || (c.Affiliate != "") != tt.affiliate || c.LinkInBio != tt.linkInBio {
				t.Errorf("ReadCaption = %+v; want disclosure %q, code %q, affiliate %v, link in bio %v",
					c, tt.disclosure, tt.code, tt.affiliate, tt.linkInBio)
			}
			if c.Sponsored() != tt.sponsored || c.Undisclosed() != tt.undisclosed {
				t.Errorf("sponsored, undisclosed = %v, %v; want %v, %v", c.Sponsored(), c.Undisclosed(), tt.sponsored, tt.undisclosed)
			}
		})
	}
}

func TestContent(t *testing.T) {
	t.Parallel()
	post := func(text string) model.Post { return model.Post{Text: text} }
	posts := []model.Post{
		post("Thanks Feathr for sponsoring today's count! #ad"),               // sponsored, ER 1
		post("Game changer: Optiq. Code MAYA10 at https://optiq.shop/?ref=m"), // undisclosed, ER 1
		post("Anzeige | Optiq Fernglas, Code MAYA10 #anzeige"),                // sponsored, ER 2
		post("Kingfisher this morning"),                                       // 4
		post("Three spoonbills!"),                                             // 4
		post("Migration count notes"),                                         // 4
	}
	r := Content(posts, []float64{1, 1, 2, 4, 4, 4})
	if r.Posts != 6 || r.Sponsored != 3 || r.Disclosed != 2 || r.Undisclosed != 1 || !near(r.SponsoredShare, 0.5) {
		t.Errorf("Content = %+v; want 6 posts, 3 sponsored, 2 disclosed, 1 undisclosed, share 0.5", r)
	}
	// sponsored mean 4/3, others 4 → 1/3
	if r.Blindness == nil || !near(*r.Blindness, 1.0/3) {
		t.Errorf("Blindness = %v, want 1/3", fmtPtr(r.Blindness))
	}

	sigs := contentSignals(r)
	// share 0.5: ramp(0.5, 0.2, 0.5) = 1 → ×(1 − 0.6); undisclosed 1/6 ≥ 0.1 → 1 → ×(1 − 0.3)
	want := map[string]float64{SignalSponsoredShare: 0.4, SignalUndisclosed: 0.7, SignalSponsoredBlindness: 1}
	for _, s := range sigs {
		if !s.Measured || !near(s.Multiplier(), want[s.Name]) {
			t.Errorf("%s: measured %v, multiplier %v; want %v (%s)", s.Name, s.Measured, s.Multiplier(), want[s.Name], s.Reason)
		}
	}
	if few := contentSignals(Content(posts[:4], nil)); few[0].Measured {
		t.Errorf("4 posts measured the sponsored share: %+v", few[0])
	}
}
