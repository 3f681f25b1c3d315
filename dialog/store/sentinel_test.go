package store

import (
	"context"
	"errors"
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
	waitUntil(t, "the old master turned replica", func() bool { return storetest.Role(old) == "slave" })
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

// TestSentinelMasterKilled (issue 15): the master is killed (SIGKILL) in the middle of two
// calls written with wait_replicas 1, on a master, a replica and a Sentinel of the test's own
// (storetest.StartSentinel; the run's shared ones must keep their master); the old server
// comes back, empty, as the new master's replica. See masterKilled for what it checks.
func TestSentinelMasterKilled(t *testing.T) {
	set := storetest.StartSentinel(t)
	masterKilled(t, set.URL(), "running", "ended", masterKiller{
		kill:     set.KillMaster,
		failover: set.WaitFailover,
		rejoin:   set.Rejoin,
	})
}

// masterKiller kills the master the test's calls are on and brings it back as a replica.
type masterKiller struct {
	kill     func() string               // kills the master, returns its address
	failover func(old string) string     // waits for a replica of old to take over, returns it
	rejoin   func(old, newMaster string) // restarts old, empty, as a replica of newMaster
}

// masterKilled checks the guarantee docs/DEPLOY.md states for wait_replicas 1 with one
// replica per master, with two calls (running and ended, on the same master) on the Redis at
// url while k kills their master: every event counted as written was on the replica that
// takes over; the events in flight or queued around the crash are written again to the new
// master; while that master has no replica nothing counts as written, yet the running call's
// heartbeat goes on, so no node takes it for dead, and a call that ends then is sealed to
// disk, not in Redis. Once the old server is back as a replica, the running call's events
// are confirmed and it is sealed, the ended one is replayed, and both are whole: every event
// once and in order, with their info and transcripts, on the rejoined replica too.
func masterKilled(t *testing.T, url, running, ended string, k masterKiller) {
	ctx := context.Background()
	rdb := storetest.Client(t, url)
	s := newTestStoreConfig(t, rdb, Config{Prefix: storetest.Prefix(t), Node: "node-a",
		WaitReplicas: 1, WaitTimeout: 200 * time.Millisecond, Heartbeat: 50 * time.Millisecond,
		SpillDir: t.TempDir(), FlushWait: 300 * time.Millisecond})
	replayed := make(chan string, 10)
	s.replayHook = func(id string) { replayed <- id }
	s.replayed = replayed
	t.Cleanup(func() { s.Close() })

	events := script(40)
	q := len(events) / 4
	calls := map[string]*CallLog{}
	for _, id := range []string{running, ended} {
		l, err := s.Begin(ctx, testInfo(id, "alice", "billing", time.UnixMilli(1_700_000_000_000)), "")
		if err != nil {
			t.Fatal(err)
		}
		calls[id] = l
		appendAll(l, events[:q])
	}
	for id := range calls {
		s.waitWritten(t, id, int64(q)) // WAIT said the replica has them, and Begin's keys before them
	}

	for _, l := range calls {
		appendAll(l, events[q:2*q]) // in flight as the master dies
	}
	old := k.kill()
	for _, l := range calls {
		appendAll(l, events[2*q:3*q]) // queued while the failure is not yet noticed
	}
	promoted := k.failover(old)
	since := time.Now().UnixMilli()

	// The new master has no replica: no write counts, but the heartbeat other nodes' Recover
	// reads goes on.
	s.waitAttempt(t, "a write refused for want of a replica", func(a attempt) bool {
		return a.id == running && errors.Is(a.err, errUnreplicated)
	})
	waitUntil(t, "a heartbeat on the new master while it has no replica", func() bool {
		hb, err := rdb.HGet(ctx, s.keys.live(running), "heartbeat").Int64()
		return err == nil && hb > since
	})
	// A call ending now is sealed to disk: its last events are on no replica.
	appendAll(calls[ended], events[3*q:])
	want := dialog.Result{EndReason: "learner hung up", Transcript: dialog.TranscriptOf(events)}
	if rec, err := calls[ended].Seal(ctx, want); err != nil || rec.Status != StatusSealed {
		t.Fatalf("Seal without a replica: %+v, %v", rec, err)
	}
	if _, err := s.Get(ctx, ended); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of the call sealed without a replica: %v, want ErrNotFound until a replica has its timeline", err)
	}

	appendAll(calls[running], events[3*q:len(events)-1])
	k.rejoin(old, promoted)
	appendAll(calls[running], events[len(events)-1:])
	s.waitWritten(t, running, int64(len(events)))
	if rec, err := calls[running].Seal(ctx, want); err != nil || rec.Status != StatusSealed {
		t.Fatalf("Seal with the replica back: %+v, %v", rec, err)
	}
	s.waitReplayed(t, ended)

	// The old server, back as a replica, holds both timelines: WAIT confirmed them.
	// (READONLY lets a cluster replica answer reads; a server outside a cluster refuses it.)
	replica := redis.NewClient(&redis.Options{Addr: old, MaxRetries: -1,
		OnConnect: func(ctx context.Context, cn *redis.Conn) error { _ = cn.ReadOnly(ctx).Err(); return nil }})
	defer replica.Close()
	for id := range calls {
		checkWhole(t, s, rdb, id, events, want)
		if n, err := replica.XLen(ctx, s.keys.timeline(id)).Result(); err != nil || n != int64(len(events)) {
			t.Errorf("the rejoined replica has %d timeline entries of %s (%v), want %d", n, id, err, len(events))
		}
	}
}

// checkWhole checks that call id is sealed in Redis with its whole timeline, events in order
// numbered 1..n, and the info and result it began and ended with.
func checkWhole(t *testing.T, s *testStore, rdb redis.UniversalClient, id string, events []dialog.Event, res dialog.Result) {
	t.Helper()
	ctx := context.Background()
	rec, err := s.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	if rec.Status != StatusSealed || rec.Events != int64(len(events)) || rec.Dropped != 0 || rec.Learner != "alice" ||
		rec.Scenario != "billing" || rec.EndReason != res.EndReason || !reflect.DeepEqual(rec.Transcript, res.Transcript) {
		t.Errorf("record of %s: status %q, %d events, %d dropped, learner %q, scenario %q, end %q, transcript %+v",
			id, rec.Status, rec.Events, rec.Dropped, rec.Learner, rec.Scenario, rec.EndReason, rec.Transcript)
	}
	got, err := s.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(events) {
		t.Fatalf("timeline of %s has %d events, want %d", id, len(got), len(events))
	}
	for i := range events {
		if got[i].Kind != events[i].Kind || got[i].Text != events[i].Text || got[i].At != events[i].At ||
			!reflect.DeepEqual(got[i].Data, events[i].Data) {
			t.Fatalf("event %d of %s = %+v, want %+v", i, id, got[i], events[i])
		}
	}
	msgs, err := rdb.XRange(ctx, s.keys.timeline(id), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		if _, n, _ := strings.Cut(m.ID, "-"); n != strconv.Itoa(i+1) {
			t.Fatalf("timeline entry %d of %s has ID %s: an event is missing or doubled", i+1, id, m.ID)
		}
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
