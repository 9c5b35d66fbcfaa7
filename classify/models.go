package classify

import (
	"embed"
	"fmt"
	"sync"
)

// models holds the shipped model files written by make train. The directory
// (not the files) is embedded so that the package, and the trainer that
// imports it, still build when a model file is missing; DefaultComments and
// DefaultAccounts then panic with the reason.
//
//go:embed models
var models embed.FS

var (
	defaultComments = sync.OnceValues(func() (*CommentModel, error) {
		b, err := models.ReadFile("models/comments.bin")
		if err != nil {
			return nil, err
		}
		return LoadCommentModel(b)
	})
	defaultAccounts = sync.OnceValues(func() (*AccountModel, error) {
		b, err := models.ReadFile("models/accounts.json")
		if err != nil {
			return nil, err
		}
		return LoadAccountModel(b)
	})
)

// DefaultComments returns the shipped comment model (models/comments.bin),
// decoded once. It panics if the embedded file is missing or was built for
// another feature extraction: run make train.
func DefaultComments() *CommentModel {
	m, err := defaultComments()
	if err != nil {
		panic(fmt.Sprintf("classify: shipped comment model: %v (run make train)", err))
	}
	return m
}

// DefaultAccounts returns the shipped account model (models/accounts.json),
// decoded once. It panics if the embedded file is missing or invalid: run
// make train.
func DefaultAccounts() *AccountModel {
	m, err := defaultAccounts()
	if err != nil {
		panic(fmt.Sprintf("classify: shipped account model: %v (run make train)", err))
	}
	return m
}
