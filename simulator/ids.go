package simulator

import (
	"strconv"
	"strings"
)

// Identifiers carry the account index recoverably, so any id or handle a
// client holds resolves back to a generated account without a lookup table:
//
//   - Bluesky DID: "did:plc:" + 24 chars of lowercase RFC 4648 base32 (120
//     bits): a 56-bit check word followed by a Feistel permutation (keyed by
//     seed and platform) of (kind<<40 | index). Decoding inverts the
//     permutation and re-derives the check word, so made-up DIDs do not resolve.
//   - Bluesky post rkey: a real-format TID (13 chars base32-sortable: 53-bit
//     microsecond timestamp + 10-bit clock id). The DID names the account, the
//     timestamp names the post slot.
//   - Mastodon ids: snowflakes like the real ones, (unix ms << 16 | 16 bits),
//     with the low 16 bits of the account payload in the low bits and the rest
//     folded into the millisecond field (see msCode).

const (
	b32sortable = "234567abcdefghijklmnopqrstuvwxyz"
	b32lower    = "abcdefghijklmnopqrstuvwxyz234567"
)

// payload numbers accounts across kinds: creators first, then the audience.
const audienceBase = 1 << 17

func (r acctRef) payload() uint64 {
	if r.kind == kindAudience {
		return audienceBase + uint64(r.idx)
	}
	return uint64(r.idx)
}

func refFromPayload(p uint64) acctRef {
	if p >= audienceBase {
		return acctRef{kind: kindAudience, idx: int(p - audienceBase)}
	}
	return acctRef{kind: kindCreator, idx: int(p)}
}

// msCode is the millisecond-of-second that carries payload bits 16.. of an
// account (up to 66 values, times 15 free values from h).
func msCode(payload, h uint64) int64 {
	return int64((payload>>16)*15 + h%15)
}

// payloadFromSnowflake undoes msCode for a Mastodon id.
func payloadFromSnowflake(id uint64) uint64 {
	ms := id >> 16
	return ((ms%1000)/15)<<16 | (id & 0xffff)
}

func snowflake(ms int64, payload uint64) uint64 {
	return uint64(ms)<<16 | (payload & 0xffff)
}

// tid encodes a microsecond timestamp and clock id as an atproto TID.
func tid(us int64, clock uint64) string {
	v := uint64(us)<<10 | (clock & 1023)
	v &^= 1 << 63
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = b32sortable[v&31]
		v >>= 5
	}
	return string(b[:])
}

// parseTID decodes a TID.
func parseTID(s string) (us int64, clock uint64, ok bool) {
	if len(s) != 13 {
		return 0, 0, false
	}
	var v uint64
	for i := 0; i < 13; i++ {
		c := strings.IndexByte(b32sortable, s[i])
		if c < 0 {
			return 0, 0, false
		}
		v = v<<5 | uint64(c)
	}
	if v>>63 != 0 {
		return 0, 0, false
	}
	return int64(v >> 10), v & 1023, true
}

// feistel permutes 64 bits with four keyed rounds; inverse undoes it.
func feistel(key, v uint64) uint64 {
	l, r := uint32(v>>32), uint32(v)
	for round := uint64(0); round < 4; round++ {
		l, r = r, l^uint32(hashv(key, tagFeistel, round, uint64(r)))
	}
	return uint64(l)<<32 | uint64(r)
}

func feistelInverse(key, v uint64) uint64 {
	l, r := uint32(v>>32), uint32(v)
	for round := uint64(4); round > 0; round-- {
		l, r = r^uint32(hashv(key, tagFeistel, round-1, uint64(l))), l
	}
	return uint64(l)<<32 | uint64(r)
}

const mask56 = 1<<56 - 1

// did encodes an account as a did:plc.
func did(key uint64, ref acctRef) string {
	lo := feistel(key, uint64(ref.kind)<<40|uint64(ref.idx))
	hi := hashv(key, tagCheck, lo) & mask56
	var b [24]byte
	for c := 0; c < 24; c++ {
		var v uint64
		for bit := 0; bit < 5; bit++ {
			p := 119 - (c*5 + bit) // bit position, MSB first
			var x uint64
			if p >= 64 {
				x = (hi >> (p - 64)) & 1
			} else {
				x = (lo >> p) & 1
			}
			v = v<<1 | x
		}
		b[c] = b32lower[v]
	}
	return "did:plc:" + string(b[:])
}

// parseDID decodes a DID made by did.
func parseDID(key uint64, s string) (acctRef, bool) {
	body, ok := strings.CutPrefix(s, "did:plc:")
	if !ok || len(body) != 24 {
		return acctRef{}, false
	}
	var hi, lo uint64
	for c := 0; c < 24; c++ {
		v := strings.IndexByte(b32lower, body[c])
		if v < 0 {
			return acctRef{}, false
		}
		for bit := 0; bit < 5; bit++ {
			p := 119 - (c*5 + bit)
			x := uint64(v>>(4-bit)) & 1
			if p >= 64 {
				hi |= x << (p - 64)
			} else {
				lo |= x << p
			}
		}
	}
	if hi != hashv(key, tagCheck, lo)&mask56 {
		return acctRef{}, false
	}
	v := feistelInverse(key, lo)
	kind := v >> 40
	if kind > uint64(kindAudience) {
		return acctRef{}, false
	}
	return acctRef{kind: uint8(kind), idx: int(v & (1<<40 - 1))}, true
}

// cid makes a CIDv1-looking string ("bafyrei…" for records, "bafkrei…" for blobs).
func cid(prefix string, key uint64) string {
	var b strings.Builder
	b.Grow(59)
	b.WriteString(prefix)
	r := newRNG(hashv(key, tagCID))
	for b.Len() < 59 {
		b.WriteByte(b32lower[r.next()&31])
	}
	return b.String()
}

// trailingNumber splits "name123" into "name" and 123.
func trailingNumber(s string) (string, int, bool) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || len(s)-i > 9 {
		return s, 0, false
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil {
		return s, 0, false
	}
	return s[:i], n, true
}
