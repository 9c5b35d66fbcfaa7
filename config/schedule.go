package config

// Schedule configures `nanoscout schedule`: the daemon's jobs, leases,
// metrics endpoint and retention. (Owned by the nightly-operations work.)
type Schedule struct {
}
