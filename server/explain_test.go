package server

import (
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/configs"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
)

// contributesRe reads what scoring.Score wrote into a part's reason:
// "(weight W: contributes P of the C points)".
var contributesRe = regexp.MustCompile(`contributes ([0-9.]+) of the ([0-9.]+) points`)

// statedPoints are the points scoring.Score says each part contributes.
func statedPoints(t *testing.T, s model.Score) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, c := range s.Breakdown {
		if m := contributesRe.FindStringSubmatch(c.Reason); m != nil && !strings.Contains(c.Name, ".") {
			p, _ := strconv.ParseFloat(m[1], 64)
			out[c.Name] = p
		}
	}
	if len(out) == 0 {
		t.Fatalf("no part of the breakdown states its points")
	}
	return out
}

// TestExplainScoreMatchesScoring is #11.1: each part's points and share
// come out as scoring.Score computed them (its own "contributes P of the C
// points"), they add up to the composite, and sub-signals never dilute the
// shares.
func TestExplainScoreMatchesScoring(t *testing.T) {
	bm, err := scoring.ParseBenchmarks(configs.Benchmarks)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		i     int
		fraud bool
	}{{"typical", 0, false}, {"mastodon", 2, false}, {"micro", 16, false}, {"fraud", 4, true}} {
		t.Run(c.name, func(t *testing.T) {
			u, _ := realCreator(t, bm, c.i, c.fraud)
			s := *u.Score
			v := explainScore(s)
			stated := statedPoints(t, s)
			var sum, shares float64
			for _, p := range v.Parts {
				want, ok := stated[p.Name]
				if p.Weight > 0 != ok {
					t.Errorf("%s: weight %v but stated points %v", p.Name, p.Weight, ok)
				}
				if math.Abs(p.Points-want) > 0.006 {
					t.Errorf("%s: %.3f points, scoring says %.2f", p.Name, p.Points, want)
				}
				if s.Composite > 0 && math.Abs(p.Share-p.Points/s.Composite) > 1e-9 {
					t.Errorf("%s: share %.4f, want points ÷ composite", p.Name, p.Share)
				}
				sum += p.Points
				shares += p.Share
			}
			if math.Abs(sum-s.Composite) > 1e-6 || s.Composite > 0 && math.Abs(shares-1) > 1e-9 {
				t.Errorf("parts add to %.4f points (%.4f of the score), composite %.4f", sum, shares, s.Composite)
			}
			// The old page divided by every weighted row, sub-signals
			// included: engagement's share must not be that.
			var allW float64
			for _, r := range s.Breakdown {
				allW += r.Weight
			}
			for _, p := range v.Parts {
				if p.Name == scoring.WeightEngagement && p.Share > 0 && math.Abs(p.Share-p.Weight/allW) < 0.01 {
					t.Errorf("engagement share %.3f looks like weight ÷ all weights", p.Share)
				}
			}
			// Free signals cost nothing, costly ones something.
			for _, p := range v.Parts {
				for _, f := range p.Free {
					if f.Weight > 0 && f.Value < 0.999 && !strings.HasSuffix(f.Name, scoring.SignalEvidence) {
						t.Errorf("%s folded away though it costs %.3f", f.Name, f.Weight*(1-f.Value))
					}
				}
				for _, k := range p.Costs {
					if k.Cost <= 0 {
						t.Errorf("%s listed as a cost of %v", k.Name, k.Cost)
					}
				}
			}
			if c.fraud {
				if s.Authenticity > 0.3 || len(v.RedFlags) < 2 {
					t.Errorf("fraud case: authenticity %.2f, red flags %v (flags %v)", s.Authenticity, v.RedFlags, s.Flags)
				}
				for _, f := range v.RedFlags {
					if dataFlags[f] {
						t.Errorf("data flag %s among the red flags", f)
					}
				}
			}
		})
	}
}

// TestCreatorPageScoreShares renders the creator page of really scored
// creators and reads each part's points and share from it (#11.1), and
// checks that the fraud case shows its red flags before anything else.
func TestCreatorPageScoreShares(t *testing.T) {
	e := newEnv(t, 0)
	ups := seedReal(t, e.st, 6, 4)
	partRe := regexp.MustCompile(`data-part="([a-z]+)" data-points="([0-9.]+)" data-share="([^"]+)"`)
	for _, u := range ups {
		key := u.Creator.Key()
		rec, err := e.st.Creator(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		stated := statedPoints(t, *rec.Score)
		code, body := e.status(http.MethodGet, "/creators/"+key, nil)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", key, code)
		}
		ms := partRe.FindAllStringSubmatch(body, -1)
		if len(ms) != len(stated) {
			t.Errorf("%s: %d parts on the page, %d in the breakdown", key, len(ms), len(stated))
		}
		for _, m := range ms {
			want, ok := stated[m[1]]
			if !ok {
				continue
			}
			if m[2] != strconv.FormatFloat(want, 'f', 1, 64) && math.Abs(parse(m[2])-want) > 0.051 {
				t.Errorf("%s %s: page says %s points, scoring %.2f", key, m[1], m[2], want)
			}
			if wantShare := share(want / rec.Score.Composite); m[3] != wantShare && !near(m[3], wantShare) {
				t.Errorf("%s %s: page says %s of the score, scoring's points give %s", key, m[1], m[3], wantShare)
			}
		}
		red := strings.Index(body, `id="red-flags"`)
		stats := strings.Index(body, `class="stats"`)
		if v := explainScore(*rec.Score); len(v.RedFlags) > 0 {
			if red < 0 || red > stats {
				t.Errorf("%s: red flags %v not shown before the figures", key, v.RedFlags)
			}
			for _, f := range v.RedFlags {
				if !strings.Contains(body, `data-flag="`+f+`"`) {
					t.Errorf("%s: red flag %s not listed", key, f)
				}
			}
		} else if red >= 0 {
			t.Errorf("%s: a red-flag box without red flags", key)
		}
	}
}

func parse(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }

// near compares two "N%" texts within a point of rounding.
func near(a, b string) bool {
	return math.Abs(parse(strings.TrimSuffix(a, "%"))-parse(strings.TrimSuffix(b, "%"))) <= 1
}
