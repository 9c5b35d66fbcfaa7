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
	a := s.a
	p := a.pop
	f := maturity(float64(now-s.ms)/3.6e6, a.tauH)
	vis := min(s.visibleComments(f), int64(maxTop))
	nodes := make([]node, 0, vis+vis/2)
	meanLikes := 0.2 + 0.03*s.likesF/math.Max(1, float64(s.comments))
	add := func(n node) int {
		n.ms = min(n.ms, now)
		nodes = append(nodes, n)
		i := len(nodes) - 1
		if n.parent >= 0 {
			nodes[n.parent].children = append(nodes[n.parent].children, i)
		}
		return i
	}
	for k := range vis {
		ckey := hashv(s.key, tagComment, uint64(k))
		r := newRNG(ckey)
		u := r.float()
		ms := s.ms + max(1000, int64(s.commentDelayH(k, u)*3.6e6))
		author, kind := s.commenter(&r)
		x := r.float()
		state := nodeShown
		switch {
		case x < 0.03:
			state = nodeHidden
		case x < 0.04:
			state = nodeNotFound
		case x < 0.045:
			state = nodeBlocked
		}
		likes := int64(-math.Log(1-r.float()) * meanLikes)
		pAns := a.answerP
		if kind == cPodBot {
			pAns = math.Min(1, a.answerP*1.5)
		}
		ans, ansD := r.chance(pAns), a.answerDelayH(&r)
		fu, fuD := r.chance(0.35), r.between(0.2, 6)
		ans2, ans2D := r.chance(a.answerP*0.7), a.answerDelayH(&r)
		side, sideD := r.chance(0.06), r.between(0.5, 12)
		sideAuthor := p.fan(&r)
		ansLikes := int64(-math.Log(1-r.float()) * meanLikes * 1.5)

		tr := newRNG(hashv(ckey, tagText))
		text, lang := s.commentText(&tr, kind)
		top := add(node{key: ckey, author: author, ms: ms, parent: -1, depth: 1, text: text, lang: lang, likes: likes, state: state})
		if state != nodeShown {
			continue
		}
		if side {
			t := ms + int64(sideD*3.6e6)
			if t <= now {
				tr := newRNG(hashv(ckey, tagText, 9))
				add(node{key: hashv(ckey, 9), author: sideAuthor, ms: t, parent: top, depth: 2, text: pick(&tr, sideReplies), lang: "en"})
			}
		}
		if !ans || author == a.ref {
			continue
		}
		t2 := ms + int64(ansD*3.6e6)
		if t2 > now {
			continue
		}
		ar := newRNG(hashv(ckey, tagText, 2))
		second := add(node{key: hashv(ckey, 2), author: a.ref, ms: t2, parent: top, depth: 2, byCreator: true,
			text: s.answerText(&ar, author, kind), lang: a.lang, likes: ansLikes})
		if !fu || kind == cPodBot {
			continue
		}
		t3 := t2 + int64(fuD*3.6e6)
		if t3 > now {
			continue
		}
		fr := newRNG(hashv(ckey, tagText, 3))
		third := add(node{key: hashv(ckey, 3), author: author, ms: t3, parent: second, depth: 3, text: pick(&fr, followUps), lang: "en"})
		if !ans2 {
			continue
		}
		t4 := t3 + int64(ans2D*3.6e6)
		if t4 > now {
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

// answerDelayH draws how long the account takes to answer, in hours.
func (a *account) answerDelayH(r *rng) float64 {
	return math.Max(1.0/60, a.answerMedianH*math.Exp(0.9*r.norm()))
}

// fan draws an audience member who is not a pod bot.
func (p *Population) fan(r *rng) acctRef {
	base := podRings * podRingSize
	return acctRef{kind: kindAudience, idx: base + r.intn(p.audience-base)}
}

// commenter draws who writes a direct reply under s.
func (s *slot) commenter(r *rng) (acctRef, int) {
	a, p := s.a, s.a.pop
	switch {
	case a.arch == ArchPod && r.chance(0.65):
		return acctRef{kind: kindAudience, idx: a.ring*podRingSize + r.intn(podRingSize)}, cPodBot
	case a.arch == ArchBoughtFollowers && r.chance(0.3):
		return p.fan(r), cBotlike
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
