package classify

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// GenericAccountColumns documents the generic account CSV: the column names
// (case-insensitive; the aliases after the first are accepted too) and what
// each holds. Only label is required. Any other column may be absent: an
// absent column is unknown for every row, never zero or empty. In a count
// or flag column an empty cell, "NA", "NaN", "null" or "?" is unknown for
// that row; in a text column (bio, username, display_name, external_url)
// an empty cell means "shown and empty" and only "NA" or "\N" is unknown.
var GenericAccountColumns = []struct{ Names, Meaning string }{
	{"followers | followers_count | #followers", "number of followers (whole number ≥ 0)"},
	{"following | follows | following_count | friends_count | #follows", "number of accounts it follows"},
	{"posts | posts_count | statuses_count | media_count | #posts", "number of posts"},
	{"has_avatar | profile_pic | has_profile_pic", "1/0, true/false, yes/no: has a (non-default) profile picture"},
	{"bio | description | note", "bio text (its length in characters is used)"},
	{"bio_length | description_length", "bio length in characters, when the text is not given"},
	{"username | handle | screen_name", "handle (digits ÷ length is used)"},
	{"display_name | full_name | name", "display name (words, digits, equality with the handle)"},
	{"private | is_private | protected | locked", "1/0: private/locked account"},
	{"external_url | url | website", "link in the profile (non-empty = has a link)"},
	{"has_link", "1/0: has a link in the profile, when the URL is not given"},
	{"created_at", "account creation, RFC 3339 or YYYY-MM-DD"},
	{"last_post_at", "time of the latest post, RFC 3339 or YYYY-MM-DD"},
	{"observed_at", "when the profile was read (needed for ages; else --observed-at)"},
	{"label | class | fake", "fake/bot/spam/bought/1/true = fake; real/genuine/human/0/false = real; inactive = real but inactive"},
}

var genericAliases = map[string][]string{
	"followers":    {"followers", "followers_count", "#followers"},
	"following":    {"following", "follows", "following_count", "friends_count", "#follows"},
	"posts":        {"posts", "posts_count", "statuses_count", "media_count", "#posts"},
	"has_avatar":   {"has_avatar", "profile_pic", "has_profile_pic", "profile pic"},
	"bio":          {"bio", "description", "note"},
	"bio_length":   {"bio_length", "description_length", "description length"},
	"username":     {"username", "handle", "screen_name"},
	"display_name": {"display_name", "full_name", "name"},
	"private":      {"private", "is_private", "protected", "locked"},
	"external_url": {"external_url", "url", "website"},
	"has_link":     {"has_link"},
	"created_at":   {"created_at"},
	"last_post_at": {"last_post_at"},
	"observed_at":  {"observed_at"},
	"label":        {"label", "class", "fake"},
}

// IsInstagramAccountHeader reports whether header is the Instagram
// fake/spammer/genuine format (read by ReadAccounts).
func IsInstagramAccountHeader(header []string) bool {
	col := headerIndex(header)
	_, a := col["nums/length username"]
	_, b := col["#posts"]
	return a && b
}

// AccountFile is a labelled account file read by ReadAccountFile.
type AccountFile struct {
	Format string // "instagram" or "generic"
	Rows   []LabeledAccount
	// Fields are the fields known in at least one row; Columns the
	// generic columns found (empty for the Instagram format).
	Fields  Field
	Columns []string
}

