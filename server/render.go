package server

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/export"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// pages holds one template set per page, each with the layout.
type pages struct {
	sets map[string]*template.Template
}

var pageNames = []string{"discover", "creator", "shortlists", "shortlist", "plan", "runs", "login", "error", "campaigns", "campaign", "overlap"}

func loadPages() (*pages, error) {
	p := &pages{sets: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Title  string
	Nav    string // the active tab
	CSRF   string
	Notice string
	Auth   bool // a token is in use: show "sign out"
	D      any
}

// notices are the messages a redirect after a form may show (?done=…).
var notices = map[string]string{
	"created":  "Shortlist created.",
	"renamed":  "Shortlist renamed.",
	"deleted":  "Shortlist deleted.",
	"added":    "Added to the shortlist.",
	"saved":    "Saved.",
	"removed":  "Removed from the shortlist.",
	"pushed":   "Sent to the webhook.",
	"started":  "Run started. Reload to follow it.",
	"alerts":   "Alerts checked.",
	"signedin": "Signed in.",
	"campaign": "Campaign created: every creator has a code and a tracked link.",
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	t := s.pages.sets[name]
	title := ""
	nav := name
	if m, ok := data.(map[string]any); ok {
		if v, ok := m["Title"].(string); ok {
			title = v
		}
	}
	if tp, ok := data.(interface{ title() string }); ok {
		title = tp.title()
	}
	switch name {
	case "creator":
		nav = "discover"
	case "shortlist":
		nav = "shortlists"
	case "campaign":
		nav = "campaigns"
	case "overlap":
		nav = "shortlists"
	}
	v := view{Title: title, Nav: nav, CSRF: s.csrfToken(w, r), Notice: notices[r.URL.Query().Get("done")], Auth: s.token != "", D: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.Error("rendering page", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

var funcs = template.FuncMap{
	"thousands":  thousands,
	"compact":    compact,
	"f1":         func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"f2":         func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
	"pct":        func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" },
	"pct0":       func(share float64) string { return strconv.FormatFloat(100*share, 'f', 0, 64) + "%" },
	"money":      money,
	"bar":        bar,
	"scoreClass": scoreClass,
	"ago":        ago,
	"date":       date,
	"abstime":    absTime,
	"avatar":     avatarURL,
	"belowBench": belowBenchmark,
	"spark":      sparkline,
	"profileURL": export.ProfileURL,
	"platform":   platformName,
	"hours":      hours,
	"count":      count,
	"postER":     postER,
	"flagText":   flagText,
	"flagLabel":  func(f string) string { return strings.ReplaceAll(f, "_", " ") },
	"flagList": func(fs []string) string {
		var parts []string
		for _, f := range fs {
			parts = append(parts, strings.ReplaceAll(f, "_", " ")+": "+flagText(f))
		}
		return strings.Join(parts, "\n")
	},
	"label":       componentLabel,
	"chart":       chart,
	"statuses":    func() []string { return store.OutreachStatuses },
	"formats":     func() []export.Format { return export.Formats },
	"formatLabel": formatLabel,
	"trunc":       trunc,
	"growth":      growthText,
	"growthClass": growthClass,
	"deref":       func(p *float64) float64 { return *p },
	"add":         func(a, b int) int { return a + b },
	"initials":    initials,
	"round":       func(v float64) int64 { return int64(math.Round(v)) },
	"better": func(a, b float64) string {
		if a > b {
			return "win"
		}
		return ""
	},
	"cheaper": func(a, b float64) string {
		if a > 0 && (b == 0 || a < b) {
			return "win"
		}
		return ""
	},
	"authSignal": func(name string) bool { return strings.HasPrefix(name, "authenticity.") },
	"dict3": func(key, label string, d any) map[string]any {
		return map[string]any{"Key": key, "Label": label, "D": d}
	},
	"urlquery": func(v url.Values) template.URL { return template.URL(v.Encode()) },
	"details": func(cs []model.Component) []model.Component {
		var out []model.Component
		for _, c := range cs {
			if c.Weight == 0 {
				out = append(out, c)
			}
		}
		return out
	},
	"explain": explainScore,
	"points":  points,
	"share":   share,
	"pct1":    func(share float64) string { return strconv.FormatFloat(100*share, 'f', 1, 64) + "%" },
}

// initials are the first letters of a name's first two words.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// thousands is model.Thousands (one definition of the rule).
func thousands(n int64) string { return model.Thousands(n) }

// compact writes 12400 as 12.4k and 1250000 as 1.25M.
func compact(n int64) string {
	f := float64(n)
	switch {
	case math.Abs(f) >= 1e6:
		return trimZeros(strconv.FormatFloat(f/1e6, 'f', 2, 64)) + "M"
	case math.Abs(f) >= 1e4:
		return trimZeros(strconv.FormatFloat(f/1e3, 'f', 1, 64)) + "k"
	case math.Abs(f) >= 1e3:
		return trimZeros(strconv.FormatFloat(f/1e3, 'f', 2, 64)) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func money(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	if math.Abs(v) < 10 && v != math.Trunc(v) {
		return "$" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return "$" + thousands(int64(math.Round(v)))
}

// bar draws a 0..1 value as a small inline SVG bar (attributes, not inline
// styles: the Content-Security-Policy allows no inline CSS).
func bar(v float64) template.HTML {
	v = math.Max(0, math.Min(1, v))
	return template.HTML(fmt.Sprintf(`<svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">`+
		`<rect width="100" height="6" rx="3" class="bar-bg"/><rect width="%.1f" height="6" rx="3" class="bar-fg %s"/></svg>`,
		100*v, scoreClass(100*v)))
}

func scoreClass(composite float64) string {
	switch {
	case composite >= 70:
		return "good"
	case composite >= 50:
		return "ok"
	}
	return "weak"
}

// ago writes a relative time ("3 h ago") with the absolute time, zone
// labelled, on hover and in the datetime attribute.
func ago(t time.Time) template.HTML {
	if t.IsZero() {
		return "never"
	}
	return timeTag(t, agoText(t, time.Now()))
}

func agoText(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
	return t.UTC().Format("2 Jan 2006") + " UTC"
}

// absTime is the absolute form of a time: always in UTC, and saying so.
func absTime(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006 15:04 MST") }

// timeTag is a <time> element: text, with the absolute time on hover.
func timeTag(t time.Time, text string) template.HTML {
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`,
		t.UTC().Format(time.RFC3339), html.EscapeString(absTime(t)), html.EscapeString(text)))
}

// date writes a day (UTC, labelled), the full time on hover.
func date(t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	return timeTag(t, t.UTC().Format("2 Jan 2006")+" UTC")
}

// avatarURL is the creator's picture when the platform gave an https URL
// (the browser fetches it from the platform: nothing is proxied), else "".
func avatarURL(c model.Creator) string {
	u, err := url.Parse(c.AvatarURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return ""
	}
	return u.String()
}

// belowBenchmark reports whether a score's ER is under its tier's
// benchmark (index < 1; a score without a benchmark is not marked).
func belowBenchmark(s *model.Score) bool {
	return s != nil && s.Benchmark > 0 && s.PostsUsed > 0 && s.BenchmarkIndex < 1
}

// sparkDays is the span of Discover's follower sparklines.
const sparkDays = 30

// sparkline draws daily follower counts as a small inline SVG line, with
// the change in its title; "" with fewer than two days.
func sparkline(snaps []model.Snapshot) template.HTML {
	if len(snaps) < 2 {
		return ""
	}
	const w, h = 80.0, 22.0
	lo, hi := float64(snaps[0].Followers), float64(snaps[0].Followers)
	for _, s := range snaps {
		lo, hi = math.Min(lo, float64(s.Followers)), math.Max(hi, float64(s.Followers))
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	var pts strings.Builder
	for i, s := range snaps {
		x := w * float64(i) / float64(len(snaps)-1)
		y := 2 + (hi-float64(s.Followers))/(hi-lo)*(h-4)
		fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
	}
	first, last := snaps[0], snaps[len(snaps)-1]
	class := "flat"
	switch {
	case last.Followers > first.Followers:
		class = "up"
	case last.Followers < first.Followers:
		class = "down"
	}
	title := fmt.Sprintf("followers %s (%s) → %s (%s)", thousands(first.Followers), first.Day, thousands(last.Followers), last.Day)
	return template.HTML(fmt.Sprintf(`<svg class="spark %s" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s"><title>%s</title>`+
		`<polyline points="%s"/></svg>`, class, w, h, w, h, html.EscapeString(title), html.EscapeString(title), strings.TrimSpace(pts.String())))
}

// platformName is the platform's name as people write it (from the
// collector registry's facts).
func platformName(p string) string { return collectors.DisplayName(p) }

func hours(h float64) string {
	if h < 0 {
		return "—"
	}
	if h < 1 {
		return fmt.Sprintf("%.0f min", h*60)
	}
	return trimZeros(strconv.FormatFloat(h, 'f', 1, 64)) + " h"
}

func count(p *int64) string {
	if p == nil {
		return "hidden"
	}
	return thousands(*p)
}

// postER is one post's engagements ÷ followers, in %.
func postER(p model.Post, followers int64) string {
	if followers <= 0 || p.Likes == nil && p.Comments == nil {
		return "—"
	}
	n := model.Val(p.Likes) + model.Val(p.Comments) + model.Val(p.Shares) + model.Val(p.Quotes) + model.Val(p.Saves)
	return strconv.FormatFloat(100*float64(n)/float64(followers), 'f', 2, 64) + "%"
}

func formatLabel(f export.Format) string {
	switch f {
	case export.CRM:
		return "CRM contacts"
	case export.JSON:
		return "JSON"
	case export.NDJSON:
		return "NDJSON"
	}
	return "CSV"
}

func trunc(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func growthText(g *float64) string {
	if g == nil {
		return "—"
	}
	sign := ""
	if *g > 0 {
		sign = "+"
	}
	return sign + strconv.FormatFloat(*g, 'f', 1, 64) + "%"
}

func growthClass(g *float64) string {
	switch {
	case g == nil:
		return "muted"
	case *g >= 5:
		return "up"
	case *g < 0:
		return "down"
	}
	return ""
}

var componentLabels = map[string]string{
	"engagement": "Engagement", "reply": "Reply depth", "authenticity": "Authenticity", "tier": "Tier",
	"er": "Engagement rate", "er_median": "Median engagement rate", "er_by_views": "Engagement by views",
	"reply.answered": "Answered commenters", "reply.speed": "Reply speed", "reply.depth": "Thread depth",
}

func componentLabel(name string) string {
	if l, ok := componentLabels[name]; ok {
		return l
	}
	if rest, ok := strings.CutPrefix(name, "authenticity."); ok {
		return "Authenticity: " + strings.ReplaceAll(rest, "_", " ")
	}
	return strings.ReplaceAll(name, "_", " ")
}

var flagTexts = map[string]string{
	"no_posts":                "no settled post to measure",
	"few_posts":               "fewer settled posts than the sample needs",
	"no_followers":            "no follower count",
	"below_nano":              "under 1k followers",
	"no_benchmark":            "no benchmark for this platform and tier",
	"no_views":                "the benchmark is by views and no post shows views",
	"er_implausible_for_tier": "ER far outside what the tier shows (bought engagement or one viral post?)",
	"likes_hidden":            "some posts hide likes: ER undercounts",
	"no_comments":             "no audience comment was read",
	"likes_per_comment_off":   "likes per comment far off the platform's norm",
	"duplicate_comments":      "many copy-pasted comments",
	"low_effort_comments":     "mostly generic or emoji-only comments",
	"follower_spike":          "a sudden jump in followers",
	"follower_drop":           "a sudden drop in followers",
	"er_jump":                 "ER jumped against its own history",
	"follow_back":             "follows about as many accounts as follow it",
	"sponsored_heavy":         "a large share of paid posts",
	"undisclosed_sponsorship": "sells without disclosing",
	"spam_comments":           "many spam comments",
	"recurring_commenters":    "a few accounts under most posts",
	"few_distinct_commenters": "the same accounts comment again and again",
	"comment_ring":            "comments come from a ring shared with other creators",
	"low_confidence":          "too little data to rank with confidence",
}

func flagText(f string) string {
	if t, ok := flagTexts[f]; ok {
		return t
	}
	return strings.ReplaceAll(f, "_", " ")
}

// point is one value of a chart.
type point struct {
	day string
	v   float64
}

// chart draws a creator's snapshots (field "followers" or "er") as an inline
// SVG line chart with a hover title on every point.
func chart(snaps []model.Snapshot, field string) template.HTML {
	var pts []point
	for _, s := range snaps {
		v := float64(s.Followers)
		if field == "er" {
			v = s.ER
		}
		pts = append(pts, point{s.Day, v})
	}
	format := func(v float64) string {
		if field == "er" {
			return strconv.FormatFloat(v, 'f', 2, 64) + "%"
		}
		return thousands(int64(math.Round(v)))
	}
	if len(pts) == 0 {
		return template.HTML(`<p class="muted">No daily snapshots yet: the history starts with the next run.</p>`)
	}
	const w, h, left, right, top, bottom = 560.0, 170.0, 64.0, 12.0, 12.0, 26.0
	lo, hi := pts[0].v, pts[0].v
	for _, p := range pts {
		lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
	}
	if hi == lo {
		pad := math.Max(math.Abs(hi)*0.05, 1)
		if field == "er" {
			pad = math.Max(math.Abs(hi)*0.1, 0.1)
		}
		lo, hi = lo-pad, hi+pad
	} else {
		pad := (hi - lo) * 0.1
		lo, hi = lo-pad, hi+pad
	}
	if field == "er" || lo < 0 {
		lo = math.Max(lo, 0)
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*(w-left-right)/float64(len(pts)-1)
	}
	y := func(v float64) float64 { return top + (hi-v)/(hi-lo)*(h-top-bottom) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s over time">`, w, h, html.EscapeString(field))
	for i := range 3 {
		v := lo + (hi-lo)*float64(i)/2
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" class="grid"/><text x="%g" y="%.1f" class="axis" text-anchor="end">%s</text>`,
			left, w-right, y(v), y(v), left-8, y(v)+4, html.EscapeString(format(v)))
	}
	label := func(i int, anchor string) {
		d, err := time.Parse(time.DateOnly, pts[i].day)
		text := pts[i].day
		if err == nil {
			text = d.Format("2 Jan")
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" class="axis" text-anchor="%s">%s</text>`, x(i), h-6, anchor, html.EscapeString(text))
	}
	label(0, "start")
	if len(pts) > 2 {
		label(len(pts)/2, "middle")
	}
	if len(pts) > 1 {
		label(len(pts)-1, "end")
	}
	if len(pts) > 1 {
		var line, area strings.Builder
		for i, p := range pts {
			fmt.Fprintf(&line, "%.1f,%.1f ", x(i), y(p.v))
		}
		fmt.Fprintf(&area, "%.1f,%.1f %s%.1f,%.1f", x(0), h-bottom, line.String(), x(len(pts)-1), h-bottom)
		fmt.Fprintf(&b, `<polygon points="%s" class="area"/><polyline points="%s" class="line"/>`, area.String(), strings.TrimSpace(line.String()))
	}
	for i, p := range pts {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" class="dot"><title>%s: %s</title></circle>`, x(i), y(p.v),
			html.EscapeString(p.day), html.EscapeString(format(p.v)))
	}
	b.WriteString(`</svg>`)
	if len(pts) == 1 {
		b.WriteString(`<p class="muted small">One day of history so far; the line grows with each daily run.</p>`)
	}
	return template.HTML(b.String())
}
