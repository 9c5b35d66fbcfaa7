package jetstream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeWire fills w from one message, reading only the fields nanoscout
// uses and skipping every other value without decoding it (embedded images,
// blobs, CIDs, facets' byte ranges…). It is a token-level walk over the
// message rather than reflection-based unmarshalling: the ingest decodes
// every event of the network, and this is a third of the CPU the generic
// decoder took.
//
// It accepts what encoding/json accepts for these fields, with two
// differences that no Jetstream message shows: names match exactly (not
// case-insensitively), and a name written with escapes is an unknown
// field. null stands for an absent value, a value of the wrong type is an
// error, the last of duplicate names wins, and invalid UTF-8 in a string
// is replaced by U+FFFD.
func decodeWire(msg []byte, w *wireEvent) error {
	d := decoders.Get().(*wireDecoder)
	defer decoders.Put(d)
	d.buf = *bytes.NewBuffer(msg)
	d.dec.Reset(&d.buf, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	defer d.buf.Reset()
	dec := &d.dec
	err := object(dec, func(name []byte) error {
		switch string(name) {
		case "did":
			return str(dec, &w.DID)
		case "time_us":
			return integer(dec, &w.TimeUS)
		case "kind":
			return known(dec, &w.Kind, KindCommit, KindIdentity, KindAccount)
		case "commit":
			return optional(dec, &w.Commit, decodeCommit)
		case "identity":
			return optional(dec, &w.Identity, func(dec *jsontext.Decoder, i *wireIdentity) error {
				return object(dec, func(name []byte) error {
					switch string(name) {
					case "did":
						return str(dec, &i.DID)
					case "handle":
						return str(dec, &i.Handle)
					case "time":
						return str(dec, &i.Time)
					}
					return dec.SkipValue()
				})
			})
		case "account":
			return optional(dec, &w.Account, func(dec *jsontext.Decoder, a *wireAccount) error {
				return object(dec, func(name []byte) error {
					switch string(name) {
					case "active":
						return boolean(dec, &a.Active)
					case "did":
						return str(dec, &a.DID)
					case "status":
						return str(dec, &a.Status)
					case "time":
						return str(dec, &a.Time)
					}
					return dec.SkipValue()
				})
			})
		}
		return dec.SkipValue()
	})
	if err != nil {
		return err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return errors.New("data after the event")
	}
	return nil
}

type wireDecoder struct {
	buf bytes.Buffer
	dec jsontext.Decoder
}

var decoders = sync.Pool{New: func() any { return new(wireDecoder) }}

var errType = errors.New("value of the wrong type")

func decodeCommit(dec *jsontext.Decoder, c *wireCommit) error {
	return object(dec, func(name []byte) error {
		switch string(name) {
		case "operation":
			return known(dec, &c.Operation, OpCreate, OpDelete, OpUpdate)
		case "collection":
			return known(dec, &c.Collection, CollectionLike, CollectionPost, CollectionRepost, CollectionFollow)
		case "rkey":
			return str(dec, &c.RKey)
		case "cid":
			return str(dec, &c.CID)
		case "record":
			return optional(dec, &c.Record, decodeRecord)
		}
		return dec.SkipValue()
	})
}

func decodeRecord(dec *jsontext.Decoder, r *wireRecord) error {
	return object(dec, func(name []byte) error {
		switch string(name) {
		case "createdAt":
			return str(dec, &r.CreatedAt)
		case "text":
			return str(dec, &r.Text)
		case "langs":
			return strs(dec, &r.Langs)
		case "tags":
			return strs(dec, &r.Tags)
		case "subject":
			return decodeSubject(dec, &r.Subject)
		case "reply":
			return optional(dec, &r.Reply, func(dec *jsontext.Decoder, rp *wireReply) error {
				return object(dec, func(name []byte) error {
					switch string(name) {
					case "root":
						return decodeRef(dec, &rp.Root)
					case "parent":
						return decodeRef(dec, &rp.Parent)
					}
					return dec.SkipValue()
				})
			})
		case "embed":
			return optional(dec, &r.Embed, func(dec *jsontext.Decoder, e *wireEmbed) error {
				return object(dec, func(name []byte) error {
					switch string(name) {
					case "record":
						return optional(dec, &e.Record, func(dec *jsontext.Decoder, er *wireEmbedRecord) error {
							return object(dec, func(name []byte) error {
								switch string(name) {
								case "uri":
									return str(dec, &er.URI)
								case "record":
									return optional(dec, &er.Record, decodeRef)
								}
								return dec.SkipValue()
							})
						})
					}
					return dec.SkipValue()
				})
			})
		case "facets":
			return array(dec, func() error {
				var f wireFacet
				err := object(dec, func(name []byte) error {
					if string(name) != "features" {
						return dec.SkipValue()
					}
					return array(dec, func() error {
						var ft wireFeature
						err := object(dec, func(name []byte) error {
							switch string(name) {
							case "$type":
								return str(dec, &ft.Type)
							case "tag":
								return str(dec, &ft.Tag)
							}
							return dec.SkipValue()
						})
						f.Features = append(f.Features, ft)
						return err
					})
				})
				r.Facets = append(r.Facets, f)
				return err
			})
		}
		return dec.SkipValue()
	})
}

func decodeRef(dec *jsontext.Decoder, r *ref) error {
	return object(dec, func(name []byte) error {
		if string(name) == "uri" {
			return str(dec, &r.URI)
		}
		return dec.SkipValue()
	})
}

// decodeSubject keeps a like's or repost's strong ref (an object) or a
// follow's DID (a string), and the raw value of anything else for the
// error message.
func decodeSubject(dec *jsontext.Decoder, s *wireSubject) error {
	*s = wireSubject{Present: true}
	switch dec.PeekKind() {
	case '{':
		s.IsRef = true
		return decodeRef(dec, &s.Ref)
	case '"':
		s.IsString = true
		return str(dec, &s.String)
	}
	v, err := dec.ReadValue()
	s.Raw = string(v)
	return err
}

// object reads an object (or null), calling field for each name with the
// decoder positioned at its value; field must consume the value.
func object(dec *jsontext.Decoder, field func(name []byte) error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '{':
	default:
		return fmt.Errorf("%w: %s where an object belongs", errType, tok.Kind())
	}
	var unq []byte
	for dec.PeekKind() != '}' {
		v, err := dec.ReadValue() // the quoted name
		if err != nil {
			return err
		}
		name := v[1 : len(v)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			if unq, err = jsontext.AppendUnquote(unq[:0], v); err != nil {
				return err
			}
			name = append([]byte{0}, unq...) // escaped names match no field
		}
		if err := field(name); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}

// array reads an array (or null), calling elem for each element.
func array(dec *jsontext.Decoder, elem func() error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '[':
	default:
		return fmt.Errorf("%w: %s where an array belongs", errType, tok.Kind())
	}
	for dec.PeekKind() != ']' {
		if err := elem(); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}

// optional decodes an object into *p (new when nil); null sets it to nil.
func optional[T any](dec *jsontext.Decoder, p **T, fill func(*jsontext.Decoder, *T) error) error {
	if dec.PeekKind() == 'n' {
		*p = nil
		_, err := dec.ReadToken()
		return err
	}
	if *p == nil {
		*p = new(T)
	}
	return fill(dec, *p)
}

func str(dec *jsontext.Decoder, s *string) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '"':
		*s = tok.String()
		if !utf8.ValidString(*s) {
			*s = string([]rune(*s)) // U+FFFD for each invalid byte, as encoding/json does
		}
		return nil
	}
	return fmt.Errorf("%w: %s where a string belongs", errType, tok.Kind())
}

