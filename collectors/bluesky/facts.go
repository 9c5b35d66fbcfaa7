package bluesky

import (
	"net/url"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func init() {
	collectors.RegisterFacts("bluesky", collectors.Facts{
		DisplayName: "Bluesky",
		ProfileURL: func(c model.Creator) string {
			if c.Handle != "" {
				return "https://bsky.app/profile/" + c.Handle
			}
			return "https://bsky.app/profile/" + c.ID
		},
		Hosts: []string{"bsky.app"},
		FromURL: func(u *url.URL) (string, bool, bool) {
			// https://bsky.app/profile/<handle or did>
			seg := collectors.PathSegments(u)
			if len(seg) < 2 || seg[0] != "profile" {
				return "", false, false
			}
			return seg[1], strings.HasPrefix(seg[1], "did:"), true
		},
	})
}
