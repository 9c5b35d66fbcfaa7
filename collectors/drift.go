package collectors

import (
	"errors"
	"fmt"
)

// DriftError is a response without a field the collector needs, or with the
// field of the wrong type: the platform's format changed (schema drift). A
// collector returns it instead of reading the field as zero or empty, so a
// renamed followersCount never becomes "0 followers". It wraps ErrMalformed;
// find it with errors.As to read the field's name.
type DriftError struct {
	Where string // the endpoint or object read, e.g. "app.bsky.actor.getProfile"
	Field string // the field's path in it, e.g. "followersCount" or "feed[3].post.likeCount"
	Alt   string // a differently spelt key found in its place (a rename), "" when none
	Got   string // for a wrong type: what was there (shortened), "" when the field is missing
}

func (e *DriftError) Error() string {
	where := e.Where
	if where != "" {
		where += ": "
	}
	switch {
	case e.Got != "":
		return fmt.Sprintf("%s%s is %s, not what the collector reads (the response format changed)", where, e.Field, e.Got)
	case e.Alt != "":
		return fmt.Sprintf("%s%s is missing (%q is there instead: the response format changed)", where, e.Field, e.Alt)
	default:
		return fmt.Sprintf("%s%s is missing (the response format changed)", where, e.Field)
	}
}

// Unwrap makes a DriftError match ErrMalformed.
func (e *DriftError) Unwrap() error { return ErrMalformed }

// DriftField returns the field a drift error in err's chain names, and
// whether there is one.
func DriftField(err error) (string, bool) {
	var d *DriftError
	if errors.As(err, &d) {
		return d.Field, true
	}
	return "", false
}
