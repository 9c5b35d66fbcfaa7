package config

import "time"

// Distributed configures scale-out runs (docs/scale.md): the process that
// holds a run job's lease coordinates (discovers candidates, seeds the
// run's frontier in the store, waits for it to drain, ranks once and records
// the run) and `nanoscout worker` processes on other machines claim batches
// of the frontier and collect them, each with its own rate budget.
type Distributed struct {
	// Enabled turns runs into coordinated runs. Workers need a store all of
	// them share: MongoDB (or SQLite on one machine, processes sharing a
	// data directory).
	Enabled bool `yaml:"enabled"`
	// Work: the coordinator collects batches too, not only waits.
	Work bool `yaml:"work"`
	// BatchSize is how many candidates one claim covers.
	BatchSize int `yaml:"batch_size"`
	// ClaimTTL: a claim lapses this long after its worker's last heartbeat
	// (renewed every third of it); a dead worker's batches go back to the
	// pool after it.
	ClaimTTL time.Duration `yaml:"claim_ttl"`
	// Poll is how often idle workers and the waiting coordinator look for
	// work and for the end of the run.
	Poll time.Duration `yaml:"poll"`
	// QuotaChunk: YouTube Data API units a worker reserves from the key's
	// shared daily quota at a time.
	QuotaChunk int `yaml:"quota_chunk"`
	// ClientID names this process to the platforms' rate limiters where that
	// is possible (the simulator's X-Nanoscout-Client header); "" = none.
	// Env: NANOSCOUT_CLIENT_ID.
	ClientID string `yaml:"client_id"`
}

func (d *Distributed) fill() {
	if d.BatchSize == 0 {
		d.BatchSize = 10
	}
	if d.ClaimTTL == 0 {
		d.ClaimTTL = time.Minute
	}
	if d.Poll == 0 {
		d.Poll = 2 * time.Second
	}
	if d.QuotaChunk == 0 {
		d.QuotaChunk = 100
	}
}

// Validate checks the distributed section.
func (d Distributed) Validate() error {
	var ck checker
	ck.ints("distributed.batch_size", int64(d.BatchSize), 1, 10_000, false)
	ck.durations("distributed.claim_ttl", d.ClaimTTL, 100*time.Millisecond, time.Hour, false)
	ck.durations("distributed.poll", d.Poll, 10*time.Millisecond, 10*time.Minute, false)
	ck.ints("distributed.quota_chunk", int64(d.QuotaChunk), 1, 100_000, false)
	return ck.err()
}
