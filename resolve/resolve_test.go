package resolve_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	_ "github.com/nanoscout/nanoscout/collectors/all"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/resolve"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

func TestCreator(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := []model.Creator{
		{Platform: "bluesky", ID: "did:plc:abc123", Handle: "maya.bsky.social"},
		{Platform: "mastodon", ID: "1098", Handle: "finn", URL: "https://mastodon.social/@finn"},
		{Platform: "mastodon", ID: "2001", Handle: "theo@fosstodon.org"},
		{Platform: "youtube", ID: "UCg2r6tV8djjBefANMWQRYfA", Handle: "jackframes"},
		{Platform: "tiktok", ID: "7386", Handle: "milathrift"},
		{Platform: "instagram", ID: "5000", Handle: "milathrift"},
	}
	if err := st.UpsertCreators(ctx, cs, time.Now()); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{
		"bluesky:did:plc:abc123":                                   "bluesky:did:plc:abc123",
		"maya.bsky.social":                                         "bluesky:did:plc:abc123",
		"@maya.bsky.social":                                        "bluesky:did:plc:abc123",
		"@Maya.Bsky.Social":                                        "bluesky:did:plc:abc123",
		"bluesky:maya.bsky.social":                                 "bluesky:did:plc:abc123",
		"Bluesky:@maya.bsky.social":                                "bluesky:did:plc:abc123",
		"https://bsky.app/profile/maya.bsky.social":                "bluesky:did:plc:abc123",
		"https://bsky.app/profile/did:plc:abc123":                  "bluesky:did:plc:abc123",
		"bsky.app/profile/maya.bsky.social":                        "bluesky:did:plc:abc123",
		"finn":                                                     "mastodon:1098",
		"https://mastodon.social/@finn":                            "mastodon:1098",
		"@theo@fosstodon.org":                                      "mastodon:2001",
		"https://fosstodon.org/@theo":                              "mastodon:2001",
		"https://www.youtube.com/channel/UCg2r6tV8djjBefANMWQRYfA": "youtube:UCg2r6tV8djjBefANMWQRYfA",
		"https://www.youtube.com/@jackframes":                      "youtube:UCg2r6tV8djjBefANMWQRYfA",
		"youtube:jackframes":                                       "youtube:UCg2r6tV8djjBefANMWQRYfA",
		"https://www.tiktok.com/@milathrift":                       "tiktok:7386",
		"tiktok:@milathrift":                                       "tiktok:7386",
		"https://www.instagram.com/milathrift/":                    "instagram:5000",
		"instagram:milathrift":                                     "instagram:5000",
	} {
		rec, err := resolve.Creator(ctx, st, ref)
		if err != nil || rec.Key != want {
			t.Errorf("%q: got %q, %v; want %s", ref, rec.Key, err, want)
		}
	}
	// A handle on two platforms: ambiguous, both candidates listed.
	_, err = resolve.Creator(ctx, st, "@milathrift")
	var amb *resolve.AmbiguousError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 || !strings.Contains(err.Error(), "tiktok:milathrift  (tiktok:7386)") || !strings.Contains(err.Error(), "instagram:milathrift") {
		t.Errorf("ambiguous: %v", err)
	}
	for _, ref := range []string{"nobody", "bluesky:nobody.bsky.social", "https://bsky.app/profile/nobody", "https://example.com/about"} {
		if _, err := resolve.Creator(ctx, st, ref); err == nil || (!errors.Is(err, store.ErrNotFound) && !strings.Contains(err.Error(), "not a profile URL")) {
			t.Errorf("%q: %v", ref, err)
		}
	}
}
