package store

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

// redisProc is a killable redis-server of the test's own (storetest.Killable) with the
// client a server would use.
type redisProc struct{ *storetest.Killable }

func startRedisProc(t *testing.T) *redisProc { return &redisProc{storetest.StartKillable(t)} }

// client is a client configured as a server's: fast failure, no retries to hide the outage.
func (r *redisProc) client(t *testing.T) redis.UniversalClient {
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// spillStore is a test store spilling to dir, on a fixed clock so that runs compare equal.
func spillStore(t *testing.T, rdb redis.UniversalClient, prefix, dir string) *testStore {
	t.Helper()
	s := newTestStore(t, rdb, prefix, "node-a")
	s.cfg.SpillDir = dir
	s.cfg.FlushWait = 300 * time.Millisecond
	fixed := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return fixed }
	replayed := make(chan string, 100)
	s.replayHook = func(id string) { replayed <- id }
	s.replayed = replayed
	t.Cleanup(func() { s.Close() })
	return s
}

func (ts *testStore) waitReplayed(t *testing.T, id string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case got := <-ts.replayed:
			if got == id {
				return
			}
		case <-deadline:
			t.Fatalf("call %s never replayed\n%s", id, ts.logs.String())
		}
	}
}

// result is what the engine hands Seal for the script.
func resultOf(events []dialog.Event) dialog.Result {
	return dialog.Result{EndReason: "learner hung up", Duration: events[len(events)-1].At,
		Transcript: dialog.TranscriptOf(events), FinalMood: 4, FinalStage: "close", Turns: 3}
}

// noFault runs the script with Redis up and returns the sealed record and the timeline.
func noFault(t *testing.T, rdb redis.UniversalClient, prefix string, events []dialog.Event) (*Record, []dialog.Event) {
	t.Helper()
	ctx := context.Background()
	s := spillStore(t, rdb, prefix, t.TempDir())
	l, err := s.Begin(ctx, testInfo("f1", "alice", "billing", s.now()), "rec/f1.wav")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, events)
	rec, err := l.Seal(ctx, resultOf(events))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := s.Timeline(ctx, "f1")
	if err != nil {
		t.Fatal(err)
	}
	return rec, tl
}

// sameCall checks the faulted run's record, timeline and scoring notice against the
// no-fault run's.
func sameCall(t *testing.T, s *testStore, rdb redis.UniversalClient, want *Record, wantTL []dialog.Event) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Get(ctx, "f1")
	if err != nil {
		t.Fatalf("Get after the outage: %v\n%s", err, s.logs.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("record after the outage:\n got %+v\nwant %+v", got, want)
	}
	tl, err := s.Timeline(ctx, "f1")
	if err != nil || !reflect.DeepEqual(tl, wantTL) {
		t.Errorf("timeline after the outage: %d events (%v), want the %d of the no-fault run", len(tl), err, len(wantTL))
	}
	notices := sealedNotices(t, rdb, s.Store)
	if len(notices) != 1 || notices[0].Values["id"] != "f1" || notices[0].Values["status"] != StatusSealed {
		t.Errorf("scoring notices = %v; want one, sealed", notices)
	}
	if live, _ := s.Live(ctx); len(live) != 0 {
		t.Errorf("still live: %v", live)
	}
	if recs, err := s.List(ctx, Query{Learner: "alice"}); err != nil || len(recs) != 1 {
		t.Errorf("List by learner = %d records, %v; want the call", len(recs), err)
	}
	if files, _ := filepath.Glob(filepath.Join(s.cfg.SpillDir, "*")); len(files) != 0 {
		t.Errorf("spill files left: %v", files)
	}
}

// TestRedisKilledMidCall: Redis is killed while the call runs and comes back before it ends;
// the writer spills, catches up and the call seals as if nothing happened.
func TestRedisKilledMidCall(t *testing.T) {
	ctx := context.Background()
	events := script(20)
	want, wantTL := noFault(t, storetest.Redis(t), storetest.Prefix(t), events)

	r := startRedisProc(t)
	rdb := r.client(t)
	prefix := storetest.Prefix(t)
	s := spillStore(t, rdb, prefix, t.TempDir())
	l, err := s.Begin(ctx, testInfo("f1", "alice", "billing", s.now()), "rec/f1.wav")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, events[:10])
	s.waitWritten(t, "f1", 10)
	r.Kill()
	appendAll(l, events[10:30])
	s.waitAttempt(t, "a failed write", func(a attempt) bool { return a.id == "f1" && a.err != nil })
	appendAll(l, events[30:50])
	r.Start()
	s.waitWritten(t, "f1", 50)
	appendAll(l, events[50:])
	rec, err := l.Seal(ctx, resultOf(events))
	if err != nil || !reflect.DeepEqual(rec, want) {
		t.Fatalf("Seal = %+v, %v; want %+v", rec, err, want)
	}
	sameCall(t, s, rdb, want, wantTL)
}

