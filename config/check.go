package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// checker collects every problem of a config, so that Validate reports all
// of them at once (errors.Join) instead of the first.
type checker struct{ errs []error }

func (c *checker) add(err error) {
	if err != nil {
		c.errs = append(c.errs, err)
	}
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("config: "+format, args...))
}

// err joins what was found; nil when nothing was.
func (c *checker) err() error { return errors.Join(c.errs...) }

// ints checks lo ≤ v ≤ hi. zeroOK also accepts 0 (meaning "the default").
func (c *checker) ints(path string, v, lo, hi int64, zeroOK bool) {
	if zeroOK && v == 0 {
		return
	}
	if v < lo || v > hi {
		want := fmt.Sprintf("%d..%d", lo, hi)
		if zeroOK {
			want += " (or 0 for the default)"
		}
		c.errorf("%s %d is out of range: want %s", path, v, want)
	}
}

// floats checks that v is a finite number in lo..hi (lo excluded when
// openLo, so "more than 0").
func (c *checker) floats(path string, v, lo, hi float64, openLo bool) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		c.errorf("%s %v: want a finite number in %s", path, v, floatRange(lo, hi, openLo))
	case v < lo || v > hi || (openLo && v == lo):
		c.errorf("%s %v is out of range: want %s", path, v, floatRange(lo, hi, openLo))
	}
}

func floatRange(lo, hi float64, openLo bool) string {
	if openLo {
		return fmt.Sprintf("more than %g, at most %g", lo, hi)
	}
	return fmt.Sprintf("%g..%g", lo, hi)
}

// durations checks lo ≤ d ≤ hi. zeroOK also accepts 0 (its meaning is the
// field's: "none" or "the default").
func (c *checker) durations(path string, d, lo, hi time.Duration, zeroOK bool) {
	if zeroOK && d == 0 {
		return
	}
	if d < lo || d > hi {
		want := fmt.Sprintf("%s..%s", fmtDur(lo), fmtDur(hi))
		if zeroOK {
			want += " (or 0)"
		}
		c.errorf("%s %s is out of range: want %s", path, fmtDur(d), want)
	}
}

// fmtDur prints a duration without zero tails: 2m, 1h, 1h30m, 8760h.
func fmtDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// orDefault sets *p to def when it is unset: empty, zero or negative.
func orDefault[T cmp.Ordered](p *T, def T) {
	var zero T
	if *p <= zero {
		*p = def
	}
}
