package tiktok

import (
	"net/url"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func init() {
	collectors.RegisterFacts("tiktok", collectors.Facts{
		DisplayName: "TikTok",
		ProfileURL: func(c model.Creator) string {
			if c.Handle == "" {
				return ""
			}
			return "https://www.tiktok.com/@" + c.Handle
		},
		Hosts: []string{"tiktok.com"},
		FromURL: func(u *url.URL) (string, bool, bool) {
			// https://www.tiktok.com/@handle
			seg := collectors.PathSegments(u)
			if len(seg) < 1 || !strings.HasPrefix(seg[0], "@") {
				return "", false, false
			}
			return strings.TrimPrefix(seg[0], "@"), false, true
		},
	})
}
