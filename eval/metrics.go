package eval

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
)

// Archetypes whose engagement is bought or coordinated: none of them may
// reach a platform's nano top K.
var fraudArchetypes = []string{simulator.ArchBoughtFollowers, simulator.ArchBoughtLikes, simulator.ArchPod}

// Result is one evaluation.
type Result struct {
	Seed      int64            `json:"seed"`
	Creators  int              `json:"creators"` // simulated per platform
	Collect   int              `json:"collect"`  // max creators collected per platform
	Faults    string           `json:"faults"`
	TopK      int              `json:"topK"`
	Duration  time.Duration    `json:"durationNs"`          // collection, scoring and ranking
	Rescored  time.Duration    `json:"rescoredNs,omitzero"` // re-scoring only (Rescore)
	Platforms []PlatformResult `json:"platforms"`
	// FaultSeed is the run's fault seed; Runs, on a combined worst result
	// (Worst), the fault seeds of the runs it was taken from.
	FaultSeed int64   `json:"faultSeed,omitempty"`
	Runs      []int64 `json:"runs,omitempty"`
	// Definitions say what each column measures.
	Definitions []string `json:"definitions"`
}

// PlatformResult is one platform's line of the table.
type PlatformResult struct {
	Platform string `json:"platform"`
	// Basis and Benchmark are the ER basis and the nano benchmark (in %)
	// the "high-engagement" threshold uses.
	Basis     string  `json:"basis"`
	Benchmark float64 `json:"benchmark"`
	// Population is the simulated creators; Scored those with a stored
	// score; NanoRanked the scored nano creators.
	Population int `json:"population"`
	Scored     int `json:"scored"`
	NanoRanked int `json:"nanoRanked"`
	// Positives are the authentic high-engagement nano creators of the
	// population (not vanished); PositivesScored those the pipeline scored.
	Positives       int `json:"positives"`
	PositivesScored int `json:"positivesScored"`
	// Top is how many nano creators the top K holds (K, unless fewer are
	// ranked); Hits how many of them are positives; Precision = Hits ÷ Top.
	Top       int     `json:"top"`
	Hits      int     `json:"hits"`
	Precision float64 `json:"precision"`
	// NonOrganic counts the top K's creators of a non-organic archetype,
	// ByArchetype splits them; Fraud counts bought_followers, bought_likes
	// and engagement_pod among them.
	NonOrganic  int            `json:"nonOrganic"`
	ByArchetype map[string]int `json:"byArchetype,omitempty"`
	Fraud       int            `json:"fraud"`
	// Spearman is the rank correlation of measured and true ER (in the
	// platform's basis) over SpearmanN scored creators with a measured ER.
	Spearman  float64 `json:"spearman"`
	SpearmanN int     `json:"spearmanN"`
	// Requests were made to the simulator; MinRequests is the minimum
	// needed (answered cleanly: neither refused by the rate limit nor hit
	// by an injected fault); Rejected were refused by its rate limits (or
	// YouTube's quota).
	Requests    int64   `json:"requests"`
	MinRequests int64   `json:"minRequests"`
	Overhead    float64 `json:"overhead"` // Requests ÷ MinRequests
	Rejected    int64   `json:"rejected"`
	Faults      int64   `json:"faults"`
	// Collected and Failed are the pipeline's counts.
	Collected int `json:"collected"`
	Failed    int `json:"failed"`
	// Misses are the top-K entries that are not positives, best first.
	Misses []Miss `json:"misses,omitempty"`
	// Audience is the audience-quality estimate against the truth; nil when
	// no creator of the platform has a judged sample.
	Audience *AudienceEval `json:"audience,omitempty"`
	// FaultSeed is the run this platform's figures come from (see Worst).
	FaultSeed int64 `json:"faultSeed,omitempty"`
}

