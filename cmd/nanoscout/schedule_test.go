package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/simulator"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// secretValue is put in the daemon's environment as a credential; it must
// never appear in its output.
const secretValue = "s3cr3t-app-password-never-logged"

// budget lets the first n requests through and holds the rest until the
// client gives up, so a run cannot finish before the test is done with it.
type budget struct {
	h http.Handler
	n atomic.Int64
}

func (b *budget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if b.n.Add(-1) < 0 {
		<-r.Context().Done()
		return
	}
	b.h.ServeHTTP(w, r)
}

// daemonConfig writes a config for `nanoscout schedule` against a simulator
// with 30 ms latency per request that answers at most requests requests
// (0 = all): a run job "crawl" on both platforms on spec, and a prune job
// that does not fire; leases last 2 s.
func daemonConfig(t *testing.T, dir, spec string, maxCreators int, requests int64) string {
	t.Helper()
	f, err := simulator.ParseFaults("latency=30ms")
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(simulator.Options{Seed: 5, Creators: 400, Faults: f})
	var h http.Handler = sim.Handler()
	if requests > 0 {
		b := &budget{h: h}
		b.n.Store(requests)
		h = b
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	pop := sim.Population()
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: %q\nconcurrency: 4\nrefresh_after: 6h\n", dir)
	b.WriteString(`schedule:
  metrics_addr: 127.0.0.1:0
  lease_ttl: 2s
  shutdown_timeout: 8s
  jobs:
    crawl:
      kind: run
      spec: "` + spec + `"
    prune:
      kind: prune
      spec: "0 0 1 1 *"
platforms:
`)
	for _, name := range []string{"mastodon", "bluesky"} { // bluesky last: its credentials follow
		fmt.Fprintf(&b, `  %s:
    enabled: true
    base_url: %s/%s
    rate_per_second: 300
    burst: 20
    timeout: 10s
    max_retries: 2
    max_retry_wait: 5s
    max_creators: %d
    seeds: [%s]
`, name, srv.URL, name, maxCreators, strings.Join(pop.SeedHandles(name, 6), ", "))
	}
	// A logged-in Bluesky session: the daemon reads the password from the
	// environment and must never log it.
	b.WriteString(`    credentials:
      identifier: NANOSCOUT_TEST_ID
      app_password: NANOSCOUT_TEST_SECRET
`)
	path := filepath.Join(t.TempDir(), "nanoscout.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// daemonProc is `nanoscout schedule` running as a subprocess.
type daemonProc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	addr   chan string // the metrics address, once printed
	exited chan error
}

func startDaemon(t *testing.T, args ...string) *daemonProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--", "schedule", "--log-format", "json", "--log-level", "debug"}, args...)...)
	cmd.Env = append(os.Environ(), "NANOSCOUT_TEST_MAIN=1", "NANOSCOUT_TEST_ID=scout.bsky.social", "NANOSCOUT_TEST_SECRET="+secretValue)
	d := &daemonProc{cmd: cmd, addr: make(chan string, 1), exited: make(chan error, 1)}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &lockedWriter{mu: &d.mu, w: &d.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			d.mu.Lock()
			d.stdout.WriteString(line + "\n")
			d.mu.Unlock()
			if rest, ok := strings.CutPrefix(line, "metrics: http://"); ok {
				host, _, _ := strings.Cut(rest, "/")
				d.addr <- host
			}
		}
		d.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() || os.Getenv("NANOSCOUT_TEST_SHOW_LOGS") != "" {
			t.Logf("stdout:\n%s\nstderr (tail):\n%s", d.out(), tail(d.errOut(), 40))
		}
	})
	return d
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (d *daemonProc) out() string    { d.mu.Lock(); defer d.mu.Unlock(); return d.stdout.String() }
func (d *daemonProc) errOut() string { d.mu.Lock(); defer d.mu.Unlock(); return d.stderr.String() }

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// stop sends sig and returns how long the daemon took to exit, and how.
func (d *daemonProc) stop(t *testing.T, sig syscall.Signal) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	if err := d.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		return time.Since(start), err
	case <-time.After(20 * time.Second):
		t.Fatalf("the daemon did not exit within 20 s of %v", sig)
		return 0, nil
	}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func crawlRuns(t *testing.T, st store.Store) []model.Run {
	t.Helper()
	all, err := st.Runs(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Run
	for _, r := range all {
		if r.Job == "crawl" {
			out = append(out, r)
		}
	}
	return out
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkNothingHalfWritten: every scored creator has its posts stored.
func checkNothingHalfWritten(t *testing.T, st store.Store) {
	t.Helper()
	recs, err := st.Top(context.Background(), store.TopQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		posts, err := st.Posts(context.Background(), r.Key, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) == 0 && r.Score.PostsUsed > 0 {
			t.Errorf("%s has a score over %d posts but no stored posts", r.Key, r.Score.PostsUsed)
		}
	}
}

// TestScheduleSIGTERM starts `nanoscout schedule` with a job on a cron spec
// that fires every second, checks its metrics and health endpoints mid-run,
// sends SIGTERM and checks that it exits within 10 s, that the run is
// recorded as partial (not left running), that no creator is half written
// and that the lease is released.
func TestScheduleSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	// The simulator answers 250 requests, about 15 creators' worth: the run
	// is still going when SIGTERM comes, however fast the machine.
	cfgPath := daemonConfig(t, dir, "* * * * * *", 60, 250)
	d := startDaemon(t, "--config", cfgPath)
	var addr string
	select {
	case addr = <-d.addr:
	case <-time.After(20 * time.Second):
		t.Fatal("the daemon printed no metrics address")
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	waitFor(t, 20*time.Second, "10 creators stored", func() bool {
		s, err := st.Stats(context.Background())
		return err == nil && s["creators"] >= 10
	})

	if code, body := httpGet(t, "http://"+addr+"/metrics"); code != http.StatusOK ||
		!strings.Contains(body, `nanoscout_job_running{job="crawl"} 1`) ||
		!strings.Contains(body, `nanoscout_requests_total{code="200",platform="mastodon"}`) ||
		!strings.Contains(body, `nanoscout_creators_total{outcome="collected"`) {
		t.Errorf("/metrics mid-run: %d\n%s", code, grepLines(body, "nanoscout_"))
	}
	if code, _ := httpGet(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := httpGet(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz: %d %s", code, body)
	}
	// The spec fires every second while the run goes on: later fires are
	// skipped, and the skip is logged.
	waitFor(t, 10*time.Second, "a fire skipped as still running", func() bool {
		return strings.Contains(d.errOut(), "job skipped: still running in this daemon")
	})

	took, err := d.stop(t, syscall.SIGTERM)
	if err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if took > 10*time.Second {
		t.Errorf("exited %v after SIGTERM, want within 10 s", took)
	}
	runs := crawlRuns(t, st)
	if len(runs) != 1 {
		t.Fatalf("%d crawl runs, want 1", len(runs))
	}
	if runs[0].Status != model.RunPartial {
		t.Errorf("interrupted run is %q, want partial", runs[0].Status)
	}
	if runs[0].FinishedAt.IsZero() {
		t.Error("interrupted run has no finish time")
	}
	checkNothingHalfWritten(t, st)
	leases, err := st.Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases {
		if l.Held(time.Now()) {
			t.Errorf("lease %s still held after shutdown: %+v", l.Job, l)
		}
	}
	checkLogs(t, d.errOut(), runs[0].ID)
}

// checkLogs: JSON lines; pipeline lines carry job, run and platform; the
// skip, shutdown and run lines are there; the secret is nowhere.
func checkLogs(t *testing.T, logs, runID string) {
	t.Helper()
	if strings.Contains(logs, secretValue) {
		t.Error("a secret appears in the daemon's log")
	}
	withAll := 0
	msgs := map[string]bool{}
	for line := range strings.Lines(logs) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		msgs[fmt.Sprint(rec["msg"])] = true
		if rec["run"] == runID && rec["platform"] != nil && rec["job"] == "crawl" {
			withAll++
		}
	}
	if withAll == 0 {
		t.Error("no log line carries job, run and platform")
	}
	for _, m := range []string{"daemon started", "job started", "shutting down: no new jobs; stopping running ones", "job finished", "daemon stopped"} {
		if !msgs[m] {
			t.Errorf("no %q log line", m)
		}
	}
}

func grepLines(s, substr string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, substr) && !strings.HasPrefix(line, "#") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, "\n")
}

