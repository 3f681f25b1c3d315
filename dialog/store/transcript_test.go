package store

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store/storetest"
)

func TestRebuild(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	turn := func(n int, kv ...string) map[string]string {
		d := map[string]string{dialog.DataTurn: strconv.Itoa(n)}
		for i := 0; i+1 < len(kv); i += 2 {
			d[kv[i]] = kv[i+1]
		}
		return d
	}
	learner := func(at, dur int, text string) dialog.Event {
		return dialog.Event{Kind: dialog.EventLearnerSaid, At: ms(at), Dur: ms(dur), Speaker: dialog.SpeakerLearner, Text: text}
	}
	says := func(n, at int, text string) dialog.Event {
		return dialog.Event{Kind: dialog.EventPersonaSays, At: ms(at), Speaker: dialog.SpeakerPersona, Text: text, Data: turn(n)}
	}
	heard := func(n, at, dur int, text string, truncated bool) dialog.Event {
		e := dialog.Event{Kind: dialog.EventPersonaHeard, At: ms(at), Dur: ms(dur), Speaker: dialog.SpeakerPersona, Text: text, Data: turn(n)}
		if truncated {
			e.Data["truncated"] = "true"
		}
		return e
	}
	withData := func(e dialog.Event, k, v string) dialog.Event {
		e.Data = map[string]string{k: v}
		return e
	}
	cases := []struct {
		name   string
		events []dialog.Event
		want   fromTimeline
	}{
		{
			name: "empty",
			want: fromTimeline{},
		},
		{
			// Issue 12 item 9: a reply of several sentences is one line, never one per
			// sentence plus the heard one, and no line ends before it starts.
			name: "several sentences are one line",
			events: []dialog.Event{
				{Kind: dialog.EventCallStart},
				says(1, 100, "Hi."),
				says(1, 300, "I was charged twice."),
				heard(1, 0, 2100, "Hi. I was charged twice.", false),
				learner(4000, 1200, "sorry about that"),
				says(2, 4600, "Fine."),
				says(2, 4700, "When do I get it back?"),
				heard(2, 4650, 1500, "Fine. When do I get it back?", false),
			},
			want: fromTimeline{
				transcript: []dialog.Utterance{
					{Speaker: dialog.SpeakerPersona, Text: "Hi. I was charged twice.", Start: 0, End: ms(2100)},
					{Speaker: dialog.SpeakerLearner, Text: "sorry about that", Start: ms(2800), End: ms(4000)},
					{Speaker: dialog.SpeakerPersona, Text: "Fine. When do I get it back?", Start: ms(4650), End: ms(6150)},
				},
				duration: ms(6150), turns: 1,
			},
		},
		{
			name: "barge-in keeps what was heard, learner ordered by start",
			events: []dialog.Event{
				says(1, 100, "Hello, billing."),
				heard(1, 100, 1400, "Hello, billing.", false),
				says(2, 5000, "I want a refund right now or else"),
				heard(2, 5000, 600, "I want a refund", true),
				learner(6200, 1500, "I understand"),
				says(2, 5700, "a sentence that raced the barge-in"),
				{Kind: dialog.EventMood, At: ms(6300), Mood: 6},
				{Kind: dialog.EventStage, At: ms(6400), Stage: "complaint"},
			},
			want: fromTimeline{
				transcript: []dialog.Utterance{
					{Speaker: dialog.SpeakerPersona, Text: "Hello, billing.", Start: ms(100), End: ms(1500)},
					{Speaker: dialog.SpeakerLearner, Text: "I understand", Start: ms(4700), End: ms(6200)},
					{Speaker: dialog.SpeakerPersona, Text: "I want a refund", Start: ms(5000), End: ms(5600), Truncated: true},
				},
				duration: ms(6400), mood: 6, stage: "complaint", turns: 1,
			},
		},
		{
			name: "learner confidence from the event, none when absent or unreadable",
			events: []dialog.Event{
				withData(learner(2000, 1000, "I understand"), dialog.DataConfidence, "0.873"),
				learner(4000, 1000, "let me check"),
				withData(learner(6000, 1000, "sorry"), dialog.DataConfidence, "very"),
			},
			want: fromTimeline{
				transcript: []dialog.Utterance{
					{Speaker: dialog.SpeakerLearner, Text: "I understand", Start: ms(1000), End: ms(2000), Confidence: 0.873},
					{Speaker: dialog.SpeakerLearner, Text: "let me check", Start: ms(3000), End: ms(4000)},
					{Speaker: dialog.SpeakerLearner, Text: "sorry", Start: ms(5000), End: ms(6000)},
				},
				duration: ms(6000), turns: 3,
			},
		},
		{
			name: "a cancelled turn is dropped; one never confirmed counts as heard, with a length",
			events: []dialog.Event{
				says(1, 0, "First line."),
				{Kind: dialog.EventTurnCancelled, At: ms(300), Data: turn(1)},
				says(2, 2000, "Third,"),
				says(2, 2100, "never confirmed."),
			},
			want: fromTimeline{
				transcript: []dialog.Utterance{
					{Speaker: dialog.SpeakerPersona, Text: "Third, never confirmed.", Start: ms(2000), End: ms(3200)},
				},
				duration: ms(2100),
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rebuild(tc.events)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rebuild:\n got %+v\nwant %+v", got, tc.want)
			}
			for _, u := range got.transcript {
				if u.End <= u.Start {
					t.Errorf("line %q lasts %v", u.Text, u.End-u.Start)
				}
			}
		})
	}
}

// TestRecoverMatchesSeal (issue 12 item 9): the same timeline, once sealed by its server
// (with the engine's transcript, dialog.TranscriptOf) and once left unsealed by a kill -9
// and recovered, gives the same transcript.
func TestRecoverMatchesSeal(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Redis(t)
	s := newTestStore(t, rdb, storetest.Prefix(t), "node-a")
	events := script(5)
	for i := range events { // replies of two sentences, as the engine logs them
		if events[i].Kind == dialog.EventPersonaSays {
			two := events[i]
			two.Text, two.At = "and more", two.At+50*time.Millisecond
			events = append(events[:i+1], append([]dialog.Event{two}, events[i+1:]...)...)
		}
	}
	for i := range events {
		if events[i].Kind == dialog.EventPersonaHeard {
			events[i].Text += " and more"
		}
	}
	l, err := s.Begin(ctx, testInfo("sealed", "alice", "billing", time.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	appendAll(l, events)
	sealed, err := l.Seal(ctx, dialog.Result{Transcript: dialog.TranscriptOf(events)})
	if err != nil {
		t.Fatal(err)
	}
	dieMidCall(t, s, "killed", events[:len(events)-1]) // everything but call.end
	recs, err := s.Recover(ctx)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Recover = %v, %v", recs, err)
	}
	if !reflect.DeepEqual(recs[0].Transcript, sealed.Transcript) {
		t.Errorf("recovered transcript differs from the sealed one:\n got %+v\nwant %+v", recs[0].Transcript, sealed.Transcript)
	}
	if len(sealed.Transcript) != 10 {
		t.Errorf("transcript has %d lines, want 10 (5 persona, 5 learner)", len(sealed.Transcript))
	}
}
