package simulator

import (
	"math"
	"slices"
	"time"
)

// Jetstream: the Bluesky event stream of the same population the XRPC
// endpoints serve. Every event is a pure function of the seed and its time:
// the stream is generated one hour of simulated time at a time by sweeping
// every account's post lattice and, for each post younger than jsLookbackMs,
// working out which of its likes, reposts, quotes and comments (and the
// conversation under each comment) fall in the hour. Nothing is stored
// between hours, so memory does not grow with the stream.
//
// The events and the XRPC counts agree: a post's like, repost, quote and
// reply counts at time T (ms) are exactly the number of the post's like,
// repost, quote and top-level reply events with time_us < (T+1)·1000, minus
// its like deletes in that range. Like k of a post arrives at the first
// millisecond at which the served likeCount exceeds k (likewise reposts,
// quotes and direct replies), so a consumer that applies every event sees
// the counts getPosts shows.
//
// What the stream carries:
//
//   - app.bsky.feed.post create: every account's own posts and replies to
//     other creators (feed slots), every comment of every thread (direct
//     replies and the conversations under them, with reply.parent/root),
//     and quote posts (embed app.bsky.embed.record) by fans.
//   - app.bsky.feed.like create: likes of posts (fans), of replies and of
//     comments (at the reply's own time; the XRPC shows those counts at once).
//   - app.bsky.feed.repost create: reposts of posts by fans, and the repost
//     slots of accounts' feeds.
//   - app.bsky.graph.follow create/delete: a creator's follower count moves
//     once a day (at 00:00 UTC, followersAt); the follows and unfollows of
//     day d add up to the change from day d to day d+1, spread over day d.
//   - identity: about one account in 200 a day (handle unchanged).
//   - account: vanished creators (Faults.VanishRate) announce
//     active=false with status "deactivated" or "deleted" once a day.
//   - delete of app.bsky.feed.post / app.bsky.feed.like with
//     Faults.PostDeleteRate / Faults.UnlikeRate (the XRPC side hides those
//     posts and drops those likes from the counts at the same time).

const (
	jsWindowMs   int64 = 3600_000
	jsLookbackMs       = threadHorizonMs // posts older than this have no events left
	dayMsI       int64 = dayMs
)

// Collections carried by the stream.
const (
	nsidPost   = "app.bsky.feed.post"
	nsidLike   = "app.bsky.feed.like"
	nsidRepost = "app.bsky.feed.repost"
	nsidFollow = "app.bsky.graph.follow"
)

type jsKind uint8

const (
	jsPost       jsKind = iota // owner's feed slot (own post or reply): create
	jsRepostSlot               // owner's repost slot: create
	jsPostDelete               // owner deletes an own post
	jsLike                     // like k of an own post, by a fan
	jsUnlike                   // the fan deletes like k again
	jsRepost                   // repost k of an own post, by a fan
	jsQuote                    // quote post k of an own post, by a fan
	jsNode                     // thread node: direct reply k, role j
	jsNodeLike                 // like j of the node (k, role in m2)
	jsSlotLike                 // like j of a reply slot
	jsFollow                   // follow j of creator on day m
	jsUnfollow                 // unfollow j of creator on day m
	jsIdentity                 // identity event of account on day m
	jsAccount                  // account event of a vanished account on day m
)

// Node roles inside conversation k (see threadRange).
const (
	roleTop int32 = iota
	roleSide
	roleAnswer
	roleFollowUp
	roleAnswer2
)

func (k jsKind) collection() string {
	switch k {
	case jsPost, jsPostDelete, jsQuote, jsNode:
		return nsidPost
	case jsLike, jsUnlike, jsNodeLike, jsSlotLike:
		return nsidLike
	case jsRepostSlot, jsRepost:
		return nsidRepost
	case jsFollow, jsUnfollow:
		return nsidFollow
	}
	return ""
}

// eventKind is the Jetstream "kind" of the event.
func (k jsKind) eventKind() string {
	switch k {
	case jsIdentity:
		return "identity"
	case jsAccount:
		return "account"
	}
	return "commit"
}

func (k jsKind) operation() string {
	switch k {
	case jsPostDelete, jsUnlike, jsUnfollow:
		return "delete"
	case jsIdentity, jsAccount:
		return ""
	}
	return "create"
}

// jsEv is one event, compact: enough to filter it and to render it again.
type jsEv struct {
	us    int64 // time_us, unique and increasing within the stream
	base  int64 // the event's own time in µs before uniqueness bumps (rkeys, revs)
	owner pref  // account whose slot (post) or profile the event is about
	actor pref  // repo the event is in (its did)
	m     int64 // slot index, or UTC day number
	k     int32
	j     int32
	role  int8
	kind  jsKind
}

// pref is an acctRef packed into 32 bits (its payload), to keep the
// events of an hour compact.
type pref uint32

