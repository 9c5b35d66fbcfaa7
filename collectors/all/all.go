// Package all registers every platform collector; import it for its side effect.
package all

import (
	_ "github.com/nanoscout/nanoscout/collectors/bluesky"   // registers "bluesky"
	_ "github.com/nanoscout/nanoscout/collectors/instagram" // registers "instagram"
	_ "github.com/nanoscout/nanoscout/collectors/mastodon"  // registers "mastodon"
	_ "github.com/nanoscout/nanoscout/collectors/tiktok"    // registers "tiktok"
	_ "github.com/nanoscout/nanoscout/collectors/youtube"   // registers "youtube"
)
