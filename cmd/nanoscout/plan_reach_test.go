package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// TestPlanMaxReach: --max-reach picks, within the budget, the creators whose
// engaged audiences (distinct commenters) reach the most people, and says
// how far from the best the greedy pick can be. B's audience lies inside
// A's, so A and C (not A and B) are the best two at equal fees.
func TestPlanMaxReach(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	fans := [][2]int{{1, 10}, {1, 9}, {11, 16}, {17, 18}} // A, B, C, D: fan-from..fan-to
	var handles, keys []string
	for i, span := range fans {
		u, _ := exporttest.Creator(i * 3) // bluesky creators
		u.Comments = nil
		p := u.Posts[0]
		for f := span[0]; f <= span[1]; f++ {
			u.Comments = append(u.Comments, model.Comment{Platform: p.Platform, ID: fmt.Sprintf("%s-c%d", p.ID, f), PostID: p.ID,
				ParentID: p.ID, AuthorID: fmt.Sprintf("fan-%d", f), AuthorHandle: fmt.Sprintf("fan%d", f), Text: "love it",
				CreatedAt: p.CreatedAt, Depth: 1})
		}
		if err := st.SaveCreator(ctx, u); err != nil {
			t.Fatal(err)
		}
		handles, keys = append(handles, u.Creator.Handle), append(keys, u.Creator.Key())
	}
	l, err := st.CreateShortlist(ctx, "Reach")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddToShortlist(ctx, l.ID, keys...); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out := runCLI(t, "plan", "--data-dir", dir, "--shortlist", "Reach", "--budget", "200", "--fee", "100", "--max-reach")
	if !strings.Contains(out, "2 of 4 creators, $200, 16 distinct engaged accounts (all 4 together reach 18)") ||
		!strings.Contains(out, "1−1/e ≈ 63 %") || !strings.Contains(out, "@"+handles[0]) || !strings.Contains(out, "@"+handles[2]) ||
		strings.Contains(out, "@"+handles[1]+"\n") {
		t.Fatalf("plan --max-reach:\n%s", out)
	}
	var res struct {
		Source   string `json:"source"`
		MaxReach struct {
			Keys        []string `json:"keys"`
			UniqueReach int      `json:"uniqueReach"`
			Bound       float64  `json:"bound"`
		} `json:"maxReach"`
		Lines []struct {
			Key string `json:"key"`
		} `json:"lines"`
	}
	if err := json.Unmarshal([]byte(runCLI(t, "plan", "--data-dir", dir, "--shortlist", "Reach", "--budget", "200", "--fee", "100", "--max-reach", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.MaxReach.Keys, []string{keys[0], keys[2]}) || res.MaxReach.UniqueReach != 16 || res.MaxReach.Bound < 0.63 || len(res.Lines) != 2 {
		t.Errorf("JSON: %+v", res)
	}
	// Hypothetical creators have no audience to pick by.
	cmd := newRootCmd()
	cmd.SetArgs([]string{"plan", "--max-reach"})
	cmd.SetOut(new(strings.Builder))
	cmd.SetErr(new(strings.Builder))
	if err := cmd.ExecuteContext(ctx); err == nil || !strings.Contains(err.Error(), "--shortlist or filter flags") {
		t.Errorf("--max-reach without stored creators: %v", err)
	}
}
