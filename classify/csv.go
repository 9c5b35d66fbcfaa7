package classify

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LabeledComment is one row of a YouTube Spam Collection file. Only the
// author name, the text and the label are kept: COMMENT_ID and DATE are
// never read, because their format is tied to the label in some files of the
// collection.
type LabeledComment struct {
	Source string // file or video name
	Line   int    // 1-based record number in the file, header = 1
	Author string
	Text   string
	Spam   bool
}

// ReadComments reads the YouTube Spam Collection CSV format
// (COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS). Columns are found by header name,
// case-insensitively, in any order: CONTENT and CLASS are required (LABEL is
// accepted for CLASS, as in some re-uploads), AUTHOR is optional, every other
// column is ignored. CLASS must be 0 or 1 (1 = spam). A UTF-8 byte-order
// mark at the start of the file and CRLF line endings are accepted. source
// names the rows (e.g. the file name).
func ReadComments(r io.Reader, source string) ([]LabeledComment, error) {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading header of %s: %w", source, noEmpty(err))
	}
	col := headerIndex(header)
	content, okC := col["content"]
	class, okL := col["class"]
	if !okL {
		class, okL = col["label"]
	}
	if !okC || !okL {
		return nil, fmt.Errorf("reading %s: header %q lacks CONTENT and CLASS columns", source, header)
	}
	author, hasAuthor := col["author"]
	var rows []LabeledComment
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", source, err)
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("reading %s record %d: %d fields, header has %d", source, line, len(rec), len(header))
		}
		spam, err := parseLabel(rec[class])
		if err != nil {
			return nil, fmt.Errorf("reading %s record %d: CLASS: %w", source, line, err)
		}
		row := LabeledComment{Source: source, Line: line, Text: rec[content], Spam: spam}
		if hasAuthor {
			row.Author = rec[author]
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("reading %s: a header and no rows", source)
	}
	return rows, nil
}

// InvalidUTF8 counts the bytes of b that are not part of valid UTF-8 and
// returns the 1-based line of the first one (0 when there is none).
func InvalidUTF8(b []byte) (count, firstLine int) {
	line := 1
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == '\n' {
				line++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if count == 0 {
				firstLine = line
			}
			count++
			i++
			continue
		}
		i += n
	}
	return count, firstLine
}

// LabeledAccount is one labelled account: a row of the Instagram
// fake-account file or of a generic account CSV.
type LabeledAccount struct {
	Line    int // 1-based record number in the file, header = 1
	Profile Profile
	Fake    bool
	// Label is the file's label when it says more than fake or not (e.g.
	// "inactive"); empty otherwise.
	Label string
}

// accountColumns are the header names of the Instagram fake/spammer/genuine
// format, in file order.
var accountColumns = []string{
	"profile pic", "nums/length username", "fullname words", "nums/length fullname",
	"name==username", "description length", "external url", "private",
	"#posts", "#followers", "#follows", "fake",
}

// ReadAccounts reads the Instagram fake/spammer/genuine CSV format (header
// "profile pic","nums/length username","fullname words","nums/length
// fullname","name==username","description length","external URL","private",
// "#posts","#followers","#follows","fake"). Columns are found by header name,
// case-insensitively and in any order; every column is required. Numbers may
// be written as integers or floats ("0.0"); flags must be 0 or 1 and counts
// non-negative whole numbers. CRLF line endings, a missing final line ending
// and a UTF-8 byte-order mark are accepted.
func ReadAccounts(r io.Reader) ([]LabeledAccount, error) {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading accounts header: %w", noEmpty(err))
	}
	col := headerIndex(header)
	idx := make([]int, len(accountColumns))
	for i, name := range accountColumns {
		j, ok := col[name]
		if !ok {
			return nil, fmt.Errorf("reading accounts: header %q lacks column %q", header, name)
		}
		idx[i] = j
	}
	var rows []LabeledAccount
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading accounts: %w", err)
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("reading accounts record %d: %d fields, header has %d", line, len(rec), len(header))
		}
		var v [12]float64
		for i, j := range idx {
			f, err := strconv.ParseFloat(strings.TrimSpace(rec[j]), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("reading accounts record %d: column %q: not a number: %q", line, accountColumns[i], rec[j])
			}
			v[i] = f
		}
		row := LabeledAccount{Line: line}
		flag := func(i int) (bool, error) {
			switch v[i] {
			case 0:
				return false, nil
			case 1:
				return true, nil
			}
			return false, fmt.Errorf("reading accounts record %d: column %q: want 0 or 1, got %v", line, accountColumns[i], v[i])
		}
		count := func(i int) (int64, error) {
			if v[i] < 0 || v[i] != math.Trunc(v[i]) || v[i] > 1e15 {
				return 0, fmt.Errorf("reading accounts record %d: column %q: want a non-negative whole number, got %v", line, accountColumns[i], v[i])
			}
			return int64(v[i]), nil
		}
		f := &row.Profile
		f.Known = FieldsTrained
		var errs [12]error
		f.HasAvatar, errs[0] = flag(0)
		f.HandleDigitsRatio = v[1]
		var words, bio int64
		words, errs[2] = count(2)
		f.NameWords = int(words)
		f.NameDigitsRatio = v[3]
		f.NameIsHandle, errs[4] = flag(4)
		bio, errs[5] = count(5)
		f.BioLength = int(bio)
		f.HasLink, errs[6] = flag(6)
		f.Private, errs[7] = flag(7)
		f.Posts, errs[8] = count(8)
		f.Followers, errs[9] = count(9)
		f.Following, errs[10] = count(10)
		row.Fake, errs[11] = flag(11)
		for _, i := range []int{1, 3} {
			if v[i] < 0 || v[i] > 1 {
				errs[i] = fmt.Errorf("reading accounts record %d: column %q: want a ratio in [0,1], got %v", line, accountColumns[i], v[i])
			}
		}
		if err := errors.Join(errs[:]...); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked against the header, with a better message
	cr.ReuseRecord = false
	return cr
}

// headerIndex maps lower-cased, trimmed header names to their column; a
// byte-order mark before the first name is dropped.
func headerIndex(header []string) map[string]int {
	m := make(map[string]int, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := m[h]; !dup {
			m[h] = i
		}
	}
	return m
}

func parseLabel(s string) (bool, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return false, fmt.Errorf("not a number: %q", s)
	}
	switch f {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("want 0 or 1, got %q", s)
}

func noEmpty(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("empty file")
	}
	return err
}
