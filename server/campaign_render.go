package server

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nanoscout/nanoscout/campaign"
)

// Server-rendered SVG for the campaign page (no script, no CDN): spend vs
// sales per creator, CPA by tier, and the audience-overlap heat map. Every
// text is escaped; numbers are formatted here.

func init() {
	funcs["opt2"] = func(p *float64) string {
		if p == nil {
			return "—"
		}
		return strconv.FormatFloat(*p, 'f', 2, 64)
	}
	funcs["amount"] = func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	funcs["engagements"] = func(v float64) string {
		if v < 0 {
			return "unknown"
		}
		return thousands(int64(math.Round(v)))
	}
	funcs["spendChart"] = spendChart
	funcs["cpaChart"] = cpaChart
}

// maxSpendRows bounds the creators the spend chart draws (the most revenue
// first); the table below it has them all.
const maxSpendRows = 30

// spendChart draws, per creator, what it cost (fee) against what it sold
// (revenue, with the number of sales), on one money axis: a revenue bar
// longer than the fee bar paid for itself.
func spendChart(rs []campaign.CreatorResult, currency string) template.HTML {
	if len(rs) == 0 {
		return ""
	}
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b campaign.CreatorResult) int {
		if a.Revenue != b.Revenue {
			return int(b.Revenue - a.Revenue)
		}
		return strings.Compare(a.Handle, b.Handle)
	})
	omitted := max(0, len(rs)-maxSpendRows)
	rs = rs[:len(rs)-omitted]
	const w, left, right, top, rowH = 560.0, 130.0, 40.0, 22.0, 22.0
	h := top + rowH*float64(len(rs)) + 8
	hi := 0.0
	for _, r := range rs {
		hi = math.Max(hi, math.Max(r.Fee, r.Revenue.Float()))
	}
	if hi == 0 {
		hi = 1
	}
	x := func(v float64) float64 { return left + v/hi*(w-left-right) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="spend-chart" viewBox="0 0 %g %g" role="img" aria-label="spend vs sales per creator">`, w, h)
	fmt.Fprintf(&b, `<rect x="%g" y="4" width="10" height="8" class="bar-fee"/><text x="%g" y="12" class="axis">fee</text>`, left, left+14)
	fmt.Fprintf(&b, `<rect x="%g" y="4" width="10" height="8" class="bar-revenue"/><text x="%g" y="12" class="axis">revenue (%s), sales at the end</text>`,
		left+50, left+64, html.EscapeString(currency))
	for i, r := range rs {
		y := top + rowH*float64(i)
		cpa := "no sale"
		if r.CPA != nil {
			cpa = "CPA " + strconv.FormatFloat(*r.CPA, 'f', 2, 64)
		}
		t := fmt.Sprintf("@%s (%s): fee %.2f, revenue %s, %d sales, %s", r.Handle, r.Tier, r.Fee, r.Revenue, r.Sales, cpa)
		fmt.Fprintf(&b, `<g data-creator="%s"><title>%s</title>`, html.EscapeString(r.CreatorKey), html.EscapeString(t))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="axis" text-anchor="end">%s</text>`, left-6, y+13, html.EscapeString(trunc("@"+r.Handle, 16)))
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="7" class="bar-fee"/>`, left, y+2, x(r.Fee)-left)
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="7" class="bar-revenue"/>`, left, y+10, x(r.Revenue.Float())-left)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis">%d</text></g>`, math.Max(x(r.Fee), x(r.Revenue.Float()))+6, y+13, r.Sales)
	}
	b.WriteString(`</svg>`)
	if omitted > 0 {
		fmt.Fprintf(&b, `<p class="muted small">The %d creators with the most revenue; %d more in the table.</p>`, len(rs), omitted)
	}
	return template.HTML(b.String())
}

