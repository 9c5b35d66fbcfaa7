package mastodon

import (
	"net/url"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func init() {
	collectors.RegisterFacts("mastodon", collectors.Facts{
		DisplayName: "Mastodon",
		// Mastodon gives every account's URL; none can be built without
		// knowing the instance.
		ProfileURL: func(model.Creator) string { return "" },
		FromURL: func(u *url.URL) (string, bool, bool) {
			// https://<instance>/@user (a local account, stored by its
			// acct "user") or https://<instance>/@user@other.
			seg := collectors.PathSegments(u)
			if len(seg) < 1 || !strings.HasPrefix(seg[len(seg)-1], "@") {
				return "", false, false
			}
			return strings.TrimPrefix(seg[len(seg)-1], "@"), false, true
		},
	})
}