// Miss is a top-K creator that is not an authentic high-engagement nano.
type Miss struct {
	Rank       int      `json:"rank"`
	Key        string   `json:"key"`
	Handle     string   `json:"handle"`
	Archetype  string   `json:"archetype"`
	TrueER     float64  `json:"trueER"`
	MeasuredER float64  `json:"measuredER"`
	Composite  float64  `json:"composite"`
	Why        string   `json:"why"`
	Flags      []string `json:"flags,omitempty"`
}

// positive is the definition of an authentic high-engagement nano creator.
func positive(t simulator.Truth, bench float64) bool {
	return t.Tier == model.TierNano && t.Archetype == simulator.ArchOrganic && !t.Vanished && t.TrueER >= bench
}

// definitions explain the table.
func definitions(topK int) []string {
	return []string{
		fmt.Sprintf("P@%d: share of the top %d nano creators (stored ranking, by composite) that are authentic high-engagement nano creators: truth tier nano (1k–10k followers), archetype organic, not vanished, and true ER ≥ the platform's nano benchmark in configs/benchmarks.yaml (in the benchmark's basis: by followers, or by views on view-based platforms).", topK, topK),
		fmt.Sprintf("NON-ORG@%d: creators of the top %d whose archetype is not organic (bf bought_followers, bl bought_likes, pod engagement_pod, sp sponsored_heavy); FRAUD counts bf+bl+pod, the target is 0.", topK, topK),
		"SPEARMAN: rank correlation of measured ER (the stored score's mean ER by followers, or pooled ER by views on view-based platforms) with the simulator's true ER over every scored creator with a measured ER (n in brackets).",
		"REQUESTS / MIN: requests the simulator received / the minimum needed, i.e. requests answered cleanly (not refused by the rate limit, not hit by an injected fault); every other request was a retry. ×MIN = REQUESTS ÷ MIN.",
		"REJECTED: requests the simulator's rate limits (or YouTube's daily quota) refused.",
		"POS: positives the pipeline scored / positives in the population; SCORED: creators with a stored score / simulated.",
		"AUDIENCE: per creator with a judged sample, the estimated share of real, active accounts against the truth. MAE SAMPLE: mean absolute error against the true share of the very accounts sampled (the judge's error); MAE LIST: against the true share of the whole follower list (plus the sampling error), and 90% COVER the share of 90 % intervals that hold it (commenters, who have no list: \"(sample)\", the share that hold the true share of the accounts sampled); est/true are means per archetype; flagged: low_audience_quality. Commenters (YouTube, TikTok, Instagram) are judged bot or person by the commenter judge (audience.commenter_judge). \"too few judged\": creators sampled whose sample had fewer than 20 accounts the judge could read.",
	}
}

// evaluate compares the stored ranking of each platform with the truth.
func evaluate(ctx context.Context, st store.Store, pop *simulator.Population, bm scoring.Benchmarks, m manifest, topK int) (Result, error) {
	res := Result{Seed: m.Seed, Creators: m.Creators, Collect: m.MaxCreators, Faults: m.Faults, TopK: topK,
		Definitions: definitions(topK)}
	for _, name := range m.Platforms {
		pr, err := evaluatePlatform(ctx, st, pop, bm, name, topK)
		if err != nil {
			return res, err
		}
		if ps := m.Run.Platforms[name]; ps != nil {
			pr.Collected, pr.Failed = ps.Collected, ps.Failed
		}
		s := m.Simulator[name]
		pr.Requests, pr.Rejected, pr.Faults = s.Requests, s.Rejected, s.Faults+s.LoginWalls
		pr.MinRequests = max(0, s.Requests-s.Rejected-s.Faults-s.LoginWalls)
		if pr.MinRequests > 0 {
			pr.Overhead = float64(pr.Requests) / float64(pr.MinRequests)
		}
		res.Platforms = append(res.Platforms, pr)
	}
	return res, nil
}

