package scoring

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/nanoscout/nanoscout/model"
)

// Caption cues of paid content, in English, Dutch, German, French and
// Spanish. Hashtags are matched as whole tags (case-insensitive, with or
// without '#'); phrases as whole words in the lower-cased caption.
var (
	// disclosureTags are the hashtags advertising codes and platforms ask for:
	// the FTC and ASA (#ad, #sponsored), the Dutch Reclamecode Social Media
	// (#adv, #advertentie, #samenwerking, #spon), the German
	// Landesmedienanstalten (#werbung, #anzeige), the French ARPP
	// (#publicité, #pub, #partenariat, #sponsorisé) and the Spanish
	// Autocontrol code (#publi, #publicidad, #patrocinado).
	disclosureTags = []string{
		"ad", "ads", "advert", "advertisement", "sponsored", "sponsor", "paidpartnership", "paidpartner",
		"partner", "partnership", "brandpartner", "gifted", "affiliate", "affiliatelink",
		"adv", "advertentie", "reclame", "samenwerking", "betaaldesamenwerking", "gesponsord", "spon",
		"werbung", "anzeige", "unbezahltewerbung", "kooperation", "gesponsert",
		"pub", "publicite", "publicité", "partenariat", "sponsorise", "sponsorisé", "collaborationcommerciale",
		"publi", "publicidad", "patrocinado", "patrocinio", "colaboracion", "colaboración", "colaboracionpagada",
	}
	// disclosurePhrases are the written-out disclosures, as platforms' paid
	// partnership labels and the codes above phrase them.
	disclosurePhrases = []string{
		"paid partnership", "sponsored by", "in partnership with", "thanks to our sponsor", "for sponsoring",
		"this post is sponsored", "advertisement", "affiliate link", "affiliate links", "gifted by",
		"in samenwerking met", "betaalde samenwerking", "gesponsord door", "advertentie",
		"bezahlte partnerschaft", "in kooperation mit", "werbung", "anzeige", "gesponsert von",
		"partenariat rémunéré", "collaboration commerciale", "en partenariat avec", "sponsorisé par", "publicité",
		"colaboración pagada", "colaboración con", "patrocinado por", "publicidad",
	}
	// linkInBioPhrases are calls to action that send readers to the link in
	// the profile, where the shop or affiliate link sits.
	linkInBioPhrases = []string{
		"link in bio", "link in my bio", "link in the bio", "link is in my bio", "shop the link",
		"link in de bio", "link in mijn bio", "linkje in bio", "linkje in mijn bio",
		"link in der bio", "link in meiner bio", "link ist in der bio",
		"lien en bio", "lien dans ma bio", "lien dans la bio",
		"link en bio", "link en la bio", "enlace en la bio", "enlace en bio", "enlace en mi bio",
	}
	// discountWords mark a caption that sells: a discount or an offer.
	discountWords = []string{
		"% off", "discount", "sale", "korting", "aanbieding", "rabatt", "gutschein", "réduction", "remise",
		"promo", "descuento", "oferta", "rebajas",
	}
	// promoCodeRe finds "code WORD", "promo code: WORD", "Kortingscode WORD",
	// "Rabattcode WORD", "code promo WORD", "código WORD"…: a code word in
	// capitals of 4 to 20 letters or digits after the keyword.
	promoCodeRe = regexp.MustCompile(`(?i:\b(?:promo ?code|discount code|coupon(?: code)?|code promo|code de réduction|kortingscode|actiecode|rabattcode|gutscheincode|rabatt-code|código(?: de descuento)?|codigo(?: de descuento)?|cupón|cupon|code))\s*(?:[:=]\s*)?["'“]?([A-Z0-9][A-Z0-9_-]{3,19})\b`)
	urlRe       = regexp.MustCompile(`https?://[^\s<>"')\]]+`)
	// mentionRe finds a tagged @account (not an e-mail address).
	mentionRe = regexp.MustCompile(`(?:^|[^\w.@])@([A-Za-z0-9_][A-Za-z0-9_.]{1,29})`)
)

