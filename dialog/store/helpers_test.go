package store

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/telephony"
)

// testStore is a Store on a test prefix whose writer reports every attempt.
type testStore struct {
	*Store
	logs     *storetest.SyncBuffer
	attempts chan attempt
	replayed chan string // set by spillStore
}

type attempt struct {
	id      string
	written int64
	err     error
}

func newTestStore(t *testing.T, rdb redis.UniversalClient, prefix, node string) *testStore {
	t.Helper()
	return newTestStoreConfig(t, rdb, Config{Prefix: prefix, Node: node})
}

// newTestStoreConfig is newTestStore with a Config of the test's own.
func newTestStoreConfig(t *testing.T, rdb redis.UniversalClient, cfg Config) *testStore {
	t.Helper()
	logs := &storetest.SyncBuffer{}
	s, err := New(rdb, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.followBlock = 100 * time.Millisecond
	s.retryMin, s.retryMax = 5*time.Millisecond, 50*time.Millisecond
	ts := &testStore{Store: s, logs: logs, attempts: make(chan attempt, 10000)}
	s.flushHook = func(id string, written int64, err error) {
		select {
		case ts.attempts <- attempt{id, written, err}:
		default:
		}
	}
	return ts
}

// waitAttempt waits for a writer attempt matching ok.
func (ts *testStore) waitAttempt(t *testing.T, what string, ok func(attempt) bool) {
	t.Helper()
	// Generous: after a cluster failover the client may need several slot-map reloads to
	// find the new master on a loaded machine (seen taking over 10 s in CI).
	deadline := time.After(30 * time.Second)
	var seen []attempt // the last attempts, to say on failure what the writer did instead
	for {
		select {
		case a := <-ts.attempts:
			if ok(a) {
				return
			}
			if seen = append(seen, a); len(seen) > 8 {
				seen = seen[1:]
			}
		case <-deadline:
			for _, a := range seen {
				t.Logf("attempt on %s: %d written, err %v", a.id, a.written, a.err)
			}
			t.Fatalf("no writer attempt with %s; store log:\n%s", what, ts.logs.String())
		}
	}
}

// waitWritten waits until the writer confirmed n events of call id.
func (ts *testStore) waitWritten(t *testing.T, id string, n int64) {
	t.Helper()
	ts.waitAttempt(t, fmt.Sprintf("%d events of %s written", n, id), func(a attempt) bool {
		return a.id == id && a.err == nil && a.written == n
	})
}

// waitSpilled waits until call id's spill file in dir holds its events up to number n: a
// failed attempt is reported before its batch goes to the file.
func (ts *testStore) waitSpilled(t *testing.T, dir, id string, n int64) {
	t.Helper()
	ts.waitAttempt(t, fmt.Sprintf("events up to %d of %s on disk", n, id), func(a attempt) bool {
		sp, err := readSpill(spillPath(dir, id))
		return a.id == id && err == nil && len(sp.entries) > 0 && sp.entries[len(sp.entries)-1].n >= n
	})
}

func testInfo(id, learner, scenario string, started time.Time) telephony.Info {
	return telephony.Info{
		ID: id, Transport: "webrtc", ExternalID: "ext-" + id, From: "+15550001", To: "+15550002",
		Scenario: scenario, Learner: learner, Params: map[string]string{"voice": "awb"}, Started: started,
	}
}

// script is a short call's timeline, ending with call.end.
func script(n int) []dialog.Event {
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	var out []dialog.Event
	out = append(out, dialog.Event{Kind: dialog.EventCallStart, Detail: "webrtc"})
	for i := range n {
		at := 1000 * (i + 1)
		out = append(out,
			dialog.Event{Kind: dialog.EventPersonaSays, At: ms(at), Speaker: dialog.SpeakerPersona, Text: fmt.Sprintf("line %d", i),
				Data: map[string]string{dialog.DataTurn: strconv.Itoa(i + 1)}},
			dialog.Event{Kind: dialog.EventPersonaHeard, At: ms(at), Dur: ms(400), Speaker: dialog.SpeakerPersona, Text: fmt.Sprintf("line %d", i),
				Data: map[string]string{dialog.DataTurn: strconv.Itoa(i + 1)}},
			dialog.Event{Kind: dialog.EventLearnerSaid, At: ms(at + 900), Dur: ms(300), Speaker: dialog.SpeakerLearner,
				Text: fmt.Sprintf("reply %d", i), Data: map[string]string{dialog.DataConfidence: "0.9"}},
		)
	}
	return append(out, dialog.Event{Kind: dialog.EventCallEnd, At: ms(1000*(n+1) + 1), Detail: "learner hung up"})
}

func appendAll(l *CallLog, events []dialog.Event) {
	for _, e := range events {
		l.Append(e)
	}
}

func sealedNotices(t *testing.T, rdb redis.UniversalClient, s *Store) []redis.XMessage {
	t.Helper()
	msgs, err := rdb.XRange(context.Background(), s.keys.sealed(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}