func evaluatePlatform(ctx context.Context, st store.Store, pop *simulator.Population, bm scoring.Benchmarks, name string, topK int) (PlatformResult, error) {
	pr := PlatformResult{Platform: name, Basis: bm.Basis(name), Population: pop.Size()}
	pr.Benchmark, _ = bm.Benchmark(name, model.TierNano)
	truth := make(map[string]simulator.Truth, pop.Size())
	for i := range pop.Size() {
		t := pop.Creator(name, i)
		truth[model.Key(name, t.ID)] = t
		if positive(t, pr.Benchmark) {
			pr.Positives++
		}
	}

	// Every scored creator: Spearman, positives reached.
	var measured, real []float64
	aud := newAudienceAcc()
	for offset := 0; ; offset += 1000 {
		page, err := st.Top(ctx, store.TopQuery{Platform: name, Limit: 1000, Offset: offset})
		if err != nil {
			return pr, fmt.Errorf("reading %s creators: %w", name, err)
		}
		for _, r := range page {
			if r.Score == nil {
				continue
			}
			pr.Scored++
			if r.Score.Tier == model.TierNano {
				pr.NanoRanked++
			}
			t, ok := truth[r.Key]
			if !ok {
				continue
			}
			if positive(t, pr.Benchmark) {
				pr.PositivesScored++
			}
			if err := aud.add(ctx, st, pop, name, r, t); err != nil {
				return pr, err
			}
			if er, ok := measuredER(r.Score, pr.Basis); ok {
				measured = append(measured, er)
				real = append(real, t.TrueER)
			}
		}
		if len(page) < 1000 {
			break
		}
	}
	pr.Audience = aud.result()
	pr.SpearmanN = len(measured)
	pr.Spearman = spearman(measured, real)

	// The top K nano.
	top, err := st.Top(ctx, store.TopQuery{Platform: name, Tier: model.TierNano, Limit: topK})
	if err != nil {
		return pr, fmt.Errorf("reading the %s nano top %d: %w", name, topK, err)
	}
	pr.Top = len(top)
	for i, r := range top {
		t, ok := truth[r.Key]
		if ok && positive(t, pr.Benchmark) {
			pr.Hits++
			continue
		}
		miss := Miss{Rank: i + 1, Key: r.Key, Handle: r.Creator.Handle, Archetype: "unknown", Flags: r.Score.Flags,
			Composite: r.Score.Composite}
		miss.MeasuredER, _ = measuredER(r.Score, pr.Basis)
		if ok {
			miss.Archetype, miss.TrueER = t.Archetype, t.TrueER
			switch {
			case t.Archetype != simulator.ArchOrganic:
				miss.Why = "archetype " + t.Archetype
			case t.Tier != model.TierNano:
				miss.Why = "true tier " + t.Tier
			case t.Vanished:
				miss.Why = "vanished"
			default:
				miss.Why = fmt.Sprintf("true ER %.2f%% below the benchmark %.2f%%", t.TrueER, pr.Benchmark)
			}
		} else {
			miss.Why = "not a simulated creator"
		}
		if miss.Archetype != simulator.ArchOrganic {
			pr.NonOrganic++
			if pr.ByArchetype == nil {
				pr.ByArchetype = map[string]int{}
			}
			pr.ByArchetype[miss.Archetype]++
			for _, a := range fraudArchetypes {
				if a == miss.Archetype {
					pr.Fraud++
				}
			}
		}
		pr.Misses = append(pr.Misses, miss)
	}
	if pr.Top > 0 {
		pr.Precision = float64(pr.Hits) / float64(pr.Top)
	}
	return pr, nil
}

// measuredER is the stored score's ER in the basis of the platform's
// benchmark.
func measuredER(s *model.Score, basis string) (float64, bool) {
	if s.PostsUsed == 0 {
		return 0, false
	}
	if basis == scoring.BasisViews {
		if s.ERByViews == nil {
			return 0, false
		}
		return *s.ERByViews, true
	}
	return s.ER, true
}

// spearman is the Spearman rank correlation of x and y (ties get their mean
// rank); 0 with fewer than 3 pairs or no spread.
func spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 3 {
		return 0
	}
	rx, ry := ranks(x), ranks(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	n := float64(len(rx))
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ranks returns the 1-based ranks of xs, ties sharing their mean rank.
func ranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	out := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}
