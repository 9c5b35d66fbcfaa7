package opts

import (
	"testing"
)

func TestMessages(t *testing.T) {
	o := map[string]string{"n": " 500 ", "b": "maybe", "x": "1"}
	if _, err := Int("p", o, "n", 1, 1, 100); err == nil || err.Error() != `p option n "500": want an integer in 1..100` {
		t.Errorf("Int: %v", err)
	}
	if n, err := Int("p", o, "missing", 7, 1, 100); n != 7 || err != nil {
		t.Errorf("Int default: %d, %v", n, err)
	}
	if _, err := Bool("p", o, "b", false); err == nil || err.Error() != `p option b "maybe": want true or false` {
		t.Errorf("Bool: %v", err)
	}
	if b, err := Bool("p", o, "missing", true); !b || err != nil {
		t.Errorf("Bool default: %v, %v", b, err)
	}
	if err := Known("p", map[string]string{"x": "1"}, []string{"a", "b"}); err == nil || err.Error() != `unknown p option "x" (known: a, b)` {
		t.Errorf("Known: %v", err)
	}
	if err := OnlyCredential("p", map[string]string{"token": "T", "zz": "Z"}, "token"); err == nil || err.Error() != `p credentials: unknown key "zz" (only token is used)` {
		t.Errorf("OnlyCredential: %v", err)
	}
}

func TestRoot(t *testing.T) {
	if got := CleanRoot("  ", "https://d.example"); got != "https://d.example" {
		t.Errorf("CleanRoot default = %q", got)
	}
	if got := CleanRoot(" https://h.example// ", "x"); got != "https://h.example" {
		t.Errorf("CleanRoot = %q", got)
	}
	for s, want := range map[string]bool{"https://h": true, "http://h/p": true, "ftp://h": false, "https://": false, "": false, "%zz": false} {
		if _, ok := HTTPURL(s); ok != want {
			t.Errorf("HTTPURL(%q) = %v", s, ok)
		}
	}
	if Logger(nil) == nil {
		t.Error("Logger(nil) = nil")
	}
}
