package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/mastodon"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/config"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/pipeline"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// instance is an httptest Mastodon instance with three accounts. The
// account "bob" can be switched into a failure mode.
type instance struct {
	mu       sync.Mutex
	bobMode  string // "", malformed, html, 500, timeout, 429, gone
	requests int
}

var accounts = map[string]struct {
	id        string
	followers int
}{
	"alice": {"1001", 4200},
	"bob":   {"1002", 5100},
	"carol": {"1003", 7300},
	"fan1":  {"2001", 150}, // commenters, not creators
	"fan2":  {"2002", 90},
}

func (in *instance) setMode(m string) {
	in.mu.Lock()
	in.bobMode = m
	in.mu.Unlock()
}

func (in *instance) mode() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.requests++
	return in.bobMode
}

func accountJSON(acct string) map[string]any {
	a := accounts[acct]
	return map[string]any{
		"id": a.id, "username": acct, "acct": acct, "display_name": strings.ToUpper(acct[:1]) + acct[1:],
		"locked": false, "bot": false, "discoverable": true, "indexable": true, "noindex": false, "group": false,
		"created_at": "2023-01-01T00:00:00.000Z", "note": "<p>baker</p>", "url": "https://example.social/@" + acct,
		"uri": "https://example.social/users/" + acct, "avatar": "", "avatar_static": "", "header": "", "header_static": "",
		"followers_count": a.followers, "following_count": 120, "statuses_count": 40, "last_status_at": "2026-11-20",
		"emojis": []any{}, "fields": []any{},
	}
}

func statusJSON(acct, id, inReplyTo string, created time.Time, favs, replies, reblogs int, text string) map[string]any {
	var irt any
	if inReplyTo != "" {
		irt = inReplyTo
	}
	return map[string]any{
		"id": id, "created_at": created.UTC().Format("2006-01-02T15:04:05.000Z"), "in_reply_to_id": irt,
		"in_reply_to_account_id": nil, "sensitive": false, "spoiler_text": "", "visibility": "public", "language": "en",
		"uri": "https://example.social/statuses/" + id, "url": "https://example.social/@" + acct + "/" + id,
		"replies_count": replies, "reblogs_count": reblogs, "favourites_count": favs, "edited_at": nil,
		"content": "<p>" + text + "</p>", "reblog": nil, "account": accountJSON(acct), "media_attachments": []any{},
		"mentions": []any{}, "tags": []any{}, "emojis": []any{}, "card": nil, "poll": nil,
	}
}