// affiliateParams are query parameters that carry a referral id.
var affiliateParams = []string{"ref", "aff", "affid", "aff_id", "affiliate", "tag", "ref_id", "referral", "rfsn", "irclickid", "sref", "discount", "coupon"}

// affiliateHosts are link shorteners and storefronts that exist to track
// affiliate sales.
var affiliateHosts = []string{"amzn.to", "amzn.eu", "rstyle.me", "liketk.it", "shopmy.us", "go.magik.ly", "shareasale.com",
	"awin1.com", "click.linksynergy.com", "howl.me", "bit.ly/ltk", "ltk.app", "geni.us", "collabs.shop"}

// CaptionCues is what a caption says about money changing hands.
type CaptionCues struct {
	Disclosure string // the disclosure found ("#ad", "paid partnership"…), "" when none
	PromoCode  string // the promo code offered, "" when none
	Affiliate  string // the first affiliate link, "" when none
	LinkInBio  bool   // a link-in-bio call to action
	Discount   bool   // a discount or offer is mentioned
	Mention    string // the first @account tagged, "" when none
}

// Commercial reports whether the caption sells something: a promo code, an
// affiliate link, or a link-in-bio call to action or a tagged account (a
// brand mention) together with a discount.
func (c CaptionCues) Commercial() bool {
	return c.PromoCode != "" || c.Affiliate != "" || (c.LinkInBio || c.Mention != "") && c.Discount
}

// Sponsored reports whether the post is paid content: disclosed as such, or
// commercial.
func (c CaptionCues) Sponsored() bool { return c.Disclosure != "" || c.Commercial() }

// Undisclosed reports whether the post sells without saying it is paid.
func (c CaptionCues) Undisclosed() bool { return c.Commercial() && c.Disclosure == "" }

// ReadCaption finds the cues of paid content in a caption and its hashtags
// (which may repeat the caption's #words).
func ReadCaption(text string, hashtags []string) CaptionCues {
	var c CaptionCues
	lower := strings.ToLower(text)
	words := " " + wordsOnly(lower) + " "
	tags := captionTags(lower, hashtags)
	for _, t := range disclosureTags {
		if tags[t] {
			c.Disclosure = "#" + t
			break
		}
	}
	if c.Disclosure == "" {
		for _, p := range disclosurePhrases {
			if strings.Contains(words, " "+wordsOnly(p)+" ") {
				c.Disclosure = p
				break
			}
		}
	}
	if c.Disclosure == "" && (strings.HasPrefix(lower, "ad |") || strings.HasPrefix(lower, "ad:") || strings.HasPrefix(lower, "[ad]") ||
		strings.HasPrefix(lower, "anzeige") || strings.HasPrefix(lower, "werbung")) {
		c.Disclosure = "ad"
	}
	if m := promoCodeRe.FindStringSubmatch(text); m != nil && isCodeWord(m[1]) {
		c.PromoCode = m[1]
	}
	for _, u := range urlRe.FindAllString(text, -1) {
		if isAffiliateLink(u) {
			c.Affiliate = u
			break
		}
	}
	for _, p := range linkInBioPhrases {
		if strings.Contains(words, " "+p+" ") {
			c.LinkInBio = true
			break
		}
	}
	if m := mentionRe.FindStringSubmatch(text); m != nil {
		c.Mention = "@" + m[1]
	}
	for _, d := range discountWords {
		if strings.Contains(words, " "+d+" ") || strings.Contains(words, d+" ") && d[0] == '%' {
			c.Discount = true
			break
		}
	}
	return c
}

// isCodeWord accepts a promo code: capitals and digits, with at least one
// digit or at least five letters, so "code ON" or "code IS" is not a code.
func isCodeWord(s string) bool {
	digits, letters := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'A' && r <= 'Z':
			letters++
		case r == '-' || r == '_':
		default:
			return false
		}
	}
	return digits > 0 && letters > 0 || letters >= 5
}

