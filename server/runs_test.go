package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// TestRunsPageNamesCreatorsByHandle: a run error records the native id the
// collector had; the runs page shows the creator's handle.
func TestRunsPageNamesCreatorsByHandle(t *testing.T) {
	e := newEnv(t, 3)
	recs, err := e.st.Top(t.Context(), store.TopQuery{Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatalf("seeded creators: %v %v", recs, err)
	}
	c := recs[0].Creator
	run := model.Run{ID: "r1", Job: "run", Status: model.RunPartial, StartedAt: time.Now().UTC(),
		Errors: []model.RunError{{Platform: c.Platform, Creator: c.ID, Stage: "profile", Reason: "boom"}}}
	if err := e.st.SaveRun(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	code, body := e.status(http.MethodGet, "/runs", nil)
	if code != http.StatusOK || !strings.Contains(body, "@"+c.Handle+" ("+c.ID+")") {
		t.Errorf("runs page (%d) does not name @%s:\n%s", code, c.Handle, body)
	}
}
