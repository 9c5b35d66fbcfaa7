package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/campaign/track"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// TestMain lets a test re-run this binary as the real command (for the
// kill-and-restart test): NANOSCOUT_TEST_MAIN=1 runs main() with the args
// after "--".
func TestMain(m *testing.M) {
	if os.Getenv("NANOSCOUT_TEST_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"nanoscout"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		os.Exit(0)
	}
	code := m.Run()
	if demoPath != "" {
		_ = os.RemoveAll(filepath.Dir(demoPath))
	}
	os.Exit(code)
}

func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("nanoscout %v: %v\n%s", args, err, errOut.String())
	}
	return out.String()
}

func TestDemoThenTopJSON(t *testing.T) {
	dir := t.TempDir()
	out := runCLI(t, "demo", "--data-dir", dir, "--creators", "300", "--max-creators", "25", "--faults", "", "--log-level", "error")
	if !strings.Contains(out, "Top 20 nano creators") || !strings.Contains(out, "bluesky") {
		t.Fatalf("demo output lacks the ranked table:\n%s", out)
	}
	// Every simulated platform ends up with scored creators in the store.
	for _, platform := range []string{"bluesky", "mastodon", "youtube", "tiktok", "instagram"} {
		var recs []store.CreatorRecord
		if err := json.Unmarshal([]byte(runCLI(t, "top", "--data-dir", dir, "--platform", platform, "--json")), &recs); err != nil {
			t.Fatal(err)
		}
		if len(recs) < 10 {
			t.Errorf("%s: %d scored creators stored by the demo", platform, len(recs))
		}
	}
	js := runCLI(t, "top", "--data-dir", dir, "--platform", "bluesky", "--tier", "nano", "--json")
	var recs []store.CreatorRecord
	if err := json.Unmarshal([]byte(js), &recs); err != nil {
		t.Fatalf("top --json is not JSON: %v\n%s", err, js)
	}
	if len(recs) == 0 {
		t.Fatal("no nano bluesky creators in the store after the demo")
	}
	for i, r := range recs {
		if r.Creator.Platform != "bluesky" || r.Score == nil || r.Score.Tier != model.TierNano {
			t.Fatalf("row %d: %+v", i, r)
		}
		if len(r.Score.Breakdown) < 3 || r.Score.Breakdown[0].Reason == "" {
			t.Errorf("%s: breakdown %+v", r.Key, r.Score.Breakdown)
		}
		if i > 0 && recs[i-1].Score.Composite < r.Score.Composite {
			t.Errorf("not ranked: %v before %v", recs[i-1].Score.Composite, r.Score.Composite)
		}
		if r.Score.Rank != i+1 {
			t.Errorf("%s: rank %d at position %d", r.Key, r.Score.Rank, i+1)
		}
	}
	c := runCLI(t, "creator", "--data-dir", dir, recs[0].Key)
	if !strings.Contains(c, recs[0].Creator.Handle) || !strings.Contains(c, "COMPONENT") {
		t.Errorf("creator output:\n%s", c)
	}
	runs := runCLI(t, "runs", "--data-dir", dir)
	if !strings.Contains(runs, "succeeded") && !strings.Contains(runs, "partial") {
		t.Errorf("runs output:\n%s", runs)
	}
	// The sample campaign: its orders file imported and measured per tier,
	// with the same figures `campaign results` reads back from the store.
	if !strings.Contains(out, "Measured per tier") || !strings.Contains(out, "orders read") {
		t.Fatalf("demo output lacks the campaign:\n%s", out)
	}
	var cs []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(runCLI(t, "campaign", "ls", "--data-dir", dir, "--json")), &cs); err != nil || len(cs) != 1 {
		t.Fatalf("campaigns after the demo: %v %v", cs, err)
	}
	var rep track.Report
	if err := json.Unmarshal([]byte(runCLI(t, "campaign", "results", cs[0].ID, "--data-dir", dir, "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	var all []string
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 3 && f[0] == "all" {
			all = f
		}
	}
	if rep.Total.Sales == 0 || len(all) < 3 || all[1] != strconv.Itoa(len(rep.Creators)) || all[2] != strconv.Itoa(rep.Total.Sales) {
		t.Errorf("results %d creators, %d sales; the demo printed %v", len(rep.Creators), rep.Total.Sales, all)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "demo-orders-*.csv"))
	if len(matches) != 1 {
		t.Errorf("orders files: %v", matches)
	}
}

