// Package data holds the labelled training data of nanoscout's classifiers,
// embedded so that training, cross-validation and `nanoscout eval --cv` work
// from any directory. See README.md in this directory for origin, licence
// caveats and checksums.
package data

import (
	"embed"
	"io/fs"
	"path"
	"sort"
)

//go:embed youtube-spam-collection/*.csv instagram-fake-spammer-genuine/train.csv
var files embed.FS

// File is one embedded data file.
type File struct {
	Name string // base name, e.g. "Youtube01-Psy.csv"
	Path string // path relative to classify/data
	Data []byte
}

// CommentFiles returns the YouTube Spam Collection files, one per video, in
// name order.
func CommentFiles() []File { return glob("youtube-spam-collection/*.csv") }

// AccountFiles returns the Instagram fake-account training file(s).
func AccountFiles() []File { return glob("instagram-fake-spammer-genuine/*.csv") }

func glob(pattern string) []File {
	names, err := fs.Glob(files, pattern)
	if err != nil {
		panic(err) // the pattern is a constant
	}
	sort.Strings(names)
	out := make([]File, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			panic(err) // embedded, cannot fail
		}
		out = append(out, File{Name: path.Base(n), Path: n, Data: b})
	}
	return out
}
