package jetstream

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// parsers hands each decoding goroutine a fastjson.Parser of its own (a
// Parser is not safe for concurrent use) and keeps it, with its buffers,
// for the next message.
var parsers fastjson.ParserPool

// decodeWire fills w from one message, reading only the fields nanoscout
// uses: github.com/valyala/fastjson checks the grammar (Validate: strict,
// as encoding/json checks it) and parses the message into a reused
// Parser's value tree, and the walk below copies the used strings out of
// it before the Parser goes back to the pool. Everything else (embedded
// images, blobs, CIDs, facets' byte ranges…) is left unread.
//
// The fields get the values encoding/json gives the tagged wire structs:
// null stands for an absent value (it leaves a value as it was, and sets
// a pointer or slice to nil), a value of the wrong type is an error, the
// last of duplicate names wins (objects and arrays decode into what the
// earlier ones left), and invalid UTF-8 in a string becomes U+FFFD. It
// differs from encoding/json in three ways no Jetstream message shows
// (Jetstream writes its JSON with Go's encoding/json from valid UTF-8):
// names match exactly, not case-insensitively; an escaped UTF-16
// surrogate that is not half of a pair (\ud800 alone) stays as written
// instead of becoming U+FFFD; and values nested more than
// fastjson.MaxDepth (300) deep are an error.
func decodeWire(msg []byte, w *wireEvent) error {
	if err := fastjson.ValidateBytes(msg); err != nil {
		return err
	}
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(msg)
	if err != nil {
		return err
	}
	return decodeEvent(v, w)
}

var (
	kinds       = []string{KindCommit, KindIdentity, KindAccount}
	operations  = []string{OpCreate, OpDelete, OpUpdate}
	collections = []string{CollectionLike, CollectionPost, CollectionRepost, CollectionFollow}
)

func decodeEvent(v *fastjson.Value, w *wireEvent) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "did":
			return str(v, &w.DID)
		case "time_us":
			return integer(v, &w.TimeUS)
		case "kind":
			return known(v, &w.Kind, kinds)
		case "commit":
			return optional(v, &w.Commit, decodeCommit)
		case "identity":
			return optional(v, &w.Identity, decodeIdentity)
		case "account":
			return optional(v, &w.Account, decodeAccount)
		}
		return nil
	})
}

func decodeIdentity(v *fastjson.Value, i *wireIdentity) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "did":
			return str(v, &i.DID)
		case "handle":
			return str(v, &i.Handle)
		case "time":
			return str(v, &i.Time)
		}
		return nil
	})
}

func decodeAccount(v *fastjson.Value, a *wireAccount) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "active":
			return boolean(v, &a.Active)
		case "did":
			return str(v, &a.DID)
		case "status":
			return str(v, &a.Status)
		case "time":
			return str(v, &a.Time)
		}
		return nil
	})
}

func decodeCommit(v *fastjson.Value, c *wireCommit) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "operation":
			return known(v, &c.Operation, operations)
		case "collection":
			return known(v, &c.Collection, collections)
		case "rkey":
			return str(v, &c.RKey)
		case "cid":
			return str(v, &c.CID)
		case "record":
			return optional(v, &c.Record, decodeRecord)
		}
		return nil
	})
}

func decodeRecord(v *fastjson.Value, r *wireRecord) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "createdAt":
			return str(v, &r.CreatedAt)
		case "text":
			return str(v, &r.Text)
		case "langs":
			return slice(v, &r.Langs, str)
		case "tags":
			return slice(v, &r.Tags, str)
		case "subject":
			return decodeSubject(v, &r.Subject)
		case "reply":
			return optional(v, &r.Reply, decodeReply)
		case "embed":
			return optional(v, &r.Embed, decodeEmbed)
		case "facets":
			return slice(v, &r.Facets, decodeFacet)
		}
		return nil
	})
}

func decodeReply(v *fastjson.Value, rp *wireReply) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "root":
			return decodeRef(v, &rp.Root)
		case "parent":
			return decodeRef(v, &rp.Parent)
		}
		return nil
	})
}

func decodeEmbed(v *fastjson.Value, e *wireEmbed) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		if string(name) == "record" {
			return optional(v, &e.Record, decodeEmbedRecord)
		}
		return nil
	})
}

