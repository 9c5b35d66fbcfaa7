package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestSimulateServeRejectsBadStreamFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mastodon-public", "closed"}, "--mastodon-public"},
		{[]string{"--speed", "0"}, "--speed"},
		{[]string{"--faults", "jsdrop=2"}, "jsdrop"},
	} {
		cmd := newRootCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append([]string{"simulate", "serve", "--addr", "127.0.0.1:0", "--log-level", "error"}, c.args...))
		err := cmd.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %s", c.args, err, c.want)
		}
	}
}
