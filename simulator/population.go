package simulator

import (
	"math"
	"sort"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Account kinds. Creators are the population with ground truth; the audience
// (fans who comment, and the bot accounts of engagement-pod rings) are
// accounts too, with profiles and feeds, but no truth rows.
const (
	kindCreator uint8 = iota
	kindAudience
)

// Archetypes.
const (
	ArchOrganic         = "organic"
	ArchBoughtFollowers = "bought_followers"
	ArchBoughtLikes     = "bought_likes"
	ArchPod             = "engagement_pod"
	ArchSponsoredHeavy  = "sponsored_heavy"
	archFan             = "fan" // audience
	archBot             = "bot" // audience, member of a pod ring
)

// MaxCreators is the largest population per platform.
const MaxCreators = 100_000

const (
	podRings    = 3  // rings of bot accounts shared by pod creators
	podRingSize = 10 // accounts per ring
	poolSize    = 400
	maxAudience = 2_000_000
)

var (
	archetypes       = []string{ArchOrganic, ArchBoughtFollowers, ArchBoughtLikes, ArchPod, ArchSponsoredHeavy}
	archetypeWeights = []float64{0.65, 0.08, 0.08, 0.09, 0.10}
	tiers            = []string{model.TierBelow, model.TierNano, model.TierMicro, model.TierMid, model.TierMacro, model.TierMega}
	tierWeights      = []float64{0.12, 0.45, 0.25, 0.10, 0.05, 0.03}
	tierRange        = map[string][2]float64{
		model.TierBelow: {150, 1_000}, model.TierNano: {1_000, 10_000}, model.TierMicro: {10_000, 100_000},
		model.TierMid: {100_000, 500_000}, model.TierMacro: {500_000, 1_000_000}, model.TierMega: {1_000_000, 8_000_000},
	}
	// answerShare is the mean share of commenters a creator answers, by tier.
	answerShare = map[string]float64{
		model.TierBelow: 0.70, model.TierNano: 0.65, model.TierMicro: 0.40,
		model.TierMid: 0.15, model.TierMacro: 0.05, model.TierMega: 0.015,
	}
	// answerHours is the median delay of an answer, by tier.
	answerHours = map[string]float64{
		model.TierBelow: 1.5, model.TierNano: 2.5, model.TierMicro: 6,
		model.TierMid: 14, model.TierMacro: 30, model.TierMega: 60,
	}
)

// Population is the seeded set of simulated accounts. Nothing per account is
// stored: every account, post and comment is recomputed on demand from
// (seed, platform, index, …), so memory does not grow with the population.
type Population struct {
	seed     int64
	size     int
	audience int
	vanish   float64
	now      func() time.Time
	// Bluesky deletions (Faults.PostDeleteRate, Faults.UnlikeRate): the
	// share of own posts and of likes their authors delete again.
	postDeleteRate, unlikeRate float64
	names                      []string
	plats                      map[string]*platform
	keys                       map[string]uint64
}

func newPopulation(seed int64, size int, vanish float64, now func() time.Time) *Population {
	p := &Population{
		seed: seed, size: size, vanish: vanish, now: now,
		audience: min(maxAudience, max(2_000, 20*size)),
		names:    platformNames(),
		plats:    map[string]*platform{},
		keys:     map[string]uint64{},
	}
	for _, n := range p.names {
		p.plats[n] = registry[n]
		p.keys[n] = hashv(uint64(seed), strHash(n))
	}
	return p
}

// Size is the number of creators per platform.
func (p *Population) Size() int { return p.size }

// Platforms lists the simulated platforms, sorted.
func (p *Population) Platforms() []string { return append([]string(nil), p.names...) }

// Hashtags lists the niche hashtags used in captions, interleaved across
// niches so that any prefix covers several niches.
func (p *Population) Hashtags() []string {
	var out []string
	for j := 0; ; j++ {
		added := false
		for _, n := range niches {
			if j < len(n.tags) {
				out = append(out, n.tags[j])
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

// Truth is the ground truth of one creator.
//
// TrueER is the engagement rate the platform's tier benchmark measures, in
// %, over the creator's own posts at least SettledAge old that show any
// count, computed from exactly the counts the API serves at Now:
//
//   - ERBasis "followers" (Bluesky, Mastodon, Instagram): the mean over
//     posts of (every count shown: likes + comments + reposts/shares +
//     quotes/saves) ÷ Followers.
//   - ERBasis "views" (TikTok, YouTube): pooled over posts, Σ(likes +
//     comments + shares, as shown) ÷ Σ views — saves (TikTok collectCount)
//     are left out, hidden like counts (YouTube) count as absent, as in
//     scoring.Engagement's ByViews.
//
// ERByFollowers is always the first of the two, so it equals TrueER on
// follower-based platforms. Followers is the count as the platform shows it
// (YouTube rounds subscriberCount down to three significant figures).
type Truth struct {
	Platform      string  `json:"platform"`
	ID            string  `json:"id"`
	Handle        string  `json:"handle"`
	Tier          string  `json:"tier"` // by Followers, as model.Tier*
	Archetype     string  `json:"archetype"`
	Followers     int64   `json:"followers"`
	TrueER        float64 `json:"trueER"`        // %, by ERBasis
	ERBasis       string  `json:"erBasis"`       // "followers" or "views", as configs/benchmarks.yaml
	ERByFollowers float64 `json:"erByFollowers"` // %, mean (every count shown)/followers
	IsAuthentic   bool    `json:"isAuthentic"`
	// Extras for evaluation.
	Niche        string  `json:"niche"`
	Language     string  `json:"language"`
	ReplyRate    float64 `json:"replyRate"`    // expected share of comments the creator answers
	ReplyHours   float64 `json:"replyHours"`   // median hours before an answer
	SettledPosts int     `json:"settledPosts"` // own posts at least 24 h old that TrueER is over
	Vanished     bool    `json:"vanished"`     // the account answers as deleted or deactivated
	Private      bool    `json:"private"`      // private account (YouTube: hidden subscriber count)
	// Audience is the expected mix of the follower list (Population.Followers
	// serves it follower by follower, each with its class).
	Audience AudienceTruth `json:"audience"`
}

// SettledAge is how old a post must be to count in TrueER. Engagement of a
// post is 99 % in by 24 h and complete at 72 h.
const SettledAge = 24 * time.Hour

// Creator returns the ground truth of creator i on platform, as of Now. It
// returns the zero Truth for an unknown platform or an index out of range.
func (p *Population) Creator(platform string, i int) Truth {
	pl := p.plats[platform]
	if pl == nil || i < 0 || i >= p.size {
		return Truth{}
	}
	a := p.account(pl, acctRef{kind: kindCreator, idx: i})
	now := p.now()
	f := a.shownFollowers(now)
	er, byF, n := a.trueER(now.UnixMilli(), f)
	return Truth{
		Platform: platform, ID: pl.accountID(p, a), Handle: pl.handle(p, a),
		Tier: model.TierOf(f), Archetype: a.arch, Followers: f, TrueER: er,
		ERBasis: pl.basis(), ERByFollowers: byF,
		IsAuthentic: a.arch == ArchOrganic,
		Niche:       niches[a.niche].name, Language: a.lang,
		ReplyRate: a.answerP, ReplyHours: a.answerMedianH, SettledPosts: n,
		Vanished: a.vanished, Private: a.private,
		Audience: a.audienceTruth(),
	}
}

// shownFollowers is the follower count as the platform shows it at t.
func (a *account) shownFollowers(t time.Time) int64 {
	f := a.followersAt(t)
	if a.pl.servedFollowers != nil {
		return a.pl.servedFollowers(f)
	}
	return f
}

// SeedHandles returns up to n handles to start discovery from: accounts that
// exist and are public, in a deterministic order, about 70 % nano or micro
// and the rest of any tier.
func (p *Population) SeedHandles(platform string, n int) []string {
	pl := p.plats[platform]
	if pl == nil || n <= 0 {
		return nil
	}
	now := p.now()
	var small, other []string
	for i := 0; i < p.size && (len(small) < n || len(other) < n); i++ {
		a := p.account(pl, acctRef{kind: kindCreator, idx: i})
		if a.vanished || a.private {
			continue
		}
		switch model.TierOf(a.followersAt(now)) {
		case model.TierNano, model.TierMicro:
			if len(small) < n {
				small = append(small, pl.handle(p, a))
			}
		default:
			if len(other) < n {
				other = append(other, pl.handle(p, a))
			}
		}
	}
	out := make([]string, 0, n)
	for k := 0; len(out) < n && len(small)+len(other) > 0; k++ {
		if (k%10 < 7 && len(small) > 0) || len(other) == 0 {
			out, small = append(out, small[0]), small[1:]
		} else {
			out, other = append(out, other[0]), other[1:]
		}
	}
	return out
}

// acctRef names an account: a creator or an audience member, by index.
type acctRef struct {
	kind uint8
	idx  int
}

// account is the generated header of one account.
type account struct {
	ref  acctRef
	key  uint64
	pl   *platform
	pop  *Population
	user string // handle base / username

	first, last, word, city string
	lang                    string
	niche                   int
	arch                    string
	tier                    string // tier it was drawn in
	fBase                   float64
	fReal                   float64 // followers who actually see and engage
	er                      float64 // organic engagement per post, % of fReal
	likeBoost, podBoost     float64
	tauH                    float64 // engagement time constant, hours
	following               int
	createdMs               int64
	periodMs, phaseMs       int64
	spanMs                  int64
	emptyP, dormantP        float64
	replyP, repostP         float64
	imageP                  float64
	sponsoredP, disclosedP  float64
	answerP, answerMedianH  float64
	reach                   float64 // views per post ÷ real followers (platforms with views)
	private                 bool    // the account is private (YouTube: hides its subscriber count)
	ring                    int
	code                    string // promo code
	vanished, deactivated   bool
	hideCollections         bool
	noAvatar                bool
	waveAmp, wavePeriod     float64
	wavePhase               float64
	spikeEvery, spikeOffset int64
	spikeProb, spikeMin     float64
	spikeMax, spikeDecay    float64
}

func (p *Population) platformKey(pl *platform) uint64 { return p.keys[pl.name] }

// Creators are assigned to niches round-robin from a seeded offset, so the
// members of a niche can be enumerated without a scan: nicheCount says how
// many there are and nicheMember returns the r-th.
func (p *Population) nicheOffset(pl *platform) int {
	return int(p.platformKey(pl) % uint64(len(niches)))
}

func (p *Population) nicheCount(pl *platform, c int) int {
	first := (c - p.nicheOffset(pl) + 2*len(niches)) % len(niches)
	if first >= p.size {
		return 0
	}
	return (p.size-1-first)/len(niches) + 1
}

func (p *Population) nicheMember(pl *platform, c, r int) int {
	first := (c - p.nicheOffset(pl) + 2*len(niches)) % len(niches)
	return first + r*len(niches)
}

// valid reports whether ref is inside the population.
func (p *Population) valid(ref acctRef) bool {
	switch ref.kind {
	case kindCreator:
		return ref.idx >= 0 && ref.idx < p.size
	case kindAudience:
		return ref.idx >= 0 && ref.idx < p.audience+2*p.extraPool()
	}
	return false
}

var (
	createdFrom = time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	createdTo   = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
)

const dayMs = 24 * 3600 * 1000

// account generates the header of ref. It is a pure function of the seed,
// the platform and ref.
func (p *Population) account(pl *platform, ref acctRef) *account {
	key := hashv(p.platformKey(pl), uint64(ref.kind), uint64(ref.idx))
	r := newRNG(hashv(key, tagHeader))
	a := &account{ref: ref, key: key, pl: pl, pop: p}
	a.lang = languages[r.weighted(languageWeights)]
	if ref.kind == kindCreator {
		a.niche = (ref.idx + p.nicheOffset(pl)) % len(niches)
	} else {
		a.niche = r.intn(len(niches))
	}
	n := &niches[a.niche]
	a.first = pick(&r, firstNames[a.lang])
	a.last = pick(&r, lastNames[a.lang])
	a.word = pick(&r, n.words)
	a.city = pick(&r, cities[a.lang])
	a.createdMs = createdFrom + int64(r.float()*float64(createdTo-createdFrom))
	a.waveAmp = r.between(0.01, 0.04)
	a.wavePeriod = r.between(120, 400)
	a.wavePhase = r.between(0, 2*math.Pi)
	a.tauH = 6
	a.emptyP = r.between(0, 0.15)
	dormant, dormantP := r.chance(0.3), r.between(0.03, 0.15)
	a.replyP = r.between(0.02, 0.09)
	a.repostP = r.between(0.02, 0.09)
	a.imageP = r.between(0.2, 0.7)
	a.hideCollections = r.chance(0.08)
	a.noAvatar = r.chance(0.06)
	spanDays := r.between(75, 185)
	nTarget := r.logUniform(27, 290, 1)
	if dormant && spanDays > 120 { // a quiet month or two, in long histories only
		a.dormantP = dormantP
	}

	if ref.kind == kindAudience && ref.idx >= p.audience {
		p.extraAccount(a, &r, &nTarget)
	} else if ref.kind == kindAudience {
		bot := ref.idx < podRings*podRingSize
		a.user = slug(a.first) + "_" + slug(a.last)
		a.arch = archFan
		a.fBase = r.logUniform(3, 900, 1.5)
		a.following = int(r.logUniform(40, 1500, 1))
		a.er = 5
		nTarget = r.logUniform(3, 60, 1)
		a.answerP, a.answerMedianH = 0.3, 4
		if bot {
			a.arch = archBot
			a.ring = ref.idx / podRingSize
			a.first = pick(&r, botWords)
			a.last = pick(&r, botWords) + "hub"
			a.user = a.first + "_" + a.last
			a.fBase = r.logUniform(20, 300, 1)
			a.following = int(r.between(1000, 6000))
			a.noAvatar = true
			nTarget = r.between(2, 10)
			a.answerP = 0
		}
		a.user += itoa(ref.idx)
		a.fReal = a.fBase
		a.tier = model.TierOf(int64(a.fBase))
	} else {
		a.user = slug(a.first) + a.word + itoa(ref.idx)
		a.arch = archetypes[r.weighted(archetypeWeights)]
		a.tier = tiers[r.weighted(tierWeights)]
		rg := tierRange[a.tier]
		a.fBase = r.logUniform(rg[0], rg[1], 1.3)
		a.fReal = a.fBase
		b := pl.bench[a.tier]
		a.er = r.between(b[0], b[1]) * r.lognormal1(0.25)
		a.following = int(r.logUniform(60, 1500, 1))
		a.sponsoredP, a.disclosedP = 0.04, 0.85
		switch a.arch {
		case ArchBoughtFollowers:
			a.fReal = a.fBase / r.between(2.5, 6)
			a.following = int(r.between(1500, 7000))
			a.spikeEvery = int64(r.between(18, 40))
			a.spikeOffset = int64(r.intn(int(a.spikeEvery)))
			a.spikeProb = 0.7
			a.spikeMin, a.spikeMax = 0.10, 0.35
			a.spikeDecay = r.between(60, 120)
			a.sponsoredP, a.disclosedP = 0.08, 0.5
		case ArchBoughtLikes:
			a.likeBoost = r.between(2.5, 7)
			a.sponsoredP, a.disclosedP = 0.08, 0.5
		case ArchPod:
			a.podBoost = r.between(1, 2.5)
			a.tauH = 1.5
			a.ring = r.intn(podRings)
			a.sponsoredP = 0.1
		case ArchSponsoredHeavy:
			a.er *= 0.8
			a.sponsoredP, a.disclosedP = r.between(0.35, 0.6), 0.9
		}
		mean := answerShare[a.tier]
		if r.chance(0.15) { // some creators never talk back
			mean *= 0.1
		}
		switch a.arch {
		case ArchBoughtFollowers:
			mean *= 0.4
		case ArchBoughtLikes, ArchSponsoredHeavy:
			mean *= 0.5
		case ArchPod:
			mean *= 0.6
		}
		a.answerP = math.Min(0.97, mean*r.lognormal1(0.4))
		a.answerMedianH = answerHours[a.tier] * r.lognormal1(0.5)
		u := unit(hashv(key, tagVanish))
		a.vanished = u < p.vanish
		a.deactivated = a.vanished && unit(hashv(key, tagVanish, 1)) < 0.3
	}
	codeBase := a.first
	if r.chance(0.5) {
		codeBase = pick(&r, n.brands)
	}
	a.code = upperSlug(codeBase) + pick(&r, []string{"10", "15", "20"})
	// Platform extras, drawn from their own streams so that the draws above
	// stay the same whatever the platform.
	if rg, ok := pl.reach[a.tier]; ok {
		rr := newRNG(hashv(key, tagReach))
		a.reach = rr.between(rg[0], rg[1]) * rr.lognormal1(0.3)
	}
	if pl.privateShare > 0 {
		share := pl.privateShare
		if ref.kind == kindAudience {
			share = 0.25 // display only: fans' accounts are often private
		}
		a.private = !a.vanished && unit(hashv(key, tagPrivate)) < share
	}
	if pl.postRate > 0 {
		nTarget *= pl.postRate
	}
	a.spanMs = int64(spanDays * dayMs)
	period := float64(a.spanMs) * (1 - a.emptyP) * (1 - a.dormantP) / nTarget
	a.periodMs = max(int64(period), 3600*1000)
	a.phaseMs = int64(r.next() % uint64(a.periodMs))
	return a
}

func upperSlug(s string) string {
	b := []byte(slug(s))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// followersAt is the follower count on the UTC day of t. Organic accounts
// drift slowly; accounts with bought followers jump on purchase days and
// decay as the platform purges fakes.
func (a *account) followersAt(t time.Time) int64 {
	d := floorDiv(t.Unix(), 86400)
	f := a.fBase * (1 + a.waveAmp*math.Sin(2*math.Pi*float64(d)/a.wavePeriod+a.wavePhase))
	f *= 1 + 0.004*(unit(hashv(a.key, tagDay, uint64(d)))-0.5)
	if a.spikeEvery > 0 {
		k0 := floorDiv(d-a.spikeOffset, a.spikeEvery)
		for k := k0; k > k0-8; k-- {
			h := hashv(a.key, tagSpike, uint64(k))
			if unit(h) >= a.spikeProb {
				continue
			}
			dk := a.spikeOffset + k*a.spikeEvery
			size := a.spikeMin + (a.spikeMax-a.spikeMin)*unit(h^0x5bd1e995)
			f += a.fBase * size * math.Exp(-float64(d-dk)/a.spikeDecay)
		}
	}
	return int64(math.Round(f))
}

// displayName is the name on the profile.
func (a *account) displayName() string {
	r := newRNG(hashv(a.key, tagName))
	switch {
	case a.arch == archBot:
		return capitalise(a.first) + " " + capitalise(a.last)
	case a.ref.kind == kindAudience:
		if r.chance(0.5) {
			return a.first
		}
		return a.first + " " + a.last
	}
	topic := pick(&r, niches[a.niche].topics)
	switch r.intn(3) {
	case 0:
		return a.first + " " + a.last
	case 1:
		return a.first + " | " + topic
	}
	return a.first + " 🌱 " + capitalise(a.word)
}

// bio is the profile text.
func (a *account) bio() string {
	r := newRNG(hashv(a.key, tagName, 1))
	if a.arch == archBot {
		return "Growth tips 🚀 Follow for follow 💯 DM for promo"
	}
	n := &niches[a.niche]
	if a.ref.kind == kindAudience {
		if r.chance(0.4) {
			return ""
		}
		return a.city + " · " + pick(&r, n.topics)
	}
	s := fill(pick(&r, bios[a.lang]), "T", capitalise(pick(&r, n.topics)), "t", pick(&r, n.topics), "t2", pick(&r, n.topics), "city", a.city)
	if a.arch == ArchSponsoredHeavy || a.arch == ArchBoughtFollowers {
		s += fill(bioPromo[a.lang], "code", a.code)
	}
	return s
}

// trueER computes Truth's TrueER (by the platform's basis) and ERByFollowers
// over the account's own posts at least SettledAge old that show any count,
// in %, and how many posts there were (see Truth).
func (a *account) trueER(now int64, followers int64) (basisER, byFollowers float64, n int) {
	views := a.pl.basis() == basisViews
	if followers <= 0 && !views {
		return 0, 0, 0
	}
	sum := 0.0
	var inter, seen int64
	a.eachSlot(now, ^uint64(0), func(s *slot) bool {
		if s.kind != slotPost || now-s.ms < SettledAge.Milliseconds() {
			return true
		}
		m := s.metrics(now)
		if !m.shown() {
			return true
		}
		if followers > 0 {
			sum += float64(m.byFollowers()) / float64(followers)
		}
		if m.views > 0 {
			seen += m.views
			inter += m.byViews()
		}
		n++
		return true
	})
	if n == 0 {
		return 0, 0, 0
	}
	byFollowers = 100 * sum / float64(n)
	basisER = byFollowers
	if views {
		basisER = 0
		if seen > 0 {
			basisER = 100 * float64(inter) / float64(seen)
		}
	}
	return basisER, byFollowers, n
}

// pool returns creators whose posts feed hashtag timelines and search for a
// niche (or, for c < 0, across niches): a fixed, bounded sample, so a query
// costs the same whatever the population size.
func (p *Population) pool(pl *platform, c int) []int {
	var out []int
	if c < 0 {
		for i := 0; i < min(p.size, poolSize); i++ {
			out = append(out, i)
		}
		return out
	}
	for r := 0; r < min(p.nicheCount(pl, c), poolSize); r++ {
		out = append(out, p.nicheMember(pl, c, r))
	}
	return out
}

// nichesOfWord returns the niches whose name, hashtags or topics include w.
func nichesOfWord(w string) []int {
	var out []int
	for i, n := range niches {
		hit := n.name == w
		for _, t := range n.tags {
			hit = hit || t == w
		}
		for _, t := range n.topics {
			hit = hit || slug(t) == w
		}
		if hit {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}