func isAffiliateLink(raw string) bool {
	raw = strings.TrimRight(raw, ".,;:!?…")
	lower := strings.ToLower(raw)
	for _, h := range affiliateHosts {
		if strings.Contains(lower, "://"+h) || strings.Contains(lower, "://www."+h) {
			return true
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	q := u.Query()
	for _, p := range affiliateParams {
		if q.Get(p) != "" {
			return true
		}
	}
	if m := strings.ToLower(q.Get("utm_medium")); m == "affiliate" || m == "influencer" {
		return true
	}
	return strings.Contains(strings.ToLower(u.Path), "/ref/") || strings.Contains(strings.ToLower(u.Path), "/aff/")
}

// captionTags is the set of hashtags of a post, lower-case, without '#'.
func captionTags(lower string, hashtags []string) map[string]bool {
	tags := make(map[string]bool, len(hashtags)+4)
	for _, t := range hashtags {
		tags[strings.ToLower(strings.TrimLeft(t, "#＃"))] = true
	}
	rs := []rune(lower)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '#' && rs[i] != '＃' {
			continue
		}
		j := i + 1
		for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || unicode.IsMark(rs[j]) || rs[j] == '_') {
			j++
		}
		if j > i+1 {
			tags[string(rs[i+1:j])] = true
		}
		i = j - 1
	}
	return tags
}

// wordsOnly replaces every rune that is not a letter, digit or '%' by a space
// and collapses spaces.
func wordsOnly(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '%' {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// ContentResult is what the captions of the posts used for ER say about paid
// content.
type ContentResult struct {
	Posts       int // posts read
	Sponsored   int // disclosed or commercial posts
	Disclosed   int // sponsored posts with a disclosure
	Undisclosed int // commercial posts without a disclosure
	// SponsoredShare is Sponsored ÷ Posts.
	SponsoredShare float64
	// Blindness is the mean ER of the sponsored posts ÷ the mean ER of the
	// others; nil unless there are at least two of each with some ER.
	Blindness *float64
	// Examples holds up to two cues found, for the reasons.
	Examples []string
}

// Content reads the captions of posts (the posts used for ER, with their
// per-post ER in the same order, in any unit) for paid content.
func Content(posts []model.Post, er []float64) ContentResult {
	res := ContentResult{Posts: len(posts)}
	var spER, orgER []float64
	for i := range posts {
		cues := ReadCaption(posts[i].Text, posts[i].Hashtags)
		sp := cues.Sponsored()
		if sp {
			res.Sponsored++
			if cues.Disclosure != "" {
				res.Disclosed++
			}
			if cues.Undisclosed() {
				res.Undisclosed++
				switch {
				case cues.PromoCode != "":
					res.addExample("code " + cues.PromoCode + " without a disclosure")
				case cues.Affiliate != "":
					res.addExample("an affiliate link without a disclosure")
				case cues.Mention != "":
					res.addExample(cues.Mention + " and a discount without a disclosure")
				default:
					res.addExample("a discount via the link in bio without a disclosure")
				}
			} else {
				res.addExample(cues.Disclosure)
			}
		}
		if i < len(er) {
			if sp {
				spER = append(spER, er[i])
			} else {
				orgER = append(orgER, er[i])
			}
		}
	}
	if res.Posts > 0 {
		res.SponsoredShare = float64(res.Sponsored) / float64(res.Posts)
	}
	if len(spER) >= 2 && len(orgER) >= 2 {
		if o := mean(orgER); o > 0 {
			b := mean(spER) / o
			res.Blindness = &b
		}
	}
	return res
}

func (r *ContentResult) addExample(s string) {
	if s == "" || len(r.Examples) >= 2 {
		return
	}
	for _, e := range r.Examples {
		if e == s {
			return
		}
	}
	r.Examples = append(r.Examples, s)
}
