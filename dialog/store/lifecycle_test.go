package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")

	t0 := time.UnixMilli(1_700_000_000_000)
	calls := []struct{ id, learner, scenario string }{
		{"c1", "alice", "billing"},
		{"c2", "alice", "cold-call"},
		{"c3", "bob", "billing"},
	}
	logs := map[string]*CallLog{}
	for i, c := range calls {
		l, err := s.Begin(ctx, testInfo(c.id, c.learner, c.scenario, t0.Add(time.Duration(i)*time.Minute)), "rec/"+c.id+".wav")
		if err != nil {
			t.Fatalf("Begin %s: %v", c.id, err)
		}
		logs[c.id] = l
	}
	if _, err := s.Begin(ctx, testInfo("c1", "x", "y", t0), ""); !errors.Is(err, ErrExists) {
		t.Errorf("Begin of an existing call: %v, want ErrExists", err)
	}
	if _, err := s.Begin(ctx, testInfo("bad{id}", "x", "y", t0), ""); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Begin with a brace in the ID: %v, want ErrInvalidID", err)
	}
	live, err := s.Live(ctx)
	if err != nil || !sameSet(live, []string{"c1", "c2", "c3"}) {
		t.Fatalf("Live = %v, %v; want c1 c2 c3", live, err)
	}

	// c1: a long timeline in many batches, and live fields.
	events := script(200) // 602 events
	l := logs["c1"]
	appendAll(l, events)
	l.Update(map[string]any{"mood": 4, "stage": "investigation"})
	s.waitAttempt(t, "live fields written", func(a attempt) bool {
		return a.id == "c1" && a.err == nil && a.written == int64(len(events))
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		h, err := rdb.HGetAll(ctx, s.keys.live("c1")).Result()
		if err != nil {
			t.Fatal(err)
		}
		if h["mood"] == "4" && h["stage"] == "investigation" {
			if h["learner"] != "alice" || h["node"] != "node-a" || h["recording"] != "rec/c1.wav" || h["p.voice"] != "awb" {
				t.Errorf("live hash = %v", h)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("live hash never got the update: %v", h)
		}
		s.waitAttempt(t, "another c1 attempt", func(a attempt) bool { return a.id == "c1" })
	}
	if ttl := rdb.PTTL(ctx, s.keys.live("c1")).Val(); ttl <= 0 || ttl > s.cfg.LiveTTL {
		t.Errorf("live hash TTL = %v, want within (0, %v]", ttl, s.cfg.LiveTTL)
	}

	res := dialog.Result{
		EndReason: "learner hung up", Duration: 201 * time.Second, FinalMood: 2, FinalStage: "close",
		Goal: true, Turns: 200,
		Transcript: []dialog.Utterance{{Speaker: dialog.SpeakerPersona, Text: "line 0", Start: time.Second, End: 1400 * time.Millisecond}},
	}
	rec, err := l.Seal(ctx, res)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	select {
	case <-l.done:
	default:
		t.Error("writer goroutine still running after Seal")
	}
	want := Record{
		ID: "c1", Scenario: "billing", Learner: "alice", Transport: "webrtc", ExternalID: "ext-c1",
		From: "+15550001", To: "+15550002", Status: StatusSealed, Node: "node-a", Started: t0,
		Ended: rec.Ended, Duration: res.Duration, EndReason: res.EndReason, Recording: "rec/c1.wav",
		Transcript: res.Transcript, FinalMood: 2, FinalStage: "close", Goal: true, Turns: 200,
		Events: int64(len(events)),
	}
	if !reflect.DeepEqual(*rec, want) {
		t.Errorf("Seal record:\n got %+v\nwant %+v", *rec, want)
	}
	got, err := s.Get(ctx, "c1")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !got.Started.Equal(rec.Started) || !got.Ended.Equal(rec.Ended) {
		t.Errorf("Get times %v..%v, want %v..%v", got.Started, got.Ended, rec.Started, rec.Ended)
	}
	got.Started, got.Ended = rec.Started, rec.Ended // monotonic and location differ after JSON
	if !reflect.DeepEqual(got, rec) {
		t.Errorf("Get:\n got %+v\nwant %+v", got, rec)
	}
	tl, err := s.Timeline(ctx, "c1")
	if err != nil || !reflect.DeepEqual(tl, events) {
		t.Fatalf("Timeline: %d events, %v; want the %d appended, in order", len(tl), err, len(events))
	}
	again, err := l.Seal(ctx, dialog.Result{EndReason: "other"})
	if err != nil || again != rec {
		t.Errorf("second Seal = %+v, %v; want the first record", again, err)
	}

	for _, id := range []string{"c2", "c3"} {
		logs[id].Append(dialog.Event{Kind: dialog.EventCallEnd, Detail: "resolved"})
		if _, err := logs[id].Seal(ctx, dialog.Result{EndReason: "resolved"}); err != nil {
			t.Fatalf("Seal %s: %v", id, err)
		}
	}
	if live, err := s.Live(ctx); err != nil || len(live) != 0 {
		t.Errorf("Live after sealing = %v, %v; want none", live, err)
	}
	for _, k := range []string{s.keys.live("c1"), s.keys.info("c1"), s.keys.sealLock("c1"), s.keys.liveSet()} {
		if n := rdb.Exists(ctx, k).Val(); n != 0 {
			t.Errorf("%s still exists after Seal", k)
		}
	}
	if s.SealedStream() != s.keys.prefix+"calls:sealed" {
		t.Errorf("SealedStream = %q", s.SealedStream())
	}
	notices := sealedNotices(t, rdb, s.Store)
	var ids []string
	for _, m := range notices {
		ids = append(ids, m.Values["id"].(string))
		if m.Values["status"] != StatusSealed {
			t.Errorf("notice %v: status %v", m.Values, m.Values["status"])
		}
	}
	if !reflect.DeepEqual(ids, []string{"c1", "c2", "c3"}) {
		t.Errorf("sealed notices for %v, want one each for c1 c2 c3", ids)
	}

	t.Run("list", func(t *testing.T) {
		cases := []struct {
			name string
			q    Query
			want []string
		}{
			{"all newest first", Query{}, []string{"c3", "c2", "c1"}},
			{"learner", Query{Learner: "alice"}, []string{"c2", "c1"}},
			{"scenario", Query{Scenario: "billing"}, []string{"c3", "c1"}},
			{"learner and scenario", Query{Learner: "alice", Scenario: "billing"}, []string{"c1"}},
			{"since", Query{Since: t0.Add(30 * time.Second)}, []string{"c3", "c2"}},
			{"until is exclusive", Query{Until: t0.Add(2 * time.Minute)}, []string{"c2", "c1"}},
			{"limit", Query{Limit: 1}, []string{"c3"}},
			{"limit with filter", Query{Scenario: "billing", Limit: 1}, []string{"c3"}},
			{"unknown learner", Query{Learner: "carol"}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				recs, err := s.List(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range recs {
					got = append(got, r.ID)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("List(%+v) = %v, want %v", tc.q, got, tc.want)
				}
			})
		}
	})

	t.Run("not found", func(t *testing.T) {
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get: %v, want ErrNotFound", err)
		}
		if _, err := s.Timeline(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Timeline: %v, want ErrNotFound", err)
		}
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