// cpaChart draws the measured CPA of each tier as a bar, with the planner's
// forecast as a dashed line across.
func cpaChart(ts []campaign.TierResult, forecast float64) template.HTML {
	const w, h, left, right, top, bottom = 560.0, 200.0, 56.0, 16.0, 12.0, 30.0
	hi := forecast
	n := 0
	for _, t := range ts {
		if t.CPA != nil {
			hi = math.Max(hi, math.Max(*t.CPA, t.ForecastCPA))
			n++
		}
	}
	if n == 0 {
		return template.HTML(`<p class="muted">No tier has a sale yet: the CPA chart fills in as sales come in.</p>`)
	}
	hi *= 1.1
	y := func(v float64) float64 { return top + (1-v/hi)*(h-top-bottom) }
	slot := (w - left - right) / float64(len(ts))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="cpa-chart" viewBox="0 0 %g %g" role="img" aria-label="CPA by tier">`, w, h)
	for i := range 3 {
		v := hi * float64(i) / 2
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" class="grid"/><text x="%g" y="%.1f" class="axis" text-anchor="end">%s</text>`,
			left, w-right, y(v), y(v), left-8, y(v)+4, strconv.FormatFloat(v, 'f', 0, 64))
	}
	for i, t := range ts {
		cx := left + slot*(float64(i)+0.5)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" class="axis" text-anchor="middle">%s</text>`, cx, h-10, html.EscapeString(t.Tier))
		if t.CPA == nil {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis" text-anchor="middle">no sale</text>`, cx, y(0)-4)
			continue
		}
		bw := math.Min(slot*0.5, 60)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar-cpa" data-tier="%s"><title>%s: CPA %.2f (%d creators, %d sales)</title></rect>`,
			cx-bw/2, y(*t.CPA), bw, y(0)-y(*t.CPA), html.EscapeString(t.Tier), html.EscapeString(t.Tier), *t.CPA, t.Creators, t.Sales)
		if t.ForecastCPA > 0 {
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="forecast-tier"><title>%s: forecast CPA %.2f</title></line>`,
				cx-bw/2-6, cx+bw/2+6, y(t.ForecastCPA), y(t.ForecastCPA), html.EscapeString(t.Tier), t.ForecastCPA)
		}
	}
	if forecast > 0 {
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" class="forecast"><title>forecast CPA %.2f</title></line>`,
			left, w-right, y(forecast), y(forecast), forecast)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="axis" text-anchor="end">forecast %.0f</text>`, w-right, y(forecast)-4, forecast)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// heatmapData is the overlap heat map: the creators with the largest
// audiences (at most maxHeatmap) and their pairwise overlap.
type heatmapData struct {
	SVG     template.HTML
	Shown   int
	Total   int
	Omitted int
}

// heatmap draws the OfSmaller overlap of each pair as a cell whose opacity
// is the overlap (the diagonal is left blank).
func heatmap(ov overlapView, limit int) heatmapData {
	n := len(ov.Creators)
	d := heatmapData{Total: n}
	if n < 2 {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return ov.Sizes[b] - ov.Sizes[a] })
	idx = idx[:min(n, limit)]
	d.Shown, d.Omitted = len(idx), n-len(idx)
	const cell, label = 14.0, 120.0
	size := label + cell*float64(len(idx))
	name := func(i int) string {
		h := ov.Handles[ov.Creators[i]]
		if h == "" {
			h = ov.Creators[i]
		}
		return trunc("@"+h, 18)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="heatmap" id="overlap-heatmap" viewBox="0 0 %g %g" width="%.0f" role="img" aria-label="audience overlap heat map">`, size, size, 1.3*size)
	for k, i := range idx {
		p := label + cell*float64(k)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="axis" text-anchor="end">%s</text>`, label-4, p+cell-3, html.EscapeString(name(i)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" class="axis" text-anchor="start" transform="rotate(-90 %.1f %g)">%s</text>`,
			p+cell-3, label-4, p+cell-3, label-4, html.EscapeString(name(i)))
	}
	for a, i := range idx {
		for c, j := range idx {
			x, y := label+cell*float64(c), label+cell*float64(a)
			if i == j {
				fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" class="cell self"/>`, x, y, cell-1, cell-1)
				continue
			}
			v := ov.Matrix[i][j]
			t := fmt.Sprintf("%s × %s: %.0f%% of the smaller audience shared", name(i), name(j), 100*v)
			fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" class="cell" fill-opacity="%.2f" data-overlap="%.3f"><title>%s</title></rect>`,
				x, y, cell-1, cell-1, 0.06+0.94*v, v, html.EscapeString(t))
		}
	}
	b.WriteString(`</svg>`)
	d.SVG = template.HTML(b.String())
	return d
}
