package frontier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/nanoscout/nanoscout/store"
)

const nsQuota = "quota"

// Quota shares a daily request budget between workers that use one
// credential (YouTube's 10,000 units per API key per Pacific day): each
// worker reserves chunks of units in the store before spending them. Chunk i
// of a day is one insert-only marker, so N workers never reserve more than
// the day's limit together.
type Quota struct {
	st    store.Markers
	owner string
	name  string // e.g. "youtube"
	key   string // hash of the credential, never the credential itself
	limit int
	chunk int
	loc   *time.Location
}

// pacific is the time zone of YouTube's quota day.
var pacific = func() *time.Location {
	if l, err := time.LoadLocation("America/Los_Angeles"); err == nil {
		return l
	}
	return time.FixedZone("PST", -8*3600)
}()

// NewQuota returns the shared quota of a credential: limit units a day
// (in the Pacific day, as YouTube counts), reserved chunk units at a time.
func NewQuota(st store.Markers, owner, name, credential string, limit, chunk int) (*Quota, error) {
	if limit < 1 || chunk < 1 || chunk > limit {
		return nil, fmt.Errorf("quota %s: limit %d and chunk %d must be positive, chunk ≤ limit", name, limit, chunk)
	}
	h := sha256.Sum256([]byte(credential))
	return &Quota{st: st, owner: owner, name: name, key: hex.EncodeToString(h[:6]), limit: limit, chunk: chunk, loc: pacific}, nil
}

// Day is the quota day of t.
func (q *Quota) Day(t time.Time) string { return t.In(q.loc).Format("2006-01-02") }

func (q *Quota) bucket(t time.Time) string { return q.name + "/" + q.key + "/" + q.Day(t) + "/" }

// Reserve reserves the next chunk of the day of now. ok is false when the
// day's limit would be passed: the platform is done for the day.
func (q *Quota) Reserve(ctx context.Context, now time.Time) (units int, ok bool, err error) {
	b := q.bucket(now)
	n, err := q.st.CountMarkers(ctx, nsQuota, b)
	if err != nil {
		return 0, false, err
	}
	for ; (n+1)*q.chunk <= q.limit; n++ {
		won, _, err := q.st.Mark(ctx, store.Marker{NS: nsQuota, ID: fmt.Sprintf("%s%06d", b, n), Owner: q.owner, At: now})
		if err != nil {
			return 0, false, err
		}
		if won {
			return q.chunk, true, nil
		}
	}
	return 0, false, nil
}

// Reserved returns the units reserved on the day of now, by all workers.
func (q *Quota) Reserved(ctx context.Context, now time.Time) (int, error) {
	n, err := q.st.CountMarkers(ctx, nsQuota, q.bucket(now))
	return n * q.chunk, err
}
