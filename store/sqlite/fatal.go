package sqlite

import (
	"database/sql"
	"errors"
	"strings"

	msqlite "modernc.org/sqlite"

	"github.com/nanoscout/nanoscout/store"
)

// SQLite's primary result codes that mean the database as a whole is
// unusable (https://sqlite.org/rescode.html).
const (
	codeReadOnly = 8
	codeIOErr    = 10
	codeCorrupt  = 11
	codeFull     = 13
	codeCantOpen = 14
	codeNotADB   = 26
)

// fatal wraps err in a *store.FatalError when it is about the database as a
// whole (full, read-only, I/O error, corrupt, closed), and returns it as it
// is otherwise.
func fatal(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := store.AsFatal(err); ok {
		return err
	}
	kind := ""
	var se *msqlite.Error
	switch {
	case errors.As(err, &se):
		switch se.Code() & 0xff {
		case codeFull:
			kind = store.FatalDiskFull
		case codeReadOnly:
			kind = store.FatalReadOnly
		case codeIOErr, codeCantOpen:
			kind = store.FatalIO
		case codeCorrupt, codeNotADB:
			kind = store.FatalCorrupt
		}
	case errors.Is(err, sql.ErrConnDone), strings.Contains(err.Error(), "sql: database is closed"):
		kind = store.FatalGone
	}
	if kind == "" {
		return err
	}
	return &store.FatalError{Kind: kind, Err: err}
}
