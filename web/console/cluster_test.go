package console_test

import (
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestCluster runs the console's assignment and studio tests against the Redis Cluster of
// the test run (SPAR_TEST_REDIS_CLUSTER, started by `make test`): assignments change with
// their indexes in one transaction and a learner's are a SUNION, in the {assignments} slot.
func TestCluster(t *testing.T) {
	t.Setenv(storetest.EnvURL, storetest.ClusterURL(t))
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"AssignmentFlow", TestAssignmentFlow},
		{"AssignmentAccess", TestAssignmentAccess},
		{"Me", TestMe},
		{"StudioEditAPI", TestStudioEditAPI},
	} {
		t.Run(tc.name, tc.fn)
	}
}
