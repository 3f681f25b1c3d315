// Package storetest gives tests a real Redis: the one the Makefile's test target started
// (SPAR_TEST_REDIS_URL) or a private redis-server on a free port, plus a unique key prefix per
// test so tests sharing one server never see each other's keys. Tests that kill a master get
// servers of their own: a master, replica and Sentinel (StartSentinel) or a Redis Cluster
// with a replica per master (StartCluster).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog/store/redisurl"
)

// EnvURL names the variable holding the URL of a Redis shared by a whole test run.
const EnvURL = "SPAR_TEST_REDIS_URL"

// EnvCluster names the variable holding the nodes of a Redis Cluster shared by a whole test
// run, as host:port,host:port,... (the Makefile's test target starts three masters and sets
// it). Tests that need a cluster skip without it.
const EnvCluster = "SPAR_TEST_REDIS_CLUSTER"

// ClusterURL returns the redis+cluster:// URL of the test run's Redis Cluster, or skips the
// test when SPAR_TEST_REDIS_CLUSTER is unset.
func ClusterURL(t testing.TB) string {
	t.Helper()
	nodes := os.Getenv(EnvCluster)
	if nodes == "" {
		t.Skip(EnvCluster + " is not set: no Redis Cluster to test against (make test starts one)")
	}
	return "redis+cluster://" + nodes
}

// OnCluster runs tests, by name in name order, with the store (EnvURL) pointed at the test
// run's Redis Cluster (see ClusterURL): the same tests as on one server, now with keys spread
// over slots, where a transaction across slots fails.
func OnCluster(t *testing.T, tests map[string]func(*testing.T)) {
	t.Helper()
	t.Setenv(EnvURL, ClusterURL(t))
	for _, name := range slices.Sorted(maps.Keys(tests)) {
		t.Run(name, tests[name])
	}
}

// Cluster returns a client for the test run's Redis Cluster (see ClusterURL), closed when
// the test ends.
func Cluster(t testing.TB) redis.UniversalClient {
	t.Helper()
	return Client(t, ClusterURL(t))
}

// EnvSentinel names the variable holding a Redis Sentinel shared by a whole test run, as
// host:port/<master name> (the Makefile's test target starts a master, a replica and one
// Sentinel watching them, and sets it). Tests that need it skip without it.
const EnvSentinel = "SPAR_TEST_REDIS_SENTINEL"

// Sentinel returns the Sentinel address and master name of the test run (see EnvSentinel),
// or skips the test when SPAR_TEST_REDIS_SENTINEL is unset. Tests that fail the master over
// must not overlap, even from different packages: with SPAR_TEST_REDIS_URL set, Sentinel
// holds a lock on that Redis until the test ends.
func Sentinel(t testing.TB) (addr, master string) {
	t.Helper()
	v := os.Getenv(EnvSentinel)
	if v == "" {
		t.Skip(EnvSentinel + " is not set: no Redis Sentinel to test against (make test starts one)")
	}
	addr, master, ok := strings.Cut(v, "/")
	if !ok || master == "" {
		t.Fatalf("%s=%q: want host:port/<master name>", EnvSentinel, v)
	}
	if u := os.Getenv(EnvURL); u != "" {
		lockSentinel(t, u)
	}
	return addr, master
}

// lockSentinel takes the run's Sentinel lock on the Redis at url, waiting for it, and frees
// it when the test ends (its TTL frees it if the test process dies).
func lockSentinel(t testing.TB, url string) {
	t.Helper()
	rdb, err := redisurl.Open(url)
	if err != nil {
		t.Fatalf("storetest: %s=%q: %v", EnvURL, url, err)
	}
	const key = "storetest:sentinel-lock"
	token := Prefix(t)
	ctx := context.Background()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Minute)
	for {
		ok, err := rdb.SetNX(ctx, key, token, 5*time.Minute).Result()
		if err != nil {
			t.Fatalf("storetest: sentinel lock: %v", err)
		}
		if ok {
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("storetest: another test held the Sentinel for 10 minutes")
		}
	}
	t.Cleanup(func() {
		if v, _ := rdb.Get(ctx, key).Result(); v == token {
			_ = rdb.Del(ctx, key).Err()
		}
		_ = rdb.Close()
	})
}

// Failover makes the Sentinel at addr fail master over to its replica (SENTINEL FAILOVER)
// and returns the old and the new master's addresses once Sentinel names the new one. It
// first waits for a replica Sentinel considers in step (an earlier failover's old master
// needs a moment to become one), and retries while Sentinel answers that a failover is in
// progress or no replica is good.
func Failover(t testing.TB, addr, master string) (from, to string) {
	t.Helper()
	ctx := context.Background()
	sent := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer sent.Close()
	masterAddr := func() string {
		a, err := sent.GetMasterAddrByName(ctx, master).Result()
		if err != nil || len(a) != 2 {
			t.Fatalf("storetest: sentinel get-master-addr-by-name %s: %v %v", master, a, err)
		}
		return a[0] + ":" + a[1]
	}
	goodReplica := func() bool {
		reps, err := sent.Replicas(ctx, master).Result()
		if err != nil {
			return false
		}
		for _, r := range reps {
			if r["flags"] == "slave" && r["master-link-status"] == "ok" {
				return true
			}
		}
		return false
	}
	poll(t, "a replica in step for Sentinel", goodReplica)
	from = masterAddr()
	var lastErr error
	poll(t, "Sentinel to start a failover", func() bool {
		lastErr = sent.Failover(ctx, master).Err()
		return lastErr == nil
	})
	poll(t, "Sentinel naming a new master", func() bool { to = masterAddr(); return to != from })
	return from, to
}

