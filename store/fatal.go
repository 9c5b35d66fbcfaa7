package store

import (
	"errors"
	"fmt"
)

// Kinds of FatalError, in words an operator reads in logs and on the run
// document.
const (
	FatalDiskFull = "disk full"
	FatalReadOnly = "read-only"
	FatalIO       = "I/O error"
	FatalCorrupt  = "corrupt"
	FatalGone     = "database gone"
)

// FatalError is a store failure that is not about one document: the disk is
// full, the database is read-only, corrupt or gone (closed, unreachable). No
// write will succeed until an operator acts, so a run that meets one stops
// instead of going on collecting what it cannot store. Backends return it
// (wrapped) from any operation that meets such a condition; find it with
// errors.As or AsFatal.
type FatalError struct {
	Kind string // FatalDiskFull, FatalReadOnly, FatalIO, FatalCorrupt or FatalGone
	Err  error  // the backend's error
}

func (e *FatalError) Error() string {
	what := "the store failed"
	switch e.Kind {
	case FatalDiskFull:
		what = "the store cannot write more"
	case FatalReadOnly:
		what = "the store cannot be written"
	case FatalIO:
		what = "the store's disk failed"
	case FatalCorrupt:
		what = "the store's database is damaged"
	case FatalGone:
		what = "the store is closed or unreachable"
	}
	return fmt.Sprintf("%s: %s: %v", e.Kind, what, e.Err)
}

func (e *FatalError) Unwrap() error { return e.Err }

// AsFatal returns the FatalError in err's chain, if any.
func AsFatal(err error) (*FatalError, bool) {
	var f *FatalError
	if errors.As(err, &f) {
		return f, true
	}
	return nil, false
}
