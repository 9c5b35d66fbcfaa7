package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Format is an export format.
type Format string

// Formats.
const (
	CSV    Format = "csv"    // one row per creator, the Columns below
	CRM    Format = "crm"    // contacts for a CRM import, CRMColumns
	JSON   Format = "json"   // one array of Doc
	NDJSON Format = "ndjson" // one Doc per line
)

// Formats lists the formats in the order the dashboard offers them.
var Formats = []Format{CSV, CRM, JSON, NDJSON}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	if f := Format(strings.ToLower(s)); slices.Contains(Formats, f) {
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want csv, crm, json or ndjson)", s)
}

// ContentType is the MIME type of a format.
func (f Format) ContentType() string {
	switch f {
	case JSON:
		return "application/json"
	case NDJSON:
		return "application/x-ndjson"
	}
	return "text/csv; charset=utf-8"
}

// Ext is the file extension of a format.
func (f Format) Ext() string {
	switch f {
	case JSON:
		return "json"
	case NDJSON:
		return "ndjson"
	case CRM:
		return "contacts.csv"
	}
	return "csv"
}

// Doc is one creator as JSON and NDJSON exports and webhooks carry it: the
// stored record (profile, score with its breakdown, status) plus what an
// outreach tool needs at hand.
type Doc struct {
	store.CreatorRecord
	ProfileURL string               `json:"profileUrl"`
	Email      string               `json:"email,omitempty"`
	Website    string               `json:"website,omitempty"`
	Growth     *float64             `json:"growth,omitempty"`
	Shortlist  *store.ShortlistItem `json:"shortlist,omitempty"`
	Campaign   *CampaignCode        `json:"campaign,omitempty"`
}

// DocOf builds the Doc of a row.
func DocOf(r Row) Doc {
	email, website := store.PublicContact(r.Record.Creator)
	return Doc{CreatorRecord: r.Record, ProfileURL: ProfileURL(r.Record.Creator), Email: email, Website: website,
		Growth: r.Growth, Shortlist: r.Item, Campaign: r.Campaign}
}

// ProfileURL is the creator's profile on its platform: the URL the platform
// gave, else one built from the handle (the platform's collectors.Facts).
func ProfileURL(c model.Creator) string { return collectors.ProfileURL(c) }

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// SplitName splits a display name into first and last name: letters-only
// words (emoji, separators and "| whatever" tails dropped), the first word
// first, the rest last. ok is false when the name does not look like a
// person's (one word, or none).
func SplitName(display string) (first, last string, ok bool) {
	if i := strings.IndexAny(display, "|·•(["); i >= 0 {
		display = display[:i]
	}
	var words []string
	for _, w := range strings.Fields(display) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if w != "" && !strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '.' }) {
			words = append(words, w)
		}
	}
	if len(words) < 2 {
		return "", "", false
	}
	return words[0], strings.Join(words[1:], " "), true
}

// Cell neutralises a CSV cell a spreadsheet would run as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice), unless it is a plain number.
func Cell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// Column is one CSV column: its header, what it holds, and its value.
type Column struct {
	Name  string
	Doc   string
	Value func(r Row, d Doc) string
}

func score(r Row) *model.Score {
	if r.Record.Score != nil {
		return r.Record.Score
	}
	return &model.Score{}
}

