package eval

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
)

// archetypeAbbrev shortens archetype names in the table.
var archetypeAbbrev = map[string]string{
	simulator.ArchBoughtFollowers: "bf",
	simulator.ArchBoughtLikes:     "bl",
	simulator.ArchPod:             "pod",
	simulator.ArchSponsoredHeavy:  "sp",
}

// WriteTable prints the result as one table, the definitions under it, and
// up to explain misses per platform (0 = none).
func (r Result) WriteTable(w io.Writer, explain int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "nanoscout eval truth: seed %d, %s creators per platform (%s collected), faults %q, run %s",
		r.Seed, thousands(int64(r.Creators)), thousands(int64(r.Collect)), r.Faults, r.Duration.Round(time.Second))
	if r.Rescored > 0 {
		fmt.Fprintf(&b, ", re-scored in %s", r.Rescored.Round(time.Millisecond))
	}
	if len(r.Runs) > 1 {
		fmt.Fprintf(&b, "\nworst of %d runs (fault seeds %s): per platform the run with the most fraud in the top %d, then the lowest precision (RUN column)",
			len(r.Runs), joinInts(r.Runs), r.TopK)
	} else if r.FaultSeed != 0 {
		fmt.Fprintf(&b, ", fault seed %d", r.FaultSeed)
	}
	b.WriteString("\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	k := strconv.Itoa(r.TopK)
	runCol := len(r.Runs) > 1
	if runCol {
		fmt.Fprint(tw, "RUN\t")
	}
	fmt.Fprintf(tw, "PLATFORM\tSCORED\tNANO\tPOS\tP@%s\tNON-ORG@%s\tFRAUD@%s\tSPEARMAN ER\tREQUESTS\tMIN\t×MIN\tREJECTED\n", k, k, k)
	for _, p := range r.Platforms {
		if runCol {
			fmt.Fprintf(tw, "%d\t", p.FaultSeed)
		}
		prec := fmt.Sprintf("%.2f", p.Precision)
		if p.Top < r.TopK {
			prec += fmt.Sprintf(" (of %d)", p.Top)
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s/%s\t%s\t%s\t%d\t%.2f (%s)\t%s\t%s\t%.2f\t%s\n",
			p.Platform, thousands(int64(p.Scored)), thousands(int64(p.Population)), thousands(int64(p.NanoRanked)),
			thousands(int64(p.PositivesScored)), thousands(int64(p.Positives)), prec, nonOrganic(p), p.Fraud,
			p.Spearman, thousands(int64(p.SpearmanN)), thousands(p.Requests), thousands(p.MinRequests), p.Overhead,
			thousands(p.Rejected))
	}
	tw.Flush()
	b.WriteString("\n")
	writeAudience(&b, r)
	for _, d := range r.Definitions {
		b.WriteString("  " + d + "\n")
	}
	if explain > 0 {
		for _, p := range r.Platforms {
			if len(p.Misses) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n%s: top-%d entries that are not authentic high-engagement nano creators\n", p.Platform, r.TopK)
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RANK\tHANDLE\tWHY\tTRUE ER\tMEASURED ER\tSCORE\tFLAGS")
			for i, m := range p.Misses {
				if i >= explain {
					break
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%.2f%%\t%.2f%%\t%.1f\t%s\n", m.Rank, m.Handle, m.Why, m.TrueER, m.MeasuredER,
					m.Composite, strings.Join(m.Flags, ","))
			}
			tw.Flush()
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func nonOrganic(p PlatformResult) string {
	if p.NonOrganic == 0 {
		return "0"
	}
	keys := make([]string, 0, len(p.ByArchetype))
	for a := range p.ByArchetype {
		keys = append(keys, a)
	}
	sort.Strings(keys)
	var parts []string
	for _, a := range keys {
		name := archetypeAbbrev[a]
		if name == "" {
			name = a
		}
		parts = append(parts, fmt.Sprintf("%d %s", p.ByArchetype[a], name))
	}
	return fmt.Sprintf("%d (%s)", p.NonOrganic, strings.Join(parts, ", "))
}

// thousands is model.Thousands (one definition of the rule).
func thousands(n int64) string { return model.Thousands(n) }

// writeAudience prints the audience-quality table: the estimated real,
// active share of each creator's sampled audience against the simulator's
// truth.
func writeAudience(b *strings.Builder, r Result) {
	any := false
	for _, p := range r.Platforms {
		any = any || p.Audience != nil
	}
	if !any {
		return
	}
	b.WriteString("Audience quality (real, active share of the sampled audience: estimate vs truth)\n\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLATFORM\tSOURCE\tCREATORS\tACCOUNTS\tMAE SAMPLE\tMAE LIST\t90% COVER\tORGANIC est/true\tBOUGHT FOLLOWERS est/true (flagged)\tPOD est/true\tOTHER FLAGGED")
	for _, p := range r.Platforms {
		a := p.Audience
		if a == nil {
			fmt.Fprintf(tw, "%s\t—\t0\t\t\t\t\t\t\t\t\n", p.Platform)
			continue
		}
		if a.Creators == 0 {
			fmt.Fprintf(tw, "%s\t%s\t0 (%s sampled, too few judged)\t\t—\t\t\t\t\t\t\n", p.Platform, a.Source, thousands(int64(a.Unjudged)))
			continue
		}
		list, cover := "—", fmt.Sprintf("%.0f%%", 100*a.Coverage)
		if a.Source == model.AudienceFollowers {
			list = fmt.Sprintf("%.1f pts", a.MAEList)
		} else {
			cover += " (sample)"
		}
		cell := func(arch string, flagged bool) string {
			x, ok := a.ByArchetype[arch]
			if !ok {
				return "—"
			}
			s := fmt.Sprintf("%.0f%%/%.0f%% (n %d)", 100*x.Estimate, 100*x.Truth, x.N)
			if flagged {
				s += fmt.Sprintf(" %d", x.Flagged)
			}
			return s
		}
		other := 0
		for arch, x := range a.ByArchetype {
			if arch != simulator.ArchBoughtFollowers {
				other += x.Flagged
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f pts\t%s\t%s\t%s\t%s\t%s\t%d\n", p.Platform, a.Source, thousands(int64(a.Creators)),
			thousands(int64(a.Accounts)), a.MAE, list, cover, cell(simulator.ArchOrganic, false),
			cell(simulator.ArchBoughtFollowers, true), cell(simulator.ArchPod, false), other)
	}
	tw.Flush()
	b.WriteString("\n")
}

func joinInts(xs []int64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, strconv.FormatInt(x, 10))
	}
	return strings.Join(parts, ", ")
}
