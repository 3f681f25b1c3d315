package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestCluster runs the store's Redis tests against the Redis Cluster of the test run
// (SPAR_TEST_REDIS_CLUSTER, three masters started by `make test`): every call key, seal,
// recovery, deletion, follow and sweep on a ClusterClient, where a multi-key command or
// transaction across slots fails. The tests that cut the connection through a proxy or kill
// the server are left to the single-server run.
func TestCluster(t *testing.T) {
	url := storetest.ClusterURL(t)
	t.Setenv(storetest.EnvURL, url)
	if _, ok := storetest.Redis(t).(*redis.ClusterClient); !ok {
		t.Fatalf("%s did not give a cluster client", url)
	}
	storetest.OnCluster(t, map[string]func(*testing.T){
		"Lifecycle":                 TestLifecycle,
		"TimelineCap":               TestTimelineCap,
		"ConfidenceReachesRecord":   TestConfidenceReachesRecord,
		"Follow":                    TestFollow,
		"FollowEnds":                TestFollowEnds,
		"FollowBounded":             TestFollowBounded,
		"RecoverOwnNode":            TestRecoverOwnNode,
		"RecoverOtherNodes":         TestRecoverOtherNodes,
		"RecoverFinishesHalfSealed": TestRecoverFinishesHalfSealed,
		"RecoverStale":              TestRecoverStale,
		"RecoverMatchesSeal":        TestRecoverMatchesSeal,
		"Delete":                    TestDelete,
		"Expired":                   TestExpired,
		"RetentionSetting":          TestRetentionSetting,
		"Sweep":                     TestSweep,
		"ScenarioVersionKept":       TestScenarioVersionKept,
		"Ready": func(t *testing.T) {
			s := newTestStore(t, storetest.Redis(t), storetest.Prefix(t), "node-a")
			if err := s.Ready(context.Background()); err != nil {
				t.Fatal(err)
			}
		},
		"Migrate": TestMigrate,
	})
}

// TestClusterMasterKilled (issue 15) is TestSentinelMasterKilled on a Redis Cluster of the
// test's own (storetest.StartCluster: three masters with a replica each; the run's shared
// cluster has no replicas and must keep its masters): the master of both calls' slots is
// killed (SIGKILL), its replica takes over, and the old node restarts, empty, and rejoins
// as the new master's replica from its nodes.conf. See masterKilled for what it checks.
func TestClusterMasterKilled(t *testing.T) {
	set := storetest.StartCluster(t)
	const running = "running"
	tag := func(id string) string { return "{" + id + "}" } // the slot of every key of call id
	master := set.MasterOf(tag(running))
	ended := ""
	for i := 0; ended == ""; i++ {
		if id := "ended-" + strconv.Itoa(i); set.MasterOf(tag(id)) == master {
			ended = id
		}
	}
	masterKilled(t, set.URL(), running, ended, masterKiller{
		kill: func() string {
			set.Kill(master)
			return master
		},
		failover: func(old string) string { return set.WaitFailover(old, tag(running)) },
		rejoin:   func(old, _ string) { set.Restart(old) },
	})
}

