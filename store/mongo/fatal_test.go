package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

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

// TestFatalClassification: which driver errors stop a run. A timeout on a
// live connection (a slow server, as FerretDB under load) is not fatal; a
// refused or reset connection, no server to select and out of disk are.
func TestFatalClassification(t *testing.T) {
	netErr := func(wrapped error) error {
		return mongo.CommandError{Labels: []string{"NetworkError"}, Wrapped: wrapped, Message: wrapped.Error()}
	}
	for _, tc := range []struct {
		name string
		err  error
		kind string // "" = not fatal
	}{
		{"refused", netErr(errors.New("dial tcp 127.0.0.1:27017: connect: connection refused")), store.FatalGone},
		{"timeout", netErr(context.DeadlineExceeded), ""},
		{"disconnected", fmt.Errorf("saving: %w", mongo.ErrClientDisconnected), store.FatalGone},
		{"selection", errors.New("server selection error: server selection timeout"), store.FatalGone},
		{"disk", mongo.CommandError{Code: 14031, Message: "OutOfDiskSpace"}, store.FatalDiskFull},
		{"duplicate", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000}}}, ""},
		{"cancelled", context.Canceled, ""},
	} {
		f, ok := store.AsFatal(fatal(tc.err))
		switch {
		case tc.kind == "" && ok:
			t.Errorf("%s: fatal %s, want not fatal", tc.name, f.Kind)
		case tc.kind != "" && (!ok || f.Kind != tc.kind):
			t.Errorf("%s: %v, want fatal %s", tc.name, fatal(tc.err), tc.kind)
		}
	}
}
