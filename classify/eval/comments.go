package eval

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nanoscout/nanoscout/classify"
	"github.com/nanoscout/nanoscout/classify/data"
	"github.com/nanoscout/nanoscout/classify/training"
)

// CommentOptions select what Comments does.
type CommentOptions struct {
	CV         bool // leave-one-video-out cross-validation instead of scoring with the shipped model
	JSON       bool
	ShowErrors int // list up to N misclassified comments per file
}

// CommentGoal is the goal: F1 ≥ 0.95 on every held-out video.
const CommentGoal = 0.95

// CommentFile is one scored comment file.
type CommentFile struct {
	File     string           `json:"file"`
	Training bool             `json:"training_data"`
	BadUTF8  *utf8Report      `json:"bad_utf8,omitempty"`
	Metrics  classify.Metrics `json:"metrics"`
}

// Comments scores each file of paths in the YouTube Spam Collection format
// with the shipped comment model, or with opts.CV cross-validates the model
// leaving one file (video) out at a time — on the shipped data when paths is
// empty, with the published baselines beside each video.
func Comments(w io.Writer, paths []string, opts CommentOptions) error {
	if opts.CV {
		return commentsCV(w, paths, opts.JSON)
	}
	if len(paths) == 0 {
		return fmt.Errorf("give at least one CSV file, or --cv")
	}
	ins, sets, err := readCommentFiles(paths)
	if err != nil {
		return err
	}
	m := classify.DefaultComments()
	var files []CommentFile
	var pooled classify.Metrics
	for i, rows := range sets {
		met := classify.EvalComments(m, rows)
		files = append(files, CommentFile{File: ins[i].Path, Training: ins[i].Training, BadUTF8: badUTF8(ins[i]), Metrics: met})
		pooled = pooled.Plus(met)
	}
	if opts.JSON {
		return writeJSON(w, map[string]any{"model": m.Info(), "threshold": m.Threshold(), "files": files, "pooled": pooled})
	}
	warnUTF8(w, ins)
	info := m.Info()
	fmt.Fprintf(w, "Comment model: classify/models/%s (n-gram and intent logistic regressions, λ=%g and %g, stacked %.2f·n-gram %+.2f·intent %+.2f; %d training comments, threshold %.2f); positive class = spam\n\n",
		training.CommentsFile, info.Lambda, info.IntentLambda, info.Stack.NGram, info.Stack.Intent, info.Stack.Bias, info.Rows, m.Threshold())
	tw := newTable(w)
	fmt.Fprintln(tw, "FILE\tN\tSPAM\tACC\tPREC\tRECALL\tF1\tMCC\tTP\tTN\tFP\tFN")
	row := func(name string, m classify.Metrics) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\n",
			name, m.N(), m.TP+m.FN, m.Accuracy, m.Precision, m.Recall, m.F1, m.MCC, m.TP, m.TN, m.FP, m.FN)
	}
	for _, f := range files {
		name := f.File
		if f.Training {
			name += " *"
		}
		row(name, f.Metrics)
	}
	if len(files) > 1 {
		row("pooled", pooled)
	}
	tw.Flush()
	if anyTraining(ins) {
		fmt.Fprintln(w, resubstitutionNote)
	}
	if opts.ShowErrors > 0 {
		for i, rows := range sets {
			printCommentErrors(w, ins[i].Path, m, rows, opts.ShowErrors)
		}
	}
	return nil
}

// readCommentFiles reads the files; each row's Source is the file name
// without extension (the video), errors name the path as given.
func readCommentFiles(paths []string) ([]input, [][]classify.LabeledComment, error) {
	var ins []input
	var sets [][]classify.LabeledComment
	for _, p := range paths {
		in, err := readInput(p, data.CommentFiles())
		if err != nil {
			return nil, nil, err
		}
		rows, err := classify.ReadComments(bytes.NewReader(in.Data), p)
		if err != nil {
			return nil, nil, err
		}
		video := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		for i := range rows {
			rows[i].Source = video
		}
		ins = append(ins, in)
		sets = append(sets, rows)
	}
	return ins, sets, nil
}

func printCommentErrors(w io.Writer, path string, m *classify.CommentModel, rows []classify.LabeledComment, limit int) {
	tw := newTable(w)
	n := 0
	for _, r := range rows {
		p := m.Spam(r.Author, r.Text)
		if (p >= m.Threshold()) == r.Spam {
			continue
		}
		if n == limit {
			break
		}
		if n == 0 {
			fmt.Fprintf(w, "\nMisclassified in %s (at most %d):\n", path, limit)
			fmt.Fprintln(tw, "LINE\tLABEL\tP(SPAM)\tAUTHOR\tTEXT (normalised)")
		}
		n++
		label := "ham"
		if r.Spam {
			label = "spam"
		}
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%s\t%s\n", r.Line, label, p, trunc(r.Author, 24), trunc(classify.NormalizeText(r.Text), 90))
	}
	tw.Flush()
	if n == 0 {
		fmt.Fprintf(w, "\nNo misclassified comments in %s.\n", path)
	}
}

