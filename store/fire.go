package store

import (
	"context"
	"time"
)

// Fire is one scheduled start of a job: the job and the cron's nominal time
// of the start (before any jitter), and the daemon that claimed it.
type Fire struct {
	Job       string    `json:"job"`
	At        time.Time `json:"at"` // nominal time, UTC
	Owner     string    `json:"owner"`
	ClaimedAt time.Time `json:"claimedAt"`
}

// FireClaimer records each fire of a job once, so that of several daemons
// sharing a store exactly one runs it. A lease keeps two runs of one job from
// overlapping; it does not keep a short job from running once per daemon for
// the same fire. The claim is an insert-only document whose unique id is the
// job and the nominal time: on MongoDB (FerretDB included) and on SQLite a
// second insert of the same id fails, so there is exactly one winner without
// transactions or find-and-modify.
type FireClaimer interface {
	// ClaimFire records owner as the runner of job's fire at the nominal
	// time at. It reports true for exactly one caller per job and time,
	// false (without an error) for everyone after it, the winner included.
	// at is compared to the microsecond on every backend.
	ClaimFire(ctx context.Context, job string, at time.Time, owner string) (bool, error)
	// Fire returns the claim of job's fire at at, or ErrNotFound.
	Fire(ctx context.Context, job string, at time.Time) (Fire, error)
}

// FireTime is a fire's nominal time as stored: UTC, whole microseconds.
// MongoDB keeps milliseconds in dates, so the MongoDB backend keeps the
// time in its id as well.
func FireTime(at time.Time) time.Time { return at.UTC().Truncate(time.Microsecond) }
