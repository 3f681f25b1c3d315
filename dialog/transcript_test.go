package dialog

import (
	"reflect"
	"testing"
	"time"
)

// TestTranscriptFromTimeline (issue 12 item 9): the transcript the engine seals is the one
// rebuilt from its timeline without the call.end (as Recover does after a kill -9): every
// persona reply once, however many sentences, and no line of zero or negative length.
func TestTranscriptFromTimeline(t *testing.T) {
	long := "Let me tell you exactly what happened to me this month because it has been a complete nightmare from start to finish and nobody at your company seems to care at all about it."
	cases := []struct {
		name    string
		persona *fakePersona
		texts   []string
		steps   []step
		lines   int
	}{
		{
			name:    "replies of several sentences",
			persona: &fakePersona{replies: []string{"That is not good enough.|I want it fixed.", "Fine.|When do I get it back?", "Thanks.|Bye."}, endAt: 3},
			texts:   []string{"hi this is sam how can i help", "i am so sorry that is our mistake", "the refund arrives in three days"},
			steps:   []step{{speak: time.Second}, {speak: 1500 * time.Millisecond}, {speak: time.Second}},
			lines:   7,
		},
		{
			name:    "learner barge-in",
			persona: &fakePersona{replies: []string{long + "|And another thing.", "Okay, go on then.", "Fine."}, endAt: 3},
			texts:   []string{"hello how can i help", "wait sorry let me stop you there", "i will refund it now"},
			steps:   []step{{speak: time.Second}, {bargeAfter: 1200 * time.Millisecond, speak: 1500 * time.Millisecond}, {speak: time.Second}},
			lines:   7,
		},
		{
			name:    "learner goes on after a pause",
			persona: &fakePersona{replies: []string{firstReply, "Right.", "Bye."}, endAt: 3},
			texts:   []string{"yesterday i called", "and nobody helped me", "i will refund it now"},
			steps:   []step{{speak: time.Second}, {pause: 600 * time.Millisecond, speak: 900 * time.Millisecond}, {speak: time.Second}},
			lines:   5, // greeting, the whole line, "Right.", the refund, "Bye."
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := converse(t, tc.persona, tc.texts, tc.steps, testTurns(), nil)
			if r.err != nil {
				t.Fatal(r.err)
			}
			r.ev.mu.Lock()
			all := append([]Event(nil), r.ev.ev...)
			r.ev.mu.Unlock()
			if all[len(all)-1].Kind != EventCallEnd {
				t.Fatalf("last event %s, want call.end", all[len(all)-1].Kind)
			}
			unsealed := all[:len(all)-1]
			if got := TranscriptOf(unsealed); !reflect.DeepEqual(got, r.res.Transcript) {
				t.Errorf("transcript rebuilt from the timeline:\n got %+v\nwant %+v", got, r.res.Transcript)
			}
			if len(r.res.Transcript) != tc.lines {
				t.Errorf("%d lines, want %d: %+v", len(r.res.Transcript), tc.lines, r.res.Transcript)
			}
			seen := map[string]bool{}
			for _, u := range r.res.Transcript {
				if u.End <= u.Start {
					t.Errorf("line %q lasts %v", u.Text, u.End-u.Start)
				}
				if u.Speaker == SpeakerPersona && seen[u.Text] {
					t.Errorf("persona line %q twice", u.Text)
				}
				seen[u.Text] = true
			}
		})
	}
}
