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
	b.WriteString("\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	k := strconv.Itoa(r.TopK)
	fmt.Fprintf(tw, "PLATFORM\tSCORED\tNANO\tPOS\tP@%s\tNON-ORG@%s\tFRAUD@%s\tSPEARMAN ER\tREQUESTS\tMIN\t×MIN\tREJECTED\n", k, k, k)
	for _, p := range r.Platforms {
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
