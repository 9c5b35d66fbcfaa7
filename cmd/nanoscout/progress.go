package main

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
)

// progress shows a long command's progress per platform: a bar each with
// counts, rate and ETA when stdout is a terminal, else a log line per
// platform every log.progress_interval of the config. Pipeline commands (run, demo) start one
// with startProgress and pass progress.option() to the pipeline; exports
// have their own counter (export_progress.go).
type progress struct {
	mu       sync.Mutex
	tty      bool
	out      io.Writer // the bars' terminal
	log      *slog.Logger
	max      map[string]int // per platform: max_creators, the most a run collects
	bars     map[string]*progressbar.ProgressBar
	stats    map[string]model.PlatformStats
	first    map[string]time.Time
	logged   map[string]int // done at the last log line
	lines    int            // bar lines on screen
	runID    string
	lastDraw time.Time
	stop     chan struct{}
	done     chan struct{}
	interval time.Duration
}

// startProgress sets up progress output for a run of cfg's enabled platforms
// and returns it with the command's logger. On a terminal the logger writes
// above the bars instead of through them.
func startProgress(cmd *cobra.Command, cfg config.Config) (*progress, *slog.Logger) {
	out, logOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	tty := isTerminal(out)
	if cfg.Log.Format == "auto" && isTerminal(logOut) {
		cfg.Log.Format = "text" // the writer wrapped below is not a terminal any more
	}
	p := newProgress(out, tty, cfg)
	if tty && isTerminal(logOut) {
		logOut = &aboveBars{p: p, w: logOut}
	}
	p.log = slog.New(runIDHandler{Handler: newLogger(logOut, cfg).Handler(), set: p.setRunID})
	go p.loop()
	return p, p.log
}

// newProgress is progress output to out, as bars when tty is set; its
// logger and loop are set up by startProgress.
func newProgress(out io.Writer, tty bool, cfg config.Config) *progress {
	p := &progress{
		out: out, tty: tty, max: map[string]int{}, bars: map[string]*progressbar.ProgressBar{},
		stats: map[string]model.PlatformStats{}, first: map[string]time.Time{}, logged: map[string]int{},
		stop: make(chan struct{}), done: make(chan struct{}), interval: cfg.Log.ProgressInterval,
		log: slog.New(slog.DiscardHandler),
	}
	for _, name := range cfg.Enabled() {
		p.max[name] = max(cfg.Platforms[name].MaxCreators, 1)
		if tty {
			// Bars start with the run, so rates and ETAs count discovery too.
			p.setBar(name, model.PlatformStats{})
		}
	}
	return p
}

// option feeds the pipeline's per-creator counters to the progress output.
func (p *progress) option() pipeline.Option { return pipeline.AddProgress(p.update) }

func (p *progress) setRunID(id string) {
	p.mu.Lock()
	p.runID = id
	p.mu.Unlock()
}

// update takes a platform's counters after a creator.
func (p *progress) update(platform string, st model.PlatformStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.first[platform]; !ok {
		p.first[platform] = time.Now()
	}
	p.stats[platform] = st
	if p.tty {
		p.setBar(platform, st)
		if time.Since(p.lastDraw) > 100*time.Millisecond {
			p.draw()
		}
	}
}

func handled(st model.PlatformStats) int { return st.Collected + st.Skipped + st.Failed }

// setBar moves a platform's bar to its counters (p.mu held).
func (p *progress) setBar(platform string, st model.PlatformStats) {
	b := p.bars[platform]
	total := p.max[platform]
	if total == 0 {
		total = max(handled(st), 1)
		p.max[platform] = total
	}
	if b == nil {
		b = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(io.Discard), // drawn by p.draw, one line per platform
			progressbar.OptionSetWidth(24),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("creators"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(0),
		)
		b.StartWithoutRender()
		p.bars[platform] = b
	}
	if n := handled(st); n > total {
		b.ChangeMax(n)
	}
	b.Describe(fmt.Sprintf("%-10s %4d collected %4d skipped %3d failed", platform, st.Collected, st.Skipped, st.Failed))
	_ = b.Set(handled(st))
}

// clear removes the bars from the screen (p.mu held).
func (p *progress) clear() {
	if p.lines > 0 {
		fmt.Fprintf(p.out, "\x1b[%dA\r\x1b[J", p.lines)
		p.lines = 0
	}
}

// draw redraws every bar, one line each, platforms in order (p.mu held).
func (p *progress) draw() {
	p.clear()
	names := make([]string, 0, len(p.bars))
	for n := range p.bars {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		line := strings.TrimRight(strings.TrimLeft(p.bars[n].String(), "\r"), " ")
		sb.WriteString("\r\x1b[2K" + line + "\n")
	}
	fmt.Fprint(p.out, sb.String())
	p.lines = len(names)
	p.lastDraw = time.Now()
}

// loop redraws the bars every second (elapsed time and ETA move between
// creators), or logs progress every interval without a terminal.
func (p *progress) loop() {
	defer close(p.done)
	every := p.interval
	if p.tty {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		if p.tty {
			for name, st := range p.stats {
				p.setBar(name, st)
			}
			if len(p.bars) > 0 {
				p.draw()
			}
		} else {
			p.logLines()
		}
		p.mu.Unlock()
	}
}

// logLines logs one line per platform that moved since the last one (p.mu held).
func (p *progress) logLines() {
	names := make([]string, 0, len(p.stats))
	for n := range p.stats {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		st := p.stats[name]
		n := handled(st)
		if n == p.logged[name] {
			continue
		}
		p.logged[name] = n
		elapsed := time.Since(p.first[name])
		rate := float64(n) / max(elapsed.Seconds(), 0.001)
		attrs := []any{"platform", name, "done", n, "max", p.max[name], "collected", st.Collected, "skipped", st.Skipped,
			"failed", st.Failed, "rate_per_s", fmt.Sprintf("%.2f", rate)}
		if left := p.max[name] - n; left > 0 && rate > 0 {
			attrs = append(attrs, "eta", (time.Duration(float64(left)/rate) * time.Second).Round(time.Second))
		}
		if p.runID != "" {
			attrs = append(attrs, "run", p.runID)
		}
		p.log.Info("progress", attrs...)
	}
}

// finish stops the output: bars are drawn a last time and left on screen.
func (p *progress) finish() {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && len(p.bars) > 0 {
		p.draw()
		p.lines = 0 // keep them
	}
}

// aboveBars writes log lines above the progress bars: it clears them, writes,
// and draws them again below.
type aboveBars struct {
	p *progress
	w io.Writer
}

func (a *aboveBars) Write(b []byte) (int, error) {
	a.p.mu.Lock()
	defer a.p.mu.Unlock()
	bars := a.p.lines > 0
	a.p.clear()
	n, err := a.w.Write(b)
	if bars {
		a.p.draw()
	}
	return n, err
}

// runIDHandler notes the run id the pipeline puts on its logger
// (log.With("run", id)), so progress lines can carry it too.
type runIDHandler struct {
	slog.Handler
	set func(string)
}

func (h runIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	for _, a := range attrs {
		if a.Key == "run" {
			h.set(a.Value.String())
		}
	}
	return runIDHandler{Handler: h.Handler.WithAttrs(attrs), set: h.set}
}

func (h runIDHandler) WithGroup(name string) slog.Handler {
	return runIDHandler{Handler: h.Handler.WithGroup(name), set: h.set}
}
