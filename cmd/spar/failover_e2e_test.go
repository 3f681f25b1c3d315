package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/webtest"
)

// TestEndToEndSentinelFailover (issue 15): `spar serve` on REDIS_URL=redis+sentinel://...
// with store.wait_replicas 1 (the master, replica and Sentinel `make test` starts). Sentinel
// fails the master over while a simulated Twilio call runs; the call goes on, is sealed as
// it ended with its whole timeline (call.start to call.end, every event numbered once), and
// is scored.
func TestEndToEndSentinelFailover(t *testing.T) {
	addr, master := storetest.Sentinel(t)
	failoverCall(t, "redis+sentinel://"+addr+"/"+master, func(string) {
		storetest.Failover(t, addr, master) // returns once Sentinel names the new master
	})
}

// TestEndToEndSentinelMasterKilled (issue 15) is TestEndToEndSentinelFailover with the
// master killed (SIGKILL) instead of failed over by hand, on a master, replica and Sentinel
// of the test's own (the run's shared master must live on): Sentinel promotes the replica
// within about a second, and the old server comes back empty as the new master's replica,
// so that wait_replicas can confirm writes again. The call is sealed whole and scored.
func TestEndToEndSentinelMasterKilled(t *testing.T) {
	set := storetest.StartSentinel(t)
	failoverCall(t, set.URL(), func(string) {
		old := set.KillMaster()
		set.Rejoin(old, set.WaitFailover(old))
	})
}

// TestEndToEndClusterMasterKilled (issue 15) is TestEndToEndSentinelMasterKilled on a Redis
// Cluster of the test's own (three masters with a replica each): the master of the call's
// slot is killed mid-call, its replica takes over, and the killed node restarts empty and
// rejoins as a replica. The call is sealed whole and scored.
func TestEndToEndClusterMasterKilled(t *testing.T) {
	set := storetest.StartCluster(t)
	failoverCall(t, set.URL(), func(id string) {
		tag := "{" + id + "}" // the slot of every key of the call
		old := set.MasterOf(tag)
		set.Kill(old)
		set.WaitFailover(old, tag)
		set.Restart(old)
	})
}

// failoverCall runs `spar serve` with wait_replicas 1 on the Redis at url (Sentinel or
// Cluster), calls midCall with the call's ID once a simulated phone call has been greeted,
// and checks that the call is sealed as it ended with every event of its timeline, once and
// in order, and is scored.
func failoverCall(t *testing.T, url string, midCall func(id string)) {
	e := newEnv(t)
	e.redisURL = url
	cfg := fmt.Sprintf("store:\n  prefix: %q\n  node: e2e-failover\n  wait_replicas: 1\n"+
		"twilio:\n  default_scenario: double-charge\nshutdown_grace: 5s\n", e.prefix)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := e.start(t)
	st := openStore(t, e)

	script, synth := angryCaller(t)
	done := make(chan *sim.Result, 1)
	go func() {
		res, err := sim.Run(t.Context(), sim.Config{BaseURL: srv.base, AuthToken: e2eToken, Script: script},
			synth, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Errorf("caller: %v", err)
		}
		done <- res
	}()
	id := firstLive(t, st, "the live call")
	webtest.Poll(t, "the greeting in the timeline", 60*time.Second, func() bool {
		evs, _ := st.Timeline(t.Context(), id)
		for _, ev := range evs {
			if ev.Kind == dialog.EventPersonaHeard {
				return true
			}
		}
		return false
	})
	midCall(id)

	res := <-done
	if res == nil || res.ServerClosed || res.CallID != id {
		t.Fatalf("caller result %+v", res)
	}
	var rec *store.Record
	webtest.Poll(t, "the call sealed", 60*time.Second, func() bool {
		var err error
		rec, err = st.Get(t.Context(), id)
		return err == nil
	})
	if rec.Status != store.StatusSealed || rec.EndReason != "learner hung up" || len(rec.Transcript) == 0 {
		t.Errorf("record: status %q, end reason %q, %d transcript lines", rec.Status, rec.EndReason, len(rec.Transcript))
	}
	evs, err := st.Timeline(t.Context(), id)
	if err != nil || len(evs) < 3 {
		t.Fatalf("timeline: %d events, %v", len(evs), err)
	}
	if evs[0].Kind != dialog.EventCallStart || evs[len(evs)-1].Kind != dialog.EventCallEnd {
		t.Errorf("timeline runs %s .. %s, want call.start .. call.end", evs[0].Kind, evs[len(evs)-1].Kind)
	}
	// Entry IDs are <unix ms>-<n>, n counting the call's events from 1 (store/keys.go): no
	// gap means no event was lost to the failover.
	msgs, err := storetest.Client(t, e.redisURL).XRange(t.Context(), e.prefix+"call:{"+id+"}:timeline", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		if _, n, _ := strings.Cut(m.ID, "-"); n != strconv.Itoa(i+1) {
			t.Fatalf("timeline entry %d has ID %s: an event is missing or doubled", i+1, m.ID)
		}
	}
	var card struct {
		CallID string `json:"call_id"`
	}
	pollScorecard(t, srv, id, &card)
	if card.CallID != id {
		t.Errorf("scorecard for %q", card.CallID)
	}
}
