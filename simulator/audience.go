package simulator

import (
	"math"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Audience ground truth. Beyond the fans who comment and the pod rings' bot
// accounts, the audience index space holds two more pools that only ever
// follow: mass-follow accounts (the bought followers: no posts, following
// thousands, few followers, mostly no avatar, a handle with digits) and
// inactive accounts (real people who signed up, posted a little and left).
// Every creator's follower list is drawn from these pools and the fans,
// follower by follower, from (seed, platform, creator, position), so no list
// is stored and memory stays flat whatever the population.

// Audience classes of the per-account ground truth.
const (
	ClassReal     = "real"     // a real, active account
	ClassFake     = "fake"     // a mass-follow / bot account
	ClassInactive = "inactive" // a real account that no longer posts
)

const (
	archFake     = "mass_follow" // audience: a bought follower
	archInactive = "inactive"    // audience: signed up and left
)

// extraPool is the size of each of the two follower-only pools.
func (p *Population) extraPool() int { return p.audience }

// extraAccount fills the header of a follower-only account (idx ≥ audience).
func (p *Population) extraAccount(a *account, r *rng, nTarget *float64) {
	a.user = slug(a.first) + "_" + slug(a.last)
	a.answerP, a.answerMedianH = 0, 4
	if a.ref.idx < p.audience+p.extraPool() {
		a.arch = archFake
		a.user = slug(a.first) + slug(a.last)[:min(3, len(slug(a.last)))]
		a.fBase = r.logUniform(1, 60, 1.5)
		a.following = int(r.logUniform(900, 7500, 1))
		a.noAvatar = r.chance(0.75)
		*nTarget = r.between(0.01, 0.8) // almost never a post
		a.er = 0.5
	} else {
		a.arch = archInactive
		a.fBase = r.logUniform(2, 150, 1.5)
		a.following = int(r.logUniform(15, 400, 1))
		a.noAvatar = r.chance(0.45)
		*nTarget = r.between(0.01, 1.2) // a post now and then, if ever
		a.er = 1
	}
	a.user += itoa(a.ref.idx)
	a.fReal = a.fBase
	a.tier = model.TierOf(int64(a.fBase))
}

// class is the ground-truth audience class of an account.
func (a *account) class() string {
	switch a.arch {
	case archFake, archBot:
		return ClassFake
	case archInactive:
		return ClassInactive
	}
	return ClassReal
}

// audienceMix is the creator's share of fake and of inactive followers. An
// organic creator has a few per cent of mass-follow accounts (they follow
// everybody) and 10–30 % inactive ones; bought followers are fake, in
// proportion to how far the follower count exceeds the real audience.
func (a *account) audienceMix() (fake, inactive float64) {
	r := newRNG(hashv(a.key, tagAudience))
	fake, inactive = r.between(0.01, 0.08), r.between(0.10, 0.30)
	switch a.arch {
	case ArchBoughtFollowers:
		realShare := a.fReal / a.fBase
		fake = 1 - realShare + realShare*fake
		inactive *= realShare
	case ArchBoughtLikes, ArchPod:
		fake += r.between(0, 0.05)
	}
	return fake, inactive
}

// follower is the k-th follower of creator a, newest first. Each class pool
// is walked in a permuted order, so the list has no repeats until k passes
// the pool's size.
func (p *Population) follower(a *account, k int) acctRef {
	fake, inactive := a.audienceMix()
	u := unit(hashv(a.key, tagFollower, uint64(k)))
	pr := newRNG(hashv(a.key, tagFollower))
	off, stride := pr.next(), pr.next()
	pool := func(base, n int) acctRef {
		return acctRef{kind: kindAudience, idx: base + int((off+uint64(k)*coprime(stride, n))%uint64(n))}
	}
	switch {
	case u < fake:
		return pool(p.audience, p.extraPool())
	case u < fake+inactive:
		return pool(p.audience+p.extraPool(), p.extraPool())
	}
	base := podRings * podRingSize
	return pool(base, p.audience-base)
}

// AudienceTruth is the ground truth of a creator's audience: the expected
// shares of real active, fake and inactive accounts among its followers.
type AudienceTruth struct {
	Real     float64 `json:"real"`
	Fake     float64 `json:"fake"`
	Inactive float64 `json:"inactive"`
}

// audienceTruth is the expected mix of a's follower list.
func (a *account) audienceTruth() AudienceTruth {
	fake, inactive := a.audienceMix()
	return AudienceTruth{Real: math.Max(0, 1-fake-inactive), Fake: fake, Inactive: inactive}
}

// AccountClass returns the ground-truth audience class (ClassReal, ClassFake
// or ClassInactive) of any account of platform by its native id or handle,
// and false when the id names no account.
func (p *Population) AccountClass(platform, idOrHandle string) (string, bool) {
	pl := p.plats[platform]
	if pl == nil {
		return "", false
	}
	ref, ok := pl.resolve(p, idOrHandle)
	if !ok || !p.valid(ref) {
		return "", false
	}
	return p.account(pl, ref).class(), true
}

// Followers returns up to n followers of creator i on platform, newest
// first, from position from, with each one's ground-truth class: what the
// platform's follower list serves.
func (p *Population) Followers(platform string, i, from, n int) []FollowerTruth {
	pl := p.plats[platform]
	if pl == nil || i < 0 || i >= p.size {
		return nil
	}
	a := p.account(pl, acctRef{kind: kindCreator, idx: i})
	total := int(a.shownFollowers(p.now()))
	var out []FollowerTruth
	for k := from; k < min(total, from+n); k++ {
		f := p.account(pl, p.follower(a, k))
		out = append(out, FollowerTruth{ID: pl.accountID(p, f), Handle: pl.handle(p, f), Class: f.class()})
	}
	return out
}

// FollowerTruth is one follower with its ground-truth class.
type FollowerTruth struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
	Class  string `json:"class"`
}

// followerCount is the length of a's follower list at now.
func (a *account) followerCount(now time.Time) int {
	return int(min(a.followersAt(now), math.MaxInt32))
}
