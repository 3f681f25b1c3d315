package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
)

func TestRebuild(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	learner := func(at, dur int, text string) dialog.Event {
		return dialog.Event{Kind: dialog.EventLearnerSaid, At: ms(at), Dur: ms(dur), Speaker: dialog.SpeakerLearner, Text: text}
	}
	says := func(at, dur int, text string) dialog.Event {
		return dialog.Event{Kind: dialog.EventPersonaSays, At: ms(at), Dur: ms(dur), Speaker: dialog.SpeakerPersona, Text: text}
	}
	heard := func(at int, text string, truncated bool) dialog.Event {
		e := dialog.Event{Kind: dialog.EventPersonaHeard, At: ms(at), Speaker: dialog.SpeakerPersona, Text: text}
		if truncated {
			e.Data = map[string]string{"truncated": "true"}
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
			name: "heard replaces says, learner ordered by start",
			events: []dialog.Event{
				{Kind: dialog.EventCallStart},
				says(100, 0, "Hello, billing."),
				heard(1500, "Hello, billing.", false),
				says(5000, 0, "I want a refund right now or else"),
				learner(6200, 1500, "I understand"), // cut in at 4700... logged at its end
				heard(5600, "I want a refund", true),
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
			name: "says without heard counts as heard",
			events: []dialog.Event{
				says(0, 800, "First line."),
				says(900, 700, "Second line."),
				heard(1700, "Second line.", false),
				says(2000, 500, "Third, never confirmed."),
			},
			want: fromTimeline{
				transcript: []dialog.Utterance{
					{Speaker: dialog.SpeakerPersona, Text: "First line.", Start: 0, End: ms(800)},
					{Speaker: dialog.SpeakerPersona, Text: "Second line.", Start: ms(900), End: ms(1700)},
					{Speaker: dialog.SpeakerPersona, Text: "Third, never confirmed.", Start: ms(2000), End: ms(2500)},
				},
				duration: ms(2000),
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rebuild(tc.events)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rebuild:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