func packRef(r acctRef) pref { return pref(r.payload()) }

func (p pref) ref() acctRef { return refFromPayload(uint64(p)) }

// jsGen generates the stream of one population.
type jsGen struct {
	pop *Population
	pl  *platform
	key uint64
}

func newJSGen(p *Population) *jsGen {
	return &jsGen{pop: p, pl: p.plats["bluesky"], key: p.keys["bluesky"]}
}

// window returns the events of the hour starting at w0 (a multiple of
// jsWindowMs), ordered by time_us, which is unique.
func (g *jsGen) window(w0 int64) []jsEv {
	w1 := w0 + jsWindowMs
	var evs []jsEv
	for _, kind := range []uint8{kindCreator, kindAudience} {
		n := g.pop.size
		if kind == kindAudience {
			n = g.pop.audience
		}
		for i := 0; i < n; i++ {
			a := g.pop.account(g.pl, acctRef{kind: kind, idx: i})
			evs = g.accountEvents(evs, a, w0, w1)
		}
	}
	for i := range evs {
		evs[i].us = evs[i].base
	}
	slices.SortFunc(evs, func(x, y jsEv) int {
		if x.us != y.us {
			if x.us < y.us {
				return -1
			}
			return 1
		}
		hx, hy := x.tiebreak(), y.tiebreak()
		switch {
		case hx < hy:
			return -1
		case hx > hy:
			return 1
		}
		return 0
	})
	uniqueTimes(evs, w1*1000)
	return evs
}

// uniqueTimes makes the sorted times strictly increasing and below end,
// as the service's monotonic clock does: ties are bumped forward, and
// should the last ones overflow the hour they are pulled back.
func uniqueTimes(evs []jsEv, end int64) {
	for i := 1; i < len(evs); i++ {
		if evs[i].us <= evs[i-1].us {
			evs[i].us = evs[i-1].us + 1
		}
	}
	limit := end - 1
	for i := len(evs) - 1; i >= 0 && evs[i].us > limit; i-- {
		evs[i].us = limit
		limit--
	}
}

func (e *jsEv) tiebreak() uint64 {
	return hashv(uint64(e.kind), uint64(e.owner), uint64(e.m), uint64(e.k), uint64(e.j), uint64(e.role))
}

// at is the µs time of a millisecond with a per-event sub-millisecond part.
func at(ms int64, h uint64) int64 { return ms*1000 + int64(h%1000) }

// likesAt is a post's like count at t before deletions (see metrics).
func (s *slot) likesAt(t int64) int64 {
	r := newRNG(hashv(s.key, tagRound))
	return stochRound(s.likesF*maturity(float64(t-s.ms)/3.6e6, s.a.tauH), r.float())
}

func (s *slot) repostsAt(t int64) int64 {
	r := newRNG(hashv(s.key, tagRound))
	r.float()
	return stochRound(s.repostsF*maturity(float64(t-s.ms)/3.6e6, s.a.tauH), r.float())
}

func (s *slot) quotesAt(t int64) int64 {
	r := newRNG(hashv(s.key, tagRound))
	r.float()
	r.float()
	return stochRound(s.quotesF*maturity(float64(t-s.ms)/3.6e6, s.a.tauH), r.float())
}

// unlikeParams: with Faults.UnlikeRate on Bluesky, likes k ≡ r (mod m) of an
// own post are deleted delay ms after they arrived.
func (s *slot) unlikeParams() (m, r, delay int64, ok bool) {
	rate := s.a.pop.unlikeRate
	if rate <= 0 || s.kind != slotPost || s.a.pl.name != "bluesky" {
		return 0, 0, 0, false
	}
	m = max(1, int64(math.Round(1/rate)))
	r = int64(hashv(s.key, tagLike, 1) % uint64(m))
	delay = 300_000 + int64(unit(hashv(s.key, tagLike, 2))*float64(24*3600_000-300_000))
	return m, r, delay, true
}

// unliked is how many of the post's likes were deleted by now.
func (s *slot) unliked(now int64) int64 {
	m, r, d, ok := s.unlikeParams()
	if !ok {
		return 0
	}
	n := s.likesAt(now - d)
	if n <= r {
		return 0
	}
	return (n-r-1)/m + 1
}