// TestScheduleKilledDaemonResumes SIGKILLs a daemon mid-run and starts
// another on the same data directory: at start it finds the unfinished run,
// waits for the dead daemon's lease to lapse, marks the run abandoned and
// resumes it, skipping the creators stored before the kill, without
// duplicates.
func TestScheduleKilledDaemonResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	// The job's spec does not fire during the test: the first daemon runs it
	// with --now, the second only by resuming it.
	cfgPath := daemonConfig(t, dir, "0 0 1 1 *", 40, 0)
	a := startDaemon(t, "--config", cfgPath, "--now", "crawl")
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	waitFor(t, 20*time.Second, "10 creators stored", func() bool {
		s, err := st.Stats(context.Background())
		return err == nil && s["creators"] >= 10
	})
	if _, err := a.stop(t, syscall.SIGKILL); err == nil {
		t.Fatal("the daemon exited cleanly after SIGKILL")
	}
	runs := crawlRuns(t, st)
	if len(runs) != 1 || runs[0].Status != model.RunRunning {
		t.Fatalf("after SIGKILL: %d runs (%+v), want one left running", len(runs), runs)
	}
	killed := runs[0]
	before, _ := st.Stats(context.Background())

	b := startDaemon(t, "--config", cfgPath)
	var resumed model.Run
	waitFor(t, 25*time.Second, "the killed run resumed and finished", func() bool {
		for _, r := range crawlRuns(t, st) {
			if r.ResumedFrom == killed.ID && r.Status != model.RunRunning {
				resumed = r
				return true
			}
		}
		return false
	})
	if took, err := b.stop(t, syscall.SIGTERM); err != nil || took > 10*time.Second {
		t.Errorf("second daemon: exit %v after %v", err, took)
	}
	old, err := st.Run(context.Background(), killed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if old.Status != model.RunAbandoned || old.ResumedBy != resumed.ID {
		t.Errorf("killed run: status %q, resumed by %q; want abandoned, resumed by %s", old.Status, old.ResumedBy, resumed.ID)
	}
	if resumed.Status != model.RunSucceeded && resumed.Status != model.RunPartial {
		t.Errorf("resumed run: %s %+v", resumed.Status, resumed.Errors)
	}
	skipped := 0
	for _, s := range resumed.Platforms {
		skipped += s.Skipped
	}
	if int64(skipped) < before["creators"]/2 {
		b, _ := json.MarshalIndent(resumed, "", " ")
		t.Errorf("resumed run skipped %d creators; the killed one had stored %d:\n%s", skipped, before["creators"], b)
	}
	if !strings.Contains(b.errOut(), "found unfinished runs at start") || !strings.Contains(b.errOut(), "marked unfinished runs abandoned") {
		t.Error("the second daemon logged no recovery")
	}
	checkNothingHalfWritten(t, st)
	// No duplicates: every stored post is reachable from exactly one creator.
	after, _ := st.Stats(context.Background())
	recs, err := st.Top(context.Background(), store.TopQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
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
	}
	if int64(len(seen)) != after["posts"] {
		t.Errorf("%d posts stored, %d reachable from scored creators", after["posts"], len(seen))
	}
}
