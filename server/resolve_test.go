package server

import (
	"net/http"
	"net/url"
	"testing"

	_ "github.com/nanoscout/nanoscout/collectors/all" // the resolver reads platform facts from the registry
	"github.com/nanoscout/nanoscout/store"
)

// TestAPICreatorByHandle: the creator endpoint and shortlist add accept a
// handle, @handle, platform:handle or a profile URL, not only the internal
// key (#11.3).
func TestAPICreatorByHandle(t *testing.T) {
	e := newEnv(t, 5)
	rec := e.top(store.TopQuery{Platform: "bluesky", Limit: 1})[0]
	c := rec.Creator
	for _, ref := range []string{c.Handle, "@" + c.Handle, "bluesky:" + c.Handle, "https://bsky.app/profile/" + c.Handle} {
		var d creatorData
		e.json(http.MethodGet, "/api/creators/"+url.PathEscape(ref), nil, http.StatusOK, &d)
		if d.Creator.Key != rec.Key {
			t.Errorf("%q: creator %q, want %q", ref, d.Creator.Key, rec.Key)
		}
	}
	var l store.Shortlist
	e.json(http.MethodPost, "/api/shortlists", map[string]string{"name": "by handle"}, http.StatusCreated, &l)
	e.json(http.MethodPost, "/api/shortlists/"+l.ID+"/items", map[string][]string{"keys": {"@" + c.Handle}}, http.StatusOK, &l)
	if l.Count != 1 {
		t.Errorf("added by handle: count %d", l.Count)
	}
	items, err := e.srv.sc.ShortlistsOf(t.Context(), rec.Key)
	if err != nil || len(items) != 1 {
		t.Errorf("the shortlist holds the creator's key: %v %v", items, err)
	}
}
