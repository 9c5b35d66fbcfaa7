package scoring

import (
	"math"
	"sort"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// Follower-history thresholds (see FollowerGrowth).
const (
	// GrowthMinDays is how many day-to-day changes the history must hold
	// before spikes and drops are judged.
	GrowthMinDays = 7
	// GrowthNoiseFloor is the smallest spread of daily growth taken as
	// normal: a steady account's count moves by fractions of a percent a day,
	// so a flat history does not turn every small change into an outlier.
	GrowthNoiseFloor = 0.005
	// SpikeMinGrowth and DropMinLoss are the daily changes a spike or drop
	// must also reach: 3 % more followers in a day, or 2 % fewer.
	SpikeMinGrowth = 0.03
	DropMinLoss    = 0.02
)

// GrowthResult is what the daily follower history shows.
type GrowthResult struct {
	// Days is how many day-to-day growth rates were measured.
	Days int
	// MedianGrowth is the median daily growth (0.01 = 1 % a day).
	MedianGrowth float64
	// SpikeZ and SpikeGrowth are the largest robust z-score of a daily
	// growth and that day's growth; SpikeDay the day it ended on.
	SpikeZ, SpikeGrowth float64
	SpikeDay            string
	// DropZ and DropGrowth are the most negative ones.
	DropZ, DropGrowth float64
	DropDay           string
}

// FollowerGrowth measures the daily follower history: the growth between
// consecutive snapshots, per day ((F₂ ÷ F₁)^(1/days) − 1), and how far the
// most extreme day lies from the median growth in robust z-scores: (g −
// median) ÷ (1.4826 × MAD), the MAD floored at GrowthNoiseFloor. The current
// profile counts as today's snapshot (replacing a stored one of the same day).
func FollowerGrowth(history []model.Snapshot, c model.Creator, now time.Time) GrowthResult {
	type point struct {
		day string
		t   time.Time
		f   int64
	}
	byDay := map[string]point{}
	for _, s := range history {
		if t, err := time.Parse(time.DateOnly, s.Day); err == nil && s.Followers > 0 {
			byDay[s.Day] = point{s.Day, t, s.Followers}
		}
	}
	if c.Followers > 0 && !now.IsZero() {
		d := now.UTC().Format(time.DateOnly)
		t, _ := time.Parse(time.DateOnly, d)
		byDay[d] = point{d, t, c.Followers}
	}
	pts := make([]point, 0, len(byDay))
	for _, p := range byDay {
		pts = append(pts, p)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].t.Before(pts[j].t) })

	var res GrowthResult
	var gs []float64
	var ends []string
	for i := 1; i < len(pts); i++ {
		days := pts[i].t.Sub(pts[i-1].t).Hours() / 24
		if days <= 0 {
			continue
		}
		g := math.Pow(float64(pts[i].f)/float64(pts[i-1].f), 1/days) - 1
		gs = append(gs, g)
		ends = append(ends, pts[i].day)
	}
	res.Days = len(gs)
	if res.Days < GrowthMinDays {
		return res
	}
	med, mad := medianMAD(gs)
	res.MedianGrowth = med
	res.SpikeZ, res.DropZ = math.Inf(-1), math.Inf(1)
	for i, g := range gs {
		z := robustZ(g, med, mad, GrowthNoiseFloor)
		if z > res.SpikeZ {
			res.SpikeZ, res.SpikeGrowth, res.SpikeDay = z, g, ends[i]
		}
		if z < res.DropZ {
			res.DropZ, res.DropGrowth, res.DropDay = z, g, ends[i]
		}
	}
	return res
}

// Risks of the follower history: a spike of z ≥ 4 that is also at least 3 %
// in a day starts to count and is certain at z 8; drops the same, at half
// weight, since platforms also purge inactive accounts from honest profiles.
func (g GrowthResult) spikeRisk() float64 {
	if g.Days < GrowthMinDays || g.SpikeGrowth < SpikeMinGrowth {
		return 0
	}
	return ramp(g.SpikeZ, 4, 8)
}

func (g GrowthResult) dropRisk() float64 {
	if g.Days < GrowthMinDays || g.DropGrowth > -DropMinLoss {
		return 0
	}
	return 0.5 * ramp(-g.DropZ, 4, 8)
}

// ERJumpResult compares the latest ER with the creator's ER history.
type ERJumpResult struct {
	Days    int     // earlier daily ERs compared with
	Median  float64 // their median, in %
	Latest  float64 // the ER now, in %
	Ratio   float64 // Latest ÷ Median
	Z       float64 // robust z-score of Latest among the earlier days
	Measure bool    // enough history to judge
}

// ERJumpMinDays is how many earlier daily ERs a jump is judged against.
const ERJumpMinDays = 5

