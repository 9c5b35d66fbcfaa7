package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nanoscout/nanoscout/model"
)

// Exit codes of nanoscout (documented in the README and `nanoscout --help`).
const (
	exitOK      = 0 // success; `run`: the run succeeded
	exitError   = 1 // any other error (store unreachable, I/O, a failed export)
	exitUsage   = 2 // bad usage: an unknown flag, command or flag value; an invalid config
	exitFailed  = 3 // `run`: the run failed (nothing collected, or a fatal store error)
	exitPartial = 4 // `run`: the run finished partial (some creators or platforms failed, or it was interrupted)
	exitNoData  = 5 // a read-only command found no data (no store in the data directory)
)

// exitCodesHelp is the table `nanoscout --help` prints.
const exitCodesHelp = `Exit codes:
  0  success (run: the run succeeded)
  1  error (store unreachable, I/O, a failed delivery, ...)
  2  bad usage or an invalid config (unknown flag, value or platform; a number out of range)
  3  run: the run failed (nothing collected, or the store refused writes)
  4  run: the run is partial (some creators or platforms failed, or it was interrupted)
  5  no data: a read-only command (top, creator, runs, export, ...) found no store in the data directory`

// codedError carries an exit code with the error main prints.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// withCode wraps err (nil stays nil) so that main exits with code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

// usageErrorf is a bad flag value or argument: exit code 2.
func usageErrorf(format string, args ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, args...))
}

// exitCode is the process exit code for an error returned by a command.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *codedError
	if errors.As(err, &e) {
		return e.code
	}
	if strings.HasPrefix(err.Error(), "unknown command ") || strings.HasPrefix(err.Error(), "accepts ") {
		return exitUsage // cobra's own usage errors carry no type
	}
	return exitError
}

// runExit maps a finished run's status to the exit code and error of
// `nanoscout run`: failed → 3, partial (or abandoned) → 4.
func runExit(run model.Run) error {
	switch run.Status {
	case model.RunSucceeded:
		return nil
	case model.RunPartial, model.RunAbandoned:
		return withCode(exitPartial, fmt.Errorf("run %s is %s: %d creators failed, %d errors (`nanoscout runs show %s` lists them)", run.ID, run.Status, failedCreators(run), len(run.Errors), run.ID))
	case model.RunFailed:
		return withCode(exitFailed, fmt.Errorf("run %s failed: %s", run.ID, firstReason(run)))
	default:
		return withCode(exitFailed, fmt.Errorf("run %s ended with status %q", run.ID, run.Status))
	}
}

func failedCreators(run model.Run) int { return run.Totals().Failed }

func firstReason(run model.Run) string {
	if len(run.Errors) == 0 {
		return "nothing was collected"
	}
	e := run.Errors[0]
	reason := e.Reason
	if e.Platform != "" {
		reason = e.Platform + ": " + reason
	}
	if len(run.Errors) > 1 {
		reason += fmt.Sprintf(" (and %d more errors; `nanoscout runs show %s` lists them)", len(run.Errors)-1, run.ID)
	}
	return reason
}