func decodeEmbedRecord(v *fastjson.Value, er *wireEmbedRecord) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "uri":
			return str(v, &er.URI)
		case "record":
			return optional(v, &er.Record, decodeRef)
		}
		return nil
	})
}

func decodeFacet(v *fastjson.Value, f *wireFacet) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		if string(name) == "features" {
			return slice(v, &f.Features, decodeFeature)
		}
		return nil
	})
}

func decodeFeature(v *fastjson.Value, ft *wireFeature) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		switch string(name) {
		case "$type":
			return str(v, &ft.Type)
		case "tag":
			return str(v, &ft.Tag)
		}
		return nil
	})
}

func decodeRef(v *fastjson.Value, r *ref) error {
	return object(v, func(name []byte, v *fastjson.Value) error {
		if string(name) == "uri" {
			return str(v, &r.URI)
		}
		return nil
	})
}

// decodeSubject keeps a like's or repost's strong ref (an object with a
// string uri) or a follow's DID (a string), and anything else, written
// back as JSON, for the error message.
func decodeSubject(v *fastjson.Value, s *wireSubject) error {
	*s = wireSubject{Present: true}
	switch v.Type() {
	case fastjson.TypeObject:
		var r ref
		if decodeRef(v, &r) == nil {
			s.IsRef, s.Ref = true, r
			return nil
		}
	case fastjson.TypeString:
		s.IsString = true
		return str(v, &s.String)
	}
	s.Raw = v.String()
	return nil
}

var errType = errors.New("value of the wrong type")

func typeError(v *fastjson.Value, want string) error {
	return fmt.Errorf("%w: %s where %s belongs", errType, v.Type(), want)
}

// object calls field for each name and value of an object, in order; null
// leaves everything as it was.
func object(v *fastjson.Value, field func(name []byte, v *fastjson.Value) error) error {
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeObject:
	default:
		return typeError(v, "an object")
	}
	o, _ := v.Object()
	var err error
	o.Visit(func(name []byte, v *fastjson.Value) {
		if err == nil {
			err = field(name, v)
		}
	})
	return err
}

// optional decodes an object into *p (new when nil); null sets it to nil.
func optional[T any](v *fastjson.Value, p **T, fill func(*fastjson.Value, *T) error) error {
	switch v.Type() {
	case fastjson.TypeNull:
		*p = nil
		return nil
	case fastjson.TypeObject:
	default:
		return typeError(v, "an object")
	}
	if *p == nil {
		*p = new(T)
	}
	return fill(v, *p)
}

// slice decodes an array into *out element by element, reusing the
// elements (and the capacity) a duplicate name left, as encoding/json
// does; null sets it to nil, [] to an empty slice.
func slice[T any](v *fastjson.Value, out *[]T, elem func(*fastjson.Value, *T) error) error {
	switch v.Type() {
	case fastjson.TypeNull:
		*out = nil
		return nil
	case fastjson.TypeArray:
	default:
		return typeError(v, "an array")
	}
	a, _ := v.Array()
	s := *out
	if s == nil && len(a) == 0 {
		*out = []T{}
		return nil
	}
	for i, e := range a {
		switch {
		case i < len(s):
		case i < cap(s):
			s = s[:i+1]
		default:
			var zero T
			s = append(s, zero)
		}
		if err := elem(e, &s[i]); err != nil {
			*out = s
			return err
		}
	}
	*out = s[:len(a)]
	return nil
}

func str(v *fastjson.Value, s *string) error {
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		*s = text(b)
		return nil
	}
	return typeError(v, "a string")
}

// known is str for values that are mostly one of a few constants: those
// are not copied.
func known(v *fastjson.Value, s *string, consts []string) error {
	if v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		for _, c := range consts {
			if string(b) == c {
				*s = c
				return nil
			}
		}
	}
	return str(v, s)
}

// text copies b out of the parser's buffer, each byte of invalid UTF-8
// replaced by U+FFFD as encoding/json replaces it.
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}

func integer(v *fastjson.Value, n *int64) error {
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeNumber:
		x, err := v.Int64()
		if err != nil {
			return fmt.Errorf("%w: %s is not an int64", errType, v)
		}
		*n = x
		return nil
	}
	return typeError(v, "a number")
}

func boolean(v *fastjson.Value, b *bool) error {
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeTrue:
		*b = true
		return nil
	case fastjson.TypeFalse:
		*b = false
		return nil
	}
	return typeError(v, "a boolean")
}
