package store

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestSentinelFailover (issue 15) writes a call through a redis+sentinel:// client while
// Sentinel fails the master over to its replica (SENTINEL FAILOVER, on the master, replica
// and Sentinel that `make test` starts): events appended before, during and after the
// failover all reach the timeline, in order and once each, and the call is sealed on the new
// master.
func TestSentinelFailover(t *testing.T) {
	addr, master := storetest.Sentinel(t)
	ctx := context.Background()
	rdb := storetest.Client(t, "redis+sentinel://"+addr+"/"+master)
	s := newTestStoreConfig(t, rdb, Config{Prefix: storetest.Prefix(t), Node: "node-a", WaitReplicas: 1})
	sent := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { _ = sent.Close() })

	old := masterAddr(t, sent, master)
	events := script(60)
	q := len(events) / 4
	l, err := s.Begin(ctx, testInfo("failover", "alice", "billing", time.UnixMilli(1_700_000_000_000)), "")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, events[:q])
	s.waitWritten(t, "failover", int64(q))
	// Steady state before the failover: the replica has what the master acknowledged.
	waitUntil(t, "the replica in step with the master", func() bool { return replicaInStep(t, old) })

	appendAll(l, events[q:2*q]) // queued as the failover starts: written while Sentinel works
	if from, _ := storetest.Failover(t, addr, master); from != old {
		t.Errorf("the master moved from %s before the failover, not %s", from, old)
	}
	appendAll(l, events[2*q:3*q]) // the new master promoted; the old one maybe not yet demoted
	waitUntil(t, "the old master turned replica", func() bool { return role(t, old) == "slave" })
	appendAll(l, events[3*q:])
	rec, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != StatusSealed {
		t.Errorf("record status %q, want sealed", rec.Status)
	}
	got, err := s.Timeline(ctx, "failover")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(events) {
		var first, last int = -1, -1
		for i, e := range events {
			found := false
			for _, g := range got {
				if g.Kind == e.Kind && g.Text == e.Text && g.At == e.At {
					found = true
				}
			}
			if !found {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		t.Logf("missing events %d..%d of %d (quarters of %d)", first, last, len(events), q)
		t.Fatalf("timeline has %d events after the failover, want %d", len(got), len(events))
	}
	for i := range events {
		if got[i].Kind != events[i].Kind || got[i].Text != events[i].Text || !reflect.DeepEqual(got[i].Data, events[i].Data) {
			t.Fatalf("event %d = %+v, want %+v", i, got[i], events[i])
		}
	}
	if _, err := s.Get(ctx, "failover"); err != nil {
		t.Errorf("Get on the new master: %v", err)
	}
}

// masterAddr asks Sentinel for master's address.
func masterAddr(t *testing.T, sent *redis.SentinelClient, master string) string {
	t.Helper()
	a, err := sent.GetMasterAddrByName(context.Background(), master).Result()
	if err != nil || len(a) != 2 {
		t.Fatalf("sentinel get-master-addr-by-name %s: %v %v", master, a, err)
	}
	return a[0] + ":" + a[1]
}

// role is the ROLE of the server at addr ("master", "slave"), or "" while it does not answer.
func role(t *testing.T, addr string) string {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	v, err := c.Do(context.Background(), "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return ""
	}
	r, _ := v[0].(string)
	return r
}

// replicaInStep reports whether the master at addr has a replica at its replication offset.
func replicaInStep(t *testing.T, addr string) bool {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	info, err := c.Info(context.Background(), "replication").Result()
	if err != nil {
		return false
	}
	var offset string
	replicas := map[string]bool{}
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		switch {
		case k == "master_repl_offset":
			offset = v
		case strings.HasPrefix(k, "slave") && k != "slave_read_only":
			for _, f := range strings.Split(v, ",") {
				if o, ok := strings.CutPrefix(f, "offset="); ok {
					replicas[o] = true
				}
			}
		}
	}
	_, err = strconv.Atoi(offset)
	return err == nil && replicas[offset]
}

// waitUntil polls cond until it holds, failing the test after a generous bound.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
