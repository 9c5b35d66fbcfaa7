package classify

import (
	"bytes"
	"html"
	"math/bits"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// featureVersion names the feature extraction below; it is stored in the
// model file, and a model built for another version is refused, so a change
// here cannot silently pair with stale weights. Bump it with any change to
// normalisation, tokenisation or hashing, then run make train.
const featureVersion = 3

const (
	hashBits   = 20
	numBuckets = 1 << hashBits
	// maxRunes bounds the text read per comment (YouTube's own limit is
	// 10,000 characters; the training comments are far shorter).
	maxRunes = 4096
	// authorScale weighs the author-name tokens against the text: names are
	// mostly unique, so they should not absorb what the text can learn.
	authorScale = 0.5
	// urlRune stands for every URL in normalised text. It is a private-use
	// code point, and private-use code points are removed from the input, so
	// it cannot be typed.
	urlRune = '\ue000'
	// videoRune stands for a link to a YouTube video (youtu.be/…,
	// youtube.com/watch…): the share button and timestamps write those, so
	// they are not counted as URLs.
	videoRune = '\ue001'
)

// Feature kinds: each is a different hash seed, so a word and a character
// n-gram with the same spelling are different features.
const (
	kindWord   = 'w'
	kindBigram = 'b'
	kindChar   = 'c'
	kindHost   = 'h'
	kindAuthor = 'a'
	kindMeta   = 'm'
)

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashStart(kind byte) uint32       { return (fnvOffset ^ uint32(kind)) * fnvPrime }
func hashRune(h uint32, r rune) uint32 { return (h ^ uint32(r)) * fnvPrime }
func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// bucket finalises a hash (murmur3's fmix32) and keeps hashBits bits.
func bucket(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h >> (32 - hashBits)
}

// Meta features are whole-comment properties, each a fixed feature.
var (
	metaURL    = metaBucket("url")
	metaURLs2  = metaBucket("urls>=2")
	metaLen    = metaBuckets("len", 14)   // bits.Len(runes)
	metaCaps   = metaBuckets("caps", 4)   // share of upper-case letters
	metaDigits = metaBuckets("digits", 5) // bits.Len(digits), capped
	metaADigit = metaBucket("author-digit")
	metaANone  = metaBucket("author-empty")
	metaBait   = metaBucket("engagement-bait")
)

func metaBucket(name string) uint32 { return bucket(hashString(hashStart(kindMeta), name)) }

func metaBuckets(name string, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = metaBucket(name + ":" + string(rune('a'+i)))
	}
	return out
}

// features is the extracted feature set of one comment, in four groups
// that are scaled differently: text (words, bigrams, URL hosts, the
// call-to-action token), each occurrence 1/√n of the group; character
// 3–5-grams, each 1/√n of theirs (a comment has about three times more of
// them than words, so in one group they drowned the words); author-name
// tokens, each authorScale/√n; meta features, 1 each.
type features struct {
	text, chars, author, meta []uint32
}

// scratch holds the reusable buffers of one extraction.
type scratch struct {
	features
	intents            intentSet
	runes, joined, out []rune
	buf                []byte
}

func (s *scratch) reset() {
	s.text, s.chars, s.author, s.meta = s.text[:0], s.chars[:0], s.author[:0], s.meta[:0]
	s.intents = 0
}

// The intent signals are what a comment asks the reader to do or where it
// sends them, whatever the video: a link, two or more links, a request for
// likes (engagement bait), a call to action (bait or self-promotion, see
// ctaToken). They are read by the n-gram model as features and, on their
// own, by the model's second view (see CommentModel).
const (
	intentURL = iota
	intentURLs2
	intentBait
	intentCTA
	numIntents
)

// intentSet holds one bit per intent signal.
type intentSet uint8

func (s intentSet) has(k int) bool { return s&(1<<k) != 0 }

type textStats struct {
	letters, upper, digits, urls int
}

// invisible reports runes that render as nothing: format characters (U+FEFF,
// zero-width spaces and joiners, bidi controls), controls, private-use and
// surrogate code points, variation selectors, and the blank fillers that
// render as nothing (combining grapheme joiner, Hangul fillers, braille
// blank). They are dropped before any feature is computed: in parts of the
// YouTube Spam Collection the presence of a trailing U+FEFF depends on the
// label.
func invisible(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f:
		return true // controls; whitespace controls are handled before
	case r < 0xa0:
		return r >= 0x80 // C1 controls
	case r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef:
		return true // variation selectors
	case r == 0x034f, r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0, r == 0x2800, r == 0x180e:
		return true
	case r == utf8.RuneError:
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Co, unicode.Cs, unicode.Cc)
}

