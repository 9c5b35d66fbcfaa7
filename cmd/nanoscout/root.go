package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/backend"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// subcommands are registered by each command's file from init(), so adding
// a command touches no other file.
var subcommands []func(*globals) *cobra.Command

func addCommand(mk func(*globals) *cobra.Command) { subcommands = append(subcommands, mk) }

// globals are the flags every command shares.
type globals struct {
	configPath string
	dataDir    string
	mongoURI   string
	logLevel   string
	logFormat  string
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "nanoscout",
		Short: "Find, measure and rank nano creators whose audiences actually listen",
		Long: `nanoscout finds, measures and ranks nano creators whose small audiences
actually listen, on Bluesky, Mastodon, YouTube, TikTok and Instagram.

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.Version = version
	root.SetVersionTemplate(versionString() + "\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(exitUsage, err) })
	pf := root.PersistentFlags()
	pf.StringVarP(&g.configPath, "config", "c", "", "config file (default: the built-in configs/default.yaml)")
	pf.StringVar(&g.dataDir, "data-dir", "", "data directory of the embedded store (env NANOSCOUT_DATA_DIR)")
	pf.StringVar(&g.mongoURI, "mongo-uri", "", "use MongoDB at this URI instead of the embedded store (env NANOSCOUT_MONGO_URI)")
	pf.StringVar(&g.logLevel, "log-level", "", "debug, info, warn or error (default from config)")
	pf.StringVar(&g.logFormat, "log-format", "", "auto, text or json (default from config)")
	for _, mk := range subcommands {
		root.AddCommand(mk(g))
	}
	return root
}

// loadConfig reads the config and applies flag overrides.
func (g *globals) loadConfig() (config.Config, error) {
	cfg, err := config.Load(g.configPath, os.Getenv)
	if err != nil {
		return cfg, withCode(exitUsage, err)
	}
	if g.dataDir != "" {
		cfg.DataDir = g.dataDir
	}
	if g.mongoURI != "" {
		cfg.Mongo.URI = g.mongoURI
	}
	if g.logLevel != "" {
		cfg.Log.Level = g.logLevel
	}
	if g.logFormat != "" {
		cfg.Log.Format = g.logFormat
	}
	if err := cfg.Validate(); err != nil {
		return cfg, withCode(exitUsage, err) // a flag override out of range
	}
	return cfg, nil
}

// withStore is the RunE of a command that only reads the store: it loads
// the config, opens the store, runs f and closes the store.
func (g *globals) withStore(f func(cmd *cobra.Command, args []string, st store.Store) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cfg, err := g.loadConfig()
		if err != nil {
			return err
		}
		st, err := openStoreRead(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		return f(cmd, args, st)
	}
}

// openStore opens the backend the config selects.
func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	st, _, err := backend.Open(ctx, cfg.DataDir, cfg.Mongo.URI, cfg.Mongo.Database)
	if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	return st, nil
}

// openStoreRead opens the store for a command that reads what runs stored
// (top, creator, runs, export, plan, db stats). On the embedded store, a data
// directory without a database is "no data" (exit code 5) and nothing is
// created there.
func openStoreRead(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.Mongo.URI == "" {
		path := filepath.Join(cfg.DataDir, sqlite.FileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, withCode(exitNoData, fmt.Errorf("no data in %s (there is no %s): run `nanoscout run` (or `nanoscout demo`) first, or point --data-dir or NANOSCOUT_DATA_DIR at your data directory", cfg.DataDir, sqlite.FileName))
		} else if err != nil {
			return nil, fmt.Errorf("opening store: %w", err)
		}
	}
	return openStore(ctx, cfg)
}

// newLogger builds the slog logger: text on a terminal, JSON otherwise.
func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(cfg.Log.Level))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.Log.Format
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
