package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

var (
	demoOnce sync.Once
	demoPath string
	demoErr  string
)

// sharedDemo is one demo store for the read-only CLI tests.
func sharedDemo(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nanoscout-cli-demo-")
		if err != nil {
			demoErr = err.Error()
			return
		}
		demoPath = filepath.Join(dir, "data")
		// Without the sample campaign: its shortlist would change what
		// "hide shortlisted" leaves (TestDemoThenTopJSON covers it).
		_, errOut, code := execCLI(t, "demo", "--data-dir", demoPath, "--creators", "300", "--max-creators", "25", "--faults", "", "--log-level", "error", "--campaign=false")
		if code != 0 {
			demoErr = errOut
		}
	})
	if demoErr != "" {
		t.Fatalf("demo: %s", demoErr)
	}
	return demoPath
}

// TestTopRejectsUnknownValues: unknown tiers, platforms and sorts are usage
// errors listing the valid values, not an empty table (#11.4).
func TestTopRejectsUnknownValues(t *testing.T) {
	dir := sharedDemo(t)
	for args, want := range map[string]string{
		"--tier nanno":      `invalid argument "nanno" for "--tier" flag: "nanno" is not one of nano, micro, mid, macro, mega, below`,
		"--platform blusky": `"blusky" is not one of bluesky, instagram, mastodon, tiktok, youtube`,
		"--sort engagement": `"engagement" is not one of composite, er, reply, growth, followers, authenticity`,
		"--min-auth 2":      "want a number from 0 to 1",
	} {
		_, errOut, code := execCLI(t, append([]string{"top", "--data-dir", dir}, strings.Fields(args)...)...)
		if code != exitUsage || !strings.Contains(errOut, want) {
			t.Errorf("top %s: exit %d, stderr %q; want exit 2 and %q", args, code, errOut, want)
		}
	}
	// Case-insensitive where harmless.
	out, errOut, code := execCLI(t, "top", "--data-dir", dir, "--platform", "Bluesky", "--tier", "NANO", "--json")
	var recs []store.CreatorRecord
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) == 0 || recs[0].Creator.Platform != "bluesky" {
		t.Errorf("--platform Bluesky --tier NANO: exit %d %s, %d rows", code, errOut, len(recs))
	}
}

// TestTopEmptyJSONIsArray: no match prints [] (it printed null).
func TestTopEmptyJSONIsArray(t *testing.T) {
	dir := sharedDemo(t)
	out, errOut, code := execCLI(t, "top", "--data-dir", dir, "--keyword", "zzzznothingmatcheszzzz", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestTopHasDiscoverFilters: top takes every Discover filter and sort
// (keyword, contact, authenticity, reply, language, growth), shows handle
// and key, and the total number of matches.
func TestTopHasDiscoverFilters(t *testing.T) {
	dir := sharedDemo(t)
	var all []store.CreatorRecord
	out, _, _ := execCLI(t, "top", "--data-dir", dir, "--limit", "1000", "--json")
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) < 20 {
		t.Fatalf("all: %v (%d)", err, len(all))
	}
	out, errOut, code := execCLI(t, "top", "--data-dir", dir, "--limit", "3")
	if code != 0 || !strings.Contains(out, "KEY") || !strings.Contains(out, "@"+all[0].Creator.Handle) || !strings.Contains(out, all[0].Key) {
		t.Errorf("table lacks handle and key:\n%s%s", out, errOut)
	}
	if want := "1–3 of " + thousands(int64(len(all))) + " creators (all scored creators)"; !strings.Contains(out, want) {
		t.Errorf("table lacks the total %q:\n%s", want, out)
	}
	// The same filters as the store query gives.
	out, errOut, code = execCLI(t, "top", "--data-dir", dir, "--min-auth", "0.5", "--min-reply", "0.1", "--lang", "en", "--contact", "--limit", "1000", "--json")
	var got []store.CreatorRecord
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("filters: exit %d %s", code, errOut)
	}
	for _, r := range got {
		if r.Score.Authenticity < 0.5 || r.Creator.Language != "en" || !store.HasPublicContact(r.Creator) {
			t.Errorf("%s does not match the filters: auth %v lang %q", r.Key, r.Score.Authenticity, r.Creator.Language)
		}
	}
	word := strings.Fields(strings.ToLower(all[0].Creator.DisplayName + " " + all[0].Creator.Handle))[0]
	out, _, code = execCLI(t, "top", "--data-dir", dir, "-q", word, "--json")
	if code != 0 || !strings.Contains(out, all[0].Key) {
		t.Errorf("--keyword %q does not find %s", word, all[0].Key)
	}
}

// TestDemoHasHistory: the demo writes weeks of history, so growth sorting,
// the growth figures and the follower-spike and ER-jump signals work end to
// end (#11.6; every growth cell was empty).
func TestDemoHasHistory(t *testing.T) {
	dir := sharedDemo(t)
	out, errOut, code := execCLI(t, "top", "--data-dir", dir, "--sort", "growth", "--min-growth", "0.5", "--limit", "10", "--json")
	var recs []store.CreatorRecord
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) < 5 {
		t.Fatalf("top --sort growth --min-growth 0.5: exit %d %s, %d rows", code, errOut, len(recs))
	}
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.Key
	}
	growth, err := st.Growth(t.Context(), keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		g, ok := growth[k]
		if !ok || g < 0.5 {
			t.Errorf("%s: growth %v (%v), want ≥ 0.5 %%", k, g, ok)
		}
		if i > 0 && g > growth[keys[i-1]] {
			t.Errorf("not sorted by growth at %d", i)
		}
	}
	snaps, err := st.Snapshots(t.Context(), keys[0], "")
	if err != nil || len(snaps) < 30 {
		t.Errorf("%s has %d daily snapshots, want 30 or more (%v)", keys[0], len(snaps), err)
	}
	// The history signals fire, on the archetypes that cause them.
	all, err := st.Top(t.Context(), store.TopQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]int{}
	for _, r := range all {
		for _, f := range r.Score.Flags {
			flagged[f]++
		}
	}
	if flagged[scoring.FlagFollowerSpike] == 0 || flagged[scoring.FlagERJump] == 0 {
		t.Errorf("history flags after the demo: %v; want follower_spike and er_jump", flagged)
	}
}
