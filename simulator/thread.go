package simulator

import (
	"math"
	"sort"
)

// Comment states: shown, or counted in the post's reply count but hidden
// (threadgated or moderated), or shown as a deleted / blocked placeholder.
const (
	nodeShown uint8 = iota
	nodeHidden
	nodeNotFound
	nodeBlocked
)

// Kinds of commenter.
const (
	cFan = iota
	cPeer
	cPodBot
	cBotlike
	cSponsor
)

// node is one comment in a thread.
type node struct {
	key       uint64
	author    acctRef
	ms        int64
	parent    int // index in the thread; -1 = the post
	depth     int // 1 = direct reply to the post
	byCreator bool
	text      string
	lang      string
	likes     int64
	state     uint8
	children  []int
}

// thread generates the comments under an own post visible at now: at most
// maxTop direct replies (the oldest) and their conversations, in creation
// order per conversation. Every draw is made whether or not its comment is
// visible yet, so a thread only grows as time passes.
func (s *slot) thread(now int64, maxTop int) []node {
	vis := min(s.visible(now), int64(maxTop))
	return s.threadRange(now, 0, vis)
}

// visible is how many direct replies the post shows at now.
func (s *slot) visible(now int64) int64 {
	return s.visibleComments(maturity(float64(now-s.ms)/3.6e6, s.a.tauH))
}

// threadRange generates the direct replies from..to-1 (in creation order;
// to at most visible(now)) and their conversations. Each direct reply and its
// conversation depend only on its own index, so any range gives the same
// nodes as the whole thread.
func (s *slot) threadRange(now int64, from, to int64) []node {
	a := s.a
	nodes := make([]node, 0, max(0, to-from)*3/2)
	meanLikes := s.meanNodeLikes()
	add := func(n node) int {
		n.ms = min(n.ms, now)
		nodes = append(nodes, n)
		i := len(nodes) - 1
		if n.parent >= 0 {
			nodes[n.parent].children = append(nodes[n.parent].children, i)
		}
		return i
	}
	for k := from; k < to; k++ {
		d := s.drawConvo(k, meanLikes)
		ckey, ms, author, kind, state, likes := d.key, d.ms, d.author, d.kind, d.state, d.likes
		ans, ansD, fu, fuD, ans2, ans2D, side, sideD, sideAuthor, ansLikes := d.ans, d.ansD, d.fu, d.fuD, d.ans2, d.ans2D, d.side, d.sideD, d.sideAuthor, d.ansLikes
		horizon := s.ms + threadHorizonMs
		tr := newRNG(hashv(ckey, tagText))
		text, lang := s.commentText(&tr, kind)
		top := add(node{key: ckey, author: author, ms: ms, parent: -1, depth: 1, text: text, lang: lang, likes: likes, state: state})
		if state != nodeShown {
			continue
		}
		if side {
			t := ms + int64(sideD*3.6e6)
			if t <= now && t <= horizon {
				tr := newRNG(hashv(ckey, tagText, 9))
				add(node{key: hashv(ckey, 9), author: sideAuthor, ms: t, parent: top, depth: 2, text: pick(&tr, sideReplies), lang: "en"})
			}
		}
		if !ans || author == a.ref {
			continue
		}
		t2 := ms + int64(ansD*3.6e6)
		if t2 > now || t2 > horizon {
			continue
		}
		ar := newRNG(hashv(ckey, tagText, 2))
		second := add(node{key: hashv(ckey, 2), author: a.ref, ms: t2, parent: top, depth: 2, byCreator: true,
			text: s.answerText(&ar, author, kind), lang: a.lang, likes: ansLikes})
		if !fu || kind == cPodBot {
			continue
		}
		t3 := t2 + int64(fuD*3.6e6)
		if t3 > now || t3 > horizon {
			continue
		}
		fr := newRNG(hashv(ckey, tagText, 3))
		third := add(node{key: hashv(ckey, 3), author: author, ms: t3, parent: second, depth: 3, text: pick(&fr, followUps), lang: "en"})
		if !ans2 {
			continue
		}
		t4 := t3 + int64(ans2D*3.6e6)
		if t4 > now || t4 > horizon {
			continue
		}
		ar2 := newRNG(hashv(ckey, tagText, 4))
		add(node{key: hashv(ckey, 4), author: a.ref, ms: t4, parent: third, depth: 4, byCreator: true,
			text: s.answerText(&ar2, author, kind), lang: a.lang})
	}
	for i := range nodes {
		ch := nodes[i].children
		sort.Slice(ch, func(x, y int) bool { return nodes[ch[x]].ms < nodes[ch[y]].ms })
	}
	return nodes
}

