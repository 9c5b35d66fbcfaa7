package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func init() { addCommand(newConfigCmd) }

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration or check a config file",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "print",
		Short: "Print the effective config: the file merged over the built-in defaults, with environment and flag overrides",
		Long: `Print the effective configuration as YAML: your file (--config) merged over
the built-in defaults key by key, then NANOSCOUT_* environment variables and
flags applied. Secrets are never in it (credentials name environment
variables; a password in the MongoDB URI is shown as xxxxx).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if cfg.Mongo.URI != "" {
				if u, err := url.Parse(cfg.Mongo.URI); err == nil {
					cfg.Mongo.URI = u.Redacted()
				} else {
					cfg.Mongo.URI = "(unparsable URI hidden)"
				}
			}
			enc := yaml.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent(2)
			if err := enc.Encode(cfg); err != nil {
				return fmt.Errorf("writing the config: %w", err)
			}
			return enc.Close()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "check [FILE]",
		Short: "Validate a config file (default: --config, else the built-in default); every problem is listed",
		Example: `  nanoscout config check /etc/nanoscout/nanoscout.yaml
  nanoscout -c nanoscout.yaml config check`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				g.configPath = args[0]
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			name := g.configPath
			if name == "" {
				name = "built-in default config"
			}
			fmt.Fprintf(w, "%s: ok\n", name)
			enabled := cfg.Enabled()
			fmt.Fprintf(w, "enabled platforms: %s\n", orNone(enabled))
			for _, p := range enabled {
				if pc := cfg.Platforms[p]; len(pc.Seeds) == 0 && len(pc.Queries) == 0 {
					fmt.Fprintf(w, "warning: platforms.%s has no seeds and no queries: `nanoscout run` leaves it out\n", p)
				}
			}
			var jobs []string
			for _, n := range cfg.Schedule.JobNames() {
				j := cfg.Schedule.Jobs[n]
				if !j.Disabled {
					jobs = append(jobs, fmt.Sprintf("%s (%s, %q)", n, j.Kind, j.Spec))
				}
			}
			fmt.Fprintf(w, "scheduled jobs: %s\n", orNone(jobs))
			fmt.Fprintf(w, "store: %s\n", describeStore(cfg))
			return nil
		},
	})
	return cmd
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
