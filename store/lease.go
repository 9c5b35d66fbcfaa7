package store

import (
	"context"
	"errors"
	"time"
)

// ErrLeaseLost is returned by Leaser.Renew when the lease is no longer the
// caller's: it expired and another owner took it, or it was never taken.
var ErrLeaseLost = errors.New("lease lost")

// Lease is the current lease of one job.
type Lease struct {
	Job        string    `json:"job"`
	Owner      string    `json:"owner"`
	AcquiredAt time.Time `json:"acquiredAt"`
	RenewedAt  time.Time `json:"renewedAt"`
	ExpiresAt  time.Time `json:"expiresAt"` // time.Unix(0, 0) once released
}

// Held reports whether the lease is still held at now.
func (l Lease) Held(now time.Time) bool { return l.ExpiresAt.After(now) }

// Leaser grants one lease per job, so that one job never runs twice at once,
// across processes and machines sharing the store. Expiry is by the wall
// clock: the holder renews (heartbeat) well before its TTL ends, and a holder
// that dies stops renewing, so its lease lapses and another owner can take it.
// Both backends implement it.
type Leaser interface {
	// Acquire takes job's lease for owner until now+ttl when it is free,
	// expired or already owner's. It reports false, without an error, when
	// another owner holds it.
	Acquire(ctx context.Context, job, owner string, ttl time.Duration) (bool, error)
	// Renew extends owner's lease to now+ttl, or returns an error wrapping
	// ErrLeaseLost when the lease is not owner's any more or has expired (an
	// expired lease is lost even when nobody has taken it yet).
	Renew(ctx context.Context, job, owner string, ttl time.Duration) error
	// Release gives owner's lease up at once. Releasing a lease one does not
	// hold does nothing.
	Release(ctx context.Context, job, owner string) error
	// Leases lists the current lease of every job, held or not, by job name.
	Leases(ctx context.Context) ([]Lease, error)
}
