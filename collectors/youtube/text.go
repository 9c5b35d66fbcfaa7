package youtube

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

var (
	urlRE = regexp.MustCompile(`https?://[^\s<>"'()\[\]{}]+`)
	// hashtagRE finds #words not glued to a word, an entity (&#39;) or a URL
	// fragment (/#x).
	hashtagRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_#&/])#([\p{L}\p{M}\p{N}_]+)`)
	tagRE     = regexp.MustCompile(`(?i)<br\s*/?>|<[^>]*>`)
)

// links returns the http(s) URLs in a plain-text description, in order and
// without duplicates, trailing punctuation dropped.
func links(s string) []string {
	var out []string
	for _, u := range urlRE.FindAllString(s, -1) {
		u = strings.TrimRight(u, ".,;:!?…")
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// hashtags returns the video's tags and the #words of its text, lower-case,
// without '#', in order and without duplicates. A #word of digits only
// (a list number such as "#5") is not a hashtag.
func hashtags(tags []string, text string) []string {
	var out []string
	add := func(t string) {
		t = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "#")))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, t := range tags {
		add(t)
	}
	for _, m := range hashtagRE.FindAllStringSubmatch(text, -1) {
		if strings.IndexFunc(m[1], func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			add(m[1])
		}
	}
	return out
}

// htmlText turns a comment's textDisplay (HTML with <a> and <br>) into plain
// text.
func htmlText(s string) string {
	s = tagRE.ReplaceAllStringFunc(s, func(tag string) string {
		if strings.HasPrefix(strings.ToLower(tag), "<br") {
			return "\n"
		}
		return ""
	})
	return strings.TrimSpace(html.UnescapeString(s))
}

// stripTags removes HTML tags and entities from an error message.
func stripTags(s string) string {
	return strings.Join(strings.Fields(htmlText(s)), " ")
}
