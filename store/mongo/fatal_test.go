package mongo

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// TestGoneIsFatal: once the database cannot be reached (here: the client is
// disconnected), writes and reads fail with a FatalError of kind
// "database gone"; a missing document is not fatal.
func TestGoneIsFatal(t *testing.T) {
	ctx := t.Context()
	s := openDB(t, ferretURI)
	if _, err := s.Run(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Run of a missing id: %v", err)
	} else if _, ok := store.AsFatal(err); ok {
		t.Errorf("not found is fatal: %v", err)
	}
	other, err := Open(ctx, ferretURI, s.name)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	c := model.Creator{Platform: "mastodon", ID: "1", Handle: "u1", Followers: 3000}
	for what, err := range map[string]error{
		"SaveCreator": other.SaveCreator(ctx, store.CreatorUpdate{Creator: c, At: time.Now()}),
		"SaveRun":     other.SaveRun(ctx, model.Run{ID: "r", Status: model.RunRunning}),
		"Posts":       func() error { _, err := other.Posts(ctx, "mastodon:1", 0); return err }(),
		"ClaimFire":   func() error { _, err := other.ClaimFire(ctx, "j", time.Now(), "a"); return err }(),
	} {
		f, ok := store.AsFatal(err)
		if !ok || f.Kind != store.FatalGone || !strings.Contains(err.Error(), "database gone") {
			t.Errorf("%s on a disconnected client: err = %v, want a fatal database-gone error", what, err)
		}
	}
}