// threadHorizonMs bounds a conversation: replies deeper than the direct
// reply (answers, follow-ups, side remarks) that would come later than this
// after the post are never written. It keeps the Jetstream sweep's look-back
// finite (see jetstream.go).
const threadHorizonMs = 96 * 3600 * 1000

// convoDraw is every random draw behind direct reply k of a post and its
// conversation, without the texts (which come from their own streams).
type convoDraw struct {
	key                 uint64
	ms                  int64
	author              acctRef
	kind                int
	state               uint8
	likes               int64
	ans, fu, ans2, side bool
	ansD, fuD, ans2D    float64
	sideD               float64
	sideAuthor          acctRef
	ansLikes            int64
}

// drawConvo makes the draws of direct reply k in their fixed order.
func (s *slot) drawConvo(k int64, meanLikes float64) convoDraw {
	a, p := s.a, s.a.pop
	d := convoDraw{key: hashv(s.key, tagComment, uint64(k))}
	r := newRNG(d.key)
	u := r.float()
	d.ms = s.ms + max(1000, int64(s.commentDelayH(k, u)*3.6e6))
	d.author, d.kind = s.commenter(&r)
	x := r.float()
	switch {
	case x < 0.03:
		d.state = nodeHidden
	case x < 0.04:
		d.state = nodeNotFound
	case x < 0.045:
		d.state = nodeBlocked
	}
	d.likes = int64(-math.Log(1-r.float()) * meanLikes)
	pAns := a.answerP
	if d.kind == cPodBot {
		pAns = math.Min(1, a.answerP*1.5)
	}
	d.ans, d.ansD = r.chance(pAns), a.answerDelayH(&r)
	d.fu, d.fuD = r.chance(0.35), r.between(0.2, 6)
	d.ans2, d.ans2D = r.chance(a.answerP*0.7), a.answerDelayH(&r)
	d.side, d.sideD = r.chance(0.06), r.between(0.5, 12)
	d.sideAuthor = p.fan(&r)
	d.ansLikes = int64(-math.Log(1-r.float()) * meanLikes * 1.5)
	return d
}

// meanNodeLikes is the mean like count of a direct reply under s.
func (s *slot) meanNodeLikes() float64 {
	return 0.2 + 0.03*s.likesF/math.Max(1, float64(s.comments))
}

// answerDelayH draws how long the account takes to answer, in hours.
func (a *account) answerDelayH(r *rng) float64 {
	return math.Max(1.0/60, a.answerMedianH*math.Exp(0.9*r.norm()))
}

// fan draws an audience member who is not a pod bot.
func (p *Population) fan(r *rng) acctRef {
	base := podRings * podRingSize
	return acctRef{kind: kindAudience, idx: base + r.intn(p.audience-base)}
}

// massFollower draws a mass-follow account (the bought followers' pool):
// the low-effort comments that come with bought followers are written by
// the bought accounts, not by real fans. Ground truth: fake.
func (p *Population) massFollower(r *rng) acctRef {
	return acctRef{kind: kindAudience, idx: p.audience + r.intn(p.extraPool())}
}

