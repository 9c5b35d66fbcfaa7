package simulator

import (
	"container/heap"
	"math"
	"strings"
)

// Posting model. Each account posts on its own lattice of slots: slot m
// starts at epoch + m·period + phase and holds at most one feed item at a
// random point inside it. A slot is empty (gaps, dormant months), an own
// post, a reply to another creator's post, or a repost. Item times are pure
// functions of (account, m), and m is recovered from a time by division, so
// ids that embed the time resolve back to the slot. The feed shows the slots
// between windowStart (the UTC day of now minus the account's span of 2½–6
// months) and now.

const epochMs int64 = 946_684_800_000 // 2000-01-01T00:00:00Z

type slotKind uint8

const (
	slotEmpty slotKind = iota
	slotPost
	slotReply
	slotRepost
)

// settleH is when a post's engagement is complete; engagement arrives with
// a truncated exponential delay of time constant tauH.
const settleH = 72.0

type slot struct {
	a     *account
	m     int64
	key   uint64
	kind  slotKind
	ms    int64  // created, unix ms
	us    int64  // created, unix µs (Bluesky TID)
	clock uint64 // TID clock id

	image, sponsored, disclosed bool
	likesF, repostsF, quotesF   float64 // engagement once settled
	viewsF                      float64 // views once settled (0: the post shows none)
	comments                    int64   // direct replies once settled
	likesHidden, commentsOff    bool    // the like count is hidden; comments are turned off
	delMs                       int64   // when the author deletes the post (0: never; Bluesky, Faults.PostDeleteRate)
}

// gone reports whether the post has been deleted by now.
func (s *slot) gone(now int64) bool { return s.delMs > 0 && s.delMs <= now }

func (a *account) slotStart(m int64) int64 { return epochMs + m*a.periodMs + a.phaseMs }

func (a *account) slotIndex(t int64) int64 { return floorDiv(t-epochMs-a.phaseMs, a.periodMs) }

func (a *account) windowStart(now int64) int64 {
	return max(floorDiv(now, dayMs)*dayMs-a.spanMs, a.createdMs)
}

func (a *account) slot(m int64) slot {
	key := hashv(a.key, tagSlot, uint64(m))
	r := newRNG(key)
	start := a.slotStart(m)
	t := start + int64(r.float()*0.85*float64(a.periodMs))
	t = (floorDiv(t, 1000)+1)*1000 + msCode(a.ref.payload(), r.next())
	s := slot{a: a, m: m, key: key, ms: t}
	s.us = t*1000 + int64(r.intn(1000))
	s.clock = r.next() & 1023
	if a.pl.wholeSeconds {
		s.ms = floorDiv(s.ms, 1000) * 1000
	}
	u := r.float()
	block := floorDiv(start-epochMs, 30*dayMs)
	switch {
	case a.dormantP > 0 && unit(hashv(a.key, tagDormant, uint64(block))) < a.dormantP:
		s.kind = slotEmpty
	case u < a.emptyP:
		s.kind = slotEmpty
	case u < a.emptyP+a.replyP:
		s.kind = slotReply
	case u < a.emptyP+a.replyP+a.repostP:
		s.kind = slotRepost
	default:
		s.kind = slotPost
	}
	if a.pl.ownPostsOnly && s.kind != slotPost {
		s.kind = slotEmpty
	}
	if s.kind != slotPost {
		return s
	}
	s.image = r.chance(a.imageP)
	s.sponsored = r.chance(a.sponsoredP)
	s.disclosed = s.sponsored && r.chance(a.disclosedP)
	mult := r.lognormal1(0.5)
	if r.chance(0.01) {
		mult *= 4 // the occasional post that travels
	}
	if s.sponsored {
		mult *= 0.8
	}
	pl := a.pl
	if pl.basis() == basisViews {
		// Engagement per view, around the platform's view-based benchmark;
		// the post's luck (mult) moves its views.
		views := a.reach * a.fReal * mult
		e := a.er / 100 * views * r.lognormal1(0.2)
		replies := e * pl.replyShare * a.replyMul()
		reposts := e * pl.repostShare
		likes := max(0, e-replies-reposts)
		likes += likes * a.likeBoost * r.lognormal1(0.3)
		replies += replies * a.podBoost
		s.likesF, s.repostsF, s.quotesF = likes, reposts, e*pl.quoteShare
		s.viewsF = max(views, 1.1*(likes+replies+reposts))
		s.comments = stochRound(replies, r.float())
	} else {
		e := a.er / 100 * a.fReal * mult
		replies := e * pl.replyShare * a.replyMul()
		reposts := e * pl.repostShare
		quotes := e * pl.quoteShare
		likes := max(0, e-replies-reposts-quotes)
		likes += likes * a.likeBoost * r.lognormal1(0.3)
		replies += replies * a.podBoost
		s.likesF, s.repostsF, s.quotesF = likes, reposts, quotes
		s.comments = stochRound(replies, r.float())
		if pl.reach != nil && !s.image { // a video: it shows plays
			s.viewsF = max(a.reach*a.fReal*mult, 1.1*(likes+replies))
		}
	}
	s.likesHidden = pl.likesHiddenShare > 0 && unit(hashv(s.key, tagHidden)) < pl.likesHiddenShare
	if pl.commentsOffShare > 0 && unit(hashv(s.key, tagHidden, 1)) < pl.commentsOffShare {
		s.commentsOff, s.comments = true, 0
	}
	if rate := a.pop.postDeleteRate; rate > 0 && pl.name == "bluesky" && unit(hashv(s.key, tagDelete)) < rate {
		// Deleted between 10 minutes and 48 hours after posting.
		s.delMs = s.ms + 600_000 + int64(unit(hashv(s.key, tagDelete, 1))*float64(48*3600_000-600_000))
	}
	return s
}

