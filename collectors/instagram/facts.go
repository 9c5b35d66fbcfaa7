package instagram

import (
	"net/url"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func init() {
	collectors.RegisterFacts("instagram", collectors.Facts{
		DisplayName: "Instagram",
		ProfileURL: func(c model.Creator) string {
			if c.Handle == "" {
				return ""
			}
			return "https://www.instagram.com/" + c.Handle + "/"
		},
		Hosts: []string{"instagram.com"},
		FromURL: func(u *url.URL) (string, bool, bool) {
			// https://www.instagram.com/<username>/
			seg := collectors.PathSegments(u)
			if len(seg) < 1 {
				return "", false, false
			}
			switch seg[0] {
			case "p", "reel", "reels", "explore", "stories", "accounts":
				return "", false, false
			}
			return seg[0], false, true
		},
	})
}
