package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/eval"
)

// evalSubcommands are the subcommands of `nanoscout eval`. Each evaluation
// registers itself from init() in its own file, so adding one (e.g. `eval
// truth`) touches no other file:
//
//	func init() { evalSubcommands = append(evalSubcommands, newEvalTruthCmd) }
var evalSubcommands []func(*globals) *cobra.Command

func init() {
	addCommand(newEvalCmd)
	evalSubcommands = append(evalSubcommands, newEvalCommentsCmd, newEvalAccountsCmd)
}

func newEvalCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate nanoscout's classifiers and signals against labelled data",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	for _, mk := range evalSubcommands {
		cmd.AddCommand(mk(g))
	}
	return cmd
}

func newEvalCommentsCmd(*globals) *cobra.Command {
	var o eval.CommentOptions
	cmd := &cobra.Command{
		Use:   "comments [FILE.csv...]",
		Short: "Score labelled comment files with the shipped spam model, or cross-validate it (--cv)",
		Long: `Scores each file in the YouTube Spam Collection CSV format (COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS;
only AUTHOR, CONTENT and CLASS are read) with the shipped comment model and prints accuracy,
precision, recall, F1, MCC and the confusion counts per file and pooled (spam is the positive class).
Bytes that are not UTF-8 are reported (count and first line) and read as U+FFFD; a file with a
header and no rows is an error.

With --cv it runs leave-one-video-out cross-validation instead: for each file (video) a model is
trained on the other files, with its L2 strength tuned inside them, and tested on the held-out one.
Without files it uses the shipped training data and prints the authors' published results beside
each video (a different protocol: a 70/30 split inside the video).`,
		Example: `  nanoscout eval comments Youtube04-Eminem.csv Youtube05-Shakira.csv
  nanoscout eval comments --cv
  nanoscout eval comments --show-errors 10 new-labels.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := eval.Comments(cmd.OutOrStdout(), args, o); err != nil {
				return fmt.Errorf("eval comments: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.CV, "cv", false, "leave-one-video-out cross-validation (on the shipped data when no files are given)")
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	f.IntVar(&o.ShowErrors, "show-errors", 0, "list up to N misclassified comments per file")
	return cmd
}

func newEvalAccountsCmd(*globals) *cobra.Command {
	var o eval.AccountOptions
	var hide []string
	var observed string
	cmd := &cobra.Command{
		Use:   "accounts [FILE.csv...]",
		Short: "Score labelled account files with the shipped account model, or cross-validate it (--cv)",
		Long: `Scores each file with the shipped account model and prints accuracy, balanced accuracy,
precision and recall of the fake class, specificity, F1, MCC, the Brier score and the confusion
counts (fake is the positive class; real and inactive are negative).

Two formats are read, told apart by the header:
  - the Instagram fake/spammer/genuine format ("profile pic","nums/length username",...,"fake");
  - a generic account CSV in which only the label column is required and ANY other column may be
    absent: an absent column is UNKNOWN for every row, never zero or empty. Columns:
` + genericColumnsHelp() + `
With --cv it runs stratified k-fold cross-validation instead (on the shipped training data when no
file is given, with robustness checks: fields unknown as other sources show them, leave-one-field-
out, an 80/20 split, leave-one-class-group-out) and prints the IGAudit notebook's figures for
orientation.`,
		Example: `  nanoscout eval accounts test.csv
  nanoscout eval accounts --hide bio,display_name test.csv
  nanoscout eval accounts --observed-at 2017-10-01 followers.csv
  nanoscout eval accounts --cv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Hide, err = classify.ParseFields(hide...); err != nil {
				return fmt.Errorf("eval accounts: --hide: %w", err)
			}
			if observed != "" {
				if o.ObservedAt, err = time.Parse("2006-01-02", observed); err != nil {
					if o.ObservedAt, err = time.Parse(time.RFC3339, observed); err != nil {
						return fmt.Errorf("eval accounts: --observed-at: want YYYY-MM-DD or RFC 3339, got %q", observed)
					}
				}
			}
			if err := eval.Accounts(cmd.OutOrStdout(), args, o); err != nil {
				return fmt.Errorf("eval accounts: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.CV, "cv", false, "stratified k-fold cross-validation (on the shipped data when no file is given)")
	f.IntVar(&o.Folds, "folds", 10, "k for --cv")
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	f.StringSliceVar(&hide, "hide", nil, "treat these fields as unknown in every row: "+classify.FieldsAll.String())
	f.StringVar(&observed, "observed-at", "", "when the profiles were read, for files without an observed_at column (YYYY-MM-DD); account ages are unknown without it")
	return cmd
}

func genericColumnsHelp() string {
	var b strings.Builder
	for _, c := range classify.GenericAccountColumns {
		fmt.Fprintf(&b, "      %s: %s\n", c.Names, c.Meaning)
	}
	return b.String()
}