// ReadAccountFile reads a labelled account CSV in either format: the
// Instagram fake/spammer/genuine format (every feature known; see
// ReadAccounts) or the generic format of GenericAccountColumns. observedAt,
// when not zero, stands for a missing observed_at. name prefixes errors
// (the path as the user gave it). A file with a header and no rows is an
// error.
func ReadAccountFile(r io.Reader, name string, observedAt time.Time) (AccountFile, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return AccountFile{}, fmt.Errorf("%s: %w", name, err)
	}
	cr := newCSVReader(strings.NewReader(string(b)))
	header, err := cr.Read()
	if err != nil {
		return AccountFile{}, fmt.Errorf("%s: reading header: %w", name, noEmpty(err))
	}
	var f AccountFile
	if IsInstagramAccountHeader(header) {
		f.Format = "instagram"
		f.Rows, err = ReadAccounts(strings.NewReader(string(b)))
		if err != nil {
			return AccountFile{}, fmt.Errorf("%s: %w", name, err)
		}
	} else {
		f.Format = "generic"
		f.Rows, f.Columns, err = readGeneric(cr, header, observedAt)
		if err != nil {
			return AccountFile{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(f.Rows) == 0 {
		return AccountFile{}, fmt.Errorf("%s: a header and no rows", name)
	}
	for _, r := range f.Rows {
		f.Fields |= r.Profile.Known
	}
	return f, nil
}

func readGeneric(cr interface{ Read() ([]string, error) }, header []string, observedAt time.Time) ([]LabeledAccount, []string, error) {
	col := headerIndex(header)
	idx := map[string]int{}
	var found []string
	for _, canon := range []string{"followers", "following", "posts", "has_avatar", "bio", "bio_length", "username", "display_name",
		"private", "external_url", "has_link", "created_at", "last_post_at", "observed_at", "label"} {
		for _, a := range genericAliases[canon] {
			if j, ok := col[a]; ok {
				idx[canon] = j
				found = append(found, canon)
				break
			}
		}
	}
	if _, ok := idx["label"]; !ok {
		return nil, nil, fmt.Errorf("header %q has no label column (label, class or fake)", header)
	}
	var rows []LabeledAccount
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if len(rec) != len(header) {
			return nil, nil, fmt.Errorf("record %d: %d fields, header has %d", line, len(rec), len(header))
		}
		row, err := genericRow(rec, idx, observedAt)
		if err != nil {
			return nil, nil, fmt.Errorf("record %d: %w", line, err)
		}
		row.Line = line
		rows = append(rows, row)
	}
	return rows, found, nil
}

func unknownCell(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "na", "nan", "null", "?", `\n`:
		return true
	}
	return false
}

func unknownText(s string) bool { return s == "NA" || s == `\N` }

func genericRow(rec []string, idx map[string]int, observedAt time.Time) (LabeledAccount, error) {
	var a Account
	var errs []error
	cell := func(name string) (string, bool) {
		j, ok := idx[name]
		if !ok {
			return "", false
		}
		return rec[j], true
	}
	count := func(name string) *int64 {
		s, ok := cell(name)
		if !ok || unknownCell(s) {
			return nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || f < 0 || f != math.Trunc(f) || f > 1e15 {
			errs = append(errs, fmt.Errorf("column %s: want a whole number ≥ 0, got %q", name, s))
			return nil
		}
		v := int64(f)
		return &v
	}
	flag := func(name string) *bool {
		s, ok := cell(name)
		if !ok || unknownCell(s) {
			return nil
		}
		v, err := parseFlag(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("column %s: %w", name, err))
			return nil
		}
		return &v
	}
	text := func(name string) *string {
		s, ok := cell(name)
		if !ok || unknownText(s) {
			return nil
		}
		return &s
	}
	when := func(name string) *time.Time {
		s, ok := cell(name)
		if !ok || unknownCell(s) {
			return nil
		}
		t, err := parseTime(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("column %s: %w", name, err))
			return nil
		}
		return &t
	}
	a.Followers, a.Following, a.Posts = count("followers"), count("following"), count("posts")
	a.HasAvatar, a.Private = flag("has_avatar"), flag("private")
	a.Bio, a.Username, a.DisplayName = text("bio"), text("username"), text("display_name")
	if u := text("external_url"); u != nil {
		has := strings.TrimSpace(*u) != ""
		a.HasLink = &has
	} else {
		a.HasLink = flag("has_link")
	}
	a.CreatedAt, a.LastPostAt = when("created_at"), when("last_post_at")
	if t := when("observed_at"); t != nil {
		a.ObservedAt = *t
	} else {
		a.ObservedAt = observedAt
	}
	bioLen := count("bio_length")
	label, _ := cell("label")
	fake, inactive, err := parseAccountLabel(label)
	if err != nil {
		errs = append(errs, fmt.Errorf("column label: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return LabeledAccount{}, err
	}
	p := a.Profile()
	if a.Bio == nil && bioLen != nil {
		p.Known |= FieldBio
		p.BioLength = int(min(*bioLen, math.MaxInt32))
	}
	row := LabeledAccount{Profile: p, Fake: fake}
	if inactive {
		row.Label = string(ClassInactive)
	}
	return row, nil
}

func parseFlag(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "1.0", "true", "t", "yes", "y":
		return true, nil
	case "0", "0.0", "false", "f", "no", "n":
		return false, nil
	}
	return false, fmt.Errorf("want 1/0, true/false or yes/no, got %q", s)
}

func parseAccountLabel(s string) (fake, inactive bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "1.0", "true", "fake", "bot", "spam", "spammer", "bought", "fake_or_bot":
		return true, false, nil
	case "0", "0.0", "false", "real", "genuine", "human", "legit", "legitimate":
		return false, false, nil
	case "inactive":
		return false, true, nil
	}
	return false, false, fmt.Errorf("unknown label %q (want fake/bot/1 or real/genuine/0 or inactive)", s)
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time (RFC 3339 or YYYY-MM-DD): %q", s)
}