// replyMul varies how talkative an account's audience is.
func (a *account) replyMul() float64 {
	return 0.6 + 0.8*unit(hashv(a.key, tagHeader, 7))
}

// id is the item's Mastodon-style snowflake; it also orders items across
// accounts (unique, since the millisecond field carries the account's high
// payload bits).
func (s *slot) id() uint64 { return snowflake(s.ms, s.a.ref.payload()) }

// metrics are a post's counts at some time. On TikTok quotes are saves
// (collectCount). likesHidden and commentsOff say the platform shows no
// like count or no comment count for the post.
type metrics struct {
	likes, replies, reposts, quotes, views int64
	likesHidden, commentsOff               bool
}

// shown reports whether the post shows any interaction count. Only YouTube
// hides counts, and it shows no shares, so a post with its likes hidden and
// comments off shows nothing.
func (m metrics) shown() bool { return !m.likesHidden || !m.commentsOff }

// byFollowers is the interactions ER by followers adds up: every count the
// platform shows (as scoring does).
func (m metrics) byFollowers() int64 {
	n := m.reposts + m.quotes
	if !m.likesHidden {
		n += m.likes
	}
	if !m.commentsOff {
		n += m.replies
	}
	return n
}

// byViews is the interactions ER by views adds up: likes, comments and
// shares as shown (saves and quotes are not counted).
func (m metrics) byViews() int64 { return m.byFollowers() - m.quotes }

func maturity(ageH, tau float64) float64 {
	if ageH <= 0 {
		return 0
	}
	if ageH >= settleH {
		return 1
	}
	return (1 - math.Exp(-ageH/tau)) / (1 - math.Exp(-settleH/tau))
}

// metrics are the counts shown at now.
func (s *slot) metrics(now int64) metrics {
	f := maturity(float64(now-s.ms)/3.6e6, s.a.tauH)
	r := newRNG(hashv(s.key, tagRound))
	m := metrics{
		likes:   stochRound(s.likesF*f, r.float()) - s.unliked(now),
		reposts: stochRound(s.repostsF*f, r.float()),
		quotes:  stochRound(s.quotesF*f, r.float()),
		replies: s.visibleComments(f),
	}
	if s.viewsF > 0 {
		m.views = stochRound(s.viewsF*f, r.float())
	}
	m.likesHidden, m.commentsOff = s.likesHidden, s.commentsOff
	return m
}

