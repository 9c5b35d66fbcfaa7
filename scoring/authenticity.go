package scoring

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/nanoscout/nanoscout/model"
)

// Names of the authenticity signals (Component.Name in AuthenticityResult).
const (
	SignalGeneric         = "generic"
	SignalEmojiOnly       = "emoji_only"
	SignalDuplicates      = "duplicates"
	SignalLikesPerComment = "likes_per_comment"
)

// Weights of the signals within the authenticity score. Copy-pasted comments
// are the strongest sign of bought engagement; emoji-only comments the
// weakest, since real audiences post them too.
var authWeights = map[string]float64{
	SignalGeneric:         0.25,
	SignalEmojiOnly:       0.15,
	SignalDuplicates:      0.35,
	SignalLikesPerComment: 0.25,
}

// OffNormFactor is how far outside the platform's usual likes-per-comment
// range the ratio must be to count as far off: above OffNormFactor × high or
// below low ÷ OffNormFactor.
const OffNormFactor = 2.0

// dupMinWords and dupMinRunes: a repeated text counts as a duplicate only
// when it has at least this many words or letters; short repeats ("so
// true", "same") are ordinary reactions.
const (
	dupMinWords = 3
	dupMinRunes = 10
)

// AuthenticityResult is a first estimate of how genuine a creator's
// engagement looks, from the audience comments and the posts' counts.
type AuthenticityResult struct {
	// Value is 0..1, 1 = looks genuine: the weighted mean of the measured
	// signals' values. 0 when no signal could be measured (nothing to go on
	// is not evidence of genuine engagement).
	Value float64
	// Signals is how many of the four signals were measured.
	Signals int
	// Comments is how many audience comments were classified (comments by
	// the creator and comments without text are not).
	Comments   int
	Generic    int
	EmojiOnly  int
	Duplicates int
	// LikesPerComment is Σ likes ÷ Σ comments over the posts that show both
	// (when they show likes but no comments, it is the like count: a lower
	// bound); nil when not measurable.
	LikesPerComment *float64
	// LikesPerCommentOff is true when that ratio is far outside the
	// platform's norm (see OffNormFactor).
	LikesPerCommentOff bool
	// Components are the four signals in a fixed order. Value is the
	// signal's 0..1 value, Raw the measured share or ratio, Weight its weight
	// within Value (0 when the signal was not measured).
	Components []model.Component
}

// Authenticity estimates how genuine the engagement looks. Only audience
// comments count (ByCreator comments are skipped). Each comment falls into at
// most one class, checked in this order:
//
//   - emoji-only: no letters or digits, at least one emoji;
//   - generic: a stock reaction or self-promotion with nothing about the post
//     ("nice", "great post", "love it", "amazing", "wow", "follow me",
//     "check my profile", "dm me", "schön", "me encanta", "magnifique",
//     "lindo"…), or punctuation only;
//   - duplicate: the same normalised text (lower case, no punctuation or
//     emoji, @mentions dropped, letter runs collapsed) as another audience
//     comment, by another author or the same one, when it has at least 3
//     words or 10 letters; every copy counts.
//
// A comment that only tags @friends is in no class. Each comment signal's
// value is 1 − its share of the comments. The likes-per-comment signal is 1
// inside the platform's usual range (bm.LikesPerComment) and 1 ÷ f outside
// it, f being how many times above the high end or below the low end the
// ratio is. Posts that are replies or reposts are skipped. Value is the mean
// of the measured signals weighted 0.25 generic, 0.15 emoji-only,
// 0.35 duplicates, 0.25 likes per comment.
func Authenticity(platform string, posts []model.Post, comments []model.Comment, bm Benchmarks) AuthenticityResult {
	var res AuthenticityResult

	// Classify the audience comments.
	var others []classified
	var genericSeen []string
	for _, c := range comments {
		if c.ByCreator || strings.TrimSpace(c.Text) == "" {
			continue
		}
		res.Comments++
		k := classify(c.Text)
		switch k.class {
		case classEmoji:
			res.EmojiOnly++
		case classGeneric:
			res.Generic++
			genericSeen = append(genericSeen, strings.TrimSpace(c.Text))
		case classOther:
			others = append(others, k)
		}
	}
	counts := map[string]int{}
	for _, k := range others {
		if k.dupEligible {
			counts[k.key]++
		}
	}
	for _, k := range others {
		if k.dupEligible && counts[k.key] > 1 {
			res.Duplicates++
		}
	}

	name := bm.displayName(platform)
	comps := make([]model.Component, 0, 4)
	if res.Comments > 0 {
		n := float64(res.Comments)
		g, e, d := float64(res.Generic)/n, float64(res.EmojiOnly)/n, float64(res.Duplicates)/n
		comps = append(comps,
			model.Component{Name: SignalGeneric, Raw: g, Value: 1 - g, Weight: authWeights[SignalGeneric],
				Reason: genericReason(res.Generic, res.Comments, genericSeen)},
			model.Component{Name: SignalEmojiOnly, Raw: e, Value: 1 - e, Weight: authWeights[SignalEmojiOnly],
				Reason: fmt.Sprintf("%d of %d comments (%s) are only emoji", res.EmojiOnly, res.Comments, pct(100*e))},
			model.Component{Name: SignalDuplicates, Raw: d, Value: 1 - d, Weight: authWeights[SignalDuplicates],
				Reason: fmt.Sprintf("%d of %d comments (%s) repeat word for word a text another comment has, as copy-paste or bot comments do",
					res.Duplicates, res.Comments, pct(100*d))},
		)
	} else {
		for _, s := range []string{SignalGeneric, SignalEmojiOnly, SignalDuplicates} {
			comps = append(comps, model.Component{Name: s,
				Reason: "not measured: no audience comments with text were read"})
		}
	}
	comps = append(comps, likesPerComment(&res, name, posts, bm, platform))
	res.Components = comps

	var sum, wsum float64
	for _, c := range comps {
		if c.Weight > 0 {
			res.Signals++
			sum += c.Weight * c.Value
			wsum += c.Weight
		}
	}
	if wsum > 0 {
		res.Value = clamp01(sum / wsum)
	}
	return res
}