// stripTags replaces HTML tags (<br />, <a href=…>, </a>, <b> …) by a space.
// Only '<' followed by a letter or "/letter" starts a tag, so "<3" stays.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == '<' && i+1 < len(s) {
			j := i + 1
			if s[j] == '/' {
				j++
			}
			if j < len(s) && isASCIILetter(s[j]) {
				if k := strings.IndexByte(s[j:], '>'); k >= 0 && k < 512 && !strings.ContainsRune(s[j:j+k], '<') {
					b.WriteByte(' ')
					i = j + k + 1
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// normalize decodes, cleans and lower-cases s into dst: HTML tags become a
// space, HTML entities are decoded, the text is put in Unicode NFKC form (so
// full-width "ｗｗｗ．ｅｂａｙ．ｃｏｍ", ligatures and mathematical letters
// become their plain forms), Cyrillic and Greek look-alikes inside Latin
// words become Latin letters, invisible characters are dropped, every
// run of white space becomes one space, runs of more than three identical
// characters are cut to three ("loooove" → "looove"), and the result is
// trimmed and cut at maxRunes runes. Upper-case letters and digits are
// counted before lower-casing.
func normalize(dst []rune, s string) ([]rune, textStats) {
	var st textStats
	if strings.IndexByte(s, '<') >= 0 {
		s = stripTags(s)
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if !isASCII(s) {
		s = norm.NFKC.String(s) // returns s itself when already normal
	}
	dst = dst[:0]
	for _, r := range s {
		if len(dst) >= maxRunes {
			break
		}
		if unicode.IsSpace(r) {
			if n := len(dst); n > 0 && dst[n-1] != ' ' {
				dst = append(dst, ' ')
			}
			continue
		}
		if invisible(r) {
			continue
		}
		if r < utf8.RuneSelf {
			switch {
			case r >= 'A' && r <= 'Z':
				st.upper++
				st.letters++
				r += 'a' - 'A'
			case r >= 'a' && r <= 'z':
				st.letters++
			case r >= '0' && r <= '9':
				st.digits++
			}
		} else {
			switch {
			case unicode.IsUpper(r):
				st.upper++
				st.letters++
				r = unicode.ToLower(r)
			case unicode.IsLetter(r):
				st.letters++
				r = unicode.ToLower(r)
			case unicode.IsDigit(r):
				st.digits++
			}
		}
		if n := len(dst); n >= 3 && dst[n-1] == r && dst[n-2] == r && dst[n-3] == r {
			continue
		}
		dst = append(dst, r)
	}
	if n := len(dst); n > 0 && dst[n-1] == ' ' {
		dst = dst[:n-1]
	}
	foldLookalikes(dst)
	return dst, st
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lookalikes maps lower-case Cyrillic and Greek letters that look like
// Latin ones (the usual spam obfuscation "frее mоnеy") to those.
var lookalikes = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j',
	'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ո': 'n', 'ν': 'v', 'ο': 'o', 'α': 'a',
	'ι': 'i', 'κ': 'k', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ε': 'e',
}

// foldLookalikes replaces look-alike letters inside words that also hold
// ASCII letters; words wholly in another script are left alone.
func foldLookalikes(rs []rune) {
	for i := 0; i < len(rs); {
		j, latin, other := i, false, false
		for j < len(rs) && (unicode.IsLetter(rs[j]) || rs[j] >= '0' && rs[j] <= '9') {
			if rs[j] >= 'a' && rs[j] <= 'z' {
				latin = true
			} else if _, ok := lookalikes[rs[j]]; ok {
				other = true
			}
			j++
		}
		if latin && other {
			for k := i; k < j; k++ {
				if r, ok := lookalikes[rs[k]]; ok {
					rs[k] = r
				}
			}
		}
		if j == i {
			j++
		}
		i = j
	}
}

// joinSpacedHosts undoes the usual ways of writing a host so that it is not
// a link: "www . site . com", "site .com", "site. com", "site dot com",
// "site (dot) com" and "site [dot] net" become "site.com" etc. A run of
// space-separated pieces is joined only when the result is a host whose
// last label is a common TLD and whose other labels hold a letter (so
// "1. it is" and "ok . it" stay); short TLDs that are also words ("in",
// "me", "it") need a leading "www".
func joinSpacedHosts(dst, src []rune) []rune {
	dst = dst[:0]
	if !mayHaveSpacedHost(src) {
		return append(dst, src...)
	}
	toks := strings.Split(string(src), " ")
	emit := func(s string) {
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, []rune(s)...)
	}
	for i := 0; i < len(toks); {
		if j, host, ok := spacedHost(toks, i); ok {
			emit(host)
			i = j
			continue
		}
		emit(toks[i])
		i++
	}
	return dst
}

// mayHaveSpacedHost is a cheap filter for joinSpacedHosts: src has a
// space-separated piece that is, or starts with, a TLD after an optional
// dot ("com", ".net/x", "ly/abc"), not at the start — one of spacedTLD, or
// any common TLD when "www" occurs.
func mayHaveSpacedHost(src []rune) bool {
	var b [8]byte
	for i := 1; i < len(src); i++ {
		if src[i-1] != ' ' {
			continue
		}
		j := i
		if src[j] == '.' {
			j++
		}
		n := 0
		for j < len(src) && n < len(b) && src[j] >= 'a' && src[j] <= 'z' {
			b[n] = byte(src[j])
			n++
			j++
		}
		if n >= 2 && n < len(b) && (j == len(src) || src[j] == ' ' || src[j] == '/' || src[j] == '\\' || src[j] == '.' || src[j] == ',' || src[j] == '!') &&
			(spacedTLD[string(b[:n])] || commonTLD[string(b[:n])] && hasWWW(src)) {
			return true
		}
	}
	return false
}

func hasWWW(src []rune) bool {
	for i := 0; i+2 < len(src); i++ {
		if src[i] == 'w' && src[i+1] == 'w' && src[i+2] == 'w' {
			return true
		}
	}
	return false
}

func isDotWord(t string) bool {
	switch t {
	case ".", "dot", "(dot)", "[dot]", "{dot}", "(.)", "[.]":
		return true
	}
	return false
}

func isLabel(t string) bool {
	if t == "" || len(t) > 63 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func hasLetter(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] >= 'a' && t[i] <= 'z' {
			return true
		}
	}
	return false
}

// spacedHost tries to read a spaced-out host starting at toks[i]: pieces
// glued by a dot word ("dot", "(dot)", " . ") or by a dot at the end of one
// piece or the start of the next. It takes the longest run that makes a
// host (see joinSpacedHosts) and returns the index after it and the joined
// text.
func spacedHost(toks []string, i int) (int, string, bool) {
	if !hasLetter(toks[i]) {
		return 0, "", false
	}
	type cand struct {
		j     int
		text  string
		loose bool // glued at a sentence-like "word. word"
	}
	var cands []cand
	cur, loose := toks[i], false
	for j := i + 1; j < len(toks); {
		t := toks[j]
		switch {
		case isDotWord(t) && j+1 < len(toks) && !strings.HasSuffix(cur, "."):
			cur += "." + toks[j+1]
			j += 2
		case strings.HasSuffix(cur, ".") != strings.HasPrefix(t, "."):
			loose = loose || strings.HasSuffix(cur, ".")
			cur += t
			j++
		default:
			j = len(toks) + 1 // stop
			continue
		}
		cands = append(cands, cand{j, cur, loose})
		if strings.ContainsAny(cur, "/?#\\") {
			break
		}
	}
	for k := len(cands) - 1; k >= 0; k-- {
		c := cands[k]
		// "views. com on" reads as a sentence; "www.youtube. com/watch" and
		// "tv. mtvema. com/vote" do not.
		if c.loose && !strings.HasPrefix(c.text, "www.") && !strings.ContainsAny(c.text, "/\\") {
			continue
		}
		if isSpacedHost(c.text) {
			return cands[k].j, cands[k].text, true
		}
	}
	return 0, "", false
}

// isSpacedHost reports whether s (up to a path) is a host made of labels
// with letters ending in a common TLD.
func isSpacedHost(s string) bool {
	h := s
	if k := strings.IndexAny(h, "/?#\\"); k >= 0 {
		h = h[:k]
	}
	h = strings.TrimRight(h, ".,!?;)")
	labels := strings.Split(h, ".")
	if len(labels) < 2 || !commonTLD[labels[len(labels)-1]] {
		return false
	}
	// "the end. in the…", "love it. me too": short TLDs that are also words
	// only count after "www".
	if labels[0] != "www" && !spacedTLD[labels[len(labels)-1]] {
		return false
	}
	for _, l := range labels {
		if !isLabel(l) || !hasLetter(l) {
			return false
		}
	}
	return true
}

// replaceURLs copies src to dst with every URL replaced by urlRune and, when
// sc is not nil, adds the host features of each to sc.text; it returns dst
// and the number of URLs. A URL is
// the part of a space-separated chunk from "http://", "https://" or "www."
// on, or a whole chunk that looks like host.tld[/path] with a common TLD
// ("murdev.com", "on.mtv.com/Ut15kX").
func replaceURLs(dst, src []rune, sc *scratch) ([]rune, int) {
	dst = dst[:0]
	urls := 0
	for i := 0; i < len(src); {
		j := i
		maybe := false
		for j < len(src) && src[j] != ' ' {
			if src[j] == '.' || src[j] == ':' {
				maybe = true
			}
			j++
		}
		chunk := src[i:j]
		if maybe {
			if at, h, video, ok := findURL(string(chunk)); ok {
				dst = append(dst, chunk[:runeIndex(chunk, at)]...)
				if video {
					dst = append(dst, videoRune)
				} else {
					dst = append(dst, urlRune)
					urls++
					if h != "" && sc != nil {
						sc.addHost(h)
					}
				}
				chunk = nil
			}
		}
		dst = append(dst, chunk...)
		if j < len(src) {
			dst = append(dst, ' ')
		}
		i = j + 1
	}
	return dst, urls
}

// isVideoLink reports a link to one YouTube video.
func isVideoLink(u, host string) bool {
	switch host {
	case "youtu.be":
		return true
	case "youtube.com", "m.youtube.com":
		return strings.Contains(u, "/watch?v=") || strings.Contains(u, "/watch?") && strings.Contains(u, "v=")
	}
	return false
}

// runeIndex converts a byte offset in string(rs) to a rune offset.
func runeIndex(rs []rune, byteOff int) int {
	n := 0
	for i, r := range rs {
		if n >= byteOff {
			return i
		}
		n += utf8.RuneLen(r)
	}
	return len(rs)
}

// findURL finds a URL in a lower-cased chunk without spaces: its byte
// offset, its host (without "www.") and whether it links a YouTube video.
func findURL(c string) (at int, host string, video, ok bool) {
	at = -1
	for _, p := range [...]string{"http://", "https://", "www."} {
		if i := strings.Index(c, p); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at >= 0 {
		h := urlHost(c[at:])
		return at, h, isVideoLink(c[at:], h), true
	}
	h := urlHost(c)
	if i := strings.LastIndexByte(h, '.'); i > 0 && commonTLD[h[i+1:]] && validHost(h) && labelsHaveLetters(h[:i]) {
		return 0, h, isVideoLink(c, h), true
	}
	return 0, "", false, false
}

func urlHost(u string) string {
	u = strings.TrimPrefix(u, "http://")
	u = strings.TrimPrefix(u, "https://")
	if i := strings.IndexAny(u, "/?#:\\"); i >= 0 {
		u = u[:i]
	}
	u = strings.TrimPrefix(u, "www.")
	u = strings.TrimRight(u, ".,!?;)]}\"'")
	if !validHost(u) {
		return ""
	}
	return u
}

// labelsHaveLetters reports whether every dot-separated label of s holds a
// letter: "1.it" (a list number) and "2.0.com" are not hosts.
func labelsHaveLetters(s string) bool {
	for _, l := range strings.Split(s, ".") {
		if !hasLetter(l) {
			return false
		}
	}
	return true
}

func validHost(h string) bool {
	if h == "" || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || !strings.Contains(h, ".") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

var commonTLD = map[string]bool{
	"com": true, "net": true, "org": true, "info": true, "biz": true, "ru": true, "de": true,
	"uk": true, "co": true, "us": true, "ly": true, "be": true, "gl": true, "me": true,
	"tv": true, "io": true, "to": true, "cc": true, "fm": true, "gg": true, "ws": true,
	"in": true, "br": true, "fr": true, "es": true, "it": true, "pl": true, "nl": true,
	"eu": true, "xyz": true, "site": true, "online": true, "club": true, "top": true,
}

// spacedTLD are the TLDs a spaced-out host may end in without "www" first.
var spacedTLD = map[string]bool{"com": true, "net": true, "org": true, "info": true, "biz": true, "ru": true, "xyz": true, "ly": true}

// isWordRune reports runes that belong to words.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
	}
	return r != urlRune && r != videoRune && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// isSymbolToken reports runes that are a token on their own: the URL marker
// and symbols such as emoji.
func isSymbolToken(r rune) bool {
	return r == urlRune || r == videoRune || r >= utf8.RuneSelf && unicode.Is(unicode.So, r)
}

// extract fills sc.features for one comment.
func extract(sc *scratch, author, text string) {
	sc.reset()
	var st textStats
	sc.runes, st = normalize(sc.runes, text)
	sc.joined = joinSpacedHosts(sc.joined, sc.runes)
	sc.out, st.urls = replaceURLs(sc.out, sc.joined, sc)
	t := sc.out

	// Words and word bigrams.
	var prev uint32
	havePrev := false
	for i := 0; i < len(t); {
		r := t[i]
		var h uint32
		switch {
		case isWordRune(r):
			h = fnvOffset
			j := i
			for j < len(t) && isWordRune(t[j]) {
				h = hashRune(h, t[j])
				j++
			}
			i = j
		case isSymbolToken(r):
			h = hashRune(fnvOffset, r)
			i++
		default:
			i++
			continue
		}
		sc.text = append(sc.text, bucket(hashRune(hashStart(kindWord), rune(h))))
		if havePrev {
			sc.text = append(sc.text, bucket(hashRune(hashRune(hashStart(kindBigram), rune(prev)), rune(h))))
		}
		prev, havePrev = h, true
	}

	// Character 3-, 4- and 5-grams over " text ", digits folded to '0'.
	if len(t) > 0 {
		var win [5]rune
		fold := func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '0'
			}
			return r
		}
		n := 0
		push := func(r rune) {
			copy(win[:4], win[1:])
			win[4] = fold(r)
			n++
			for k := 3; k <= 5 && k <= n; k++ {
				h := hashStart(kindChar)
				for _, c := range win[5-k:] {
					h = hashRune(h, c)
				}
				sc.chars = append(sc.chars, bucket(h))
			}
		}
		push(' ')
		for _, r := range t {
			push(r)
		}
		push(' ')
	}

	// Author-name tokens.
	sc.runes, _ = normalize(sc.runes, author)
	for i := 0; i < len(sc.runes); {
		if !isWordRune(sc.runes[i]) {
			i++
			continue
		}
		h := hashStart(kindAuthor)
		j := i
		for j < len(sc.runes) && isWordRune(sc.runes[j]) {
			h = hashRune(h, sc.runes[j])
			j++
		}
		sc.author = append(sc.author, bucket(h))
		i = j
	}

	// Meta features.
	if st.urls > 0 {
		sc.meta = append(sc.meta, metaURL)
		sc.intents |= 1 << intentURL
	}
	if st.urls > 1 {
		sc.meta = append(sc.meta, metaURLs2)
		sc.intents |= 1 << intentURLs2
	}
	sc.meta = append(sc.meta, metaLen[min(bits.Len(uint(len(t))), len(metaLen)-1)])
	if st.letters >= 4 {
		share := float64(st.upper) / float64(st.letters)
		k := 3
		switch {
		case share < 0.1:
			k = 0
		case share < 0.3:
			k = 1
		case share < 0.7:
			k = 2
		}
		sc.meta = append(sc.meta, metaCaps[k])
	}
	sc.meta = append(sc.meta, metaDigits[min(bits.Len(uint(st.digits)), len(metaDigits)-1)])
	bait := sc.isBait(t) // leaves t in sc.buf
	if bait {
		sc.meta = append(sc.meta, metaBait)
		sc.intents |= 1 << intentBait
	}
	if bait || promoRe.Match(sc.buf) {
		sc.text = append(sc.text, ctaToken)
		sc.intents |= 1 << intentCTA
	}
	switch {
	case len(sc.runes) == 0:
		sc.meta = append(sc.meta, metaANone)
	case containsDigit(sc.runes):
		sc.meta = append(sc.meta, metaADigit)
	}
}