func (in *instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode := in.mode()
	now := time.Now()
	write := func(v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(v)
	}
	path := r.URL.Path
	bob := strings.Contains(path, "/1002") || r.URL.Query().Get("acct") == "bob"
	if bob && mode != "" {
		switch {
		case mode == "gone" && strings.HasSuffix(path, "/accounts/lookup"):
			w.WriteHeader(http.StatusNotFound)
			write(map[string]string{"error": "Record not found"})
			return
		case mode == "drift-profile" && strings.HasSuffix(path, "/accounts/lookup"):
			a := accountJSON("bob")
			a["followersCount"] = a["followers_count"] // renamed, as the simulator's drift fault does
			delete(a, "followers_count")
			write(a)
			return
		case mode == "drift-posts" && strings.HasPrefix(path, "/api/v1/accounts/") && strings.HasSuffix(path, "/statuses"):
			var out []any
			for j := range 25 {
				st := statusJSON("bob", fmt.Sprintf("1002%03d", j), "", now.Add(-time.Duration(j+2)*24*time.Hour), 100+j, 4, 10, "bread")
				st["favorites_count"] = st["favourites_count"]
				delete(st, "favourites_count")
				out = append(out, st)
			}
			write(out)
			return
		case mode == "malformed" && strings.Contains(path, "/statuses"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"id": "1", "created_at": `)
			return
		case mode == "html" && strings.Contains(path, "/statuses"):
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!DOCTYPE html><html><body>Please log in</body></html>")
			return
		case mode == "500" && strings.Contains(path, "/statuses"):
			w.WriteHeader(http.StatusInternalServerError)
			write(map[string]string{"error": "internal"})
			return
		case mode == "timeout" && strings.Contains(path, "/statuses"):
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		case mode == "429" && strings.Contains(path, "/statuses"):
			w.Header().Set("X-RateLimit-Limit", "300")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", now.Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"))
			w.WriteHeader(http.StatusTooManyRequests)
			write(map[string]string{"error": "Too many requests"})
			return
		}
	}
	switch {
	case strings.HasSuffix(path, "/api/v1/accounts/lookup"):
		acct := r.URL.Query().Get("acct")
		if _, ok := accounts[acct]; !ok {
			w.WriteHeader(http.StatusNotFound)
			write(map[string]string{"error": "Record not found"})
			return
		}
		write(accountJSON(acct))
	case strings.HasSuffix(path, "/statuses") && strings.HasPrefix(path, "/api/v1/accounts/"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/accounts/"), "/statuses")
		acct := acctByID(id)
		var out []any
		for j := range 25 {
			sid := fmt.Sprintf("%s%03d", id, j)
			out = append(out, statusJSON(acct, sid, "", now.Add(-time.Duration(j+2)*24*time.Hour), 100+j, 4, 10, "bread #baking"))
		}
		write(out)
	case strings.HasPrefix(path, "/api/v1/statuses/") && strings.HasSuffix(path, "/context"):
		sid := strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/statuses/"), "/context")
		acct := acctByID(sid[:4])
		created := now.Add(-48 * time.Hour)
		write(map[string]any{"ancestors": []any{}, "descendants": []any{
			statusJSON("fan1", sid+"1", sid, created.Add(time.Hour), 1, 1, 0, "which flour do you use?"),
			statusJSON(acct, sid+"2", sid+"1", created.Add(3*time.Hour), 1, 0, 0, "rye from the local mill!"),
			statusJSON("fan2", sid+"3", sid, created.Add(2*time.Hour), 0, 0, 0, "looks great, recipe please"),
		}})
	case strings.HasSuffix(path, "/following"):
		write([]any{})
	case strings.HasSuffix(path, "/followers"):
		write([]any{accountJSON("fan1"), accountJSON("fan2")})
	default:
		w.WriteHeader(http.StatusNotFound)
		write(map[string]string{"error": "Record not found"})
	}
}

func acctByID(id string) string {
	for acct, a := range accounts {
		if a.id == id {
			return acct
		}
	}
	return "alice"
}

func testConfig(baseURL, dataDir string) config.Config {
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.RefreshAfter = 0
	cfg.Concurrency = 2
	cfg.CreatorTimeout = 10 * time.Second
	cfg.Platforms = map[string]collectors.PlatformConfig{
		"mastodon": {
			Enabled: true, BaseURL: baseURL, RatePerSecond: 1000, Burst: 100,
			Timeout: 300 * time.Millisecond, MaxRetries: 1, MaxRetryWait: time.Second,
			Seeds: []string{"alice", "bob", "carol"}, MaxCreators: 10, Posts: 12, ThreadPosts: 2,
		},
	}
	return cfg
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestRunCollectsScoresAndRanks(t *testing.T) {
	in := &instance{}
	srv := httptest.NewServer(in)
	defer srv.Close()
	st := openStore(t)
	var hooked model.Run
	p, err := pipeline.New(testConfig(srv.URL, t.TempDir()), st, pipeline.WithAfterRun(func(ctx context.Context, r model.Run) error {
		hooked = r
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if hooked.ID != run.ID || hooked.Status != run.Status {
		t.Errorf("after-run hook saw %q/%q, want the final run %q/%q", hooked.ID, hooked.Status, run.ID, run.Status)
	}
	if run.Status != model.RunSucceeded {
		t.Fatalf("status %s, errors %+v", run.Status, run.Errors)
	}
	ps := run.Platforms["mastodon"]
	if ps == nil || ps.Collected != 3 || ps.Requests == 0 {
		t.Fatalf("platform stats %+v", ps)
	}
	top, err := st.Top(context.Background(), store.TopQuery{Platform: "mastodon", Tier: model.TierNano})
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 3 {
		t.Fatalf("top: %d creators, want 3", len(top))
	}
	for i, r := range top {
		if r.Score.Rank != i+1 {
			t.Errorf("%s rank %d, want %d", r.Key, r.Score.Rank, i+1)
		}
		if r.Score.ReplyDepth.AnsweredCommenters == 0 {
			t.Errorf("%s: creator answers were not recognised: %+v", r.Key, r.Score.ReplyDepth)
		}
		if len(r.Score.Breakdown) == 0 {
			t.Errorf("%s: empty breakdown", r.Key)
		}
	}
	stored, err := st.Run(context.Background(), run.ID)
	if err != nil || stored.Status != model.RunSucceeded {
		t.Fatalf("stored run %+v, %v", stored.Status, err)
	}
	// A second run stores the same documents again: no duplicates.
	before, _ := st.Stats(context.Background())
	if _, err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Stats(context.Background())
	for _, coll := range []string{"creators", "posts", "comments", "snapshots"} {
		if before[coll] != after[coll] || after[coll] == 0 {
			t.Errorf("%s: %d documents before, %d after a rerun", coll, before[coll], after[coll])
		}
	}
}

// TestBadInputKeepsStoredMetrics: every kind of bad response for one creator
// is recorded on the run with the creator and a reason, the other creators are
// collected, and the failing creator's stored metrics stay as they were.
func TestBadInputKeepsStoredMetrics(t *testing.T) {
	cases := []struct {
		mode, stage, reason, status string
	}{
		{"malformed", "posts", "malformed", model.StatusStale},
		{"html", "posts", "malformed", model.StatusStale},
		{"500", "posts", "HTTP 500", model.StatusStale},
		{"timeout", "posts", "deadline exceeded", model.StatusStale},
		{"429", "posts", "rate limited", model.StatusStale},
		{"gone", "profile", "not found", model.StatusGone},
		// Issue #10: a renamed count was stored as 0 followers, status ok.
		{"drift-profile", "profile", "followers_count is missing (\"followersCount\" is there instead", model.StatusStale},
		{"drift-posts", "posts", "favourites_count is missing", model.StatusStale},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			in := &instance{}
			srv := httptest.NewServer(in)
			defer srv.Close()
			st := openStore(t)
			p, err := pipeline.New(testConfig(srv.URL, t.TempDir()), st)
			if err != nil {
				t.Fatal(err)
			}
			if run, err := p.Run(context.Background()); err != nil || run.Status != model.RunSucceeded {
				t.Fatalf("first run: %v %+v", err, run.Errors)
			}
			good, err := st.Creator(context.Background(), "mastodon:1002")
			if err != nil {
				t.Fatal(err)
			}
			goodPosts, _ := st.Posts(context.Background(), "mastodon:1002", 0)

			in.setMode(tc.mode)
			run, err := p.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if run.Status != model.RunPartial {
				t.Errorf("status %s, want partial", run.Status)
			}
			var found bool
			for _, e := range run.Errors {
				if (e.Creator == "mastodon:1002" || e.Creator == "bob") && e.Stage == tc.stage && strings.Contains(strings.ToLower(e.Reason), strings.ToLower(tc.reason)) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s error for bob mentioning %q in %+v", tc.stage, tc.reason, run.Errors)
			}
			if got := run.Platforms["mastodon"].Collected; got != 2 {
				t.Errorf("collected %d, want the 2 healthy creators", got)
			}
			after, err := st.Creator(context.Background(), "mastodon:1002")
			if err != nil {
				t.Fatal(err)
			}
			if after.Status != tc.status {
				t.Errorf("status %q, want %q", after.Status, tc.status)
			}
			if after.Creator.Followers != good.Creator.Followers || after.Score == nil || after.Score.ER != good.Score.ER || after.Score.Composite != good.Score.Composite {
				t.Errorf("stored metrics changed: before %d/%v, after %d/%v", good.Creator.Followers, good.Score, after.Creator.Followers, after.Score)
			}
			afterPosts, _ := st.Posts(context.Background(), "mastodon:1002", 0)
			if len(afterPosts) != len(goodPosts) || len(goodPosts) == 0 {
				t.Errorf("posts %d before, %d after", len(goodPosts), len(afterPosts))
			}
			for i := range afterPosts {
				if model.Val(afterPosts[i].Likes) != model.Val(goodPosts[i].Likes) {
					t.Errorf("post %s likes changed", afterPosts[i].ID)
				}
			}
		})
	}
}
