package main

import (
	"encoding/json"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/eval"
)

func init() { evalSubcommands = append(evalSubcommands, newEvalStreamCmd) }

func newEvalStreamCmd(g *globals) *cobra.Command {
	var (
		seed     int64
		creators int
		window   time.Duration
		faults   string
		topK     int
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "stream",
		Short: "Compare the Jetstream path with the polling path on the simulator (Bluesky)",
		Long: `Starts the simulator (clock frozen) and runs both ways in: the polling pipeline seeded with the
population's handles, and the Jetstream consumer replaying the window with no seeds followed by its
candidate funnel (getProfiles/getPosts in batches of 25). Prints: events in the simulator's log vs
received, the share of active creators discovered without seeds, the Spearman correlation of the two
paths' ER, P@K of the nano top K and non-organic creators in it for each path, and requests per
scored creator.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			base, err := g.loadConfig()
			if err != nil {
				return err
			}
			res, err := eval.RunStream(cmd.Context(), eval.StreamOptions{Seed: seed, Creators: creators, Window: window,
				Faults: faults, TopK: topK, Logger: newLogger(cmd.ErrOrStderr(), base), Base: &base})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return res.WriteTable(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.Int64Var(&seed, "seed", eval.DefaultSeed, "simulator seed")
	f.IntVar(&creators, "creators", eval.DefaultStreamCreators, "simulated Bluesky creators")
	f.DurationVar(&window, "window", eval.DefaultStreamWindow, "how much of the stream is replayed (≤ 72h)")
	f.StringVar(&faults, "faults", "", `simulator faults ("none", default: REST and Jetstream faults)`)
	f.IntVar(&topK, "top", eval.DefaultTopK, "K of precision@K")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
