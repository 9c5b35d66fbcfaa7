package scoring

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// mostCommon returns up to k of the most frequent texts, quoted.
func mostCommon(texts []string, k int) []string {
	counts := map[string]int{}
	for _, t := range texts {
		counts[t]++
	}
	keys := make([]string, 0, len(counts))
	for t := range counts {
		keys = append(keys, t)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > k {
		keys = keys[:k]
	}
	for i, t := range keys {
		keys[i] = fmt.Sprintf("%q", t)
	}
	return keys
}

// dupMinWords and dupMinRunes: a repeated text counts as a duplicate only
// when it has at least this many words or letters; short repeats ("so
// true", "same") are ordinary reactions.
const (
	dupMinWords = 3
	dupMinRunes = 10
)

// commentClass is what a comment text is, as the low-effort and copy-paste
// signals see it.
type commentClass int

const (
	classOther commentClass = iota
	classEmoji
	classGeneric
	classTag // only @mentions: friends tagged, a normal sign of reach
)

type classified struct {
	class       commentClass
	key         string
	dupEligible bool
	promo       bool // self-promotion ("follow me", "check my channel"…)
}

// classify puts one comment text into a class. Each comment falls into at
// most one class, checked in this order:
//
//   - emoji-only: no letters or digits, at least one emoji;
//   - tag: only @mentions (friends tagged, a normal sign of reach);
//   - generic: self-promotion ("follow me", "check my profile", "dm me"…, any
//     length; promo is set) or a stock reaction with nothing about the post
//     ("nice", "great post", "love it", "schön", "me encanta",
//     "magnifique", "lindo"…), or punctuation only;
//   - other, eligible for duplicate detection with at least 3 words or 10
//     letters once normalised.
func classify(text string) classified {
	key, emoji, mention := normalize(text)
	switch {
	case key == "" && emoji:
		return classified{class: classEmoji}
	case key == "" && mention:
		return classified{class: classTag}
	case key == "":
		return classified{class: classGeneric} // punctuation only
	case hasPromo(key):
		return classified{class: classGeneric, key: key, promo: true}
	case genericExact[key]:
		return classified{class: classGeneric, key: key}
	}
	return classified{
		class:       classOther,
		key:         key,
		dupEligible: len(strings.Fields(key)) >= dupMinWords || letterCount(key) >= dupMinRunes,
	}
}

// normalize lower-cases a comment, drops @mentions, turns punctuation and
// symbols into spaces, removes emoji and invisible marks (zero-width joiners,
// variation selectors, the byte-order mark), collapses every run of one
// repeated letter to a single letter ("niiice" and "nice" both become
// "nice", "cool" becomes "col") and joins the words with single spaces. It
// reports whether the text held emoji or @mentions.
func normalize(text string) (key string, emoji, mention bool) {
	var b strings.Builder
	for _, word := range strings.Fields(strings.ToLower(text)) {
		if len(word) > 1 && word[0] == '@' {
			mention = true
			continue
		}
		var prev rune
		for _, r := range word {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				if r == prev {
					continue
				}
				b.WriteRune(r)
				prev = r
				continue
			case unicode.In(r, unicode.So, unicode.Sk, unicode.Co):
				emoji = true
			case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
				continue // joiners, variation selectors, BOM: invisible
			}
			b.WriteByte(' ')
			prev = 0
		}
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(b.String()), " "), emoji, mention
}

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// genericPhrases are whole comments that say nothing about the post, in a few
// languages. Emoji-only comments (😍, 🔥, 👏…) are their own class.
var genericPhrases = []string{
	// English
	"nice", "nice post", "nice pic", "nice photo", "nice video", "nice one", "very nice",
	"great", "great post", "great pic", "great photo", "great content", "great video", "great job", "great work",
	"good", "good job", "good post", "love it", "love this", "i love it", "love", "loved it",
	"amazing", "awesome", "wow", "cool", "so cool", "beautiful", "so beautiful", "gorgeous", "stunning",
	"perfect", "super", "excellent", "fantastic", "lovely", "cute", "so cute", "omg", "first",
	// German
	"schön", "sehr schön", "toll", "klasse", "wunderschön", "geil", "stark", "mega", "hammer",
	// Spanish
	"hermoso", "hermosa", "bonito", "bonita", "que bonito", "qué bonito", "genial", "increible",
	"increíble", "me encanta", "precioso", "preciosa", "excelente",
	// French
	"magnifique", "trop beau", "génial", "superbe", "j'adore", "trop bien", "bravo", "sublime",
	// Portuguese
	"lindo", "linda", "top", "perfeito", "perfeita", "maravilhoso", "incrível", "amei",
	// Italian
	"bellissimo", "bellissima", "stupendo", "che bello", "brava", "complimenti",
}

// promoPhrases are self-promotion, spam in any longer comment too. The
// channel/video/subscribe phrases are the commonest in the spam half of the
// YouTube Spam Collection's development files (Psy, KatyPerry).
var promoPhrases = []string{
	"follow me", "follow back", "follow for follow", "f4f", "l4l", "like for like",
	"check my profile", "check out my profile", "check my page", "check out my page",
	"check my channel", "check out my channel", "subscribe to my channel", "visit my profile",
	"my channel", "please subscribe", "subscribe to me", "subscribe back", "sub4sub", "sub for sub",
	"check my video", "check out my video", "check my videos", "check out my videos",
	"check my music", "check out my music", "my new video",
	"dm me", "dm us", "dm for collab", "send us a dm", "promote it on",
	"sígueme", "folge mir", "suivez moi", "abonnez vous", "me segue", "seguimi",
}

var (
	genericExact = map[string]bool{}
	promoKeys    []string
)

func init() {
	for _, p := range genericPhrases {
		k, _, _ := normalize(p)
		genericExact[k] = true
	}
	for _, p := range promoPhrases {
		k, _, _ := normalize(p)
		promoKeys = append(promoKeys, " "+k+" ")
	}
}

// hasPromo reports whether a normalised text holds a self-promotion phrase as
// whole words.
func hasPromo(key string) bool {
	padded := " " + key + " "
	for _, p := range promoKeys {
		if strings.Contains(padded, p) {
			return true
		}
	}
	return false
}
