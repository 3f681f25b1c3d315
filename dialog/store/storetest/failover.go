package storetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// SentinelSet is a master, its replica and one Sentinel watching them, all redis-server
// processes of the test's own on free ports, without persistence, killed when the test ends.
// It is for tests that kill the master: the run's shared Sentinel (EnvSentinel) must keep its
// master for the other packages' tests. Sentinel takes the master for down after 500 ms
// without an answer (quorum 1) and fails it over to the replica.
type SentinelSet struct {
	t        testing.TB
	name     string
	sentinel *Killable
	servers  map[string]*Killable // the master and the replica, by address
}

// StartSentinel starts a SentinelSet and returns once Sentinel sees the replica in step
// with the master. It fails the test when redis-server is not installed.
func StartSentinel(t testing.TB) *SentinelSet {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server not found: run `make test` (it installs it) or apt-get install redis-server")
	}
	s := &SentinelSet{t: t, name: "failover", servers: map[string]*Killable{}}
	master := s.startServer()
	replica := s.startServer("--replicaof", "127.0.0.1", strconv.Itoa(master.port))
	poll(t, "the replica's link to its master", func() bool { return linkUp(replica.Addr()) })

	port, dir := mustFreePort(t), t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf") // Sentinel rewrites it: it must be its own
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
		"sentinel monitor %[3]s 127.0.0.1 %[4]d 1\n"+
		"sentinel down-after-milliseconds %[3]s 500\n"+
		"sentinel failover-timeout %[3]s 2000\n", port, dir, s.name, master.port)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s.sentinel = startKillable(t, port, dir, conf, "--sentinel")
	sent := s.client()
	defer sent.Close()
	poll(t, "Sentinel to see the replica in step", func() bool {
		reps, err := sent.Replicas(context.Background(), s.name).Result()
		if err != nil {
			return false
		}
		for _, r := range reps {
			if r["ip"]+":"+r["port"] == replica.Addr() && r["flags"] == "slave" && r["master-link-status"] == "ok" {
				return true
			}
		}
		return false
	})
	return s
}

// startServer starts a master (or, with "--replicaof" host port, a replica) on a free port.
func (s *SentinelSet) startServer(args ...string) *Killable {
	s.t.Helper()
	port, dir := mustFreePort(s.t), s.t.TempDir()
	base := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"}
	k := startKillable(s.t, port, dir, append(base, args...)...)
	s.servers[k.Addr()] = k
	return k
}

// URL is the redis+sentinel:// URL of the set's master.
func (s *SentinelSet) URL() string { return "redis+sentinel://" + s.sentinel.Addr() + "/" + s.name }

// Master is the master's address as Sentinel names it now.
func (s *SentinelSet) Master() string {
	s.t.Helper()
	sent := s.client()
	defer sent.Close()
	a, err := sent.GetMasterAddrByName(context.Background(), s.name).Result()
	if err != nil || len(a) != 2 {
		s.t.Fatalf("storetest: sentinel get-master-addr-by-name %s: %v %v", s.name, a, err)
	}
	return net.JoinHostPort(a[0], a[1])
}

// KillMaster kills the master with SIGKILL, as a crash would, and returns its address.
func (s *SentinelSet) KillMaster() string {
	s.t.Helper()
	addr := s.Master()
	s.servers[addr].Kill()
	return addr
}

// WaitFailover waits until Sentinel names a master other than old and that server answers
// as a master, and returns its address.
func (s *SentinelSet) WaitFailover(old string) string {
	s.t.Helper()
	var to string
	poll(s.t, "Sentinel to promote the replica of "+old, func() bool {
		to = s.Master()
		return to != old && Role(to) == "master"
	})
	return to
}

// Rejoin restarts the killed server at addr, empty, as a replica of the master at master (as
// an operator, or a config Sentinel had rewritten, would bring it back) and waits until its
// link to the master is up.
func (s *SentinelSet) Rejoin(addr, master string) {
	s.t.Helper()
	k := s.servers[addr]
	host, port, _ := net.SplitHostPort(master)
	args := k.args[:len(k.args):len(k.args)]
	if i := slices.Index(args, "--replicaof"); i >= 0 {
		args = args[:i]
	}
	k.args = append(args, "--replicaof", host, port)
	k.Start()
	poll(s.t, addr+" replicating "+master, func() bool { return linkUp(addr) })
}

func (s *SentinelSet) client() *redis.SentinelClient {
	return redis.NewSentinelClient(&redis.Options{Addr: s.sentinel.Addr(), MaxRetries: -1})
}

