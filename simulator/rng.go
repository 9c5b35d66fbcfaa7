package simulator

import "math"

// Everything the simulator generates is a pure function of a 64-bit key made
// by hashing a tuple such as (seed, platform, account, post, comment). Keys
// feed a small splitmix64 stream: cheap, allocation-free and stable across Go
// versions, so a seed gives the same bytes on every machine.

const golden = 0x9e3779b97f4a7c15

// Tags that separate the streams drawn for different purposes from one key.
const (
	tagHeader uint64 = iota + 1
	tagSlot
	tagComment
	tagText
	tagRound
	tagVanish
	tagFollow
	tagFault
	tagDormant
	tagSpike
	tagDay
	tagName
	tagCursor
	tagToken
	tagCID
	tagCheck
	tagFeistel
	tagLogin
	tagReach
	tagPrivate
	tagHidden
	tagForm
	tagMedia
	tagQuota
	tagDelete
	tagLike
	tagRepost
	tagQuote
	tagFollowEv
	tagIdentity
	tagJitter
	tagStream
	tagFollower
	tagAudience
)

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashv folds a tuple into one well-mixed key.
func hashv(vals ...uint64) uint64 {
	h := uint64(0x6a09e667f3bcc909)
	for _, v := range vals {
		h = mix64(h ^ mix64(v+golden))
	}
	return h
}

// strHash is 64-bit FNV-1a.
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// rng is a splitmix64 stream.
type rng struct{ s uint64 }

func newRNG(key uint64) rng { return rng{s: key} }

func (r *rng) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a value in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a uniform value in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// chance is true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// norm is a standard normal draw (Box–Muller).
func (r *rng) norm() float64 {
	u1 := 1 - r.float() // (0, 1]
	u2 := r.float()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// lognormal1 is a log-normal multiplier with mean 1.
func (r *rng) lognormal1(sigma float64) float64 {
	return math.Exp(sigma*r.norm() - sigma*sigma/2)
}

// logUniform draws from [lo, hi) with density falling as 1/x; skew > 1 leans
// further toward lo.
func (r *rng) logUniform(lo, hi, skew float64) float64 {
	return lo * math.Pow(hi/lo, math.Pow(r.float(), skew))
}

// pick returns one element of list.
func pick[T any](r *rng, list []T) T { return list[r.intn(len(list))] }

// weighted returns the index chosen by weights (which need not sum to 1).
func (r *rng) weighted(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	u := r.float() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// unit returns a uniform [0, 1) value derived from key alone.
func unit(key uint64) float64 { return float64(mix64(key)>>11) / (1 << 53) }

// stochRound rounds x up with probability frac(x), using u in [0, 1), so that
// sums of rounded values stay unbiased.
func stochRound(x, u float64) int64 {
	if x <= 0 {
		return 0
	}
	f := math.Floor(x)
	if u < x-f {
		f++
	}
	return int64(f)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