// Comment k of C arrives at quantile (k+u_k)/C of the engagement-delay
// distribution, so comments come in time order and the number visible at
// maturity f is exactly the count of k with k+u_k ≤ C·f.
func (s *slot) commentU(k int64) float64 {
	r := newRNG(hashv(s.key, tagComment, uint64(k)))
	return r.float()
}

func (s *slot) visibleComments(f float64) int64 {
	if f >= 1 {
		return s.comments
	}
	x := float64(s.comments) * f
	k := int64(x)
	if k >= s.comments {
		return s.comments
	}
	if s.commentU(k) <= x-float64(k) {
		k++
	}
	return k
}

func (s *slot) commentDelayH(k int64, u float64) float64 {
	p := (float64(k) + u) / float64(s.comments)
	tau := s.a.tauH
	return -tau * math.Log(1-p*(1-math.Exp(-settleH/tau)))
}

// content is an own post's text.
type content struct {
	text  string
	tags  []string // hashtags as written, without '#'
	link  string
	brand string
	lang  string
}

func (s *slot) content() content {
	a := s.a
	n := &niches[a.niche]
	r := newRNG(hashv(s.key, tagText))
	c := content{lang: a.lang}
	if a.lang != "en" && !s.sponsored && r.chance(0.1) {
		c.lang = "en"
	}
	ti := r.intn(len(n.topics))
	t, t2 := n.topics[ti], n.topics[(ti+1+r.intn(len(n.topics)-1))%len(n.topics)]
	if s.sponsored {
		c.brand = pick(&r, n.brands)
		c.link = "https://" + slug(c.brand) + ".shop/?ref=" + a.user
		list := sponsoredHidden[a.lang]
		if s.disclosed {
			list = sponsoredDisclosed[a.lang]
		}
		tmpl := pick(&r, list)
		if a.arch == ArchSponsoredHeavy && r.chance(0.7) {
			tmpl = list[0] // scripted: the same copy again and again
		}
		c.text = fill(tmpl, "brand", c.brand, "code", a.code, "link", c.link, "t", t)
	} else {
		c.text = fill(pick(&r, captions[c.lang]), "T", capitalise(t), "t", t, "t2", t2)
	}
	k := 1 + r.intn(3)
	first := r.intn(len(n.tags))
	var b strings.Builder
	b.WriteString(c.text)
	b.WriteString("\n\n")
	for j := range k {
		if j > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('#')
		b.WriteString(n.tags[(first+j)%len(n.tags)])
	}
	c.text = b.String()
	c.tags = extractTags(c.text)
	return c
}

// replyText is the text of a reply slot (the account commenting on another
// creator's post).
func (s *slot) replyText() string {
	r := newRNG(hashv(s.key, tagText))
	return nicheRemark(&r, &niches[s.a.niche])
}

func nicheRemark(r *rng, n *niche) string {
	op, cl := pick(r, openers), pick(r, closers)
	var body string
	if r.chance(0.55) {
		body = pick(r, n.comments)
	} else {
		body = pick(r, genericRemarks)
	}
	if op == "" || strings.HasSuffix(op, "! ") {
		body = capitalise(body)
	}
	if strings.HasSuffix(body, "?") {
		cl = pick(r, questionClosers)
	} else if strings.HasPrefix(cl, " ") && len(cl) > 1 && cl[1] >= 'A' && cl[1] <= 'Z' {
		cl = "." + cl
	}
	out := op + body + cl
	if r.chance(0.4) {
		if last := out[len(out)-1]; last != '.' && last != '!' && last != '?' && last < 0x80 {
			out += "."
		}
		out += " " + pick(r, secondSentences)
	}
	return out
}

// target is the post a reply or repost slot points at: a recent own post of
// another creator of the same niche, or false when none is found (a reply
// then points at a deleted post).
func (s *slot) target() (*account, slot, bool) {
	a, p := s.a, s.a.pop
	r := newRNG(hashv(s.key, tagFollow))
	cnt := p.nicheCount(a.pl, a.niche)
	var idx int
	if cnt > 1 {
		idx = p.nicheMember(a.pl, a.niche, r.intn(cnt))
	} else {
		idx = r.intn(p.size)
	}
	if a.ref.kind == kindCreator && idx == a.ref.idx {
		idx = (idx + 1) % p.size
	}
	if a.ref.kind == kindCreator && idx == a.ref.idx {
		return nil, slot{}, false
	}
	b := p.account(a.pl, acctRef{kind: kindCreator, idx: idx})
	m := b.slotIndex(s.ms - 30*60*1000)
	for j := int64(0); j < 12; j++ {
		t := b.slot(m - j)
		if t.kind == slotPost && t.ms < s.ms-60_000 {
			return b, t, true
		}
	}
	return nil, slot{}, false
}