// TestKilledDemoResumesWithoutDuplicates kills a demo run with SIGKILL once it
// has stored some creators, runs it again, and checks that the second run
// skipped what the first had finished, completed, and left no duplicates.
func TestKilledDemoResumesWithoutDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	args := []string{"-test.run=^$", "--", "demo", "--data-dir", dir, "--creators", "400", "--max-creators", "60", "--faults", "latency=30ms", "--log-level", "error"}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NANOSCOUT_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s, err := st.Stats(context.Background())
		if err == nil && s["creators"] >= 10 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the demo stored no creators within 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	before, _ := st.Stats(context.Background())
	// What the killed run had stored, and when.
	collectedAt := map[string]time.Time{}
	stored, err := st.Top(context.Background(), store.TopQuery{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range stored {
		collectedAt[r.Key] = r.LastCollected
	}

	cmd = exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NANOSCOUT_TEST_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	runs, err := st.Runs(context.Background(), 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %d, %v", len(runs), err)
	}
	second, first := runs[0], runs[1]
	if first.Status != model.RunAbandoned {
		t.Errorf("killed run has status %q, want abandoned", first.Status)
	}
	if second.ResumedFrom != first.ID {
		t.Errorf("second run resumed from %q, want the killed run %s", second.ResumedFrom, first.ID)
	}
	skipped, collected := 0, 0
	for _, s := range second.Platforms {
		skipped += s.Skipped
		collected += s.Collected
	}
	if skipped == 0 || collected == 0 {
		t.Errorf("second run skipped %d and collected %d creators; want both > 0", skipped, collected)
	}
	// Re-fetches nothing it had stored: every creator the killed run stored
	// keeps its collection time.
	for key, at := range collectedAt {
		rec, err := st.Creator(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if !rec.LastCollected.Equal(at) {
			t.Errorf("%s was collected again after the restart (%s → %s)", key, at, rec.LastCollected)
		}
	}
	// No duplicates: every stored post belongs to a stored creator and is
	// counted once, and the per-creator post lists add up to the total.
	after, _ := st.Stats(context.Background())
	recs, err := st.Top(context.Background(), store.TopQuery{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	seen := map[string]bool{}
	for _, r := range recs {
		posts, err := st.Posts(context.Background(), r.Key, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			if seen[p.Key()] {
				t.Fatalf("post %s stored twice", p.Key())
			}
			seen[p.Key()] = true
		}
		total += len(posts)
	}
	if int64(total) != after["posts"] || after["posts"] < before["posts"] {
		t.Errorf("posts: %d in the table, %d reachable from creators (before restart %d)", after["posts"], total, before["posts"])
	}
}

func TestEvalDatasetsCommands(t *testing.T) {
	out := runCLI(t, "eval", "comments", "--cv")
	for _, want := range []string{"Psy", "KatyPerry", "LMFAO", "F1"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval comments --cv output lacks %q:\n%s", want, out)
		}
	}
	out = runCLI(t, "eval", "accounts", "--cv")
	if !strings.Contains(out, "ccuracy") {
		t.Errorf("eval accounts --cv output:\n%s", out)
	}
}

func TestEvalAccountsFlags(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "acc.csv")
	if err := os.WriteFile(p, []byte("username,bio,followers,following,posts,created_at,label\nanna.k,photos,950,400,150,2018-05-05,real\nx8812345,,3,1800,0,2024-01-01,fake\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runCLI(t, "eval", "accounts", "--hide", "bio", "--observed-at", "2024-06-01", p)
	for _, want := range []string{"BAL ACC", "Hidden (treated as unknown) in every row: bio", "fields known: followers,following,posts,username,age;"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, args := range [][]string{
		{"eval", "accounts", "--hide", "fullname", p},
		{"eval", "accounts", "--observed-at", "June", p},
	} {
		cmd := newRootCmd()
		cmd.SetArgs(args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.ExecuteContext(context.Background()); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