// commenter draws who writes a direct reply under s.
func (s *slot) commenter(r *rng) (acctRef, int) {
	a, p := s.a, s.a.pop
	switch {
	case a.arch == ArchPod && r.chance(0.65):
		return acctRef{kind: kindAudience, idx: a.ring*podRingSize + r.intn(podRingSize)}, cPodBot
	case a.arch == ArchBoughtFollowers && r.chance(0.3):
		return p.massFollower(r), cBotlike
	case s.sponsored && r.chance(0.25):
		return p.fan(r), cSponsor
	case r.chance(0.12):
		if cnt := p.nicheCount(a.pl, a.niche); cnt > 1 {
			i := p.nicheMember(a.pl, a.niche, r.intn(cnt))
			if a.ref.kind != kindCreator || i != a.ref.idx {
				return acctRef{kind: kindCreator, idx: i}, cPeer
			}
		}
	}
	return p.fan(r), cFan
}

func (s *slot) commentText(r *rng, kind int) (string, string) {
	a := s.a
	switch kind {
	case cPodBot:
		return pick(r, podComments), "en"
	case cBotlike:
		return pick(r, botComments), "en"
	case cSponsor:
		return pick(r, sponsoredReactions), "en"
	}
	if a.lang != "en" && r.chance(0.5) {
		return pick(r, localComments[a.lang]), a.lang
	}
	return nicheRemark(r, &niches[a.niche]), "en"
}

func (s *slot) answerText(r *rng, to acctRef, kind int) string {
	a := s.a
	if kind == cPodBot {
		return pick(r, podAnswers)
	}
	name := a.pop.account(a.pl, to).first
	return fill(pick(r, answers[a.lang]), "name", capitalise(name))
}

// Two-level comment threads (YouTube, TikTok, Instagram) show a direct reply
// with its whole conversation flattened under it.

// maxListedComments is how many of a post's newest direct replies the
// platforms with two-level threads list; counts still cover all of them.
const maxListedComments = 5000

// convo is direct reply k of a post with its conversation: replies in time
// order, and for each the index in replies of the reply it answers (-1 for
// the direct reply itself).
type convo struct {
	k       int64
	top     node
	replies []node
	replyTo []int
}

// convo generates direct reply k (k < visible(now)) and its conversation.
func (s *slot) convo(now int64, k int64) convo {
	nodes := s.threadRange(now, k, k+1)
	c := convo{k: k, top: nodes[0]}
	if len(nodes) == 1 {
		return c
	}
	order := make([]int, 0, len(nodes)-1)
	for i := 1; i < len(nodes); i++ {
		order = append(order, i)
	}
	sort.SliceStable(order, func(x, y int) bool { return nodes[order[x]].ms < nodes[order[y]].ms })
	pos := make([]int, len(nodes))
	for j, i := range order {
		pos[i] = j
	}
	for _, i := range order {
		c.replies = append(c.replies, nodes[i])
		if p := nodes[i].parent; p > 0 {
			c.replyTo = append(c.replyTo, pos[p])
		} else {
			c.replyTo = append(c.replyTo, -1)
		}
	}
	return c
}

// answered reports whether the creator replied in the conversation.
func (c *convo) answered() bool {
	for i := range c.replies {
		if c.replies[i].byCreator {
			return true
		}
	}
	return false
}

// listable returns the range of direct replies the platform lists at now:
// indexes low..high-1, the newest maxListedComments.
func (s *slot) listable(now int64) (low, high int64) {
	high = s.visible(now)
	return max(0, high-maxListedComments), high
}

// newestConvos collects up to limit shown direct replies, newest first,
// starting at index from (clamped to the newest) and walking down to the
// oldest listable one. next is the index to continue from, or -1 when none
// is left; scanned is how many indexes were looked at.
func (s *slot) newestConvos(now int64, from int64, limit int) (out []convo, next int64, scanned int64) {
	low, high := s.listable(now)
	k := min(from, high-1)
	for ; k >= low && len(out) < limit; k-- {
		scanned++
		c := s.convo(now, k)
		if c.top.state == nodeShown {
			out = append(out, c)
		}
	}
	if k < low {
		return out, -1, scanned
	}
	return out, k, scanned
}
