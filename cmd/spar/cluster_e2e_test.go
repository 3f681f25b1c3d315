package main

import (
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestEndToEndCluster (issue 15) runs `spar serve`, `spar worker` and the tests' own readers
// against the Redis Cluster of the test run (SPAR_TEST_REDIS_CLUSTER: three masters started
// by `make test`, given to spar as REDIS_URL=redis+cluster://...): a simulated Twilio call
// sealed, replayed and scored (TestEndToEndPhoneCall), then two nodes and a worker with one
// node killed mid-call, its call recovered as interrupted by the other and both scored, and
// an account created once and valid on both (TestEndToEndMultiNode).
func TestEndToEndCluster(t *testing.T) {
	t.Setenv(storetest.EnvURL, storetest.ClusterURL(t))
	t.Run("PhoneCall", TestEndToEndPhoneCall)
	t.Run("MultiNode", TestEndToEndMultiNode)
}
