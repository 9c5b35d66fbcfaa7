package jetstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// scanner reads one JSON message in place: the grammar checked as
// encoding/json checks it (strings, numbers, literals, nesting, nothing
// after the value), values the decoder does not use skipped without
// decoding, the strings it uses sliced out of the message (copied once
// into a Go string; the rare ones with escapes unquoted by encoding/json).
type scanner struct {
	b     []byte
	i     int
	depth int
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

func (s *scanner) syntax(what string) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("%w: unexpected end of input, want %s", errSyntax, what)
	}
	return fmt.Errorf("%w: %q at offset %d, want %s", errSyntax, s.b[s.i], s.i, what)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte's kind: '{', '[', '"',
// 'n', 't', 'f', '0' for a number, '}', ']', or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	switch c := s.b[s.i]; c {
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	default:
		return c
	}
}

// literal consumes null, true or false.
func (s *scanner) literal(lit string) error {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return s.syntax(lit)
	}
	s.i += len(lit)
	return nil
}

// rawString consumes a string and returns what is between its quotes,
// and whether it has escapes or bytes above ASCII.
func (s *scanner) rawString() (raw []byte, escaped, high bool, err error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false, s.syntax("a string")
	}
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return s.b[start:i], escaped, high, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(s.b) {
				s.i = i
				return nil, false, false, s.syntax("an escape")
			}
			switch s.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.b) {
					s.i = len(s.b)
					return nil, false, false, s.syntax("four hex digits")
				}
				for _, h := range s.b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						s.i = i
						return nil, false, false, s.syntax("four hex digits")
					}
				}
				i += 4
			default:
				s.i = i
				return nil, false, false, s.syntax("an escape")
			}
		case c < 0x20:
			s.i = i
			return nil, false, false, s.syntax("no control character in a string")
		case c >= 0x80:
			high = true
		}
	}
	s.i = len(s.b)
	return nil, false, false, s.syntax(`the closing '"'`)
}

// stringValue is rawString decoded as encoding/json decodes strings
// (invalid UTF-8 replaced by U+FFFD).
func stringValue(raw []byte, escaped, high bool) (string, error) {
	if escaped {
		var v string
		q := make([]byte, 0, len(raw)+2)
		q = append(append(append(q, '"'), raw...), '"')
		err := json.Unmarshal(q, &v)
		return v, err
	}
	if high && !utf8.Valid(raw) {
		return string([]rune(string(raw))), nil
	}
	return string(raw), nil
}

// number consumes a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		return nil, s.syntax("a digit")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return nil, s.syntax("a digit")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return nil, s.syntax("a digit")
		}
	}
	return s.b[start:s.i], nil
}

// skip consumes any value.
func (s *scanner) skip() error {
	switch s.peek() {
	case '"':
		_, _, _, err := s.rawString()
		return err
	case '0':
		_, err := s.number()
		return err
	case 'n':
		return s.literal("null")
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case '{':
		return s.object(func([]byte) error { return s.skip() })
	case '[':
		return s.array(s.skip)
	}
	return s.syntax("a value")
}

// value consumes any value and returns its text.
func (s *scanner) value() ([]byte, error) {
	s.ws()
	start := s.i
	err := s.skip()
	return s.b[start:s.i], err
}

// object consumes an object (or null), calling field for each name with
// the scanner at its value; field must consume the value. A name written
// with escapes is passed with a leading 0 byte (it matches no field).
func (s *scanner) object(field func(name []byte) error) error {
	switch s.peek() {
	case 'n':
		return s.literal("null")
	case '{':
	case 0, '}', ']':
		return s.syntax("a value")
	default:
		return fmt.Errorf("%w: %q where an object belongs", errType, s.b[s.i])
	}
	if s.depth++; s.depth > maxDepth {
		return fmt.Errorf("%w: nested too deep", errSyntax)
	}
	defer func() { s.depth-- }()
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		name, escaped, _, err := s.rawString()
		if err != nil {
			return err
		}
		if escaped {
			name = append([]byte{0}, name...)
		}
		if s.peek() != ':' {
			return s.syntax("':'")
		}
		s.i++
		if err := field(name); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.syntax("',' or '}'")
		}
	}
}

// array consumes an array (or null), calling elem for each element.
func (s *scanner) array(elem func() error) error {
	switch s.peek() {
	case 'n':
		return s.literal("null")
	case '[':
	case 0, '}', ']':
		return s.syntax("a value")
	default:
		return fmt.Errorf("%w: %q where an array belongs", errType, s.b[s.i])
	}
	if s.depth++; s.depth > maxDepth {
		return fmt.Errorf("%w: nested too deep", errSyntax)
	}
	defer func() { s.depth-- }()
	s.i++
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.syntax("',' or ']'")
		}
	}
}