// slotIter walks an account's visible items newest first, below before (an
// id), keeping those match accepts.
type slotIter struct {
	a      *account
	now    int64
	lo     int64
	before uint64
	m      int64
	match  func(*slot) bool
	budget int // slots left to look at, so a search of a non-matching term ends
	cur    slot
	ok     bool
}

func newSlotIter(a *account, now int64, before uint64, match func(*slot) bool) *slotIter {
	top := now
	if before != ^uint64(0) {
		top = min(top, int64(before>>16))
	}
	it := &slotIter{a: a, now: now, lo: a.windowStart(now), before: before, m: a.slotIndex(top) + 1, match: match, budget: 2000}
	it.next()
	return it
}

func (it *slotIter) next() {
	for it.budget > 0 {
		it.m--
		it.budget--
		if it.a.slotStart(it.m)+it.a.periodMs < it.lo {
			break
		}
		s := it.a.slot(it.m)
		if s.kind == slotEmpty || s.ms > it.now || s.ms < it.lo || s.id() >= it.before || s.gone(it.now) {
			continue
		}
		if it.match != nil && !it.match(&s) {
			continue
		}
		it.cur, it.ok = s, true
		return
	}
	it.ok = false
}

// eachSlot calls fn for the visible items below before, newest first, until
// fn returns false.
func (a *account) eachSlot(now int64, before uint64, fn func(*slot) bool) {
	it := newSlotIter(a, now, before, nil)
	it.budget = math.MaxInt
	for ; it.ok; it.next() {
		if !fn(&it.cur) {
			return
		}
	}
}

// eachSlotAfter calls fn for the visible items above after, oldest first.
func (a *account) eachSlotAfter(now int64, after uint64, fn func(*slot) bool) {
	lo := a.windowStart(now)
	from := max(lo, int64(after>>16))
	for m := a.slotIndex(from); a.slotStart(m) <= now; m++ {
		s := a.slot(m)
		if s.kind == slotEmpty || s.ms > now || s.ms < lo || s.id() <= after || s.gone(now) {
			continue
		}
		if !fn(&s) {
			return
		}
	}
}

// mergeNewest merges the iterators newest first, skipping skip items and
// returning up to limit.
func mergeNewest(its []*slotIter, skip, limit int) []slot {
	h := iterHeap{}
	for _, it := range its {
		if it.ok {
			h = append(h, it)
		}
	}
	heap.Init(&h)
	var out []slot
	for h.Len() > 0 && len(out) < limit {
		it := h[0]
		if skip > 0 {
			skip--
		} else {
			out = append(out, it.cur)
		}
		it.next()
		if it.ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return out
}

type iterHeap []*slotIter

func (h iterHeap) Len() int           { return len(h) }
func (h iterHeap) Less(i, j int) bool { return h[i].cur.id() > h[j].cur.id() }
func (h iterHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *iterHeap) Push(x any)        { *h = append(*h, x.(*slotIter)) }
func (h *iterHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// matchTerms returns a matcher for own posts containing every term (a
// hashtag when it starts with '#'), case-insensitively.
func matchTerms(terms []string) func(*slot) bool {
	return func(s *slot) bool {
		if s.kind != slotPost {
			return false
		}
		c := s.content()
		text := strings.ToLower(c.text)
		for _, t := range terms {
			if tag, ok := strings.CutPrefix(t, "#"); ok {
				found := false
				for _, x := range c.tags {
					found = found || strings.EqualFold(x, tag)
				}
				if !found {
					return false
				}
			} else if !strings.Contains(text, t) {
				return false
			}
		}
		return true
	}
}
