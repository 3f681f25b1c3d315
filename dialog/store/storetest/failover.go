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
		return to != old && role(to) == "master"
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

// role is the ROLE of the server at addr ("master", "slave"), or "" while it does not answer.
func role(addr string) string {
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
