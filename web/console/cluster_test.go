package console_test

import (
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestCluster runs the console's assignment and studio tests against the Redis Cluster of
// the test run (SPAR_TEST_REDIS_CLUSTER, started by `make test`): assignments change with
// their indexes in one transaction and a learner's are a SUNION, in the {assignments} slot.
func TestCluster(t *testing.T) {
	storetest.OnCluster(t, map[string]func(*testing.T){
		"AssignmentFlow":   TestAssignmentFlow,
		"AssignmentAccess": TestAssignmentAccess,
		"Me":               TestMe,
		"StudioEditAPI":    TestStudioEditAPI,
		"StudioLintLists":  TestStudioLintLists,
	})
}
