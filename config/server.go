package config

// Server configures `nanoscout serve`: the dashboard and JSON API, exports and
// webhooks. (Owned by the scout-tools work.)
type Server struct {
}