// ERJump compares the current ER by followers with the ERs of the earlier
// snapshots (days before today): a sudden jump — more than 1.8× the median
// and a robust z-score of 3 or more, the spread floored at 10 % of the median
// — is how bought likes or a pod switched on look in the history.
func ERJump(history []model.Snapshot, current float64, now time.Time) ERJumpResult {
	today := now.UTC().Format(time.DateOnly)
	var ers []float64
	for _, s := range history {
		if s.Day != today && s.ER > 0 {
			ers = append(ers, s.ER)
		}
	}
	res := ERJumpResult{Days: len(ers), Latest: current}
	if len(ers) < ERJumpMinDays || current <= 0 {
		return res
	}
	med, mad := medianMAD(ers)
	if med <= 0 {
		return res
	}
	res.Measure = true
	res.Median = med
	res.Ratio = current / med
	res.Z = robustZ(current, med, mad, 0.1*med)
	return res
}

func (j ERJumpResult) risk() float64 {
	if !j.Measure || j.Z < 3 {
		return 0
	}
	return ramp(j.Ratio, 1.8, 3)
}

// LikesRatioResult is the ratio of likes to another count over the posts
// used: to comments (likes per comment), or to shares and quotes (likes per
// share). Bought likes raise both; honest audiences like, comment and share
// in proportions that vary little between creators of a platform.
type LikesRatioResult struct {
	Posts int   // posts showing both counts
	Likes int64 // Σ likes
	Other int64 // Σ comments, or Σ shares + quotes
	// Ratio is Likes ÷ Other (or Likes when Other is 0: a lower bound);
	// valid when Measured.
	Ratio    float64
	Measured bool
}

// LikesRatioMinOther is how many comments (or shares) a creator's ratio must
// rest on to enter a cohort norm, and, for the benchmarks-file fallback of
// likes per comment, how many count half.
const LikesRatioMinOther = 10

// logNoise is the variance of log10(Likes ÷ Other) that counting alone
// gives (Poisson): (1/Likes + 1/Other) ÷ ln(10)².
func (l LikesRatioResult) logNoise() float64 {
	if l.Likes <= 0 || l.Other <= 0 {
		return math.Inf(1)
	}
	return (1/float64(l.Likes) + 1/float64(l.Other)) / (math.Ln10 * math.Ln10)
}

// likesPerComment is likes ÷ comments over the top-level posts showing both.
func likesPerComment(posts []model.Post) LikesRatioResult {
	return likesAgainst(posts, func(p *model.Post) (int64, bool) {
		if p.Comments == nil {
			return 0, false
		}
		return known(p.Comments), true
	})
}

// likesPerShare is likes ÷ (shares + quotes) over the top-level posts showing
// likes and shares.
func likesPerShare(posts []model.Post) LikesRatioResult {
	return likesAgainst(posts, func(p *model.Post) (int64, bool) {
		if p.Shares == nil {
			return 0, false
		}
		return known(p.Shares) + known(p.Quotes), true
	})
}

// likesPerView is likes ÷ views over the top-level posts showing both (views
// above 0). Bought likes arrive without the views that real likes come with.
func likesPerView(posts []model.Post) LikesRatioResult {
	return likesAgainst(posts, func(p *model.Post) (int64, bool) {
		if p.Views == nil || *p.Views <= 0 {
			return 0, false
		}
		return *p.Views, true
	})
}

func likesAgainst(posts []model.Post, other func(*model.Post) (int64, bool)) LikesRatioResult {
	var res LikesRatioResult
	for i := range posts {
		p := &posts[i]
		if p.IsReply || isRepost(p.Kind) || p.Likes == nil {
			continue
		}
		o, ok := other(p)
		if !ok {
			continue
		}
		res.Posts++
		res.Likes += known(p.Likes)
		res.Other += o
	}
	switch {
	case res.Posts == 0:
	case res.Other > 0:
		res.Ratio, res.Measured = float64(res.Likes)/float64(res.Other), true
	case res.Likes > 0:
		res.Ratio, res.Measured = float64(res.Likes), true
	}
	return res
}

// ReachResult is how many of a creator's followers see its posts: the mean
// views per post over the used posts that show views, ÷ followers.
type ReachResult struct {
	Posts    int     // used posts showing views
	Views    int64   // Σ views
	Ratio    float64 // mean views per post ÷ followers
	Measured bool
}

// ReachMinPosts is how many posts with views the reach signal needs.
const ReachMinPosts = 3

func reach(posts []model.Post, followers int64) ReachResult {
	var res ReachResult
	for i := range posts {
		p := &posts[i]
		if p.IsReply || isRepost(p.Kind) || p.Views == nil || *p.Views <= 0 {
			continue
		}
		res.Posts++
		res.Views += *p.Views
	}
	if res.Posts >= ReachMinPosts && followers > 0 {
		res.Ratio = float64(res.Views) / float64(res.Posts) / float64(followers)
		res.Measured = true
	}
	return res
}
