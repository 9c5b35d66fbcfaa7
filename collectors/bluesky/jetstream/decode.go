package jetstream

import (
	"errors"
	"fmt"
	"strconv"
)

// decodeWire fills w from one message, reading only the fields nanoscout
// uses and skipping every other value without decoding it (embedded images,
// blobs, CIDs, facets' byte ranges…). It is a walk over the message in
// place (scanner) rather than reflection-based unmarshalling: the ingest
// decodes every event of the network.
//
// It accepts what encoding/json accepts for these fields, with two
// differences that no Jetstream message shows: names match exactly (not
// case-insensitively), and a name written with escapes is an unknown
// field. null stands for an absent value, a value of the wrong type is an
// error, the last of duplicate names wins, and invalid UTF-8 in a string
// is replaced by U+FFFD.
func decodeWire(msg []byte, w *wireEvent) error {
	dec := &scanner{b: msg}
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
			return optional(dec, &w.Identity, func(dec *scanner, i *wireIdentity) error {
				return object(dec, func(name []byte) error {
					switch string(name) {
					case "did":
						return str(dec, &i.DID)
					case "handle":
						return str(dec, &i.Handle)
					case "time":
						return str(dec, &i.Time)
					}
					return dec.skip()
				})
			})
		case "account":
			return optional(dec, &w.Account, func(dec *scanner, a *wireAccount) error {
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
					return dec.skip()
				})
			})
		}
		return dec.skip()
	})
	if err != nil {
		return err
	}
	if dec.peek() != 0 {
		return dec.syntax("the end of the message")
	}
	return nil
}

var errType = errors.New("value of the wrong type")

func decodeCommit(dec *scanner, c *wireCommit) error {
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
		return dec.skip()
	})
}

func decodeRecord(dec *scanner, r *wireRecord) error {
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
			return optional(dec, &r.Reply, func(dec *scanner, rp *wireReply) error {
				return object(dec, func(name []byte) error {
					switch string(name) {
					case "root":
						return decodeRef(dec, &rp.Root)
					case "parent":
						return decodeRef(dec, &rp.Parent)
					}
					return dec.skip()
				})
			})
		case "embed":
			return optional(dec, &r.Embed, func(dec *scanner, e *wireEmbed) error {
				return object(dec, func(name []byte) error {
					switch string(name) {
					case "record":
						return optional(dec, &e.Record, func(dec *scanner, er *wireEmbedRecord) error {
							return object(dec, func(name []byte) error {
								switch string(name) {
								case "uri":
									return str(dec, &er.URI)
								case "record":
									return optional(dec, &er.Record, decodeRef)
								}
								return dec.skip()
							})
						})
					}
					return dec.skip()
				})
			})
		case "facets":
			return array(dec, func() error {
				var f wireFacet
				err := object(dec, func(name []byte) error {
					if string(name) != "features" {
						return dec.skip()
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
							return dec.skip()
						})
						f.Features = append(f.Features, ft)
						return err
					})
				})
				r.Facets = append(r.Facets, f)
				return err
			})
		}
		return dec.skip()
	})
}

func decodeRef(dec *scanner, r *ref) error {
	return object(dec, func(name []byte) error {
		if string(name) == "uri" {
			return str(dec, &r.URI)
		}
		return dec.skip()
	})
}

// decodeSubject keeps a like's or repost's strong ref (an object) or a
// follow's DID (a string), and the raw value of anything else for the
// error message.
func decodeSubject(dec *scanner, s *wireSubject) error {
	*s = wireSubject{Present: true}
	switch dec.peek() {
	case '{':
		s.IsRef = true
		return decodeRef(dec, &s.Ref)
	case '"':
		s.IsString = true
		return str(dec, &s.String)
	}
	v, err := dec.value()
	s.Raw = string(v)
	return err
}

func object(dec *scanner, field func(name []byte) error) error { return dec.object(field) }

func array(dec *scanner, elem func() error) error { return dec.array(elem) }

// optional decodes an object into *p (new when nil); null sets it to nil.
func optional[T any](dec *scanner, p **T, fill func(*scanner, *T) error) error {
	if dec.peek() == 'n' {
		*p = nil
		return dec.literal("null")
	}
	if *p == nil {
		*p = new(T)
	}
	return fill(dec, *p)
}

func str(dec *scanner, s *string) error {
	switch dec.peek() {
	case 'n':
		return dec.literal("null")
	case '"':
		raw, escaped, high, err := dec.rawString()
		if err != nil {
			return err
		}
		*s, err = stringValue(raw, escaped, high)
		return err
	case 0, '}', ']', ',', ':':
		return dec.syntax("a value")
	}
	return typeError(dec, "a string")
}

// typeError reports a value of the wrong type, after checking it is a
// value (a syntax error comes first, as with encoding/json).
func typeError(dec *scanner, want string) error {
	v, err := dec.value()
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: %.20s where %s belongs", errType, v, want)
}

// known is str for values that are mostly one of a few constants: those
// are not copied.
func known(dec *scanner, s *string, consts ...string) error {
	if dec.peek() == '"' {
		raw, escaped, high, err := dec.rawString()
		if err != nil {
			return err
		}
		if !escaped {
			for _, c := range consts {
				if string(raw) == c {
					*s = c
					return nil
				}
			}
		}
		*s, err = stringValue(raw, escaped, high)
		return err
	}
	return str(dec, s)
}

func strs(dec *scanner, out *[]string) error {
	if dec.peek() == 'n' {
		*out = nil
		return dec.literal("null")
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

func integer(dec *scanner, n *int64) error {
	switch dec.peek() {
	case 'n':
		return dec.literal("null")
	case '0':
		v, err := dec.number()
		if err != nil {
			return err
		}
		x, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %s is not an int64", errType, v)
		}
		*n = x
		return nil
	case 0, '}', ']', ',', ':':
		return dec.syntax("a value")
	}
	return typeError(dec, "a number")
}

func boolean(dec *scanner, b *bool) error {
	switch dec.peek() {
	case 'n':
		return dec.literal("null")
	case 't':
		*b = true
		return dec.literal("true")
	case 'f':
		*b = false
		return dec.literal("false")
	case 0, '}', ']', ',', ':':
		return dec.syntax("a value")
	}
	return typeError(dec, "a boolean")
}