// TestMigrate writes layout 1 account, assignment and studio keys (one with a TTL) and checks
// that Migrate moves each to its tagged name with its value and TTL, leaves other keys
// alone, records the layout, and does nothing the second time.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	s := newTestStore(t, rdb, prefix, "node-a")
	a, as, st := s.AccountKeys(), s.AssignmentKeys(), s.StudioKeys()

	old := map[string]string{ // layout 1 name -> layout 2 name
		prefix + "account:user:alice":           a.User("alice"),
		prefix + "account:users":                a.Users(),
		prefix + "account:team:support:members": a.TeamMembers("support"),
		prefix + "account:session:h1":           a.Session("h1"),
		prefix + "assignment:as1":               as.Assignment("as1"),
		prefix + "assignments":                  as.All(),
		prefix + "assignments:team:support":     as.Team("support"),
		prefix + "studio:scenario:s1:v:1":       st.Version("s1", 1),
		prefix + "studio:published":             st.Published(),
	}
	// Each written on its own: on a cluster the old names are spread over slots.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rdb.Set(ctx, prefix+"account:user:alice", `{"id":"alice"}`, 0).Err())
	must(rdb.SAdd(ctx, prefix+"account:users", "alice", "bob").Err())
	must(rdb.SAdd(ctx, prefix+"account:team:support:members", "alice").Err())
	must(rdb.HSet(ctx, prefix+"account:session:h1", "user", "alice").Err())
	must(rdb.Expire(ctx, prefix+"account:session:h1", time.Hour).Err())
	must(rdb.Set(ctx, prefix+"assignment:as1", `{"id":"as1"}`, 0).Err())
	must(rdb.ZAdd(ctx, prefix+"assignments", redis.Z{Score: 1, Member: "as1"}).Err())
	must(rdb.SAdd(ctx, prefix+"assignments:team:support", "as1").Err())
	must(rdb.Set(ctx, prefix+"studio:scenario:s1:v:1", `{"n":1}`, 0).Err())
	must(rdb.HSet(ctx, prefix+"studio:published", "s1", 1).Err())
	must(rdb.HSet(ctx, prefix+"settings", "retention_days", 30).Err())
	// A key already moved by another node: the tagged one wins, the old one goes.
	must(rdb.SAdd(ctx, prefix+"account:teams", "old").Err())
	must(rdb.SAdd(ctx, a.Teams(), "new").Err())

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for from, to := range old {
		if n, err := rdb.Exists(ctx, from).Result(); err != nil || n != 0 {
			t.Errorf("%s still there after Migrate (%v)", from, err)
		}
		if n, err := rdb.Exists(ctx, to).Result(); err != nil || n != 1 {
			t.Errorf("%s missing after Migrate (%v)", to, err)
		}
	}
	if v, _ := rdb.Get(ctx, a.User("alice")).Result(); v != `{"id":"alice"}` {
		t.Errorf("user moved as %q", v)
	}
	if m, _ := rdb.SMembers(ctx, a.Users()).Result(); len(m) != 2 {
		t.Errorf("users moved as %v", m)
	}
	if ttl, _ := rdb.PTTL(ctx, a.Session("h1")).Result(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("session TTL after the move: %v, want about 1h", ttl)
	}
	if m, _ := rdb.SMembers(ctx, a.Teams()).Result(); len(m) != 1 || m[0] != "new" {
		t.Errorf("teams after the move: %v, want [new] (the tagged key kept)", m)
	}
	if n, _ := rdb.Exists(ctx, prefix+"account:teams").Result(); n != 0 {
		t.Error("the old teams key, shadowed by the tagged one, was not removed")
	}
	if v, _ := rdb.HGet(ctx, prefix+"settings", "retention_days").Result(); v != "30" {
		t.Errorf("settings touched: retention_days %q", v)
	}
	if v, _ := rdb.Get(ctx, prefix+"layout").Result(); v != layoutVersion {
		t.Errorf("layout %q after Migrate, want %s", v, layoutVersion)
	}
	// Recorded: a key of layout 1 written now is not looked for again.
	must(rdb.Set(ctx, prefix+"account:user:late", "x", 0).Err())
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.Exists(ctx, prefix+"account:user:late").Result(); n != 1 {
		t.Error("a second Migrate scanned again")
	}
}

// TestClusterHeartbeatFollowsFailover: a call with nothing left to write when the master of
// its slot is killed keeps its heartbeat going on the replica that takes over, long before
// the cluster client's own periodic reload of the slot map (a minute). A dead master answers
// no MOVED for the client to follow, so the writer must reload the map after a failed
// attempt; otherwise the call would look dead to other nodes' Recover while it runs.
func TestClusterHeartbeatFollowsFailover(t *testing.T) {
	set := storetest.StartCluster(t)
	ctx := context.Background()
	rdb := storetest.Client(t, set.URL())
	// wait_replicas 1, so the replica that takes over has Begin's keys: without it the
	// heartbeat would find no live call there (as docs/DEPLOY.md says) and stop.
	s := newTestStoreConfig(t, rdb, Config{Prefix: storetest.Prefix(t), Node: "node-a",
		WaitReplicas: 1, WaitTimeout: 200 * time.Millisecond, Heartbeat: 50 * time.Millisecond})
	t.Cleanup(func() { s.Close() })
	const id = "quiet"
	l, err := s.Begin(ctx, testInfo(id, "alice", "billing", time.UnixMilli(1_700_000_000_000)), "")
	if err != nil {
		t.Fatal(err)
	}
	events := script(2)
	appendAll(l, events[:3])
	s.waitWritten(t, id, 3)

	old := set.MasterOf("{" + id + "}")
	set.Kill(old)
	promoted := set.WaitFailover(old, "{"+id+"}")
	since := time.Now().UnixMilli()
	direct := redis.NewClient(&redis.Options{Addr: promoted, MaxRetries: -1})
	defer direct.Close()
	waitUntil(t, "a heartbeat on the promoted master "+promoted, func() bool {
		hb, err := direct.HGet(ctx, s.keys.live(id), "heartbeat").Int64()
		return err == nil && hb > since
	})
}
