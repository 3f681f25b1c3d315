package store

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

// dieMidCall begins a call on s, writes events, and stops its writer without sealing, as if
// the server had died.
func dieMidCall(t *testing.T, s *testStore, id string, events []dialog.Event) *CallLog {
	t.Helper()
	l, err := s.Begin(context.Background(), testInfo(id, "alice", "billing", time.Now()), "rec/"+id+".wav")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, events)
	s.waitWritten(t, id, int64(len(events)))
	l.stopWriter()
	l.release()
	return l
}

func TestRecoverOwnNode(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	s := newTestStore(t, rdb, prefix, "node-a")

	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	events := []dialog.Event{
		{Kind: dialog.EventCallStart, Detail: "webrtc"},
		{Kind: dialog.EventPersonaSays, At: ms(200), Text: "You charged me twice!", Data: map[string]string{dialog.DataTurn: "1"}},
		{Kind: dialog.EventPersonaHeard, At: ms(200), Dur: ms(1700), Text: "You charged me twice!", Data: map[string]string{dialog.DataTurn: "1"}},
		{Kind: dialog.EventLearnerSaid, At: ms(4000), Dur: ms(1500), Text: "Let me check that",
			Data: map[string]string{dialog.DataConfidence: "0.64"}},
		{Kind: dialog.EventMood, At: ms(4100), Mood: 6, Detail: "slow answer"},
		{Kind: dialog.EventStage, At: ms(4100), Stage: "investigation"},
		{Kind: dialog.EventPersonaSays, At: ms(4300), Text: "Hurry up.", Data: map[string]string{dialog.DataTurn: "2"}},
	}
	l := dieMidCall(t, s, "d1", events)
	heartbeat := time.UnixMilli(int64(rdb.ZScore(ctx, s.keys.liveSet(), "d1").Val()))
	// A call this Store still runs is left alone by its Recover, although it is on this node.
	running, err := s.Begin(ctx, testInfo("run", "bob", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}

	recs, err := s.Recover(ctx)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Recover = %d records, %v; want 1", len(recs), err)
	}
	rec := recs[0]
	want := &Record{
		ID: "d1", Scenario: "billing", Learner: "alice", Transport: "webrtc", ExternalID: "ext-d1",
		From: "+15550001", To: "+15550002", Status: StatusInterrupted, Node: "node-a",
		Started: rec.Started, Ended: heartbeat, Duration: ms(4300), EndReason: ReasonInterrupted,
		Recording: "rec/d1.wav",
		Transcript: []dialog.Utterance{
			{Speaker: dialog.SpeakerPersona, Text: "You charged me twice!", Start: ms(200), End: ms(1900)},
			{Speaker: dialog.SpeakerLearner, Text: "Let me check that", Start: ms(2500), End: ms(4000), Confidence: 0.64},
			{Speaker: dialog.SpeakerPersona, Text: "Hurry up.", Start: ms(4300), End: ms(5100)}, // 2 words, never confirmed
		},
		FinalMood: 6, FinalStage: "investigation", Turns: 1, Events: int64(len(events)),
	}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("recovered record:\n got %+v\nwant %+v", rec, want)
	}
	got, err := s.Get(ctx, "d1")
	if err != nil || got.Status != StatusInterrupted || len(got.Transcript) != 3 {
		t.Errorf("Get = %+v, %v", got, err)
	}
	if tl, err := s.Timeline(ctx, "d1"); err != nil || !reflect.DeepEqual(tl, events) {
		t.Errorf("timeline not kept: %d events, %v", len(tl), err)
	}
	if live, _ := s.Live(ctx); !slices.Equal(live, []string{"run"}) {
		t.Errorf("Live after Recover = %v, want run", live)
	}
	// The dead call's own Seal, had it come late, gets the same record.
	late, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up"})
	if err != nil || late.Status != StatusInterrupted {
		t.Errorf("Seal after Recover = %+v, %v; want the interrupted record", late, err)
	}

	// The server restarts (same node, fresh Store): the call it was running is interrupted.
	running.stopWriter()
	restarted := newTestStore(t, rdb, prefix, "node-a")
	recs, err = restarted.Recover(ctx)
	if err != nil || len(recs) != 1 || recs[0].ID != "run" || recs[0].Events != 0 || recs[0].Learner != "bob" {
		t.Errorf("Recover after restart = %+v, %v; want the empty call run", recs, err)
	}
	if recs, err := restarted.Recover(ctx); err != nil || len(recs) != 0 {
		t.Errorf("third Recover = %v, %v; want nothing", recs, err)
	}
	var notices []string
	for _, m := range sealedNotices(t, rdb, s.Store) {
		notices = append(notices, m.Values["id"].(string)+" "+m.Values["status"].(string))
	}
	if !slices.Equal(notices, []string{"d1 interrupted", "run interrupted"}) {
		t.Errorf("sealed notices = %v; want one per call", notices)
	}
}