// baitPhrases ask for likes or thumbs rather than say anything about the
// video ("like this comment if…", "thumbs up if…"), which YouTube's spam
// policy counts as engagement bait.
var baitPhrases = []string{
	"like this comment", "like my comment", "like this if", "like if ", "likes if ", "like for ",
	"thumbs up if", "thumbs up for", "thumb up if", "give it a like", "give this a like",
	"give this comment", "👍 if", "like this post",
}

var baitBytes = func() [][]byte {
	out := make([][]byte, len(baitPhrases))
	for i, p := range baitPhrases {
		out[i] = []byte(p)
	}
	return out
}()

// ctaToken is one text token for a call to action: a request for likes
// (engagement bait) or to look at, subscribe to or follow something of the
// writer's (self-promotion). Both are spam by YouTube's policy, and one
// token lets what the training videos teach about the common one (channel
// promotion) carry over to the other (like-begging), which is rare in some
// videos and frequent in others. It is a text token, weighed 1/√n like the
// words, not a meta feature, so it adds to the words around it instead of
// replacing them.
var ctaToken = bucket(hashString(hashStart(kindMeta), "promo-token"))

// promoRe matches self-promotion in normalised, lower-cased text with every
// URL replaced: a request to look at, subscribe to or follow something the
// writer owns or points to ("check out my channel", "please visit our
// page", "sub me", "take a look at this video on youtube:", which is what
// YouTube's share button writes), or a first-person pointer to the writer's
// own channel, videos, covers or profile ("my new channel"). Of "me", only
// "follow me", "sub me", "subscribe to me" and "add me" count: "you're
// gonna hear me roar" is a lyric.
var promoRe = regexp.MustCompile(`\b(?:check(?:ing)? out|checkout|check|take a look|have a look|look at|look up|watch|visit|see|view|sub to|sub 2|subscribe(?: to)?|subscribing|follow|listen to|come to|go to|click|search|support|share)\W+(?:\w+\W+){0,3}?(?:my|our|this video on|this playlist|this channel)\b` +
	`|\b(?:sub|subscribe to|subscribe|follow|add) me\b` +
	`|\b(?:my|our) (?:(?:new|own|youtube) )*(?:channel|videos?|blog|tracks?|covers?|playlist|profile|website|site|vlogs?|mixtape|soundcloud|instagram|beats|album|page)\b`)