// Role is the ROLE of the server at addr ("master", "slave"), or "" while it does not answer.
func Role(addr string) string {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	v, err := c.Do(context.Background(), "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return ""
	}
	r, _ := v[0].(string)
	return r
}

// linkUp reports whether the replica at addr has its link to its master up.
func linkUp(addr string) bool {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	info, err := c.Info(context.Background(), "replication").Result()
	return err == nil && strings.Contains(info, "master_link_status:up")
}

func mustFreePort(t testing.TB) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ClusterSet is a Redis Cluster of the test's own: three masters with one replica each,
// redis-server processes on free ports without persistence (each keeps its nodes.conf, so
// a restarted node rejoins), killed when the test ends. It is for tests that kill a master:
// the run's shared cluster (EnvCluster) has no replicas and must keep its masters. A node
// is taken for failing after 1 s without an answer, and its replica then takes over.
type ClusterSet struct {
	t     testing.TB
	nodes map[string]*Killable // by address
	addrs []string
}

// StartCluster starts a ClusterSet and returns once every node sees every slot served and
// every replica's link to its master is up.
func StartCluster(t testing.TB) *ClusterSet {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server not found: run `make test` (it installs it) or apt-get install redis-server")
	}
	c := &ClusterSet{t: t, nodes: map[string]*Killable{}}
	for range 6 {
		port, dir := mustFreePort(t), t.TempDir()
		k := startKillable(t, port, dir, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-node-timeout", "1000", "--save", "", "--appendonly", "no",
			"--repl-diskless-sync-delay", "0")
		c.nodes[k.Addr()] = k
		c.addrs = append(c.addrs, k.Addr())
	}
	args := append([]string{"--cluster", "create"}, c.addrs...)
	out, err := exec.Command("redis-cli", append(args, "--cluster-replicas", "1", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	poll(t, "the cluster up, with a replica in step for each master", func() bool {
		replicas := 0
		for _, a := range c.addrs {
			if !clusterOK(a) {
				return false
			}
			if Role(a) == "slave" {
				if !linkUp(a) {
					return false
				}
				replicas++
			}
		}
		return replicas == 3
	})
	return c
}

// URL is the redis+cluster:// URL of every node.
func (c *ClusterSet) URL() string { return "redis+cluster://" + strings.Join(c.addrs, ",") }

// MasterOf returns the address of the master serving key's slot, as the first live node
// sees it.
func (c *ClusterSet) MasterOf(key string) string {
	c.t.Helper()
	for _, a := range c.addrs {
		if c.nodes[a].cmd == nil {
			continue
		}
		if m := masterOf(a, key); m != "" {
			return m
		}
	}
	c.t.Fatalf("storetest: no node of the cluster names the master of %q", key)
	return ""
}

// Kill kills the node at addr with SIGKILL, as a crash would.
func (c *ClusterSet) Kill(addr string) { c.nodes[addr].Kill() }

// WaitFailover waits until every live node serves all slots again and names a master other
// than old for key's slot, and returns that master's address.
func (c *ClusterSet) WaitFailover(old, key string) string {
	c.t.Helper()
	var to string
	poll(c.t, "the replica of "+old+" to take over", func() bool {
		to = ""
		for _, a := range c.addrs {
			if c.nodes[a].cmd == nil {
				continue
			}
			m := masterOf(a, key)
			if m == "" || m == old || (to != "" && m != to) || !clusterOK(a) {
				return false
			}
			to = m
		}
		return Role(to) == "master"
	})
	return to
}

// Restart restarts the killed node at addr, empty but with its nodes.conf, and waits until it
// has rejoined as a replica with its link to its master up.
func (c *ClusterSet) Restart(addr string) {
	c.t.Helper()
	c.nodes[addr].Start()
	poll(c.t, addr+" back as a replica", func() bool { return Role(addr) == "slave" && linkUp(addr) })
}

// clusterOK reports whether the node at addr says every slot is served.
func clusterOK(addr string) bool {
	cl := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer cl.Close()
	info, err := cl.ClusterInfo(context.Background()).Result()
	return err == nil && strings.Contains(info, "cluster_state:ok")
}

// masterOf is the address of the master of key's slot as the node at addr sees it, or "".
func masterOf(addr, key string) string {
	cl := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer cl.Close()
	ctx := context.Background()
	slot, err := cl.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		return ""
	}
	slots, err := cl.ClusterSlots(ctx).Result()
	if err != nil {
		return ""
	}
	for _, s := range slots {
		if int64(s.Start) <= slot && slot <= int64(s.End) && len(s.Nodes) > 0 {
			return s.Nodes[0].Addr
		}
	}
	return ""
}
