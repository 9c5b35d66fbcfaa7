// Package classify holds nanoscout's trained classifiers and the code that
// evaluates them:
//
//   - CommentModel scores a comment as spam/bot from its text and author name
//     only: a logistic regression on hashed word and character n-grams and
//     one on the comment's intent signals (link, like-begging, call to
//     action), stacked with weights fitted on out-of-video scores;
//   - AccountModel classifies an account as real, fake (bought/bot/spam) or
//     inactive from public profile fields that mean the same on every
//     platform (Account; a field the platform does not show is nil =
//     unknown). It holds one monotone logistic scorecard per set of known
//     fields, so an unknown field is never imputed; Predict returns
//     calibrated probabilities and reason codes (AccountVerdict).
//
// The shipped models live in models/ and are embedded with go:embed; scoring
// does no other I/O. They are rebuilt byte for byte from the data in data/ by
// `go run ./classify/cmd/train` (make train). The package also reads the
// labelled CSV formats, computes Metrics and runs the cross-validations whose
// figures are reported in docs/classifiers.md.
package classify