// arrival returns the first millisecond t > s.ms at which count(t) > k
// (count is one of the post's monotone counts; it settles at 72 h). p is
// where the k-th arrival sits in the settled count, (k+u)/total, which
// places a first guess by inverting maturity; a bracket around it is then
// narrowed by bisection on count itself, so the answer is exact.
func (s *slot) arrival(k int64, p float64, count func(int64) int64) int64 {
	first, last := s.ms, s.ms+int64(settleH*3.6e6)+1 // count(first) <= k < count(last)
	tau := s.a.tauH
	p = math.Min(math.Max(p, 0), 1)
	guess := s.ms + int64(-tau*math.Log(1-p*(1-math.Exp(-settleH/tau)))*3.6e6)
	lo, hi := max(first, guess-2), min(last, guess+2)
	for step := int64(4); lo > first && count(lo) > k; step *= 2 {
		lo = max(first, lo-step)
	}
	for step := int64(4); hi < last && count(hi) <= k; step *= 2 {
		hi = min(last, hi+step)
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if count(mid) > k {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// roundU is the i-th rounding draw of the post's counts (likes, reposts,
// quotes), as metrics makes them.
func (s *slot) roundU(i int) float64 {
	r := newRNG(hashv(s.key, tagRound))
	u := r.float()
	for range i {
		u = r.float()
	}
	return u
}

// accountEvents appends a's events in [w0, w1).
func (g *jsGen) accountEvents(evs []jsEv, a *account, w0, w1 int64) []jsEv {
	day := floorDiv(w0, dayMsI)
	d0 := day * dayMsI
	if a.vanished {
		t := d0 + int64(unit(hashv(a.key, tagIdentity, uint64(day), 1))*float64(dayMsI))
		if t >= w0 && t < w1 {
			evs = append(evs, jsEv{base: at(t, a.key), owner: packRef(a.ref), actor: packRef(a.ref), m: day, kind: jsAccount})
		}
		return evs
	}
	if unit(hashv(a.key, tagIdentity, uint64(day))) < 0.005 {
		t := d0 + int64(unit(hashv(a.key, tagIdentity, uint64(day), 2))*float64(dayMsI))
		if t >= w0 && t < w1 && t >= a.createdMs {
			evs = append(evs, jsEv{base: at(t, a.key>>7), owner: packRef(a.ref), actor: packRef(a.ref), m: day, kind: jsIdentity})
		}
	}
	if a.ref.kind == kindCreator {
		evs = g.followEvents(evs, a, day, w0, w1)
	}
	lo := w0 - jsLookbackMs
	for m := a.slotIndex(lo) - 1; a.slotStart(m) < w1; m++ {
		s := a.slot(m)
		if s.kind == slotEmpty || s.ms < lo || s.ms >= w1 || s.ms < a.createdMs {
			continue
		}
		evs = g.slotEvents(evs, a, &s, w0, w1)
	}
	return evs
}

// followEvents: the follows (or unfollows) that take the creator's count
// from followersAt(day) to followersAt(day+1), spread evenly over the day.
func (g *jsGen) followEvents(evs []jsEv, a *account, day, w0, w1 int64) []jsEv {
	d0 := day * dayMsI
	f0 := a.followersAt(time.UnixMilli(d0).UTC())
	f1 := a.followersAt(time.UnixMilli(d0 + dayMsI).UTC())
	n := f1 - f0
	kind := jsFollow
	if n < 0 {
		n, kind = -n, jsUnfollow
	}
	if n == 0 {
		return evs
	}
	h := unit(hashv(a.key, tagFollowEv, uint64(day)))
	tj := func(j int64) int64 { return d0 + int64((float64(j)+h)/float64(n)*float64(dayMsI)) }
	j := max(0, int64(math.Floor(float64(w0-d0)/float64(dayMsI)*float64(n)-h))-1)
	for ; j < n; j++ {
		t := tj(j)
		if t >= w1 {
			break
		}
		if t < w0 {
			continue
		}
		fan := g.pop.fanOf(hashv(a.key, tagFollowEv, uint64(day), uint64(j)))
		evs = append(evs, jsEv{base: at(t, hashv(a.key, uint64(j))), owner: packRef(a.ref), actor: packRef(fan), m: day, k: int32(j), kind: kind})
	}
	return evs
}

// fanOf is the audience member (not a pod bot) a hash picks.
func (p *Population) fanOf(h uint64) acctRef {
	base := podRings * podRingSize
	return acctRef{kind: kindAudience, idx: base + int(h%uint64(p.audience-base))}
}

// slotEvents appends the events of one feed slot of a (created at most
// jsLookbackMs before w0) that fall in [w0, w1).
func (g *jsGen) slotEvents(evs []jsEv, a *account, s *slot, w0, w1 int64) []jsEv {
	in := func(t int64) bool { return t >= w0 && t < w1 }
	ev := func(kind jsKind, us int64, actor acctRef, k, j, role int32) jsEv {
		return jsEv{base: us, owner: packRef(a.ref), actor: packRef(actor), m: s.m, k: k, j: j, role: int8(role), kind: kind}
	}
	switch s.kind {
	case slotRepost:
		if in(s.ms) {
			if _, ts, ok := s.target(); ok && !ts.gone(s.ms) {
				evs = append(evs, ev(jsRepostSlot, s.us, a.ref, 0, 0, 0))
			}
		}
		return evs
	case slotReply:
		if in(s.ms) {
			evs = append(evs, ev(jsPost, s.us, a.ref, 0, 0, 0))
			for j := int64(0); j < int64(s.key%4); j++ {
				evs = append(evs, ev(jsSlotLike, s.us+1+j, g.pop.fanOf(hashv(s.key, tagLike, 9, uint64(j))), 0, int32(j), 0))
			}
		}
		return evs
	}
	// An own post.
	if in(s.ms) {
		evs = append(evs, ev(jsPost, s.us, a.ref, 0, 0, 0))
	}
	end := w1
	if s.delMs > 0 {
		if in(s.delMs) {
			evs = append(evs, ev(jsPostDelete, at(s.delMs, s.key>>3), a.ref, 0, 0, 0))
		}
		end = min(end, s.delMs)
	}
	if end <= w0 || s.ms >= end {
		return evs
	}
	type counter struct {
		kind  jsKind
		tag   uint64
		total float64
		count func(int64) int64
	}
	for i, c := range []counter{
		{jsLike, tagLike, s.likesF, s.likesAt},
		{jsRepost, tagRepost, s.repostsF, s.repostsAt},
		{jsQuote, tagQuote, s.quotesF, s.quotesAt},
	} {
		from, to := c.count(w0-1), c.count(end-1)
		u := s.roundU(i)
		for k := from; k < to; k++ {
			t := s.arrival(k, (float64(k)+u)/c.total, c.count)
			h := hashv(s.key, c.tag, uint64(k))
			evs = append(evs, ev(c.kind, at(t, h), g.pop.fanOf(h), int32(k), 0, 0))
		}
	}
	if um, ur, ud, ok := s.unlikeParams(); ok {
		from, to := s.likesAt(w0-ud-1), s.likesAt(end-ud-1)
		for k := from + ((ur-from)%um+um)%um; k < to; k += um {
			t := s.arrival(k, (float64(k)+s.roundU(0))/s.likesF, s.likesAt) + ud
			h := hashv(s.key, tagLike, uint64(k))
			evs = append(evs, ev(jsUnlike, at(t, h>>10), g.pop.fanOf(h), int32(k), 0, 0))
		}
	}
	if s.comments == 0 {
		return evs
	}
	// Direct replies arrive when the served replyCount passes them; their
	// conversations follow their own clocks (threadRange).
	from, to := s.visible(w0-1), s.visible(end-1)
	mean := s.meanNodeLikes()
	upto := s.visible(end - 1)
	horizon := s.ms + threadHorizonMs
	for k := int64(0); k < upto; k++ {
		d := s.drawConvo(k, mean)
		if k >= from && k < to {
			t := s.arrival(k, (float64(k)+s.commentU(k))/float64(s.comments), s.visible)
			us := at(t, d.key)
			evs = append(evs, ev(jsNode, us, d.author, int32(k), 0, roleTop))
			if d.state == nodeShown {
				for j := int64(0); j < d.likes; j++ {
					evs = append(evs, ev(jsNodeLike, us+1+j, g.pop.fanOf(hashv(d.key, tagLike, uint64(j))), int32(k), int32(j), roleTop))
				}
			}
		}
		if d.state != nodeShown {
			continue
		}
		node := func(t int64, key uint64, author acctRef, role int32, likes int64) {
			if !in(t) || t >= end {
				return
			}
			us := at(t, key)
			evs = append(evs, ev(jsNode, us, author, int32(k), 0, role))
			for j := int64(0); j < likes; j++ {
				evs = append(evs, ev(jsNodeLike, us+1+j, g.pop.fanOf(hashv(key, tagLike, uint64(j))), int32(k), int32(j), role))
			}
		}
		if d.side {
			if t := d.ms + int64(d.sideD*3.6e6); t <= horizon {
				node(t, hashv(d.key, 9), d.sideAuthor, roleSide, 0)
			}
		}
		if !d.ans || d.author == a.ref {
			continue
		}
		t2 := d.ms + int64(d.ansD*3.6e6)
		if t2 > horizon {
			continue
		}
		node(t2, hashv(d.key, 2), a.ref, roleAnswer, d.ansLikes)
		if !d.fu || d.kind == cPodBot {
			continue
		}
		t3 := t2 + int64(d.fuD*3.6e6)
		if t3 > horizon {
			continue
		}
		node(t3, hashv(d.key, 3), d.author, roleFollowUp, 0)
		if !d.ans2 {
			continue
		}
		t4 := t3 + int64(d.ans2D*3.6e6)
		if t4 > horizon {
			continue
		}
		node(t4, hashv(d.key, 4), a.ref, roleAnswer2, 0)
	}
	return evs
}
