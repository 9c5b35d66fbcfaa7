package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// execCLI runs the command and returns stdout, stderr and the exit code main
// would use.
func execCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		fmt.Fprintln(&errOut, "nanoscout:", err)
	}
	return out.String(), errOut.String(), exitCode(err)
}

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadOnlyCommandsOnMissingDataDir: top, creator, runs and export on a
// data directory without a store say so, exit 5 and create nothing (#11.4;
// they used to print an empty table, exit 0 and create a database).
func TestReadOnlyCommandsOnMissingDataDir(t *testing.T) {
	for _, args := range [][]string{
		{"top"}, {"top", "--json"}, {"creator", "@someone"}, {"runs"}, {"export", "--tier", "nano"}, {"db", "stats"},
		{"plan", "--tier", "nano"}, {"export", "deliveries"},
	} {
		dir := filepath.Join(t.TempDir(), "nothing-here")
		out, errOut, code := execCLI(t, append(args, "--data-dir", dir)...)
		if code != exitNoData || !strings.Contains(errOut, "no data in "+dir) {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and \"no data in %s\"", args, code, errOut, out, exitNoData, dir)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%v created %s (%v)", args, dir, err)
		}
	}
}

// TestConfigErrorsExit2: an invalid config is exit code 2 in every command,
// not only `schedule` (#10.6).
func TestConfigErrorsExit2(t *testing.T) {
	bad := writeConfig(t, "schedule:\n  jobs:\n    nightly:\n      kind: run\n      spec: \"0 2 * *\"\nplatforms:\n  bluesky:\n    rate_per_second: .nan\n")
	for _, args := range [][]string{{"run"}, {"serve"}, {"top"}, {"schedule"}, {"config", "check"}} {
		_, errOut, code := execCLI(t, append(args, "--config", bad, "--data-dir", t.TempDir())...)
		if code != exitUsage || !strings.Contains(errOut, "schedule.jobs.nightly.spec") || !strings.Contains(errOut, "rate_per_second NaN") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// TestRunWithNothingToDo: no enabled platform, or no seeds and queries, is
// an error, not a run that "succeeds" with 0 creators (#11.4).
func TestRunWithNothingToDo(t *testing.T) {
	none := writeConfig(t, "platforms:\n  bluesky: {enabled: false}\n  mastodon: {enabled: false}\n")
	_, errOut, code := execCLI(t, "run", "--config", none, "--data-dir", t.TempDir())
	if code != exitUsage || !strings.Contains(errOut, "no platform is enabled") {
		t.Errorf("no platform: exit %d, %q", code, errOut)
	}
	_, errOut, code = execCLI(t, "run", "--data-dir", t.TempDir())
	if code != exitUsage || !strings.Contains(errOut, "nothing to collect") || !strings.Contains(errOut, "seeds") {
		t.Errorf("no seeds: exit %d, %q", code, errOut)
	}
	implicit := writeConfig(t, "platforms:\n  youtube:\n    seeds: [UCabc]\n")
	_, errOut, code = execCLI(t, "run", "--config", implicit, "--data-dir", t.TempDir())
	if code != exitUsage || !strings.Contains(errOut, `platforms.youtube (line 2): the section does not say enabled`) {
		t.Errorf("implicitly disabled: exit %d, %q", code, errOut)
	}
}

// TestRunExitCodes: a failed run exits 3 and a partial run 4, with and
// without --json (#11.4; both exited 0).
func TestRunExitCodes(t *testing.T) {
	f, _ := simulator.ParseFaults("")
	sim := simulator.New(simulator.Options{Seed: 5, Creators: 120, Faults: f})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	seeds := sim.Population().SeedHandles("mastodon", 4)
	cfg := func(base string, seeds []string) string {
		return writeConfig(t, fmt.Sprintf(`platforms:
  bluesky: {enabled: false}
  mastodon:
    enabled: true
    base_url: %s
    rate_per_second: 500
    burst: 50
    timeout: 2s
    max_retries: 0
    max_creators: 6
    seeds: [%s]
`, base, strings.Join(seeds, ", ")))
	}
	// Every request fails: nothing collected → failed.
	dead := httptest.NewServer(nil) // 404 for everything
	defer dead.Close()
	for _, json := range []bool{false, true} {
		args := []string{"run", "--config", cfg(dead.URL+"/mastodon", seeds), "--data-dir", t.TempDir(), "--log-level", "error"}
		if json {
			args = append(args, "--json")
		}
		out, errOut, code := execCLI(t, args...)
		if code != exitFailed || !strings.Contains(errOut, "failed") {
			t.Errorf("failed run (json %v): exit %d, stderr %q", json, code, errOut)
		}
		if json {
			var run model.Run
			if err := jsonUnmarshal(out, &run); err != nil || run.Status != model.RunFailed {
				t.Errorf("--json output: %v %q", err, out)
			}
		}
	}
	// Some seeds do not exist: partial.
	mixed := append([]string{"nobody-here-1", "nobody-here-2"}, seeds...)
	out, errOut, code := execCLI(t, "run", "--config", cfg(srv.URL+"/mastodon", mixed), "--data-dir", t.TempDir(), "--log-level", "error")
	if code != exitPartial || !strings.Contains(errOut, "partial") || !strings.Contains(out, "mastodon") {
		t.Errorf("partial run: exit %d, stderr %q\n%s", code, errOut, out)
	}
	// All good: 0.
	out, errOut, code = execCLI(t, "run", "--config", cfg(srv.URL+"/mastodon", seeds), "--data-dir", t.TempDir(), "--log-level", "error")
	if code != exitOK {
		t.Errorf("good run: exit %d, stderr %q\n%s", code, errOut, out)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestEmptyListsAreJSONArrays: an existing but empty store lists [] (not
// null) for runs and deliveries, as top does.
func TestEmptyListsAreJSONArrays(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{{"runs", "--json"}, {"export", "deliveries", "--json"}, {"top", "--json"}, {"shortlist", "ls", "--json"}} {
		out, errOut, code := execCLI(t, append(args, "--data-dir", dir)...)
		if code != 0 || strings.TrimSpace(out) != "[]" {
			t.Errorf("%v: exit %d, %q %s", args, code, out, errOut)
		}
	}
}

// TestRunErrorsNameHandles: a run error recorded with a native id shows the
// creator's handle when the store knows it (#11.3).
func TestRunErrorsNameHandles(t *testing.T) {
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := model.Creator{Platform: "youtube", ID: "UCabc", Handle: "jackframes"}
	if err := st.UpsertCreators(t.Context(), []model.Creator{c}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for creator, want := range map[string]string{"UCabc": "@jackframes (UCabc)", "jackframes": "@jackframes", "UCnobody": "UCnobody", "": ""} {
		if got := errorCreator(t.Context(), st, model.RunError{Platform: "youtube", Creator: creator}); got != want {
			t.Errorf("%q → %q, want %q", creator, got, want)
		}
	}
}
