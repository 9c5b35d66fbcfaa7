package simulator

import (
	"bytes"
	"encoding/json"
	"math"
)

// Wire format of Jetstream events, field order as in the service's output
// (shared/fixtures/bluesky/jetstream_events.jsonl).

type jsFrame struct {
	Did      string          `json:"did"`
	TimeUS   int64           `json:"time_us"`
	Kind     string          `json:"kind"`
	Commit   *jsCommit       `json:"commit,omitempty"`
	Identity *jsIdentityBody `json:"identity,omitempty"`
	Account  *jsAccountBody  `json:"account,omitempty"`
}

type jsCommit struct {
	Rev        string `json:"rev"`
	Operation  string `json:"operation"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	Record     any    `json:"record,omitempty"`
	CID        string `json:"cid,omitempty"`
}

type jsIdentityBody struct {
	Did    string `json:"did"`
	Handle string `json:"handle"`
	Seq    int64  `json:"seq"`
	Time   string `json:"time"`
}

type jsAccountBody struct {
	Active bool   `json:"active"`
	Did    string `json:"did"`
	Seq    int64  `json:"seq"`
	Status string `json:"status,omitempty"`
	Time   string `json:"time"`
}

// Records are rendered with their keys in lexicographic order, as
// Jetstream's CBOR-to-JSON conversion writes them.

type subjectRecord struct {
	Type      string        `json:"$type"`
	CreatedAt string        `json:"createdAt"`
	Subject   bskyStrongRef `json:"subject"`
}

type followRecord struct {
	Type      string `json:"$type"`
	CreatedAt string `json:"createdAt"`
	Subject   string `json:"subject"`
}

type embedRecord struct {
	Type   string        `json:"$type"`
	Record bskyStrongRef `json:"record"`
}

// jsRenderer turns compact events into frames; it keeps a small cache of
// account headers (bounded, so memory stays flat).
type jsRenderer struct {
	b     *bsky
	cache [1024]*account
	buf   bytes.Buffer
}

func newJSRenderer(b *bsky) *jsRenderer { return &jsRenderer{b: b} }

func (r *jsRenderer) account(ref acctRef) *account {
	i := hashv(uint64(ref.kind), uint64(ref.idx)) % uint64(len(r.cache))
	if a := r.cache[i]; a != nil && a.ref == ref {
		return a
	}
	a := r.b.account(ref)
	r.cache[i] = a
	return a
}

func (r *jsRenderer) did(ref acctRef) string { return did(r.b.key, ref) }

// rev is a commit's repo revision: a TID a little after the event.
func rev(us int64, h uint64) string { return tid(us+int64(h%977)+1, h>>20) }

func (r *jsRenderer) postRef(a *account, s *slot) bskyStrongRef {
	return bskyStrongRef{CID: cid("bafyrei", s.key), URI: r.b.postURI(a, s)}
}

// frame renders e as the JSON text of one WebSocket message (with the
// trailing newline the service's JSON encoder writes). The returned slice is
// only valid until the next call.
func (r *jsRenderer) frame(e *jsEv) []byte {
	f := r.event(e)
	r.buf.Reset()
	enc := json.NewEncoder(&r.buf)
	_ = enc.Encode(f)
	return r.buf.Bytes()
}

func (r *jsRenderer) event(e *jsEv) jsFrame {
	f := jsFrame{Did: r.did(e.actor.ref()), TimeUS: e.us, Kind: e.kind.eventKind()}
	owner := r.account(e.owner.ref())
	switch e.kind {
	case jsIdentity:
		f.Identity = &jsIdentityBody{Did: f.Did, Handle: bskyHandle(r.b.pop, owner), Seq: seqOf(e.us), Time: isoMs(e.base / 1000)}
		return f
	case jsAccount:
		status := "deleted"
		if owner.deactivated {
			status = "deactivated"
		}
		f.Account = &jsAccountBody{Active: false, Did: f.Did, Seq: seqOf(e.us), Status: status, Time: isoMs(e.base / 1000)}
		return f
	case jsFollow, jsUnfollow:
		h := hashv(owner.key, tagFollowEv, uint64(e.m), uint64(e.k), 1)
		if e.kind == jsUnfollow {
			// The follow being undone was made some weeks earlier.
			was := e.base - int64(1+h%90)*dayMsI*1000 - int64(h>>40%86_400_000_000)
			f.Commit = &jsCommit{Rev: rev(e.base, h), Operation: "delete", Collection: nsidFollow, RKey: tid(was, h>>12)}
			return f
		}
		f.Commit = &jsCommit{Rev: rev(e.base, h), Operation: "create", Collection: nsidFollow, RKey: tid(e.base, h>>12),
			Record: followRecord{Type: nsidFollow, CreatedAt: isoMs(e.base / 1000), Subject: r.did(e.owner.ref())}, CID: cid("bafyrei", h)}
		return f
	}
	s := owner.slot(e.m)
	c := &accounts{s: r.b.site, m: map[acctRef]*account{owner.ref: owner}}
	switch e.kind {
	case jsPost:
		rec, _ := r.b.postRecord(c, owner, &s)
		f.Commit = &jsCommit{Rev: rev(e.base, s.key), Operation: "create", Collection: nsidPost, RKey: tid(s.us, s.clock), Record: rec, CID: cid("bafyrei", s.key)}
	case jsPostDelete:
		f.Commit = &jsCommit{Rev: rev(e.base, s.key), Operation: "delete", Collection: nsidPost, RKey: tid(s.us, s.clock)}
	case jsRepostSlot:
		ta, ts, _ := s.target()
		h := hashv(s.key, tagRepost, 1)
		f.Commit = &jsCommit{Rev: rev(e.base, h), Operation: "create", Collection: nsidRepost, RKey: tid(s.us, s.clock),
			Record: subjectRecord{Type: nsidRepost, CreatedAt: isoMs(s.ms), Subject: r.postRef(ta, &ts)}, CID: cid("bafyrei", h)}
	case jsLike, jsRepost:
		tag, coll := uint64(tagLike), nsidLike
		if e.kind == jsRepost {
			tag, coll = tagRepost, nsidRepost
		}
		h := hashv(s.key, tag, uint64(e.k))
		f.Commit = &jsCommit{Rev: rev(e.base, h), Operation: "create", Collection: coll, RKey: tid(e.base, h>>50),
			Record: subjectRecord{Type: coll, CreatedAt: isoMs(e.base / 1000), Subject: r.postRef(owner, &s)}, CID: cid("bafyrei", h)}
	case jsUnlike:
		h := hashv(s.key, tagLike, uint64(e.k))
		_, _, delay, _ := s.unlikeParams()
		likeBase := at(e.base/1000-delay, h)
		f.Commit = &jsCommit{Rev: rev(e.base, h>>3), Operation: "delete", Collection: nsidLike, RKey: tid(likeBase, h>>50)}
	case jsQuote:
		h := hashv(s.key, tagQuote, uint64(e.k))
		fan := r.account(e.actor.ref())
		tr := newRNG(hashv(h, tagText))
		rec := bskyRecord{Type: nsidPost, CreatedAt: isoMs(e.base / 1000), Embed: embedRecord{Type: "app.bsky.embed.record", Record: r.postRef(owner, &s)},
			Langs: []string{fan.lang}, Text: nicheRemark(&tr, &niches[owner.niche])}
		f.Commit = &jsCommit{Rev: rev(e.base, h), Operation: "create", Collection: nsidPost, RKey: tid(e.base, h>>50), Record: rec, CID: cid("bafyrei", h)}
	case jsSlotLike:
		h := hashv(s.key, tagLike, 9, uint64(e.j))
		f.Commit = &jsCommit{Rev: rev(e.base, h), Operation: "create", Collection: nsidLike, RKey: tid(e.base, h>>50),
			Record: subjectRecord{Type: nsidLike, CreatedAt: isoMs(e.base / 1000), Subject: r.postRef(owner, &s)}, CID: cid("bafyrei", h)}
	case jsNode, jsNodeLike:
		nodes := s.threadRange(math.MaxInt64, int64(e.k), int64(e.k)+1)
		key := hashv(s.key, tagComment, uint64(e.k))
		if int32(e.role) != roleTop {
			key = hashv(key, []uint64{0, 9, 2, 3, 4}[e.role])
		}
		i := 0
		for i < len(nodes) && nodes[i].key != key {
			i++
		}
		if i == len(nodes) {
			i = 0 // cannot happen: the sweep only emits nodes threadRange makes
		}
		n := &nodes[i]
		uri := r.b.nodeURI(c, n)
		ref := bskyStrongRef{CID: cid("bafyrei", n.key), URI: uri}
		if e.kind == jsNodeLike {
			h := hashv(n.key, tagLike, uint64(e.j))
			f.Commit = &jsCommit{Rev: rev(e.base, h), Operation: "create", Collection: nsidLike, RKey: tid(e.base, h>>50),
				Record: subjectRecord{Type: nsidLike, CreatedAt: isoMs(e.base / 1000), Subject: ref}, CID: cid("bafyrei", h)}
			break
		}
		root := r.postRef(owner, &s)
		parent := root
		if n.parent >= 0 {
			p := &nodes[n.parent]
			parent = bskyStrongRef{CID: cid("bafyrei", p.key), URI: r.b.nodeURI(c, p)}
		}
		rec := bskyRecord{Type: nsidPost, CreatedAt: isoMs(n.ms), Langs: []string{n.lang}, Reply: &bskyReplyRef{Parent: parent, Root: root}, Text: n.text}
		_, _, rkey, _ := parseAtURI(uri)
		f.Commit = &jsCommit{Rev: rev(e.base, n.key), Operation: "create", Collection: nsidPost, RKey: rkey, Record: rec, CID: ref.CID}
	}
	return f
}

// seqOf is a firehose sequence number for identity and account events.
func seqOf(us int64) int64 { return 5_000_000_000 + (us-1_700_000_000_000_000)/10_000 }