func commentsCV(w io.Writer, paths []string, asJSON bool) error {
	var rows []classify.LabeledComment
	var ins []input
	shipped := len(paths) == 0
	if shipped {
		var err error
		if rows, err = training.Comments(); err != nil {
			return err
		}
	} else {
		var sets [][]classify.LabeledComment
		var err error
		if ins, sets, err = readCommentFiles(paths); err != nil {
			return err
		}
		for _, s := range sets {
			rows = append(rows, s...)
		}
	}
	opts := classify.DefaultCommentTrainOptions()
	folds, pooled, err := classify.CrossValidateComments(rows, opts)
	if err != nil {
		return fmt.Errorf("cross-validating the comment model: %w", err)
	}
	met := true
	for _, f := range folds {
		met = met && f.Metrics.F1 >= CommentGoal
	}
	if asJSON {
		out := map[string]any{"protocol": "leave-one-video-out", "options": opts, "folds": folds, "pooled": pooled,
			"goal_f1": CommentGoal, "goal_met": met}
		if shipped {
			base := map[string][]training.CommentBaseline{}
			for _, f := range folds {
				base[f.Held] = training.CommentBaselines[f.Held]
			}
			out["baselines"] = base
			out["baselines_protocol"] = training.CommentBaselineProtocol
		}
		return writeJSON(w, out)
	}
	warnUTF8(w, ins)
	fmt.Fprintln(w, "Leave-one-video-out cross-validation of the comment model: train on the other videos (both views' L2")
	fmt.Fprintln(w, "strengths, the stack and the threshold chosen by leave-one-video-out inside them), test on the held-out")
	fmt.Fprintln(w, "video; positive class = spam. STACK = weights of the n-gram view, the intent view, and the bias.")
	fmt.Fprintln(w)
	tw := newTable(w)
	fmt.Fprintln(tw, "HELD OUT\tTRAIN\tN\tACC\tPREC\tRECALL\tF1\tMCC\tTP\tTN\tFP\tFN\tλ\tλ INTENT\tSTACK\tTHRESHOLD")
	for _, f := range folds {
		m := f.Metrics
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\t%g\t%g\t%.2f %.2f %+.2f\t%.2f\n",
			f.Held, f.Train, m.N(), m.Accuracy, m.Precision, m.Recall, m.F1, m.MCC, m.TP, m.TN, m.FP, m.FN, f.Lambda,
			f.IntentLambda, f.Stack.NGram, f.Stack.Intent, f.Stack.Bias, f.Threshold)
	}
	fmt.Fprintf(tw, "pooled\t\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\t\t\t\t\n",
		pooled.N(), pooled.Accuracy, pooled.Precision, pooled.Recall, pooled.F1, pooled.MCC, pooled.TP, pooled.TN, pooled.FP, pooled.FN)
	tw.Flush()
	fmt.Fprintf(w, "\nGoal F1 ≥ %.2f on every held-out video: %s.\n", CommentGoal, verdict(met))
	if !shipped {
		return nil
	}
	fmt.Fprintln(w, "\nPublished baselines (TubeSpam, Alberto, Lochter & Almeida, ICMLA 2015), best three by MCC and Logistic:")
	fmt.Fprintln(w, training.CommentBaselineProtocol+".")
	fmt.Fprintln(w, "That protocol trains and tests inside one video; ours never sees the held-out video. Not directly comparable.")
	fmt.Fprintln(w)
	tw = newTable(w)
	fmt.Fprintln(tw, "VIDEO\tCLASSIFIER\tN\tACC\tF1\tMCC\tTP\tTN\tFP\tFN")
	for _, f := range folds {
		m := f.Metrics
		fmt.Fprintf(tw, "%s\tnanoscout (leave-one-video-out)\t%d\t%.4f\t%.3f\t%.3f\t%d\t%d\t%d\t%d\n",
			f.Held, m.N(), m.Accuracy, m.F1, m.MCC, m.TP, m.TN, m.FP, m.FN)
		for _, b := range training.TopCommentBaselines(f.Held, 3) {
			fmt.Fprintf(tw, "\t%s (70/30)\t%d\t%.4f\t%.3f\t%.3f\t%d\t%d\t%d\t%d\n",
				b.Classifier, b.TP+b.TN+b.FP+b.FN, b.Accuracy, b.F1, b.MCC, b.TP, b.TN, b.FP, b.FN)
		}
	}
	tw.Flush()
	return nil
}