// poll checks cond every 50 ms until it holds, failing the test after a minute.
func poll(t testing.TB, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("storetest: timed out waiting for %s", what)
		}
	}
}

// startTimeout bounds how long a private redis-server may take to answer PING.
const startTimeout = 10 * time.Second

// Redis returns a client for the test's Redis, closed when the test ends. Keys written through
// it are not removed: use Prefix to keep tests apart.
func Redis(t testing.TB) redis.UniversalClient {
	t.Helper()
	return Client(t, URL(t))
}

// URL returns the address of a Redis for this test: SPAR_TEST_REDIS_URL when set, otherwise a
// private redis-server started for this test and stopped when it ends.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return startServer(t)
}

// Prefix returns a key prefix no other test (in this or another process) uses.
func Prefix(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("storetest: random prefix: %v", err)
	}
	name := strings.Map(func(r rune) rune {
		switch r {
		case '{', '}', ' ', '/', ':':
			return '_'
		}
		return r
	}, t.Name())
	return "test:" + name + ":" + hex.EncodeToString(b[:]) + ":"
}

// Client connects to the Redis at url (as returned by URL) and closes the client when the
// test ends. Use it with URL when a test needs the address too (to reach the same server
// through a proxy, say).
func Client(t testing.TB, url string) redis.UniversalClient {
	t.Helper()
	rdb, err := redisurl.Open(url)
	if err != nil {
		t.Fatalf("storetest: parse %s=%q: %v", EnvURL, url, err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	if err := ping(rdb, startTimeout, nil); err != nil {
		t.Fatalf("storetest: redis at %s: %v", url, err)
	}
	return rdb
}

func startServer(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found: run `make test` (it installs it) or apt-get install redis-server")
	}
	// A port picked from a closed listener can be taken by someone else before redis binds
	// it; try a few.
	var lastErr error
	for range 3 {
		url, err := tryStart(t, bin)
		if err == nil {
			return url
		}
		lastErr = err
	}
	t.Fatalf("storetest: start redis-server: %v", lastErr)
	return ""
}

func tryStart(t testing.TB, bin string) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", "")
	var out SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), MaxRetries: -1})
	defer rdb.Close()
	if err := ping(rdb, startTimeout, exited); err != nil {
		stop()
		return "", fmt.Errorf("%w; output: %s", err, out.String())
	}
	t.Cleanup(stop)
	return url, nil
}

// ping polls PING until Redis answers, the deadline passes or the server process exits.
func ping(rdb redis.UniversalClient, timeout time.Duration, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		err := rdb.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer to PING within %v: %w", timeout, err)
		case <-exited:
			return errors.New("redis-server exited")
		case <-tick.C:
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// SyncBuffer is an io.Writer safe for concurrent writes: it collects a redis-server's output
// here and a Store's slog output in tests that read it while the Store's goroutines log.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Killable is a redis-server of the test's own, with AOF fsynced at every write, that the
// test kills (SIGKILL) and restarts on the same port and data: a real outage.
type Killable struct {
	t    testing.TB
	port int
	dir  string
	args []string // redis-server's arguments
	out  SyncBuffer
	cmd  *exec.Cmd
}

// StartKillable starts a Killable redis-server, killed when the test ends.
func StartKillable(t testing.TB) *Killable {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server not found: run `make test` (it installs it) or apt-get install redis-server")
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return startKillable(t, port, dir, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "")
}

// startKillable starts redis-server with args, listening on port, killed when the test ends
// (its output is logged then if the test failed).
func startKillable(t testing.TB, port int, dir string, args ...string) *Killable {
	t.Helper()
	r := &Killable{t: t, port: port, dir: dir, args: args}
	r.Start()
	t.Cleanup(func() {
		r.Kill()
		if t.Failed() {
			t.Logf("redis-server %s output:\n%s", r.Addr(), r.out.String())
		}
	})
	return r
}

// Addr is the server's host:port.
func (r *Killable) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// URL is the server's redis:// URL.
func (r *Killable) URL() string { return "redis://" + r.Addr() }

// Start (re)starts the server on its port and data and waits until it answers.
func (r *Killable) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", r.args...)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1})
	defer c.Close()
	if err := ping(c, startTimeout, nil); err != nil {
		r.t.Fatalf("storetest: restart redis-server: %v", err)
	}
}

// Kill stops the server with SIGKILL, as a crash would.
func (r *Killable) Kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}
