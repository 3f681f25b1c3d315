package account_test

import (
	"testing"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestCluster runs the account tests against the Redis Cluster of the test run
// (SPAR_TEST_REDIS_CLUSTER, started by `make test`): creating, updating, renaming and
// deleting accounts, teams, sessions and tokens are transactions over many keys, which a
// cluster refuses unless they share a slot ({account}).
func TestCluster(t *testing.T) {
	storetest.OnCluster(t, map[string]func(*testing.T){
		"CreateRejects":         TestCreateRejects,
		"LoginSessionLogout":    TestLoginSessionLogout,
		"LoginRateLimit":        TestLoginRateLimit,
		"Tokens":                TestTokens,
		"Authorization":         TestAuthorization,
		"LoginBackoff":          TestLoginBackoff,
		"Update":                TestUpdate,
		"PasswordDisableDelete": TestPasswordDisableDelete,
		"TeamsAndTokenList":     TestTeamsAndTokenList,
	})
}
