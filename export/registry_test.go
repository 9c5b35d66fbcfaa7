package export

// Platform facts (profile URLs, display names) come from the collector
// registry, as in the binary.
import _ "github.com/nanoscout/nanoscout/collectors/all"
