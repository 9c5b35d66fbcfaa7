// Package classify holds nanoscout's trained classifiers and the code that
// evaluates them:
//
//   - CommentModel scores a comment as spam/bot from its text and author name
//     only (logistic regression on hashed word and character n-grams);
//   - AccountModel scores an account as fake from the public profile features
//     every platform shows (a deterministic random forest).
//
// The shipped models live in models/ and are embedded with go:embed; scoring
// does no other I/O. They are rebuilt byte for byte from the data in data/ by
// `go run ./classify/cmd/train` (make train). The package also reads the
// labelled CSV formats, computes Metrics and runs the cross-validations whose
// figures are reported in docs/classifiers.md.
package classify
