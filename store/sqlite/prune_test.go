package sqlite

import (
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestPrune(t *testing.T) {
	storetest.RunPrune(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestPruneBatches deletes more rows than one batch holds.
func TestPruneBatches(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	old := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	n := pruneBatch*2 + 17
	c := model.Creator{Platform: "bluesky", ID: "c", Handle: "c"}
	u := store.CreatorUpdate{Creator: c, At: old}
	for i := range n {
		u.Comments = append(u.Comments, model.Comment{Platform: "bluesky", ID: fmt.Sprint(i), PostID: "p", ParentID: "p", Text: "hi", CreatedAt: old})
	}
	u.Comments = append(u.Comments, model.Comment{Platform: "bluesky", ID: "new", PostID: "p", ParentID: "p", Text: "hi", CreatedAt: old.AddDate(1, 0, 0)})
	if err := s.SaveCreator(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := s.Prune(ctx, store.Retention{CommentsBefore: old.AddDate(0, 6, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if got["comments"] != int64(n) {
		t.Errorf("pruned %d comments, want %d", got["comments"], n)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st["comments"] != 1 {
		t.Errorf("%d comments left, want 1", st["comments"])
	}
}