func TestRecoverOtherNodes(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	a := newTestStore(t, rdb, prefix, "node-a")
	const n = 6
	var ids []string
	for i := range n {
		id := "x" + string(rune('0'+i))
		ids = append(ids, id)
		dieMidCall(t, a, id, script(2))
	}

	// Node b, at the same time: node a's calls look alive.
	fresh := newTestStore(t, rdb, prefix, "node-b")
	if recs, err := fresh.Recover(ctx); err != nil || len(recs) != 0 {
		t.Fatalf("Recover of calls with a fresh heartbeat = %d records, %v; want none", len(recs), err)
	}

	// Two minutes later nodes b and c recover at once: each call is sealed once.
	var stores []*testStore
	for _, node := range []string{"node-b", "node-c"} {
		s := newTestStore(t, rdb, prefix, node)
		s.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
		stores = append(stores, s)
	}
	start := make(chan struct{})
	results := make([][]*Record, len(stores))
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			<-start
			results[i], errs[i] = s.Recover(ctx)
		})
	}
	close(start)
	wg.Wait()
	seen := map[string]int{}
	for i := range stores {
		if errs[i] != nil {
			t.Errorf("Recover on %s: %v", stores[i].cfg.Node, errs[i])
		}
		for _, r := range results[i] {
			seen[r.ID]++
			if r.Status != StatusInterrupted || r.Node != "node-a" || r.Events != int64(len(script(2))) || len(r.Transcript) != 4 {
				t.Errorf("record %+v", r)
			}
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("call %s sealed %d times, want 1", id, seen[id])
		}
	}
	if notices := sealedNotices(t, rdb, a.Store); len(notices) != n {
		t.Errorf("%d sealed notices, want %d", len(notices), n)
	}
}

// A sealer that died after writing the record but before its notice is finished by Recover.
func TestRecoverFinishesHalfSealed(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	dieMidCall(t, s, "h1", script(1))
	data, _ := json.Marshal(&Record{ID: "h1", Status: StatusSealed})
	if err := rdb.Set(ctx, s.keys.record("h1"), data, 0).Err(); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Recover(ctx)
	if err != nil || len(recs) != 0 {
		t.Errorf("Recover = %v, %v; want no newly sealed record", recs, err)
	}
	notices := sealedNotices(t, rdb, s.Store)
	if len(notices) != 1 || notices[0].Values["status"] != StatusSealed {
		t.Errorf("notices = %v; want the missing one", notices)
	}
	if live, _ := s.Live(ctx); len(live) != 0 {
		t.Errorf("still live: %v", live)
	}
}

// The periodic pass seals only calls whose heartbeat is older than LiveTTL: not a call of
// this node's name that is not (or not yet) in its active set, which Recover at start would
// seal, and a dead node's call once its heartbeat has expired.
func TestRecoverStale(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	prefix := storetest.Prefix(t)
	dieMidCall(t, newTestStore(t, rdb, prefix, "node-a"), "s1", script(2))

	same := newTestStore(t, rdb, prefix, "node-a") // e.g. a call whose Begin is under way
	if recs, err := same.RecoverStale(ctx); err != nil || len(recs) != 0 {
		t.Fatalf("RecoverStale of a fresh call = %d records, %v; want none", len(recs), err)
	}
	other := newTestStore(t, rdb, prefix, "node-b")
	other.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	recs, err := other.RecoverStale(ctx)
	if err != nil || len(recs) != 1 || recs[0].ID != "s1" || recs[0].Status != StatusInterrupted || recs[0].Node != "node-a" {
		t.Fatalf("RecoverStale after the TTL = %+v, %v; want s1 interrupted", recs, err)
	}
	if notices := sealedNotices(t, rdb, other.Store); len(notices) != 1 {
		t.Errorf("%d sealed notices, want 1", len(notices))
	}
}
