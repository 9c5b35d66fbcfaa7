package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/store"
)

// TestShortlistCLI: create, add by handle, URL and key (args and stdin),
// status, ls, rm; ambiguous or unknown creators change nothing.
func TestShortlistCLI(t *testing.T) {
	dir := sharedDemo(t)
	var recs []store.CreatorRecord
	out, _, _ := execCLI(t, "top", "--data-dir", dir, "--platform", "tiktok", "--limit", "3", "--json")
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) < 3 {
		t.Fatalf("top: %v", err)
	}
	out, errOut, code := execCLI(t, "shortlist", "create", "Spring launch", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, `created shortlist "Spring launch"`) {
		t.Fatalf("create: %d %s%s", code, out, errOut)
	}
	out, errOut, code = execCLI(t, "shortlist", "add", "spring launch", "@"+recs[0].Creator.Handle, "https://www.tiktok.com/@"+recs[1].Creator.Handle, "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "Spring launch: 2 creators") {
		t.Fatalf("add: %d %s%s", code, out, errOut)
	}
	// From stdin.
	cmd := newRootCmd()
	var stdout, stderr bytes.Buffer
	cmd.SetArgs([]string{"shortlist", "add", "Spring launch", "-", "--data-dir", dir})
	cmd.SetIn(strings.NewReader(recs[2].Key + "\n\n# a comment\n" + recs[0].Key + "\n"))
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	if err := cmd.ExecuteContext(context.Background()); err != nil || !strings.Contains(stdout.String(), "3 creators") {
		t.Fatalf("add from stdin: %v %s", err, stdout.String())
	}
	// An unknown creator: exit 2, nothing added.
	_, errOut, code = execCLI(t, "shortlist", "add", "Spring launch", "@nobody-at-all", "tiktok:"+recs[0].Creator.Handle, "--data-dir", dir)
	if code != exitUsage || !strings.Contains(errOut, "1 of 2 creators not added") {
		t.Errorf("unknown creator: exit %d %s", code, errOut)
	}
	out, errOut, code = execCLI(t, "shortlist", "status", "Spring launch", "@"+recs[1].Creator.Handle, "Contacted", "--notes", "DM sent", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "is contacted") {
		t.Errorf("status: %d %s%s", code, out, errOut)
	}
	_, errOut, code = execCLI(t, "shortlist", "status", "Spring launch", "@"+recs[1].Creator.Handle, "ghosted", "--data-dir", dir)
	if code != exitUsage || !strings.Contains(errOut, "want one of new, contacted, replied, signed, declined") {
		t.Errorf("bad status: %d %s", code, errOut)
	}
	// Discover's "hide creators already shortlisted / contacted", from top.
	for hide, gone := range map[string][]string{"shortlisted": {recs[0].Key, recs[1].Key, recs[2].Key}, "contacted": {recs[1].Key}} {
		out, errOut, code := execCLI(t, "top", "--platform", "tiktok", "--hide", hide, "--limit", "1000", "--json", "--data-dir", dir)
		var left []store.CreatorRecord
		if code != 0 || json.Unmarshal([]byte(out), &left) != nil {
			t.Fatalf("top --hide %s: %d %s", hide, code, errOut)
		}
		var all []store.CreatorRecord
		out, _, _ = execCLI(t, "top", "--platform", "tiktok", "--limit", "1000", "--json", "--data-dir", dir)
		_ = json.Unmarshal([]byte(out), &all)
		if len(left) != len(all)-len(gone) {
			t.Errorf("top --hide %s: %d of %d creators left, want %d", hide, len(left), len(all), len(all)-len(gone))
		}
		for _, r := range left {
			for _, g := range gone {
				if r.Key == g {
					t.Errorf("top --hide %s shows %s", hide, g)
				}
			}
		}
	}
	out, _, code = execCLI(t, "shortlist", "ls", "Spring launch", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "@"+recs[1].Creator.Handle) || !strings.Contains(out, "contacted") || !strings.Contains(out, "DM sent") || !strings.Contains(out, recs[2].Key) {
		t.Errorf("ls LIST:\n%s", out)
	}
	out, _, _ = execCLI(t, "shortlist", "ls", "--data-dir", dir)
	if !strings.Contains(out, "Spring launch") || !strings.Contains(out, "  3  ") {
		t.Errorf("ls:\n%s", out)
	}
	out, errOut, code = execCLI(t, "shortlist", "rm", "Spring launch", recs[0].Key, "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "Spring launch: 2 creators") {
		t.Errorf("rm: %d %s%s", code, out, errOut)
	}
	out, errOut, code = execCLI(t, "shortlist", "rm", "--list", "Spring launch", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "deleted shortlist") {
		t.Errorf("rm --list: %d %s%s", code, out, errOut)
	}
}

// TestCompletionAndVersion: values of platforms, tiers, sorts complete;
// --version prints the version.
func TestCompletionAndVersion(t *testing.T) {
	out, _, code := execCLI(t, "__complete", "top", "--tier", "")
	if code != 0 || !strings.Contains(out, "nano\nmicro") {
		t.Errorf("tier completion:\n%s", out)
	}
	out, _, _ = execCLI(t, "__complete", "top", "--sort", "")
	if !strings.Contains(out, "growth") {
		t.Errorf("sort completion:\n%s", out)
	}
	out, _, _ = execCLI(t, "__complete", "export", "--platform", "")
	if !strings.Contains(out, "bluesky") || !strings.Contains(out, "youtube") {
		t.Errorf("platform completion:\n%s", out)
	}
	out, _, code = execCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "nanoscout ") {
		t.Errorf("--version: %d %q", code, out)
	}
}
