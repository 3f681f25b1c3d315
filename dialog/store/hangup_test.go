package store

import (
	"context"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

// TestHangupAcrossNodes: node B is asked to hang up a call node A holds. B's request reaches
// A's subscription; a call no node holds, or one already sealed, is refused.
func TestHangupAcrossNodes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	a, b := newTestStore(t, rdb, prefix, "node-a"), newTestStore(t, rdb, prefix, "node-b")

	got := make(chan string, 4)
	done := make(chan struct{})
	go func() { defer close(done); a.HangupRequests(ctx, func(id string) { got <- id }) }()
	// HangupRequests subscribes on its own goroutine: wait until Redis counts it.
	waitUntil(t, "node A subscribed to hang-ups", func() bool {
		n, err := rdb.PubSubNumSub(ctx, a.keys.hangups()).Result()
		return err == nil && n[a.keys.hangups()] > 0
	})

	l, err := a.Begin(ctx, testInfo("held-by-a", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.RequestHangup(ctx, "nobody-holds-this"); ok || err != nil {
		t.Errorf("RequestHangup of a call no node holds = %v, %v: want false", ok, err)
	}
	if ok, err := b.RequestHangup(ctx, "held-by-a"); !ok || err != nil {
		t.Fatalf("RequestHangup(held-by-a) = %v, %v: want true", ok, err)
	}
	select {
	case id := <-got:
		if id != "held-by-a" {
			t.Errorf("node A was asked to hang up %q", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("node A never heard the hang-up")
	}

	if _, err := l.Seal(ctx, dialog.Result{}); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.RequestHangup(ctx, "held-by-a"); ok || err != nil {
		t.Errorf("RequestHangup of a sealed call = %v, %v: want false", ok, err)
	}
	cancel()
	<-done
	if len(got) != 0 {
		t.Errorf("node A heard %d more hang-ups: want only the one asked for", len(got))
	}
}
