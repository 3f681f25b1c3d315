package studio_test

import (
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestCluster runs the studio tests against the Redis Cluster of the test run
// (SPAR_TEST_REDIS_CLUSTER, started by `make test`): publishing writes the scenario and
// the published index in one transaction, in the {studio} slot.
func TestCluster(t *testing.T) {
	storetest.OnCluster(t, map[string]func(*testing.T){
		"DuplicateEditPublish":  TestDuplicateEditPublish,
		"ImportExportRoundTrip": TestImportExportRoundTrip,
		"Refusals":              TestRefusals,
	})
}
