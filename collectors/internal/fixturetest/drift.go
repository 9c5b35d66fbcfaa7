package fixturetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/collectors"
)

// Rename moves m[from] to m[to]: a field renamed by schema drift.
func Rename(m map[string]any, from, to string) {
	m[to] = m[from]
	delete(m, from)
}

// WantDrift checks that err is a *collectors.DriftError naming field (and
// alt, when not empty), that it still matches collectors.ErrMalformed, and
// that its message names the field.
func WantDrift(t *testing.T, err error, field, alt string) {
	t.Helper()
	var d *collectors.DriftError
	if !errors.As(err, &d) {
		t.Fatalf("err = %v, want a *collectors.DriftError naming %s", err, field)
	}
	if d.Field != field || (alt != "" && d.Alt != alt) {
		t.Errorf("drift error names %q (alt %q), want %q (alt %q): %v", d.Field, d.Alt, field, alt, err)
	}
	if !errors.Is(err, collectors.ErrMalformed) {
		t.Errorf("drift error does not match ErrMalformed: %v", err)
	}
	if !strings.Contains(err.Error(), field) {
		t.Errorf("message does not name %s: %v", field, err)
	}
}
