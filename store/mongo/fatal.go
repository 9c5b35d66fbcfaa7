package mongo

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/nanoscout/nanoscout/store"
)

// MongoDB error codes that mean the database as a whole is unusable.
const (
	codeIllegalOperation = 20    // e.g. a write to a server started --readOnly
	codeOutOfDiskSpace   = 14031 // the server's disk is full
)

// fatal wraps err in a *store.FatalError when it is about the database as a
// whole — unreachable (no server to select, a connection refused or reset,
// a closed client), out of disk space, read-only — and returns it as it is
// otherwise. A duplicate key, a document not found, a cancelled context or
// a timeout on a live connection (a slow server: the next write may well
// succeed) are not fatal.
func fatal(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := store.AsFatal(err); ok {
		return err
	}
	var se mongo.ServerError
	kind := ""
	switch {
	case errors.Is(err, mongo.ErrClientDisconnected), strings.Contains(err.Error(), "server selection error"):
		kind = store.FatalGone
	case mongo.IsNetworkError(err) && !mongo.IsTimeout(err) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled):
		kind = store.FatalGone
	case errors.As(err, &se) && se.HasErrorCode(codeOutOfDiskSpace),
		errors.As(err, &se) && se.HasErrorMessage("No space left on device"):
		kind = store.FatalDiskFull
	case errors.As(err, &se) && se.HasErrorCode(codeIllegalOperation) && se.HasErrorMessage("read-only"):
		kind = store.FatalReadOnly
	}
	if kind == "" {
		return err
	}
	return &store.FatalError{Kind: kind, Err: err}
}
