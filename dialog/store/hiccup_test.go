package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

// viaProxy returns a client that reaches the test's Redis through a proxy it can cut.
func viaProxy(t *testing.T) (redis.UniversalClient, redis.UniversalClient, *proxy) {
	t.Helper()
	url := storetest.URL(t)
	direct := storetest.Client(t, url)
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, opt.Addr)
	opt.Addr = p.addr()
	opt.MaxRetries = -1
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, time.Second, time.Second
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c, direct, p
}

func TestRedisHiccup(t *testing.T) {
	ctx := context.Background()
	rdb, direct, p := viaProxy(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")

	l, err := s.Begin(ctx, testInfo("h1", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	events := script(20) // 62 events
	appendAll(l, events[:10])
	s.waitWritten(t, "h1", 10)

	p.cut()
	appendAll(l, events[10:30])
	s.waitAttempt(t, "a failed write", func(a attempt) bool { return a.id == "h1" && a.err != nil })
	appendAll(l, events[30:50])
	l.Update(map[string]any{"mood": 5})

	p.restore()
	s.waitWritten(t, "h1", 50) // the writer recovers by itself
	appendAll(l, events[50:])

	rec, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up"})
	if err != nil {
		t.Fatalf("Seal after the outage: %v", err)
	}
	if rec.Events != int64(len(events)) || rec.Dropped != 0 {
		t.Errorf("record counts %d events, %d dropped; want %d, 0", rec.Events, rec.Dropped, len(events))
	}
	// Read through the direct client: every event, once, in order.
	st := &Store{rdb: direct, keys: s.keys}
	tl, err := st.timeline(ctx, "h1")
	if err != nil || !reflect.DeepEqual(tl, events) {
		t.Fatalf("timeline after the outage: %d events, %v; want the %d appended, in order", len(tl), err, len(events))
	}
	logs := s.logs.String()
	if n := strings.Count(logs, "redis unreachable"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, logs)
	}
	if n := strings.Count(logs, "reachable again"); n != 1 {
		t.Errorf("recovery logged %d times, want once:\n%s", n, logs)
	}
}

// A call whose buffer overflows during an outage drops and counts, and never blocks Append.
func TestBufferFullDrops(t *testing.T) {
	ctx := context.Background()
	rdb, _, p := viaProxy(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	s.cfg.Buffer = 8

	l, err := s.Begin(ctx, testInfo("b1", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	p.cut()
	events := script(100)
	appendAll(l, events) // returns although Redis is unreachable and the buffer is tiny
	if l.dropped.Load() == 0 {
		t.Fatalf("no event dropped with a buffer of %d and %d events", s.cfg.Buffer, len(events))
	}
	p.restore()
	rec, err := l.Seal(ctx, dialog.Result{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Events+rec.Dropped != int64(len(events)) || rec.Dropped == 0 {
		t.Errorf("events %d + dropped %d != %d appended", rec.Events, rec.Dropped, len(events))
	}
	tl, err := s.Timeline(ctx, "b1")
	if err != nil || int64(len(tl)) != rec.Events {
		t.Errorf("timeline has %d events (%v), record says %d", len(tl), err, rec.Events)
	}
	if !strings.Contains(s.logs.String(), "events dropped") {
		t.Errorf("drops not logged:\n%s", s.logs.String())
	}
}

// Seal while Redis stays unreachable fails after FlushWait, keeps the events, and succeeds
// when retried after Redis is back.
func TestSealRetryAfterOutage(t *testing.T) {
	ctx := context.Background()
	rdb, _, p := viaProxy(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	s.cfg.FlushWait = 200 * time.Millisecond

	l, err := s.Begin(ctx, testInfo("r1", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	p.cut()
	events := script(3)
	appendAll(l, events)
	if _, err := l.Seal(ctx, dialog.Result{}); err == nil {
		t.Fatal("Seal succeeded with Redis unreachable")
	}
	p.restore()
	rec, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up"})
	if err != nil {
		t.Fatalf("second Seal: %v", err)
	}
	tl, err := s.Timeline(ctx, "r1")
	if err != nil || !reflect.DeepEqual(tl, events) || rec.Events != int64(len(events)) {
		t.Errorf("timeline %d events (%v), record %d; want %d", len(tl), err, rec.Events, len(events))
	}
}
