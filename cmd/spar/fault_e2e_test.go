package main

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/web/webtest"
)

// TestLocalRedisSupervised (issue 12 item 8): the private redis-server serve starts is
// restarted when it is killed, with its data (AOF), and a call running across the outage
// loses nothing: its log spills to disk and catches up, or is replayed after the seal.
func TestLocalRedisSupervised(t *testing.T) {
	ctx := context.Background()
	logs := &storetest.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	sv, err := newRedisSupervisor(t.TempDir(), log)
	if err != nil {
		t.Skip(err)
	}
	if err := sv.start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sv.stop)
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: sv.sock, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })

	st, err := store.New(rdb, store.Config{Node: "n1", SpillDir: t.TempDir(), FlushWait: 200 * time.Millisecond}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	var events []dialog.Event
	events = append(events, dialog.Event{Kind: dialog.EventCallStart, Detail: "webrtc"})
	for i := range 10 {
		turn := map[string]string{dialog.DataTurn: string(rune('1' + i))}
		events = append(events,
			dialog.Event{Kind: dialog.EventPersonaSays, At: ms(1000 * i), Text: "line", Data: turn},
			dialog.Event{Kind: dialog.EventPersonaHeard, At: ms(1000 * i), Dur: ms(300), Text: "line", Data: turn},
			dialog.Event{Kind: dialog.EventLearnerSaid, At: ms(1000*i + 900), Dur: ms(400), Text: "reply"})
	}
	events = append(events, dialog.Event{Kind: dialog.EventCallEnd, At: ms(10000), Detail: "learner hung up"})

	for _, when := range []string{"before the call ends", "after the call ends"} {
		t.Run(when, func(t *testing.T) {
			id := strings.ReplaceAll(when, " ", "-")
			l, err := st.Begin(ctx, telephony.Info{ID: id, Transport: "webrtc", Learner: "alice", Scenario: "billing"}, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events[:10] {
				l.Append(e)
			}
			child := sv.child()
			if child == nil {
				t.Fatal("no child redis-server")
			}
			if err := child.Kill(); err != nil {
				t.Fatal(err)
			}
			for _, e := range events[10:20] {
				l.Append(e)
			}
			if when == "before the call ends" {
				webtest.Poll(t, "redis-server restarted", 20*time.Second, func() bool {
					return sv.child() != nil && sv.child() != child && rdb.Ping(ctx).Err() == nil
				})
			}
			for _, e := range events[20:] {
				l.Append(e)
			}
			res := dialog.Result{EndReason: "learner hung up", Duration: ms(10000), Transcript: dialog.TranscriptOf(events)}
			sealed, err := l.Seal(ctx, res)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			var rec *store.Record
			webtest.Poll(t, "the call sealed in redis", 30*time.Second, func() bool {
				rec, err = st.Get(ctx, id)
				return err == nil
			})
			if rec.Status != store.StatusSealed || rec.Events != int64(len(events)) || !reflect.DeepEqual(rec.Transcript, sealed.Transcript) {
				t.Errorf("record = %+v; want sealed with %d events", rec, len(events))
			}
			tl, err := st.Timeline(ctx, id)
			if err != nil || !reflect.DeepEqual(tl, events) {
				t.Errorf("timeline: %d events, %v; want the %d appended", len(tl), err, len(events))
			}
			n, err := rdb.XLen(ctx, st.SealedStream()).Result()
			if err != nil || n < 1 {
				t.Errorf("no scoring notice: %d, %v", n, err)
			}
		})
	}
	if !strings.Contains(logs.String(), "local redis-server restarted") {
		t.Errorf("restart not logged:\n%s", logs.String())
	}
}
