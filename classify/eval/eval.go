// Package eval evaluates nanoscout's classifiers on labelled files and
// cross-validates them on the shipped training data; it is what `nanoscout
// eval comments` and `nanoscout eval accounts` run (the command only parses
// flags). Output is a plain-text table or, with JSON set, one JSON document.
package eval

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/data"
)

// input is one file given on the command line.
type input struct {
	Path string // as given
	Data []byte
	// Training: the file is byte-identical to a shipped training file, so
	// its figures are resubstitution figures.
	Training bool
	// BadUTF8 counts bytes that are not UTF-8 (read as U+FFFD), the first
	// on line BadUTF8Line.
	BadUTF8, BadUTF8Line int
}

// readInput reads path and checks it against the shipped training files
// and for bytes that are not UTF-8. Errors name the path as given.
func readInput(path string, training []data.File) (input, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return input{}, err // *PathError names the path as given
	}
	in := input{Path: path, Data: b}
	sum := sha256.Sum256(b)
	for _, f := range training {
		if sha256.Sum256(f.Data) == sum {
			in.Training = true
		}
	}
	in.BadUTF8, in.BadUTF8Line = classify.InvalidUTF8(b)
	return in, nil
}

// warnUTF8 reports bytes that are not UTF-8; nothing is dropped silently.
func warnUTF8(w io.Writer, ins []input) {
	for _, in := range ins {
		if in.BadUTF8 > 0 {
			fmt.Fprintf(w, "warning: %s: %d byte(s) that are not UTF-8, the first on line %d; each is read as U+FFFD (�)\n", in.Path, in.BadUTF8, in.BadUTF8Line)
		}
	}
}

// utf8Report is the JSON form of the warning.
type utf8Report struct {
	Bytes     int `json:"bytes"`
	FirstLine int `json:"first_line"`
}

func badUTF8(in input) *utf8Report {
	if in.BadUTF8 == 0 {
		return nil
	}
	return &utf8Report{in.BadUTF8, in.BadUTF8Line}
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func anyTraining(ins []input) bool {
	for _, in := range ins {
		if in.Training {
			return true
		}
	}
	return false
}

const resubstitutionNote = "\n* a training file of the shipped model: its figures are resubstitution figures, not estimates (use --cv)."

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
