// Package ferrettest starts the FerretDB that nanoscout's MongoDB tests run
// against, embedded in the test binary (FerretDB v1 on its SQLite backend,
// in a temporary directory, on a loopback port). One TestMain set-up for
// every package that needs it:
//
//	var ferretURI string
//
//	func TestMain(m *testing.M) { os.Exit(ferrettest.Main(m, &ferretURI)) }
package ferrettest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// LogEnv, when set in the environment, sends FerretDB's logs to stderr
// (they are discarded otherwise).
const LogEnv = "NANOSCOUT_TEST_FERRETDB_LOG"

// Main starts FerretDB, sets *uri to its MongoDB URI, runs the tests, stops
// FerretDB, removes its data and returns m.Run's exit code (1 when FerretDB
// cannot start).
func Main(m *testing.M, uri *string) int {
	dir, err := os.MkdirTemp("", "nanoscout-ferretdb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating FerretDB's directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	var logOut io.Writer = io.Discard
	if os.Getenv(LogEnv) != "" {
		logOut = os.Stderr
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(logOut, nil)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting FerretDB:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	*uri = f.MongoDBURI()
	code := m.Run()
	cancel()
	<-done
	return code
}
