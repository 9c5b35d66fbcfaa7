// Command nanoscout finds, measures and ranks nano creators whose small
// audiences actually listen. See README.md for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/nanoscout/nanoscout/collectors/all" // registers every platform
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "nanoscout:", err)
		stop()
		os.Exit(exitCode(err))
	}
}