// TestRedisKilledAtEnd: Redis dies mid-call and stays down past the end of the call. The call
// is sealed to disk, and replayed (sealed and queued for scoring) once Redis is back.
func TestRedisKilledAtEnd(t *testing.T) {
	ctx := context.Background()
	events := script(20)
	want, wantTL := noFault(t, storetest.Redis(t), storetest.Prefix(t), events)

	r := startRedisProc(t)
	rdb := r.client(t)
	s := spillStore(t, rdb, storetest.Prefix(t), t.TempDir())
	l, err := s.Begin(ctx, testInfo("f1", "alice", "billing", s.now()), "rec/f1.wav")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, events[:10])
	s.waitWritten(t, "f1", 10)
	r.Kill()
	appendAll(l, events[10:])
	rec, err := l.Seal(ctx, resultOf(events))
	if err != nil || !reflect.DeepEqual(rec, want) {
		t.Fatalf("Seal during the outage = %+v, %v; want the record, sealed to disk", rec, err)
	}
	if !strings.Contains(s.logs.String(), "call sealed to disk") || !strings.Contains(s.logs.String(), "call_id=f1") {
		t.Errorf("seal to disk not logged:\n%s", s.logs.String())
	}
	if _, err := os.Stat(spillPath(s.cfg.SpillDir, "f1")); err != nil {
		t.Fatalf("no spill file: %v", err)
	}
	r.Start()
	s.waitReplayed(t, "f1")
	sameCall(t, s, rdb, want, wantTL)
}

// TestRedisDownAtStartAndAtEnd: a call that starts during an outage goes on (spilling from its
// first event), ends during it, and the next server start (Recover) replays it.
func TestRedisDownAtStartAndAtEnd(t *testing.T) {
	ctx := context.Background()
	events := script(20)
	want, wantTL := noFault(t, storetest.Redis(t), storetest.Prefix(t), events)

	r := startRedisProc(t)
	rdb := r.client(t)
	prefix, dir := storetest.Prefix(t), t.TempDir()
	s := spillStore(t, rdb, prefix, dir)
	r.Kill()
	l, err := s.Begin(ctx, testInfo("f1", "alice", "billing", s.now()), "rec/f1.wav")
	if err != nil {
		t.Fatalf("Begin during an outage: %v", err)
	}
	appendAll(l, events)
	rec, err := l.Seal(ctx, resultOf(events))
	if err != nil || !reflect.DeepEqual(rec, want) {
		t.Fatalf("Seal during the outage = %+v, %v", rec, err)
	}
	s.Close() // the server stops before Redis returns
	r.Start()
	restarted := spillStore(t, rdb, prefix, dir)
	if _, err := restarted.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	sameCall(t, restarted, rdb, want, wantTL)
}

// TestRedisDownThenKilled: the process dies mid-call while it spills; at the next start the
// whole timeline is replayed and the call sealed as interrupted, with nothing lost.
func TestRedisDownThenKilled(t *testing.T) {
	ctx := context.Background()
	events := script(20)
	cut := events[:len(events)-1] // no call.end: the process died
	r := startRedisProc(t)
	rdb := r.client(t)
	prefix, dir := storetest.Prefix(t), t.TempDir()
	s := spillStore(t, rdb, prefix, dir)
	l, err := s.Begin(ctx, testInfo("f1", "alice", "billing", s.now()), "rec/f1.wav")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, cut[:10])
	s.waitWritten(t, "f1", 10)
	r.Kill()
	appendAll(l, cut[10:])
	s.waitAttempt(t, "a failed write", func(a attempt) bool { return a.id == "f1" && a.err != nil })
	s.waitSpilled(t, dir, "f1", int64(len(cut))) // what kill -9 keeps is what reached the file
	l.stopWriter()                               // kill -9: no Seal
	r.Start()
	restarted := spillStore(t, rdb, prefix, dir)
	if _, err := restarted.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	rec, err := restarted.Get(ctx, "f1")
	if err != nil || rec.Status != StatusInterrupted || rec.Events != int64(len(cut)) {
		t.Fatalf("recovered = %+v, %v; want interrupted with %d events", rec, err, len(cut))
	}
	if !reflect.DeepEqual(rec.Transcript, dialog.TranscriptOf(cut)) {
		t.Errorf("recovered transcript:\n got %+v\nwant %+v", rec.Transcript, dialog.TranscriptOf(cut))
	}
	if tl, err := restarted.Timeline(ctx, "f1"); err != nil || !reflect.DeepEqual(tl, cut) {
		t.Errorf("timeline: %d events, %v; want %d", len(tl), err, len(cut))
	}
}

// Without a spill dir, a seal that cannot reach Redis is logged as an error.
func TestSealFailureLogged(t *testing.T) {
	ctx := context.Background()
	r := startRedisProc(t)
	rdb := r.client(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	s.cfg.FlushWait = 100 * time.Millisecond
	l, err := s.Begin(ctx, testInfo("f1", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	r.Kill()
	appendAll(l, script(1))
	if _, err := l.Seal(ctx, dialog.Result{}); err == nil {
		t.Fatal("Seal succeeded with Redis down and no spill dir")
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "seal failed") || !strings.Contains(logs, "call_id=f1") {
		t.Errorf("seal failure not logged as a structured error:\n%s", logs)
	}
}

func TestReady(t *testing.T) {
	ctx := context.Background()
	r := startRedisProc(t)
	s := newTestStore(t, r.client(t), storetest.Prefix(t), "node-a")
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready with Redis up: %v", err)
	}
	r.Kill()
	if err := s.Ready(ctx); !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "redis unreachable") {
		t.Errorf("Ready with Redis down = %v", err)
	}
	r.Start()
	if err := s.Ready(ctx); err != nil {
		t.Errorf("Ready after restart: %v", err)
	}
}

var _ = slog.LevelError