// likesPerComment measures the likes-per-comment signal into res and returns
// its component.
func likesPerComment(res *AuthenticityResult, name string, posts []model.Post, bm Benchmarks, platform string) model.Component {
	comp := model.Component{Name: SignalLikesPerComment}
	var likes, cmts int64
	var shown int
	for _, p := range posts {
		if p.IsReply || isRepost(p) || p.Likes == nil || p.Comments == nil {
			continue
		}
		shown++
		likes += max(0, *p.Likes)
		cmts += max(0, *p.Comments)
	}
	lo, hi := bm.LikesPerComment(platform)
	norm := fmt.Sprintf("%s's usual %s–%s", name, num(lo), num(hi))
	switch {
	case shown == 0:
		comp.Reason = "not measured: no post shows both its likes and its comments"
		return comp
	case cmts == 0 && (hi <= 0 || float64(likes) <= hi):
		comp.Reason = fmt.Sprintf("not measured: %d likes and no comments on %d posts is too little to judge", likes, shown)
		return comp
	}
	var r float64
	if cmts > 0 {
		r = float64(likes) / float64(cmts)
	} else {
		r = float64(likes) // no comments at all: the ratio is at least this
	}
	res.LikesPerComment = &r
	comp.Raw = r
	if hi <= 0 {
		comp.Reason = fmt.Sprintf("%s likes per comment; not judged: no norm for %s", num(r), name)
		return comp
	}
	comp.Weight = authWeights[SignalLikesPerComment]
	var f float64
	var where, why string
	switch {
	case cmts == 0:
		f, where, why = r/hi, "above", "likes may be bought, or comments switched off"
	case r > hi:
		f, where, why = r/hi, "above", "likes may be bought, or comments switched off"
	case r == 0:
		res.LikesPerCommentOff = true
		comp.Reason = fmt.Sprintf("no likes against %d comments on %d posts, far below %s: comments may be bought or come from engagement groups",
			cmts, shown, norm)
		return comp
	case r < lo:
		f, where, why = lo/r, "below", "comments may be bought or come from engagement groups"
	default:
		comp.Value = 1
		comp.Reason = fmt.Sprintf("%s likes per comment on %d posts, within %s", num(r), shown, norm)
		return comp
	}
	comp.Value = 1 / f
	res.LikesPerCommentOff = f >= OffNormFactor
	if cmts == 0 {
		comp.Reason = fmt.Sprintf("%d likes and no comments on %d posts, %s× %s %s: %s",
			likes, shown, num(f), where, norm, why)
	} else {
		comp.Reason = fmt.Sprintf("%s likes per comment on %d posts, %s× %s %s",
			num(r), shown, num(f), where, norm)
		if res.LikesPerCommentOff {
			comp.Reason += ": " + why
		}
	}
	return comp
}

func genericReason(n, total int, seen []string) string {
	s := fmt.Sprintf("%d of %d comments (%s) are stock phrases or self-promotion that say nothing about the post",
		n, total, pct(100*float64(n)/float64(total)))
	if ex := mostCommon(seen, 2); len(ex) > 0 {
		s += ", e.g. " + strings.Join(ex, ", ")
	}
	return s
}

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
}

// classify puts one comment text into a class; see Authenticity.
func classify(text string) classified {
	key, emoji, mention := normalize(text)
	switch {
	case key == "" && emoji:
		return classified{class: classEmoji}
	case key == "" && mention:
		return classified{class: classTag}
	case key == "":
		return classified{class: classGeneric} // punctuation only
	case genericExact[key] || hasPromo(key):
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