// known is str for values that are mostly one of a few constants: those
// are not copied.
func known(dec *jsontext.Decoder, s *string, consts ...string) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		return nil
	case '"':
		raw := v[1 : len(v)-1]
		for _, c := range consts {
			if string(raw) == c {
				*s = c
				return nil
			}
		}
		b, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return err
		}
		*s = string(b)
		if !utf8.ValidString(*s) {
			*s = string([]rune(*s))
		}
		return nil
	}
	return fmt.Errorf("%w: %s where a string belongs", errType, v.Kind())
}

func strs(dec *jsontext.Decoder, out *[]string) error {
	if dec.PeekKind() == 'n' {
		*out = nil
		_, err := dec.ReadToken()
		return err
	}
	*out = (*out)[:0]
	if *out == nil {
		*out = []string{}
	}
	return array(dec, func() error {
		var s string
		err := str(dec, &s)
		*out = append(*out, s)
		return err
	})
}

func integer(dec *jsontext.Decoder, n *int64) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		return nil
	case '0':
		x, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %s is not an int64", errType, v)
		}
		*n = x
		return nil
	}
	return fmt.Errorf("%w: %s where a number belongs", errType, v.Kind())
}

func boolean(dec *jsontext.Decoder, b *bool) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case 't', 'f':
		*b = tok.Bool()
		return nil
	}
	return fmt.Errorf("%w: %s where a boolean belongs", errType, tok.Kind())
}
