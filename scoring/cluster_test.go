package scoring

import (
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestCluster runs the scoring worker's tests against the Redis Cluster of the test run
// (SPAR_TEST_REDIS_CLUSTER, started by `make test`): the sealed stream, its consumer group
// and the per-call attempt counters live in different slots.
func TestCluster(t *testing.T) {
	storetest.OnCluster(t, map[string]func(*testing.T){
		"WorkerKilled":        TestWorkerKilled,
		"WorkerRetries":       TestWorkerRetries,
		"ScorerReadsStore":    TestScorerReadsStore,
		"ScorerStudioVersion": TestScorerStudioVersion,
	})
}