// isBait reports whether t asks for likes. It leaves t, as UTF-8 with one
// trailing space, in sc.buf for promoRe.
func (sc *scratch) isBait(t []rune) bool {
	sc.buf = sc.buf[:0]
	for _, r := range t {
		sc.buf = utf8.AppendRune(sc.buf, r)
	}
	sc.buf = append(sc.buf, ' ')
	for _, p := range baitBytes {
		if bytes.Contains(sc.buf, p) {
			return true
		}
	}
	return false
}

// addHost adds the features of a URL host: the host without "www.", and
// its last two labels when it has more ("on.mtv.com" → "mtv.com").
func (sc *scratch) addHost(h string) {
	sc.text = append(sc.text, bucket(hashString(hashStart(kindHost), h)))
	if i := strings.LastIndexByte(h, '.'); i > 0 {
		if j := strings.LastIndexByte(h[:i], '.'); j >= 0 {
			sc.text = append(sc.text, bucket(hashString(hashStart(kindHost), h[j+1:])))
		}
	}
}

func containsDigit(rs []rune) bool {
	for _, r := range rs {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// NormalizeText returns the text a CommentModel reads from a comment: HTML
// tags removed, entities decoded, invisible characters dropped, white space
// collapsed, lower-cased, and every URL replaced by "<url>" ("<video>" for
// a link to a YouTube video). It is for
// inspection; scoring does the same without building the string.
func NormalizeText(text string) string {
	rs, _ := normalize(nil, text)
	out, _ := replaceURLs(nil, joinSpacedHosts(nil, rs), nil)
	return strings.NewReplacer(string(urlRune), "<url>", string(videoRune), "<video>").Replace(string(out))
}
