package mongo

import (
	"testing"

	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/storetest"
)

func TestCampaignConformanceFerretDB(t *testing.T) {
	storetest.RunCampaigns(t, func(t *testing.T) store.Store { return openDB(t, ferretURI) })
}
