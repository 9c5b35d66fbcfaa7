package youtube

import (
	"net/url"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

func init() {
	collectors.RegisterFacts("youtube", collectors.Facts{
		DisplayName: "YouTube",
		ProfileURL: func(c model.Creator) string {
			if c.ID == "" {
				return "https://www.youtube.com/@" + c.Handle
			}
			return "https://www.youtube.com/channel/" + c.ID
		},
		Hosts: []string{"youtube.com"},
		FromURL: func(u *url.URL) (string, bool, bool) {
			// /channel/UC…, /@handle, /c/name, /user/name
			seg := collectors.PathSegments(u)
			switch {
			case len(seg) >= 2 && seg[0] == "channel":
				return seg[1], true, true
			case len(seg) >= 1 && strings.HasPrefix(seg[0], "@"):
				return strings.TrimPrefix(seg[0], "@"), false, true
			case len(seg) >= 2 && (seg[0] == "c" || seg[0] == "user"):
				return seg[1], false, true
			}
			return "", false, false
		},
	})
}
