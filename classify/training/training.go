// Package training builds nanoscout's shipped classifier models from the
// labelled data in classify/data: it is what `make train` runs (through
// classify/cmd/train), what the reproducibility test compares against the
// files in classify/models, and where `nanoscout eval --cv` gets the
// training data and the published baselines.
package training

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/data"
)

// Model file names in classify/models.
const (
	CommentsFile = "comments.bin"
	AccountsFile = "accounts.json"
	ManifestFile = "manifest.json"
)

// Comments returns the shipped YouTube Spam Collection rows; each row's
// Source is its video, e.g. "Youtube01-Psy".
func Comments() ([]classify.LabeledComment, error) {
	var rows []classify.LabeledComment
	for _, f := range data.CommentFiles() {
		r, err := classify.ReadComments(bytes.NewReader(f.Data), strings.TrimSuffix(f.Name, ".csv"))
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// Accounts returns the shipped Instagram fake-account rows.
func Accounts() ([]classify.LabeledAccount, error) {
	var rows []classify.LabeledAccount
	for _, f := range data.AccountFiles() {
		r, err := classify.ReadAccounts(bytes.NewReader(f.Data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// File is one built model file.
type File struct {
	Name string
	Data []byte
}

// Manifest records what a build read and wrote; it holds no timestamp, so
// it is as reproducible as the models.
type Manifest struct {
	GeneratedBy string         `json:"generated_by"`
	Data        []DataFile     `json:"data"`
	Comments    CommentsBuild  `json:"comments"`
	Accounts    AccountsBuild  `json:"accounts"`
	Models      []ModelFileSum `json:"models"`
}

// DataFile is one training file with its checksum.
type DataFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
}

// CommentsBuild records the comment model's training.
type CommentsBuild struct {
	Options classify.CommentTrainOptions `json:"options"`
	Info    classify.CommentModelInfo    `json:"info"`
}

// AccountsBuild records the account model's training.
type AccountsBuild struct {
	Options classify.AccountTrainOptions `json:"options"`
	Info    classify.AccountModelInfo    `json:"info"`
}

// ModelFileSum is one written model file with its checksum.
type ModelFileSum struct {
	File   string `json:"file"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Build trains both models on the shipped data with the default options and
// returns the files of classify/models: the comment model, the account
// model and the manifest. It reads nothing but the embedded data, and the
// same source gives the same bytes.
func Build() ([]File, error) {
	comments, err := Comments()
	if err != nil {
		return nil, err
	}
	accounts, err := Accounts()
	if err != nil {
		return nil, err
	}
	copts := classify.DefaultCommentTrainOptions()
	cm, err := classify.TrainComments(comments, copts)
	if err != nil {
		return nil, err
	}
	cbin, err := cm.MarshalBinary()
	if err != nil {
		return nil, err
	}
	aopts := classify.DefaultAccountTrainOptions()
	am, err := classify.TrainAccounts(accounts, aopts)
	if err != nil {
		return nil, err
	}
	ajson, err := am.MarshalJSON()
	if err != nil {
		return nil, err
	}
	man := Manifest{
		GeneratedBy: "go run ./classify/cmd/train",
		Comments:    CommentsBuild{Options: copts, Info: cm.Info()},
		Accounts:    AccountsBuild{Options: aopts, Info: am.Info()},
	}
	count := map[string]int{}
	for _, r := range comments {
		count[r.Source+".csv"]++
	}
	for _, f := range data.CommentFiles() {
		man.Data = append(man.Data, DataFile{Path: "classify/data/" + f.Path, SHA256: sum(f.Data), Rows: count[f.Name]})
	}
	for _, f := range data.AccountFiles() {
		rows, err := classify.ReadAccounts(bytes.NewReader(f.Data))
		if err != nil {
			return nil, err
		}
		man.Data = append(man.Data, DataFile{Path: "classify/data/" + f.Path, SHA256: sum(f.Data), Rows: len(rows)})
	}
	files := []File{{CommentsFile, cbin}, {AccountsFile, ajson}}
	for _, f := range files {
		man.Models = append(man.Models, ModelFileSum{File: f.Name, Bytes: len(f.Data), SHA256: sum(f.Data)})
	}
	mjson, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(files, File{ManifestFile, append(mjson, '\n')}), nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
