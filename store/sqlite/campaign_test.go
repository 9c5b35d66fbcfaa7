package sqlite

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestCampaignConformance(t *testing.T) {
	storetest.RunCampaigns(t, func(t *testing.T) store.Store { return openTemp(t) })
}
