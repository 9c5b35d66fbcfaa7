package mastodon

import (
	"html"
	"strings"
)

// HTMLToText turns the sanitised HTML Mastodon serves in status content and
// account notes into plain text. Tags are dropped and their text kept (so a
// link shortened with <span class="invisible"> parts reads as the full URL),
// <br> becomes a newline, paragraph-like blocks are separated by a blank line,
// and entities are unescaped with html.UnescapeString.
func HTMLToText(s string) string {
	var b strings.Builder
	walkHTML(s, func(text string) {
		b.WriteString(html.UnescapeString(text))
	}, func(name string, closing bool, _ string) {
		switch name {
		case "br":
			b.WriteString("\n")
		case "p", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6":
			if closing {
				b.WriteString("\n\n")
			} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
				b.WriteString("\n\n")
			}
		case "li":
			if closing {
				b.WriteString("\n")
			}
		}
	})
	return tidyLines(b.String())
}

// hrefs returns the href of every <a> element in s, unescaped, in order and
// without duplicates.
func hrefs(s string) []string {
	var out []string
	walkHTML(s, func(string) {}, func(name string, closing bool, attrs string) {
		if name != "a" || closing {
			return
		}
		h := strings.TrimSpace(attr(attrs, "href"))
		if h == "" {
			return
		}
		for _, seen := range out {
			if seen == h {
				return
			}
		}
		out = append(out, h)
	})
	return out
}

// tidyLines trims spaces at line ends, keeps at most one blank line in a row
// and trims the whole text.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// walkHTML calls text for each run of character data (still escaped) and tag
// for each start or end tag, with its lower-case name and raw attributes.
// Comments and declarations are skipped. A '<' that does not open a tag is
// text. It is a small scanner for Mastodon's sanitised HTML, not a full parser.
func walkHTML(s string, text func(string), tag func(name string, closing bool, attrs string)) {
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			text(s)
			return
		}
		if i > 0 {
			text(s[:i])
			s = s[i:]
		}
		// s starts with '<'.
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s[4:], "-->")
			if end < 0 {
				return
			}
			s = s[4+end+3:]
			continue
		}
		rest := s[1:]
		closing := strings.HasPrefix(rest, "/")
		if closing {
			rest = rest[1:]
		}
		if rest == "" || !(isLetter(rest[0]) || (!closing && rest[0] == '!')) {
			text("<")
			s = s[1:]
			continue
		}
		end := tagEnd(rest)
		if end < 0 {
			text(s)
			return
		}
		body := rest[:end]
		s = rest[end+1:]
		if body[0] == '!' || body[0] == '?' {
			continue // <!doctype …>
		}
		n := 0
		for n < len(body) && (isLetter(body[n]) || (body[n] >= '0' && body[n] <= '9')) {
			n++
		}
		tag(strings.ToLower(body[:n]), closing, strings.TrimSuffix(strings.TrimSpace(body[n:]), "/"))
	}
}

// tagEnd finds the '>' closing a tag, skipping quoted attribute values.
func tagEnd(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

// attr returns the unescaped value of attribute name in a raw attribute list.
func attr(attrs, name string) string {
	s := attrs
	for {
		s = strings.TrimLeft(s, " \t\r\n/")
		if s == "" {
			return ""
		}
		k := 0
		for k < len(s) && !strings.ContainsRune(" \t\r\n=/>", rune(s[k])) {
			k++
		}
		key := strings.ToLower(s[:k])
		s = strings.TrimLeft(s[k:], " \t\r\n")
		val := ""
		if strings.HasPrefix(s, "=") {
			s = strings.TrimLeft(s[1:], " \t\r\n")
			if s != "" && (s[0] == '"' || s[0] == '\'') {
				q := s[0]
				end := strings.IndexByte(s[1:], q)
				if end < 0 {
					val, s = s[1:], ""
				} else {
					val, s = s[1:1+end], s[1+end+1:]
				}
			} else {
				v := 0
				for v < len(s) && !strings.ContainsRune(" \t\r\n", rune(s[v])) {
					v++
				}
				val, s = s[:v], s[v:]
			}
		}
		if key == name {
			return html.UnescapeString(val)
		}
		if k == 0 && val == "" {
			s = s[min(1, len(s)):] // stray character: skip it
		}
	}
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
