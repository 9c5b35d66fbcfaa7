// Package resolve finds a stored creator from whatever a person types or
// pastes: a store key (bluesky:did:plc:…), a handle, @handle,
// platform:handle or a profile URL. Every place that names a creator (the
// CLI, the API's creator endpoint, shortlist add) resolves through Creator,
// so they all accept the same forms.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Reader is the part of the store Creator reads.
type Reader interface {
	Creator(ctx context.Context, key string) (store.CreatorRecord, error)
	CreatorByHandle(ctx context.Context, platform, handle string) (store.CreatorRecord, error)
}

// AmbiguousError is a handle that names creators on several platforms.
type AmbiguousError struct {
	Ref        string
	Candidates []store.CreatorRecord
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q names %d creators; give one of:", e.Ref, len(e.Candidates))
	for _, c := range e.Candidates {
		fmt.Fprintf(&b, "\n  %s:%s  (%s)", c.Creator.Platform, c.Creator.Handle, c.Key)
	}
	return b.String()
}

// Forms is the help text for what Creator accepts.
const Forms = "a key (bluesky:did:plc:…), a handle, @handle, platform:handle or a profile URL"

// Creator resolves ref to one stored creator. A ref that names nothing is an
// error wrapping store.ErrNotFound; a handle found on several platforms is
// an *AmbiguousError listing them. Handles match exactly, else in lower
// case (platforms treat handles case-insensitively).
func Creator(ctx context.Context, st Reader, ref string) (store.CreatorRecord, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return store.CreatorRecord{}, fmt.Errorf("no creator given: want %s", Forms)
	}
	notFound := func() error {
		return fmt.Errorf("creator %q: %w (want %s)", ref, store.ErrNotFound, Forms)
	}
	platforms := collectors.Names()

	// A profile URL.
	if u, ok := asURL(ref); ok {
		platform, handle, byID, ok := collectors.PlatformOfURL(u)
		if !ok {
			return store.CreatorRecord{}, fmt.Errorf("creator %q: not a profile URL of %s", ref, strings.Join(platforms, ", "))
		}
		if byID {
			return found(st.Creator(ctx, platform+":"+handle))(notFound)
		}
		handles := []string{handle}
		if f, _ := collectors.FactsOf(platform); len(f.Hosts) == 0 && !strings.Contains(handle, "@") {
			handles = append(handles, handle+"@"+u.Hostname()) // a federated account seen from another instance
		}
		for _, h := range handles {
			rec, err := byHandle(ctx, st, platform, h)
			if err == nil || !errors.Is(err, store.ErrNotFound) {
				return rec, err
			}
		}
		return store.CreatorRecord{}, notFound()
	}

	// platform:… — a key, else platform:handle.
	if p, rest, ok := strings.Cut(ref, ":"); ok && slices.Contains(platforms, strings.ToLower(p)) {
		p = strings.ToLower(p)
		rec, err := st.Creator(ctx, p+":"+rest)
		if err == nil || !errors.Is(err, store.ErrNotFound) {
			return rec, err
		}
		return found(byHandle(ctx, st, p, strings.TrimPrefix(rest, "@")))(notFound)
	}

	// A bare handle or @handle: every platform.
	handle := strings.TrimPrefix(ref, "@")
	var hits []store.CreatorRecord
	for _, p := range platforms {
		rec, err := byHandle(ctx, st, p, handle)
		if err == nil {
			hits = append(hits, rec)
		} else if !errors.Is(err, store.ErrNotFound) {
			return store.CreatorRecord{}, err
		}
	}
	switch len(hits) {
	case 0:
		return store.CreatorRecord{}, notFound()
	case 1:
		return hits[0], nil
	}
	return store.CreatorRecord{}, &AmbiguousError{Ref: ref, Candidates: hits}
}

// byHandle looks a handle up exactly, then in lower case.
func byHandle(ctx context.Context, st Reader, platform, handle string) (store.CreatorRecord, error) {
	rec, err := st.CreatorByHandle(ctx, platform, handle)
	if errors.Is(err, store.ErrNotFound) && strings.ToLower(handle) != handle {
		rec, err = st.CreatorByHandle(ctx, platform, strings.ToLower(handle))
	}
	return rec, err
}

// found turns a store.ErrNotFound into the resolver's own message.
func found(rec store.CreatorRecord, err error) func(func() error) (store.CreatorRecord, error) {
	return func(notFound func() error) (store.CreatorRecord, error) {
		if errors.Is(err, store.ErrNotFound) {
			return rec, notFound()
		}
		return rec, err
	}
}

// asURL recognises http(s) URLs and scheme-less ones such as
// bsky.app/profile/x or tiktok.com/@x.
func asURL(ref string) (*url.URL, bool) {
	s := ref
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		host, _, ok := strings.Cut(s, "/")
		if !ok || !strings.Contains(host, ".") || strings.ContainsAny(host, "@:") {
			return nil, false
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, false
	}
	return u, true
}

// RunErrorCreator names a run error's creator by handle when the store knows
// it (errors record the handle or native id the collector had): "@handle",
// or "@handle (id)" when the error named it otherwise.
func RunErrorCreator(ctx context.Context, st Reader, e model.RunError) string {
	if e.Creator == "" || e.Platform == "" {
		return e.Creator
	}
	id := strings.TrimPrefix(e.Creator, "@")
	rec, err := st.Creator(ctx, model.Key(e.Platform, id))
	if err != nil {
		rec, err = st.CreatorByHandle(ctx, e.Platform, id)
	}
	if err != nil || rec.Creator.Handle == "" {
		return e.Creator
	}
	if rec.Creator.Handle == id {
		return "@" + rec.Creator.Handle
	}
	return "@" + rec.Creator.Handle + " (" + e.Creator + ")"
}
