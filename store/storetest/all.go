package storetest

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
)

// RunAll runs every suite of the package, each as a subtest: the
// conformance of a backend in one call (the real-MongoDB run uses it).
func RunAll(t *testing.T, open func(t *testing.T) store.Store) {
	for _, s := range []struct {
		name string
		run  func(*testing.T, func(*testing.T) store.Store)
	}{
		{"Store", Run},
		{"Leases", RunLeases},
		{"Prune", RunPrune},
		{"Scout", RunScout},
		{"LLMCache", RunLLMCache},
		{"PostSnapshots", RunPostSnapshots},
		{"Audience", RunAudience},
		{"AudienceFilter", RunAudienceFilter},
		{"Markers", RunMarkers},
		{"Claims", RunClaims},
		{"Campaigns", RunCampaigns},
		{"Stream", RunStream},
	} {
		t.Run(s.name, func(t *testing.T) { s.run(t, open) })
	}
}