func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func optF2(p *float64) string {
	if p == nil {
		return ""
	}
	return f2(*p)
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func item(r Row) store.ShortlistItem {
	if r.Item != nil {
		return *r.Item
	}
	return store.ShortlistItem{}
}

// Columns are the CSV export's columns, in order (docs/dashboard.md lists
// them too); the campaign columns (campaign.go) end them.
var Columns = append([]Column{
	{"key", "store id: platform:native id", func(r Row, _ Doc) string { return r.Record.Key }},
	{"platform", "bluesky, mastodon, …", func(r Row, _ Doc) string { return r.Record.Creator.Platform }},
	{"handle", "the handle on the platform", func(r Row, _ Doc) string { return r.Record.Creator.Handle }},
	{"display_name", "the profile's display name", func(r Row, _ Doc) string { return r.Record.Creator.DisplayName }},
	{"profile_url", "the profile on its platform", func(_ Row, d Doc) string { return d.ProfileURL }},
	{"tier", "nano (1k–10k followers), micro, mid, macro, mega, below", func(r Row, _ Doc) string { return score(r).Tier }},
	{"rank", "rank within platform × tier by composite (1 = best)", func(r Row, _ Doc) string { return intCell(score(r).Rank) }},
	{"composite", "composite score 0–100", func(r Row, _ Doc) string { return f2(score(r).Composite) }},
	{"followers", "followers at the last collection", func(r Row, _ Doc) string { return strconv.FormatInt(r.Record.Creator.Followers, 10) }},
	{"growth_pct", "follower growth in % over up to 30 days of snapshots (empty: under two days of history)", func(r Row, _ Doc) string { return optF2(r.Growth) }},
	{"er_pct", "mean engagement rate by followers over the settled posts, %", func(r Row, _ Doc) string { return f3(score(r).ER) }},
	{"er_median_pct", "median engagement rate by followers, %", func(r Row, _ Doc) string { return f3(score(r).ERMedian) }},
	{"er_by_views_pct", "engagement rate by views, % (empty where no post shows views)", func(r Row, _ Doc) string { return optF2(score(r).ERByViews) }},
	{"benchmark_pct", "the platform's benchmark ER for the tier, %", func(r Row, _ Doc) string { return f3(score(r).Benchmark) }},
	{"er_index", "ER ÷ benchmark (1 = typical for the tier)", func(r Row, _ Doc) string { return f2(score(r).BenchmarkIndex) }},
	{"reply_score", "reply depth 0–1: answered share, speed and thread depth together", func(r Row, _ Doc) string { return f3(score(r).ReplyDepth.Score) }},
	{"answered_pct", "share of commenters the creator answered, %", func(r Row, _ Doc) string { return f2(100 * score(r).ReplyDepth.AnsweredShare) }},
	{"median_hours_to_reply", "median hours from a comment to the creator's answer (empty: never answered)", func(r Row, _ Doc) string {
		if h := score(r).ReplyDepth.MedianHoursToReply; h >= 0 && score(r).ReplyDepth.AnsweredCommenters > 0 {
			return f2(h)
		}
		return ""
	}},
	{"mean_thread_depth", "mean conversation depth per thread (1 = nobody answered)", func(r Row, _ Doc) string { return f2(score(r).ReplyDepth.MeanDepth) }},
	{"authenticity", "0–1, 1 = comments and likes look genuine", func(r Row, _ Doc) string { return f3(score(r).Authenticity) }},
	{"audience_quality_pct", "share of real, active accounts in the sampled audience (followers, or commenters where no follower list is public), % (empty: no sample yet)", func(r Row, _ Doc) string {
		if a := score(r).Audience; a != nil && a.Judged > 0 {
			return f2(100 * a.Share)
		}
		return ""
	}},
	{"audience_quality_90_pct", "its 90 % interval, low–high in % (empty: no sample yet)", func(r Row, _ Doc) string {
		if a := score(r).Audience; a != nil && a.Judged > 0 {
			return f2(100*a.Low) + "–" + f2(100*a.High)
		}
		return ""
	}},
	{"posts_used", "settled posts the ER is measured on", func(r Row, _ Doc) string { return intCell(score(r).PostsUsed) }},
	{"flags", "scoring flags, separated by spaces (e.g. few_posts, duplicate_comments)", func(r Row, _ Doc) string { return strings.Join(score(r).Flags, " ") }},
	{"language", "profile language, where the platform gives one", func(r Row, _ Doc) string { return r.Record.Creator.Language }},
	{"email", "public email address found in the bio", func(_ Row, d Doc) string { return d.Email }},
	{"website", "first profile link, else a web address in the bio", func(_ Row, d Doc) string { return d.Website }},
	{"status", "ok, stale (last collection failed), gone, missing (not in the store)", func(r Row, _ Doc) string { return r.Record.Status }},
	{"last_collected", "time of the last successful collection (UTC, RFC 3339)", func(r Row, _ Doc) string { return timeCell(r.Record.LastCollected) }},
	{"outreach_status", "shortlist exports: new, contacted, replied, signed, declined", func(r Row, _ Doc) string { return item(r).Status }},
	{"notes", "shortlist exports: the scout's notes", func(r Row, _ Doc) string { return item(r).Notes }},
}, campaignColumns...)

// CRMColumns are the contacts CSV's columns, named as CRM imports expect;
// the campaign columns end them too.
var CRMColumns = append([]Column{
	{"first_name", "first word of a person-like display name", func(r Row, _ Doc) string {
		f, _, _ := SplitName(r.Record.Creator.DisplayName)
		return f
	}},
	{"last_name", "the rest of it", func(r Row, _ Doc) string {
		_, l, _ := SplitName(r.Record.Creator.DisplayName)
		return l
	}},
	{"display_name", "the display name as shown (the handle when there is none)", func(r Row, _ Doc) string {
		return or(strings.TrimSpace(r.Record.Creator.DisplayName), r.Record.Creator.Handle)
	}},
	{"handle", "the handle on the platform", func(r Row, _ Doc) string { return r.Record.Creator.Handle }},
	{"platform", "bluesky, mastodon, …", func(r Row, _ Doc) string { return r.Record.Creator.Platform }},
	{"profile_url", "the profile on its platform", func(_ Row, d Doc) string { return d.ProfileURL }},
	{"email", "public email address found in the bio", func(_ Row, d Doc) string { return d.Email }},
	{"website", "first profile link, else a web address in the bio", func(_ Row, d Doc) string { return d.Website }},
	{"score", "composite score 0–100", func(r Row, _ Doc) string { return f2(score(r).Composite) }},
	{"tier", "nano, micro, mid, macro, mega, below", func(r Row, _ Doc) string { return score(r).Tier }},
	{"outreach_status", "shortlist exports: new, contacted, replied, signed, declined", func(r Row, _ Doc) string { return item(r).Status }},
	{"notes", "shortlist exports: the scout's notes", func(r Row, _ Doc) string { return item(r).Notes }},
}, campaignColumns...)

func intCell(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// utf8BOM starts CSV exports, so that Excel reads them as UTF-8 (names with
// accents and emoji); LibreOffice and Google Sheets skip it.
const utf8BOM = "\uFEFF"

// Write streams src to w in format f and returns how many creators it
// wrote. It flushes after every page (and flushes w too when w can, as an
// http.ResponseWriter can), so the reader sees rows as they come.
func Write(ctx context.Context, w io.Writer, f Format, src Source) (int, error) {
	if !slices.Contains(Formats, f) {
		return 0, fmt.Errorf("unknown format %q", f)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	flush := func() error {
		if err := bw.Flush(); err != nil {
			return err
		}
		if fl, ok := w.(interface{ Flush() }); ok {
			fl.Flush()
		}
		return nil
	}
	var n int
	var err error
	if f == CSV || f == CRM {
		n, err = writeCSV(ctx, bw, f, src, flush)
	} else {
		n, err = writeJSON(ctx, bw, f, src, flush)
	}
	if ferr := flush(); err == nil {
		err = ferr
	}
	return n, err
}

func writeCSV(ctx context.Context, bw *bufio.Writer, f Format, src Source, flush func() error) (int, error) {
	cols := Columns
	if f == CRM {
		cols = CRMColumns
	}
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true // RFC 4180, and what Excel writes
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Name
	}
	if err := cw.Write(head); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, len(cols))
	err := src(ctx, func(rows []Row) error {
		for _, r := range rows {
			d := DocOf(r)
			for i, c := range cols {
				rec[i] = Cell(c.Value(r, d))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		return flush()
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

// MarshalDoc encodes a Doc as one line of JSON (no HTML escaping, no
// trailing newline).
func MarshalDoc(d Doc) ([]byte, error) {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(buf.String(), "\n")), nil
}

func writeJSON(ctx context.Context, bw *bufio.Writer, f Format, src Source, flush func() error) (int, error) {
	n := 0
	err := src(ctx, func(rows []Row) error {
		for _, r := range rows {
			b, err := MarshalDoc(DocOf(r))
			if err != nil {
				return fmt.Errorf("encoding %s: %w", r.Record.Key, err)
			}
			switch {
			case f == NDJSON:
			case n == 0:
				bw.WriteString("[\n")
			default:
				bw.WriteString(",\n")
			}
			bw.Write(b)
			if f == NDJSON {
				bw.WriteByte('\n')
			}
			n++
		}
		return flush()
	})
	if err != nil || f == NDJSON {
		return n, err
	}
	if n == 0 {
		_, err = bw.WriteString("[]\n")
	} else {
		_, err = bw.WriteString("\n]\n")
	}
	return n, err
}
