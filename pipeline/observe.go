package pipeline

import "github.com/nanoscout/nanoscout/model"

// AddProgress adds f to the callbacks invoked after every creator with the
// platform's counters. Unlike WithProgress, which sets the one callback,
// AddProgress chains: a progress bar and the daemon's metrics can both
// watch a run, whatever the order of the options. f is called from the
// platform's workers at once, so it must be safe for concurrent use and
// quick.
func AddProgress(f func(platform string, st model.PlatformStats)) Option {
	return func(p *Pipeline) {
		prev := p.progress
		if prev == nil {
			p.progress = f
			return
		}
		p.progress = func(platform string, st model.PlatformStats) {
			prev(platform, st)
			f(platform, st)
		}
	}
}
